#include "emulated_asterisk.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace dialer::testing::ari::detail {

namespace json = boost::json;
namespace asio = boost::asio;

using PathVars = std::vector<std::string>;

// ---------------------------------------------------------------------------
// The objects Asterisk keeps

struct EmulatedAsterisk::Channel {
  enum class Plan { customer, customer_indicate, agent, none };

  std::uint64_t serial = 0;  // tells a reused channel id from the channel a timer was set for
  std::string id, name, state;
  std::string caller_name, caller_number;
  std::string context, exten;
  std::int64_t priority = 1;
  std::string app_name, app_data;
  std::string creationtime;
  std::vector<std::pair<std::string, std::string>> vars;
  std::string peer;             // the other half of the Local pair
  bool first_half = true;       // ;1, the channel the originate answered with
  Plan plan = Plan::none;
  std::string app;              // Stasis app named by the originate ("" for a dialplan originate)
  std::string app_args;
  int timeout_seconds = 30;     // -1: no originate timeout
  bool dial_began = false;      // Dial("") published
  bool answered = false;
  bool in_stasis = false;
  bool hanging_up = false;
  std::string bridge;
  std::vector<std::string> playbacks;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;

  const std::string* var(const std::string& n) const {
    for (const auto& [k, v] : vars)
      if (k == n) return &v;
    return nullptr;
  }
};

struct EmulatedAsterisk::Bridge {
  std::string id, name, type, creationtime;
  std::vector<std::string> channels;
};

struct EmulatedAsterisk::Playback {
  std::string id, media_uri, target_uri, state, channel;
  std::unique_ptr<asio::steady_timer> timer;
};

struct EmulatedAsterisk::App {
  std::string name;
  std::weak_ptr<EventSink> sink;  // expired: the app is inactive, its events are dropped
  bool subscribe_all = false;
  std::vector<std::string> channels;
  std::vector<std::string> bridges;
};

// ---------------------------------------------------------------------------
// Small helpers

namespace {

std::string format_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03d+0000", static_cast<int>(ms % 1000));
  return buf;
}

// Q.850 cause texts as Asterisk prints them (main/channel.c).
const char* cause_text(int cause) {
  switch (cause) {
    case 1: return "Unallocated (unassigned) number";
    case 3: return "No route to destination";
    case 16: return "Normal Clearing";
    case 17: return "User busy";
    case 18: return "No user responding";
    case 19: return "User alerting, no answer";
    case 20: return "Subscriber absent";
    case 21: return "Call Rejected";
    case 22: return "Number changed";
    case 26: return "Answered elsewhere";
    case 27: return "Destination out of order";
    case 28: return "Invalid number format";
    case 31: return "Normal, unspecified";
    case 34: return "Circuit/channel congestion";
    case 38: return "Network out of order";
    case 41: return "Temporary failure";
    case 42: return "Switching equipment congestion";
    case 58: return "Bearer capability not presently available";
    case 127: return "Interworking, unspecified";
    default: return "Unknown";
  }
}

// What app_dial/dial.c reports for a far end that hung up with `cause`.
std::string dialstatus_for(int cause) {
  switch (cause) {
    case 17: return "BUSY";
    case 34: case 42: return "CONGESTION";
    case 3: case 20: return "CHANUNAVAIL";
    default: return "NOANSWER";
  }
}

std::optional<int> hangup_reason_cause(const std::string& reason) {
  static const std::pair<const char*, int> table[] = {
      {"normal", 16}, {"busy", 17}, {"congestion", 34}, {"no_answer", 19}, {"timeout", 18},
      {"rejected", 21}, {"unallocated", 1}, {"normal_unspecified", 31}, {"number_incomplete", 28},
      {"codec_mismatch", 58}, {"interworking", 127}, {"failure", 38}, {"answered_elsewhere", 26}};
  for (const auto& [name, cause] : table)
    if (reason == name) return cause;
  return std::nullopt;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

const std::string* param(const RestRequest& r, const char* name) {
  const auto it = r.params.find(name);
  return it == r.params.end() ? nullptr : &it->second;
}

std::string param_or(const RestRequest& r, const char* name, std::string fallback = {}) {
  const auto* p = param(r, name);
  return p ? *p : fallback;
}

bool all_digits(const std::string& s, std::size_t from = 0) {
  return from < s.size() &&
         std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// ast_callerid_parse: `"Name" <number>`, `Name <number>`, or a bare number.
std::pair<std::string, std::string> parse_caller_id(std::string s) {
  auto trim = [](std::string v) {
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    while (!v.empty() && v.back() == ' ') v.pop_back();
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  };
  const auto lt = s.find('<');
  const auto gt = s.find('>', lt == std::string::npos ? 0 : lt);
  if (lt != std::string::npos && gt != std::string::npos)
    return {trim(s.substr(0, lt)), s.substr(lt + 1, gt - lt - 1)};
  s = trim(s);
  const bool number = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '(' || c == ')' || c == ' ';
  });
  return number ? std::pair<std::string, std::string>{"", s} : std::pair<std::string, std::string>{s, ""};
}

