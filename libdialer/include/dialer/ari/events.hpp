// The ARI events the dialer reads, as typed values, and the parser that makes
// them from WebSocket text frames.
//
// Field names follow Asterisk's own spec (shared/ari/api-docs/events.json);
// tests check that every field read here is named there. Events the dialer
// does not act on are kept as UnknownEvent with their raw JSON, so a newer
// Asterisk never breaks the stream. The parser never throws and never aborts:
// an oversized, malformed or non-object frame is an Errc::protocol_error.
//
// Threading: EventParser holds scratch memory; use one per thread. The free
// function parse_event is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "dialer/error.hpp"

namespace dialer::ari {

/// The parts of an ARI Channel object (channels.json) the dialer uses.
struct Channel {
  std::string id;
  std::string name;
  /// "Down", "Ring", "Ringing", "Up", ... as Asterisk spells it.
  std::string state;
  /// dialplan.context and dialplan.exten: for Local channels, the dialled string.
  std::string context;
  std::string exten;
  /// channelvars (only the variables ari.conf lists), in the order received.
  std::vector<std::pair<std::string, std::string>> variables;

  /// The value of a channel variable; nullptr when absent.
  const std::string* variable(std::string_view name) const;
};

/// The parts of an ARI Bridge object (bridges.json) the dialer uses.
struct Bridge {
  std::string id;
  std::string bridge_type;
  std::vector<std::string> channels;
};

/// The parts of an ARI Playback object (playbacks.json) the dialer uses.
struct Playback {
  std::string id;
  std::string media_uri;
  /// "channel:<id>" or "bridge:<id>".
  std::string target_uri;
  /// "done", "failed", ...
  std::string state;
};

// ---- Events (one struct per event type, named as in events.json) ----

/// A channel entered the app: for an originate with app=, the far end answered.
struct StasisStart {
  Channel channel;
  std::vector<std::string> args;
};
struct StasisEnd {
  Channel channel;
};
struct ChannelStateChange {
  Channel channel;
};
/// Hangup started. With soft=true, `cause` is Asterisk's soft-hangup flag, not
/// a Q.850 cause (README point 13): read the final cause from ChannelDestroyed.
struct ChannelHangupRequest {
  Channel channel;
  int cause = 0;
  bool soft = false;
};
/// The authoritative end of a channel.
struct ChannelDestroyed {
  Channel channel;
  int cause = 0;
  std::string cause_txt;
};
/// Dial progress of `peer` (for an ARI originate: the originated channel).
/// dialstatus is "" when the attempt begins, then RINGING, ANSWER, BUSY, ...
struct Dial {
  Channel peer;
  std::optional<Channel> caller;
  std::string dialstatus;
  std::string dialstring;
};
struct ChannelEnteredBridge {
  Bridge bridge;
  std::optional<Channel> channel;
};
struct ChannelLeftBridge {
  Bridge bridge;
  Channel channel;
};
struct BridgeDestroyed {
  Bridge bridge;
};
/// A variable changed; no channel means a global variable.
struct ChannelVarset {
  std::optional<Channel> channel;
  std::string variable;
  std::string value;
};
struct PlaybackFinished {
  Playback playback;
};
/// Another connection registered this app: this socket gets nothing more.
struct ApplicationReplaced {};
/// Any other event, kept whole.
struct UnknownEvent {
  std::string raw;
};

using EventBody = std::variant<StasisStart, StasisEnd, ChannelStateChange, ChannelHangupRequest,
                               ChannelDestroyed, Dial, ChannelEnteredBridge, ChannelLeftBridge,
                               BridgeDestroyed, ChannelVarset, PlaybackFinished,
                               ApplicationReplaced, UnknownEvent>;

/// One event: the fields every ARI event carries, and its typed body.
struct Event {
  std::string type;
  std::string application;
  std::string timestamp;
  std::string asterisk_id;
  EventBody body;
};

/// The largest frame parse_event accepts by default.
inline constexpr std::size_t kMaxEventBytes = std::size_t{1} << 20;

/// Parses one WebSocket text frame. Errors: Errc::protocol_error (larger than
/// max_bytes, not JSON, not an object, no string "type", a known event whose
/// required field is missing or of the wrong JSON type).
Result<Event> parse_event(std::string_view frame, std::size_t max_bytes = kMaxEventBytes);

/// The same, reusing its memory between frames (the event stream's hot path).
class EventParser {
 public:
  explicit EventParser(std::size_t max_bytes = kMaxEventBytes);
  ~EventParser();
  EventParser(EventParser&&) noexcept;
  EventParser& operator=(EventParser&&) noexcept;

  Result<Event> parse(std::string_view frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The JSON field names the parser reads, per model: for the test that checks
/// them against the spec. `model` is an events.json model ("Dial") or an
/// object model ("Channel", "Bridge", "Playback").
struct ModelFields {
  std::string_view model;
  std::span<const std::string_view> fields;
};
std::span<const ModelFields> fields_read();

}  // namespace dialer::ari
