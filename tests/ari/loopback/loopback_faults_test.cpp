// The loopback ARI server's faults and introspection: what the ARI client's
// robustness tests rely on.
#include "loopback_ari.hpp"
#include "raw_client.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

namespace ari = dialer::testing::ari;
namespace raw = ari::raw;
namespace support = ari::support;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const char* const events_query = "app=dialer-test&api_key=dialer:dialer";

ari::LoopbackAriOptions scaled(double s) {
  ari::LoopbackAriOptions o;
  o.time_scale = s;
  return o;
}

auto stasis_start(const std::string& channel) {
  return [channel](const json::object& e) { return raw::is(e, "StasisStart", channel); };
}

void wait_for_websockets(const ari::LoopbackAri& server, std::size_t n) {
  for (int i = 0; i < 200 && server.websocket_count() != n; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(server.websocket_count() == n);
}

}  // namespace

TEST_CASE("drop_websockets closes the event socket without a close frame; calls stay up and can be re-synced") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  REQUIRE(server.websocket_count() == 1);
  REQUIRE(http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=d1").status == 200);
  REQUIRE_FALSE(events.until(stasis_start("d1")).empty());

  server.drop_websockets();
  const auto how = events.ended();
  REQUIRE(how);
  CHECK(*how != "closed");  // no close frame: a TCP-level end
  CHECK(server.websocket_count() == 0);
  CHECK(server.live_channel_ids() == std::vector<std::string>{"d1"});
  const auto app = http.get("/ari/applications/dialer-test");
  REQUIRE(app.status == 200);
  CHECK(app.obj().at("channel_ids") == json::array{"d1", "d1;2"});

  raw::Events again(server.port(), events_query);
  REQUIRE(again.open());
  CHECK(http.del("/ari/channels/d1").status == 204);
  const auto end = again.until([](const json::object& e) { return raw::is(e, "ChannelDestroyed", "d1"); });
  REQUIRE_FALSE(end.empty());
  CHECK(std::none_of(end.begin(), end.end(), [](const json::object& e) { return raw::is(e, "StasisStart"); }));
}

TEST_CASE("refuse_connections accepts and closes new connections until lifted; open ones keep working") {
  ari::LoopbackAri server;
  raw::Http kept(server.port());
  REQUIRE(kept.get("/ari/asterisk/info").status == 200);
  server.refuse_connections(true);
  raw::Http fresh(server.port());
  const auto r = fresh.get("/ari/asterisk/info");
  CHECK_FALSE(r.transport_ok);
  CHECK_FALSE(raw::Events(server.port(), events_query).open());
  CHECK(kept.get("/ari/asterisk/info").status == 200);
  server.refuse_connections(false);
  CHECK(fresh.get("/ari/asterisk/info").status == 200);
  CHECK(raw::Events(server.port(), events_query).open());
}

TEST_CASE("set_response_delay holds REST answers back while the request's events already flow") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  server.set_response_delay(300ms);
  const auto before = std::chrono::steady_clock::now();
  const auto r = http.post("/ari/channels?endpoint=Local/5555@customers&app=dialer-test&channelId=slow");
  const auto elapsed = std::chrono::steady_clock::now() - before;
  REQUIRE(r.status == 200);
  // A lower bound the server guarantees, not a performance claim.
  CHECK(elapsed >= 300ms);
  // The busy outcome happened at once, long before the delayed 200.
  const auto got = events.received();
  CHECK(std::any_of(got.begin(), got.end(), [](const json::object& e) { return raw::is(e, "ChannelDestroyed", "slow"); }));
  server.set_response_delay(0ms);
  CHECK(http.get("/ari/channels").status == 200);
}

TEST_CASE("fail_next answers the next matching requests with the status and no effect, then recovers") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);  // else the call is dropped at answer
  REQUIRE(events.open());
  server.fail_next("POST", "/ari/channels", 503, 2);
  auto r = http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=f1");
  CHECK(r.status == 503);
  CHECK(r.message() == "Service Unavailable");
  CHECK(http.get("/ari/channels").status == 200);  // another method is not affected
  r = http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=f1");
  CHECK(r.status == 503);
  CHECK(server.originate_count() == 0);
  CHECK(server.live_channel_count() == 0);
  r = http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=f1");
  CHECK(r.status == 200);
  CHECK(server.originate_count() == 1);

  // A prefix covers the paths under it.
  server.fail_next("DELETE", "/ari/channels", 500);
  r = http.del("/ari/channels/f1");
  CHECK(r.status == 500);
  CHECK(r.message() == "Internal Server Error");
  CHECK(server.live_channel_count() == 1);
  CHECK(http.del("/ari/channels/f1").status == 204);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 6);
  CHECK(requests[0].status == 503);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/ari/channels");
  CHECK(requests[5].status == 204);
}

