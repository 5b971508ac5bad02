// The event parser: typed events from recorded frames, unknown events kept
// whole, and every malformed or oversized frame refused with an error.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "ari_test_data.hpp"
#include "dialer/ari/events.hpp"
#include "dialer/ari/rest.hpp"

using namespace dialer;
using namespace dialer::ari;
using namespace dialer::ari::test;

namespace {

// Recorded on Asterisk 22.10.1 (captures/answered.app-only.jsonl), shortened.
constexpr std::string_view kStasisStart =
    R"({"type":"StasisStart","timestamp":"2026-11-21T22:38:00.947+0000","args":["customer","campaign-1"],)"
    R"("channel":{"id":"probe-cust-answered","name":"Local/90123456780@customers-00000000;1","state":"Up",)"
    R"("protocol_id":"","caller":{"name":"Probe Dialer","number":"5551000"},"accountcode":"",)"
    R"("dialplan":{"context":"customers","exten":"90123456780","priority":1,"app_name":"Stasis","app_data":"probe"},)"
    R"("creationtime":"2026-11-21T22:37:58.935+0000","language":"en",)"
    R"("channelvars":{"DIALED":"90123456780","OUTCOME":"answered","AGENT":""}},)"
    R"("asterisk_id":"02:fc:00:00:00:01","application":"probe"})";

constexpr std::string_view kDestroyed =
    R"({"type":"ChannelDestroyed","timestamp":"2026-11-21T22:38:46.936+0000","cause":17,"cause_txt":"User busy",)"
    R"("channel":{"id":"probe-cust-busy","name":"Local/90123456785@customers-00000004;1","state":"Down"},)"
    R"("asterisk_id":"02:fc:00:00:00:01","application":"probe"})";

std::string dom_string(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string{};
}

// A channel as the REST parser reads it (a DOM walk), against the event's.
void same_channel(const Channel& got, const boost::json::value& v) {
  auto want = parse_channel(boost::json::serialize(v));
  REQUIRE(want);
  CHECK(got.id == want->id);
  CHECK(got.name == want->name);
  CHECK(got.state == want->state);
  CHECK(got.context == want->context);
  CHECK(got.exten == want->exten);
  CHECK(got.variables == want->variables);
}

}  // namespace