template <class T>
void erase_value(std::vector<T>& v, const T& x) {
  v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

RestResponse error_response(int status, std::string message) {
  RestResponse r;
  r.status = status;
  r.body = json::object{{"message", std::move(message)}};
  return r;
}

namespace {
RestResponse ok(json::value body, int status = 200) {
  RestResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
RestResponse no_content() {
  RestResponse r;
  r.status = 204;
  return r;
}
// ast_ari_response_alloc_failed: the one error body with "error", not "message".
RestResponse allocation_failed() { return ok(json::object{{"error", "Allocation failed"}}, 500); }
}  // namespace

// ---------------------------------------------------------------------------
// Construction and routing

EmulatedAsterisk::EmulatedAsterisk(asio::io_context& io, const LoopbackAriOptions& options)
    : io_(io), options_(options), rng_state_(std::random_device{}()) {
  startup_time_ = last_reload_time_ = now_timestamp();
  using E = EmulatedAsterisk;
  // Every path of shared/ari/api-docs; a null handler answers 501.
  const std::vector<std::tuple<const char*, const char*, Handler>> table = {
      {"GET", "applications", &E::applications_list},
      {"GET", "applications/{applicationName}", &E::applications_get},
      {"POST", "applications/{applicationName}/subscription", nullptr},
      {"DELETE", "applications/{applicationName}/subscription", nullptr},
      {"PUT", "applications/{applicationName}/eventFilter", nullptr},
      {"GET", "asterisk/config/dynamic/{configClass}/{objectType}/{id}", nullptr},
      {"PUT", "asterisk/config/dynamic/{configClass}/{objectType}/{id}", nullptr},
      {"DELETE", "asterisk/config/dynamic/{configClass}/{objectType}/{id}", nullptr},
      {"GET", "asterisk/info", &E::asterisk_info},
      {"GET", "asterisk/ping", &E::asterisk_ping},
      {"GET", "asterisk/modules", nullptr},
      {"GET", "asterisk/modules/{moduleName}", nullptr},
      {"POST", "asterisk/modules/{moduleName}", nullptr},
      {"DELETE", "asterisk/modules/{moduleName}", nullptr},
      {"PUT", "asterisk/modules/{moduleName}", nullptr},
      {"GET", "asterisk/logging", nullptr},
      {"POST", "asterisk/logging/{logChannelName}", nullptr},
      {"DELETE", "asterisk/logging/{logChannelName}", nullptr},
      {"PUT", "asterisk/logging/{logChannelName}/rotate", nullptr},
      {"GET", "asterisk/variable", nullptr},
      {"POST", "asterisk/variable", nullptr},
      {"GET", "bridges", &E::bridges_list},
      {"POST", "bridges", &E::bridges_create},
      {"POST", "bridges/{bridgeId}", &E::bridges_create},
      {"GET", "bridges/{bridgeId}", &E::bridges_get},
      {"DELETE", "bridges/{bridgeId}", &E::bridges_destroy},
      {"GET", "bridges/{bridgeId}/variable", nullptr},
      {"POST", "bridges/{bridgeId}/variable", nullptr},
      {"GET", "bridges/{bridgeId}/variables", nullptr},
      {"POST", "bridges/{bridgeId}/variables", nullptr},
      {"POST", "bridges/{bridgeId}/addChannel", &E::bridges_add},
      {"POST", "bridges/{bridgeId}/removeChannel", &E::bridges_remove},
      {"POST", "bridges/{bridgeId}/videoSource/{channelId}", nullptr},
      {"DELETE", "bridges/{bridgeId}/videoSource", nullptr},
      {"POST", "bridges/{bridgeId}/moh", nullptr},
      {"DELETE", "bridges/{bridgeId}/moh", nullptr},
      {"POST", "bridges/{bridgeId}/play", nullptr},
      {"POST", "bridges/{bridgeId}/play/{playbackId}", nullptr},
      {"POST", "bridges/{bridgeId}/record", nullptr},
      {"GET", "channels", &E::channels_list},
      {"POST", "channels", &E::channels_originate},
      {"POST", "channels/create", nullptr},
      {"GET", "channels/{channelId}", &E::channels_get},
      {"POST", "channels/{channelId}", &E::channels_originate},
      {"DELETE", "channels/{channelId}", &E::channels_hangup},
      {"POST", "channels/{channelId}/continue", nullptr},
      {"POST", "channels/{channelId}/move", nullptr},
      {"POST", "channels/{channelId}/redirect", nullptr},
      {"POST", "channels/{channelId}/answer", &E::channels_answer},
      {"POST", "channels/{channelId}/ring", nullptr},
      {"DELETE", "channels/{channelId}/ring", nullptr},
      {"POST", "channels/{channelId}/progress", nullptr},
      {"POST", "channels/{channelId}/dtmf", nullptr},
      {"POST", "channels/{channelId}/mute", nullptr},
      {"DELETE", "channels/{channelId}/mute", nullptr},
      {"POST", "channels/{channelId}/hold", nullptr},
      {"DELETE", "channels/{channelId}/hold", nullptr},
      {"POST", "channels/{channelId}/moh", nullptr},
      {"DELETE", "channels/{channelId}/moh", nullptr},
      {"POST", "channels/{channelId}/silence", nullptr},
      {"DELETE", "channels/{channelId}/silence", nullptr},
      {"POST", "channels/{channelId}/play", &E::channels_play},
      {"POST", "channels/{channelId}/play/{playbackId}", &E::channels_play},
      {"POST", "channels/{channelId}/record", nullptr},
      {"GET", "channels/{channelId}/variable", &E::channels_get_var},
      {"POST", "channels/{channelId}/variable", &E::channels_set_var},
      {"GET", "channels/{channelId}/variables", nullptr},
      {"POST", "channels/{channelId}/variables", nullptr},
      {"POST", "channels/{channelId}/snoop", nullptr},
      {"POST", "channels/{channelId}/snoop/{snoopId}", nullptr},
      {"POST", "channels/{channelId}/dial", nullptr},
      {"GET", "channels/{channelId}/rtp_statistics", nullptr},
      {"POST", "channels/externalMedia", nullptr},
      {"POST", "channels/{channelId}/transfer_progress", nullptr},
      {"GET", "deviceStates", nullptr},
      {"GET", "deviceStates/{deviceName}", nullptr},
      {"PUT", "deviceStates/{deviceName}", nullptr},
      {"DELETE", "deviceStates/{deviceName}", nullptr},
      {"GET", "endpoints", nullptr},
      {"PUT", "endpoints/sendMessage", nullptr},
      {"POST", "endpoints/refer", nullptr},
      {"GET", "endpoints/{tech}", nullptr},
      {"GET", "endpoints/{tech}/{resource}", nullptr},
      {"PUT", "endpoints/{tech}/{resource}/sendMessage", nullptr},
      {"POST", "endpoints/{tech}/{resource}/refer", nullptr},
      {"GET", "events", nullptr},  // the WebSocket: loopback_ari.cpp answers it before routing
      {"POST", "events/user/{eventName}", nullptr},
      {"POST", "events/claim", nullptr},
      {"GET", "mailboxes", nullptr},
      {"GET", "mailboxes/{mailboxName}", nullptr},
      {"PUT", "mailboxes/{mailboxName}", nullptr},
      {"DELETE", "mailboxes/{mailboxName}", nullptr},
      {"GET", "playbacks/{playbackId}", &E::playbacks_get},
      {"DELETE", "playbacks/{playbackId}", &E::playbacks_stop},
      {"POST", "playbacks/{playbackId}/control", nullptr},
      {"GET", "recordings/stored", nullptr},
      {"GET", "recordings/stored/{recordingName}", nullptr},
      {"DELETE", "recordings/stored/{recordingName}", nullptr},
      {"GET", "recordings/stored/{recordingName}/file", nullptr},
      {"POST", "recordings/stored/{recordingName}/copy", nullptr},
      {"GET", "recordings/live/{recordingName}", nullptr},
      {"DELETE", "recordings/live/{recordingName}", nullptr},
      {"POST", "recordings/live/{recordingName}/stop", nullptr},
      {"POST", "recordings/live/{recordingName}/pause", nullptr},
      {"DELETE", "recordings/live/{recordingName}/pause", nullptr},
      {"POST", "recordings/live/{recordingName}/mute", nullptr},
      {"DELETE", "recordings/live/{recordingName}/mute", nullptr},
      {"GET", "sounds", nullptr},
      {"GET", "sounds/{soundId}", nullptr},
  };
  for (const auto& [method, path, handler] : table)
    routes_.push_back(Route{method, split_path(path), handler});
}

EmulatedAsterisk::~EmulatedAsterisk() = default;

std::vector<std::string> EmulatedAsterisk::split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

RestResponse EmulatedAsterisk::handle(const RestRequest& request) {
  // Walk the path like res_ari's handler tree: at every level a literal child
  // wins over a {wildcard} child.
  std::vector<const Route*> candidates;
  for (const auto& r : routes_)
    if (r.pattern.size() == request.segments.size()) candidates.push_back(&r);
  for (std::size_t i = 0; i < request.segments.size() && !candidates.empty(); ++i) {
    const bool literal = std::any_of(candidates.begin(), candidates.end(),
                                     [&](const Route* r) { return r->pattern[i] == request.segments[i]; });
    std::vector<const Route*> next;
    for (const Route* r : candidates) {
      const bool wild = r->pattern[i].front() == '{';
      if (literal ? r->pattern[i] == request.segments[i] : wild) next.push_back(r);
    }
    candidates = std::move(next);
  }
  if (candidates.empty()) return error_response(404, "Resource not found");
  PathVars vars;
  for (std::size_t i = 0; i < request.segments.size(); ++i)
    if (candidates.front()->pattern[i].front() == '{') vars.push_back(request.segments[i]);
  std::string allow;
  for (const Route* r : candidates) {
    if (r->method == request.method) {
      if (!r->handler) return error_response(501, "Method not implemented");
      return (this->*(r->handler))(request, vars);
    }
    allow += (allow.empty() ? "" : ",") + r->method;
  }
  auto res = error_response(405, "Invalid method");
  res.headers.emplace_back("Allow", allow);
  return res;
}

// ---------------------------------------------------------------------------
// Ids, time, JSON

std::string EmulatedAsterisk::now_timestamp() const { return format_time(std::chrono::system_clock::now()); }

std::string EmulatedAsterisk::new_uniqueid() {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  return std::to_string(secs) + "." + std::to_string(next_unique_++);
}

std::string EmulatedAsterisk::new_uuid() {
  std::mt19937_64 gen(rng_state_++);
  char buf[40];
  const auto a = gen(), b = gen();
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>((b >> 48) & 0xfff),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

json::object EmulatedAsterisk::channel_json(const Channel& ch) const {
  auto get = [&](const char* n) {
    const auto* v = ch.var(n);
    return v ? *v : std::string{};
  };
  json::object caller{{"name", ch.caller_name}, {"number", ch.caller_number}};
  return json::object{
      {"id", ch.id},
      {"name", ch.name},
      {"state", ch.state},
      {"protocol_id", ""},
      {"caller", caller},
      {"connected", caller},
      {"accountcode", ""},
      {"dialplan", json::object{{"context", ch.context},
                                {"exten", ch.exten},
                                {"priority", ch.priority},
                                {"app_name", ch.app_name},
                                {"app_data", ch.app_data}}},
      {"creationtime", ch.creationtime},
      {"language", "en"},
      // ari.conf of the test Asterisk: channelvars = DIALED,OUTCOME,AGENT
      {"channelvars", json::object{{"DIALED", get("DIALED")}, {"OUTCOME", get("OUTCOME")}, {"AGENT", get("AGENT")}}},
  };
}

json::object EmulatedAsterisk::bridge_json(const Bridge& b) const {
  std::string technology = "simple_bridge";
  if (b.type == "holding")
    technology = "holding_bridge";
  else if (b.channels.size() > 2)
    technology = "softmix";
  json::array channels;
  for (const auto& c : b.channels) channels.emplace_back(c);
  json::object o{{"id", b.id},
                 {"technology", technology},
                 {"bridge_type", b.type},
                 {"bridge_class", "stasis"},
                 {"creator", "Stasis"},
                 {"name", b.name},
                 {"channels", channels},
                 {"creationtime", b.creationtime}};
  o["video_mode"] = b.type == "holding" ? "none" : "talker";
  return o;
}

json::object EmulatedAsterisk::playback_json(const Playback& p) const {
  return json::object{{"id", p.id},
                      {"media_uri", p.media_uri},
                      {"target_uri", p.target_uri},
                      {"language", "en"},
                      {"state", p.state}};
}

json::object EmulatedAsterisk::app_json(const App& app) const {
  json::array channels, bridges, endpoints, devices;
  if (app.subscribe_all && !app.sink.expired()) {
    channels.emplace_back("__AST_CHANNEL_ALL_TOPIC");
    bridges.emplace_back("__AST_BRIDGE_ALL_TOPIC");
    endpoints.emplace_back("__AST_ENDPOINT_ALL_TOPIC");
    devices.emplace_back("__AST_DEVICE_STATE_ALL_TOPIC");
  } else {
    for (const auto& c : app.channels) channels.emplace_back(c);
    for (const auto& b : app.bridges) bridges.emplace_back(b);
  }
  return json::object{{"name", app.name},          {"channel_ids", channels},
                      {"bridge_ids", bridges},     {"endpoint_ids", endpoints},
                      {"device_names", devices},   {"events_allowed", json::array{}},
                      {"events_disallowed", json::array{}}};
}

json::object EmulatedAsterisk::event(const char* type) const {
  return json::object{{"type", type}, {"timestamp", now_timestamp()}};
}

// Delivers `ev` to every active app subscribed to one of its topics (or to
// everything), stamped with asterisk_id and the receiving app's name.
void EmulatedAsterisk::publish(json::object ev, const std::vector<std::string>& channels,
                               const std::string& bridge) {
  for (const auto& [name, app] : apps_) {
    const auto sink = app->sink.lock();
    if (!sink) continue;  // "Inactive Stasis app missed message"
    bool subscribed = app->subscribe_all || (!bridge.empty() && contains(app->bridges, bridge));
    for (const auto& c : channels) subscribed = subscribed || contains(app->channels, c);
    if (!subscribed) continue;
    json::object copy = ev;
    copy["asterisk_id"] = asterisk_id_;
    copy["application"] = name;
    sink->send(json::serialize(copy));
  }
}

void EmulatedAsterisk::publish_channel(const char* type, Channel& ch, json::object fields) {
  auto ev = event(type);
  for (auto& f : fields) ev[f.key()] = std::move(f.value());
  ev["channel"] = channel_json(ch);
  publish(std::move(ev), {ch.id});
}

void EmulatedAsterisk::dial_event(Channel& c1, const std::string& status) {
  auto ev = event("Dial");
  ev["dialstatus"] = status;
  ev["forward"] = "";
  ev["dialstring"] = c1.exten + "@" + c1.context;
  ev["peer"] = channel_json(c1);
  publish(std::move(ev), {c1.id});
}

void EmulatedAsterisk::hangup_request(Channel& ch, int cause, bool soft) {
  json::object f{{"cause", cause}};
  if (soft) f["soft"] = true;
  publish_channel("ChannelHangupRequest", ch, std::move(f));
}

void EmulatedAsterisk::set_var(Channel& ch, const std::string& name, const std::string& value, bool publish_it) {
  bool found = false;
  for (auto& [k, v] : ch.vars)
    if (k == name) {
      v = value;
      found = true;
    }
  if (!found) ch.vars.emplace_back(name, value);
  if (publish_it) publish_channel("ChannelVarset", ch, json::object{{"variable", name}, {"value", value}});
}

void EmulatedAsterisk::set_state(Channel& ch, const std::string& state) {
  ch.state = state;
  publish_channel("ChannelStateChange", ch);
}

EmulatedAsterisk::Channel* EmulatedAsterisk::find_channel(const std::string& id) {
  const auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : it->second.get();
}

EmulatedAsterisk::Bridge* EmulatedAsterisk::find_bridge(const std::string& id) {
  const auto it = bridges_.find(id);
  return it == bridges_.end() ? nullptr : it->second.get();
}

EmulatedAsterisk::App* EmulatedAsterisk::find_app(const std::string& name) {
  const auto it = apps_.find(name);
  return it == apps_.end() ? nullptr : it->second.get();
}

bool EmulatedAsterisk::app_active(const std::string& name) {
  const App* app = find_app(name);
  return app && !app->sink.expired();
}

// An app object lives while a socket holds it or it is subscribed to something.
void EmulatedAsterisk::cleanup_apps() {
  for (auto it = apps_.begin(); it != apps_.end();) {
    const App& a = *it->second;
    if (a.sink.expired() && a.channels.empty() && a.bridges.empty())
      it = apps_.erase(it);
    else
      ++it;
  }
}

void EmulatedAsterisk::schedule(Channel& ch, double seconds, std::function<void(Channel&)> step) {
  auto timer = std::make_unique<asio::steady_timer>(io_);
  const auto delay = std::chrono::duration<double>(seconds * options_.time_scale);
  timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
  timer->async_wait([this, id = ch.id, serial = ch.serial, step = std::move(step)](boost::system::error_code ec) {
    if (ec) return;
    Channel* c = find_channel(id);
    if (c && c->serial == serial) step(*c);
  });
  ch.timers.push_back(std::move(timer));
}

// ---------------------------------------------------------------------------
// WebSockets and apps

void EmulatedAsterisk::attach(const std::shared_ptr<EventSink>& sink, const std::vector<std::string>& apps,
                              bool subscribe_all) {
  for (const auto& name : apps) {
    auto& slot = apps_[name];
    if (!slot) {
      slot = std::make_unique<App>();
      slot->name = name;
    }
    if (auto old = slot->sink.lock(); old && old != sink) {
      // The old socket is told and then left open, as Asterisk does.
      auto ev = event("ApplicationReplaced");
      ev["application"] = name;
      ev["asterisk_id"] = asterisk_id_;
      old->send(json::serialize(ev));
    }
    slot->sink = sink;
    slot->subscribe_all = subscribe_all;
  }
}

void EmulatedAsterisk::detach(const EventSink* sink) {
  for (auto& [name, app] : apps_) {
    const auto current = app->sink.lock();
    if (!current || current.get() == sink) {
      app->sink.reset();
      app->subscribe_all = false;  // only the "all" forwards go; per-channel subscriptions stay
    }
  }
  cleanup_apps();
}

bool EmulatedAsterisk::send_raw(const std::string& app, std::string text) {
  const App* a = find_app(app);
  const auto sink = a ? a->sink.lock() : nullptr;
  if (!sink) return false;
  sink->send(std::move(text));
  return true;
}

void EmulatedAsterisk::restart() {
  for (auto& [id, p] : playbacks_) p->timer.reset();
  playbacks_.clear();
  channels_.clear();  // their timers go with them
  bridges_.clear();
  apps_.clear();
  auto now = now_timestamp();
  if (now == startup_time_) now = format_time(std::chrono::system_clock::now() + std::chrono::milliseconds(1));
  startup_time_ = last_reload_time_ = now;
}

std::vector<std::string> EmulatedAsterisk::live_originated_ids() const {
  std::vector<std::string> out;
  for (const auto& [id, ch] : channels_)
    if (ch->first_half) out.push_back(id);
  return out;
}

void EmulatedAsterisk::far_end_hangup(const std::string& channel_id, int cause) {
  Channel* ch = find_channel(channel_id);
  if (!ch) return;
  if (!ch->first_half) ch = find_channel(ch->peer);
  if (ch) remote_hangup(*ch, cause);
}

// ---------------------------------------------------------------------------
// The dialplan (shared/ari/asterisk-etc/extensions.conf) and the event order
// of shared/ari/captures, for the dialer's ;1 channel and its Local ;2 peer.

void EmulatedAsterisk::begin_dial(Channel& c1) {
  Channel* c2 = find_channel(c1.peer);
  if (!c2) return;
  if (c1.plan == Channel::Plan::none) {
    // ast_call fails (no such extension/context): no Dial event, only
    // ChannelDestroyed (README: "If ast_call fails ... only ChannelDestroyed").
    // Not recorded: the cause; the loopback says 0, as no cause is set then.
    destroy(*c2, 0);
    destroy(c1, 0);
    return;
  }
  c1.dial_began = true;
  dial_event(c1, "");
  if (c1.plan == Channel::Plan::agent) {
    set_var(*c2, "AGENT", c1.exten);
    set_var(c1, "AGENT", c1.exten);
    answer(c1);
    return;
  }
  const bool indicate = c1.plan == Channel::Plan::customer_indicate;
  set_var(*c2, "DIALED", c1.exten);
  set_var(*c2, "SIM_MODE", indicate ? "indicate" : "cause");
  set_var(c1, "DIALED", c1.exten);
  publish_channel("ChannelUserevent", *c2,
                  json::object{{"eventname", "CarrierDialed"},
                               {"userevent", json::object{{"eventname", "CarrierDialed"}, {"Dialed", c1.exten}}}});
  const char last = c1.exten.back();
  std::string outcome;
  if (last >= '0' && last <= '4')
    outcome = "answered";
  else if (last == '5')
    outcome = "busy";
  else if (last == '6')
    outcome = "congestion";
  else if (last == '7')
    outcome = "noanswer";
  else if (last == '8')
    outcome = "short";
  else if (last == '9')
    outcome = "long";
  else {
    outcome = "invalid";
    set_var(*c2, "INVALID_EXTEN", std::string("d") + last);
  }
  set_var(*c2, "OUTCOME", outcome);
  set_var(c1, "OUTCOME", outcome);
  if (outcome == "busy")
    reject(c1, 17, "BUSY", indicate);
  else if (outcome == "congestion")
    reject(c1, 34, "CONGESTION", indicate);
  else if (outcome == "invalid")
    reject(c1, 1, "CHANUNAVAIL", false);
  else
    ring(c1);
}

void EmulatedAsterisk::ring(Channel& c1) {
  set_state(c1, "Ringing");
  dial_event(c1, "RINGING");
  if (c1.timeout_seconds > 0)
    schedule(c1, c1.timeout_seconds, [this](Channel& c) { originate_timeout(c); });
  if (c1.exten.back() == '7')
    schedule(c1, 60.0, [this](Channel& c) {
      if (!c.answered && !c.hanging_up) reject(c, 19, "NOANSWER", false);  // Wait(60), Hangup(19)
    });
  else
    schedule(c1, 1.0, [this](Channel& c) { answer(c); });
}

// The far end refuses: Hangup(cause) with DIALSTATUS set, or an in-band
// Busy()/Congestion() indication (then the dialer's channel gets cause 0).
void EmulatedAsterisk::reject(Channel& c1, int cause, const std::string& dialstatus, bool in_band) {
  Channel* c2 = find_channel(c1.peer);
  if (!c2 || c1.hanging_up) return;
  c1.hanging_up = true;
  if (in_band) {
    set_state(*c2, "Busy");
    dial_event(c1, dialstatus);
    hangup_request(*c2, 0, false);
    destroy(c1, 0);
    hangup_request(*c2, 16, true);
    destroy(*c2, cause);
    return;
  }
  set_var(*c2, "DIALSTATUS", dialstatus);
  hangup_request(*c2, 16, true);
  set_var(c1, "CHANLOCALSTATUS", dialstatus);
  hangup_request(c1, cause, false);
  destroy(*c2, cause);
  dial_event(c1, dialstatus_for(cause));
  destroy(c1, cause);
}

// Asterisk 22.8+: cause 19 at exactly the originate timeout, no final Dial.
void EmulatedAsterisk::originate_timeout(Channel& c1) {
  Channel* c2 = find_channel(c1.peer);
  if (!c2 || c1.answered || c1.hanging_up) return;
  c1.hanging_up = true;
  hangup_request(*c2, 19, false);
  destroy(c1, 19);
  hangup_request(*c2, 16, true);
  destroy(*c2, 19);
}

void EmulatedAsterisk::answer(Channel& c1) {
  Channel* c2 = find_channel(c1.peer);
  if (!c2 || c1.answered || c1.hanging_up) return;
  c1.answered = true;
  set_state(*c2, "Up");
  set_state(c1, "Up");
  dial_event(c1, "ANSWER");
  double talk = options_.agent_wait_seconds;
  if (c1.plan != Channel::Plan::agent) {
    const char last = c1.exten.back();
    talk = last == '8' ? 2.0 : last == '9' ? 300.0 : 20.0;
  }
  auto hang_up_later = [this, talk](Channel& c) {
    schedule(c, talk, [this](Channel& x) { remote_hangup(x, 16); });
  };
  if (c1.app.empty()) {  // a dialplan originate: the call just stays up
    hang_up_later(c1);
    return;
  }
  set_var(c1, "STASISSTATUS", "");
  if (!app_active(c1.app)) {
    // Stasis() fails ("Stasis app '...' not active"): an answered, abandoned call.
    c1.hanging_up = true;
    set_var(c1, "STASISSTATUS", "FAILED");
    hangup_request(*c2, 0, false);
    destroy(c1, 0);
    hangup_request(*c2, 16, true);
    destroy(*c2, 0);
    return;
  }
  c1.in_stasis = true;
  c1.app_name = "Stasis";
  c1.app_data = c1.app + (c1.app_args.empty() ? "" : "," + c1.app_args);
  json::array args;
  for (const auto& a : split_commas(c1.app_args)) args.emplace_back(a);
  publish_channel("StasisStart", c1, json::object{{"args", args}});
  hang_up_later(c1);
}

// The far end hangs up: the customer's Hangup(16) after talking, the agent's
// after Wait(600), or LoopbackAri::hang_up_channel.
void EmulatedAsterisk::remote_hangup(Channel& c1, int cause) {
  Channel* c2 = find_channel(c1.peer);
  if (c1.hanging_up) return;
  c1.hanging_up = true;
  if (c2) hangup_request(*c2, 16, true);
  hangup_request(c1, cause, false);
  if (c2) destroy(*c2, cause);
  if (!c1.answered) {
    if (c1.dial_began) dial_event(c1, dialstatus_for(cause));
    destroy(c1, cause);
    return;
  }
  finish_playbacks(c1);
  leave_bridge(c1);
  end_stasis(c1);
  destroy(c1, cause);
}

// DELETE /channels/{id}: the soft hangup flag 32 first, then the cause handed
// to the Local peer.
void EmulatedAsterisk::dialer_hangup(Channel& ch, int cause) {
  if (!ch.first_half) {
    if (Channel* c1 = find_channel(ch.peer)) remote_hangup(*c1, cause);
    return;
  }
  if (ch.hanging_up) return;
  ch.hanging_up = true;
  Channel* c2 = find_channel(ch.peer);
  hangup_request(ch, 32, true);
  finish_playbacks(ch);
  if (ch.answered) {
    leave_bridge(ch);
    end_stasis(ch);
  } else if (ch.dial_began) {
    dial_event(ch, "NOANSWER");
  }
  if (c2) hangup_request(*c2, cause, false);
  const std::string peer = ch.peer;
  destroy(ch, cause);
  if (Channel* p = find_channel(peer)) {
    hangup_request(*p, 16, true);
    destroy(*p, cause);
  }
}

void EmulatedAsterisk::end_stasis(Channel& ch) {
  if (!ch.in_stasis) return;
  ch.in_stasis = false;
  publish_channel("StasisEnd", ch);
  set_var(ch, "STASISSTATUS", "SUCCESS");
}

// Not recorded: what a playback reports when its channel hangs up under it.
// The loopback finishes it ("done") right after the channel's hangup request,
// so that a client waiting for PlaybackFinished is never left waiting.
void EmulatedAsterisk::finish_playbacks(Channel& ch) {
  for (const auto& id : std::vector<std::string>(ch.playbacks)) {
    const auto it = playbacks_.find(id);
    if (it == playbacks_.end()) continue;
    it->second->state = "done";
    auto ev = event("PlaybackFinished");
    ev["playback"] = playback_json(*it->second);
    playbacks_.erase(it);
    publish(std::move(ev), {ch.id});
  }
  ch.playbacks.clear();
}

void EmulatedAsterisk::destroy(Channel& ch, int cause) {
  publish_channel("ChannelDestroyed", ch, json::object{{"cause", cause}, {"cause_txt", cause_text(cause)}});
  if (Bridge* b = find_bridge(ch.bridge)) erase_value(b->channels, ch.id);
  for (auto& [name, app] : apps_) erase_value(app->channels, ch.id);
  for (const auto& id : ch.playbacks) playbacks_.erase(id);
  cleanup_apps();
  channels_.erase(ch.id);  // `ch` is gone from here on
}

// ---------------------------------------------------------------------------
// Bridges

void EmulatedAsterisk::enter_bridge(Channel& ch, Bridge& bridge) {
  if (ch.bridge == bridge.id) return;
  leave_bridge(ch);
  bridge.channels.push_back(ch.id);
  ch.bridge = bridge.id;
  if (App* app = find_app(ch.app); app && !contains(app->bridges, bridge.id)) app->bridges.push_back(bridge.id);
  auto ev = event("ChannelEnteredBridge");
  ev["bridge"] = bridge_json(bridge);
  ev["channel"] = channel_json(ch);
  publish(std::move(ev), {ch.id}, bridge.id);
}

// BRIDGEPEER: the names of the other channels in the bridge.
void EmulatedAsterisk::update_bridge_peers(Bridge& bridge) {
  for (const auto& id : bridge.channels) {
    Channel* ch = find_channel(id);
    if (!ch) continue;
    std::string peers;
    for (const auto& other : bridge.channels)
      if (other != id)
        if (const Channel* o = find_channel(other)) peers += (peers.empty() ? "" : ",") + o->name;
    const auto* current = ch->var("BRIDGEPEER");
    if (peers != (current ? *current : std::string{})) set_var(*ch, "BRIDGEPEER", peers);
  }
}

void EmulatedAsterisk::leave_bridge(Channel& ch) {
  Bridge* bridge = find_bridge(ch.bridge);
  ch.bridge.clear();
  if (!bridge) return;
  erase_value(bridge->channels, ch.id);
  if (const auto* peer = ch.var("BRIDGEPEER"); peer && !peer->empty()) set_var(ch, "BRIDGEPEER", "");
  auto ev = event("ChannelLeftBridge");
  ev["bridge"] = bridge_json(*bridge);
  ev["channel"] = channel_json(ch);
  publish(std::move(ev), {ch.id}, bridge->id);
}

// ---------------------------------------------------------------------------
// REST: asterisk, applications

RestResponse EmulatedAsterisk::asterisk_info(const RestRequest& r, const PathVars&) {
  json::object all{
      {"build", json::object{{"os", "Linux"},
                             {"kernel", "6.1.0"},
                             {"options", ""},
                             {"machine", "x86_64"},
                             {"date", "2026-11-21 00:00:00 UTC"},
                             {"user", "loopback"}}},
      {"system", json::object{{"version", "22.10.1"}, {"entity_id", asterisk_id_}}},
      {"config", json::object{{"name", ""},
                              {"default_language", "en"},
                              {"setid", json::object{{"user", ""}, {"group", ""}}}}},
      {"status", json::object{{"startup_time", startup_time_}, {"last_reload_time", last_reload_time_}}},
  };
  const auto* only = param(r, "only");
  if (!only || only->empty()) return ok(all);
  json::object out;
  for (const auto& section : split_commas(*only)) {
    if (!all.contains(section)) return error_response(400, "Unrecognized info section '" + section + "'");
    out[section] = all[section];
  }
  return ok(out);
}

RestResponse EmulatedAsterisk::asterisk_ping(const RestRequest&, const PathVars&) {
  return ok(json::object{{"asterisk_id", asterisk_id_}, {"ping", "pong"}, {"timestamp", now_timestamp()}});
}

RestResponse EmulatedAsterisk::applications_list(const RestRequest&, const PathVars&) {
  json::array out;
  for (const auto& [name, app] : apps_) out.push_back(app_json(*app));
  return ok(out);
}

RestResponse EmulatedAsterisk::applications_get(const RestRequest&, const PathVars& v) {
  const App* app = find_app(v[0]);
  if (!app) return error_response(404, "Application not found");
  return ok(app_json(*app));
}

// ---------------------------------------------------------------------------
// REST: channels

RestResponse EmulatedAsterisk::channels_list(const RestRequest&, const PathVars&) {
  json::array out;
  for (const auto& [id, ch] : channels_) out.push_back(channel_json(*ch));
  return ok(out);
}

RestResponse EmulatedAsterisk::channels_get(const RestRequest&, const PathVars& v) {
  const Channel* ch = find_channel(v[0]);
  if (!ch) return error_response(404, "Channel not found");
  return ok(channel_json(*ch));
}

RestResponse EmulatedAsterisk::channels_originate(const RestRequest& r, const PathVars& v) {
  // res/ari/resource_channels.c, ari_channels_handle_originate_with_id, check by check.
  std::vector<std::pair<std::string, std::string>> variables;
  if (const auto it = r.body.find("variables"); it != r.body.end()) {
    if (!it->value().is_object()) return error_response(400, "Only string values in the 'variables' object allowed");
    for (const auto& kv : it->value().as_object()) {
      const json::value* value = &kv.value();
      if (value->is_object() && value->as_object().contains("value")) value = &value->as_object().at("value");
      if (!value->is_string()) return error_response(400, "Only string values in the 'variables' object allowed");
      variables.emplace_back(std::string(kv.key()), std::string(value->as_string()));
    }
  }
  const std::string channel_id = v.empty() ? param_or(r, "channelId") : v[0];
  const std::string other_id = param_or(r, "otherChannelId");
  if (channel_id.size() > 149 || other_id.size() > 149)
    return error_response(400, "Uniqueid length exceeds maximum of 149");
  const std::string endpoint = param_or(r, "endpoint");
  if (endpoint.empty()) return error_response(400, "Endpoint must be specified");
  if (!param_or(r, "originator").empty() && !param_or(r, "formats").empty())
    return error_response(400, "Originator and formats can't both be specified");
  const auto slash = endpoint.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == endpoint.size())
    return error_response(400, "Invalid endpoint specified");
  const std::string app = param_or(r, "app");
  if (app.empty() && param_or(r, "extension").empty())
    return error_response(400, "Application or extension must be specified");
  if (!param_or(r, "originator").empty() && !find_channel(param_or(r, "originator")))
    return error_response(400, "Provided originator channel was not found");
  const std::string tech = endpoint.substr(0, slash);
  if (tech != "Local") return allocation_failed();  // the loopback has no other channel driver
  if ((!channel_id.empty() && find_channel(channel_id)) || (!other_id.empty() && find_channel(other_id)))
    return error_response(409, "Channel with given unique ID already exists");

  std::string resource = endpoint.substr(slash + 1);
  if (const auto opts = resource.find('/'); opts != std::string::npos) resource.resize(opts);  // Local/..../n
  const auto at = resource.find('@');
  const std::string exten = resource.substr(0, at);
  const std::string context = at == std::string::npos ? "default" : resource.substr(at + 1);
  const std::string id = channel_id.empty() ? new_uniqueid() : channel_id;
  const std::string id2 = other_id.empty() ? id + ";2" : other_id;
  if (id2 == id) return error_response(409, "Channel with given unique ID already exists");

  Channel::Plan plan = Channel::Plan::none;
  const bool customer_exten = (exten.size() >= 1 && std::isdigit(static_cast<unsigned char>(exten[0]))) ||
                              (exten.size() >= 3 && exten[0] == '+' && std::isdigit(static_cast<unsigned char>(exten[1])));
  if (context == "customers" && customer_exten) plan = Channel::Plan::customer;
  if (context == "customers-indicate" && customer_exten) plan = Channel::Plan::customer_indicate;
  if (context == "agents" && exten.size() == 3 && exten[0] == '1' && all_digits(exten, 1))
    plan = Channel::Plan::agent;

  const auto [cid_name, cid_number] = parse_caller_id(param_or(r, "callerId"));
  char seq[16];
  std::snprintf(seq, sizeof seq, "%08x", next_local_++);
  const std::string base = "Local/" + exten + "@" + context + "-" + seq;
  const std::string created = now_timestamp();

  auto make = [&](const std::string& cid, const std::string& suffix) {
    auto ch = std::make_unique<Channel>();
    ch->serial = next_serial_++;
    ch->id = cid;
    ch->name = base + suffix;
    ch->caller_name = cid_name;
    ch->caller_number = cid_number;
    ch->context = context;
    ch->exten = exten;
    ch->creationtime = created;
    ch->plan = plan;
    ch->app = app;
    ch->app_args = param_or(r, "appArgs");
    return ch;
  };
  auto c1 = make(id, ";1");
  auto c2 = make(id2, ";2");
  c1->state = "Down";
  c1->app_name = "AppDial2";
  c1->app_data = "(Outgoing Line)";
  c1->peer = id2;
  c2->state = "Ring";
  c2->peer = id;
  c2->first_half = false;
  for (const auto& [k, val] : variables) set_var(*c1, k, val, false);
  int timeout = 30;
  if (const auto* t = param(r, "timeout")) timeout = std::atoi(t->c_str());
  c1->timeout_seconds = timeout > 0 || timeout == -1 ? timeout : 30;

  Channel& first = *c1;
  Channel& second = *c2;
  channels_[id] = std::move(c1);
  channels_[id2] = std::move(c2);
  originated_endpoints_.push_back(endpoint);
  RestResponse response = ok(channel_json(first));

  // Created before anyone could subscribe: only subscribeAll apps see these.
  publish_channel("ChannelCreated", first);
  publish_channel("ChannelCreated", second);
  // The originating app is subscribed to both halves before the dial starts
  // (if it exists; an unknown app is not created here).
  if (App* a = find_app(app)) {
    a->channels.push_back(id);
    a->channels.push_back(id2);
  }
  asio::post(io_, [this, id, serial = first.serial] {
    Channel* c = find_channel(id);
    if (c && c->serial == serial && !c->hanging_up) begin_dial(*c);
  });
  return response;
}

RestResponse EmulatedAsterisk::channels_hangup(const RestRequest& r, const PathVars& v) {
  Channel* ch = find_channel(v[0]);
  if (!ch) return error_response(404, "Channel not found");
  const auto* reason = param(r, "reason");
  const auto* code = param(r, "reason_code");
  // Not recorded: the text for both given (the spec only says 400).
  if (reason && code) return error_response(400, "The reason and reason_code can't both be specified");
  int cause = 16;
  if (reason && !reason->empty()) {
    const auto c = hangup_reason_cause(*reason);
    if (!c) return error_response(400, "Invalid reason for hangup provided");
    cause = *c;
  } else if (code && !code->empty()) {
    if (!all_digits(*code)) return error_response(400, "Invalid reason for hangup provided");
    cause = std::atoi(code->c_str());
  }
  // Asterisk answers once the soft hangup is queued; the events follow.
  asio::post(io_, [this, id = ch->id, serial = ch->serial, cause] {
    Channel* c = find_channel(id);
    if (c && c->serial == serial) dialer_hangup(*c, cause);
  });
  return no_content();
}

// find_control(): 404 when the channel does not exist, 409 when it is not in Stasis.
namespace {
template <class Ch>
std::optional<RestResponse> control_error(Ch* ch) {
  if (!ch) return error_response(404, "Channel not found");
  if (!ch->in_stasis) return error_response(409, "Channel not in Stasis application");
  return std::nullopt;
}
}  // namespace

RestResponse EmulatedAsterisk::channels_answer(const RestRequest&, const PathVars& v) {
  Channel* ch = find_channel(v[0]);
  if (auto e = control_error(ch)) return *e;
  if (ch->state == "Down" || ch->state == "Ringing") return error_response(412, "Channel in invalid state");
  return no_content();  // already Up: channels of this dialplan enter Stasis answered
}

RestResponse EmulatedAsterisk::channels_play(const RestRequest& r, const PathVars& v) {
  Channel* ch = find_channel(v[0]);
  if (auto e = control_error(ch)) return *e;
  if (ch->state == "Down" || ch->state == "Ringing") return error_response(412, "Channel in invalid state");
  if (std::atoi(param_or(r, "skipms", "3000").c_str()) < 0) return error_response(400, "skipms cannot be negative");
  if (std::atoi(param_or(r, "offsetms", "0").c_str()) < 0) return error_response(400, "offsetms cannot be negative");
  const auto media = split_commas(param_or(r, "media"));
  // Not recorded: the text for a play without media (the spec makes it required).
  if (media.empty() || media.front().empty()) return error_response(400, "Missing parameter media");
  std::string pid = v.size() > 1 ? v[1] : param_or(r, "playbackId");
  if (pid.empty()) pid = new_uuid();
  if (playbacks_.count(pid)) return error_response(500, "Failed to queue media for playback");

  auto pb = std::make_unique<Playback>();
  pb->id = pid;
  pb->media_uri = media.front();  // the loopback plays only the first media of a list
  pb->target_uri = "channel:" + ch->id;
  pb->state = "queued";
  pb->channel = ch->id;
  RestResponse response = ok(playback_json(*pb), 201);
  response.headers.emplace_back("Location", "/playbacks/" + pid);
  ch->playbacks.push_back(pid);
  playbacks_[pid] = std::move(pb);

  // Media this "Asterisk" has: a few core sounds, tones (until stopped), and
  // say-style media; anything else starts and then fails, as a missing sound does.
  asio::post(io_, [this, pid] {
    const auto it = playbacks_.find(pid);
    if (it == playbacks_.end()) return;
    Playback& p = *it->second;
    p.state = "playing";
    auto started = event("PlaybackStarted");
    started["playback"] = playback_json(p);
    publish(std::move(started), {p.channel});
    const std::string& m = p.media_uri;
    static const char* sounds[] = {"sound:beep", "sound:hello-world", "sound:tt-monkeys", "sound:tt-weasels",
                                   "sound:vm-goodbye", "sound:demo-congrats", "sound:silence/1"};
    double seconds = -1;  // < 0: fails at once; 0: plays until stopped
    if (m == "sound:beep")
      seconds = 0.5;
    else if (std::find(std::begin(sounds), std::end(sounds), m) != std::end(sounds))
      seconds = 1.0;
    else if (m.rfind("tone:", 0) == 0)
      seconds = 0;
    else if (m.rfind("digits:", 0) == 0 || m.rfind("number:", 0) == 0 || m.rfind("characters:", 0) == 0)
      seconds = 0.5;
    auto finish = [this, pid](const char* state) {
      const auto f = playbacks_.find(pid);
      if (f == playbacks_.end()) return;
      f->second->state = state;
      auto ev = event("PlaybackFinished");
      ev["playback"] = playback_json(*f->second);
      const std::string channel = f->second->channel;
      if (Channel* c = find_channel(channel)) erase_value(c->playbacks, pid);
      playbacks_.erase(f);
      publish(std::move(ev), {channel});
    };
    if (seconds < 0) {
      finish("failed");
    } else if (seconds > 0) {
      p.timer = std::make_unique<asio::steady_timer>(io_);
      p.timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(seconds * options_.time_scale)));
      p.timer->async_wait([finish](boost::system::error_code ec) {
        if (!ec) finish("done");
      });
    }
  });
  return response;
}

