#include "dialer/ari/client.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <random>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace dialer::ari {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8) |
                   static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Appends `s` as a JSON string literal. Bytes ≥ 0x80 pass through as they
// are (UTF-8 stays UTF-8); quotes, backslashes and control characters are
// escaped.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

Error transport_error(std::string_view what, const boost::system::error_code& ec) {
  const bool timed_out = ec == beast::error::timeout || ec == asio::error::timed_out;
  return Error{timed_out ? Errc::timeout : Errc::unavailable,
               "ARI " + std::string(what) + ": " + ec.message()};
}

struct Counter {
  std::atomic<std::uint64_t> n{0};
  void operator++() { n.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t get() const { return n.load(std::memory_order_relaxed); }
};

}  // namespace

struct Client::Impl : std::enable_shared_from_this<Impl> {
  using Strand = asio::strand<asio::any_io_executor>;

  struct Pending {
    // The whole request as it goes on the wire, built once by send(): a
    // Beast message would allocate a node per header field and run its
    // serializer for every request (the pool's hot path).
    std::string wire;
    Callback<Response> done;
    bool retry_safe = false;
    int sends = 0;
  };

  struct Conn {
    explicit Conn(const Strand& s) : stream(s) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    std::optional<Pending> current;
    bool connected = false;
    std::size_t uses = 0;
  };

  struct Ws {
    explicit Ws(const Strand& s) : stream(s) {}
    websocket::stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    http::response<http::string_body> upgrade;
  };

  Impl(asio::any_io_executor ex, ClientOptions o)
      : strand(asio::make_strand(ex)),
        options(std::move(o)),
        resolver(strand),
        reconnect_timer(strand),
        parser(options.max_event_bytes),
        rng(std::random_device{}()) {}

  Strand strand;
  ClientOptions options;
  std::string host, port, base_path, host_header, authorization, events_target,
      events_target_logged;
  // The header lines every REST request carries (Host, User-Agent,
  // Authorization, Connection), and "api_key=..." for AuthMode::api_key.
  std::string fixed_headers, api_key_param;
  tcp::resolver resolver;
  std::optional<tcp::resolver::results_type> endpoints;
  bool resolving = false;
  std::vector<std::function<void(const boost::system::error_code&)>> resolve_waiters;

  // User handlers run under `guard`; stop() takes it, so that once stop()
  // returns none is running and none will start.
  std::recursive_mutex guard;
  bool stopped = false;

  // REST pool (strand only).
  std::deque<Pending> queue;
  std::vector<std::shared_ptr<Conn>> conns;
  std::size_t connecting = 0;

  // Event stream (strand only, except `up`).
  std::shared_ptr<Ws> ws;
  StreamHandlers handlers;
  bool want_stream = false;
  unsigned failures = 0;
  asio::steady_timer reconnect_timer;
  EventParser parser;
  std::mt19937_64 rng;
  std::atomic<bool> up{false};

  Counter requests_sent, requests_failed, requests_retried, connections_opened, stream_connects,
      stream_failures, events_received, events_malformed;

  // ---- helpers ----

  template <class F, class... A>
  void invoke(F& f, A&&... a) {
    std::lock_guard<std::recursive_mutex> lock(guard);
    if (stopped || !f) return;
    f(std::forward<A>(a)...);
  }

  void log(LogLevel level, const std::string& line) { invoke(options.log, level, line); }

  // Resolves the server once; later lookups reuse the answer.
  void with_endpoints(std::function<void(const boost::system::error_code&)> next) {
    if (endpoints) return next({});
    resolve_waiters.push_back(std::move(next));
    if (resolving) return;
    resolving = true;
    resolver.async_resolve(host, port, [self = shared_from_this()](
                                           const boost::system::error_code& ec,
                                           tcp::resolver::results_type results) {
      self->resolving = false;
      if (!ec) self->endpoints = std::move(results);
      auto waiters = std::move(self->resolve_waiters);
      self->resolve_waiters.clear();
      for (auto& w : waiters) w(ec);
    });
  }

  // ---- REST pool ----

