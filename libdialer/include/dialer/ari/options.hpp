// Settings of one connection to one Asterisk: where it is, who we are, and the
// time limits of the REST pool and the event WebSocket.
//
// One ClientOptions describes one Asterisk server and one Stasis application.
// A dialer that talks to several servers makes one Client (or AriCallControl)
// per server, each with its own app name, so that no two connections steal
// the app from each other (shared/ari/README.md, point 16).
//
// Threading: a plain value; copy it freely.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace dialer::ari {

/// How the credentials travel. Basic keeps the password out of URLs (and so
/// out of proxy and access logs); api_key exists for servers that want it.
enum class AuthMode { basic, api_key };

const char* to_string(AuthMode m) noexcept;
bool from_string(std::string_view s, AuthMode& out) noexcept;

/// Severity of a line the client logs.
enum class LogLevel { debug, info, warning, error };

const char* to_string(LogLevel l) noexcept;
bool from_string(std::string_view s, LogLevel& out) noexcept;

/// Receives the client's log lines. Lines never contain credentials. Called
/// on the client's strand; must not block.
using LogHandler = std::function<void(LogLevel, std::string_view)>;

struct ClientOptions {
  /// "http://host:port" of Asterisk's HTTP server, optionally with a path
  /// prefix ("http://pbx:8088/asterisk"); "/ari/..." is appended. https is not
  /// supported yet.
  std::string base_url;
  /// ARI user and password (ari.conf). Never logged.
  std::string user;
  std::string password;
  AuthMode auth = AuthMode::basic;
  /// The Stasis application this connection registers; unique per connection.
  std::string app;

  /// Longest a REST request may take, from its first byte written to its last
  /// byte read. Default 5 s.
  std::chrono::milliseconds request_timeout{5000};
  /// Longest a TCP connect (REST or WebSocket) may take. Default 3 s.
  std::chrono::milliseconds connect_timeout{3000};
  /// Keep-alive connections the REST pool opens at most. Default 8.
  std::size_t max_connections = 8;
  /// REST requests waiting for a connection at most; more are refused with
  /// Errc::unavailable. Default 10000.
  std::size_t max_pending_requests = 10000;
  /// false: one new TCP connection per request (for comparison only).
  bool keep_alive = true;

  /// The event WebSocket pings after this long without traffic and is
  /// declared dead when the pong (or anything) has not arrived after as long
  /// again. Default 5 s (so a dead peer is noticed within 10 s).
  std::chrono::milliseconds ping_interval{5000};
  /// WebSocket upgrade handshake limit. Default 5 s.
  std::chrono::milliseconds handshake_timeout{5000};
  /// Reconnect delays: full jitter, uniformly in [0, min(cap, initial * 2^n)]
  /// for the n-th consecutive failure. Defaults 250 ms and 30 s.
  std::chrono::milliseconds reconnect_initial{250};
  std::chrono::milliseconds reconnect_max{30000};
  /// Event frames larger than this are refused (the socket is dropped and
  /// re-established, which resynchronises). Default 1 MiB.
  std::size_t max_event_bytes = 1u << 20;

  /// Log lines go here; empty: nothing is logged.
  LogHandler log;
};

}  // namespace dialer::ari
