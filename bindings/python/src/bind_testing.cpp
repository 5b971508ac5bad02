// testing/*.hpp: the test doubles, in the submodule dialer.testing.
#include <chrono>

#include "bindings.hpp"
#include "dialer/testing/manual_clock.hpp"
#include "dialer/testing/memory_store.hpp"
#include "dialer/testing/recording_sink.hpp"
#include "dialer/testing/scripted_call_control.hpp"
#include "dialer/testing/virtual_time.hpp"

namespace dialer::python {
namespace {

using testing::CommandKind;
using testing::StoreOp;

// ManualClock and advance() require time to move forward: refuse, rather than
// break the engine's monotonic clock.
void require_forward(std::chrono::nanoseconds d) {
  if (d < std::chrono::nanoseconds::zero()) throw py::value_error("time can only move forward");
}

}  // namespace

void bind_testing(py::module_& t) {
  // ---- manual_clock.hpp, virtual_time.hpp ----
  py::class_<testing::ManualClock, Clock>(
      t, "ManualClock",
      "A clock that moves only when told to. Starts at wall time 2026-01-05 09:00:00 UTC "
      "(or `wall`) and steady time 1 hour.",
      py::is_final())
      .def(py::init<>())
      .def(py::init<WallTime>(), py::arg("wall"))
      .def(
          "advance",
          [](testing::ManualClock& c, std::chrono::nanoseconds d) {
            require_forward(d);
            c.advance(d);
          },
          py::arg("d"), "Moves both readings forward (does not fire the engine's timers).")
      .def(
          "advance_to",
          [](testing::ManualClock& c, SteadyTime to) {
            require_forward(to - c.steady_now());
            c.advance_to(to);
          },
          py::arg("steady"), "Moves both readings forward to a steady instant (a timedelta).");

  t.def(
      "advance",
      [](Engine& engine, testing::ManualClock& clock, std::chrono::nanoseconds d) {
        require_forward(d);
        py::gil_scoped_release release;
        testing::advance(engine, clock, d);
      },
      py::arg("engine"), py::arg("clock"), py::arg("d"),
      "Advances `clock` (the engine's own) by `d`, firing each of the engine's timers at its "
      "own deadline on the way.");

  // ---- recording_sink.hpp ----
  py::class_<testing::RecordingSink, EventSink>(t, "RecordingSink", "Keeps every event.",
                                                py::is_final())
      .def(py::init<>())
      .def("events", &testing::RecordingSink::events, py::return_value_policy::copy,
           "Every event so far, in order.")
      .def("last_status", &testing::RecordingSink::last_status, py::arg("agent"),
           "The last AgentStatus published for an agent, or None.")
      .def("clear", &testing::RecordingSink::clear);

  // ---- scripted_call_control.hpp ----
  auto kind = bind_enum<CommandKind>(t, "CommandKind", "A kind of call control command.");
  DIALER_PY_VALUE(kind, CommandKind, originate);
  DIALER_PY_VALUE(kind, CommandKind, answer);
  DIALER_PY_VALUE(kind, CommandKind, hang_up);
  DIALER_PY_VALUE(kind, CommandKind, create_bridge);
  DIALER_PY_VALUE(kind, CommandKind, add_to_bridge);
  DIALER_PY_VALUE(kind, CommandKind, destroy_bridge);
  DIALER_PY_VALUE(kind, CommandKind, play);

  ValueClass<testing::Command>(t, "Command", "One command as the engine issued it.")
      .field("kind", &testing::Command::kind)
      .field("channel", &testing::Command::channel)
      .field("bridge", &testing::Command::bridge)
      .field("target", &testing::Command::target, "originate: the endpoint; play: the media.")
      .field("leg", &testing::Command::leg)
      .field("call", &testing::Command::call)
      .field("cause", &testing::Command::cause)
      .field("timeout", &testing::Command::timeout)
      .done();

  py::class_<testing::ScriptedCallControl, CallControl>(
      t, "ScriptedCallControl", "Records every accepted command and fails any of them on demand.",
      py::is_final())
      .def(py::init<>())
      .def("fail_nth", &testing::ScriptedCallControl::fail_nth, py::arg("kind"), py::arg("nth"),
           py::arg("error"), "Fails the nth (1-based, from now) command of `kind` with `error`.")
      .def("fail_all", &testing::ScriptedCallControl::fail_all, py::arg("kind"), py::arg("error"),
           "Fails every command of `kind` until clear_failures().")
      .def("clear_failures", &testing::ScriptedCallControl::clear_failures)
      .def("commands", &testing::ScriptedCallControl::commands, py::return_value_policy::copy)
      .def("of_kind", &testing::ScriptedCallControl::of_kind, py::arg("kind"))
      .def("last_originate", &testing::ScriptedCallControl::last_originate, py::arg("leg"),
           py::return_value_policy::copy, "The last originate of a leg; IndexError if none.")
      .def("clear", &testing::ScriptedCallControl::clear);

  py::class_<testing::NullCallControl, CallControl>(
      t, "NullCallControl", "Accepts everything and keeps nothing.", py::is_final())
      .def(py::init<>());

  // ---- memory_store.hpp ----
  auto op = bind_enum<StoreOp>(t, "StoreOp", "A MemoryStore operation, for fail_nth.");
  DIALER_PY_VALUE(op, StoreOp, find_lead);
  DIALER_PY_VALUE(op, StoreOp, find_lead_by_phone);
  DIALER_PY_VALUE(op, StoreOp, add_leads);
  DIALER_PY_VALUE(op, StoreOp, claim_leads);
  DIALER_PY_VALUE(op, StoreOp, renew_leases);
  DIALER_PY_VALUE(op, StoreOp, release_leads);
  DIALER_PY_VALUE(op, StoreOp, update_queue);
  DIALER_PY_VALUE(op, StoreOp, queue_entry);
  DIALER_PY_VALUE(op, StoreOp, add_do_not_call);
  DIALER_PY_VALUE(op, StoreOp, is_do_not_call);
  DIALER_PY_VALUE(op, StoreOp, save_call);
  DIALER_PY_VALUE(op, StoreOp, find_call);
  DIALER_PY_VALUE(op, StoreOp, count_calls_to);
  DIALER_PY_VALUE(op, StoreOp, max_call_id);
  DIALER_PY_VALUE(op, StoreOp, abandonment_by_day);
  add_from_string(op);

  py::class_<testing::MemoryStore, LeadStore, DoNotCallStore, CallLogStore>(
      t, "MemoryStore",
      "An in-memory LeadStore, DoNotCallStore and CallLogStore that can fail on demand.",
      py::is_final())
      .def(py::init<>())
      .def("add_lead", unwrapped(&testing::MemoryStore::add_lead), py::arg("lead"),
           "Adds or replaces a lead, claimable at once. Raises InvalidArgument.")
      .def("queue_status", &testing::MemoryStore::queue_status, py::arg("lead"),
           "The lead's QueueStatus, or None for an unknown lead.")
      .def("queue_history", &testing::MemoryStore::queue_history, py::arg("lead"),
           "Every QueueUpdate of a lead, in order.")
      .def("call", &testing::MemoryStore::call, py::arg("id"), "A CallRecord, or None.")
      .def("calls", &testing::MemoryStore::calls, "Every call log row, in call id order.")
      .def("call_count", &testing::MemoryStore::call_count)
      .def("fail_nth", &testing::MemoryStore::fail_nth, py::arg("op"), py::arg("nth"),
           py::arg("error"), "Fails the nth (1-based, from now) operation `op` with `error`.")
      .def("keep_history", &testing::MemoryStore::keep_history, py::arg("on"));
}

}  // namespace dialer::python
