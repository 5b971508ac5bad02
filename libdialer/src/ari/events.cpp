#include "dialer/ari/events.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <new>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include "json_model.hpp"

namespace dialer::ari {

namespace json = boost::json;
using namespace detail;

const std::string* Channel::variable(std::string_view var) const {
  for (const auto& [k, v] : variables) {
    if (k == var) return &v;
  }
  return nullptr;
}

namespace {

Error refused(std::string detail) { return Error{Errc::protocol_error, std::move(detail)}; }

// An int field; absent → 0. False for a non-integer or one out of int range.
bool read_int(const json::object& o, std::string_view key, int& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    out = 0;
    return true;
  }
  std::int64_t n = 0;
  if (const auto* i = v->if_int64()) {
    n = *i;
  } else if (const auto* u = v->if_uint64()) {
    if (*u > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return false;
    n = static_cast<std::int64_t>(*u);
  } else {
    return false;
  }
  if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) return false;
  out = static_cast<int>(n);
  return true;
}

bool read_bool(const json::object& o, std::string_view key, bool& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    out = false;
    return true;
  }
  if (!v->is_bool()) return false;
  out = v->get_bool();
  return true;
}

bool required_channel(const json::object& o, std::string_view key, Channel& out) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && read_channel(*v, out);
}

bool optional_channel(const json::object& o, std::string_view key, std::optional<Channel>& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return true;
  Channel c;
  if (!read_channel(*v, c)) return false;
  out = std::move(c);
  return true;
}

bool required_bridge(const json::object& o, Bridge& out) {
  const json::value* v = o.if_contains(field::bridge);
  return v != nullptr && read_bridge(*v, out);
}

// Builds the typed body of a known event; false when a field the dialer needs
// is missing or has the wrong JSON type. Unknown types are not handled here.
template <class T>
bool read_body(const json::object& o, T& out);

template <>
bool read_body(const json::object& o, StasisStart& out) {
  if (!required_channel(o, field::channel, out.channel)) return false;
  if (const json::value* a = o.if_contains(field::args); a != nullptr) {
    if (!a->is_array()) return false;
    for (const json::value& arg : a->get_array()) {
      if (!arg.is_string()) return false;
      out.args.emplace_back(arg.get_string());
    }
  }
  return true;
}
template <>
bool read_body(const json::object& o, StasisEnd& out) {
  return required_channel(o, field::channel, out.channel);
}
template <>
bool read_body(const json::object& o, ChannelStateChange& out) {
  return required_channel(o, field::channel, out.channel);
}
template <>
bool read_body(const json::object& o, ChannelHangupRequest& out) {
  return required_channel(o, field::channel, out.channel) && read_int(o, field::cause, out.cause) &&
         read_bool(o, field::soft, out.soft);
}
template <>
bool read_body(const json::object& o, ChannelDestroyed& out) {
  if (!required_channel(o, field::channel, out.channel) || !read_int(o, field::cause, out.cause)) {
    return false;
  }
  out.cause_txt = string_at(o, field::cause_txt);
  return true;
}
template <>
bool read_body(const json::object& o, Dial& out) {
  if (!required_channel(o, field::peer, out.peer) || !optional_channel(o, field::caller, out.caller)) {
    return false;
  }
  out.dialstatus = string_at(o, field::dialstatus);
  out.dialstring = string_at(o, field::dialstring);
  return true;
}
template <>
bool read_body(const json::object& o, ChannelEnteredBridge& out) {
  return required_bridge(o, out.bridge) && optional_channel(o, field::channel, out.channel);
}
template <>
bool read_body(const json::object& o, ChannelLeftBridge& out) {
  return required_bridge(o, out.bridge) && required_channel(o, field::channel, out.channel);
}
template <>
bool read_body(const json::object& o, BridgeDestroyed& out) {
  return required_bridge(o, out.bridge);
}
template <>
bool read_body(const json::object& o, ChannelVarset& out) {
  const json::value* var = o.if_contains(field::variable);
  if (var == nullptr || !var->is_string()) return false;
  out.variable = std::string(var->get_string());
  out.value = string_at(o, field::value);
  return optional_channel(o, field::channel, out.channel);
}
template <>
bool read_body(const json::object& o, PlaybackFinished& out) {
  const json::value* p = o.if_contains(field::playback);
  return p != nullptr && read_playback(*p, out.playback);
}
template <>
bool read_body(const json::object&, ApplicationReplaced&) {
  return true;
}

template <class T>
Result<Event> typed(Event e, const json::object& o) {
  T body;
  if (!read_body(o, body)) return refused("ARI event " + e.type + " lacks a field it requires");
  e.body = std::move(body);
  return e;
}

using Reader = Result<Event> (*)(Event, const json::object&);
struct Known {
  std::string_view type;
  Reader read;
};
constexpr std::array<Known, 12> kKnown{{
    {"StasisStart", &typed<StasisStart>},
    {"StasisEnd", &typed<StasisEnd>},
    {"ChannelStateChange", &typed<ChannelStateChange>},
    {"ChannelHangupRequest", &typed<ChannelHangupRequest>},
    {"ChannelDestroyed", &typed<ChannelDestroyed>},
    {"Dial", &typed<Dial>},
    {"ChannelEnteredBridge", &typed<ChannelEnteredBridge>},
    {"ChannelLeftBridge", &typed<ChannelLeftBridge>},
    {"BridgeDestroyed", &typed<BridgeDestroyed>},
    {"ChannelVarset", &typed<ChannelVarset>},
    {"PlaybackFinished", &typed<PlaybackFinished>},
    {"ApplicationReplaced", &typed<ApplicationReplaced>},
}};

