// The loopback ARI server's event stream: for every recorded scenario in
// shared/ari/captures, the same requests against the loopback server give the
// dialer's channel the same story (event types, order and key fields) as the
// real Asterisk did; and every event it sends is named as events.json says.
#include "loopback_ari.hpp"
#include "raw_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace ari = dialer::testing::ari;
namespace raw = ari::raw;
namespace support = ari::support;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const char* const api_key = "api_key=dialer:dialer";

ari::LoopbackAriOptions scaled(double s) {
  ari::LoopbackAriOptions o;
  o.time_scale = s;
  return o;
}

void check_spec(const std::vector<json::object>& events) {
  REQUIRE_FALSE(events.empty());
  std::vector<std::string> problems;
  for (const auto& ev : events)
    for (auto& p : support::spec().check_event(ev)) problems.push_back(std::move(p));
  for (const auto& p : problems) INFO(p);
  CHECK(problems.empty());
}

auto destroyed(const std::string& channel) {
  return [channel](const json::object& e) { return raw::is(e, "ChannelDestroyed", channel); };
}

void check_story(const std::vector<json::object>& got, const std::string& capture, const std::string& channel) {
  const auto expected = support::channel_story(support::read_jsonl(capture), channel);
  const auto actual = support::channel_story(got, channel);
  REQUIRE_FALSE(expected.empty());
  INFO("capture " << capture << ", channel " << channel);
  for (std::size_t i = 0; i < std::max(expected.size(), actual.size()); ++i)
    INFO(i << ": expected " << (i < expected.size() ? expected[i] : "-") << " | got "
           << (i < actual.size() ? actual[i] : "-"));
  CHECK(actual == expected);
}

// Originates what <scenario>.http.jsonl originated, on an app-only socket, and
// compares the dialer's channel's story with <capture> once it is destroyed.
void replay_simple(const std::string& scenario, const std::string& capture, const std::string& channel) {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  const auto originate = support::recorded_request(scenario, "POST", "/ari/channels");
  const auto r = http.post("/ari/channels?" + support::query_of(originate));
  REQUIRE(r.status == 200);
  CHECK(support::comparable(r.json) == support::comparable(originate.at("body")));  // the recorded Channel
  const auto got = events.until(destroyed(channel));
  REQUIRE_FALSE(got.empty());
  check_story(got, capture, channel);
  check_spec(events.received());
  // Gone for REST too, as the captures' follow-up GET shows.
  const auto after = http.get("/ari/channels/" + raw::enc(channel));
  CHECK(after.status == 404);
  CHECK(after.message() == "Channel not found");
  CHECK(server.live_channel_count() == 0);
}

}  // namespace

TEST_CASE("busy (last digit 5): the recorded story, Dial BUSY and cause 17, no StasisStart") {
  replay_simple("busy", "busy.jsonl", "probe-cust-busy");
  replay_simple("busy.app-only", "busy.app-only.jsonl", "probe-cust-busy");
}

TEST_CASE("congestion (last digit 6): the recorded story, Dial CONGESTION and cause 34") {
  replay_simple("congestion", "congestion.jsonl", "probe-cust-congestion");
}

TEST_CASE("in-band busy and congestion (@customers-indicate): the dialer's channel ends with cause 0") {
  replay_simple("busy.indicate", "busy.indicate.jsonl", "probe-cust-busy-ind");
  replay_simple("congestion.indicate", "congestion.indicate.jsonl", "probe-cust-cong-ind");
}

TEST_CASE("unallocated number (not a digit): Dial NOANSWER and cause 1") {
  replay_simple("invalid", "invalid.jsonl", "probe-cust-invalid");
}

TEST_CASE("no answer (last digit 7): rings until the originate timeout, cause 19, no final Dial") {
  replay_simple("noanswer", "noanswer.jsonl", "probe-cust-noanswer");
  replay_simple("noanswer.app-only", "noanswer.app-only.jsonl", "probe-cust-noanswer");
}

TEST_CASE("short call (last digit 8, 011 prefix): answered, StasisStart, hung up by the far end") {
  replay_simple("short", "short.jsonl", "probe-cust-short");
}

