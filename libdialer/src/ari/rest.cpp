#include "dialer/ari/rest.hpp"

#include <array>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "dialer/ari/options.hpp"
#include "internal/enum_names.hpp"
#include "json_model.hpp"

namespace dialer::ari {

namespace json = boost::json;
using namespace detail;

namespace {

constexpr internal::NameTable<Operation, 17> kOperationNames{{
    {Operation::originate, "originate"},
    {Operation::hangup, "hangup"},
    {Operation::answer, "answer"},
    {Operation::create_bridge, "create_bridge"},
    {Operation::destroy_bridge, "destroy_bridge"},
    {Operation::add_channel, "add_channel"},
    {Operation::remove_channel, "remove_channel"},
    {Operation::play, "play"},
    {Operation::list_channels, "list_channels"},
    {Operation::get_channel, "get_channel"},
    {Operation::list_bridges, "list_bridges"},
    {Operation::get_bridge, "get_bridge"},
    {Operation::asterisk_info, "asterisk_info"},
    {Operation::get_variable, "get_variable"},
    {Operation::set_variable, "set_variable"},
    {Operation::get_application, "get_application"},
    {Operation::event_websocket, "event_websocket"},
}};

constexpr internal::NameTable<AuthMode, 2> kAuthNames{
    {{AuthMode::basic, "basic"}, {AuthMode::api_key, "api_key"}}};
constexpr internal::NameTable<LogLevel, 4> kLevelNames{{{LogLevel::debug, "debug"},
                                                        {LogLevel::info, "info"},
                                                        {LogLevel::warning, "warning"},
                                                        {LogLevel::error, "error"}}};

// The parameters each operation may send: a subset of the spec's (a test
// checks each against shared/ari/api-docs).
constexpr std::array<std::string_view, 6> kOriginateQuery{"endpoint", "app",       "appArgs",
                                                          "callerId", "timeout",   "channelId"};
constexpr std::array<std::string_view, 1> kOriginateBody{"variables"};
constexpr std::array<std::string_view, 2> kHangupQuery{"reason_code", "reason"};
constexpr std::array<std::string_view, 3> kBridgeCreateQuery{"type", "bridgeId", "name"};
constexpr std::array<std::string_view, 1> kChannelQuery{"channel"};
constexpr std::array<std::string_view, 2> kPlayQuery{"media", "playbackId"};
constexpr std::array<std::string_view, 1> kInfoQuery{"only"};
constexpr std::array<std::string_view, 1> kGetVarQuery{"variable"};
constexpr std::array<std::string_view, 2> kSetVarQuery{"variable", "value"};
constexpr std::array<std::string_view, 2> kEventsQuery{"app", "subscribeAll"};

constexpr std::array<OperationSpec, 17> kOperations{{
    {Operation::originate, "POST", "/channels", kOriginateQuery, kOriginateBody},
    {Operation::hangup, "DELETE", "/channels/{channelId}", kHangupQuery, {}},
    {Operation::answer, "POST", "/channels/{channelId}/answer", {}, {}},
    {Operation::create_bridge, "POST", "/bridges", kBridgeCreateQuery, {}},
    {Operation::destroy_bridge, "DELETE", "/bridges/{bridgeId}", {}, {}},
    {Operation::add_channel, "POST", "/bridges/{bridgeId}/addChannel", kChannelQuery, {}},
    {Operation::remove_channel, "POST", "/bridges/{bridgeId}/removeChannel", kChannelQuery, {}},
    {Operation::play, "POST", "/channels/{channelId}/play", kPlayQuery, {}},
    {Operation::list_channels, "GET", "/channels", {}, {}},
    {Operation::get_channel, "GET", "/channels/{channelId}", {}, {}},
    {Operation::list_bridges, "GET", "/bridges", {}, {}},
    {Operation::get_bridge, "GET", "/bridges/{bridgeId}", {}, {}},
    {Operation::asterisk_info, "GET", "/asterisk/info", kInfoQuery, {}},
    {Operation::get_variable, "GET", "/channels/{channelId}/variable", kGetVarQuery, {}},
    {Operation::set_variable, "POST", "/channels/{channelId}/variable", kSetVarQuery, {}},
    {Operation::get_application, "GET", "/applications/{applicationName}", {}, {}},
    {Operation::event_websocket, "GET", "/events", kEventsQuery, {}},
}};

bool listed(std::span<const std::string_view> names, std::string_view name) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

// Percent-encodes in place, without a temporary string per parameter.
void append_encoded(std::string& out, std::string_view s) {
  const std::size_t n = boost::urls::encoded_size(s, boost::urls::unreserved_chars);
  const std::size_t at = out.size();
  out.resize(at + n);
  boost::urls::encode(out.data() + at, n, s, boost::urls::unreserved_chars);
}

Error malformed(std::string_view what) {
  return Error{Errc::protocol_error, "ARI answered " + std::string(what) + " that is not valid"};
}

// Parses a response body without throwing.
// `sp` holds the DOM: a monotonic resource on a stack buffer (Scratch) keeps
// a typical answer (one channel, ~600 bytes) off the heap.
bool parse_json(std::string_view body, json::value& out, json::storage_ptr sp = {}) {
  boost::system::error_code ec;
  json::parse_options opt;
  opt.max_depth = 32;
  try {
    out = json::parse(body, ec, std::move(sp), opt);
  } catch (const std::exception&) {
    return false;
  }
  return !ec;
}

// Memory for one parsed answer; larger answers spill to the heap. Declared
// before the value that uses it, so it outlives the value.
struct Scratch {
  std::array<unsigned char, 4096> buffer;
  json::monotonic_resource resource{buffer.data(), buffer.size()};
};

template <class T, class Reader>
Result<T> parse_one(std::string_view body, Reader read, std::string_view what) {
  Scratch scratch;
  json::value v;
  T out;
  if (!parse_json(body, v, &scratch.resource) || !read(v, out)) return malformed(what);
  return out;
}

template <class T, class Reader>
Result<std::vector<T>> parse_list(std::string_view body, Reader read, std::string_view what) {
  Scratch scratch;
  json::value v;
  if (!parse_json(body, v, &scratch.resource) || !v.is_array()) return malformed(what);
  std::vector<T> out;
  out.reserve(v.get_array().size());
  for (const json::value& item : v.get_array()) {
    T t;
    if (!read(item, t)) return malformed(what);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

const char* to_string(Operation op) noexcept { return internal::name_of(kOperationNames, op); }
bool from_string(std::string_view s, Operation& out) noexcept {
  return internal::parse_name(kOperationNames, s, out);
}
const char* to_string(AuthMode m) noexcept { return internal::name_of(kAuthNames, m); }
bool from_string(std::string_view s, AuthMode& out) noexcept {
  return internal::parse_name(kAuthNames, s, out);
}
const char* to_string(LogLevel l) noexcept { return internal::name_of(kLevelNames, l); }
bool from_string(std::string_view s, LogLevel& out) noexcept {
  return internal::parse_name(kLevelNames, s, out);
}

std::span<const OperationSpec> operations() { return kOperations; }

const OperationSpec& spec_of(Operation op) {
  for (const OperationSpec& s : kOperations) {
    if (s.op == op) return s;
  }
  return kOperations.front();  // unreachable: every Operation has a row
}

Result<std::string> build_target(const Request& request, std::string_view base_path) {
  const OperationSpec& spec = spec_of(request.op);
  std::string target(base_path);
  if (!target.empty() && target.back() == '/') target.pop_back();
  target += "/ari";
  std::size_t arg = 0;
  std::string_view path = spec.path;
  while (!path.empty()) {
    const std::size_t open = path.find('{');
    if (open == std::string_view::npos) {
      target += path;
      break;
    }
    target += path.substr(0, open);
    const std::size_t close = path.find('}', open);
    if (arg >= request.path_args.size() || request.path_args[arg].empty()) {
      return Error{Errc::invalid_argument,
                   std::string("ARI ") + to_string(request.op) + " needs its path arguments"};
    }
    append_encoded(target, request.path_args[arg++]);
    path.remove_prefix(close + 1);
  }
  if (arg != request.path_args.size()) {
    return Error{Errc::invalid_argument,
                 std::string("ARI ") + to_string(request.op) + " got too many path arguments"};
  }
  char sep = '?';
  for (const auto& [key, value] : request.query) {
    if (!listed(spec.query, key)) {
      return Error{Errc::invalid_argument, std::string("ARI ") + to_string(request.op) +
                                               " has no query parameter " + key};
    }
    target += sep;
    sep = '&';
    append_encoded(target, key);
    target += '=';
    append_encoded(target, value);
  }
  if (!request.body.empty() && spec.body.empty()) {
    return Error{Errc::invalid_argument,
                 std::string("ARI ") + to_string(request.op) + " takes no body"};
  }
  return target;
}

std::string error_text(std::string_view body) {
  json::value v;
  if (parse_json(body, v) && v.is_object()) {
    for (std::string_view key : {field::message, field::error}) {
      std::string s = string_at(v.get_object(), key);
      if (!s.empty()) return s;
    }
  }
  return std::string(body.substr(0, 200));
}

Result<void> check_status(Operation op, const Response& r) {
  const int s = r.status;
  if (s >= 200 && s < 300) return ok();
  // Ending what is already gone is what the caller wanted (README §2.2).
  if (s == 404 && (op == Operation::hangup || op == Operation::destroy_bridge)) return ok();
  if (s == 422 && op == Operation::remove_channel) return ok();
  std::string detail = std::string("ARI ") + to_string(op) + " answered " + std::to_string(s);
  if (!r.body.empty()) detail += ": " + error_text(r.body);
  switch (s) {
    case 400:
      // addChannel reports a missing channel as 400 "Channel not found".
      return Error{op == Operation::add_channel ? Errc::not_found : Errc::invalid_argument,
                   std::move(detail)};
    case 404: return Error{Errc::not_found, std::move(detail)};
    case 409: return Error{Errc::conflict, std::move(detail)};
    case 412:
    case 422: return Error{Errc::invalid_transition, std::move(detail)};
    case 401:
    case 403:
      return Error{Errc::unavailable, std::move(detail) + " (check the ARI user and password)"};
    case 500:
    case 502:
    case 503:
    case 504: return Error{Errc::unavailable, std::move(detail)};
    default: return Error{Errc::protocol_error, std::move(detail)};
  }
}

Result<Channel> parse_channel(std::string_view body) {
  return parse_one<Channel>(body, read_channel, "a channel");
}
Result<std::vector<Channel>> parse_channels(std::string_view body) {
  return parse_list<Channel>(body, read_channel, "a channel list");
}
Result<Bridge> parse_bridge(std::string_view body) {
  return parse_one<Bridge>(body, read_bridge, "a bridge");
}
Result<std::vector<Bridge>> parse_bridges(std::string_view body) {
  return parse_list<Bridge>(body, read_bridge, "a bridge list");
}
Result<Playback> parse_playback(std::string_view body) {
  return parse_one<Playback>(body, read_playback, "a playback");
}

Result<std::string> parse_variable(std::string_view body) {
  json::value v;
  if (!parse_json(body, v) || !v.is_object()) return malformed("a variable");
  const json::value* value = v.get_object().if_contains(field::value);
  if (value == nullptr || !value->is_string()) return malformed("a variable");
  return std::string(value->get_string());
}

Result<AsteriskInfo> parse_asterisk_info(std::string_view body) {
  json::value v;
  if (!parse_json(body, v) || !v.is_object()) return malformed("asterisk info");
  AsteriskInfo info;
  const json::object& o = v.get_object();
  if (const json::value* sys = o.if_contains(field::system); sys != nullptr && sys->is_object()) {
    info.entity_id = string_at(sys->get_object(), field::entity_id);
    info.version = string_at(sys->get_object(), field::version);
  }
  if (const json::value* st = o.if_contains(field::status); st != nullptr && st->is_object()) {
    info.startup_time = string_at(st->get_object(), field::startup_time);
  }
  return info;
}

Result<std::vector<std::string>> parse_application_channels(std::string_view body) {
  json::value v;
  if (!parse_json(body, v) || !v.is_object()) return malformed("an application");
  const json::value* ids = v.get_object().if_contains(field::channel_ids);
  if (ids == nullptr || !ids->is_array()) return malformed("an application");
  std::vector<std::string> out;
  for (const json::value& id : ids->get_array()) {
    if (!id.is_string()) return malformed("an application");
    out.emplace_back(id.get_string());
  }
  return out;
}

}  // namespace dialer::ari
