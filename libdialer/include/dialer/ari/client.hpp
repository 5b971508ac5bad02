// Client: one connection to one Asterisk's ARI — a keep-alive HTTP/1.1 pool
// for REST and the /ari/events WebSocket — on an Asio executor.
//
// Everything is asynchronous: calls return at once and their completion
// handlers run later on the client's strand, never inside the call. The event
// stream reconnects by itself with exponential backoff and full jitter; ping
// and pong keep it honest, because Asterisk never pings an inbound socket.
// Credentials go in the Authorization header (or api_key) only: no log line
// and no error detail ever contains them.
//
// Used by AriCallControl; usable alone by embedders who want raw ARI.
//
// Threading: every public member may be called from any thread. Handlers run
// on the client's strand (executor()), one at a time, in wire order for
// events. After stop() returns, no handler of this client runs any more.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "dialer/ari/events.hpp"
#include "dialer/ari/options.hpp"
#include "dialer/ari/rest.hpp"
#include "dialer/error.hpp"

namespace dialer::ari {

template <class T>
using Callback = std::function<void(Result<T>)>;

/// POST /channels: an originate into the client's app.
struct OriginateParams {
  /// "Local/90123456780@customers", "PJSIP/100".
  std::string endpoint;
  /// Chosen by the caller (≤ 149 characters); events may name it before the
  /// answer to the request arrives.
  std::string channel_id;
  /// appArgs: arrive, split on commas, in StasisStart.args.
  std::string app_args;
  /// "Name <number>" or empty.
  std::string caller_id;
  /// Ring limit; 0 means Asterisk's default (30 s).
  std::chrono::seconds timeout{0};
  /// Channel variables set on the new channel.
  std::vector<std::pair<std::string, std::string>> variables;
};

/// Counters, for metrics and tests. Monotonic.
struct ClientStats {
  std::uint64_t requests_sent = 0;
  std::uint64_t requests_failed = 0;   // transport failures and timeouts
  std::uint64_t requests_retried = 0;  // sent again on a fresh connection
  std::uint64_t connections_opened = 0;
  std::uint64_t stream_connects = 0;   // successful WebSocket upgrades
  std::uint64_t stream_failures = 0;   // failed attempts and lost sockets
  std::uint64_t events_received = 0;
  std::uint64_t events_malformed = 0;  // refused by the parser, not delivered
};

/// What the event stream reports to its owner, on the client's strand.
struct StreamHandlers {
  /// Each event, in wire order.
  std::function<void(const Event&)> on_event;
  /// The WebSocket upgrade completed: the app is registered (originates into
  /// it are safe from now on).
  std::function<void()> on_connected;
  /// The WebSocket is gone (closed, timed out, refused, or replaced by
  /// another connection); a reconnect is scheduled unless `final` is true.
  std::function<void(const Error& why, bool final)> on_disconnected;
};

class Client {
 public:
  /// Errors: Errc::invalid_argument (base_url not http://host[:port][/path],
  /// empty user or app, zero limits).
  static Result<std::shared_ptr<Client>> create(boost::asio::any_io_executor executor,
                                                ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// The strand every handler runs on.
  boost::asio::any_io_executor executor() const;
  const ClientOptions& options() const;

  // ---- REST ----

  /// Sends one request through the pool; `done` gets the answer whatever its
  /// status (use check_status), or Errc::timeout / Errc::unavailable for
  /// transport failures, Errc::invalid_argument for a request the operation
  /// table refuses.
  void send(Request request, Callback<Response> done);

  /// The typed operations: each maps the status with check_status and parses
  /// the body.
  void originate(const OriginateParams& params, Callback<Channel> done);
  /// DELETE /channels/{id}?reason_code=; a channel already gone is success.
  void hang_up(std::string_view channel, int reason_code, Callback<void> done);
  void answer(std::string_view channel, Callback<void> done);
  /// POST /bridges?type=mixing&bridgeId=.
  void create_bridge(std::string_view bridge, Callback<Bridge> done);
  /// A bridge already gone is success.
  void destroy_bridge(std::string_view bridge, Callback<void> done);
  void add_channel(std::string_view bridge, std::string_view channel, Callback<void> done);
  /// A channel no longer in the bridge is success.
  void remove_channel(std::string_view bridge, std::string_view channel, Callback<void> done);
  void play(std::string_view channel, std::string_view media, std::string_view playback_id,
            Callback<Playback> done);
  void list_channels(Callback<std::vector<Channel>> done);
  void list_bridges(Callback<std::vector<Bridge>> done);
  void asterisk_info(Callback<AsteriskInfo> done);
  void get_variable(std::string_view channel, std::string_view name, Callback<std::string> done);
  void set_variable(std::string_view channel, std::string_view name, std::string_view value,
                    Callback<void> done);

  // ---- Event stream ----

  /// Opens /ari/events?app=<app> and keeps it open until stop().
  void start(StreamHandlers handlers);
  /// Closes the stream and the pool. After it returns no handler of this
  /// client runs; requests still in flight are abandoned unanswered.
  void stop();
  /// Drops the current WebSocket as if the network had (a reconnect follows).
  void drop_stream();
  /// The WebSocket is upgraded and reading.
  bool stream_up() const noexcept;
  ClientStats stats() const;

 private:
  struct Impl;
  explicit Client(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialer::ari
