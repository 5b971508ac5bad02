// The loopback ARI server's REST resources answer as Asterisk 22 does: the
// spec's paths, status codes and models, and the error bodies of the captures.
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

void check_model(const char* model, const json::value& v, const char* where) {
  const auto problems = support::spec().check(model, v, where);
  for (const auto& p : problems) INFO(p);
  CHECK(problems.empty());
}

ari::LoopbackAriOptions fast() {
  ari::LoopbackAriOptions o;
  o.time_scale = 0.02;
  return o;
}

}  // namespace

TEST_CASE("asterisk/info answers an AsteriskInfo of the spec, and `only` selects sections") {
  ari::LoopbackAri server;
  raw::Http http(server.port());
  const auto info = http.get("/ari/asterisk/info");
  REQUIRE(info.status == 200);
  CHECK(info.headers.at("Content-Type") == "application/json");
  check_model("AsteriskInfo", info.json, "info");
  CHECK(info.obj().at("status").at("startup_time").as_string() == server.startup_time());

  const auto only = http.get("/ari/asterisk/info?only=system,status");
  REQUIRE(only.status == 200);
  CHECK(only.obj().size() == 2);
  CHECK(only.obj().contains("system"));
  CHECK(only.obj().at("system").at("version").as_string() == "22.10.1");

  const auto ping = http.get("/ari/asterisk/ping");
  REQUIRE(ping.status == 200);
  check_model("AsteriskPing", ping.json, "ping");
}

TEST_CASE("credentials: basic auth or api_key pass, anything else is 401 Authentication required") {
  ari::LoopbackAri server;
  raw::Http good(server.port());
  CHECK(good.get("/ari/asterisk/info").status == 200);

  const auto none = good.request("GET", "/ari/asterisk/info", {}, {}, false);
  CHECK(none.status == 401);
  CHECK(none.message() == "Authentication required");
  CHECK(none.headers.at("WWW-Authenticate") == "Basic realm=\"Asterisk REST Interface\"");

  CHECK(good.request("GET", "/ari/asterisk/info?api_key=dialer:dialer", {}, {}, false).status == 200);
  CHECK(good.request("GET", "/ari/asterisk/info?api_key=dialer:wrong", {}, {}, false).status == 401);
  CHECK(good.request("GET", "/ari/asterisk/info?api_key=dialer", {}, {}, false).status == 401);

  raw::Http bad(server.port(), "dialer", "wrong");
  CHECK(bad.get("/ari/asterisk/info").status == 401);
  // Basic auth, when sent, decides even if api_key is right.
  CHECK(bad.get("/ari/asterisk/info?api_key=dialer:dialer").status == 401);
  // Authentication comes before routing.
  CHECK(bad.get("/ari/no-such-thing").status == 401);
}

TEST_CASE("routing: unknown paths 404 Resource not found, wrong methods 405, a trailing slash 404") {
  ari::LoopbackAri server;
  raw::Http http(server.port());
  auto r = http.get("/ari/no-such-resource");
  CHECK(r.status == 404);
  CHECK(r.message() == "Resource not found");
  CHECK(http.get("/ari/channels/x/no-such-action").status == 404);

  r = http.request("PUT", "/ari/channels");
  CHECK(r.status == 405);
  CHECK(r.message() == "Invalid method");
  CHECK(r.headers.at("Allow") == "GET,POST");

  r = http.get("/ari/channels/");
  CHECK(r.status == 404);
  CHECK(r.message() == "ARI URLs do not end with a slash. Try /ari/channels");

  // Real Asterisk resources the loopback does not emulate say so.
  r = http.get("/ari/endpoints");
  CHECK(r.status == 501);
  CHECK(r.message() == "Method not implemented");

  CHECK(http.get("/not-ari").status == 404);
  // The events resource without a WebSocket upgrade, or with another method.
  CHECK(http.get("/ari/events?app=x").status == 426);
  CHECK(http.post("/ari/events?app=x").status == 405);
}

