// AriCallControl: the engine's CallControl port on Asterisk's ARI.
//
// Commands from the engine become REST requests; ARI events become CallEvents.
// The engine's ids become ARI ids as "<id_prefix><n>" for channels and
// "<id_prefix>b<n>" for bridges, registered before the request leaves, so
// events that overtake the originate's answer are not lost (README point 1).
// Commands on one channel or bridge are sent in the order given (a hangup
// never overtakes its originate); others run in parallel over the pool.
//
// Translation: Ringing (ChannelStateChange or Dial RINGING) → ChannelRinging;
// StasisStart of an originated channel → ChannelAnswered (machine when the AMD
// variable says MACHINE); ChannelDestroyed → ChannelHungUp with the cause and
// the last final Dial status (classify by dial status first, README point 10);
// a failed originate request → OriginateFailed; PlaybackFinished on a channel
// → PlaybackFinished. A command that fails later (bridging, answering) hangs
// its channel up, so the engine hears ChannelHungUp and no call stays stuck.
//
// Availability: originate fails fast with Errc::unavailable unless the event
// stream is up and resynchronised (an answered customer could not enter the
// app otherwise, README point 17). After every reconnect the control lists
// the live channels and bridges and reports each channel the engine knew that
// vanished meanwhile as ChannelHungUp with cause 0 and source
// HangupSource::lost_in_gap (its end was never seen, so neither cause nor dial
// status is known); the gap is counted and reported to the gap handler.
//
// Delivery: events are posted to `deliver` on `deliver_executor` when both
// are set (e.g. the engine's strand), else queued for drain(). Either way the
// port never calls the engine synchronously.
//
// Threading: the CallControl methods are called from the engine's thread or
// strand (one at a time); drain(), ready(), stats() and stop() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "dialer/ari/client.hpp"
#include "dialer/ari/options.hpp"
#include "dialer/call_control.hpp"

namespace dialer::ari {

/// One interruption of the event stream, reported once resynchronised.
struct GapReport {
  /// How long the stream was not ready.
  std::chrono::milliseconds duration{0};
  /// Channels the engine knew that were gone after the gap (each reported as
  /// ChannelHungUp with cause 0 and HangupSource::lost_in_gap).
  std::size_t vanished_channels = 0;
  /// Bridges that were gone after the gap (forgotten).
  std::size_t vanished_bridges = 0;
};

struct AriCallControlOptions {
  ClientOptions client;
  /// Prefix of every ARI id this control makes; give each engine (and each
  /// node) its own. Default "dialer-".
  std::string id_prefix = "dialer-";
  /// A channel variable that answering-machine detection sets to "MACHINE"
  /// (e.g. "AMDSTATUS", listed in ari.conf channelvars); empty: no AMD.
  std::string amd_variable;
  /// Where events go (see the header comment). Both or neither.
  boost::asio::any_io_executor deliver_executor;
  std::function<void(const CallEvent&)> deliver;
  /// Called on the client's strand after each resynchronised gap.
  std::function<void(const GapReport&)> on_gap;
};

/// Counters, for metrics and tests. Monotonic.
struct CallControlStats {
  std::uint64_t gaps = 0;
  std::uint64_t vanished_channels = 0;
  std::uint64_t originates_sent = 0;
  std::uint64_t originates_refused_unavailable = 0;
  /// Events about channels this control does not track (Local ;2 halves, ...).
  std::uint64_t events_ignored = 0;
  /// Commands that failed after they were accepted.
  std::uint64_t commands_failed = 0;
  /// Channels that entered the app unknown (e.g. an originate given up for
  /// lost) and were hung up.
  std::uint64_t orphans_hung_up = 0;
};

class AriCallControl final : public CallControl {
 public:
  /// Errors: those of Client::create; Errc::invalid_argument (empty
  /// id_prefix, deliver without deliver_executor or the reverse).
  static Result<std::unique_ptr<AriCallControl>> create(boost::asio::any_io_executor io,
                                                        AriCallControlOptions options);
  ~AriCallControl() override;

  /// Connects the event stream (and keeps reconnecting until stop()).
  void start();
  /// Stops the client; no event is produced after it returns.
  void stop();

  // ---- CallControl ----
  /// Errors: Errc::unavailable (stream down or resynchronising),
  /// Errc::invalid_argument (empty endpoint, zero id). Failures after the
  /// request left (refused by Asterisk, timed out) arrive as OriginateFailed.
  Result<void> originate(const OriginateRequest& request) override;
  Result<void> answer(ChannelId channel) override;
  Result<void> hang_up(ChannelId channel, int cause = q850::normal_clearing) override;
  Result<void> create_bridge(BridgeId bridge) override;
  Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) override;
  Result<void> destroy_bridge(BridgeId bridge) override;
  Result<void> play(ChannelId channel, std::string_view media) override;

  /// Moves the queued events (when no deliver handler is set) into `out`, in
  /// order; returns how many.
  std::size_t drain(std::vector<CallEvent>& out);
  /// Originates are accepted (stream up and resynchronised).
  bool ready() const noexcept;
  /// The ARI channel id of an engine channel ("dialer-42").
  std::string channel_name(ChannelId channel) const;
  std::string bridge_name(BridgeId bridge) const;
  CallControlStats stats() const;
  Client& client();

 private:
  struct Impl;
  explicit AriCallControl(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialer::ari
