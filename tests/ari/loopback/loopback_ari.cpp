// The network side of the loopback ARI server: one io thread, an acceptor,
// HTTP/1.1 keep-alive sessions for REST, WebSocket sessions for /ari/events,
// authentication and the injected faults. What the REST calls do and which
// events follow is emulated_asterisk.cpp.
#include "loopback_ari.hpp"

#include "emulated_asterisk.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <deque>
#include <future>
#include <optional>
#include <thread>

namespace dialer::testing::ari {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* server_name = "Asterisk/22.10.1";

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  int bits = 0;
  unsigned value = 0;
  for (char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z') d = c - 'A';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
    else if (c >= '0' && c <= '9') d = c - '0' + 52;
    else if (c == '+') d = 62;
    else if (c == '/') d = 63;
    else if (c == '=') break;
    else return std::nullopt;
    value = (value << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xffu));
    }
  }
  return out;
}

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

}  // namespace

class HttpSession;
class WsSession;

class LoopbackAri::Impl {
 public:
  explicit Impl(LoopbackAriOptions o)
      : options(std::move(o)), acceptor(ioc), pbx(ioc, options) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept();
    thread = std::thread([this] { ioc.run(); });
    io_thread_id = thread.get_id();
  }

  ~Impl() {
    call([this] {
      beast::error_code ec;
      acceptor.close(ec);
      close_websockets();
      close_http();
      pbx.restart();
      ioc.stop();
    });
    thread.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Runs `f` on the io thread and returns its result.
  template <class F>
  auto call(F f) -> decltype(f()) {
    if (std::this_thread::get_id() == io_thread_id) return f();
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(ioc, [&task] { task(); });
    return result.get();
  }

  void accept();
  void close_websockets();
  void close_http();
  Response handle_http(const Request& req);
  std::optional<Response> check_upgrade(const Request& req, std::vector<std::string>& apps, bool& subscribe_all,
                                        bool& ari_protocol);

  LoopbackAriOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  detail::EmulatedAsterisk pbx;
  std::uint16_t port = 0;
  std::thread thread;
  std::thread::id io_thread_id;

  // Faults and records, touched on the io thread only.
  bool refuse = false;
  std::chrono::milliseconds delay{0};
  struct FailRule {
    std::string method, prefix;
    int status;
    int remaining;
  };
  std::deque<FailRule> fails;
  std::vector<RecordedRequest> requests;
  std::vector<std::weak_ptr<HttpSession>> http_sessions;
  std::vector<std::weak_ptr<WsSession>> ws_sessions;
  std::vector<std::shared_ptr<WsSession>> silenced;  // kept open with no operation pending

 private:
  bool authenticated(const Request& req, const std::map<std::string, std::string>& query) const;
  Response make_response(const Request& req, const detail::RestResponse& r) const;
};

// ---------------------------------------------------------------------------
// One event WebSocket: frames go out in publish order, one write at a time.

class WsSession : public detail::EventSink, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream stream, LoopbackAri::Impl& impl) : ws_(std::move(stream)), impl_(impl) {}

  void start(Request req, std::vector<std::string> apps, bool subscribe_all, bool ari_protocol) {
    req_ = std::move(req);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator([ari_protocol](websocket::response_type& res) {
      res.set(http::field::server, server_name);
      if (ari_protocol) res.set(http::field::sec_websocket_protocol, "ari");
    }));
    ws_.text(true);
    // The app is registered as the upgrade is accepted, before the 101 is
    // written: events from then on wait in the queue for the handshake.
    open_ = true;
    impl_.pbx.attach(shared_from_this(), apps, subscribe_all);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->drop();
      self->accepted_ = true;
      if (!self->queue_.empty() && !self->writing_) self->write_next();
      self->read();
    });
  }

  void send(std::string text) override {
    if (!open_ || silent_) return;
    queue_.push_back(std::move(text));
    if (accepted_ && !writing_) write_next();
  }

  bool is_open() const { return open_ && !silent_; }

  // Stops reading (so pings go unanswered) and writing; the socket stays open.
  void silence() {
    if (!open_) return;
    silent_ = true;
    queue_.clear();
    // Nothing more is read (a ping finds no one to answer it), nothing is
    // written, and no FIN goes out: shut down the receiving side only.
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_receive, ec);
    beast::get_lowest_layer(ws_).socket().cancel(ec);
  }

  // Closes the TCP connection without a close frame.
  void drop() {
    if (open_) impl_.pbx.detach(this);
    open_ = false;
    queue_.clear();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->silent_) return;  // keep the connection, never read again
      if (ec) return self->drop();
      self->buffer_.clear();  // Asterisk ignores what a client sends on this socket
      self->read();
    });
  }

  void write_next() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->silent_) return;
      if (ec) return self->drop();
      if (!self->queue_.empty()) self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  LoopbackAri::Impl& impl_;
  Request req_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool open_ = false;
  bool accepted_ = false;
  bool silent_ = false;
};