TEST_CASE("every operation of the spec is routed: emulated ones answer, the rest 501, nothing 404 or 405") {
  ari::LoopbackAri server;
  raw::Http http(server.port());
  std::size_t emulated = 0;
  for (const auto& op : support::spec().operations()) {
    const auto space = op.find(' ');
    const std::string method = op.substr(0, space);
    std::string path = op.substr(space + 1);
    if (path == "/events") continue;  // the WebSocket, tested in the events tests
    // Fill every {var} with a name that exists nowhere.
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{'))
      path.replace(open, path.find('}', open) - open + 1, "zz-none");
    const auto r = http.request(method, "/ari" + path);
    INFO(op << " -> " << r.status << " " << r.body);
    CHECK(r.transport_ok);
    CHECK(r.status != 405);
    if (r.status == 404) CHECK(r.message() != "Resource not found");
    if (r.status != 501) ++emulated;
  }
  CHECK(emulated >= 20);
}

TEST_CASE("originate answers 200 at once with a Channel in state Down, and a reused channelId 409") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  // With no socket for the app the answered call would be dropped at once.
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");
  REQUIRE(events.open());
  const auto r = http.post(
      "/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=c-1&callerId=" +
      raw::enc("Probe Dialer <5551000>") + "&timeout=30");
  REQUIRE(r.status == 200);
  check_model("Channel", r.json, "channel");
  const auto& ch = r.obj();
  CHECK(ch.at("id").as_string() == "c-1");
  CHECK(ch.at("state").as_string() == "Down");
  CHECK(std::string(ch.at("name").as_string()).rfind("Local/90123456789@customers-", 0) == 0);
  CHECK(std::string(ch.at("name").as_string()).substr(ch.at("name").as_string().size() - 2) == ";1");
  CHECK(ch.at("dialplan").at("context").as_string() == "customers");
  CHECK(ch.at("dialplan").at("exten").as_string() == "90123456789");
  CHECK(ch.at("dialplan").at("app_name").as_string() == "AppDial2");
  CHECK(ch.at("caller").at("name").as_string() == "Probe Dialer");
  CHECK(ch.at("caller").at("number").as_string() == "5551000");
  CHECK(server.originate_count() == 1);
  CHECK(server.originated_endpoints() == std::vector<std::string>{"Local/90123456789@customers"});

  const auto dup = http.post("/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=c-1");
  CHECK(dup.status == 409);
  CHECK(dup.message() == "Channel with given unique ID already exists");
  // The ;2 half's id is taken too.
  CHECK(http.post("/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=" + raw::enc("c-1;2"))
            .status == 409);
  CHECK(server.originate_count() == 1);

  // Both halves are channels; GET finds the originated one.
  const auto list = http.get("/ari/channels");
  REQUIRE(list.status == 200);
  CHECK(list.json.as_array().size() == 2);
  for (const auto& c : list.json.as_array()) check_model("Channel", c, "list[]");
  CHECK(http.get("/ari/channels/c-1").status == 200);
  CHECK(http.get("/ari/channels/" + raw::enc("c-1;2")).status == 200);
  CHECK(server.live_channel_count() == 1);
  CHECK(http.del("/ari/channels/c-1").status == 204);
}

TEST_CASE("originate errors: the messages and codes of resource_channels.c and the captures") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  auto r = http.post("/ari/channels?app=probe");
  CHECK(r.status == 400);
  CHECK(r.message() == "Endpoint must be specified");
  r = http.post("/ari/channels?endpoint=Local/90123456780@customers");
  CHECK(r.status == 400);
  CHECK(r.message() == "Application or extension must be specified");
  r = http.post("/ari/channels?endpoint=Bogus/123&app=probe");
  CHECK(r.status == 500);
  CHECK(r.obj().at("error").as_string() == "Allocation failed");
  CHECK_FALSE(r.obj().contains("message"));
  r = http.post("/ari/channels?endpoint=Local&app=probe");
  CHECK(r.status == 400);
  CHECK(r.message() == "Invalid endpoint specified");
  r = http.post("/ari/channels?endpoint=Local/1@customers&app=probe&channelId=" + std::string(150, 'x'));
  CHECK(r.status == 400);
  CHECK(r.message() == "Uniqueid length exceeds maximum of 149");
  r = http.request("POST", "/ari/channels?endpoint=Local/1@customers&app=probe", R"({"variables": {"A": 1}})",
                   "application/json");
  CHECK(r.status == 400);
  CHECK(r.message() == "Only string values in the 'variables' object allowed");
  r = http.request("POST", "/ari/channels", "{not json", "application/json");
  CHECK(r.status == 400);
  CHECK(server.originate_count() == 0);
  CHECK(server.live_channel_count() == 0);
}

