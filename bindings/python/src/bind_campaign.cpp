// campaign.hpp: campaigns, their dialing modes and disposition codes.
#include "bindings.hpp"
#include "dialer/campaign.hpp"

namespace dialer::python {

void bind_campaign(py::module_& m) {
  auto mode = bind_enum<DialMode>(m, "DialMode", "How a campaign places calls.");
  DIALER_PY_VALUE(mode, DialMode, manual);
  DIALER_PY_VALUE(mode, DialMode, autodial);
  DIALER_PY_VALUE(mode, DialMode, predictive);
  add_from_string(mode);

  ValueClass<DispositionCode>(m, "DispositionCode", "A code a call is closed with.")
      .field("code", &DispositionCode::code, "Short, unique in the campaign: \"SALE\".")
      .field("label", &DispositionCode::label, "For people: \"Not interested\".")
      .field("do_not_call", &DispositionCode::do_not_call)
      .done();

  m.attr("DEFAULT_WRAPUP_TIMEOUT") = kDefaultWrapupTimeout;
  m.attr("MAX_DISPOSITION_NOTES") = kMaxDispositionNotes;

  ValueClass<PacingSettings>(m, "PacingSettings",
                            "How autodial and predictive campaigns place calls.")
      .field("policy", &PacingSettings::policy,
             "The predictive pacer: a make_pacer spec. Autodial is always progressive.")
      .field("abandon_cap", &PacingSettings::abandon_cap, "Dropped / live answers; default 0.03.")
      .field("max_wait_for_agent", &PacingSettings::max_wait_for_agent,
             "An answered call waits at most this long for an agent; default 2 s.")
      .field("safe_harbour_media", &PacingSettings::safe_harbour_media,
             "Played to a dropped call; predictive mode needs it.")
      .field("day_offset", &PacingSettings::day_offset,
             "Offset from UTC of the campaign's reporting day.")
      .done();

  ValueClass<Campaign>(m, "Campaign", "A list of people to call and how to call them.")
      .field("id", &Campaign::id)
      .field("name", &Campaign::name)
      .field("dial_mode", &Campaign::dial_mode)
      .field("carrier", &Campaign::carrier, "The id of a saved carrier.")
      .field("dial_prefix", &Campaign::dial_prefix, "Empty (the carrier's) or the carrier's.")
      .field("number_plan", &Campaign::number_plan)
      .field("manual_dial_allowed", &Campaign::manual_dial_allowed)
      .field("wrapup_timeout", &Campaign::wrapup_timeout,
             "timedelta, default 120 s; None: DEFAULT_WRAPUP_TIMEOUT (5 min).")
      .field("wrapup_timeout_disposition", &Campaign::wrapup_timeout_disposition)
      .field("break_after_wrapup_timeout", &Campaign::break_after_wrapup_timeout,
             "Empty: available after a wrap-up timeout; else one of break_types.")
      .field("hopper_size", &Campaign::hopper_size)
      .field("ring_timeout", &Campaign::ring_timeout)
      .field("caller_id", &Campaign::caller_id)
      .field("break_types", &Campaign::break_types)
      .field("dispositions", &Campaign::dispositions)
      .field("script", &Campaign::script)
      .field("compliance", &Campaign::compliance, "Calling hours and attempt caps.")
      .field("recycle", &Campaign::recycle, "When unconnected leads are called again.")
      .field("lead_order", &Campaign::lead_order)
      .field("pacing", &Campaign::pacing, "Autodial and predictive pacing.")
      .done()
      .def("effective_wrapup_timeout", &Campaign::effective_wrapup_timeout)
      .def("has_break_type", &Campaign::has_break_type, py::arg("type"))
      .def("find_disposition", &Campaign::find_disposition, py::arg("code"),
           py::return_value_policy::copy, "A copy of the disposition code, or None.");

  m.def("validate_campaign", unwrapped(&validate_campaign), py::arg("campaign"),
        "Raises InvalidArgument naming the field that is wrong.");
}

}  // namespace dialer::python
