#include "raw_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <boost/asio/post.hpp>

namespace dialer::testing::ari::raw {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (char ch : in) {
    val = (val << 8) + static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 0) {
      out.push_back(t[(val >> bits) & 0x3f]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(t[((val << 8) >> (bits + 8)) & 0x3f]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

}  // namespace

std::string HttpResult::message() const {
  if (!json.is_object()) return {};
  const auto* m = json.as_object().if_contains("message");
  return m && m->is_string() ? std::string(m->as_string()) : std::string{};
}

std::string enc(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------

struct Http::State {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

Http::Http(std::uint16_t port, std::string user, std::string password)
    : s_(std::make_unique<State>()), port_(port), auth_("Basic " + base64(user + ":" + password)) {}

Http::~Http() = default;

HttpResult Http::request(const std::string& method, const std::string& target, const std::string& body,
                         const std::string& content_type, bool auth, std::chrono::milliseconds timeout) {
  HttpResult result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !s_->stream;
    if (fresh) {
      s_->stream.emplace(s_->ioc);
      s_->buffer.clear();
      ++connects_;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (auth) req.set(http::field::authorization, auth_);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    http::response<http::string_body> res;
    beast::error_code error;
    bool done = false;
    auto& stream = *s_->stream;
    stream.expires_after(timeout);
    auto read = [&] {
      http::async_read(stream, s_->buffer, res, [&](beast::error_code ec, std::size_t) {
        error = ec;
        done = true;
      });
    };
    auto write = [&] {
      http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
        if (ec) {
          error = ec;
          done = true;
        } else {
          read();
        }
      });
    };
    if (fresh)
      stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), [&](beast::error_code ec) {
        if (ec) {
          error = ec;
          done = true;
        } else {
          write();
        }
      });
    else
      write();
    s_->ioc.restart();
    s_->ioc.run();
    if (!done || error) {
      s_->stream.reset();
      result.error = done ? error.message() : "no completion";
      // A kept-alive connection the server closed meanwhile: retry once on a new one.
      if (!fresh && (error == http::error::end_of_stream || error == asio::error::connection_reset ||
                     error == asio::error::eof))
        continue;
      return result;
    }
    result.transport_ok = true;
    result.status = static_cast<int>(res.result_int());
    for (const auto& f : res) result.headers[std::string(f.name_string())] = std::string(f.value());
    result.body = res.body();
    if (!result.body.empty()) {
      boost::system::error_code ec;
      auto v = json::parse(result.body, ec);
      if (!ec) result.json = std::move(v);
    }
    if (!res.keep_alive()) s_->stream.reset();
    return result;
  }
  return result;
}

// ---------------------------------------------------------------------------

struct Events::State {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<json::object> queue;
  std::vector<json::object> log;
  bool finished = false;
  std::string how;
  beast::flat_buffer buf;
  std::function<void()> read;
  int pongs = 0;
};

Events::Events(std::uint16_t port, const std::string& query, const std::string& basic_auth)
    : s_(std::make_unique<State>()) {
  beast::error_code ec;
  s_->ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  websocket::response_type res;
  s_->ws.set_option(websocket::stream_base::decorator([basic_auth](websocket::request_type& req) {
    if (!basic_auth.empty()) req.set(http::field::authorization, "Basic " + base64(basic_auth));
  }));
  s_->ws.handshake(res, "127.0.0.1", "/ari/events?" + query, ec);
  handshake_status_ = static_cast<int>(res.result_int());
  if (ec) {
    if (handshake_status_ == 0) handshake_status_ = -1;
    if (handshake_status_ == 101) handshake_status_ = -1;
    return;
  }
  // Reads run on this object's own io thread; close() and the destructor post
  // to it, so the stream is only ever touched by one thread at a time.
  State* s = s_.get();
  s->ws.control_callback([s](websocket::frame_type kind, beast::string_view) {
    if (kind != websocket::frame_type::pong) return;
    std::lock_guard lock(s->mu);
    ++s->pongs;
    s->cv.notify_all();
  });
  s->read = [s] {
    s->ws.async_read(s->buf, [s](beast::error_code rec, std::size_t) {
      std::lock_guard lock(s->mu);
      if (rec) {
        s->finished = true;
        s->how = rec == websocket::error::closed ? "closed" : rec.message();
        s->cv.notify_all();
        return;
      }
      boost::system::error_code pec;
      auto v = json::parse(beast::buffers_to_string(s->buf.data()), pec);
      s->buf.consume(s->buf.size());
      json::object o = !pec && v.is_object() ? v.as_object() : json::object{{"type", "<unparsable frame>"}};
      s->queue.push_back(o);
      s->log.push_back(o);
      s->cv.notify_all();
      s->read();
    });
  };
  s->read();
  reader_ = std::thread([s] { s->ioc.run(); });
}

Events::~Events() {
  if (reader_.joinable()) {
    asio::post(s_->ioc, [s = s_.get()] {
      beast::error_code ec;
      s->ws.next_layer().close(ec);
    });
    reader_.join();
  }
}

std::optional<json::object> Events::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(s_->mu);
  s_->cv.wait_for(lock, timeout, [&] { return !s_->queue.empty() || s_->finished; });
  if (s_->queue.empty()) return std::nullopt;
  auto ev = std::move(s_->queue.front());
  s_->queue.pop_front();
  return ev;
}

std::vector<json::object> Events::until(const std::function<bool(const json::object&)>& pred,
                                        std::chrono::milliseconds timeout) {
  std::vector<json::object> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    auto ev = next(left);
    if (!ev) return out;
    out.push_back(*ev);
    if (pred(*ev)) return out;
  }
}

std::vector<json::object> Events::received() const {
  std::lock_guard lock(s_->mu);
  return s_->log;
}

std::optional<std::string> Events::ended(std::chrono::milliseconds timeout) {
  std::unique_lock lock(s_->mu);
  s_->cv.wait_for(lock, timeout, [&] { return s_->finished; });
  if (!s_->finished) return std::nullopt;
  return s_->how;
}

bool Events::ping(std::chrono::milliseconds timeout) {
  if (!open()) return false;
  int before;
  {
    std::lock_guard lock(s_->mu);
    before = s_->pongs;
  }
  asio::post(s_->ioc, [s = s_.get()] { s->ws.async_ping({}, [](beast::error_code) {}); });
  std::unique_lock lock(s_->mu);
  return s_->cv.wait_for(lock, timeout, [&] { return s_->pongs > before; });
}

void Events::close() {
  if (!open()) return;
  asio::post(s_->ioc, [s = s_.get()] {
    s->ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
  });
  ended();
}

std::string channel_id_of(const json::object& ev) {
  for (const char* key : {"channel", "peer"})
    if (const auto* c = ev.if_contains(key); c && c->is_object())
      if (const auto* id = c->as_object().if_contains("id"); id && id->is_string()) return std::string(id->as_string());
  return {};
}

bool is(const json::object& ev, const char* type, const std::string& channel) {
  const auto* t = ev.if_contains("type");
  if (!t || !t->is_string() || t->as_string() != type) return false;
  return channel.empty() || channel_id_of(ev) == channel;
}

}  // namespace dialer::testing::ari::raw
