// A loopback stand-in for Asterisk 22's ARI, for the test suite only.
//
// Real HTTP/1.1 (keep-alive) and WebSocket on 127.0.0.1, served by Beast on
// its own io thread. Paths, parameters, status codes, error bodies and event
// fields follow shared/ari/api-docs (Asterisk's own spec); the event order and
// the quirks (ApplicationReplaced without a close, an originate into an app
// with no socket answering 200 and dropping the customer at answer, ...) follow
// the recordings in shared/ari/captures. Calls run the test dialplan of
// shared/ari/README.md on real time multiplied by `time_scale`, so a test
// written against this server passes unchanged against a real Asterisk
// configured with shared/ari/asterisk-etc.
//
// What it does not emulate (a client must not depend on them): ChannelDialplan,
// ChannelCallerId, ChannelConnectedLine and DeviceStateChanged events, media
// other than playbacks, recordings, and any channel technology but Local.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dialer::testing::ari {

struct LoopbackAriOptions {
  std::string user = "dialer", password = "dialer", app = "dialer-test";  // basic auth / api_key=user:password
  // (`app` is the name tests should use, as DIALER_TEST_ARI_APP; the server,
  // like Asterisk, serves whatever app a WebSocket asks for.)
  double time_scale = 1.0;   // dialplan durations are multiplied by this (0.01: a 20 s talk lasts 200 ms)
  // The agents dialplan answers and then Wait(600)s before hanging up by
  // itself; tests that keep an agent longer than 600 s * time_scale raise this.
  double agent_wait_seconds = 600.0;
};

// One REST request as the server saw it (WebSocket upgrades aside), for tests
// that check what a client sent and how often.
struct RecordedRequest {
  std::string method;  // "POST"
  std::string path;    // "/ari/channels", decoded, without the query
  std::string target;  // the raw request target, query included
  int status = 0;      // what the server answered
};

class LoopbackAri {
 public:
  explicit LoopbackAri(LoopbackAriOptions options = {});  // listens on 127.0.0.1:<ephemeral port>, runs on its own thread
  ~LoopbackAri();                                          // stops, joins
  LoopbackAri(const LoopbackAri&) = delete;
  LoopbackAri& operator=(const LoopbackAri&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;                            // "http://127.0.0.1:<port>"
  const LoopbackAriOptions& options() const;

  // Faults. Each takes effect before it returns.
  void drop_websockets();                 // abruptly close every event WebSocket (TCP close, no close frame)
  void refuse_connections(bool refuse);   // accept-and-close every new TCP connection while true
  void set_response_delay(std::chrono::milliseconds d);   // delay every REST response (the request's effects happen at once)
  // The next `count` REST requests whose method matches and whose path starts
  // with `path_prefix` answer `status` with {"message": "<reason phrase>"} and
  // have no effect, e.g. ("POST", "/ari/channels", 500).
  void fail_next(std::string method, std::string path_prefix, int status, int count = 1);
  void restart_asterisk();               // like an Asterisk restart: every channel and bridge vanishes (ChannelDestroyed not sent), websockets dropped,
                                         // kept-alive HTTP connections cut, asterisk/info's startup_time changes
  // A half-open connection: every open event WebSocket goes silent (no more
  // events, no pong to a ping, TCP left open). Its apps stay bound to it, so
  // their events are lost, until another socket takes the app over.
  void silence_websockets();
  // Sends `text` as is, as one text frame, to the socket that holds `app`
  // (for tests of unknown or malformed events). False if no socket holds it.
  bool send_raw_event(const std::string& app, std::string text);

  // Introspection for tests
  std::vector<std::string> originated_endpoints() const;  // every accepted (200) originate's endpoint, in order
  std::size_t live_channel_count() const;                  // originated channels still alive (the ;2 halves of Local channels not counted)
  std::size_t originate_count() const;                     // accepted (200) originates
  void hang_up_channel(const std::string& channel_id, int cause = 16);  // the far end hangs up

  std::vector<std::string> live_channel_ids() const;       // ids of the originated channels still alive
  std::size_t websocket_count() const;                     // event WebSockets open and served (silenced ones not counted)
  std::vector<RecordedRequest> requests() const;           // every REST request, in arrival order
  std::string startup_time() const;                        // asterisk/info status.startup_time; changes on restart_asterisk()

  class Impl;  // the server itself (loopback_ari.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialer::testing::ari
