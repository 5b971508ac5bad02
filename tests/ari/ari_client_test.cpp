// The ARI client over real sockets against a minimal HTTP responder: the
// keep-alive pool, its limits and timeouts, the retry of a request that met a
// connection the server had closed, error mapping, and credentials.
#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "dialer/ari/client.hpp"
#include "mini_responder.hpp"

using namespace dialer;
using namespace dialer::ari;
using namespace dialer::ari::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "s3cret-Pa55";

// An io_context on its own thread, as an embedder runs the transport.
struct IoThread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  // Lets the transport finish closing its sockets, then stops.
  ~IoThread() {
    work.reset();
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!io.stopped() && std::chrono::steady_clock::now() < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    io.stop();
    thread.join();
  }
};

ClientOptions options_for(const std::string& url) {
  ClientOptions o;
  o.base_url = url;
  o.user = "dialer";
  o.password = kPassword;
  o.app = "dialer-test";
  o.request_timeout = 2000ms;
  o.connect_timeout = 1000ms;
  o.reconnect_initial = 20ms;
  o.reconnect_max = 100ms;
  return o;
}

template <class T>
Result<T> wait(std::future<Result<T>>& f) {
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  return f.get();
}

template <class T>
std::pair<Callback<T>, std::future<Result<T>>> expect() {
  auto p = std::make_shared<std::promise<Result<T>>>();
  auto f = p->get_future();
  return {[p](Result<T> r) { p->set_value(std::move(r)); }, std::move(f)};
}

const char* kChannel = R"({"id":"dialer-1","name":"Local/914155550100@customers-00000000;1","state":"Down"})";

// A free local port with nothing listening.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

}  // namespace