RestResponse EmulatedAsterisk::playbacks_get(const RestRequest&, const PathVars& v) {
  const auto it = playbacks_.find(v[0]);
  if (it == playbacks_.end()) return error_response(404, "Playback not found");
  return ok(playback_json(*it->second));
}

RestResponse EmulatedAsterisk::playbacks_stop(const RestRequest&, const PathVars& v) {
  const auto it = playbacks_.find(v[0]);
  if (it == playbacks_.end()) return error_response(404, "Playback not found");
  asio::post(io_, [this, pid = v[0]] {
    const auto f = playbacks_.find(pid);
    if (f == playbacks_.end()) return;
    f->second->state = "done";
    auto ev = event("PlaybackFinished");
    ev["playback"] = playback_json(*f->second);
    const std::string channel = f->second->channel;
    if (Channel* c = find_channel(channel)) erase_value(c->playbacks, pid);
    playbacks_.erase(f);
    publish(std::move(ev), {channel});
  });
  return no_content();
}

RestResponse EmulatedAsterisk::channels_get_var(const RestRequest& r, const PathVars& v) {
  const std::string name = param_or(r, "variable");
  if (name.empty()) return error_response(400, "Variable name is required");
  Channel* ch = find_channel(v[0]);
  if (!ch) return error_response(404, "Provided channel was not found");
  if (name.back() == ')') return error_response(500, "Unable to read provided function");
  const auto* value = ch->var(name);
  if (!value) return error_response(404, "Provided variable was not found");
  return ok(json::object{{"value", *value}});
}

