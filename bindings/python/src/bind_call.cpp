// call.hpp: calls, their states and outcomes, the call state machine's table,
// and the call log row.
#include <tuple>
#include <vector>

#include "bindings.hpp"
#include "dialer/call.hpp"

namespace dialer::python {

void bind_call(py::module_& m) {
  auto state = bind_enum<CallState>(m, "CallState", "Where a call is in its lifecycle.");
  DIALER_PY_VALUE(state, CallState, originating);
  DIALER_PY_VALUE(state, CallState, ringing);
  DIALER_PY_VALUE(state, CallState, answered);
  DIALER_PY_VALUE(state, CallState, bridged);
  DIALER_PY_VALUE(state, CallState, ended);
  DIALER_PY_VALUE(state, CallState, dispositioned);
  add_from_string(state);

  auto outcome = bind_enum<CallOutcome>(m, "CallOutcome", "How a call ended.");
  DIALER_PY_VALUE(outcome, CallOutcome, none);
  DIALER_PY_VALUE(outcome, CallOutcome, completed);
  DIALER_PY_VALUE(outcome, CallOutcome, busy);
  DIALER_PY_VALUE(outcome, CallOutcome, no_answer);
  DIALER_PY_VALUE(outcome, CallOutcome, failed);
  DIALER_PY_VALUE(outcome, CallOutcome, invalid_number);
  DIALER_PY_VALUE(outcome, CallOutcome, dropped);
  DIALER_PY_VALUE(outcome, CallOutcome, machine);
  DIALER_PY_VALUE(outcome, CallOutcome, cancelled);
  DIALER_PY_VALUE(outcome, CallOutcome, lost);
  DIALER_PY_VALUE(outcome, CallOutcome, refused);
  add_from_string(outcome);

  auto input = bind_enum<CallInput>(m, "CallInput", "An input to the call state machine.");
  DIALER_PY_VALUE(input, CallInput, ringing);
  DIALER_PY_VALUE(input, CallInput, answered);
  DIALER_PY_VALUE(input, CallInput, agent_connected);
  DIALER_PY_VALUE(input, CallInput, hung_up);
  DIALER_PY_VALUE(input, CallInput, dispositioned);

  m.def("next_call_state", &next_call_state, py::arg("state"), py::arg("input"),
        "The state after `input`, or None when the table has no such row.");
  m.def(
      "call_transitions",
      [] {
        std::vector<std::tuple<CallState, CallInput, CallState>> rows;
        for (const auto& t : kCallTransitions) rows.emplace_back(t.from, t.input, t.to);
        return rows;
      },
      "The call state machine's table as (from, input, to) tuples.");

  auto side = bind_enum<HangupSide>(m, "HangupSide", "Who ended a call.");
  DIALER_PY_VALUE(side, HangupSide, none);
  DIALER_PY_VALUE(side, HangupSide, customer);
  DIALER_PY_VALUE(side, HangupSide, agent);
  DIALER_PY_VALUE(side, HangupSide, dialer);

  ValueClass<CallRecord>(m, "CallRecord",
                         "One row of the call log. Instants are None until they happen.")
      .field("id", &CallRecord::id)
      .field("campaign", &CallRecord::campaign)
      .field("agent", &CallRecord::agent)
      .field("lead", &CallRecord::lead, "0 when the number matched no lead.")
      .field("carrier", &CallRecord::carrier)
      .field("number", &CallRecord::number, "The customer's number, E.164.")
      .field("dialled", &CallRecord::dialled, "Prefix and number as sent.")
      .field("dial_string", &CallRecord::dial_string)
      .field("state", &CallRecord::state)
      .field("outcome", &CallRecord::outcome)
      .field("created_at", &CallRecord::created_at)
      .field("ringing_at", &CallRecord::ringing_at)
      .field("answered_at", &CallRecord::answered_at)
      .field("bridged_at", &CallRecord::bridged_at)
      .field("ended_at", &CallRecord::ended_at)
      .field("dispositioned_at", &CallRecord::dispositioned_at)
      .field("hangup_cause", &CallRecord::hangup_cause, "Q.850 cause; 0 unknown.")
      .field("hangup_reason", &CallRecord::hangup_reason)
      .field("hung_up_by", &CallRecord::hung_up_by)
      .field("disposition", &CallRecord::disposition)
      .field("notes", &CallRecord::notes)
      .field("auto_disposition", &CallRecord::auto_disposition,
             "The disposition was written by the dialer (wrap-up timeout, reset).")
      .done();
}

}  // namespace dialer::python