TEST_SUITE("ari") {
  TEST_CASE("sequential REST requests share one keep-alive connection") {
    MiniResponder server([](const auto&) { return Reply{200, "[]"}; });
    IoThread t;
    auto client = Client::create(t.io.get_executor(), options_for(server.base_url())).value();
    for (int i = 0; i < 50; ++i) {
      auto [cb, f] = expect<std::vector<Channel>>();
      client->list_channels(cb);
      auto r = wait(f);
      REQUIRE(r);
      CHECK(r->empty());
    }
    CHECK(server.connections() == 1);
    CHECK(server.requests() == 50);
    CHECK(client->stats().connections_opened == 1);
  }

  TEST_CASE("concurrent requests open no more connections than the pool allows") {
    MiniResponder server([](const auto&) { return Reply{200, "[]"}; });
    server.delay(5ms);
    IoThread t;
    auto o = options_for(server.base_url());
    o.max_connections = 3;
    auto client = Client::create(t.io.get_executor(), o).value();
    std::vector<std::future<Result<std::vector<Channel>>>> futures;
    for (int i = 0; i < 60; ++i) {
      auto [cb, f] = expect<std::vector<Channel>>();
      client->list_channels(cb);
      futures.push_back(std::move(f));
    }
    for (auto& f : futures) CHECK(wait(f));
    CHECK(server.connections() <= 3);
    CHECK(server.connections() >= 1);
    CHECK(server.requests() == 60);
  }

  TEST_CASE("one new connection per request when keep-alive is off") {
    MiniResponder server([](const auto&) { return Reply{200, "[]"}; });
    IoThread t;
    auto o = options_for(server.base_url());
    o.keep_alive = false;
    auto client = Client::create(t.io.get_executor(), o).value();
    for (int i = 0; i < 10; ++i) {
      auto [cb, f] = expect<std::vector<Channel>>();
      client->list_channels(cb);
      REQUIRE(wait(f));
    }
    CHECK(server.connections() == 10);
  }

  TEST_CASE("a request slower than its timeout fails with Errc::timeout") {
    MiniResponder server([](const auto&) { return Reply{200, "[]"}; });
    server.delay(3000ms);
    IoThread t;
    auto o = options_for(server.base_url());
    o.request_timeout = 100ms;
    auto client = Client::create(t.io.get_executor(), o).value();
    auto [cb, f] = expect<std::vector<Channel>>();
    client->list_channels(cb);
    auto r = wait(f);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == make_error_code(Errc::timeout));
    CHECK(client->stats().requests_failed == 1);
  }

  TEST_CASE("a kept-alive connection the server closed is retried once on a fresh one") {
    MiniResponder server([](const auto&) { return Reply{200, "[]"}; });
    server.drop_after_each(true);
    IoThread t;
    auto client = Client::create(t.io.get_executor(), options_for(server.base_url())).value();
    for (int i = 0; i < 10; ++i) {
      auto [cb, f] = expect<std::vector<Channel>>();
      client->list_channels(cb);
      REQUIRE(wait(f));
      // Let the server's close arrive before the next request reuses the socket.
      std::this_thread::sleep_for(5ms);
    }
    CHECK(server.requests() == 10);
    CHECK(client->stats().requests_failed == 0);
    CHECK(client->stats().requests_retried + server.connections() >= 10);
  }

  TEST_CASE("requests to a server that is not there fail with Errc::unavailable") {
    IoThread t;
    auto client =
        Client::create(t.io.get_executor(), options_for("http://127.0.0.1:" + std::to_string(closed_port())))
            .value();
    for (int i = 0; i < 3; ++i) {
      auto [cb, f] = expect<void>();
      client->hang_up("dialer-1", 16, cb);
      auto r = wait(f);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == make_error_code(Errc::unavailable));
    }
  }

  TEST_CASE("hanging up a channel that is already gone is success; other errors are typed") {
    MiniResponder server([](const http::request<http::string_body>& req) {
      if (req.method() == http::verb::delete_) return Reply{404, R"({"message":"Channel not found"})"};
      if (req.target().find("/addChannel") != std::string_view::npos) {
        return Reply{422, R"({"message":"Channel not in Stasis application"})"};
      }
      return Reply{409, R"({"message":"Channel with given unique ID already exists"})"};
    });
    IoThread t;
    auto client = Client::create(t.io.get_executor(), options_for(server.base_url())).value();
    auto [hcb, hf] = expect<void>();
    client->hang_up("dialer-1", 16, hcb);
    CHECK(wait(hf));
    auto [acb, af] = expect<void>();
    client->add_channel("dialer-b2", "dialer-1;2", acb);
    auto added = wait(af);
    REQUIRE_FALSE(added);
    CHECK(added.error().code == make_error_code(Errc::invalid_transition));
    CHECK(added.error().detail.find("Channel not in Stasis application") != std::string::npos);
    auto [ocb, of] = expect<Channel>();
    client->originate({"Local/914155550100@customers", "dialer-1", "", "", 30s, {}}, ocb);
    auto o = wait(of);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == make_error_code(Errc::conflict));
  }

  TEST_CASE("originate sends the spec's parameters, and variables in a JSON body") {
    std::mutex m;
    std::string target, body, content_type;
    MiniResponder server([&](const http::request<http::string_body>& req) {
      std::lock_guard<std::mutex> lock(m);
      target = std::string(req.target());
      body = req.body();
      content_type = std::string(req[http::field::content_type]);
      return Reply{200, kChannel};
    });
    IoThread t;
    auto client = Client::create(t.io.get_executor(), options_for(server.base_url())).value();
    auto [cb, f] = expect<Channel>();
    client->originate({"Local/914155550100@customers", "dialer-1", "customer,7", "Acme <5551000>", 25s,
                       {{"DIALER_CALL", "7"}}},
                      cb);
    auto r = wait(f);
    REQUIRE(r);
    CHECK(r->id == "dialer-1");
    std::lock_guard<std::mutex> lock(m);
    CHECK(target ==
          "/ari/channels?endpoint=Local%2F914155550100%40customers&app=dialer-test&appArgs=customer%2C7"
          "&callerId=Acme%20%3C5551000%3E&timeout=25&channelId=dialer-1");
    CHECK(boost::json::parse(body) == boost::json::parse(R"({"variables":{"DIALER_CALL":"7"}})"));
    CHECK(content_type == "application/json");
  }

  TEST_CASE("credentials travel only in the Authorization header and never reach the logs") {
    std::mutex m;
    std::vector<std::string> seen;  // targets and headers as the server saw them
    MiniResponder server([&](const http::request<http::string_body>& req) {
      std::lock_guard<std::mutex> lock(m);
      seen.push_back(std::string(req.target()));
      seen.push_back(std::string(req[http::field::authorization]));
      return Reply{401, R"({"message":"Authentication required"})"};
    });
    IoThread t;
    std::vector<std::string> logs;
    auto o = options_for(server.base_url());
    o.log = [&](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(m);
      logs.emplace_back(line);
    };
    auto client = Client::create(t.io.get_executor(), o).value();
    auto [cb, f] = expect<AsteriskInfo>();
    client->asterisk_info(cb);
    auto r = wait(f);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == make_error_code(Errc::unavailable));
    CHECK(r.error().message().find(kPassword) == std::string::npos);
    // The event stream is refused too (this server speaks no WebSocket).
    std::promise<Error> down;
    StreamHandlers h;
    h.on_disconnected = [&down, once = std::make_shared<std::once_flag>()](const Error& e, bool) {
      std::call_once(*once, [&] { down.set_value(e); });
    };
    client->start(h);
    auto why = down.get_future();
    REQUIRE(why.wait_for(10s) == std::future_status::ready);
    CHECK(why.get().message().find(kPassword) == std::string::npos);
    client->stop();
    std::lock_guard<std::mutex> lock(m);
    REQUIRE(seen.size() >= 2);
    CHECK(seen[0] == "/ari/asterisk/info");
    CHECK(seen[1] == "Basic ZGlhbGVyOnMzY3JldC1QYTU1");  // base64("dialer:s3cret-Pa55")
    CHECK_FALSE(logs.empty());
    for (const auto& line : logs) {
      CAPTURE(line);
      CHECK(line.find(kPassword) == std::string::npos);
    }
  }

  TEST_CASE("api_key mode sends the key in the query and keeps it out of the logs") {
    std::mutex m;
    std::vector<std::string> targets;
    MiniResponder server([&](const http::request<http::string_body>& req) {
      std::lock_guard<std::mutex> lock(m);
      targets.emplace_back(req.target());
      return Reply{200, "[]"};
    });
    IoThread t;
    std::vector<std::string> logs;
    auto o = options_for(server.base_url());
    o.auth = AuthMode::api_key;
    o.log = [&](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(m);
      logs.emplace_back(line);
    };
    auto client = Client::create(t.io.get_executor(), o).value();
    auto [cb, f] = expect<std::vector<Channel>>();
    client->list_channels(cb);
    REQUIRE(wait(f));
    std::promise<void> down;
    StreamHandlers h;
    h.on_disconnected = [&down, once = std::make_shared<std::once_flag>()](const Error&, bool) {
      std::call_once(*once, [&] { down.set_value(); });
    };
    client->start(h);
    REQUIRE(down.get_future().wait_for(10s) == std::future_status::ready);
    client->stop();
    std::lock_guard<std::mutex> lock(m);
    REQUIRE(targets.size() >= 2);
    CHECK(targets[0] == "/ari/channels?api_key=dialer%3As3cret-Pa55");
    CHECK(targets[1] == "/ari/events?app=dialer-test&api_key=dialer%3As3cret-Pa55");
    for (const auto& line : logs) {
      CAPTURE(line);
      CHECK(line.find(kPassword) == std::string::npos);
    }
  }

  TEST_CASE("create refuses options it cannot work with") {
    IoThread t;
    auto bad_url = options_for("ftp://127.0.0.1:1");
    CHECK(Client::create(t.io.get_executor(), bad_url).error().code == make_error_code(Errc::invalid_argument));
    auto https = options_for("https://127.0.0.1:1");
    CHECK_FALSE(Client::create(t.io.get_executor(), https));
    auto no_app = options_for("http://127.0.0.1:1");
    no_app.app.clear();
    CHECK_FALSE(Client::create(t.io.get_executor(), no_app));
    auto no_pool = options_for("http://127.0.0.1:1");
    no_pool.max_connections = 0;
    CHECK_FALSE(Client::create(t.io.get_executor(), no_pool));
  }

  TEST_CASE("no handler runs after stop() returns") {
    MiniResponder server([](const auto&) { return Reply{200, "[]"}; });
    server.delay(50ms);
    IoThread t;
    auto client = Client::create(t.io.get_executor(), options_for(server.base_url())).value();
    std::atomic<int> calls{0};
    for (int i = 0; i < 20; ++i) client->list_channels([&](auto) { ++calls; });
    client->stop();
    const int at_stop = calls.load();
    std::this_thread::sleep_for(200ms);
    CHECK(calls.load() == at_stop);
  }
}
