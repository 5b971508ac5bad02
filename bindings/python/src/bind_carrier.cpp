// carrier.hpp: one outbound route to the telephone network.
#include "bindings.hpp"
#include "dialer/carrier.hpp"

namespace dialer::python {

void bind_carrier(py::module_& m) {
  ValueClass<Carrier>(m, "Carrier", "One outbound route: a trunk or a dialplan context.")
      .field("id", &Carrier::id)
      .field("name", &Carrier::name, "Unique, human-readable (\"trunk-a\").")
      .field("dial_prefix", &Carrier::dial_prefix,
             "Digits, '*' and '#'; unique, and never the start of another carrier's.")
      .field("dial_template", &Carrier::dial_template,
             "Endpoint with one \"{dial}\": \"PJSIP/{dial}@trunk\".")
      .field("number_format", &Carrier::number_format)
      .done();
}

}  // namespace dialer::python
