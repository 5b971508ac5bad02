#include "dialer/ari/events.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <new>

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
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

bool is_known(std::string_view type) {
  for (const Known& k : kKnown) {
    if (k.type == type) return true;
  }
  return false;
}

// A guess at the event's type without parsing: the value of the first
// "type":"..." in the frame. Asterisk writes compact JSON, so the guess is
// nearly always right; when it is wrong the frame only takes the slower path
// (the type is always read again by a real parser before it is trusted).
std::string_view guess_type(std::string_view frame) {
  constexpr std::string_view kKey = R"("type":")";
  const std::size_t at = frame.find(kKey);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + kKey.size();
  const std::size_t end = frame.find('"', begin);
  if (end == std::string_view::npos) return {};
  return frame.substr(begin, end - begin);
}

// The known types the one-pass reader below builds without a DOM: those made
// of top-level scalars and Channel objects, nearly all the typed events of a
// real stream. Bridge and playback events, and anything unusual, take the DOM
// path, which stays the reference for what is accepted and refused.
bool one_pass_type(std::string_view type) {
  return type == "ChannelVarset" || type == "Dial" || type == "ChannelHangupRequest" ||
         type == "ChannelDestroyed" || type == "ChannelStateChange" || type == "StasisStart" ||
         type == "StasisEnd";
}

// What a one-pass read collects besides the fields every event carries.
struct Fields {
  Channel channel, peer, caller;
  bool has_channel = false, has_peer = false, has_caller = false;
  bool channel_id = false, peer_id = false, caller_id = false;
  std::vector<std::string> args;
  std::string cause_txt, dialstatus, dialstring, variable, value;
  bool has_variable = false;
  int cause = 0;
  bool soft = false;
};

// A SAX handler for json::basic_parser: one pass over a frame that validates
// it and reads what the dialer needs, without building a DOM.
//
// Always: the four fields every event carries (like the DOM, a repeated key
// keeps its last value and a field that is not a string is ""). With
// `collect`: also the fields of the one-pass types (Fields). It never refuses
// a frame on its own: whenever a collected field has a JSON type other than
// the expected one, or a collected key repeats, it sets `bail` and the frame is
// parsed again through the DOM, which decides. Strings and keys may arrive in
// parts (escapes); parts are appended where they are wanted.
struct Sax {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  using error_code = boost::system::error_code;

  // Where the reader is: the object or array it reads fields of. Values it
  // does not read are skipped by depth alone.
  enum class Ctx : unsigned char { top, channel, dialplan, vars, args };
  // What the last key named, in its context.
  enum class Slot : unsigned char {
    none, type, application, timestamp, asterisk_id,  // common, top
    cause, soft, cause_txt, dialstatus, dialstring, variable, value, args,  // top, collect
    channel, peer, caller,                              // top, collect
    id, name, state, dialplan, channelvars,             // Channel
    context, exten,                                     // dialplan
    var,                                                // channelvars
  };

  bool collect = false;
  Event* event = nullptr;
  Fields* f = nullptr;

  bool object = false;      // the document is an object
  bool type_found = false;  // the last top-level "type" is a string
  bool bail = false;        // leave this frame to the DOM
  std::array<Ctx, 4> ctx{};
  std::array<std::uint32_t, 4> seen{};  // slots read per level (repeats bail)
  std::size_t n = 0;                    // levels in ctx
  std::size_t skip = 0;                 // depth inside a value not read
  Slot slot = Slot::none;
  std::string key;
  std::string* target = nullptr;  // the string the current value goes to
  Channel* chan = nullptr;        // the Channel being read
  bool* chan_id = nullptr;        // ... and whether its id was a string

  void reset(Event& e, Fields& fields, bool collect_fields) {
    collect = collect_fields;
    event = &e;
    f = &fields;
    object = type_found = bail = false;
    n = skip = 0;
    slot = Slot::none;
    key.clear();
    target = nullptr;
    chan = nullptr;
    chan_id = nullptr;
  }

  static bool common(Slot s) { return s >= Slot::type && s <= Slot::asterisk_id; }
  static std::uint32_t bit(Slot s) { return std::uint32_t{1} << static_cast<unsigned>(s); }

