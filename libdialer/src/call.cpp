#include "dialer/call.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<CallState, 6> kStateNames{{
    {CallState::originating, "originating"},
    {CallState::ringing, "ringing"},
    {CallState::answered, "answered"},
    {CallState::bridged, "bridged"},
    {CallState::ended, "ended"},
    {CallState::dispositioned, "dispositioned"},
}};

constexpr internal::NameTable<CallOutcome, 11> kOutcomeNames{{
    {CallOutcome::none, "none"},
    {CallOutcome::completed, "completed"},
    {CallOutcome::busy, "busy"},
    {CallOutcome::no_answer, "no_answer"},
    {CallOutcome::failed, "failed"},
    {CallOutcome::invalid_number, "invalid_number"},
    {CallOutcome::dropped, "dropped"},
    {CallOutcome::machine, "machine"},
    {CallOutcome::cancelled, "cancelled"},
    {CallOutcome::lost, "lost"},
    {CallOutcome::refused, "refused"},
}};

constexpr internal::NameTable<CallInput, 5> kInputNames{{
    {CallInput::ringing, "ringing"},
    {CallInput::answered, "answered"},
    {CallInput::agent_connected, "agent_connected"},
    {CallInput::hung_up, "hung_up"},
    {CallInput::dispositioned, "dispositioned"},
}};

constexpr internal::NameTable<HangupSide, 4> kSideNames{{
    {HangupSide::none, "none"},
    {HangupSide::customer, "customer"},
    {HangupSide::agent, "agent"},
    {HangupSide::dialer, "dialer"},
}};

}  // namespace

const char* to_string(CallState s) noexcept { return internal::name_of(kStateNames, s); }
bool from_string(std::string_view s, CallState& out) noexcept {
  return internal::parse_name(kStateNames, s, out);
}
const char* to_string(CallOutcome o) noexcept { return internal::name_of(kOutcomeNames, o); }
bool from_string(std::string_view s, CallOutcome& out) noexcept {
  return internal::parse_name(kOutcomeNames, s, out);
}
const char* to_string(CallInput i) noexcept { return internal::name_of(kInputNames, i); }
bool from_string(std::string_view s, CallInput& out) noexcept {
  return internal::parse_name(kInputNames, s, out);
}
const char* to_string(HangupSide s) noexcept { return internal::name_of(kSideNames, s); }
bool from_string(std::string_view s, HangupSide& out) noexcept {
  return internal::parse_name(kSideNames, s, out);
}

}  // namespace dialer
