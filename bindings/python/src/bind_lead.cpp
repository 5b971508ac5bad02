// lead.hpp: leads and their queue rows.
#include "bindings.hpp"
#include "dialer/lead.hpp"

namespace dialer::python {

void bind_lead(py::module_& m) {
  ValueClass<Lead>(m, "Lead", "A person to call.")
      .field("id", &Lead::id)
      .field("campaign", &Lead::campaign)
      .field("phone", &Lead::phone, "Normalised with normalize_number.")
      .field("time_zone", &Lead::time_zone, "IANA time zone; empty when unknown.")
      .field("fields", &Lead::fields, "Everything else, as (name, value) tuples in import order.")
      .done()
      .def("field", &Lead::field, py::arg("name"), "The value of a field, or ''.");

  auto status = bind_enum<QueueStatus>(m, "QueueStatus",
                                       "Where a lead stands in its campaign's outbound queue.");
  DIALER_PY_VALUE(status, QueueStatus, pending);
  DIALER_PY_VALUE(status, QueueStatus, dialing);
  DIALER_PY_VALUE(status, QueueStatus, answered);
  DIALER_PY_VALUE(status, QueueStatus, completed);
  DIALER_PY_VALUE(status, QueueStatus, busy);
  DIALER_PY_VALUE(status, QueueStatus, no_answer);
  DIALER_PY_VALUE(status, QueueStatus, failed);
  DIALER_PY_VALUE(status, QueueStatus, invalid_number);
  DIALER_PY_VALUE(status, QueueStatus, dropped);
  add_from_string(status);

  m.def("queue_status_for", &queue_status_for, py::arg("outcome"),
        "The queue status a lead takes when its call ends with `outcome`.");

  ValueClass<QueueUpdate>(m, "QueueUpdate", "A change of a lead's queue row.")
      .field("campaign", &QueueUpdate::campaign)
      .field("lead", &QueueUpdate::lead)
      .field("status", &QueueUpdate::status)
      .field("call", &QueueUpdate::call, "The call that caused the change.")
      .field("at", &QueueUpdate::at)
      .done();
}

}  // namespace dialer::python