  void push(Ctx c) {
    ctx[n] = c;
    seen[n] = 0;
    ++n;
  }
  void give_up() {
    bail = true;
    slot = Slot::none;
    target = nullptr;
  }

  Slot classify(std::string_view k) const {
    switch (ctx[n - 1]) {
      case Ctx::top:
        if (k == field::type) return Slot::type;
        if (k == field::application) return Slot::application;
        if (k == field::timestamp) return Slot::timestamp;
        if (k == field::asterisk_id) return Slot::asterisk_id;
        if (!collect) return Slot::none;
        if (k == field::channel) return Slot::channel;
        if (k == field::cause) return Slot::cause;
        if (k == field::cause_txt) return Slot::cause_txt;
        if (k == field::soft) return Slot::soft;
        if (k == field::peer) return Slot::peer;
        if (k == field::caller) return Slot::caller;
        if (k == field::dialstatus) return Slot::dialstatus;
        if (k == field::dialstring) return Slot::dialstring;
        if (k == field::variable) return Slot::variable;
        if (k == field::value) return Slot::value;
        if (k == field::args) return Slot::args;
        return Slot::none;
      case Ctx::channel:
        if (k == field::id) return Slot::id;
        if (k == field::name) return Slot::name;
        if (k == field::state) return Slot::state;
        if (k == field::dialplan) return Slot::dialplan;
        if (k == field::channelvars) return Slot::channelvars;
        return Slot::none;
      case Ctx::dialplan:
        if (k == field::context) return Slot::context;
        if (k == field::exten) return Slot::exten;
        return Slot::none;
      case Ctx::vars: return Slot::var;
      case Ctx::args: break;
    }
    return Slot::none;
  }

  // A value that is not a string arrived for the current slot.
  void not_string() {
    if (common(slot)) {
      target->clear();
      if (slot == Slot::type) type_found = false;
    } else if (slot != Slot::none) {
      bail = true;
    }
    slot = Slot::none;
    target = nullptr;
  }

  // An object or array begins as the value of the current slot.
  void nested(bool is_object) {
    if (skip > 0) {
      ++skip;
      return;
    }
    if (n == 0) {  // the document itself
      object = is_object;
      if (is_object) {
        push(Ctx::top);
      } else {
        ++skip;
      }
      return;
    }
    const Slot s = slot;
    slot = Slot::none;
    target = nullptr;
    if (ctx[n - 1] == Ctx::args) {  // args holds strings only
      bail = true;
      ++skip;
      return;
    }
    switch (s) {
      case Slot::channel:
      case Slot::peer:
      case Slot::caller:
        if (!is_object) break;
        chan = s == Slot::channel ? &f->channel : s == Slot::peer ? &f->peer : &f->caller;
        chan_id = s == Slot::channel ? &f->channel_id : s == Slot::peer ? &f->peer_id : &f->caller_id;
        (s == Slot::channel ? f->has_channel : s == Slot::peer ? f->has_peer : f->has_caller) = true;
        push(Ctx::channel);
        return;
      case Slot::args:
        if (is_object) break;
        push(Ctx::args);
        return;
      case Slot::dialplan:
        if (!is_object) break;
        push(Ctx::dialplan);
        return;
      case Slot::channelvars:
        if (!is_object) break;
        push(Ctx::vars);
        return;
      case Slot::none: ++skip; return;
      default:
        if (common(s)) {
          slot = s;
          target = s == Slot::type          ? &event->type
                   : s == Slot::application ? &event->application
                   : s == Slot::timestamp   ? &event->timestamp
                                            : &event->asterisk_id;
          not_string();
          ++skip;
          return;
        }
        break;
    }
    bail = true;
    ++skip;
  }

