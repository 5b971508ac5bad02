// CallControl: the port through which the engine places and ends calls, and the
// telephony events that come back.
//
// Commands return at once: success means the command was accepted, not that the
// call was answered. Everything that happens afterwards arrives later as a
// CallEvent that the host feeds to Engine::on_call_event. The engine chooses
// every channel and bridge id itself before the command goes out, because with
// Asterisk the first events of a channel can arrive before the answer to the
// originate does (shared/ari/README.md, point 1).
//
// Implemented by: the ARI transport (dialer::ari), the simulated PBX, and
// testing::ScriptedCallControl. Called by: the engine, from its own thread
// only. An implementation must never call back into the engine synchronously;
// it queues events for the host to deliver.
//
// Errors: Errc::unavailable when the telephony side cannot take commands now
// (e.g. the ARI event stream is down: an originate then would drop the answered
// customer); Errc::invalid_argument for a malformed request; Errc::conflict for
// an id already in use. Ending something that is already gone is success.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "dialer/error.hpp"
#include "dialer/hangup_cause.hpp"
#include "dialer/ids.hpp"

namespace dialer {

/// Which side of a call a channel is.
enum class Leg { customer, agent };

const char* to_string(Leg l) noexcept;
bool from_string(std::string_view s, Leg& out) noexcept;

struct OriginateRequest {
  /// Chosen by the engine; unique for the engine's lifetime.
  ChannelId channel;
  CallId call;
  Leg leg = Leg::customer;
  /// Where to call: "PJSIP/914155550100@trunk" (checked by the dial policy for
  /// customer legs) or the agent's endpoint.
  std::string endpoint;
  /// Presented caller id; may be empty.
  std::string caller_id;
  /// How long to ring before giving up (the channel then ends with no answer).
  std::chrono::seconds timeout{30};
};

class CallControl {
 public:
  virtual ~CallControl() = default;

  virtual Result<void> originate(const OriginateRequest& request) = 0;
  /// Answers an inbound channel.
  virtual Result<void> answer(ChannelId channel) = 0;
  /// Ends a channel with a Q.850 cause. Already gone: success.
  virtual Result<void> hang_up(ChannelId channel, int cause = q850::normal_clearing) = 0;
  /// Creates a mixing bridge with the engine's id.
  virtual Result<void> create_bridge(BridgeId bridge) = 0;
  virtual Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) = 0;
  /// Already gone: success.
  virtual Result<void> destroy_bridge(BridgeId bridge) = 0;
  /// Plays a media URI ("sound:safe-harbour") to a channel.
  virtual Result<void> play(ChannelId channel, std::string_view media) = 0;
};

// ---- Telephony events, reported by the call control for the engine ----

/// The far end is ringing.
struct ChannelRinging {
  ChannelId channel;
};

/// The far end answered and the channel is under the dialer's control (for
/// ARI: StasisStart of an originated channel).
struct ChannelAnswered {
  ChannelId channel;
  /// Answering-machine detection recognised a machine: the engine hangs up
  /// and never connects it to an agent.
  bool machine = false;
};

/// A play() to this channel finished (for ARI: PlaybackFinished).
struct PlaybackFinished {
  ChannelId channel;
};

/// How the end of a channel became known. The cause and dial status of a
/// channel that ended unseen are guesses at best, so the engine must not judge
/// the call by them (a ringing call would otherwise count as `failed`).
enum class HangupSource {
  /// The telephony reported the end (for ARI: ChannelDestroyed).
  reported,
  /// The channel was gone when the telephony link came back after a gap (for
  /// ARI: missing from GET /channels at resync, or 404 on GET /channels/{id});
  /// nobody saw how it ended. `cause` is 0 and `dial_status` the last one seen.
  lost_in_gap,
};

/// "reported", "lost_in_gap".
const char* to_string(HangupSource s) noexcept;
bool from_string(std::string_view s, HangupSource& out) noexcept;

/// The channel is gone. Final: no event follows for this channel.
struct ChannelHungUp {
  ChannelId channel;
  /// Q.850 cause of the channel; 0 when unknown.
  int cause = 0;
  /// Final dial status of the attempt, when the telephony reported one.
  DialStatus dial_status = DialStatus::none;
  HangupSource source = HangupSource::reported;
};

/// An originate was accepted but failed before the channel existed (for ARI:
/// the asynchronous HTTP request failed). Final, like ChannelHungUp.
struct OriginateFailed {
  ChannelId channel;
  Error error;
};

using CallEvent =
    std::variant<ChannelRinging, ChannelAnswered, ChannelHungUp, OriginateFailed, PlaybackFinished>;

}  // namespace dialer
