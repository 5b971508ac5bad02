// How the telephone network says a call ended, and what that means for a dialer.
//
// Two signals arrive: the final dial status of the attempt (Asterisk's
// DIALSTATUS) and the Q.850 cause of the channel. The dial status is read
// first: a far end that signals busy in band leaves cause 0 on the channel
// while the dial status says BUSY (see shared/ari/README.md, point 10).
#pragma once

#include <string_view>

#include "dialer/call.hpp"

namespace dialer {

/// Asterisk's DIALSTATUS values; none when no final status was reported.
enum class DialStatus { none, answer, busy, noanswer, congestion, chanunavail, cancel, dontcall };

const char* to_string(DialStatus s) noexcept;
/// Accepts Asterisk's spelling ("BUSY", "NOANSWER", ...) and ours; "" → none.
bool from_string(std::string_view s, DialStatus& out) noexcept;

/// Q.850 causes the dialer acts on.
namespace q850 {
inline constexpr int unknown = 0;
inline constexpr int unallocated_number = 1;
inline constexpr int no_route_to_destination = 3;
inline constexpr int normal_clearing = 16;
inline constexpr int user_busy = 17;
inline constexpr int no_user_response = 18;
inline constexpr int no_answer = 19;
inline constexpr int subscriber_absent = 20;
inline constexpr int call_rejected = 21;
inline constexpr int number_changed = 22;
inline constexpr int destination_out_of_order = 27;
inline constexpr int invalid_number_format = 28;
inline constexpr int normal_unspecified = 31;
inline constexpr int no_circuit_available = 34;
inline constexpr int network_out_of_order = 38;
inline constexpr int temporary_failure = 41;
inline constexpr int switching_equipment_congestion = 42;
}  // namespace q850

/// A short text for a Q.850 cause ("User busy"); "Unknown" for others.
const char* cause_text(int cause) noexcept;

/// The outcome of a customer leg that ended before it was answered.
/// Busy and rejected calls are busy; unanswered, absent subscribers and
/// cancelled attempts are no answer; unallocated and malformed numbers are
/// invalid; congestion, unavailable channels, network failures and unknown
/// causes are failed.
CallOutcome outcome_before_answer(DialStatus status, int cause) noexcept;

}  // namespace dialer