  void enqueue(Pending p) {
    if (stopped) return;
    if (queue.size() >= options.max_pending_requests) {
      ++requests_failed;
      invoke(p.done, Result<Response>(Error{Errc::unavailable, "ARI request queue is full"}));
      return;
    }
    queue.push_back(std::move(p));
    pump();
  }

  void pump() {
    while (!queue.empty() && !stopped) {
      auto idle = std::find_if(conns.begin(), conns.end(), [](const std::shared_ptr<Conn>& c) {
        return c->connected && !c->current;
      });
      if (idle != conns.end()) {
        Pending p = std::move(queue.front());
        queue.pop_front();
        start(*idle, std::move(p));
        continue;
      }
      if (conns.size() < options.max_connections && connecting < queue.size()) {
        open();
        continue;
      }
      break;
    }
  }

  void open() {
    auto conn = std::make_shared<Conn>(strand);
    conns.push_back(conn);
    ++connecting;
    with_endpoints([self = shared_from_this(), conn](const boost::system::error_code& rec) {
      if (rec) return self->connect_failed(conn, rec);
      conn->stream.expires_after(self->options.connect_timeout);
      conn->stream.async_connect(
          *self->endpoints,
          [self, conn](const boost::system::error_code& ec, const tcp::endpoint&) {
            if (ec) return self->connect_failed(conn, ec);
            --self->connecting;
            conn->connected = true;
            conn->stream.expires_never();
            conn->stream.socket().set_option(tcp::no_delay(true));
            ++self->connections_opened;
            self->pump();
          });
    });
  }

  void remove(const std::shared_ptr<Conn>& conn) {
    boost::system::error_code ignored;
    conn->stream.socket().close(ignored);
    conns.erase(std::remove(conns.begin(), conns.end(), conn), conns.end());
  }

  // A connection that never opened fails the oldest waiting request, so that
  // callers hear of a dead server at once instead of waiting forever.
  void connect_failed(const std::shared_ptr<Conn>& conn, const boost::system::error_code& ec) {
    --connecting;
    remove(conn);
    if (stopped) return;
    if (!queue.empty()) {
      Pending p = std::move(queue.front());
      queue.pop_front();
      ++requests_failed;
      invoke(p.done, Result<Response>(transport_error("connect failed", ec)));
    }
    pump();
  }

  void start(const std::shared_ptr<Conn>& conn, Pending p) {
    ++p.sends;
    ++requests_sent;
    conn->current = std::move(p);
    conn->res = {};
    conn->stream.expires_after(options.request_timeout);
    asio::async_write(
        conn->stream, asio::buffer(conn->current->wire),
        [self = shared_from_this(), conn](const boost::system::error_code& ec, std::size_t) {
          if (ec) return self->request_failed(conn, ec);
          http::async_read(
              conn->stream, conn->buffer, conn->res,
              [self, conn](const boost::system::error_code& rec, std::size_t) {
                if (rec) return self->request_failed(conn, rec);
                self->request_done(conn);
              });
        });
  }

  void request_done(const std::shared_ptr<Conn>& conn) {
    Pending p = std::move(*conn->current);
    conn->current.reset();
    ++conn->uses;
    Response r{static_cast<int>(conn->res.result_int()), std::move(conn->res.body()), p.sends > 1};
    if (options.keep_alive && conn->res.keep_alive()) {
      conn->stream.expires_never();
    } else {
      remove(conn);
    }
    invoke(p.done, Result<Response>(std::move(r)));
    pump();
  }

  void request_failed(const std::shared_ptr<Conn>& conn, const boost::system::error_code& ec) {
    const bool reused = conn->uses > 0;
    Pending p = std::move(*conn->current);
    conn->current.reset();
    remove(conn);
    if (stopped) return;
    // A kept-alive connection the server closed while idle fails the next
    // request at once; one more try on a fresh connection is safe for the
    // requests that say so.
    const bool timed_out = ec == beast::error::timeout;
    if (reused && !timed_out && p.retry_safe && p.sends == 1) {
      ++requests_retried;
      queue.push_front(std::move(p));
    } else {
      ++requests_failed;
      invoke(p.done, Result<Response>(transport_error("request failed", ec)));
    }
    pump();
  }

  // ---- Event stream ----