RestResponse EmulatedAsterisk::channels_set_var(const RestRequest& r, const PathVars& v) {
  const std::string name = param_or(r, "variable");
  if (name.empty()) return error_response(400, "Variable name is required");
  Channel* ch = find_channel(v[0]);
  if (auto e = control_error(ch)) return *e;
  set_var(*ch, name, param_or(r, "value"));
  return no_content();
}

// ---------------------------------------------------------------------------
// REST: bridges

RestResponse EmulatedAsterisk::bridges_list(const RestRequest&, const PathVars&) {
  json::array out;
  for (const auto& [id, b] : bridges_) out.push_back(bridge_json(*b));
  return ok(out);
}

RestResponse EmulatedAsterisk::bridges_get(const RestRequest&, const PathVars& v) {
  const Bridge* b = find_bridge(v[0]);
  if (!b) return error_response(404, "Bridge not found");
  return ok(bridge_json(*b));
}

RestResponse EmulatedAsterisk::bridges_create(const RestRequest& r, const PathVars& v) {
  std::string id = v.empty() ? param_or(r, "bridgeId") : v[0];
  if (!id.empty() && find_bridge(id)) return error_response(409, "Bridge with id '" + id + "' already exists");
  std::string type;
  for (const auto& t : split_commas(param_or(r, "type", "mixing"))) {
    if (t == "mixing" || t == "holding") {
      if (!type.empty() && type != t) return error_response(500, "Unable to create bridge");
      type = t;
    } else if (t != "dtmf_events" && t != "proxy_media" && t != "video_sfu" && t != "video_single" &&
               t != "sdp_label") {
      return error_response(500, "Unable to create bridge");
    }
  }
  if (type.empty()) type = "mixing";
  if (id.empty()) id = new_uuid();
  auto b = std::make_unique<Bridge>();
  b->id = id;
  b->name = param_or(r, "name");
  b->type = type;
  b->creationtime = now_timestamp();
  RestResponse response = ok(bridge_json(*b));
  auto ev = event("BridgeCreated");
  ev["bridge"] = bridge_json(*b);
  bridges_[id] = std::move(b);
  publish(std::move(ev), {}, id);  // no app is subscribed yet: subscribeAll only
  return response;
}