  void close() {
    if (skip > 0) {
      --skip;
    } else if (n > 0) {
      --n;
    }
    slot = Slot::none;
    target = nullptr;
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    nested(true);
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    close();
    return true;
  }
  bool on_array_begin(error_code&) {
    nested(false);
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    close();
    return true;
  }

  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    if (skip == 0) key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    if (skip > 0) return true;
    key.append(s.data(), s.size());
    slot = classify(key);
    target = nullptr;
    if (slot != Slot::none && !common(slot) && slot != Slot::var) {
      if ((seen[n - 1] & bit(slot)) != 0) {
        give_up();  // a repeated key: the DOM keeps the last one
      } else {
        seen[n - 1] |= bit(slot);
      }
    }
    switch (slot) {
      case Slot::type:
        type_found = false;
        target = &event->type;
        break;
      case Slot::application: target = &event->application; break;
      case Slot::timestamp: target = &event->timestamp; break;
      case Slot::asterisk_id: target = &event->asterisk_id; break;
      case Slot::cause_txt: target = &f->cause_txt; break;
      case Slot::dialstatus: target = &f->dialstatus; break;
      case Slot::dialstring: target = &f->dialstring; break;
      case Slot::variable: target = &f->variable; break;
      case Slot::value: target = &f->value; break;
      case Slot::id: target = &chan->id; break;
      case Slot::name: target = &chan->name; break;
      case Slot::state: target = &chan->state; break;
      case Slot::context: target = &chan->context; break;
      case Slot::exten: target = &chan->exten; break;
      case Slot::var:
        for (const auto& kv : chan->variables) {
          if (kv.first == key) give_up();
        }
        if (!bail) {
          chan->variables.emplace_back(key, std::string{});
          target = &chan->variables.back().second;
        }
        break;
      default: break;
    }
    if (target != nullptr) target->clear();
    key.clear();
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    if (skip > 0) return true;
    if (n > 0 && ctx[n - 1] == Ctx::args && target == nullptr) {
      f->args.emplace_back();
      target = &f->args.back();
    }
    if (target != nullptr) target->append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code& ec) {
    if (skip > 0) return true;
    if (n > 0 && ctx[n - 1] == Ctx::args) {
      on_string_part(s, 0, ec);
      target = nullptr;
      return true;
    }
    if (target != nullptr) {
      target->append(s.data(), s.size());
      if (slot == Slot::type) type_found = true;
      if (slot == Slot::variable) f->has_variable = true;
      if (slot == Slot::id) *chan_id = true;
    } else if (slot != Slot::none) {
      bail = true;  // a string where an object, array, number or bool belongs
    }
    slot = Slot::none;
    target = nullptr;
    return true;
  }

  // Scalars other than strings.
  void scalar() {
    if (skip > 0) return;
    if (n > 0 && ctx[n - 1] == Ctx::args) {
      bail = true;
      return;
    }
    not_string();
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    if (skip == 0 && slot == Slot::cause && i >= std::numeric_limits<int>::min() &&
        i <= std::numeric_limits<int>::max()) {
      f->cause = static_cast<int>(i);
      slot = Slot::none;
      return true;
    }
    scalar();
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    if (skip == 0 && slot == Slot::cause &&
        u <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      f->cause = static_cast<int>(u);
      slot = Slot::none;
      return true;
    }
    scalar();
    return true;
  }
  bool on_double(double, json::string_view, error_code&) {
    scalar();
    return true;
  }
  bool on_bool(bool b, error_code&) {
    if (skip == 0 && slot == Slot::soft) {
      f->soft = b;
      slot = Slot::none;
      return true;
    }
    scalar();
    return true;
  }
  bool on_null(error_code&) {
    scalar();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

// The typed body of a one-pass type from what Sax collected; false when a
// field it requires is missing (the DOM path then says why).
bool assemble(Event& e, Fields& f) {
  const std::string_view t = e.type;
  const bool channel_ok = f.has_channel && f.channel_id;
  if (t == "ChannelVarset") {
    if (!f.has_variable || (f.has_channel && !f.channel_id)) return false;
    ChannelVarset& b = e.body.emplace<ChannelVarset>();
    if (f.has_channel) b.channel = std::move(f.channel);
    b.variable = std::move(f.variable);
    b.value = std::move(f.value);
    return true;
  }
  if (t == "Dial") {
    if (!f.has_peer || !f.peer_id || (f.has_caller && !f.caller_id)) return false;
    Dial& b = e.body.emplace<Dial>();
    b.peer = std::move(f.peer);
    if (f.has_caller) b.caller = std::move(f.caller);
    b.dialstatus = std::move(f.dialstatus);
    b.dialstring = std::move(f.dialstring);
    return true;
  }
  if (!channel_ok) return false;
  if (t == "ChannelHangupRequest") {
    e.body.emplace<ChannelHangupRequest>(ChannelHangupRequest{std::move(f.channel), f.cause, f.soft});
  } else if (t == "ChannelDestroyed") {
    e.body.emplace<ChannelDestroyed>(
        ChannelDestroyed{std::move(f.channel), f.cause, std::move(f.cause_txt)});
  } else if (t == "ChannelStateChange") {
    e.body.emplace<ChannelStateChange>(ChannelStateChange{std::move(f.channel)});
  } else if (t == "StasisStart") {
    e.body.emplace<StasisStart>(StasisStart{std::move(f.channel), std::move(f.args)});
  } else if (t == "StasisEnd") {
    e.body.emplace<StasisEnd>(StasisEnd{std::move(f.channel)});
  } else {
    return false;
  }
  return true;
}

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
  explicit Impl(std::size_t max)
      : max_bytes(max), parser(json::storage_ptr(), parse_options()), sax(parse_options()) {}
  std::size_t max_bytes;
  // Scratch memory reused for every frame: a recorded event (~1 KB of JSON)
  // parses without touching the heap.
  std::array<unsigned char, 16384> scratch{};
  json::parser parser;
  json::basic_parser<Sax> sax;

  Result<Event> parse_dom(std::string_view frame);
  // One pass without a DOM: unknown types are validated and kept raw; with
  // `collect`, the one-pass types are typed. Anything else goes to the DOM.
  Result<Event> parse_one_pass(std::string_view frame, bool collect);
};

