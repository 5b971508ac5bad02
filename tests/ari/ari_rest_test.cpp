// The REST side: every operation the client sends exists in Asterisk's spec
// with its method and parameters; targets are encoded; answers map to typed
// errors per operation; recorded answers parse.
#include <doctest/doctest.h>

#include "ari_test_data.hpp"
#include "dialer/ari/rest.hpp"

using namespace dialer;
using namespace dialer::ari;
using namespace dialer::ari::test;

namespace {

std::error_code code(Errc e) { return make_error_code(e); }

Result<void> status_of(Operation op, int status, std::string body = {}) {
  return check_status(op, Response{status, std::move(body), false});
}

}  // namespace

TEST_SUITE("ari") {
  TEST_CASE("every REST path, method and parameter the client uses is in the spec") {
    const char* files[] = {"channels.json", "bridges.json", "asterisk.json", "applications.json",
                           "events.json"};
    std::vector<boost::json::object> specs;
    for (const char* f : files) specs.push_back(spec(f));
    for (const OperationSpec& op : operations()) {
      CAPTURE(to_string(op.op));
      const boost::json::object* found = nullptr;
      for (const auto& s : specs) {
        for (const auto& api : s.at("apis").as_array()) {
          if (api.at("path").as_string() != op.path) continue;
          for (const auto& o : api.at("operations").as_array()) {
            if (o.at("httpMethod").as_string() == op.method) found = &o.as_object();
          }
        }
      }
      REQUIRE_MESSAGE(found != nullptr, op.method, " ", op.path, " is not in the spec");
      auto has_param = [&](std::string_view name, std::string_view type) {
        for (const auto& p : found->at("parameters").as_array()) {
          if (p.at("name").as_string() == name && p.at("paramType").as_string() == type) return true;
        }
        return false;
      };
      for (std::string_view q : op.query) {
        CAPTURE(q);
        CHECK(has_param(q, "query"));
      }
      for (std::string_view b : op.body) {
        CAPTURE(b);
        CHECK(has_param(b, "body"));
      }
      // Path placeholders are the spec's path parameters.
      std::string_view path = op.path;
      for (auto open = path.find('{'); open != std::string_view::npos; open = path.find('{', open + 1)) {
        const auto close = path.find('}', open);
        CHECK(has_param(path.substr(open + 1, close - open - 1), "path"));
      }
    }
    CHECK(operations().size() == 17);
  }

  TEST_CASE("targets fill path arguments and percent-encode ids and values") {
    Request r{Operation::originate, {}, {{"endpoint", "Local/914155550100@customers"},
                                         {"app", "dialer-test"},
                                         {"callerId", "Acme <5551000>"},
                                         {"channelId", "dialer-7"}}, {}, true};
    auto t = build_target(r, "/asterisk/");
    REQUIRE(t);
    CHECK(*t == "/asterisk/ari/channels?endpoint=Local%2F914155550100%40customers&app=dialer-test"
                "&callerId=Acme%20%3C5551000%3E&channelId=dialer-7");
    auto h = build_target(Request{Operation::hangup, {"probe-dup;2"}, {{"reason_code", "16"}}, {}, true});
    REQUIRE(h);
    CHECK(*h == "/ari/channels/probe-dup%3B2?reason_code=16");
    auto add = build_target(Request{Operation::add_channel, {"b 1"}, {{"channel", "a,b"}}, {}, true});
    REQUIRE(add);
    CHECK(*add == "/ari/bridges/b%201/addChannel?channel=a%2Cb");
  }

  TEST_CASE("a request the operation table does not allow is refused") {
    auto unknown = build_target(Request{Operation::hangup, {"c1"}, {{"bogus", "1"}}, {}, true});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == code(Errc::invalid_argument));
    auto missing = build_target(Request{Operation::hangup, {}, {}, {}, true});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == code(Errc::invalid_argument));
    auto empty = build_target(Request{Operation::hangup, {""}, {}, {}, true});
    CHECK_FALSE(empty);
    auto extra = build_target(Request{Operation::list_channels, {"x"}, {}, {}, true});
    CHECK_FALSE(extra);
    auto body = build_target(Request{Operation::hangup, {"c"}, {}, "{}", true});
    CHECK_FALSE(body);
  }

  TEST_CASE("HTTP statuses map to typed errors per operation") {
    CHECK(status_of(Operation::originate, 200));
    CHECK(status_of(Operation::hangup, 204));
    SUBCASE("ending what is already gone is success") {
      CHECK(status_of(Operation::hangup, 404, R"({"message":"Channel not found"})"));
      CHECK(status_of(Operation::destroy_bridge, 404, R"({"message":"Bridge not found"})"));
      CHECK(status_of(Operation::remove_channel, 422));
    }
    SUBCASE("the same status means different things on different operations") {
      CHECK(status_of(Operation::add_channel, 400, R"({"message":"Channel not found"})").error().code ==
            code(Errc::not_found));
      CHECK(status_of(Operation::originate, 400, R"({"message":"Endpoint must be specified"})").error().code ==
            code(Errc::invalid_argument));
      CHECK(status_of(Operation::get_channel, 404).error().code == code(Errc::not_found));
      CHECK(status_of(Operation::add_channel, 404).error().code == code(Errc::not_found));
    }
    SUBCASE("conflicts, wrong states, server failures") {
      CHECK(status_of(Operation::originate, 409).error().code == code(Errc::conflict));
      CHECK(status_of(Operation::answer, 412).error().code == code(Errc::invalid_transition));
      CHECK(status_of(Operation::add_channel, 422).error().code == code(Errc::invalid_transition));
      CHECK(status_of(Operation::originate, 500, R"({"error":"Allocation failed"})").error().code ==
            code(Errc::unavailable));
      CHECK(status_of(Operation::originate, 503).error().code == code(Errc::unavailable));
      CHECK(status_of(Operation::originate, 418).error().code == code(Errc::protocol_error));
    }
    SUBCASE("the detail names the operation and Asterisk's message") {
      auto e = status_of(Operation::originate, 500, R"({"error":"Allocation failed"})");
      CHECK(e.error().detail == "ARI originate answered 500: Allocation failed");
      auto auth = status_of(Operation::asterisk_info, 401, R"({"message":"Authentication required"})");
      CHECK(auth.error().code == code(Errc::unavailable));
      CHECK(auth.error().detail.find("password") != std::string::npos);
    }
  }

  TEST_CASE("error bodies give their message or error text") {
    CHECK(error_text(R"({"message":"Channel not found"})") == "Channel not found");
    CHECK(error_text(R"({"error":"Allocation failed"})") == "Allocation failed");
    CHECK(error_text("plain text") == "plain text");
    CHECK(error_text(std::string(500, 'x')).size() == 200);
  }

  TEST_CASE("response parsers refuse what is not the object they expect") {
    CHECK_FALSE(parse_channel("[]"));
    CHECK_FALSE(parse_channel(R"({"name":"no id"})"));
    CHECK_FALSE(parse_channels(R"({"id":"x"})"));
    CHECK_FALSE(parse_channels(R"([{"id":"x"}, 5])"));
    CHECK_FALSE(parse_bridge("nope"));
    CHECK_FALSE(parse_variable(R"({"value":5})"));
    CHECK_FALSE(parse_asterisk_info("[]"));
    CHECK_FALSE(parse_application_channels(R"({"channel_ids":"x"})"));
    CHECK(parse_channel("{").error().code == code(Errc::protocol_error));
    auto info = parse_asterisk_info(
        R"({"system":{"entity_id":"02:fc","version":"22.10.1"},"status":{"startup_time":"2026-11-21T22:00:00.000+0000"}})");
    REQUIRE(info);
    CHECK(info->entity_id == "02:fc");
    CHECK(info->version == "22.10.1");
    CHECK(info->startup_time == "2026-11-21T22:00:00.000+0000");
  }

  TEST_CASE("every recorded REST answer maps and parses as the client expects") {
    std::size_t checked = 0;
    for (const auto& file : captures(".http.jsonl")) {
      CAPTURE(file.filename().string());
      for (const std::string& line : read_lines(file)) {
        const auto rec = boost::json::parse(line).as_object();
        const std::string method(rec.at("method").as_string());
        const std::string path(rec.at("path").as_string());
        const int status = static_cast<int>(rec.at("status").to_number<std::int64_t>());
        if (method.find("WebSocket") != std::string::npos) continue;
        const std::string body = rec.at("body").is_null() ? "" : boost::json::serialize(rec.at("body"));
        CAPTURE(line);
        const bool ok_status = status >= 200 && status < 300;
        const std::size_t depth = static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
        if (method == "POST" && path == "/ari/channels") {
          CHECK(static_cast<bool>(status_of(Operation::originate, status, body)) == ok_status);
          if (ok_status) CHECK(parse_channel(body));
          if (status == 409) CHECK(status_of(Operation::originate, status, body).error().code == code(Errc::conflict));
          ++checked;
        } else if (method == "DELETE" && path.rfind("/ari/channels/", 0) == 0 && depth == 3) {
          CHECK(status_of(Operation::hangup, status, body));  // 204, or 404 when gone: both fine
          ++checked;
        } else if (method == "GET" && path.rfind("/ari/channels/", 0) == 0 && depth == 3) {
          if (ok_status) CHECK(parse_channel(body));
          else CHECK(status_of(Operation::get_channel, status, body).error().code == code(Errc::not_found));
          ++checked;
        } else if (method == "GET" && path.find("/variable") != std::string::npos) {
          if (ok_status) CHECK(parse_variable(body));
          ++checked;
        } else if (method == "POST" && path == "/ari/bridges") {
          CHECK(static_cast<bool>(status_of(Operation::create_bridge, status, body)) == ok_status);
          if (ok_status) CHECK(parse_bridge(body));
          ++checked;
        } else if (method == "POST" && path.find("/addChannel") != std::string::npos) {
          auto r = status_of(Operation::add_channel, status, body);
          CHECK(static_cast<bool>(r) == ok_status);
          if (status == 400) CHECK(r.error().code == code(Errc::not_found));
          if (status == 422) CHECK(r.error().code == code(Errc::invalid_transition));
          ++checked;
        } else if (method == "DELETE" && path.rfind("/ari/bridges/", 0) == 0) {
          CHECK(status_of(Operation::destroy_bridge, status, body));
          ++checked;
        } else if (method == "GET" && path.rfind("/ari/bridges/", 0) == 0) {
          if (ok_status) CHECK(parse_bridge(body));
          ++checked;
        } else if (method == "POST" && path.find("/play") != std::string::npos) {
          if (ok_status) CHECK(parse_playback(body));
          ++checked;
        } else if (method == "GET" && path.rfind("/ari/applications/", 0) == 0) {
          if (ok_status) CHECK(parse_application_channels(body));
          else CHECK(status_of(Operation::get_application, status, body).error().code == code(Errc::not_found));
          ++checked;
        } else if (method == "GET" && path == "/ari/asterisk/info") {
          CHECK(status_of(Operation::asterisk_info, status, body).error().code == code(Errc::unavailable));
          ++checked;
        }
      }
    }
    CHECK(checked >= 40);
  }
}
