// A deliberately small HTTP and WebSocket client for the loopback server's own
// tests, written straight on Beast so that these tests do not depend on the
// library's ARI client they exist to serve. Every wait has a deadline.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace dialer::testing::ari::raw {

using namespace std::chrono_literals;

struct HttpResult {
  bool transport_ok = false;  // false: no response (refused, closed, timed out)
  std::string error;
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  boost::json::value json;  // parsed body, null when empty or not JSON

  const boost::json::object& obj() const { return json.as_object(); }
  std::string message() const;  // body["message"], or "" if none
};

// One keep-alive HTTP/1.1 connection (reopened when the server closes it).
class Http {
 public:
  explicit Http(std::uint16_t port, std::string user = "dialer", std::string password = "dialer");
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // `target` is sent as is ("/ari/channels?endpoint=..."); the body is sent
  // with `content_type` when non-empty. auth=false sends no credentials.
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::string& content_type = {}, bool auth = true,
                     std::chrono::milliseconds timeout = 5000ms);
  HttpResult get(const std::string& target) { return request("GET", target); }
  HttpResult post(const std::string& target) { return request("POST", target); }
  HttpResult del(const std::string& target) { return request("DELETE", target); }
  int connections_opened() const { return connects_; }

 private:
  struct State;
  std::unique_ptr<State> s_;
  std::uint16_t port_;
  std::string auth_;
  int connects_ = 0;
};

// Percent-encodes a query value or path segment.
std::string enc(const std::string& s);

// One /ari/events WebSocket, read by its own thread into a queue.
class Events {
 public:
  // `query` is appended to /ari/events?, e.g. "app=probe&api_key=dialer:dialer".
  explicit Events(std::uint16_t port, const std::string& query, const std::string& basic_auth = {});
  ~Events();
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  bool open() const { return handshake_status_ == 101; }
  int handshake_status() const { return handshake_status_; }

  // The next event, or nullopt when none arrives in time or the socket ended.
  std::optional<boost::json::object> next(std::chrono::milliseconds timeout = 5000ms);
  // Reads until an event satisfies `pred` (returned last), or the deadline.
  std::vector<boost::json::object> until(const std::function<bool(const boost::json::object&)>& pred,
                                         std::chrono::milliseconds timeout = 5000ms);
  // Everything received so far, consumed or not, in arrival order.
  std::vector<boost::json::object> received() const;
  // Waits until the connection ends; returns how it ended ("closed" for a
  // close frame, otherwise the error's message), nullopt if still open.
  std::optional<std::string> ended(std::chrono::milliseconds timeout = 5000ms);
  // Sends a ping; true if the pong comes back in time.
  bool ping(std::chrono::milliseconds timeout = 5000ms);
  // Closes with a close frame.
  void close();

 private:
  struct State;
  std::unique_ptr<State> s_;
  int handshake_status_ = 0;
  std::thread reader_;
};

// Event helpers
std::string channel_id_of(const boost::json::object& ev);  // channel.id, or peer.id for Dial
bool is(const boost::json::object& ev, const char* type, const std::string& channel = {});

}  // namespace dialer::testing::ari::raw