Result<Event> EventParser::Impl::parse_dom(std::string_view frame) {
  try {
    json::monotonic_resource mr(scratch.data(), scratch.size());
    parser.reset(&mr);
    boost::system::error_code ec;
    parser.write(frame.data(), frame.size(), ec);
    if (ec) return refused("ARI event is not valid JSON: " + ec.message());
    const json::value v = parser.release();
    Result<Event> e = to_event(v, frame);
    parser.reset();
    return e;
  } catch (const std::bad_alloc&) {
    parser.reset();
    return refused("ARI event too large to parse");
  } catch (const std::exception& ex) {
    parser.reset();
    return refused(std::string("ARI event refused: ") + ex.what());
  }
}

Result<Event> EventParser::Impl::parse_one_pass(std::string_view frame, bool collect) {
  try {
    Event e;
    Fields f;
    sax.reset();
    sax.handler().reset(e, f, collect);
    boost::system::error_code ec;
    const std::size_t n = sax.write_some(false, frame.data(), frame.size(), ec);
    if (!ec && n < frame.size()) ec = json::error::extra_data;
    if (ec) return refused("ARI event is not valid JSON: " + ec.message());
    const Sax& h = sax.handler();
    if (!h.object) return refused("ARI event is not a JSON object");
    if (!h.type_found) return refused("ARI event has no string \"type\"");
    if (!is_known(e.type)) {
      e.body = UnknownEvent{std::string(frame)};
      return e;
    }
    if (!collect || h.bail || !one_pass_type(e.type) || !assemble(e, f)) return parse_dom(frame);
    return e;
  } catch (const std::bad_alloc&) {
    return refused("ARI event too large to parse");
  } catch (const std::exception& ex) {
    return refused(std::string("ARI event refused: ") + ex.what());
  }
}

EventParser::EventParser(std::size_t max_bytes) : impl_(std::make_unique<Impl>(max_bytes)) {}
EventParser::~EventParser() = default;
EventParser::EventParser(EventParser&&) noexcept = default;
EventParser& EventParser::operator=(EventParser&&) noexcept = default;

Result<Event> EventParser::parse(std::string_view frame) {
  if (frame.size() > impl_->max_bytes) {
    return refused("ARI event frame of " + std::to_string(frame.size()) + " bytes exceeds " +
                   std::to_string(impl_->max_bytes));
  }
  // Most frames need one pass (see Sax); bridge and playback events the DOM.
  const std::string_view guess = guess_type(frame);
  if (is_known(guess) && !one_pass_type(guess)) return impl_->parse_dom(frame);
  return impl_->parse_one_pass(frame, one_pass_type(guess));
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
