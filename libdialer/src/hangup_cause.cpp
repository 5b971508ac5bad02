#include "dialer/hangup_cause.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<DialStatus, 8> kStatusNames{{
    {DialStatus::none, ""},
    {DialStatus::answer, "ANSWER"},
    {DialStatus::busy, "BUSY"},
    {DialStatus::noanswer, "NOANSWER"},
    {DialStatus::congestion, "CONGESTION"},
    {DialStatus::chanunavail, "CHANUNAVAIL"},
    {DialStatus::cancel, "CANCEL"},
    {DialStatus::dontcall, "DONTCALL"},
}};

constexpr internal::NameTable<DialStatus, 8> kLowerNames{{
    {DialStatus::none, "none"},
    {DialStatus::answer, "answer"},
    {DialStatus::busy, "busy"},
    {DialStatus::noanswer, "noanswer"},
    {DialStatus::congestion, "congestion"},
    {DialStatus::chanunavail, "chanunavail"},
    {DialStatus::cancel, "cancel"},
    {DialStatus::dontcall, "dontcall"},
}};

CallOutcome outcome_from_cause(int cause) noexcept {
  switch (cause) {
    case q850::user_busy:
    case q850::call_rejected: return CallOutcome::busy;
    case q850::normal_clearing:  // ended by us while ringing, or by a far end that gave up
    case q850::no_user_response:
    case q850::no_answer:
    case q850::subscriber_absent: return CallOutcome::no_answer;
    case q850::unallocated_number:
    case q850::no_route_to_destination:
    case q850::number_changed:
    case q850::invalid_number_format: return CallOutcome::invalid_number;
    default: return CallOutcome::failed;
  }
}

}  // namespace

const char* to_string(DialStatus s) noexcept { return internal::name_of(kLowerNames, s); }
bool from_string(std::string_view s, DialStatus& out) noexcept {
  return internal::parse_name(kStatusNames, s, out) || internal::parse_name(kLowerNames, s, out);
}

const char* cause_text(int cause) noexcept {
  switch (cause) {
    case q850::unallocated_number: return "Unallocated (unassigned) number";
    case q850::no_route_to_destination: return "No route to destination";
    case q850::normal_clearing: return "Normal Clearing";
    case q850::user_busy: return "User busy";
    case q850::no_user_response: return "No user responding";
    case q850::no_answer: return "User alerting, no answer";
    case q850::subscriber_absent: return "Subscriber absent";
    case q850::call_rejected: return "Call Rejected";
    case q850::number_changed: return "Number changed";
    case q850::destination_out_of_order: return "Destination out of order";
    case q850::invalid_number_format: return "Invalid number format";
    case q850::normal_unspecified: return "Normal, unspecified";
    case q850::no_circuit_available: return "Circuit/channel congestion";
    case q850::network_out_of_order: return "Network out of order";
    case q850::temporary_failure: return "Temporary failure";
    case q850::switching_equipment_congestion: return "Switching equipment congestion";
    default: return "Unknown";
  }
}

CallOutcome outcome_before_answer(DialStatus status, int cause) noexcept {
  switch (status) {
    case DialStatus::busy: return CallOutcome::busy;
    case DialStatus::congestion:
    case DialStatus::chanunavail: return CallOutcome::failed;
    case DialStatus::cancel: return CallOutcome::no_answer;
    case DialStatus::dontcall: return CallOutcome::failed;
    // Asterisk reports NOANSWER for every cause it does not know (README
    // point 9), so the cause decides between no answer and invalid number.
    case DialStatus::noanswer: {
      const CallOutcome by_cause = outcome_from_cause(cause);
      return by_cause == CallOutcome::invalid_number ? by_cause : CallOutcome::no_answer;
    }
    case DialStatus::answer:
    case DialStatus::none: break;
  }
  return outcome_from_cause(cause);
}

}  // namespace dialer