TEST_CASE("answered and bridged to an agent: customer and agent stories as recorded") {
  for (const char* capture : {"answered.jsonl", "answered.app-only.jsonl"}) {
    CAPTURE(capture);
    ari::LoopbackAri server(scaled(0.1));  // talk 2 s: time to bridge even under sanitizers
    raw::Http http(server.port());
    raw::Events events(server.port(), std::string("app=probe&") + api_key);
    // A second app with subscribeAll sees ChannelCreated and BridgeCreated too.
    raw::Events observer(server.port(), std::string("app=observer&subscribeAll=true&") + api_key);
    REQUIRE(events.open());
    REQUIRE(observer.open());
    const std::string customer = "probe-cust-answered", agent = "probe-agent-101";
    REQUIRE(http.post("/ari/channels?" +
                      support::query_of(support::recorded_request("answered", "POST", "/ari/channels", 0)))
                .status == 200);
    REQUIRE_FALSE(events.until([&](const json::object& e) { return raw::is(e, "StasisStart", customer); }).empty());
    REQUIRE(http.post("/ari/channels?" +
                      support::query_of(support::recorded_request("answered", "POST", "/ari/channels", 1)))
                .status == 200);
    REQUIRE_FALSE(events.until([&](const json::object& e) { return raw::is(e, "StasisStart", agent); }).empty());
    const auto bridge = support::recorded_request("answered", "POST", "/ari/bridges");
    const auto created = http.post("/ari/bridges?" + support::query_of(bridge));
    REQUIRE(created.status == 200);
    CHECK(support::comparable(created.json) == support::comparable(bridge.at("body")));
    const auto add = support::recorded_request("answered", "POST", "/ari/bridges/probe-bridge-answered/addChannel");
    REQUIRE(http.post("/ari/bridges/probe-bridge-answered/addChannel?" + support::query_of(add)).status == 204);
    REQUIRE_FALSE(events.until(destroyed(customer)).empty());
    // The agent stays up, in the bridge and in Stasis, until the dialer hangs it up.
    const auto b = http.get("/ari/bridges/probe-bridge-answered");
    REQUIRE(b.status == 200);
    CHECK(b.obj().at("channels") == json::array{agent});
    CHECK(http.del("/ari/channels/" + agent + "?reason=normal").status == 204);
    REQUIRE_FALSE(events.until(destroyed(agent)).empty());
    CHECK(http.del("/ari/bridges/probe-bridge-answered").status == 204);
    REQUIRE_FALSE(events.until([](const json::object& e) { return raw::is(e, "BridgeDestroyed"); }).empty());

    const auto got = events.received();
    check_story(got, capture, customer);
    check_story(got, capture, agent);
    check_spec(got);
    const auto seen = observer.until([](const json::object& e) { return raw::is(e, "BridgeDestroyed"); });
    CHECK(std::any_of(seen.begin(), seen.end(), [&](const json::object& e) { return raw::is(e, "ChannelCreated", customer); }));
    CHECK(std::any_of(seen.begin(), seen.end(), [](const json::object& e) { return raw::is(e, "BridgeCreated"); }));
    CHECK(std::none_of(got.begin(), got.end(), [](const json::object& e) { return raw::is(e, "BridgeCreated"); }));
    for (const auto& e : seen) CHECK(e.at("application").as_string() == "observer");
    check_spec(observer.received());
  }
}

TEST_CASE("dialer hangup of an answered call: soft 32, StasisEnd, cause 16; a second DELETE is 404") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  const std::string id = "probe-cust-dialerhangup";
  REQUIRE(http.post("/ari/channels?" + support::query_of(support::recorded_request("dialer-hangup", "POST", "/ari/channels")))
              .status == 200);
  REQUIRE_FALSE(events.until([&](const json::object& e) { return raw::is(e, "StasisStart", id); }).empty());
  const auto del = support::recorded_request("dialer-hangup", "DELETE", "/ari/channels/" + id, 0);
  CHECK(http.del("/ari/channels/" + id + "?" + support::query_of(del)).status == 204);
  REQUIRE_FALSE(events.until(destroyed(id)).empty());
  CHECK(http.del("/ari/channels/" + id).status == 404);
  check_story(events.received(), "dialer-hangup.jsonl", id);
  check_spec(events.received());
}

TEST_CASE("dialer cancels a ringing call: soft 32, Dial NOANSWER, cause 16, no StasisStart") {
  ari::LoopbackAri server(scaled(0.1));  // the recorded timeout=30 rings 3 s: time to cancel
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  const std::string id = "probe-cust-cancel";
  REQUIRE(http.post("/ari/channels?" + support::query_of(support::recorded_request("cancel-ringing", "POST", "/ari/channels")))
              .status == 200);
  REQUIRE_FALSE(events.until([&](const json::object& e) {
                      return raw::is(e, "Dial", id) && e.at("dialstatus").as_string() == "RINGING";
                    }).empty());
  CHECK(http.del("/ari/channels/" + id).status == 204);
  REQUIRE_FALSE(events.until(destroyed(id)).empty());
  check_story(events.received(), "cancel-ringing.jsonl", id);
  check_spec(events.received());
}

