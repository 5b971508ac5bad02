// agent.hpp: agents, their states and the agent state machine's table.
#include <tuple>
#include <vector>

#include "bindings.hpp"
#include "dialer/agent.hpp"

namespace dialer::python {

void bind_agent(py::module_& m) {
  ValueClass<Agent>(m, "Agent", "An agent who takes calls.")
      .field("id", &Agent::id)
      .field("login", &Agent::login, "Unique login name.")
      .field("name", &Agent::name)
      .field("endpoint", &Agent::endpoint, "The agent's phone: \"PJSIP/agent100\".")
      .field("persistent_leg", &Agent::persistent_leg,
             "The phone is called at log-in and stays connected between calls.")
      .done();

  auto state =
      bind_enum<AgentState>(m, "AgentState", "An agent's state; str() is \"break\" for on_break.");
  DIALER_PY_VALUE(state, AgentState, offline);
  DIALER_PY_VALUE(state, AgentState, available);
  DIALER_PY_VALUE(state, AgentState, on_break);
  DIALER_PY_VALUE(state, AgentState, busy);
  DIALER_PY_VALUE(state, AgentState, wrapup);
  add_from_string(state);

  ValueClass<AgentStatus>(m, "AgentStatus", "What an agent's panel shows.")
      .field("state", &AgentStatus::state)
      .field("break_type", &AgentStatus::break_type, "Set only when state is on_break.")
      .done()
      .def(
          "__str__", [](const AgentStatus& s) { return to_string(s); },
          "\"available\", \"break:lunch\", ...");

  auto input = bind_enum<AgentInput>(m, "AgentInput", "An input to the agent state machine.");
  DIALER_PY_VALUE(input, AgentInput, log_in);
  DIALER_PY_VALUE(input, AgentInput, log_out);
  DIALER_PY_VALUE(input, AgentInput, resume);
  DIALER_PY_VALUE(input, AgentInput, take_break);
  DIALER_PY_VALUE(input, AgentInput, call_assigned);
  DIALER_PY_VALUE(input, AgentInput, call_ended);
  DIALER_PY_VALUE(input, AgentInput, disposed);
  DIALER_PY_VALUE(input, AgentInput, disposed_to_break);
  DIALER_PY_VALUE(input, AgentInput, wrapup_timed_out);
  DIALER_PY_VALUE(input, AgentInput, wrapup_timed_out_to_break);
  DIALER_PY_VALUE(input, AgentInput, busy_reset);

  m.def("next_agent_state", &next_agent_state, py::arg("state"), py::arg("input"),
        "The state after `input`, or None when the table has no such row.");
  m.def(
      "agent_transitions",
      [] {
        std::vector<std::tuple<AgentState, AgentInput, AgentState>> rows;
        for (const auto& t : kAgentTransitions) rows.emplace_back(t.from, t.input, t.to);
        return rows;
      },
      "The agent state machine's table as (from, input, to) tuples.");
}

}  // namespace dialer::python
