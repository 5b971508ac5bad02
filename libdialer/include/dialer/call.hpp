// Calls: one contact attempt with a customer, its state machine, and its row
// in the call log.
//
//   originating ─▶ ringing ─▶ answered ─▶ bridged (with the agent)
//        │            │           │           │
//        └────────────┴───────────┴───────────┴──hung_up──▶ ended ─▶ dispositioned
//
// How a call ended is its outcome (busy, no answer, failed, dropped, ...),
// separate from its state. As for agents, the table is the specification.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "dialer/clock.hpp"
#include "dialer/ids.hpp"

namespace dialer {

enum class CallState { originating, ringing, answered, bridged, ended, dispositioned };

const char* to_string(CallState s) noexcept;
bool from_string(std::string_view s, CallState& out) noexcept;

enum class CallOutcome {
  /// Not ended yet.
  none,
  /// Answered and talked with an agent.
  completed,
  busy,
  no_answer,
  /// Congestion, channel unavailable, or the originate failed.
  failed,
  /// The network says the number does not exist.
  invalid_number,
  /// Answered, but no agent was connected: an abandoned call.
  dropped,
  /// An answering machine answered (detected by AMD); never given to an agent.
  machine,
  /// Hung up by the dialer or the agent before it was answered.
  cancelled,
  /// The call was lost (no live call for the busy-reset period); ended by the dialer.
  lost,
  /// Never placed: the compliance gate refused it (the reason names the rule).
  refused,
};

const char* to_string(CallOutcome o) noexcept;
bool from_string(std::string_view s, CallOutcome& out) noexcept;

enum class CallInput { ringing, answered, agent_connected, hung_up, dispositioned };

const char* to_string(CallInput i) noexcept;
bool from_string(std::string_view s, CallInput& out) noexcept;

struct CallTransition {
  CallState from;
  CallInput input;
  CallState to;
};

inline constexpr std::array<CallTransition, 9> kCallTransitions{{
    {CallState::originating, CallInput::ringing, CallState::ringing},
    {CallState::originating, CallInput::answered, CallState::answered},
    {CallState::ringing, CallInput::answered, CallState::answered},
    {CallState::answered, CallInput::agent_connected, CallState::bridged},
    {CallState::originating, CallInput::hung_up, CallState::ended},
    {CallState::ringing, CallInput::hung_up, CallState::ended},
    {CallState::answered, CallInput::hung_up, CallState::ended},
    {CallState::bridged, CallInput::hung_up, CallState::ended},
    {CallState::ended, CallInput::dispositioned, CallState::dispositioned},
}};

constexpr std::optional<CallState> next_call_state(CallState from, CallInput input) noexcept {
  for (const auto& t : kCallTransitions) {
    if (t.from == from && t.input == input) return t.to;
  }
  return std::nullopt;
}

/// Who ended the call.
enum class HangupSide { none, customer, agent, dialer };

const char* to_string(HangupSide s) noexcept;
bool from_string(std::string_view s, HangupSide& out) noexcept;

/// One row of the call log. Instants are zero (WallTime{}) until they happen.
struct CallRecord {
  CallId id;
  CampaignId campaign;
  AgentId agent;
  /// Zero when the number matched no lead.
  LeadId lead;
  CarrierId carrier;
  /// The customer's number, E.164.
  std::string number;
  /// Prefix and number as sent: "914155550100".
  std::string dialled;
  /// The endpoint handed to call control: "PJSIP/914155550100@trunk".
  std::string dial_string;
  CallState state = CallState::originating;
  CallOutcome outcome = CallOutcome::none;
  WallTime created_at{};
  WallTime ringing_at{};
  WallTime answered_at{};
  WallTime bridged_at{};
  WallTime ended_at{};
  WallTime dispositioned_at{};
  /// Q.850 cause of the customer leg (16 normal clearing, 17 busy, ...); 0 unknown.
  int hangup_cause = 0;
  /// The cause in words, or why the dialer ended the call.
  std::string hangup_reason;
  HangupSide hung_up_by = HangupSide::none;
  std::string disposition;
  std::string notes;
  /// The disposition was written by the dialer (wrap-up timeout, reset).
  bool auto_disposition = false;
};

}  // namespace dialer