  void connect_stream() {
    if (!want_stream || stopped) return;
    ws = std::make_shared<Ws>(strand);
    auto current = ws;
    with_endpoints([self = shared_from_this(), current](const boost::system::error_code& rec) {
      if (current != self->ws) return;
      if (rec) return self->stream_failed(current, transport_error("resolve", rec));
      beast::tcp_stream& tcp_layer = current->stream.next_layer();
      tcp_layer.expires_after(self->options.connect_timeout);
      tcp_layer.async_connect(
          *self->endpoints,
          [self, current](const boost::system::error_code& ec, const tcp::endpoint&) {
            if (current != self->ws) return;
            if (ec) return self->stream_failed(current, transport_error("event stream connect", ec));
            self->handshake(current);
          });
    });
  }

  void handshake(const std::shared_ptr<Ws>& current) {
    current->stream.next_layer().expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = options.handshake_timeout;
    // Beast pings after half the idle time without traffic and gives up when
    // the other half passes without an answer.
    t.idle_timeout = options.ping_interval * 2;
    t.keep_alive_pings = true;
    current->stream.set_option(t);
    current->stream.read_message_max(options.max_event_bytes);
    current->stream.set_option(websocket::stream_base::decorator(
        [auth = authorization](websocket::request_type& req) {
          req.set(http::field::user_agent, "libdialer-ari");
          req.set(http::field::sec_websocket_protocol, "ari");
          if (!auth.empty()) req.set(http::field::authorization, auth);
        }));
    current->stream.async_handshake(
        current->upgrade, host_header, events_target,
        [self = shared_from_this(), current](const boost::system::error_code& ec) {
          if (current != self->ws) return;
          if (ec) {
            const int status = static_cast<int>(current->upgrade.result_int());
            if (status == 401 || status == 403) {
              return self->stream_failed(
                  current, Error{Errc::unavailable, "ARI event stream refused with HTTP " +
                                                        std::to_string(status) +
                                                        " (check the ARI user and password)"});
            }
            if (status != 0 && status != 101) {
              return self->stream_failed(
                  current, Error{Errc::unavailable, "ARI event stream refused with HTTP " +
                                                        std::to_string(status) + ": " +
                                                        error_text(current->upgrade.body())});
            }
            return self->stream_failed(current, transport_error("event stream upgrade", ec));
          }
          self->failures = 0;
          self->up = true;
          ++self->stream_connects;
          self->log(LogLevel::info, "ARI event stream up: " + self->events_target_logged);
          self->invoke(self->handlers.on_connected);
          self->read(current);
        });
  }

  void read(const std::shared_ptr<Ws>& current) {
    current->stream.async_read(current->buffer, [self = shared_from_this(), current](
                                                    const boost::system::error_code& ec,
                                                    std::size_t) {
      if (current != self->ws) return;
      if (ec) {
        if (ec == websocket::error::message_too_big) {
          ++self->events_malformed;
          return self->stream_failed(
              current, Error{Errc::protocol_error, "ARI event frame larger than max_event_bytes"});
        }
        return self->stream_failed(current, transport_error("event stream", ec));
      }
      const auto data = current->buffer.cdata();
      const std::string_view frame(static_cast<const char*>(data.data()), data.size());
      Result<Event> event = self->parser.parse(frame);
      current->buffer.consume(current->buffer.size());
      if (!event) {
        ++self->events_malformed;
        self->log(LogLevel::warning, "ARI event refused: " + event.error().detail);
      } else {
        ++self->events_received;
        self->invoke(self->handlers.on_event, *event);
        if (std::holds_alternative<ApplicationReplaced>(event->body)) {
          // Another connection owns the app now; reconnecting would steal it
          // back and forth (README point 16), so this one stops here.
          self->want_stream = false;
          return self->stream_failed(
              current, Error{Errc::conflict, "ARI app " + self->options.app +
                                                 " was registered by another connection"});
        }
      }
      if (current == self->ws) self->read(current);
    });
  }

  void close_ws() {
    if (!ws) return;
    boost::system::error_code ignored;
    ws->stream.next_layer().socket().close(ignored);
    ws.reset();
  }