TEST_CASE("originate with the id in the path, a JSON body and variables") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");  // else dropped at answer
  REQUIRE(events.open());
  const auto r = http.request("POST", "/ari/channels/by-path?app=probe&otherChannelId=by-path-2",
                              R"({"endpoint": "Local/90123456789@customers", "variables": {"CAMPAIGN": "c7"}})",
                              "application/json");
  REQUIRE(r.status == 200);
  CHECK(r.obj().at("id").as_string() == "by-path");
  CHECK(http.get("/ari/channels/by-path-2").status == 200);
  const auto v = http.get("/ari/channels/by-path/variable?variable=CAMPAIGN");
  REQUIRE(v.status == 200);
  check_model("Variable", v.json, "variable");
  CHECK(v.obj().at("value").as_string() == "c7");
  CHECK(server.originated_endpoints() == std::vector<std::string>{"Local/90123456789@customers"});
  CHECK(http.del("/ari/channels/by-path").status == 204);
}

TEST_CASE("hangup: 204, then 404 once gone; reasons map to causes, a bad reason is 400") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");  // else dropped at answer
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=h1").status == 200);
  auto r = http.del("/ari/channels/h1?reason=bogus");
  CHECK(r.status == 400);
  CHECK(r.message() == "Invalid reason for hangup provided");
  CHECK(http.del("/ari/channels/h1?reason=normal&reason_code=16").status == 400);
  CHECK(http.del("/ari/channels/h1?reason_code=16").status == 204);
  r = http.del("/ari/channels/h1");
  CHECK(r.status == 404);
  CHECK(r.message() == "Channel not found");
  r = http.get("/ari/channels/h1");
  CHECK(r.status == 404);
  CHECK(r.message() == "Channel not found");
  CHECK(server.live_channel_count() == 0);
}

TEST_CASE("answer, play and variables need a channel in Stasis: 404 unknown, 409 not in Stasis") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  // A long call into an app with a socket: in Stasis after the 1 s (scaled) ring.
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=s1").status == 200);

  auto r = http.post("/ari/channels/nope/answer");
  CHECK(r.status == 404);
  CHECK(r.message() == "Channel not found");
  // The ;2 half exists but is never in Stasis.
  r = http.post("/ari/channels/" + raw::enc("s1;2") + "/answer");
  CHECK(r.status == 409);
  CHECK(r.message() == "Channel not in Stasis application");
  CHECK(http.post("/ari/channels/" + raw::enc("s1;2") + "/play?media=sound:beep").status == 409);
  CHECK(http.post("/ari/channels/" + raw::enc("s1;2") + "/variable?variable=X&value=1").status == 409);

  REQUIRE_FALSE(events.until([](const json::object& e) { return raw::is(e, "StasisStart", "s1"); }).empty());
  CHECK(http.post("/ari/channels/s1/answer").status == 204);

  r = http.get("/ari/channels/s1/variable");
  CHECK(r.status == 400);
  CHECK(r.message() == "Variable name is required");
  r = http.get("/ari/channels/s1/variable?variable=NEVER_SET");
  CHECK(r.status == 404);
  CHECK(r.message() == "Provided variable was not found");
  r = http.get("/ari/channels/nope/variable?variable=X");
  CHECK(r.status == 404);
  CHECK(r.message() == "Provided channel was not found");
  CHECK(http.get("/ari/channels/s1/variable?variable=DIALED").obj().at("value").as_string() == "90123456789");
  CHECK(http.post("/ari/channels/s1/variable?variable=MARK&value=m1").status == 204);
  CHECK(http.get("/ari/channels/s1/variable?variable=MARK").obj().at("value").as_string() == "m1");
  const auto varset = events.until([](const json::object& e) {
    return raw::is(e, "ChannelVarset", "s1") && e.at("variable").as_string() == "MARK";
  });
  REQUIRE_FALSE(varset.empty());
  CHECK(varset.back().at("value").as_string() == "m1");

  r = http.post("/ari/channels/s1/play?media=sound:beep&playbackId=pb1");
  REQUIRE(r.status == 201);
  check_model("Playback", r.json, "playback");
  CHECK(r.obj().at("state").as_string() == "queued");
  CHECK(r.obj().at("target_uri").as_string() == "channel:s1");
  CHECK(r.headers.at("Location") == "/playbacks/pb1");
  CHECK(http.post("/ari/channels/s1/play?media=sound:beep&skipms=-1").status == 400);
  CHECK(http.del("/ari/channels/s1").status == 204);
}

