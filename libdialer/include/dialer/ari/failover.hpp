// FailoverCallControl: one CallControl over several Asterisk servers, used as
// an active server and standbys.
//
// New calls go to the active server. Everything that belongs to a call follows
// its customer channel: the agent leg is originated on the same server, and a
// bridge is created on the server of the first channel put into it, because
// Asterisk cannot bridge channels that live on different servers. Commands on
// a channel go to the server it lives on, whichever is active.
//
// Failing over: when the active server's event stream has been down for
// `failover_after`, the first other server in the list whose stream is up
// becomes active, and stays active until it fails in turn (no automatic
// failback, so that a server that flaps does not split the agents'
// persistent legs and their customers across two servers). Shorter
// interruptions are ridden out: originates are refused with Errc::unavailable
// meanwhile, as with one server, and the engine tries again later. Calls on a
// server that died are ended by that server's resync when it comes back, or
// never heard of again; the engine ends calls whose channels it loses.
//
// Threading: the CallControl methods, drain() and the event handler run on the
// engine's thread or strand (deliver_executor when set); ready(), active(),
// and stop() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "dialer/ari/call_control.hpp"

namespace dialer::ari {

struct FailoverOptions {
  /// In order of preference: the first is active at start. Their deliver and
  /// deliver_executor are set by the failover control (leave them empty); give
  /// each its own on_gap and client.log to tell the servers apart.
  std::vector<AriCallControlOptions> servers;
  /// How long the active server's event stream may be down before another
  /// server takes the new calls.
  std::chrono::milliseconds failover_after{10'000};
  /// Where events go, as for AriCallControlOptions: both or neither (drain()).
  boost::asio::any_io_executor deliver_executor;
  std::function<void(const CallEvent&)> deliver;
  /// Called when another server becomes active (indexes into `servers`).
  std::function<void(std::size_t from, std::size_t to)> on_failover;
};

class FailoverCallControl final : public CallControl {
 public:
  /// Errors: Errc::invalid_argument (no server, a server with its own
  /// deliver, deliver without deliver_executor or the reverse), and those of
  /// AriCallControl::create.
  static Result<std::unique_ptr<FailoverCallControl>> create(boost::asio::any_io_executor io,
                                                             FailoverOptions options);
  ~FailoverCallControl() override;

  /// Starts every server's event stream.
  void start();
  /// Stops every server; no event is produced after it returns.
  void stop();

  // ---- CallControl ----
  /// Errors: Errc::unavailable (the active server is down and no other can
  /// take over yet), and those of AriCallControl::originate.
  Result<void> originate(const OriginateRequest& request) override;
  Result<void> answer(ChannelId channel) override;
  Result<void> hang_up(ChannelId channel, int cause = q850::normal_clearing) override;
  /// The bridge is created on a server when its first channel is added.
  Result<void> create_bridge(BridgeId bridge) override;
  /// Errors: Errc::not_found (a channel this control never originated),
  /// Errc::conflict (the bridge lives on another server than the channel).
  Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) override;
  Result<void> destroy_bridge(BridgeId bridge) override;
  Result<void> play(ChannelId channel, std::string_view media) override;

  /// Moves the queued events (when no deliver handler is set) into `out`.
  std::size_t drain(std::vector<CallEvent>& out);
  /// Originates are accepted now: the active server is up, or it has been
  /// down long enough and another one is up.
  bool ready() const noexcept;
  /// The index of the active server.
  std::size_t active() const noexcept;
  std::size_t failovers() const noexcept;
  std::size_t size() const noexcept;
  AriCallControl& server(std::size_t index);
  const AriCallControl& server(std::size_t index) const;

 private:
  struct Impl;
  explicit FailoverCallControl(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialer::ari
