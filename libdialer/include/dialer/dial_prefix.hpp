// The dial-prefix policy: which route a call takes, decided server-side for
// every originate and never taken from agent input.
//
// The rules (each refusal names one DialRule):
//   - a prefix is digits, '*' and '#' only, at most kMaxDialPrefixLength long;
//   - carriers' prefixes are unique and none is the leading part of another;
//   - a campaign's prefix equals its carrier's, or is empty (the carrier's applies);
//   - a dial-string template names a technology and holds exactly one "{dial}";
//   - the number is normalised and checked against the campaign's number plan;
//   - a typed number that already starts with the route's own prefix is not
//     dialled with the prefix twice; one that starts with another carrier's
//     prefix is refused (cross-route dialling);
//   - the final dial string is checked once more just before originate.
// Configuration that breaks a rule is refused when it is saved.
//
// Thread-safety: DialPolicy is a value; const methods may be called
// concurrently, mutations need external synchronisation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "dialer/carrier.hpp"
#include "dialer/error.hpp"
#include "dialer/phone_number.hpp"

namespace dialer {

inline constexpr std::size_t kMaxDialPrefixLength = 10;
/// Longest dialled digit string (prefix + number) allowed into a dial string.
inline constexpr std::size_t kMaxDialDigits = 24;

/// Which rule of the policy refused (category "dialer.dial_rule"). Every
/// refusal of the policy carries one of these codes.
enum class DialRule {
  prefix_invalid_character = 1,
  prefix_too_long,
  carrier_prefix_duplicate,
  carrier_prefix_overlap,
  carrier_name_invalid,
  campaign_prefix_mismatch,
  template_invalid,
  unknown_carrier,
  number_empty,
  number_invalid_character,
  number_too_long,
  number_unparseable,
  number_not_valid,
  region_not_allowed,
  other_carrier_prefix,
  ambiguous_prefix,
  dial_string_mismatch,
};

const std::error_category& dial_rule_category() noexcept;
std::error_code make_error_code(DialRule r) noexcept;
const char* to_string(DialRule r) noexcept;
bool from_string(std::string_view s, DialRule& out) noexcept;

/// Errors: prefix_invalid_character, prefix_too_long. The empty prefix is valid.
Result<void> validate_prefix(std::string_view prefix);

/// Errors: template_invalid.
Result<void> validate_dial_template(std::string_view dial_template);

/// What the engine dials: the checked result of the policy for one call.
struct DialTarget {
  PhoneNumber number;
  /// The effective prefix (campaign's, else carrier's).
  std::string prefix;
  /// Prefix followed by the number in the carrier's format: "914155550100".
  std::string dialled;
  /// The endpoint handed to call control: "PJSIP/914155550100@trunk".
  std::string dial_string;
  CarrierId carrier;
};

/// The route of one campaign: its carrier, own prefix and number plan.
struct Route {
  CarrierId carrier;
  /// The campaign's dial_prefix; empty means the carrier's.
  std::string campaign_prefix;
  NumberPlan plan;
};

/// The registry of carriers and the checks that use it.
class DialPolicy {
 public:
  /// Adds or replaces (same id) a carrier after checking every rule against the
  /// others. Errors: prefix_*, carrier_prefix_duplicate, carrier_prefix_overlap,
  /// carrier_name_invalid, template_invalid; Errc::invalid_argument for id 0
  /// (it means "no carrier"). Nothing changes on error.
  Result<void> save_carrier(const Carrier& carrier);
  /// Errors: Errc::not_found.
  Result<void> remove_carrier(CarrierId id);
  const Carrier* find_carrier(CarrierId id) const;
  const std::vector<Carrier>& carriers() const { return carriers_; }

  /// Checks a campaign's route when the campaign is saved.
  /// Errors: unknown_carrier, prefix_*, campaign_prefix_mismatch,
  /// Errc::invalid_argument (validate_plan).
  Result<void> validate_route(const Route& route) const;

  /// Plans a call to a number typed by an agent (or given by an API client).
  /// Errors: any number_* rule, region_not_allowed, other_carrier_prefix,
  /// ambiguous_prefix, unknown_carrier, dial_string_mismatch.
  Result<DialTarget> plan_typed(const Route& route, std::string_view typed) const;

  /// Plans a call to an already-normalised number (a lead's).
  /// Errors: region_not_allowed, unknown_carrier, dial_string_mismatch,
  /// number_unparseable (the stored e164 is malformed).
  Result<DialTarget> plan_number(const Route& route, const PhoneNumber& number) const;

  /// The last check right before originate: the dial string is exactly the
  /// route's carrier template around the effective prefix and a digit string
  /// of bounded length, and nothing else. Errors: dial_string_mismatch.
  Result<void> verify(const Route& route, const DialTarget& target) const;

 private:
  std::vector<Carrier> carriers_;
};

}  // namespace dialer

template <>
struct std::is_error_code_enum<dialer::DialRule> : std::true_type {};
