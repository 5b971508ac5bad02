// pacer.hpp: pacing policies, driven from Python with plain snapshots.
#include <memory>

#include "bindings.hpp"
#include "dialer/pacer.hpp"

namespace dialer::python {

void bind_pacer(py::module_& m) {
  ValueClass<PacerSnapshot>(m, "PacerSnapshot",
                            "The live state of one campaign, as elapsed seconds at `now_s`.")
      .field("now_s", &PacerSnapshot::now_s, "Seconds on a monotonic clock; only differences matter.")
      .field("time_of_day_s", &PacerSnapshot::time_of_day_s,
             "Seconds since local midnight (VICIdial's server-time rules use it).")
      .field("idle_s", &PacerSnapshot::idle_s, "Idle agents: how long each has waited for a call.")
      .field("talking_s", &PacerSnapshot::talking_s, "Agents on a call: how long each has talked.")
      .field("wrapup_s", &PacerSnapshot::wrapup_s, "Agents in wrap-up: how long each has been in it.")
      .field("on_break", &PacerSnapshot::on_break, "Logged-in agents on a break.")
      .field("ringing_s", &PacerSnapshot::ringing_s, "Calls placed and not answered yet: age of each.")
      .field("waiting_s", &PacerSnapshot::waiting_s,
             "Answered calls waiting for an agent: how long each has waited.")
      .field("dialable", &PacerSnapshot::dialable,
             "Calls the hopper can place now (the engine caps the answer by it).")
      .field("abandon_cap", &PacerSnapshot::abandon_cap, "Dropped / live answers allowed, e.g. 0.03.")
      .field("max_wait_s", &PacerSnapshot::max_wait_s,
             "The longest an answered call waits for an agent before it is dropped.")
      .field("placed_today", &PacerSnapshot::placed_today)
      .field("answered_today", &PacerSnapshot::answered_today)
      .field("dropped_today", &PacerSnapshot::dropped_today)
      .field("answered_30d", &PacerSnapshot::answered_30d)
      .field("dropped_30d", &PacerSnapshot::dropped_30d)
      .done()
      .def("agents_working", &PacerSnapshot::agents_working,
           "Idle, talking and wrap-up agents (not those on a break).");

  auto kind = bind_enum<PacerEventKind>(m, "PacerEventKind",
                                        "Something that happened to a campaign's call or agent.");
  DIALER_PY_VALUE(kind, PacerEventKind, placed);
  DIALER_PY_VALUE(kind, PacerEventKind, live_answer);
  DIALER_PY_VALUE(kind, PacerEventKind, machine);
  DIALER_PY_VALUE(kind, PacerEventKind, no_answer);
  DIALER_PY_VALUE(kind, PacerEventKind, failed);
  DIALER_PY_VALUE(kind, PacerEventKind, connected);
  DIALER_PY_VALUE(kind, PacerEventKind, dropped);
  DIALER_PY_VALUE(kind, PacerEventKind, talk_end);
  DIALER_PY_VALUE(kind, PacerEventKind, wrapup_end);
  DIALER_PY_VALUE(kind, PacerEventKind, break_end);
  add_from_string(kind);

  ValueClass<PacerEvent>(m, "PacerEvent", "An outcome told to a pacer, on the snapshot's clock.")
      .field("kind", &PacerEvent::kind)
      .field("at_s", &PacerEvent::at_s, "When it happened.")
      .field("call", &PacerEvent::call, "The call, when the event concerns one; 0 otherwise.")
      .field("agent", &PacerEvent::agent, "The agent, when the event concerns one; 0 otherwise.")
      .field("value_s", &PacerEvent::value_s,
             "Ring time, time to failure, wait, talk or wrap-up length, by kind.")
      .done();

  py::class_<Pacer, std::unique_ptr<Pacer>>(
      m, "Pacer", "A pacing policy: how many calls to place now. Build one with make_pacer().")
      .def("name", &Pacer::name, "The policy's spec (\"ratio:2.5\").")
      .def("decide", &Pacer::decide, py::arg("snapshot"), "How many new calls to place now.")
      .def("observe", &Pacer::observe, py::arg("event"), "An outcome, in time order.")
      .def("wakeup_at", &Pacer::wakeup_at, py::arg("now_s"),
           "When the pacer wants to be asked again; None: at the next regular tick.")
      .def("__repr__", [](const Pacer& p) { return "<Pacer " + p.name() + ">"; });

  m.def("make_pacer", unwrapped(&make_pacer), py::arg("spec"),
        "A policy from its spec: \"progressive\", \"ratio:R\" (1 <= R <= 50), "
        "\"vicidial-tapered\" or \"predictive\". InvalidArgument names what is wrong.");
  m.def("pacer_policies", &pacer_policies,
        "The specs make_pacer accepts (\"ratio:R\" stands for any R).");
}

}  // namespace dialer::python