RestResponse EmulatedAsterisk::bridges_destroy(const RestRequest&, const PathVars& v) {
  Bridge* bridge = find_bridge(v[0]);
  if (!bridge) return error_response(404, "Bridge not found");
  // The channels in it are put out (they stay in Stasis), then it goes.
  for (const auto& c : std::vector<std::string>(bridge->channels))
    if (Channel* ch = find_channel(c)) leave_bridge(*ch);
  auto ev = event("BridgeDestroyed");
  ev["bridge"] = bridge_json(*bridge);
  const std::string id = bridge->id;
  publish(std::move(ev), {}, id);
  for (auto& [name, app] : apps_) erase_value(app->bridges, id);
  bridges_.erase(id);
  cleanup_apps();
  return no_content();
}

// control_list_create() of resource_bridges.c: 400 for an unknown channel,
// 422 for one that is not in Stasis, 400 when the list is empty.
std::optional<RestResponse> EmulatedAsterisk::stasis_channels(const RestRequest& r, std::vector<Channel*>& out) {
  for (const auto& id : split_commas(param_or(r, "channel"))) {
    if (id.empty()) continue;
    Channel* ch = find_channel(id);
    if (!ch) return error_response(400, "Channel not found");
    if (!ch->in_stasis) return error_response(422, "Channel not in Stasis application");
    out.push_back(ch);
  }
  if (out.empty()) return error_response(400, "Missing parameter channel");
  return std::nullopt;
}

