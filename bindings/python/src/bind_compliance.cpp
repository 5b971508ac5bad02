// calling_hours.hpp, recycle.hpp, abandonment.hpp: the rules a dialer obeys
// before and after each call.
#include <vector>

#include "bindings.hpp"
#include "dialer/abandonment.hpp"
#include "dialer/calling_hours.hpp"
#include "dialer/compliance.hpp"
#include "dialer/recycle.hpp"

namespace dialer::python {

void bind_compliance(py::module_& m) {
  ValueClass<CallingHours>(m, "CallingHours",
                           "The window of the called person's local time to call in.")
      .field("start", &CallingHours::start, "Opens at this local time of day. Default 08:00.")
      .field("end", &CallingHours::end, "Closes at this local time of day (exclusive). 21:00.")
      .done();
  m.def("validate_calling_hours", unwrapped(&validate_calling_hours), py::arg("hours"));
  m.def("is_known_time_zone", &is_known_time_zone, py::arg("time_zone"));
  m.def("within_calling_hours", &within_calling_hours, py::arg("time_zone"), py::arg("now"),
        py::arg("hours") = CallingHours{},
        "Whether `now` (a UTC datetime) is inside the window in that IANA zone.");
  m.def("next_calling_window", unwrapped(&next_calling_window), py::arg("time_zone"),
        py::arg("now"), py::arg("hours") = CallingHours{},
        "The first instant at or after `now` inside the window.");
  m.def(
      "zones_within_calling_hours",
      [](const std::vector<std::string>& zones, WallTime now, const CallingHours& hours) {
        return zones_within_calling_hours(zones, now, hours);
      },
      py::arg("zones"), py::arg("now"), py::arg("hours") = CallingHours{});

  auto rule = bind_enum<ComplianceRule>(m, "ComplianceRule",
                                        "Which rule of the compliance gate refused a call.");
  DIALER_PY_VALUE(rule, ComplianceRule, do_not_call);
  DIALER_PY_VALUE(rule, ComplianceRule, outside_calling_hours);
  DIALER_PY_VALUE(rule, ComplianceRule, unknown_time_zone);
  DIALER_PY_VALUE(rule, ComplianceRule, lead_attempt_cap);
  DIALER_PY_VALUE(rule, ComplianceRule, daily_number_cap);
  add_from_string(rule);

  ValueClass<ComplianceRules>(m, "ComplianceRules", "A campaign's compliance settings.")
      .field("calling_hours", &ComplianceRules::calling_hours)
      .field("max_attempts_per_lead", &ComplianceRules::max_attempts_per_lead, "0: no cap.")
      .field("max_calls_per_number_per_day", &ComplianceRules::max_calls_per_number_per_day,
             "Across campaigns, in the last 24 hours; 0: no cap.")
      .done();

  ValueClass<RecycleRule>(m, "RecycleRule", "How one outcome is recycled.")
      .field("recycle", &RecycleRule::recycle)
      .field("delay", &RecycleRule::delay)
      .field("max_attempts", &RecycleRule::max_attempts, "0: only the lead's cap applies.")
      .done();
  ValueClass<RecyclePolicy>(m, "RecyclePolicy", "When unconnected leads are called again.")
      .field("busy", &RecyclePolicy::busy)
      .field("no_answer", &RecyclePolicy::no_answer)
      .field("failed", &RecyclePolicy::failed)
      .field("dropped", &RecyclePolicy::dropped)
      .field("machine", &RecyclePolicy::machine)
      .field("max_attempts", &RecyclePolicy::max_attempts, "Per lead; 0: no cap.")
      .done();
  m.def("validate_recycle_policy", unwrapped(&validate_recycle_policy), py::arg("policy"));
  m.def("recycle_at", &recycle_at, py::arg("policy"), py::arg("outcome"), py::arg("attempts"),
        py::arg("now"), "When the lead may be claimed again; None when final.");

  py::class_<AbandonmentMeter::Counts>(m, "AbandonmentCounts")
      .def_readonly("answered", &AbandonmentMeter::Counts::answered)
      .def_readonly("abandoned", &AbandonmentMeter::Counts::abandoned)
      .def("rate", &AbandonmentMeter::Counts::rate);
  py::class_<AbandonmentMeter>(m, "AbandonmentMeter",
                               "Dropped calls over live answers, per day and over whole days.")
      .def(py::init<std::chrono::minutes>(), py::arg("day_offset") = std::chrono::minutes{0})
      .def("record", &AbandonmentMeter::record, py::arg("at"), py::arg("abandoned"))
      .def("today", &AbandonmentMeter::today, py::arg("now"))
      .def("last_days", &AbandonmentMeter::last_days, py::arg("now"), py::arg("days"));
}

}  // namespace dialer::python