  void stream_failed(const std::shared_ptr<Ws>& current, const Error& why) {
    if (current != ws) return;
    close_ws();
    up = false;
    ++stream_failures;
    ++failures;
    const bool final = !want_stream || stopped;
    log(final ? LogLevel::error : LogLevel::warning, "ARI event stream down: " + why.message());
    invoke(handlers.on_disconnected, why, final);
    if (!final) schedule_reconnect();
  }

  void schedule_reconnect() {
    using std::chrono::milliseconds;
    const unsigned shift = std::min(failures > 0 ? failures - 1 : 0u, 20u);
    const auto ceiling = std::min<milliseconds::rep>(options.reconnect_max.count(),
                                                     options.reconnect_initial.count() << shift);
    std::uniform_int_distribution<milliseconds::rep> jitter(0, std::max<milliseconds::rep>(ceiling, 0));
    reconnect_timer.expires_after(milliseconds(jitter(rng)));
    reconnect_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->connect_stream();
    });
  }

  void shutdown() {
    want_stream = false;
    reconnect_timer.cancel();
    close_ws();
    up = false;
    for (auto& c : conns) {
      boost::system::error_code ignored;
      c->stream.socket().close(ignored);
    }
    conns.clear();
    queue.clear();
    resolver.cancel();
  }
};

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() { stop(); }

Result<std::shared_ptr<Client>> Client::create(asio::any_io_executor executor,
                                               ClientOptions options) {
  auto url = boost::urls::parse_uri(options.base_url);
  if (!url || url->scheme() != "http" || url->host().empty()) {
    return Error{Errc::invalid_argument, "ARI base_url must be http://host[:port][/path]"};
  }
  if (options.user.empty() || options.app.empty()) {
    return Error{Errc::invalid_argument, "ARI user and app must not be empty"};
  }
  if (options.max_connections == 0 || options.request_timeout.count() <= 0 ||
      options.ping_interval.count() <= 0 || options.max_event_bytes == 0) {
    return Error{Errc::invalid_argument, "ARI limits must be positive"};
  }
  auto impl = std::make_shared<Impl>(std::move(executor), std::move(options));
  impl->host = std::string(url->encoded_host());
  impl->port = url->has_port() ? std::string(url->port()) : std::string("80");
  impl->base_path = std::string(url->encoded_path());
  impl->host_header = impl->host + ":" + impl->port;
  const ClientOptions& o = impl->options;
  if (o.auth == AuthMode::basic) impl->authorization = "Basic " + base64(o.user + ":" + o.password);
  Request events{Operation::event_websocket, {}, {{"app", o.app}}, {}, false};
  auto target = build_target(events, impl->base_path);
  if (!target) return std::move(target).error();
  impl->events_target = *target;
  impl->events_target_logged = *target;
  if (o.auth == AuthMode::api_key) {
    impl->api_key_param =
        "api_key=" + boost::urls::encode(o.user + ":" + o.password, boost::urls::unreserved_chars);
    impl->events_target += '&';
    impl->events_target += impl->api_key_param;
  }
  std::string& h = impl->fixed_headers;
  h = "Host: " + impl->host_header + "\r\nUser-Agent: libdialer-ari\r\n";
  if (!impl->authorization.empty()) h += "Authorization: " + impl->authorization + "\r\n";
  if (!o.keep_alive) h += "Connection: close\r\n";
  return std::shared_ptr<Client>(new Client(std::move(impl)));
}

asio::any_io_executor Client::executor() const { return impl_->strand; }
const ClientOptions& Client::options() const { return impl_->options; }