TEST_CASE("answer and play on a ringing channel are 409: it enters Stasis only when answered") {
  ari::LoopbackAri server;  // real time: it rings for the whole test
  raw::Http http(server.port());
  // Ringing, not yet in Stasis (digit 7 rings until the timeout).
  REQUIRE(http.post("/ari/channels?endpoint=Local/90123456787@customers&app=probe&channelId=r1").status == 200);
  CHECK(http.post("/ari/channels/r1/answer").status == 409);
  CHECK(http.post("/ari/channels/r1/play?media=sound:beep").status == 409);
  CHECK(http.del("/ari/channels/r1").status == 204);
}

TEST_CASE("bridges: create, list, get, duplicate 409, addChannel and removeChannel errors, destroy") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");
  REQUIRE(events.open());

  auto r = http.post("/ari/bridges?type=mixing&bridgeId=b1&name=call");
  REQUIRE(r.status == 200);
  check_model("Bridge", r.json, "bridge");
  CHECK(r.obj().at("technology").as_string() == "simple_bridge");
  CHECK(r.obj().at("bridge_type").as_string() == "mixing");
  CHECK(r.obj().at("bridge_class").as_string() == "stasis");
  CHECK(r.obj().at("channels").as_array().empty());
  r = http.post("/ari/bridges?type=mixing&bridgeId=b1");
  CHECK(r.status == 409);
  CHECK(r.message() == "Bridge with id 'b1' already exists");
  r = http.post("/ari/bridges/b2?type=holding");
  REQUIRE(r.status == 200);
  CHECK(r.obj().at("id").as_string() == "b2");
  r = http.post("/ari/bridges");
  REQUIRE(r.status == 200);  // no id: Asterisk makes one up
  CHECK_FALSE(r.obj().at("id").as_string().empty());
  CHECK(http.get("/ari/bridges").json.as_array().size() == 3);

  r = http.post("/ari/bridges/nope/addChannel?channel=x");
  CHECK(r.status == 404);
  CHECK(r.message() == "Bridge not found");
  r = http.post("/ari/bridges/b1/addChannel?channel=does-not-exist");
  CHECK(r.status == 400);
  CHECK(r.message() == "Channel not found");
  r = http.post("/ari/bridges/b1/addChannel");
  CHECK(r.status == 400);
  CHECK(r.message() == "Missing parameter channel");

  REQUIRE(http.post("/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=k1").status == 200);
  REQUIRE(http.post("/ari/channels?endpoint=Local/101@agents&app=probe&channelId=a1").status == 200);
  events.until([](const json::object& e) { return raw::is(e, "StasisStart", "k1"); });
  r = http.post("/ari/bridges/b1/addChannel?channel=" + raw::enc("k1;2"));
  CHECK(r.status == 422);
  CHECK(r.message() == "Channel not in Stasis application");
  CHECK(http.post("/ari/bridges/b1/addChannel?channel=k1,a1").status == 204);
  CHECK(http.post("/ari/bridges/b1/addChannel?channel=k1").status == 204);  // again: 204, as recorded
  events.until([](const json::object& e) { return raw::is(e, "ChannelEnteredBridge", "a1"); });
  r = http.get("/ari/bridges/b1");
  REQUIRE(r.status == 200);
  CHECK(r.obj().at("channels").as_array().size() == 2);

  r = http.post("/ari/bridges/b2/removeChannel?channel=k1");
  CHECK(r.status == 422);
  CHECK(r.message() == "Channel not in this bridge");
  CHECK(http.post("/ari/bridges/b1/removeChannel?channel=k1").status == 204);
  const auto left = events.until([](const json::object& e) { return raw::is(e, "ChannelLeftBridge", "k1"); });
  REQUIRE_FALSE(left.empty());
  CHECK(left.back().at("bridge").at("id").as_string() == "b1");

  CHECK(http.del("/ari/bridges/b1").status == 204);
  r = http.del("/ari/bridges/b1");
  CHECK(r.status == 404);
  CHECK(r.message() == "Bridge not found");
  CHECK(http.get("/ari/bridges/b1").status == 404);
  const auto destroyed = events.until([](const json::object& e) { return raw::is(e, "BridgeDestroyed"); });
  REQUIRE_FALSE(destroyed.empty());
  // a1 was put out of the bridge first, and stays in Stasis.
  CHECK(std::any_of(destroyed.begin(), destroyed.end(),
                    [](const json::object& e) { return raw::is(e, "ChannelLeftBridge", "a1"); }));
  CHECK(http.post("/ari/channels/a1/answer").status == 204);
  CHECK(http.del("/ari/channels/a1").status == 204);
  CHECK(http.del("/ari/channels/k1").status == 204);
}