Result<Event> to_event(const json::value& v, std::string_view frame) {
  const json::object* o = v.if_object();
  if (o == nullptr) return refused("ARI event is not a JSON object");
  const json::value* type = o->if_contains(field::type);
  if (type == nullptr || !type->is_string()) return refused("ARI event has no string \"type\"");
  Event e;
  e.type = std::string(type->get_string());
  e.application = string_at(*o, field::application);
  e.timestamp = string_at(*o, field::timestamp);
  e.asterisk_id = string_at(*o, field::asterisk_id);
  for (const Known& k : kKnown) {
    if (k.type == e.type) return k.read(std::move(e), *o);
  }
  e.body = UnknownEvent{std::string(frame)};
  return e;
}

// Nesting deeper than any ARI event needs is refused, which also bounds the
// parser's recursion on hostile input.
json::parse_options parse_options() {
  json::parse_options opt;
  opt.max_depth = 16;
  return opt;
}

}  // namespace

struct EventParser::Impl {
  explicit Impl(std::size_t max) : max_bytes(max), parser(json::storage_ptr(), parse_options()) {}
  std::size_t max_bytes;
  // Scratch memory reused for every frame: a recorded event (~1 KB of JSON)
  // parses without touching the heap.
  std::array<unsigned char, 16384> scratch{};
  json::parser parser;
};

EventParser::EventParser(std::size_t max_bytes) : impl_(std::make_unique<Impl>(max_bytes)) {}
EventParser::~EventParser() = default;
EventParser::EventParser(EventParser&&) noexcept = default;
EventParser& EventParser::operator=(EventParser&&) noexcept = default;

Result<Event> EventParser::parse(std::string_view frame) {
  if (frame.size() > impl_->max_bytes) {
    return refused("ARI event frame of " + std::to_string(frame.size()) + " bytes exceeds " +
                   std::to_string(impl_->max_bytes));
  }
  try {
    json::monotonic_resource mr(impl_->scratch.data(), impl_->scratch.size());
    impl_->parser.reset(&mr);
    boost::system::error_code ec;
    impl_->parser.write(frame.data(), frame.size(), ec);
    if (ec) return refused("ARI event is not valid JSON: " + ec.message());
    const json::value v = impl_->parser.release();
    Result<Event> e = to_event(v, frame);
    impl_->parser.reset();
    return e;
  } catch (const std::bad_alloc&) {
    impl_->parser.reset();
    return refused("ARI event too large to parse");
  } catch (const std::exception& ex) {
    impl_->parser.reset();
    return refused(std::string("ARI event refused: ") + ex.what());
  }
}

Result<Event> parse_event(std::string_view frame, std::size_t max_bytes) {
  EventParser p(max_bytes);
  return p.parse(frame);
}

namespace {

// What the readers above use, per model (events.json for events;
// channels.json, bridges.json and playbacks.json for the objects).
constexpr std::array<std::string_view, 4> kEventBase{field::type, field::asterisk_id,
                                                     field::application, field::timestamp};
constexpr std::array<std::string_view, 2> kStasisStart{field::channel, field::args};
constexpr std::array<std::string_view, 1> kChannelOnly{field::channel};
constexpr std::array<std::string_view, 3> kHangupRequest{field::channel, field::cause, field::soft};
constexpr std::array<std::string_view, 3> kDestroyed{field::channel, field::cause,
                                                     field::cause_txt};
constexpr std::array<std::string_view, 4> kDial{field::peer, field::caller, field::dialstatus,
                                                field::dialstring};
constexpr std::array<std::string_view, 2> kBridgeChannel{field::bridge, field::channel};
constexpr std::array<std::string_view, 1> kBridgeOnly{field::bridge};
constexpr std::array<std::string_view, 3> kVarset{field::channel, field::variable, field::value};
constexpr std::array<std::string_view, 1> kPlaybackFinished{field::playback};
constexpr std::array<std::string_view, 5> kChannel{field::id, field::name, field::state,
                                                   field::dialplan, field::channelvars};
constexpr std::array<std::string_view, 2> kDialplan{field::context, field::exten};
constexpr std::array<std::string_view, 3> kBridge{field::id, field::bridge_type, field::channels};
constexpr std::array<std::string_view, 4> kPlayback{field::id, field::media_uri,
                                                    field::target_uri, field::state};

constexpr std::array<ModelFields, 18> kFieldsRead{{
    {"Message", {kEventBase.data(), 2}},      // type, asterisk_id
    {"Event", {kEventBase.data() + 2, 2}},    // application, timestamp
    {"StasisStart", kStasisStart},
    {"StasisEnd", kChannelOnly},
    {"ChannelStateChange", kChannelOnly},
    {"ChannelHangupRequest", kHangupRequest},
    {"ChannelDestroyed", kDestroyed},
    {"Dial", kDial},
    {"ChannelEnteredBridge", kBridgeChannel},
    {"ChannelLeftBridge", kBridgeChannel},
    {"BridgeDestroyed", kBridgeOnly},
    {"ChannelVarset", kVarset},
    {"PlaybackFinished", kPlaybackFinished},
    {"ApplicationReplaced", {}},
    {"Channel", kChannel},
    {"DialplanCEP", kDialplan},
    {"Bridge", kBridge},
    {"Playback", kPlayback},
}};

}  // namespace

std::span<const ModelFields> fields_read() { return kFieldsRead; }

}  // namespace dialer::ari
