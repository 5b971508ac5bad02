// hopper.hpp: a campaign's leased queue of ready leads.
#include "bindings.hpp"
#include "dialer/hopper.hpp"

namespace dialer::python {

void bind_hopper(py::module_& m) {
  ValueClass<HopperOptions>(m, "HopperOptions", "How a hopper claims and holds leads.")
      .field("campaign", &HopperOptions::campaign)
      .field("owner", &HopperOptions::owner, "This dialer's lease owner name.")
      .field("capacity", &HopperOptions::capacity)
      .field("refill_below", &HopperOptions::refill_below, "0: capacity / 2.")
      .field("lease", &HopperOptions::lease)
      .field("order", &HopperOptions::order)
      .field("max_attempts", &HopperOptions::max_attempts)
      .field("calling_hours", &HopperOptions::calling_hours,
             "None: any time zone; else only zones inside these hours.")
      .done();
  // The store may block: release the GIL; a Python store takes it back.
  const auto release = py::call_guard<py::gil_scoped_release>();
  py::class_<Hopper>(m, "Hopper", "A campaign's bounded queue of leased leads ready to dial.")
      .def(py::init([](const HopperOptions& o) { return unwrap(Hopper::create(o)); }),
           py::arg("options"))
      .def("refill", unwrapped(&Hopper::refill), py::arg("store"), py::arg("now"), release)
      .def("take", &Hopper::take)
      .def("__len__", &Hopper::size)
      .def_property_readonly("exhausted", &Hopper::exhausted)
      .def("renew", unwrapped(&Hopper::renew), py::arg("store"), py::arg("now"), release)
      .def("release_all", unwrapped(&Hopper::release_all), py::arg("store"), release)
      .def_property_readonly("options", &Hopper::options);
}

}  // namespace dialer::python
