#include "dialer/agent.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<AgentState, 5> kStateNames{{
    {AgentState::offline, "offline"},
    {AgentState::available, "available"},
    {AgentState::on_break, "break"},
    {AgentState::busy, "busy"},
    {AgentState::wrapup, "wrapup"},
}};

constexpr internal::NameTable<AgentInput, 11> kInputNames{{
    {AgentInput::log_in, "log_in"},
    {AgentInput::log_out, "log_out"},
    {AgentInput::resume, "resume"},
    {AgentInput::take_break, "take_break"},
    {AgentInput::call_assigned, "call_assigned"},
    {AgentInput::call_ended, "call_ended"},
    {AgentInput::disposed, "disposed"},
    {AgentInput::disposed_to_break, "disposed_to_break"},
    {AgentInput::wrapup_timed_out, "wrapup_timed_out"},
    {AgentInput::wrapup_timed_out_to_break, "wrapup_timed_out_to_break"},
    {AgentInput::busy_reset, "busy_reset"},
}};

}  // namespace

const char* to_string(AgentState s) noexcept { return internal::name_of(kStateNames, s); }
bool from_string(std::string_view s, AgentState& out) noexcept {
  return internal::parse_name(kStateNames, s, out);
}
const char* to_string(AgentInput i) noexcept { return internal::name_of(kInputNames, i); }
bool from_string(std::string_view s, AgentInput& out) noexcept {
  return internal::parse_name(kInputNames, s, out);
}

std::string to_string(const AgentStatus& s) {
  std::string text = to_string(s.state);
  if (s.state == AgentState::on_break) text += ":" + s.break_type;
  return text;
}

}  // namespace dialer