void Client::send(Request request, Callback<Response> done) {
  auto target = build_target(request, impl_->base_path);
  Impl::Pending p;
  p.done = std::move(done);
  p.retry_safe = request.retry_safe;
  if (!target) {
    asio::post(impl_->strand, [impl = impl_, p = std::move(p), e = std::move(target).error()]() mutable {
      impl->invoke(p.done, Result<Response>(std::move(e)));
    });
    return;
  }
  const OperationSpec& spec = spec_of(request.op);
  const Impl& i = *impl_;
  std::string& w = p.wire;
  w.reserve(spec.method.size() + target->size() + i.api_key_param.size() + i.fixed_headers.size() +
            request.body.size() + 80);
  w += spec.method;
  w += ' ';
  w += *target;
  if (!i.api_key_param.empty()) {
    // The target keeps its query; the key is one more parameter.
    w += target->find('?') == std::string::npos ? '?' : '&';
    w += i.api_key_param;
  }
  w += " HTTP/1.1\r\n";
  w += i.fixed_headers;
  if (!request.body.empty()) {
    w += "Content-Type: application/json\r\nContent-Length: ";
    w += std::to_string(request.body.size());
    w += "\r\n\r\n";
    w += request.body;
  } else if (spec.method == "POST") {
    w += "Content-Length: 0\r\n\r\n";  // as Beast's prepare_payload() does
  } else {
    w += "\r\n";
  }
  asio::post(impl_->strand, [impl = impl_, p = std::move(p)]() mutable { impl->enqueue(std::move(p)); });
}

namespace {

// Sends `r`, maps its status for `op`, and parses a successful body.
template <class T, class Parse>
void typed(Client& c, Request r, Callback<T> done, Parse parse) {
  const Operation op = r.op;
  c.send(std::move(r), [op, done = std::move(done), parse](Result<Response> res) {
    if (!res) return done(std::move(res).error());
    if (auto st = check_status(op, *res); !st) return done(std::move(st).error());
    done(parse(*res));
  });
}

Result<void> no_body(const Response&) { return ok(); }

}  // namespace

void Client::originate(const OriginateParams& p, Callback<Channel> done) {
  Request r{Operation::originate, {}, {{"endpoint", p.endpoint}, {"app", impl_->options.app}}, {},
            !p.channel_id.empty()};
  if (!p.app_args.empty()) r.query.emplace_back("appArgs", p.app_args);
  if (!p.caller_id.empty()) r.query.emplace_back("callerId", p.caller_id);
  if (p.timeout.count() > 0) r.query.emplace_back("timeout", std::to_string(p.timeout.count()));
  if (!p.channel_id.empty()) r.query.emplace_back("channelId", p.channel_id);
  if (!p.variables.empty()) {
    // {"variables":{"K":"V",...}}; written directly (a JSON DOM per
    // originate cost more than the rest of the request). Repeated names keep
    // the last value, as a JSON object would.
    std::string& b = r.body;
    b = R"({"variables":{)";
    for (std::size_t k = 0; k < p.variables.size(); ++k) {
      const auto& [name, value] = p.variables[k];
      bool later = false;
      for (std::size_t j = k + 1; j < p.variables.size(); ++j) later = later || p.variables[j].first == name;
      if (later) continue;
      if (b.back() != '{') b += ',';
      append_json_string(b, name);
      b += ':';
      append_json_string(b, value);
    }
    b += "}}";
  }
  const std::string id = p.channel_id;
  send(std::move(r), [id, done = std::move(done)](Result<Response> res) {
    if (!res) return done(std::move(res).error());
    // A retried originate whose id is taken went through the first time.
    if (res->retried && res->status == 409) {
      Channel c;
      c.id = id;
      return done(std::move(c));
    }
    if (auto st = check_status(Operation::originate, *res); !st) return done(std::move(st).error());
    done(parse_channel(res->body));
  });
}

void Client::hang_up(std::string_view channel, int reason_code, Callback<void> done) {
  Request r{Operation::hangup, {std::string(channel)}, {}, {}, true};
  if (reason_code > 0) r.query.emplace_back("reason_code", std::to_string(reason_code));
  typed<void>(*this, std::move(r), std::move(done), no_body);
}

void Client::answer(std::string_view channel, Callback<void> done) {
  typed<void>(*this, Request{Operation::answer, {std::string(channel)}, {}, {}, true},
              std::move(done), no_body);
}

void Client::create_bridge(std::string_view bridge, Callback<Bridge> done) {
  Request r{Operation::create_bridge, {}, {{"type", "mixing"}, {"bridgeId", std::string(bridge)}},
            {}, true};
  typed<Bridge>(*this, std::move(r), std::move(done),
                [](const Response& res) { return parse_bridge(res.body); });
}

