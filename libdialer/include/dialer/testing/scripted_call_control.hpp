// A CallControl that records every command and can fail any of them on demand
// (the idea of Beast's fail_count): tests play the telephony side by feeding
// CallEvents to the engine themselves.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/call_control.hpp"

namespace dialer::testing {

enum class CommandKind { originate, answer, hang_up, create_bridge, add_to_bridge, destroy_bridge, play };

const char* to_string(CommandKind k) noexcept;
bool from_string(std::string_view s, CommandKind& out) noexcept;

/// One command as the engine issued it.
struct Command {
  CommandKind kind;
  ChannelId channel;
  BridgeId bridge;
  /// originate: the endpoint; play: the media.
  std::string target;
  /// The leg of `channel`, as its originate said (customer for unknown channels).
  Leg leg = Leg::customer;
  CallId call;
  int cause = 0;
  std::chrono::seconds timeout{0};
};

class ScriptedCallControl final : public CallControl {
 public:
  Result<void> originate(const OriginateRequest& request) override;
  Result<void> answer(ChannelId channel) override;
  Result<void> hang_up(ChannelId channel, int cause) override;
  Result<void> create_bridge(BridgeId bridge) override;
  Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) override;
  Result<void> destroy_bridge(BridgeId bridge) override;
  Result<void> play(ChannelId channel, std::string_view media) override;

  /// Fails the `nth` (1-based, counted from now) command of `kind` with `error`.
  void fail_nth(CommandKind kind, std::size_t nth, Error error);
  /// Fails every command of `kind` from now on, until clear_failures().
  void fail_all(CommandKind kind, Error error);
  void clear_failures();

  const std::vector<Command>& commands() const { return commands_; }
  /// Commands of one kind, in order.
  std::vector<Command> of_kind(CommandKind kind) const;
  /// The last originate of a leg; throws std::out_of_range if none.
  const Command& last_originate(Leg leg) const;
  void clear() { commands_.clear(); }

 private:
  struct Failure {
    std::size_t countdown;  // 0: every call
    Error error;
  };
  Result<void> record(Command c);

  std::vector<Command> commands_;
  std::map<ChannelId, Leg> legs_;  // from originates, for later commands' `leg`
  std::multimap<CommandKind, Failure> failures_;
};

/// A CallControl that accepts everything and keeps nothing (benchmarks).
class NullCallControl final : public CallControl {
 public:
  Result<void> originate(const OriginateRequest&) override { return ok(); }
  Result<void> answer(ChannelId) override { return ok(); }
  Result<void> hang_up(ChannelId, int) override { return ok(); }
  Result<void> create_bridge(BridgeId) override { return ok(); }
  Result<void> add_to_bridge(BridgeId, ChannelId) override { return ok(); }
  Result<void> destroy_bridge(BridgeId) override { return ok(); }
  Result<void> play(ChannelId, std::string_view) override { return ok(); }
};

}  // namespace dialer::testing
