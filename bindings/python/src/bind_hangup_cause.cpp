// hangup_cause.hpp: dial statuses, Q.850 causes and what they mean for a call.
#include "bindings.hpp"
#include "dialer/hangup_cause.hpp"

namespace dialer::python {

void bind_hangup_cause(py::module_& m) {
  auto status = bind_enum<DialStatus>(m, "DialStatus",
                                      "Asterisk's DIALSTATUS; from_string accepts \"BUSY\" and "
                                      "\"busy\".");
  DIALER_PY_VALUE(status, DialStatus, none);
  DIALER_PY_VALUE(status, DialStatus, answer);
  DIALER_PY_VALUE(status, DialStatus, busy);
  DIALER_PY_VALUE(status, DialStatus, noanswer);
  DIALER_PY_VALUE(status, DialStatus, congestion);
  DIALER_PY_VALUE(status, DialStatus, chanunavail);
  DIALER_PY_VALUE(status, DialStatus, cancel);
  DIALER_PY_VALUE(status, DialStatus, dontcall);
  add_from_string(status);

  auto q = m.def_submodule("q850", "Q.850 cause values the dialer acts on.");
  q.attr("unknown") = q850::unknown;
  q.attr("unallocated_number") = q850::unallocated_number;
  q.attr("no_route_to_destination") = q850::no_route_to_destination;
  q.attr("normal_clearing") = q850::normal_clearing;
  q.attr("user_busy") = q850::user_busy;
  q.attr("no_user_response") = q850::no_user_response;
  q.attr("no_answer") = q850::no_answer;
  q.attr("subscriber_absent") = q850::subscriber_absent;
  q.attr("call_rejected") = q850::call_rejected;
  q.attr("number_changed") = q850::number_changed;
  q.attr("destination_out_of_order") = q850::destination_out_of_order;
  q.attr("invalid_number_format") = q850::invalid_number_format;
  q.attr("normal_unspecified") = q850::normal_unspecified;
  q.attr("no_circuit_available") = q850::no_circuit_available;
  q.attr("network_out_of_order") = q850::network_out_of_order;
  q.attr("temporary_failure") = q850::temporary_failure;
  q.attr("switching_equipment_congestion") = q850::switching_equipment_congestion;

  m.def("cause_text", &cause_text, py::arg("cause"),
        "A short text for a Q.850 cause (\"User busy\"); \"Unknown\" for others.");
  m.def("outcome_before_answer", &outcome_before_answer, py::arg("status"), py::arg("cause"),
        "The outcome of a customer leg that ended before it was answered.");
}

}  // namespace dialer::python
