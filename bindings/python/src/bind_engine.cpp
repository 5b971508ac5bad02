// engine.hpp: the Engine, its options, dispositions and agent views.
#include <memory>

#include "bindings.hpp"
#include "dialer/engine.hpp"
#include "dialer/lead_import.hpp"

namespace dialer::python {

void bind_engine(py::module_& m) {
  m.attr("BUSY_RESET_AFTER") = std::chrono::duration_cast<std::chrono::seconds>(kBusyResetAfter);

  ValueClass<EngineOptions>(m, "EngineOptions", "Options of an engine.")
      .field("node", &EngineOptions::node,
             "This dialer's name among all sharing a store: its queue lease owner.")
      .field("id_base", &EngineOptions::id_base,
             "Call, channel and bridge ids are id_base + 1, + 2, ... Default 0.")
      .field("busy_reset_after", &EngineOptions::busy_reset_after, "Default BUSY_RESET_AFTER.")
      .field("number_time_zones", &EngineOptions::number_time_zones,
             "NumberTimeZoneMap for typed numbers that match no lead, or None.")
      .field("agent_answer_timeout", &EngineOptions::agent_answer_timeout,
             "How long an agent's phone may ring. Default 20 s.")
      .field("pacing_interval", &EngineOptions::pacing_interval,
             "How often autodial and predictive campaigns are paced. Default 500 ms.")
      .done();

  ValueClass<CampaignStats>(m, "CampaignStats", "A campaign's live figures.")
      .field("agents_logged_in", &CampaignStats::agents_logged_in)
      .field("hopper_depth", &CampaignStats::hopper_depth)
      .field("hopper_exhausted", &CampaignStats::hopper_exhausted)
      .field("ringing", &CampaignStats::ringing)
      .field("waiting", &CampaignStats::waiting)
      .field("placed_today", &CampaignStats::placed_today)
      .field("today", &CampaignStats::today)
      .field("last_30_days", &CampaignStats::last_30_days)
      .field("pacer", &CampaignStats::pacer)
      .done();

  ValueClass<Disposition>(m, "Disposition", "What an agent submits to close a call.")
      .field("code", &Disposition::code, "One of the campaign's disposition codes.")
      .field("notes", &Disposition::notes, "At most MAX_DISPOSITION_NOTES bytes.")
      .field("next_break", &Disposition::next_break,
             "Empty: become available; else one of the campaign's break types.")
      .done();

  ValueClass<AgentView>(m, "AgentView", "A read-only view of an agent.")
      .field("id", &AgentView::id)
      .field("status", &AgentView::status)
      .field("campaign", &AgentView::campaign, "0 when offline.")
      .field("call", &AgentView::call, "0 when none.")
      .field("since", &AgentView::since, "When the current status began.")
      .done();

  // Commands release the GIL while the engine runs: its ports may block, and
  // ports implemented in Python take the GIL back when called.
  const auto release = py::call_guard<py::gil_scoped_release>();
  py::class_<Engine>(
      m, "Engine",
      "The deterministic core of the dialer. Commands that are not valid in the agent's "
      "current state raise (InvalidTransition, ...) and change nothing. Use an engine and "
      "its ports from one thread at a time.")
      .def(py::init([](Clock& clock, CallControl& call_control, LeadStore& lead_store,
                       CallLogStore& call_log_store, EventSink& events,
                       const EngineOptions& options, DoNotCallStore* do_not_call) {
             return std::make_unique<Engine>(
                 EnginePorts{clock, call_control, lead_store, call_log_store, events,
                             do_not_call},
                 options);
           }),
           py::arg("clock"), py::arg("call_control"), py::arg("lead_store"),
           py::arg("call_log_store"), py::arg("events"), py::arg("options") = EngineOptions{},
           py::arg("do_not_call") = nullptr,
           // The engine holds references to its ports: keep them alive as long as it.
           py::keep_alive<1, 2>(), py::keep_alive<1, 3>(), py::keep_alive<1, 4>(),
           py::keep_alive<1, 5>(), py::keep_alive<1, 6>(), py::keep_alive<1, 8>())
      // Configuration
      .def("save_carrier", unwrapped(&Engine::save_carrier), py::arg("carrier"), release)
      .def("save_campaign", unwrapped(&Engine::save_campaign), py::arg("campaign"), release)
      .def("save_agent", unwrapped(&Engine::save_agent), py::arg("agent"), release)
      .def("find_campaign", &Engine::find_campaign, py::arg("id"), py::return_value_policy::copy,
           "A copy, or None.")
      .def("find_carrier", &Engine::find_carrier, py::arg("id"), py::return_value_policy::copy,
           "A copy, or None.")
      .def("find_agent", &Engine::find_agent, py::arg("id"), py::return_value_policy::copy,
           "A copy, or None.")
      .def("reload_abandonment", unwrapped(&Engine::reload_abandonment), release,
           "Re-reads every campaign's abandonment of yesterday and today from the call log, "
           "for engines sharing a store.")
      // Agent commands
      .def("log_in", unwrapped(&Engine::log_in), py::arg("agent"), py::arg("campaign"), release)
      .def("log_out", unwrapped(&Engine::log_out), py::arg("agent"), release)
      .def("set_available", unwrapped(&Engine::set_available), py::arg("agent"), release)
      .def("take_break", unwrapped(&Engine::take_break), py::arg("agent"), py::arg("break_type"),
           release)
      .def("dial_number", unwrapped(&Engine::dial_number), py::arg("agent"), py::arg("number"),
           release, "Dials a typed number; returns the call id.")
      .def("dial_lead", unwrapped(&Engine::dial_lead), py::arg("agent"), py::arg("lead"), release,
           "Dials a lead of the agent's campaign; returns the call id.")
      .def("hang_up", unwrapped(&Engine::hang_up), py::arg("agent"), release)
      .def("submit_disposition", unwrapped(&Engine::submit_disposition), py::arg("agent"),
           py::arg("disposition"), release)
      // Telephony
      .def("on_call_event", &Engine::on_call_event, py::arg("event"), release,
           "Feeds ChannelRinging, ChannelAnswered, ChannelHungUp or OriginateFailed.")
      // Time
      .def("next_deadline", &Engine::next_deadline,
           "The earliest pending timer (steady time, a timedelta), or None.")
      .def("on_timer", &Engine::on_timer, release,
           "Fires every timer due at the clock's current time.")
      // Queries
      .def("agent", &Engine::agent, py::arg("id"), "An AgentView, or None.")
      .def("find_call", &Engine::find_call, py::arg("id"), py::return_value_policy::copy,
           "A copy of a live (or not yet dispositioned) call's record, or None.")
      .def("live_call_count", &Engine::live_call_count)
      .def("ignored_event_count", &Engine::ignored_event_count)
      .def("campaign_stats", &Engine::campaign_stats, py::arg("campaign"),
           "The campaign's live figures; None for an unknown campaign.")
      .def("refused_count", &Engine::refused_count, py::arg("rule"),
           "Calls the compliance gate refused under this rule.");
}

}  // namespace dialer::python
