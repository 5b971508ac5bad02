#include "dialer/testing/scripted_call_control.hpp"

#include <stdexcept>

#include "../internal/enum_names.hpp"

namespace dialer::testing {
namespace {

constexpr internal::NameTable<CommandKind, 7> kKindNames{{
    {CommandKind::originate, "originate"},
    {CommandKind::answer, "answer"},
    {CommandKind::hang_up, "hang_up"},
    {CommandKind::create_bridge, "create_bridge"},
    {CommandKind::add_to_bridge, "add_to_bridge"},
    {CommandKind::destroy_bridge, "destroy_bridge"},
    {CommandKind::play, "play"},
}};

}  // namespace

const char* to_string(CommandKind k) noexcept { return internal::name_of(kKindNames, k); }
bool from_string(std::string_view s, CommandKind& out) noexcept {
  return internal::parse_name(kKindNames, s, out);
}

Result<void> ScriptedCallControl::record(Command c) {
  auto [first, last] = failures_.equal_range(c.kind);
  for (auto it = first; it != last; ++it) {
    Failure& f = it->second;
    if (f.countdown == 0) return f.error;
    if (--f.countdown == 0) {
      Error e = std::move(f.error);
      failures_.erase(it);
      return e;
    }
  }
  // Only accepted commands are recorded: a refused one never reached the PBX.
  if (c.kind == CommandKind::originate) {
    legs_[c.channel] = c.leg;
  } else if (auto it = legs_.find(c.channel); it != legs_.end()) {
    c.leg = it->second;
  }
  commands_.push_back(std::move(c));
  return ok();
}

Result<void> ScriptedCallControl::originate(const OriginateRequest& r) {
  return record({CommandKind::originate, r.channel, {}, r.endpoint, r.leg, r.call, 0, r.timeout});
}
Result<void> ScriptedCallControl::answer(ChannelId channel) {
  return record({CommandKind::answer, channel, {}, {}, Leg::customer, {}, 0, {}});
}
Result<void> ScriptedCallControl::hang_up(ChannelId channel, int cause) {
  return record({CommandKind::hang_up, channel, {}, {}, Leg::customer, {}, cause, {}});
}
Result<void> ScriptedCallControl::create_bridge(BridgeId bridge) {
  return record({CommandKind::create_bridge, {}, bridge, {}, Leg::customer, {}, 0, {}});
}
Result<void> ScriptedCallControl::add_to_bridge(BridgeId bridge, ChannelId channel) {
  return record({CommandKind::add_to_bridge, channel, bridge, {}, Leg::customer, {}, 0, {}});
}
Result<void> ScriptedCallControl::destroy_bridge(BridgeId bridge) {
  return record({CommandKind::destroy_bridge, {}, bridge, {}, Leg::customer, {}, 0, {}});
}
Result<void> ScriptedCallControl::play(ChannelId channel, std::string_view media) {
  return record({CommandKind::play, channel, {}, std::string(media), Leg::customer, {}, 0, {}});
}

void ScriptedCallControl::fail_nth(CommandKind kind, std::size_t nth, Error error) {
  failures_.emplace(kind, Failure{nth == 0 ? 1 : nth, std::move(error)});
}

void ScriptedCallControl::fail_all(CommandKind kind, Error error) {
  failures_.emplace(kind, Failure{0, std::move(error)});
}

void ScriptedCallControl::clear_failures() { failures_.clear(); }

std::vector<Command> ScriptedCallControl::of_kind(CommandKind kind) const {
  std::vector<Command> out;
  for (const auto& c : commands_) {
    if (c.kind == kind) out.push_back(c);
  }
  return out;
}

const Command& ScriptedCallControl::last_originate(Leg leg) const {
  for (auto it = commands_.rbegin(); it != commands_.rend(); ++it) {
    if (it->kind == CommandKind::originate && it->leg == leg) return *it;
  }
  throw std::out_of_range("no originate for that leg");
}

}  // namespace dialer::testing