// ---------------------------------------------------------------------------
// One HTTP/1.1 connection: requests answered in order, kept alive.

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, LoopbackAri::Impl& impl)
      : stream_(std::move(socket)), impl_(impl), timer_(impl.ioc) {}

  void start() { read(); }

  void close() {
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(1024 * 1024);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec || closed_) return close();
    Request req = parser_->release();
    if (websocket::is_upgrade(req)) {
      std::vector<std::string> apps;
      bool subscribe_all = false, ari_protocol = false;
      auto refused = impl_.check_upgrade(req, apps, subscribe_all, ari_protocol);
      if (!refused) {
        auto ws = std::make_shared<WsSession>(std::move(stream_), impl_);
        std::erase_if(impl_.ws_sessions, [](const auto& w) { return w.expired(); });
        impl_.ws_sessions.push_back(ws);
        ws->start(std::move(req), std::move(apps), subscribe_all, ari_protocol);
        closed_ = true;
        return;
      }
      return write(std::make_shared<Response>(std::move(*refused)));
    }
    auto res = std::make_shared<Response>(impl_.handle_http(req));
    if (impl_.delay.count() > 0) {
      timer_.expires_after(impl_.delay);
      timer_.async_wait([self = shared_from_this(), res](beast::error_code tec) {
        if (!tec && !self->closed_) self->write(res);
      });
      return;
    }
    write(res);
  }

  void write(std::shared_ptr<Response> res) {
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || self->closed_) return self->close();
      if (res->need_eof()) return self->close();
      self->read();
    });
  }

  beast::tcp_stream stream_;
  LoopbackAri::Impl& impl_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------

void LoopbackAri::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    if (refuse) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      auto session = std::make_shared<HttpSession>(std::move(socket), *this);
      std::erase_if(http_sessions, [](const auto& w) { return w.expired(); });
      http_sessions.push_back(session);
      session->start();
    }
    accept();
  });
}

void LoopbackAri::Impl::close_websockets() {
  for (auto& w : ws_sessions)
    if (auto s = w.lock()) s->drop();
  ws_sessions.clear();
  silenced.clear();
}

void LoopbackAri::Impl::close_http() {
  for (auto& w : http_sessions)
    if (auto s = w.lock()) s->close();
  http_sessions.clear();
}

bool LoopbackAri::Impl::authenticated(const Request& req, const std::map<std::string, std::string>& query) const {
  // res_ari.c authenticate_user: basic auth if present, else ?api_key=user:password.
  const auto auth = req.find(http::field::authorization);
  if (auth != req.end()) {
    const std::string_view value = auth->value();
    if (value.size() < 6 || value.substr(0, 6) != "Basic ") return false;
    const auto decoded = base64_decode(value.substr(6));
    return decoded && *decoded == options.user + ":" + options.password;
  }
  const auto key = query.find("api_key");
  return key != query.end() && key->second == options.user + ":" + options.password;
}

