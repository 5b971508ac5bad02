// The event parser: typed events from recorded frames, unknown events kept
// whole, and every malformed or oversized frame refused with an error.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "ari_test_data.hpp"
#include "dialer/ari/events.hpp"

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
    };
    for (const char* frame : bad) {
      CAPTURE(frame);
      auto e = parse_event(frame);
      REQUIRE_FALSE(e);
      CHECK(e.error().code == make_error_code(Errc::protocol_error));
    }
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
