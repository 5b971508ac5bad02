#include "http_server.hpp"

#include <chrono>
#include <deque>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url.hpp>

#include "api.hpp"
#include "json_mapping.hpp"
#include "log.hpp"

namespace dialerd {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kHttpIdle = std::chrono::seconds{60};
constexpr auto kHeartbeatEvery = std::chrono::seconds{10};
constexpr auto kSilentLimit = std::chrono::seconds{30};
/// A panel this far behind is dropped (it reconnects and gets a snapshot).
constexpr std::size_t kMaxQueuedFrames = 10000;

class PanelSession final : public PanelConnection, public std::enable_shared_from_this<PanelSession> {
 public:
  PanelSession(beast::tcp_stream&& stream, Api& api, dialer::AgentId agent)
      : ws_(std::move(stream)), api_(api), agent_(agent), heartbeat_(ws_.get_executor()) {}

  void start(Request req) {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds{10};
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(64 * 1024);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "dialerd"); }));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->open_ = true;
      self->last_heard_ = std::chrono::steady_clock::now();
      self->api_.on_panel_open(self, self->agent_);
      self->read();
      self->tick();
    });
  }

  void send_text(std::string text) override {
    if (!open_) return;
    if (queue_.size() >= kMaxQueuedFrames) {
      log(LogLevel::warn, "panel_too_slow", {{"agent", dialer::to_string(agent_)}});
      close();
      return;
    }
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) write();
  }

  void close() override {
    if (!open_) return;
    open_ = false;
    heartbeat_.cancel();
    api_.on_panel_close(this, agent_);
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }

 private:
  void write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->lost();
      self->queue_.pop_front();
      if (!self->queue_.empty() && self->open_) self->write();
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->lost();
      self->last_heard_ = std::chrono::steady_clock::now();
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->open_) self->api_.on_panel_message(*self, self->agent_, text);
      if (self->open_) self->read();
    });
  }

  void tick() {
    heartbeat_.expires_after(kHeartbeatEvery);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->open_) return;
      if (std::chrono::steady_clock::now() - self->last_heard_ > kSilentLimit) {
        log(LogLevel::info, "panel_silent", {{"agent", dialer::to_string(self->agent_)}});
        return self->close();
      }
      self->api_hub_heartbeat();
      self->tick();
    });
  }

  void api_hub_heartbeat() {
    boost::json::object m{{"type", "heartbeat"}, {"at", format_time(std::chrono::system_clock::now())}, {"v", 1}};
    m["seq"] = next_seq();
    send_text(boost::json::serialize(m));
  }

  void lost() {
    if (!open_) return;
    open_ = false;
    heartbeat_.cancel();
    api_.on_panel_close(this, agent_);
  }

  websocket::stream<beast::tcp_stream> ws_;
  Api& api_;
  dialer::AgentId agent_;
  asio::steady_timer heartbeat_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool open_ = false;
  std::chrono::steady_clock::time_point last_heard_{};
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, Api& api, std::size_t max_body)
      : stream_(std::move(socket)), api_(api), max_body_(max_body) {}

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(max_body_);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(kHttpIdle);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    if (ec) {
      // Too large, or not HTTP: say so once, then close.
      unsigned status = ec == http::error::body_limit ? 413 : 400;
      auto res = std::make_shared<Response>(static_cast<http::status>(status), 11);
      res->set(http::field::content_type, "application/json");
      res->body() = error_body(status == 413 ? "payload_too_large" : "invalid_argument",
                               status == 413 ? "the request body is larger than the server accepts"
                                             : "malformed HTTP request: " + ec.message());
      res->keep_alive(false);
      res->prepare_payload();
      http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
      return;
    }
    Request req = parser_->release();
    if (websocket::is_upgrade(req)) {
      auto parsed = boost::urls::parse_origin_form(req.target());
      if (parsed && parsed->encoded_path() == "/api/v1/ws") {
        auto session = api_.websocket_session(req.target());
        if (session) {
          std::make_shared<PanelSession>(std::move(stream_), api_, session->agent)->start(std::move(req));
          return;
        }
        Response res{http::status::unauthorized, req.version()};
        res.set(http::field::content_type, "application/json");
        res.set(http::field::www_authenticate, "Bearer");
        res.body() = error_body("unauthorized", "a valid agent token is required (?token=...)");
        res.keep_alive(false);
        res.prepare_payload();
        return write(std::move(res));
      }
    }
    api_.handle(std::move(req), [self = shared_from_this()](Response res) { self->write(std::move(res)); });
  }

  void write(Response res) {
    auto r = std::make_shared<Response>(std::move(res));
    stream_.expires_after(kHttpIdle);
    http::async_write(stream_, *r, [self = shared_from_this(), r](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!r->keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->read();
    });
  }

  beast::tcp_stream stream_;
  Api& api_;
  std::size_t max_body_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Api& api, std::size_t max_body_bytes)
    : io_(io), api_(api), max_body_bytes_(max_body_bytes), acceptor_(io) {}

dialer::Result<void> HttpServer::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return dialer::Error{dialer::Errc::invalid_argument, "cannot resolve listen host " + host};
    }
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint ep{address, port};
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return dialer::Error{dialer::Errc::unavailable,
                         "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message()};
  }
  accept();
  return {};
}

tcp::endpoint HttpServer::local_endpoint() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::stop_accepting() {
  beast::error_code ec;
  acceptor_.close(ec);
}

void HttpServer::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<HttpSession>(std::move(socket), api_, max_body_bytes_)->start();
    } else if (ec == asio::error::no_descriptors) {
      log(LogLevel::error, "accept_failed", {{"error", ec.message()}});
    }
    if (acceptor_.is_open()) accept();
  });
}

}  // namespace dialerd
