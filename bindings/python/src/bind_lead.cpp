// lead.hpp: leads.
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
      .field("priority", &Lead::priority, "Higher is called first under LeadOrder.priority_first.")
      .done()
      .def("field", &Lead::field, py::arg("name"), "The value of a field, or ''.");
}

}  // namespace dialer::python
