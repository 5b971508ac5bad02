// The agent and call transition tables, walked row by row, and every pair that
// is not a row.
#include <doctest/doctest.h>

#include <set>
#include <utility>

#include "dialer/agent.hpp"
#include "dialer/call.hpp"

using namespace dialer;

namespace {

constexpr AgentState kAgentStates[] = {AgentState::offline, AgentState::available,
                                       AgentState::on_break, AgentState::busy,
                                       AgentState::wrapup};
constexpr AgentInput kAgentInputs[] = {
    AgentInput::log_in,         AgentInput::log_out,           AgentInput::resume,
    AgentInput::take_break,     AgentInput::call_assigned,     AgentInput::call_ended,
    AgentInput::disposed,       AgentInput::disposed_to_break, AgentInput::wrapup_timed_out,
    AgentInput::wrapup_timed_out_to_break, AgentInput::busy_reset};

constexpr CallState kCallStates[] = {CallState::originating, CallState::ringing,
                                     CallState::answered,    CallState::bridged,
                                     CallState::ended,       CallState::dispositioned};
constexpr CallInput kCallInputs[] = {CallInput::ringing, CallInput::answered,
                                     CallInput::agent_connected, CallInput::hung_up,
                                     CallInput::dispositioned};

}  // namespace

TEST_SUITE("agent state machine") {
  TEST_CASE("every row of the agent table is a transition") {
    for (const auto& row : kAgentTransitions) {
      CAPTURE(to_string(row.from));
      CAPTURE(to_string(row.input));
      CHECK(next_agent_state(row.from, row.input) == row.to);
    }
  }

  TEST_CASE("every pair that is not a row of the agent table is refused") {
    std::set<std::pair<AgentState, AgentInput>> rows;
    for (const auto& row : kAgentTransitions) {
      CHECK_MESSAGE(rows.insert({row.from, row.input}).second, "a pair is listed twice");
    }
    int refused = 0;
    for (AgentState s : kAgentStates) {
      for (AgentInput i : kAgentInputs) {
        if (rows.contains({s, i})) continue;
        CAPTURE(to_string(s));
        CAPTURE(to_string(i));
        CHECK_FALSE(next_agent_state(s, i).has_value());
        ++refused;
      }
    }
    CHECK(refused == 5 * 11 - static_cast<int>(kAgentTransitions.size()));
  }

  TEST_CASE("the table says what DESIGN.md says") {
    // offline → available ⇄ break; assigned call → busy → wrapup → available or break.
    CHECK(next_agent_state(AgentState::offline, AgentInput::log_in) == AgentState::available);
    CHECK(next_agent_state(AgentState::available, AgentInput::take_break) == AgentState::on_break);
    CHECK(next_agent_state(AgentState::on_break, AgentInput::resume) == AgentState::available);
    CHECK(next_agent_state(AgentState::available, AgentInput::call_assigned) == AgentState::busy);
    CHECK(next_agent_state(AgentState::busy, AgentInput::call_ended) == AgentState::wrapup);
    CHECK(next_agent_state(AgentState::wrapup, AgentInput::disposed_to_break) ==
          AgentState::on_break);
    // No second call while busy, no dialling on break, no logging out mid-call.
    CHECK_FALSE(next_agent_state(AgentState::busy, AgentInput::call_assigned));
    CHECK_FALSE(next_agent_state(AgentState::on_break, AgentInput::call_assigned));
    CHECK_FALSE(next_agent_state(AgentState::busy, AgentInput::log_out));
    CHECK_FALSE(next_agent_state(AgentState::wrapup, AgentInput::log_out));
  }

  TEST_CASE("agent states and inputs have stable names read both ways") {
    for (AgentState s : kAgentStates) {
      AgentState back{};
      REQUIRE(from_string(to_string(s), back));
      CHECK(back == s);
    }
    CHECK(std::string(to_string(AgentState::on_break)) == "break");
    CHECK(to_string(AgentStatus{AgentState::on_break, "lunch"}) == "break:lunch");
    AgentState unused{};
    CHECK_FALSE(from_string("sleeping", unused));
  }
}

TEST_SUITE("call state machine") {
  TEST_CASE("every row of the call table is a transition") {
    for (const auto& row : kCallTransitions) {
      CAPTURE(to_string(row.from));
      CAPTURE(to_string(row.input));
      CHECK(next_call_state(row.from, row.input) == row.to);
    }
  }

  TEST_CASE("every pair that is not a row of the call table is refused") {
    std::set<std::pair<CallState, CallInput>> rows;
    for (const auto& row : kCallTransitions) rows.insert({row.from, row.input});
    REQUIRE(rows.size() == kCallTransitions.size());
    for (CallState s : kCallStates) {
      for (CallInput i : kCallInputs) {
        if (rows.contains({s, i})) continue;
        CAPTURE(to_string(s));
        CAPTURE(to_string(i));
        CHECK_FALSE(next_call_state(s, i).has_value());
      }
    }
  }

  TEST_CASE("a call can end from every live state but not twice") {
    for (CallState s : {CallState::originating, CallState::ringing, CallState::answered,
                        CallState::bridged}) {
      CHECK(next_call_state(s, CallInput::hung_up) == CallState::ended);
    }
    CHECK_FALSE(next_call_state(CallState::ended, CallInput::hung_up));
    CHECK_FALSE(next_call_state(CallState::dispositioned, CallInput::hung_up));
    // Only an answered call can be bridged with an agent.
    CHECK_FALSE(next_call_state(CallState::ringing, CallInput::agent_connected));
  }

  TEST_CASE("call states and outcomes have stable names read both ways") {
    for (CallState s : kCallStates) {
      CallState back{};
      REQUIRE(from_string(to_string(s), back));
      CHECK(back == s);
    }
    for (CallOutcome o : {CallOutcome::none, CallOutcome::completed, CallOutcome::busy,
                          CallOutcome::no_answer, CallOutcome::failed,
                          CallOutcome::invalid_number, CallOutcome::dropped,
                          CallOutcome::cancelled, CallOutcome::lost, CallOutcome::refused}) {
      CallOutcome back{};
      REQUIRE(from_string(to_string(o), back));
      CHECK(back == o);
    }
  }
}
