// event_sink.hpp: the events the engine publishes, and the EventSink port
// (implementable in Python).
#include <Python.h>

#include <exception>

#include "bindings.hpp"
#include "dialer/event_sink.hpp"

namespace dialer::python {
namespace {

// An EventSink implemented by a Python subclass. publish is noexcept: an
// exception raised by the Python code is reported through
// sys.unraisablehook (PyErr_WriteUnraisable) and dropped.
class PyEventSink final : public EventSink {
 public:
  void publish(const Event& event) noexcept override {
    py::gil_scoped_acquire gil;
    try {
      py::function override = py::get_override(static_cast<const EventSink*>(this), "publish");
      if (!override) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "the Python EventSink does not implement publish");
        PyErr_WriteUnraisable(nullptr);
        return;
      }
      override(event);
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("dialer.EventSink.publish");
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
      PyErr_WriteUnraisable(nullptr);
    } catch (...) {
      PyErr_SetString(PyExc_RuntimeError, "unknown exception in dialer.EventSink.publish");
      PyErr_WriteUnraisable(nullptr);
    }
  }
};

}  // namespace

void bind_event_sink(py::module_& m) {
  auto reason = bind_enum<StatusReason>(m, "StatusReason", "Why an agent's status changed.");
  DIALER_PY_VALUE(reason, StatusReason, command);
  DIALER_PY_VALUE(reason, StatusReason, call);
  DIALER_PY_VALUE(reason, StatusReason, disposition);
  DIALER_PY_VALUE(reason, StatusReason, wrapup_timeout);
  DIALER_PY_VALUE(reason, StatusReason, busy_reset);
  DIALER_PY_VALUE(reason, StatusReason, phone_lost);

  ValueClass<StatusUpdate>(m, "StatusUpdate",
                           "An agent's status changed (the panel's status_update).")
      .field("agent", &StatusUpdate::agent)
      .field("status", &StatusUpdate::status)
      .field("previous", &StatusUpdate::previous)
      .field("reason", &StatusUpdate::reason)
      .field("at", &StatusUpdate::at)
      .done();
  ValueClass<CallUpdate>(m, "CallUpdate", "The agent's call moved.")
      .field("agent", &CallUpdate::agent)
      .field("call", &CallUpdate::call)
      .field("state", &CallUpdate::state)
      .field("outcome", &CallUpdate::outcome)
      .field("at", &CallUpdate::at)
      .done();
  ValueClass<LeadPop>(m, "LeadPop", "The lead card and script for a call just assigned.")
      .field("agent", &LeadPop::agent)
      .field("call", &LeadPop::call)
      .field("lead", &LeadPop::lead, "None when the number matches no lead.")
      .field("script", &LeadPop::script)
      .field("number", &LeadPop::number, "E.164.")
      .field("dial_prefix", &LeadPop::dial_prefix, "The effective prefix (read-only on the panel).")
      .done();
  ValueClass<Alarm>(m, "Alarm", "Something failed that no command can report.")
      .field("what", &Alarm::what)
      .field("error", &Alarm::error)
      .done();

  ValueClass<CampaignChanged>(m, "CampaignChanged",
                              "What agents' panels show of a campaign changed.")
      .field("campaign", &CampaignChanged::campaign)
      .field("dial_mode", &CampaignChanged::dial_mode)
      .field("manual_dial_allowed", &CampaignChanged::manual_dial_allowed)
      .field("dial_prefix", &CampaignChanged::dial_prefix, "The effective prefix.")
      .done();
  ValueClass<HopperEmpty>(m, "HopperEmpty", "A campaign wanted to dial and had no lead.")
      .field("campaign", &HopperEmpty::campaign)
      .field("at", &HopperEmpty::at)
      .done();

  m.attr("Event") = union_of(
      m, {"StatusUpdate", "CallUpdate", "LeadPop", "CampaignChanged", "HopperEmpty", "Alarm"});

  py::class_<EventSink, PyEventSink>(
      m, "EventSink",
      "Where the engine publishes its events (see Event). Subclass it "
      "and override publish(event). publish must not raise (an exception is reported "
      "through sys.unraisablehook and dropped) and must not call the engine.")
      .def(py::init<>())
      .def("publish", &EventSink::publish, py::arg("event"));

  py::class_<FanoutSink, EventSink>(
      m, "FanoutSink", "Publishes each event to several sinks, in the order added.", py::is_final())
      .def(py::init<>())
      .def("add", &FanoutSink::add, py::arg("sink"), py::keep_alive<1, 2>(),
           "Adds a sink; it is kept alive as long as this one.");

  py::class_<NullSink, EventSink>(m, "NullSink", "Drops every event.", py::is_final())
      .def(py::init<>());
}

}  // namespace dialer::python
