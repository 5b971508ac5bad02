// clock.hpp: the Clock port and the real clock. Python cannot implement a
// Clock (its readings are noexcept and read on every input); use SystemClock
// or dialer.testing.ManualClock.
#include "bindings.hpp"
#include "dialer/clock.hpp"

namespace dialer::python {

void bind_clock(py::module_& m) {
  py::class_<Clock>(m, "Clock", "Where an engine reads time: steady (monotonic) and wall time.")
      .def("steady_now", &Clock::steady_now,
           "Monotonic time, as a timedelta since the steady clock's epoch.")
      .def("wall_now", &Clock::wall_now, "Calendar time, as a naive datetime in UTC.");

  py::class_<SystemClock, Clock>(m, "SystemClock", "The machine's real clocks.", py::is_final())
      .def(py::init<>());
}

}  // namespace dialer::python
