// A minimal HTTP/1.1 responder on 127.0.0.1 for the ARI client's tests and
// benchmarks: every request gets what `reply` says, on keep-alive connections
// (or, on demand, connections it drops silently after each answer, as a
// server closing idle keep-alive connections does). Runs on its own thread.
#pragma once

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace dialer::ari::test {

namespace http = boost::beast::http;

struct Reply {
  int status = 200;
  std::string body;
};

class MiniResponder {
 public:
  using Handler = std::function<Reply(const http::request<http::string_body>&)>;

  explicit MiniResponder(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~MiniResponder() {
    io_.stop();
    thread_.join();
  }
  MiniResponder(const MiniResponder&) = delete;
  MiniResponder& operator=(const MiniResponder&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::uint64_t connections() const { return connections_; }
  std::uint64_t requests() const { return requests_; }
  /// Silently close each connection after its answer (keep-alive announced).
  void drop_after_each(bool on) { drop_ = on; }
  /// Answer each request this much later.
  void delay(std::chrono::milliseconds d) { delay_ms_ = d.count(); }
  /// CPU seconds (user + system) its thread has used so far, read on that
  /// thread: lets a benchmark tell the responder's cost from the client's.
  double thread_cpu_seconds() {
    std::promise<double> p;
    boost::asio::post(io_, [&p] {
      rusage u{};
      getrusage(RUSAGE_THREAD, &u);
      p.set_value(static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                  static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6);
    });
    return p.get_future().get();
  }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    Session(MiniResponder& r, boost::asio::ip::tcp::socket s)
        : owner(r), socket(std::move(s)), timer(owner.io_) {}
    MiniResponder& owner;
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;

    void read() {
      req = {};
      http::async_read(socket, buffer, req, [self = shared_from_this()](auto ec, std::size_t) {
        if (ec) return;
        ++self->owner.requests_;
        Reply r = self->owner.handler_(self->req);
        self->res = http::response<http::string_body>(static_cast<http::status>(r.status), 11);
        self->res.keep_alive(self->req.keep_alive());
        if (!r.body.empty()) self->res.set(http::field::content_type, "application/json");
        self->res.body() = std::move(r.body);
        self->res.prepare_payload();
        const auto delay = self->owner.delay_ms_.load();
        if (delay > 0) {
          self->timer.expires_after(std::chrono::milliseconds(delay));
          self->timer.async_wait([self](auto) { self->write(); });
        } else {
          self->write();
        }
      });
    }
    void write() {
      http::async_write(socket, res, [self = shared_from_this()](auto ec, std::size_t) {
        if (ec) return;
        if (self->owner.drop_ || !self->res.keep_alive()) {
          boost::system::error_code ignored;
          self->socket.close(ignored);
          return;
        }
        self->read();
      });
    }
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      ++connections_;
      std::make_shared<Session>(*this, std::move(s))->read();
      accept();
    });
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<bool> drop_{false};
  std::atomic<std::int64_t> delay_ms_{0};
};

}  // namespace dialer::ari::test