TEST_CASE("applications list the app of a socket with its channels; an unknown app is 404") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  auto r = http.get("/ari/applications/probe");
  CHECK(r.status == 404);
  CHECK(r.message() == "Application not found");
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");
  REQUIRE(events.open());
  REQUIRE(http.post("/ari/channels?endpoint=Local/90123456789@customers&app=probe&channelId=ap1").status == 200);
  r = http.get("/ari/applications");
  REQUIRE(r.status == 200);
  REQUIRE(r.json.as_array().size() == 1);
  check_model("Application", r.json.as_array()[0], "app");
  r = http.get("/ari/applications/probe");
  REQUIRE(r.status == 200);
  CHECK(r.obj().at("channel_ids") == json::array{"ap1", "ap1;2"});
  CHECK(http.del("/ari/channels/ap1").status == 204);
}

TEST_CASE("keep-alive: many requests share one connection") {
  ari::LoopbackAri server;
  raw::Http http(server.port());
  for (int i = 0; i < 20; ++i) REQUIRE(http.get("/ari/channels").status == 200);
  CHECK(http.connections_opened() == 1);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 20);
  CHECK(requests.front().method == "GET");
  CHECK(requests.front().path == "/ari/channels");
  CHECK(requests.front().status == 200);
}

TEST_CASE("the recorded error scenario replays request by request: same statuses, same bodies") {
  ari::LoopbackAri server(fast());
  raw::Http http(server.port());
  raw::Events events(server.port(), "app=probe&api_key=dialer:dialer");
  REQUIRE(events.open());
  int replayed = 0;
  for (const auto& rec : support::read_jsonl("errors.http.jsonl")) {
    const std::string method = support::str(rec.at("method"));
    if (method.find("WebSocket") != std::string::npos) continue;  // handshakes: the events tests
    const std::string path = support::str(rec.at("path"));
    const bool has_query = !rec.at("query").as_object().empty();
    const int status = static_cast<int>(rec.at("status").as_int64());
    // The probe sent the 401 case without credentials.
    const auto r = http.request(method, path + (has_query ? "?" + support::query_of(rec) : std::string{}), {}, {},
                                status != 401);
    INFO(method << " " << path << " " << support::str(rec.at("query")) << " -> " << r.status << " " << r.body);
    CHECK(r.status == status);
    if (rec.at("body").is_null())
      CHECK(r.body.empty());
    else
      CHECK(support::comparable(r.json) == support::comparable(rec.at("body")));
    ++replayed;
    // The probe's next requests came a second later, when this call was up in Stasis.
    if (r.status == 200 && path == "/ari/channels")
      events.until([](const json::object& e) { return raw::is(e, "StasisStart", "probe-dup"); });
  }
  CHECK(replayed == 21);
}
