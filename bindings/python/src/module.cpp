// The extension module dialer._dialer: one call per public header, in
// dependency order so that each signature names types already bound.
#include "bindings.hpp"

PYBIND11_MODULE(_dialer, m) {
  namespace dp = dialer::python;
  m.doc() =
      "libdialer: the outbound dialer engine, its domain types, ports and policies. "
      "Use it through the `dialer` package.";
  dp::bind_errors(m);
  dp::bind_clock(m);
  dp::bind_phone_number(m);
  dp::bind_carrier(m);
  dp::bind_dial_prefix(m);
  dp::bind_campaign(m);
  dp::bind_agent(m);
  dp::bind_call(m);
  dp::bind_lead(m);
  dp::bind_queue(m);
  dp::bind_compliance(m);
  dp::bind_hopper(m);
  dp::bind_pacer(m);
  dp::bind_hangup_cause(m);
  dp::bind_call_control(m);
  dp::bind_event_sink(m);
  dp::bind_store(m);
  dp::bind_lead_import(m);
  dp::bind_engine(m);
  auto testing =
      m.def_submodule("testing",
                      "Test doubles: a manual clock, virtual time, a recording sink, a scripted "
                      "call control and an in-memory store.");
  dp::bind_testing(testing);
  auto sim = m.def_submodule("sim",
                             "Scenarios and simulated days through the real engine (dialer-sim from Python).");
  dp::bind_sim(sim);
}