TEST_CASE("restart_asterisk: channels and bridges vanish without events, sockets drop, startup_time changes") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  const std::string started = server.startup_time();
  REQUIRE(http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=r1").status == 200);
  REQUIRE_FALSE(events.until(stasis_start("r1")).empty());
  REQUIRE(http.post("/ari/bridges?bridgeId=rb").status == 200);
  REQUIRE(http.post("/ari/bridges/rb/addChannel?channel=r1").status == 204);
  events.until([](const json::object& e) { return raw::is(e, "ChannelEnteredBridge", "r1"); });

  std::this_thread::sleep_for(2ms);  // startup_time has millisecond resolution
  server.restart_asterisk();
  REQUIRE(events.ended());
  const auto after = events.received();
  CHECK(std::none_of(after.begin(), after.end(), [](const json::object& e) {
    return raw::is(e, "ChannelDestroyed") || raw::is(e, "BridgeDestroyed") || raw::is(e, "StasisEnd");
  }));
  CHECK(server.live_channel_count() == 0);
  CHECK(server.startup_time() != started);
  CHECK(server.websocket_count() == 0);

  raw::Http fresh(server.port());
  CHECK(fresh.get("/ari/channels").json.as_array().empty());
  CHECK(fresh.get("/ari/bridges").json.as_array().empty());
  CHECK(fresh.get("/ari/applications").json.as_array().empty());
  CHECK(fresh.get("/ari/channels/r1").status == 404);
  CHECK(fresh.get("/ari/asterisk/info").obj().at("status").at("startup_time").as_string() == server.startup_time());
  // The old keep-alive connection was cut too; a client reconnects.
  CHECK(http.get("/ari/asterisk/info").status == 200);
}

TEST_CASE("hang_up_channel: the far end hangs up an answered call with the given cause") {
  ari::LoopbackAri server(scaled(0.1));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=x1").status == 200);
  REQUIRE_FALSE(events.until(stasis_start("x1")).empty());
  server.hang_up_channel("x1", 17);
  const auto got = events.until([](const json::object& e) { return raw::is(e, "ChannelDestroyed", "x1"); });
  REQUIRE_FALSE(got.empty());
  CHECK(support::channel_story(got, "x1") ==
        std::vector<std::string>{"ChannelHangupRequest(17)", "StasisEnd", "ChannelVarset(STASISSTATUS=SUCCESS)",
                                 "ChannelDestroyed(17 User busy)"});
  CHECK(server.live_channel_count() == 0);

  // While ringing: Dial gets the status that cause means.
  REQUIRE(http.post("/ari/channels?endpoint=Local/5557@customers&app=dialer-test&channelId=x2&timeout=-1").status == 200);
  events.until([](const json::object& e) {
    return raw::is(e, "Dial", "x2") && e.at("dialstatus").as_string() == "RINGING";
  });
  server.hang_up_channel("x2", 34);
  const auto ringing = events.until([](const json::object& e) { return raw::is(e, "ChannelDestroyed", "x2"); });
  const auto story = support::channel_story(ringing, "x2");
  REQUIRE(story.size() >= 2);
  CHECK(story[story.size() - 2] == "Dial(CONGESTION)");
  CHECK(story.back() == "ChannelDestroyed(34 Circuit/channel congestion)");
  server.hang_up_channel("no-such-channel");  // nothing to do, no harm
}

TEST_CASE("introspection counts originates and live channels, and lists endpoints in order") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/0115559@customers&app=dialer-test&channelId=i1").status == 200);
  REQUIRE(http.post("/ari/channels?endpoint=Local/95555@customers&app=dialer-test&channelId=i2").status == 200);
  REQUIRE(http.post("/ari/channels?endpoint=Bogus/1&app=dialer-test").status == 500);
  CHECK(server.originate_count() == 2);
  CHECK(server.originated_endpoints() ==
        std::vector<std::string>{"Local/0115559@customers", "Local/95555@customers"});
  events.until([](const json::object& e) { return raw::is(e, "ChannelDestroyed", "i2"); });
  CHECK(server.live_channel_count() == 1);
  CHECK(server.live_channel_ids() == std::vector<std::string>{"i1"});
  CHECK(server.options().app == "dialer-test");
  wait_for_websockets(server, 1);
}

TEST_CASE("silence_websockets: a half-open socket answers no ping and carries no event, until replaced") {
  ari::LoopbackAri server(scaled(0.02));
  raw::Http http(server.port());
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  CHECK(events.ping());
  server.silence_websockets();
  CHECK(server.websocket_count() == 0);
  // Waiting for something that must not come: a pong or an event.
  CHECK_FALSE(events.ping(300ms));
  REQUIRE(http.post("/ari/channels?endpoint=Local/5559@customers&app=dialer-test&channelId=q1").status == 200);
  CHECK_FALSE(events.next(300ms));
  CHECK_FALSE(events.ended(0ms));  // still connected as far as TCP goes
  // The app was still bound to the silent socket: the call entered Stasis.
  CHECK(server.live_channel_ids() == std::vector<std::string>{"q1"});

  raw::Events fresh(server.port(), events_query);
  REQUIRE(fresh.open());
  CHECK(fresh.ping());
  CHECK(http.del("/ari/channels/q1").status == 204);
  CHECK_FALSE(fresh.until([](const json::object& e) { return raw::is(e, "ChannelDestroyed", "q1"); }).empty());
}

TEST_CASE("send_raw_event puts any text frame on the app's socket") {
  ari::LoopbackAri server;
  raw::Events events(server.port(), events_query);
  REQUIRE(events.open());
  CHECK(server.send_raw_event("dialer-test", R"({"type":"SomethingNew","application":"dialer-test","x":1})"));
  CHECK(server.send_raw_event("dialer-test", "not json"));
  CHECK_FALSE(server.send_raw_event("no-socket-app", "{}"));
  const auto first = events.next();
  REQUIRE(first);
  CHECK(raw::is(*first, "SomethingNew"));
  const auto second = events.next();
  REQUIRE(second);
  CHECK(raw::is(*second, "<unparsable frame>"));
}