Response LoopbackAri::Impl::make_response(const Request& req, const detail::RestResponse& r) const {
  Response res{static_cast<http::status>(r.status), req.version()};
  res.set(http::field::server, server_name);
  res.set(http::field::cache_control, "no-cache, no-store");
  for (const auto& [k, v] : r.headers) res.set(k, v);
  if (r.body) {
    res.set(http::field::content_type, "application/json");
    res.body() = json::serialize(*r.body);
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

namespace {

struct ParsedTarget {
  std::vector<std::string> segments;  // after /ari
  std::string path;                   // decoded, e.g. /ari/channels/x
  std::map<std::string, std::string> query;
  bool ari = false;
};

std::optional<ParsedTarget> parse_target(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  ParsedTarget out;
  std::vector<std::string> segs;
  for (auto s : url->segments()) segs.push_back(std::string(s));
  out.path = std::string(url->path());
  out.ari = !segs.empty() && segs.front() == "ari";
  if (out.ari) out.segments.assign(segs.begin() + 1, segs.end());
  for (auto p : url->params()) out.query[std::string(p.key)] = p.has_value ? std::string(p.value) : std::string{};
  return out;
}

void merge_form(std::string_view body, std::map<std::string, std::string>& params) {
  const std::string as_target = "/?" + std::string(body);
  auto parsed = boost::urls::parse_origin_form(as_target);
  if (!parsed) return;
  for (auto p : parsed->params())
    if (!params.count(std::string(p.key))) params[std::string(p.key)] = p.has_value ? std::string(p.value) : "";
}

}  // namespace

Response LoopbackAri::Impl::handle_http(const Request& req) {
  auto target = parse_target(req.target());
  detail::RestResponse result;
  std::string path = target ? target->path : std::string(req.target());
  if (!target || !target->ari) {
    // Not under /ari: Asterisk's own HTTP server answers with an HTML 404.
    Response res{http::status::not_found, req.version()};
    res.set(http::field::server, server_name);
    res.set(http::field::content_type, "text/html");
    res.body() = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\r\n";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    requests.push_back({std::string(req.method_string()), path, std::string(req.target()), 404});
    return res;
  }
  detail::RestRequest rr;
  rr.method = std::string(req.method_string());
  rr.segments = target->segments;
  // Form parameters, then the query string over them, then a JSON body over both.
  rr.params = target->query;
  const auto ctype = req[http::field::content_type];
  if (ctype.find("application/x-www-form-urlencoded") != std::string_view::npos) merge_form(req.body(), rr.params);
  bool bad_body = false;
  if (ctype.find("application/json") != std::string_view::npos && !req.body().empty()) {
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    if (ec || !v.is_object()) {
      bad_body = true;
    } else {
      rr.body = v.as_object();
      for (const auto& kv : rr.body) {
        const auto& val = kv.value();
        if (val.is_string()) rr.params[std::string(kv.key())] = std::string(val.as_string());
        else if (val.is_int64() || val.is_uint64() || val.is_bool()) rr.params[std::string(kv.key())] = json::serialize(val);
      }
    }
  }

  if (bad_body) {
    result = detail::error_response(400, "Error parsing request body");
  } else if (!authenticated(req, target->query)) {
    result = detail::error_response(401, "Authentication required");
    result.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Asterisk REST Interface\"");
  } else if (!rr.segments.empty() && rr.segments.back().empty()) {
    std::string slashless = path.substr(5);
    slashless.pop_back();
    result = detail::error_response(404, "ARI URLs do not end with a slash. Try /ari/" + slashless);
  } else {
    auto rule = std::find_if(fails.begin(), fails.end(), [&](const FailRule& f) {
      return f.method == rr.method && path.rfind(f.prefix, 0) == 0;
    });
    if (rule != fails.end()) {
      result.status = rule->status;
      if (rule->status != 204 && rule->status != 304)
        result.body = json::object{{"message", std::string(http::obsolete_reason(static_cast<http::status>(rule->status)))}};
      if (--rule->remaining <= 0) fails.erase(rule);
    } else if (rr.segments.size() == 1 && rr.segments[0] == "events" && rr.method == "GET") {
      result.status = 426;  // the events resource without an upgrade
    } else {
      result = pbx.handle(rr);
    }
  }
  requests.push_back({rr.method, path, std::string(req.target()), result.status});
  return make_response(req, result);
}

std::optional<Response> LoopbackAri::Impl::check_upgrade(const Request& req, std::vector<std::string>& apps,
                                                         bool& subscribe_all, bool& ari_protocol) {
  auto target = parse_target(req.target());
  if (!target || !target->ari || target->segments != std::vector<std::string>{"events"} ||
      req.method() != http::verb::get) {
    // Only /ari/events speaks WebSocket; anything else is an ordinary request.
    return handle_http(req);
  }
  auto reject = [&](int status, const char* message) {
    detail::RestResponse r = detail::error_response(status, message);
    if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Asterisk REST Interface\"");
    return make_response(req, r);
  };
  if (!authenticated(req, target->query)) return reject(401, "Authentication required");
  const auto app = target->query.find("app");
  // The captures record only the status (400); the body's text is the loopback's.
  if (app == target->query.end() || app->second.empty()) return reject(400, "Missing param 'app'");
  std::size_t start = 0;
  while (start <= app->second.size()) {
    const auto comma = app->second.find(',', start);
    auto name = app->second.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) apps.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (apps.empty()) return reject(400, "Missing param 'app'");
  const auto all = target->query.find("subscribeAll");
  if (all != target->query.end()) {
    std::string v;
    for (char c : all->second) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    subscribe_all = v == "yes" || v == "true" || v == "y" || v == "t" || v == "1" || v == "on";
  }
  const auto protocols = req[http::field::sec_websocket_protocol];
  if (!protocols.empty()) {
    if (protocols.find("ari") == std::string_view::npos) return reject(400, "No supported protocol");
    ari_protocol = true;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// The public face

LoopbackAri::LoopbackAri(LoopbackAriOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
LoopbackAri::~LoopbackAri() = default;

std::uint16_t LoopbackAri::port() const { return impl_->port; }
std::string LoopbackAri::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
const LoopbackAriOptions& LoopbackAri::options() const { return impl_->options; }

void LoopbackAri::drop_websockets() {
  impl_->call([this] { impl_->close_websockets(); });
}

void LoopbackAri::silence_websockets() {
  impl_->call([this] {
    for (auto& w : impl_->ws_sessions)
      if (auto s = w.lock(); s && s->is_open()) {
        s->silence();
        impl_->silenced.push_back(s);
      }
  });
}

bool LoopbackAri::send_raw_event(const std::string& app, std::string text) {
  return impl_->call([this, &app, &text] { return impl_->pbx.send_raw(app, std::move(text)); });
}

void LoopbackAri::refuse_connections(bool refuse) {
  impl_->call([this, refuse] { impl_->refuse = refuse; });
}

void LoopbackAri::set_response_delay(std::chrono::milliseconds d) {
  impl_->call([this, d] { impl_->delay = d; });
}

void LoopbackAri::fail_next(std::string method, std::string path_prefix, int status, int count) {
  impl_->call([this, method = std::move(method), prefix = std::move(path_prefix), status, count] {
    if (count > 0) impl_->fails.push_back({method, prefix, status, count});
  });
}

void LoopbackAri::restart_asterisk() {
  impl_->call([this] {
    impl_->close_websockets();
    impl_->close_http();
    impl_->pbx.restart();
  });
}

std::vector<std::string> LoopbackAri::originated_endpoints() const {
  return impl_->call([this] { return impl_->pbx.originated_endpoints(); });
}

std::size_t LoopbackAri::live_channel_count() const {
  return impl_->call([this] { return impl_->pbx.live_originated_ids().size(); });
}

std::size_t LoopbackAri::originate_count() const {
  return impl_->call([this] { return impl_->pbx.originate_count(); });
}

void LoopbackAri::hang_up_channel(const std::string& channel_id, int cause) {
  impl_->call([this, channel_id, cause] { impl_->pbx.far_end_hangup(channel_id, cause); });
}

std::vector<std::string> LoopbackAri::live_channel_ids() const {
  return impl_->call([this] { return impl_->pbx.live_originated_ids(); });
}

std::size_t LoopbackAri::websocket_count() const {
  return impl_->call([this] {
    std::size_t n = 0;
    for (const auto& w : impl_->ws_sessions)
      if (auto s = w.lock(); s && s->is_open()) ++n;
    return n;
  });
}

std::vector<RecordedRequest> LoopbackAri::requests() const {
  return impl_->call([this] { return impl_->requests; });
}

std::string LoopbackAri::startup_time() const {
  return impl_->call([this] { return impl_->pbx.startup_time(); });
}

}  // namespace dialer::testing::ari