RestResponse EmulatedAsterisk::bridges_add(const RestRequest& r, const PathVars& v) {
  Bridge* b = find_bridge(v[0]);
  if (!b) return error_response(404, "Bridge not found");
  std::vector<Channel*> chans;
  if (auto e = stasis_channels(r, chans)) return *e;
  std::vector<std::string> ids;
  for (Channel* c : chans) ids.push_back(c->id);
  asio::post(io_, [this, bid = b->id, ids] {
    Bridge* bridge = find_bridge(bid);
    if (!bridge) return;
    for (const auto& id : ids)
      if (Channel* ch = find_channel(id); ch && ch->in_stasis) enter_bridge(*ch, *bridge);
    update_bridge_peers(*bridge);
  });
  return no_content();
}

RestResponse EmulatedAsterisk::bridges_remove(const RestRequest& r, const PathVars& v) {
  Bridge* b = find_bridge(v[0]);
  if (!b) return error_response(404, "Bridge not found");
  std::vector<Channel*> chans;
  if (auto e = stasis_channels(r, chans)) return *e;
  for (Channel* c : chans)
    if (c->bridge != b->id) return error_response(422, "Channel not in this bridge");
  std::vector<std::string> ids;
  for (Channel* c : chans) ids.push_back(c->id);
  asio::post(io_, [this, ids] {
    for (const auto& id : ids)
      if (Channel* ch = find_channel(id)) leave_bridge(*ch);
  });
  return no_content();
}

}  // namespace dialer::testing::ari::detail