TEST_CASE("playbacks: PlaybackStarted then PlaybackFinished done, a stopped tone done, a missing sound failed") {
  ari::LoopbackAri server(scaled(0.05));  // the long call lasts 15 s
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  const std::string id = "probe-cust-media";
  REQUIRE(http.post("/ari/channels?" + support::query_of(support::recorded_request("media", "POST", "/ari/channels")))
              .status == 200);
  REQUIRE_FALSE(events.until([&](const json::object& e) { return raw::is(e, "StasisStart", id); }).empty());
  auto finished = [](const char* pb) {
    return [pb](const json::object& e) {
      return raw::is(e, "PlaybackFinished") && e.at("playback").at("id").as_string() == pb;
    };
  };
  for (int n = 0; n < 3; ++n) {
    const auto play = support::recorded_request("media", "POST", "/ari/channels/" + id + "/play", n);
    const auto r = http.post("/ari/channels/" + id + "/play?" + support::query_of(play));
    CHECK(r.status == 201);
    CHECK(r.json == play.at("body"));  // the Playback object, byte for byte
    const std::string pb(play.at("query").at("playbackId").as_string());
    if (pb == "probe-pb-tone") {
      events.until([](const json::object& e) { return raw::is(e, "PlaybackStarted"); });
      CHECK(http.del("/ari/playbacks/probe-pb-tone").status == 204);
    }
    REQUIRE_FALSE(events.until(finished(pb.c_str())).empty());
  }
  CHECK(http.del("/ari/playbacks/probe-pb-tone").status == 404);
  CHECK(http.del("/ari/channels/" + id).status == 204);
  REQUIRE_FALSE(events.until(destroyed(id)).empty());

  auto playbacks = [](const std::vector<json::object>& evs) {
    std::vector<std::string> out;
    for (const auto& e : evs)
      if (raw::is(e, "PlaybackStarted") || raw::is(e, "PlaybackFinished"))
        out.push_back(support::str(e.at("type")) + " " + json::serialize(e.at("playback")));
    return out;
  };
  CHECK(playbacks(events.received()) == playbacks(support::read_jsonl("media.jsonl")));
  // The recorded story minus what the loopback does not emulate (recordings).
  auto recorded = support::read_jsonl("media.jsonl");
  std::erase_if(recorded, [](const json::object& e) {
    return support::str(e.at("type")).rfind("Recording", 0) == 0;
  });
  CHECK(support::channel_story(events.received(), id) == support::channel_story(recorded, id));
  check_spec(events.received());
}

TEST_CASE("an app that never had a socket: originate still 200, the answered customer is dropped with cause 0") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events observer(server.port(), std::string("app=probe&subscribeAll=true&") + api_key);
  REQUIRE(observer.open());
  const std::string id = "probe-cust-noapp";
  const auto r = http.post("/ari/channels?" + support::query_of(support::recorded_request("unknown-app", "POST", "/ari/channels")));
  REQUIRE(r.status == 200);
  REQUIRE_FALSE(observer.until(destroyed(id)).empty());
  check_story(observer.received(), "unknown-app.jsonl", id);
  check_spec(observer.received());
  for (const auto& e : observer.received()) CHECK(e.at("application").as_string() == "probe");
  CHECK(http.get("/ari/applications/no-such-app").status == 404);
}