TEST_SUITE("ari") {
  TEST_CASE("a recorded StasisStart parses into its typed fields") {
    auto e = parse_event(kStasisStart);
    REQUIRE(e);
    CHECK(e->type == "StasisStart");
    CHECK(e->application == "probe");
    CHECK(e->asterisk_id == "02:fc:00:00:00:01");
    CHECK(e->timestamp == "2026-11-21T22:38:00.947+0000");
    const auto* s = std::get_if<StasisStart>(&e->body);
    REQUIRE(s != nullptr);
    CHECK(s->args == std::vector<std::string>{"customer", "campaign-1"});
    CHECK(s->channel.id == "probe-cust-answered");
    CHECK(s->channel.state == "Up");
    CHECK(s->channel.context == "customers");
    CHECK(s->channel.exten == "90123456780");
    REQUIRE(s->channel.variable("DIALED") != nullptr);
    CHECK(*s->channel.variable("DIALED") == "90123456780");
    CHECK(s->channel.variable("NOPE") == nullptr);
  }

  TEST_CASE("ChannelDestroyed carries the cause and its text") {
    auto e = parse_event(kDestroyed);
    REQUIRE(e);
    const auto* d = std::get_if<ChannelDestroyed>(&e->body);
    REQUIRE(d != nullptr);
    CHECK(d->cause == 17);
    CHECK(d->cause_txt == "User busy");
    CHECK(d->channel.id == "probe-cust-busy");
  }

  TEST_CASE("Dial, hangup request, bridge, varset, playback and replaced events are typed") {
    auto dial = parse_event(
        R"({"type":"Dial","dialstatus":"BUSY","dialstring":"90123456785@customers","forward":"",)"
        R"("peer":{"id":"c1","name":"Local/x;1","state":"Down"}})");
    REQUIRE(dial);
    const auto* d = std::get_if<Dial>(&dial->body);
    REQUIRE(d != nullptr);
    CHECK(d->dialstatus == "BUSY");
    CHECK(d->dialstring == "90123456785@customers");
    CHECK(d->peer.id == "c1");
    CHECK_FALSE(d->caller.has_value());

    auto hr = parse_event(R"({"type":"ChannelHangupRequest","cause":32,"soft":true,"channel":{"id":"c1"}})");
    REQUIRE(hr);
    CHECK(std::get<ChannelHangupRequest>(hr->body).cause == 32);
    CHECK(std::get<ChannelHangupRequest>(hr->body).soft);

    auto entered = parse_event(
        R"({"type":"ChannelEnteredBridge","bridge":{"id":"b1","bridge_type":"mixing","channels":["c1","a1"]},"channel":{"id":"c1"}})");
    REQUIRE(entered);
    const auto& eb = std::get<ChannelEnteredBridge>(entered->body);
    CHECK(eb.bridge.id == "b1");
    CHECK(eb.bridge.channels == std::vector<std::string>{"c1", "a1"});
    REQUIRE(eb.channel.has_value());
    CHECK(eb.channel->id == "c1");

    auto left = parse_event(R"({"type":"ChannelLeftBridge","bridge":{"id":"b1"},"channel":{"id":"c1"}})");
    REQUIRE(left);
    CHECK(std::get<ChannelLeftBridge>(left->body).channel.id == "c1");

    auto bd = parse_event(R"({"type":"BridgeDestroyed","bridge":{"id":"b1"}})");
    REQUIRE(bd);
    CHECK(std::get<BridgeDestroyed>(bd->body).bridge.id == "b1");

    auto global = parse_event(R"({"type":"ChannelVarset","variable":"G","value":"1"})");
    REQUIRE(global);
    CHECK_FALSE(std::get<ChannelVarset>(global->body).channel.has_value());
    CHECK(std::get<ChannelVarset>(global->body).value == "1");

    auto pf = parse_event(
        R"({"type":"PlaybackFinished","playback":{"id":"p1","media_uri":"sound:beep","target_uri":"channel:c1","state":"done"}})");
    REQUIRE(pf);
    CHECK(std::get<PlaybackFinished>(pf->body).playback.target_uri == "channel:c1");

    auto replaced = parse_event(R"({"type":"ApplicationReplaced","application":"probe"})");
    REQUIRE(replaced);
    CHECK(std::holds_alternative<ApplicationReplaced>(replaced->body));
  }

  TEST_CASE("an unknown event is kept with its raw JSON") {
    constexpr std::string_view frame = R"({"type":"ChannelTalkingStarted","channel":{"id":"c1"},"x":[1,2]})";
    auto e = parse_event(frame);
    REQUIRE(e);
    CHECK(e->type == "ChannelTalkingStarted");
    const auto* u = std::get_if<UnknownEvent>(&e->body);
    REQUIRE(u != nullptr);
    CHECK(u->raw == frame);
  }

  TEST_CASE("malformed frames are refused with protocol_error") {
    const char* bad[] = {
        "",
        "not json",
        "[1,2,3]",
        "42",
        R"({"type":7})",
        R"({"no_type":"x"})",
        R"({"type":"StasisStart"})",                                       // no channel
        R"({"type":"StasisStart","channel":{"name":"no id"}})",           // channel without id
        R"({"type":"StasisStart","channel":{"id":"c"},"args":"x"})",      // args not a list
        R"({"type":"ChannelDestroyed","channel":{"id":"c"},"cause":"16"})",  // cause not a number
        R"({"type":"ChannelDestroyed","channel":{"id":"c"},"cause":1e99})",
        R"({"type":"ChannelDestroyed","channel":{"id":"c"},"cause":99999999999})",
        R"({"type":"ChannelHangupRequest","channel":{"id":"c"},"soft":"yes"})",
        R"({"type":"Dial","peer":5})",
        R"({"type":"ChannelLeftBridge","bridge":{"id":"b"}})",
        R"({"type":"ChannelVarset","value":"x"})",
        R"({"type":"PlaybackFinished"})",
        R"({"type":"StasisEnd","channel":{"id":"c"})",                     // truncated
        R"({"type":"StasisEnd","channel":{"id":"c"}} trailing)",
        // Types the dialer does not type are validated all the same.
        R"({"type":"ChannelDialplan","channel":{"id":"c"})",               // truncated
        R"({"type":"ChannelDialplan","x":[1,]})",                          // bad array
        R"({"type":"ChannelDialplan"} trailing)",
        R"({"type":"ChannelDialplan","type":5})",                          // last type not a string
        "{\"type\":\"ChannelDialplan\",\"x\":\"\xff\"}",                         // not UTF-8
    };
    for (const char* frame : bad) {
      CAPTURE(frame);
      auto e = parse_event(frame);
      REQUIRE_FALSE(e);
      CHECK(e.error().code == make_error_code(Errc::protocol_error));
    }
  }

  TEST_CASE("the type decides typed or raw even where a quick look at the frame would be wrong") {
    // A nested "type" first: the event is still the top-level one.
    constexpr std::string_view nested_known =
        R"({"channel":{"type":"StasisStart"},"type":"ChannelDialplan","application":"a"})";
    auto raw = parse_event(nested_known);
    REQUIRE(raw);
    CHECK(raw->type == "ChannelDialplan");
    CHECK(raw->application == "a");
    REQUIRE(std::holds_alternative<UnknownEvent>(raw->body));
    CHECK(std::get<UnknownEvent>(raw->body).raw == nested_known);

    auto typed = parse_event(R"({"x":{"type":"Other"},"type":"StasisEnd","channel":{"id":"c"}})");
    REQUIRE(typed);
    REQUIRE(std::holds_alternative<StasisEnd>(typed->body));
    CHECK(std::get<StasisEnd>(typed->body).channel.id == "c");

    // An escaped type name is the same name.
    auto escaped = parse_event(R"({"type":"Stasis\u0045nd","channel":{"id":"c"}})");
    REQUIRE(escaped);
    CHECK(escaped->type == "StasisEnd");
    CHECK(std::holds_alternative<StasisEnd>(escaped->body));

    // A repeated key keeps its last value, as in a JSON object.
    auto repeated = parse_event(
        R"({"type":"StasisEnd","type":"Foo","timestamp":1,"timestamp":"t","asterisk_id":"x","asterisk_id":[]})");
    REQUIRE(repeated);
    CHECK(repeated->type == "Foo");
    CHECK(repeated->timestamp == "t");
    CHECK(repeated->asterisk_id.empty());
    CHECK(std::holds_alternative<UnknownEvent>(repeated->body));
    auto repeated_known = parse_event(R"({"type":"Foo","type":"StasisEnd","channel":{"id":"c"}})");
    REQUIRE(repeated_known);
    CHECK(std::holds_alternative<StasisEnd>(repeated_known->body));

    // Unusual but valid shapes read as the DOM reads them: null optional
    // channels, a non-string channel variable, a repeated one, escapes.
    auto varset = parse_event(R"({"type":"ChannelVarset","variable":"V","value":"x","channel":null})");
    REQUIRE(varset);
    CHECK_FALSE(std::get<ChannelVarset>(varset->body).channel.has_value());
    auto dial = parse_event(R"({"type":"Dial","peer":{"id":"p"},"caller":null,"dialstatus":"ANSWER"})");
    REQUIRE(dial);
    CHECK_FALSE(std::get<Dial>(dial->body).caller.has_value());
    auto vars = parse_event(
        R"({"type":"StasisEnd","channel":{"id":"c\u0031","dialplan":"x","channelvars":{"A":1,"B":"b","A":"a2"}}})");
    REQUIRE(vars);
    const Channel& ch = std::get<StasisEnd>(vars->body).channel;
    CHECK(ch.id == "c1");
    CHECK(ch.context.empty());
    REQUIRE(ch.variable("A") != nullptr);
    CHECK(*ch.variable("A") == "a2");
    REQUIRE(ch.variable("B") != nullptr);
    CHECK(*ch.variable("B") == "b");
    auto repeated_channel = parse_event(
        R"({"type":"ChannelStateChange","channel":{"id":"first"},"channel":{"id":"second","state":"Ringing"}})");
    REQUIRE(repeated_channel);
    CHECK(std::get<ChannelStateChange>(repeated_channel->body).channel.id == "second");
    CHECK(std::get<ChannelStateChange>(repeated_channel->body).channel.state == "Ringing");

    // The common fields of an untyped event are read, escapes included.
    auto fields = parse_event(
        R"({"type":"DeviceStateChanged","application":"app\"1","timestamp":"2026-11-21T22:38:00.947+0000",)"
        R"("asterisk_id":"02:fc:00:00:00:01","device_state":{"name":"PJSIP/100","state":"NOT_INUSE"}})");
    REQUIRE(fields);
    CHECK(fields->type == "DeviceStateChanged");
    CHECK(fields->application == "app\"1");
    CHECK(fields->timestamp == "2026-11-21T22:38:00.947+0000");
    CHECK(fields->asterisk_id == "02:fc:00:00:00:01");
  }

  TEST_CASE("deeply nested frames are refused, not recursed into") {
    std::string frame = R"({"type":"X","a":)";
    for (int i = 0; i < 10000; ++i) frame += '[';
    auto e = parse_event(frame);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == make_error_code(Errc::protocol_error));
  }

  TEST_CASE("a frame larger than the limit is refused before parsing") {
    std::string frame(kStasisStart);
    auto small = parse_event(frame, frame.size() - 1);
    REQUIRE_FALSE(small);
    CHECK(small.error().code == make_error_code(Errc::protocol_error));
    CHECK(parse_event(frame, frame.size()));
  }

  TEST_CASE("one parser reused across frames gives the same results as fresh ones") {
    EventParser parser;
    for (int i = 0; i < 3; ++i) {
      auto a = parser.parse(kStasisStart);
      REQUIRE(a);
      CHECK(std::get<StasisStart>(a->body).channel.id == "probe-cust-answered");
      CHECK_FALSE(parser.parse("{broken"));
      auto b = parser.parse(kDestroyed);
      REQUIRE(b);
      CHECK(std::get<ChannelDestroyed>(b->body).cause == 17);
    }
  }

  TEST_CASE("every recorded capture replays through the parser with its known events typed") {
    const std::set<std::string> typed = {
        "StasisStart",       "StasisEnd",           "ChannelStateChange", "ChannelHangupRequest",
        "ChannelDestroyed",  "Dial",                "ChannelEnteredBridge", "ChannelLeftBridge",
        "BridgeDestroyed",   "ChannelVarset",       "PlaybackFinished",   "ApplicationReplaced"};
    const auto files = captures(".jsonl");
    std::size_t event_files = 0;
    std::map<std::string, std::size_t> seen;
    EventParser parser;
    for (const auto& file : files) {
      if (file.filename().string().find(".http.") != std::string::npos) continue;
      ++event_files;
      CAPTURE(file.filename().string());
      const auto lines = read_lines(file);
      CHECK(!lines.empty());
      for (const std::string& line : lines) {
        auto e = parser.parse(line);
        REQUIRE_MESSAGE(e, line);
        ++seen[e->type];
        const bool unknown = std::holds_alternative<UnknownEvent>(e->body);
        CHECK_MESSAGE(unknown == (typed.count(e->type) == 0), e->type);
      }
    }
    CHECK(event_files == 19);  // every event recording in shared/ari/captures
    // Every typed event the dialer acts on occurs in the recordings.
    for (const std::string& type : typed) {
      CAPTURE(type);
      CHECK(seen[type] > 0);
    }
  }

  TEST_CASE("every recorded frame gives the same fields as a DOM read of it") {
    // Most frames are read in one pass without a DOM; this holds them to
    // what a plain Boost.JSON tree of the same frame says.
    EventParser parser;
    std::size_t compared = 0;
    for (const auto& file : captures(".jsonl")) {
      if (file.filename().string().find(".http.") != std::string::npos) continue;
      for (const std::string& line : read_lines(file)) {
        CAPTURE(line);
        auto e = parser.parse(line);
        REQUIRE(e);
        const boost::json::object o = boost::json::parse(line).as_object();
        CHECK(e->type == dom_string(o, "type"));
        CHECK(e->application == dom_string(o, "application"));
        CHECK(e->timestamp == dom_string(o, "timestamp"));
        CHECK(e->asterisk_id == dom_string(o, "asterisk_id"));
        const auto cause = [&] { return o.contains("cause") ? static_cast<int>(o.at("cause").as_int64()) : 0; };
        if (const auto* u = std::get_if<UnknownEvent>(&e->body)) {
          CHECK(u->raw == line);
        } else if (const auto* s = std::get_if<StasisStart>(&e->body)) {
          same_channel(s->channel, o.at("channel"));
          std::vector<std::string> args;
          if (o.contains("args")) {
            for (const auto& a : o.at("args").as_array()) args.emplace_back(a.as_string());
          }
          CHECK(s->args == args);
        } else if (const auto* se = std::get_if<StasisEnd>(&e->body)) {
          same_channel(se->channel, o.at("channel"));
        } else if (const auto* sc = std::get_if<ChannelStateChange>(&e->body)) {
          same_channel(sc->channel, o.at("channel"));
        } else if (const auto* hr = std::get_if<ChannelHangupRequest>(&e->body)) {
          same_channel(hr->channel, o.at("channel"));
          CHECK(hr->cause == cause());
          CHECK(hr->soft == (o.contains("soft") && o.at("soft").as_bool()));
        } else if (const auto* d = std::get_if<ChannelDestroyed>(&e->body)) {
          same_channel(d->channel, o.at("channel"));
          CHECK(d->cause == cause());
          CHECK(d->cause_txt == dom_string(o, "cause_txt"));
        } else if (const auto* dial = std::get_if<Dial>(&e->body)) {
          same_channel(dial->peer, o.at("peer"));
          CHECK(dial->caller.has_value() == (o.contains("caller") && !o.at("caller").is_null()));
          if (dial->caller) same_channel(*dial->caller, o.at("caller"));
          CHECK(dial->dialstatus == dom_string(o, "dialstatus"));
          CHECK(dial->dialstring == dom_string(o, "dialstring"));
        } else if (const auto* v = std::get_if<ChannelVarset>(&e->body)) {
          CHECK(v->channel.has_value() == (o.contains("channel") && !o.at("channel").is_null()));
          if (v->channel) same_channel(*v->channel, o.at("channel"));
          CHECK(v->variable == dom_string(o, "variable"));
          CHECK(v->value == dom_string(o, "value"));
        }
        ++compared;
      }
    }
    CHECK(compared == 757);  // every event frame of the recordings
  }

  TEST_CASE("every field the parser reads is named as in Asterisk's spec") {
    const auto events = spec("events.json");
    const boost::json::object models[] = {
        events.at("models").as_object(),
        spec("channels.json").at("models").as_object(),
        spec("bridges.json").at("models").as_object(),
        spec("playbacks.json").at("models").as_object(),
    };
    std::size_t checked = 0;
    for (const ModelFields& m : fields_read()) {
      CAPTURE(m.model);
      const boost::json::object* model = nullptr;
      for (const auto& ms : models) {
        if (const auto* v = ms.if_contains(m.model)) model = &v->as_object();
      }
      REQUIRE_MESSAGE(model != nullptr, "no model ", m.model, " in the spec");
      const boost::json::value* props = model->if_contains("properties");
      for (std::string_view f : m.fields) {
        CAPTURE(f);
        REQUIRE(props != nullptr);
        CHECK(props->as_object().contains(f));
        ++checked;
      }
    }
    CHECK(checked > 30);
    // Each typed event has its row, so none escapes the check above.
    for (const char* type : {"StasisStart", "StasisEnd", "ChannelStateChange", "ChannelHangupRequest",
                             "ChannelDestroyed", "Dial", "ChannelEnteredBridge", "ChannelLeftBridge",
                             "BridgeDestroyed", "ChannelVarset", "PlaybackFinished",
                             "ApplicationReplaced"}) {
      CAPTURE(type);
      bool listed = false;
      for (const ModelFields& m : fields_read()) listed = listed || m.model == type;
      CHECK(listed);
      CHECK(events.at("models").as_object().contains(type));
    }
  }
}