void Client::destroy_bridge(std::string_view bridge, Callback<void> done) {
  typed<void>(*this, Request{Operation::destroy_bridge, {std::string(bridge)}, {}, {}, true},
              std::move(done), no_body);
}

void Client::add_channel(std::string_view bridge, std::string_view channel, Callback<void> done) {
  typed<void>(*this,
              Request{Operation::add_channel,
                      {std::string(bridge)},
                      {{"channel", std::string(channel)}},
                      {},
                      true},
              std::move(done), no_body);
}

void Client::remove_channel(std::string_view bridge, std::string_view channel,
                            Callback<void> done) {
  typed<void>(*this,
              Request{Operation::remove_channel,
                      {std::string(bridge)},
                      {{"channel", std::string(channel)}},
                      {},
                      true},
              std::move(done), no_body);
}

void Client::play(std::string_view channel, std::string_view media, std::string_view playback_id,
                  Callback<Playback> done) {
  Request r{Operation::play, {std::string(channel)}, {{"media", std::string(media)}}, {}, false};
  if (!playback_id.empty()) {
    r.query.emplace_back("playbackId", std::string(playback_id));
    r.retry_safe = true;
  }
  typed<Playback>(*this, std::move(r), std::move(done),
                  [](const Response& res) { return parse_playback(res.body); });
}

void Client::list_channels(Callback<std::vector<Channel>> done) {
  typed<std::vector<Channel>>(*this, Request{Operation::list_channels, {}, {}, {}, true},
                              std::move(done),
                              [](const Response& res) { return parse_channels(res.body); });
}

void Client::list_bridges(Callback<std::vector<Bridge>> done) {
  typed<std::vector<Bridge>>(*this, Request{Operation::list_bridges, {}, {}, {}, true},
                             std::move(done),
                             [](const Response& res) { return parse_bridges(res.body); });
}

void Client::asterisk_info(Callback<AsteriskInfo> done) {
  typed<AsteriskInfo>(*this, Request{Operation::asterisk_info, {}, {}, {}, true}, std::move(done),
                      [](const Response& res) { return parse_asterisk_info(res.body); });
}

void Client::get_variable(std::string_view channel, std::string_view name,
                          Callback<std::string> done) {
  typed<std::string>(*this,
                     Request{Operation::get_variable,
                             {std::string(channel)},
                             {{"variable", std::string(name)}},
                             {},
                             true},
                     std::move(done), [](const Response& res) { return parse_variable(res.body); });
}

void Client::set_variable(std::string_view channel, std::string_view name, std::string_view value,
                          Callback<void> done) {
  typed<void>(*this,
              Request{Operation::set_variable,
                      {std::string(channel)},
                      {{"variable", std::string(name)}, {"value", std::string(value)}},
                      {},
                      true},
              std::move(done), no_body);
}

void Client::start(StreamHandlers handlers) {
  asio::post(impl_->strand, [impl = impl_, h = std::move(handlers)]() mutable {
    if (impl->stopped) return;
    impl->handlers = std::move(h);
    impl->want_stream = true;
    if (!impl->ws) impl->connect_stream();
  });
}

void Client::stop() {
  {
    std::lock_guard<std::recursive_mutex> lock(impl_->guard);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->up = false;
  asio::post(impl_->strand, [impl = impl_] { impl->shutdown(); });
}

void Client::drop_stream() {
  asio::post(impl_->strand, [impl = impl_] {
    if (!impl->ws) return;
    boost::system::error_code ignored;
    // Closing the socket under the pending read makes it fail like a lost
    // network; the usual reconnect follows.
    impl->ws->stream.next_layer().socket().close(ignored);
  });
}

bool Client::stream_up() const noexcept { return impl_->up.load(); }

ClientStats Client::stats() const {
  const Impl& i = *impl_;
  return ClientStats{i.requests_sent.get(),      i.requests_failed.get(),
                     i.requests_retried.get(),   i.connections_opened.get(),
                     i.stream_connects.get(),    i.stream_failures.get(),
                     i.events_received.get(),    i.events_malformed.get()};
}

}  // namespace dialer::ari
