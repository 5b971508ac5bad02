// dial_prefix.hpp: the dial-prefix policy. Every refusal raises
// PolicyViolation with the DialRule's name as `code` and `rule`.
#include "bindings.hpp"
#include "dialer/dial_prefix.hpp"

namespace dialer::python {

void bind_dial_prefix(py::module_& m) {
  auto rule = bind_enum<DialRule>(m, "DialRule",
                                  "Which rule of the dial-prefix policy refused (error "
                                  "category \"dialer.dial_rule\").");
  DIALER_PY_VALUE(rule, DialRule, prefix_invalid_character);
  DIALER_PY_VALUE(rule, DialRule, prefix_too_long);
  DIALER_PY_VALUE(rule, DialRule, carrier_prefix_duplicate);
  DIALER_PY_VALUE(rule, DialRule, carrier_prefix_overlap);
  DIALER_PY_VALUE(rule, DialRule, carrier_name_invalid);
  DIALER_PY_VALUE(rule, DialRule, campaign_prefix_mismatch);
  DIALER_PY_VALUE(rule, DialRule, template_invalid);
  DIALER_PY_VALUE(rule, DialRule, unknown_carrier);
  DIALER_PY_VALUE(rule, DialRule, number_empty);
  DIALER_PY_VALUE(rule, DialRule, number_invalid_character);
  DIALER_PY_VALUE(rule, DialRule, number_too_long);
  DIALER_PY_VALUE(rule, DialRule, number_unparseable);
  DIALER_PY_VALUE(rule, DialRule, number_not_valid);
  DIALER_PY_VALUE(rule, DialRule, region_not_allowed);
  DIALER_PY_VALUE(rule, DialRule, other_carrier_prefix);
  DIALER_PY_VALUE(rule, DialRule, ambiguous_prefix);
  DIALER_PY_VALUE(rule, DialRule, dial_string_mismatch);

  m.attr("MAX_DIAL_PREFIX_LENGTH") = kMaxDialPrefixLength;
  m.attr("MAX_DIAL_DIGITS") = kMaxDialDigits;

  m.def("validate_prefix", unwrapped(&validate_prefix), py::arg("prefix"),
        "Raises PolicyViolation (prefix_invalid_character, prefix_too_long); '' is valid.");
  m.def("validate_dial_template", unwrapped(&validate_dial_template), py::arg("dial_template"),
        "Raises PolicyViolation (template_invalid).");

  ValueClass<DialTarget>(m, "DialTarget", "The checked result of the policy for one call.")
      .field("number", &DialTarget::number)
      .field("prefix", &DialTarget::prefix, "The effective prefix (campaign's, else carrier's).")
      .field("dialled", &DialTarget::dialled, "Prefix and number: \"914155550100\".")
      .field("dial_string", &DialTarget::dial_string,
             "The endpoint for call control: \"PJSIP/914155550100@trunk\".")
      .field("carrier", &DialTarget::carrier)
      .done();

  ValueClass<Route>(m, "Route", "The route of one campaign: carrier, own prefix, number plan.")
      .field("carrier", &Route::carrier)
      .field("campaign_prefix", &Route::campaign_prefix, "Empty: the carrier's prefix applies.")
      .field("plan", &Route::plan)
      .done();

  py::class_<DialPolicy>(m, "DialPolicy", "The registry of carriers and the checks that use it.")
      .def(py::init<>())
      .def("save_carrier", unwrapped(&DialPolicy::save_carrier), py::arg("carrier"),
           "Adds or replaces (same id) a carrier; raises PolicyViolation and changes nothing "
           "when it breaks a rule.")
      .def("remove_carrier", unwrapped(&DialPolicy::remove_carrier), py::arg("id"),
           "Raises NotFound.")
      .def("find_carrier", &DialPolicy::find_carrier, py::arg("id"), py::return_value_policy::copy,
           "A copy of the carrier, or None.")
      .def("carriers", &DialPolicy::carriers, py::return_value_policy::copy)
      .def("validate_route", unwrapped(&DialPolicy::validate_route), py::arg("route"))
      .def("plan_typed", unwrapped(&DialPolicy::plan_typed), py::arg("route"), py::arg("typed"),
           "Plans a call to a number typed by an agent.")
      .def("plan_number", unwrapped(&DialPolicy::plan_number), py::arg("route"), py::arg("number"),
           "Plans a call to an already-normalised number.")
      .def("verify", unwrapped(&DialPolicy::verify), py::arg("route"), py::arg("target"),
           "The last check before originate; raises PolicyViolation (dial_string_mismatch).");
}

}  // namespace dialer::python
