// Agents and their state machine.
//
//   offline ──log_in──▶ available ⇄ break(type)
//   available ──call_assigned──▶ busy ──call_ended──▶ wrapup
//   wrapup ──disposed / wrapup_timed_out──▶ available or break(type)
//   busy ──busy_reset (10 min with no live call)──▶ available
//
// The transition table below is the specification: the engine consults it for
// every change, the tests walk every row and every pair that is not a row, and
// docs/state-machines.md is printed from it. A pair that is not a row is
// refused with Errc::invalid_transition and changes nothing.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "dialer/ids.hpp"

namespace dialer {

struct Agent {
  AgentId id;
  /// Unique login name.
  std::string login;
  /// For people.
  std::string name;
  /// The agent's phone as Asterisk reaches it: "PJSIP/agent100", "Local/100@agents".
  std::string endpoint;
  /// The phone stays connected between calls: the engine calls it at log-in
  /// and keeps it in a holding bridge, so an answered customer is joined at
  /// once. Otherwise the phone is called for each call once the customer
  /// answers.
  bool persistent_leg = false;
};

enum class AgentState { offline, available, on_break, busy, wrapup };

/// "offline", "available", "break", "busy", "wrapup".
const char* to_string(AgentState s) noexcept;
bool from_string(std::string_view s, AgentState& out) noexcept;

/// What an agent's panel shows: the state, and the break type when on a break.
struct AgentStatus {
  AgentState state = AgentState::offline;
  /// Set only when state is on_break.
  std::string break_type;

  friend bool operator==(const AgentStatus&, const AgentStatus&) = default;
};

/// "available", "break:lunch", ...
std::string to_string(const AgentStatus& s);

enum class AgentInput {
  log_in,
  log_out,
  /// The agent asks to be available again after a break.
  resume,
  take_break,
  call_assigned,
  /// The customer leg of the agent's call ended.
  call_ended,
  /// A disposition was submitted; next status available.
  disposed,
  /// A disposition was submitted with a break as the next status.
  disposed_to_break,
  wrapup_timed_out,
  /// Wrap-up timed out in a campaign that sends agents to a break afterwards.
  wrapup_timed_out_to_break,
  /// Busy for the reset period with no live call.
  busy_reset,
};

const char* to_string(AgentInput i) noexcept;
bool from_string(std::string_view s, AgentInput& out) noexcept;

struct AgentTransition {
  AgentState from;
  AgentInput input;
  AgentState to;
};

inline constexpr std::array<AgentTransition, 13> kAgentTransitions{{
    {AgentState::offline, AgentInput::log_in, AgentState::available},
    {AgentState::available, AgentInput::log_out, AgentState::offline},
    {AgentState::on_break, AgentInput::log_out, AgentState::offline},
    {AgentState::available, AgentInput::take_break, AgentState::on_break},
    {AgentState::on_break, AgentInput::take_break, AgentState::on_break},
    {AgentState::on_break, AgentInput::resume, AgentState::available},
    {AgentState::available, AgentInput::call_assigned, AgentState::busy},
    {AgentState::busy, AgentInput::call_ended, AgentState::wrapup},
    {AgentState::busy, AgentInput::busy_reset, AgentState::available},
    {AgentState::wrapup, AgentInput::disposed, AgentState::available},
    {AgentState::wrapup, AgentInput::disposed_to_break, AgentState::on_break},
    {AgentState::wrapup, AgentInput::wrapup_timed_out, AgentState::available},
    {AgentState::wrapup, AgentInput::wrapup_timed_out_to_break, AgentState::on_break},
}};

/// The state after `input` in `from`, or nullopt when the table has no such row.
constexpr std::optional<AgentState> next_agent_state(AgentState from, AgentInput input) noexcept {
  for (const auto& t : kAgentTransitions) {
    if (t.from == from && t.input == input) return t.to;
  }
  return std::nullopt;
}

}  // namespace dialer
