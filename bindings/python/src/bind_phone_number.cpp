// phone_number.hpp: normalisation and number plans.
#include "bindings.hpp"
#include "dialer/phone_number.hpp"

namespace dialer::python {

void bind_phone_number(py::module_& m) {
  auto format = bind_enum<NumberFormat>(m, "NumberFormat",
                                        "How the called number is written after the prefix.");
  DIALER_PY_VALUE(format, NumberFormat, e164);
  DIALER_PY_VALUE(format, NumberFormat, national);
  DIALER_PY_VALUE(format, NumberFormat, from_region);
  add_from_string(format);

  ValueClass<NumberPlan>(m, "NumberPlan", "Which numbers a campaign may call.")
      .field("region", &NumberPlan::region,
             "ISO 3166-1 region for numbers written without a country code. Default \"US\".")
      .field("allowed_regions", &NumberPlan::allowed_regions,
             "Regions whose numbers may be called; empty: only `region`.")
      .field("require_valid", &NumberPlan::require_valid,
             "True: the number must be valid (assigned range); False: of possible length.")
      .done();

  ValueClass<PhoneNumber>(m, "PhoneNumber", "A number after normalisation.")
      .field("e164", &PhoneNumber::e164, "\"+14155550100\".")
      .field("region", &PhoneNumber::region, "ISO region of the number; \"ZZ\" when unknown.")
      .done();

  m.attr("MAX_NUMBER_INPUT_LENGTH") = kMaxNumberInputLength;

  m.def("normalize_number", unwrapped(&normalize_number), py::arg("raw"),
        py::arg("plan") = NumberPlan{},
        "The number as a PhoneNumber checked against `plan`; raises PolicyViolation "
        "(number_empty, number_invalid_character, number_too_long, number_unparseable, "
        "number_not_valid, region_not_allowed).");
  m.def("check_plan", unwrapped(&check_plan), py::arg("number"), py::arg("plan"),
        "Raises PolicyViolation (region_not_allowed) unless `plan` allows `number`.");
  m.def("format_for_dialing", unwrapped(&format_for_dialing), py::arg("number"), py::arg("format"),
        py::arg("plan"),
        "The digits of `number` in `format`, dialled from plan.region. Raises "
        "PolicyViolation (number_unparseable, region_not_allowed).");
  m.def("last_ten_digits", &last_ten_digits, py::arg("number"),
        "The last 10 digits of a number (all of them if fewer).");
}

}  // namespace dialer::python