TEST_CASE("reconnect: ApplicationReplaced without a close, calls survive the socket, no replay after it") {
  ari::LoopbackAri server(scaled(0.05));  // the long call lasts 15 s
  raw::Http http(server.port());
  const std::string id = "probe-cust-reconnect", late = "probe-cust-while-down";
  raw::Events observer(server.port(), std::string("app=probe-observer&subscribeAll=true&") + api_key);
  REQUIRE(observer.open());

  auto ws1 = std::make_unique<raw::Events>(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(ws1->open());
  REQUIRE(http.post("/ari/channels?" + support::query_of(support::recorded_request("reconnect", "POST", "/ari/channels", 0)))
              .status == 200);
  REQUIRE_FALSE(ws1->until([&](const json::object& e) { return raw::is(e, "StasisStart", id); }).empty());

  // ws2 takes the app: ws1 hears ApplicationReplaced, then nothing, and stays open.
  auto ws2 = std::make_unique<raw::Events>(server.port(), "app=probe", "dialer:dialer");
  REQUIRE(ws2->open());
  const auto replaced = ws1->next();
  REQUIRE(replaced);
  CHECK(raw::is(*replaced, "ApplicationReplaced"));
  CHECK(replaced->at("application").as_string() == "probe");
  CHECK(replaced->size() == 4);  // type, timestamp, application, asterisk_id
  CHECK(http.post("/ari/channels/" + id + "/variable?variable=PROBE_MARK&value=after-ws2").status == 204);
  const auto mark = ws2->next();
  REQUIRE(mark);
  CHECK(raw::is(*mark, "ChannelVarset", id));
  CHECK_FALSE(ws1->next(100ms));
  CHECK_FALSE(ws1->ended(0ms));
  check_story(ws1->received(), "reconnect.ws1.jsonl", id);
  check_story(ws2->received(), "reconnect.ws2.jsonl", id);

  // Both gone: the call stays up and in the app; events are dropped meanwhile.
  ws1.reset();
  ws2.reset();
  for (int i = 0; i < 100 && server.websocket_count() != 1; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(server.websocket_count() == 1);  // the observer
  const auto app = http.get("/ari/applications/probe");
  REQUIRE(app.status == 200);
  CHECK(app.obj().at("channel_ids") == json::array{id, id + ";2"});
  CHECK(http.post("/ari/channels/" + id + "/variable?variable=PROBE_MARK&value=while-down").status == 204);
  // An originate now is accepted, rings, answers and is dropped (cause 0).
  REQUIRE(http.post("/ari/channels?" + support::query_of(support::recorded_request("reconnect", "POST", "/ari/channels", 1)))
              .status == 200);
  REQUIRE_FALSE(observer.until(destroyed(late)).empty());
  check_story(observer.received(), "reconnect.observer.jsonl", late);

  // ws3: no replay, no StasisStart; live events resume; REST tells what was missed.
  raw::Events ws3(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(ws3.open());
  CHECK(http.get("/ari/channels/" + id + "/variable?variable=PROBE_MARK").obj().at("value").as_string() == "while-down");
  CHECK(http.post("/ari/channels/" + id + "/variable?variable=PROBE_MARK&value=after-reconnect").status == 204);
  CHECK(http.del("/ari/channels/" + id).status == 204);
  REQUIRE_FALSE(ws3.until(destroyed(id)).empty());
  check_story(ws3.received(), "reconnect.ws3.jsonl", id);
  check_spec(ws3.received());
  check_spec(observer.received());
}

TEST_CASE("WebSocket handshake: 401 with bad credentials, 400 without app, basic auth accepted") {
  ari::LoopbackAri server;
  CHECK(raw::Events(server.port(), "app=probe&api_key=dialer:bad").handshake_status() == 401);
  CHECK(raw::Events(server.port(), "app=probe").handshake_status() == 401);
  CHECK(raw::Events(server.port(), "api_key=dialer:dialer").handshake_status() == 400);
  CHECK(raw::Events(server.port(), "app=probe", "dialer:dialer").open());
}

TEST_CASE("agents answer at once (no ringing) and stay up; an extension the dialplan lacks fails with no Dial") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/150@agents&app=probe&appArgs=agent,150&channelId=ag").status == 200);
  const auto start = events.until([](const json::object& e) { return raw::is(e, "StasisStart", "ag"); });
  REQUIRE_FALSE(start.empty());
  CHECK(start.back().at("args") == json::array{"agent", "150"});
  const auto story = support::channel_story(start, "ag");
  CHECK(story == std::vector<std::string>{"Dial()", "ChannelVarset(AGENT=150)", "ChannelStateChange(Up)", "Dial(ANSWER)",
                                          "ChannelVarset(STASISSTATUS=)", "StasisStart[\"agent\",\"150\"]"});

  REQUIRE(http.post("/ari/channels?endpoint=Local/99@agents&app=probe&channelId=bad-ext").status == 200);
  const auto failed = events.until(destroyed("bad-ext"));
  REQUIRE_FALSE(failed.empty());
  CHECK(support::channel_story(failed, "bad-ext") == std::vector<std::string>{"ChannelDestroyed(0 Unknown)"});
  CHECK(server.live_channel_ids() == std::vector<std::string>{"ag"});
  check_spec(events.received());
}

TEST_CASE("digit 7 without an originate timeout: the far end gives up after 60 s (scaled), Dial NOANSWER, cause 19") {
  ari::LoopbackAri server(scaled(0.002));
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/5557@customers&app=probe&channelId=n7&timeout=-1").status == 200);
  const auto got = events.until(destroyed("n7"));
  REQUIRE_FALSE(got.empty());
  const auto story = support::channel_story(got, "n7");
  REQUIRE(story.size() >= 3);
  CHECK(story[story.size() - 3] == "ChannelHangupRequest(19)");
  CHECK(story[story.size() - 2] == "Dial(NOANSWER)");
  CHECK(story.back() == "ChannelDestroyed(19 User alerting, no answer)");
}

TEST_CASE("a long call (digit 9) outlives a normal one (digit 1)") {
  ari::LoopbackAri server(scaled(0.01));
  raw::Http http(server.port());
  raw::Events events(server.port(), std::string("app=probe&") + api_key);
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/5559@customers&app=probe&channelId=long").status == 200);
  REQUIRE(http.post("/ari/channels?endpoint=Local/5551@customers&app=probe&channelId=normal").status == 200);
  REQUIRE_FALSE(events.until(destroyed("normal")).empty());
  CHECK(server.live_channel_ids() == std::vector<std::string>{"long"});
}
