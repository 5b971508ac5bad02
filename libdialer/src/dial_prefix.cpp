// The dial-prefix policy. plan_number and verify are on the originate path:
// string checks only, no libphonenumber call for e164 carriers.
#include "dialer/dial_prefix.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "internal/enum_names.hpp"
#include "internal/number_text.hpp"

namespace dialer {

namespace {

constexpr internal::NameTable<NumberFormat, 3> kFormatNames{{
    {NumberFormat::e164, "e164"},
    {NumberFormat::national, "national"},
    {NumberFormat::from_region, "from_region"},
}};

constexpr internal::NameTable<DialRule, 17> kRuleNames{{
    {DialRule::prefix_invalid_character, "prefix_invalid_character"},
    {DialRule::prefix_too_long, "prefix_too_long"},
    {DialRule::carrier_prefix_duplicate, "carrier_prefix_duplicate"},
    {DialRule::carrier_prefix_overlap, "carrier_prefix_overlap"},
    {DialRule::carrier_name_invalid, "carrier_name_invalid"},
    {DialRule::campaign_prefix_mismatch, "campaign_prefix_mismatch"},
    {DialRule::template_invalid, "template_invalid"},
    {DialRule::unknown_carrier, "unknown_carrier"},
    {DialRule::number_empty, "number_empty"},
    {DialRule::number_invalid_character, "number_invalid_character"},
    {DialRule::number_too_long, "number_too_long"},
    {DialRule::number_unparseable, "number_unparseable"},
    {DialRule::number_not_valid, "number_not_valid"},
    {DialRule::region_not_allowed, "region_not_allowed"},
    {DialRule::other_carrier_prefix, "other_carrier_prefix"},
    {DialRule::ambiguous_prefix, "ambiguous_prefix"},
    {DialRule::dial_string_mismatch, "dial_string_mismatch"},
}};

constexpr std::size_t kMaxCarrierNameLength = 64;
constexpr std::string_view kDialPlaceholder = "{dial}";

class DialRuleCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "dialer.dial_rule"; }
  std::string message(int ev) const override { return to_string(static_cast<DialRule>(ev)); }
};

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_prefix_char(char c) {
  return is_ascii_digit(c) || c == '*' || c == '#';
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_ascii_digit);
}

// Characters a dial template may hold outside "{dial}": enough for
// "PJSIP/{dial}@trunk", "SIP/gw-1/{dial}", "Local/{dial}@ctx/n", and nothing that
// Asterisk reads as a separator of several endpoints or of dial options.
bool is_template_char(char c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || c == '_' || c == '.' || c == '@' || c == ':' ||
         c == '/' || c == '+' || c == '-';
}

std::string quoted(std::string_view s) {
  return internal::quote_for_detail(s);
}

std::string describe_char(char c) {
  // A one-character quote, reusing the escaping of details.
  std::string q = quoted(std::string_view(&c, 1));
  return "'" + q.substr(1, q.size() - 2) + "'";
}

std::string carrier_label(const Carrier& c) {
  return "carrier " + quoted(c.name) + " (id " + to_string(c.id) + ")";
}

const std::string& effective_prefix(const Route& route, const Carrier& carrier) {
  return route.campaign_prefix.empty() ? carrier.dial_prefix : route.campaign_prefix;
}

/// `dial_string` is exactly `tmpl` with its one "{dial}" replaced by `dialled`.
/// Compares in place: verify() runs for every originate.
bool matches_template(std::string_view dial_string, std::string_view tmpl,
                      std::string_view dialled) {
  const auto pos = tmpl.find(kDialPlaceholder);
  if (pos == std::string_view::npos) return false;
  const auto head = tmpl.substr(0, pos);
  const auto tail = tmpl.substr(pos + kDialPlaceholder.size());
  return dial_string.size() == head.size() + dialled.size() + tail.size() &&
         dial_string.substr(0, head.size()) == head &&
         dial_string.substr(head.size(), dialled.size()) == dialled &&
         dial_string.substr(head.size() + dialled.size()) == tail;
}

std::string expand_template(std::string_view tmpl, std::string_view dialled) {
  std::string out;
  const auto pos = tmpl.find(kDialPlaceholder);
  if (pos == std::string_view::npos) return out;  // verify() refuses the result
  out.reserve(tmpl.size() + dialled.size());
  out.append(tmpl.substr(0, pos));
  out.append(dialled);
  out.append(tmpl.substr(pos + kDialPlaceholder.size()));
  return out;
}

Error mismatch(std::string detail) {
  return Error{DialRule::dial_string_mismatch, std::move(detail)};
}

Result<void> verify_against(const Route& route, const Carrier& carrier, const DialTarget& t) {
  if (t.carrier != route.carrier) {
    return mismatch("target is for carrier id " + to_string(t.carrier) + ", the route's is " +
                    carrier_label(carrier));
  }
  if (!route.campaign_prefix.empty() && route.campaign_prefix != carrier.dial_prefix) {
    return mismatch("the campaign prefix " + quoted(route.campaign_prefix) +
                    " no longer agrees with " + carrier_label(carrier) + "'s prefix " +
                    quoted(carrier.dial_prefix));
  }
  const std::string& prefix = effective_prefix(route, carrier);
  if (t.prefix != prefix) {
    return mismatch("target prefix " + quoted(t.prefix) + " differs from the route's prefix " +
                    quoted(prefix));
  }
  const std::string_view dialled = t.dialled;
  if (dialled.size() <= prefix.size() || dialled.substr(0, prefix.size()) != prefix ||
      !all_digits(dialled.substr(prefix.size()))) {
    return mismatch("dialled " + quoted(dialled) + " is not the prefix " + quoted(prefix) +
                    " followed by digits only");
  }
  if (dialled.size() > kMaxDialDigits) {
    return mismatch("dialled " + quoted(dialled) + " is " + std::to_string(dialled.size()) +
                    " characters long, more than " + std::to_string(kMaxDialDigits));
  }
  // In e164 format the dialled digits are the number's own: a swapped number
  // is caught without parsing (other formats would need libphonenumber).
  const std::string_view e164 = t.number.e164;
  if (carrier.number_format == NumberFormat::e164 &&
      (!e164.starts_with('+') || dialled.substr(prefix.size()) != e164.substr(1))) {
    return mismatch("dialled " + quoted(dialled) + " does not end in the digits of number " +
                    quoted(t.number.e164));
  }
  if (!check_plan(t.number, route.plan)) {
    return mismatch("number " + quoted(t.number.e164) + " of region " + quoted(t.number.region) +
                    " is not allowed by the route's plan");
  }
  if (!matches_template(t.dial_string, carrier.dial_template, dialled)) {
    return mismatch("dial string " + quoted(t.dial_string) + " is not " +
                    quoted(carrier.dial_template) + " around " + quoted(dialled) + " for " +
                    carrier_label(carrier));
  }
  return ok();
}

}  // namespace

const char* to_string(NumberFormat f) noexcept {
  return internal::name_of(kFormatNames, f);
}

bool from_string(std::string_view s, NumberFormat& out) noexcept {
  return internal::parse_name(kFormatNames, s, out);
}

const char* to_string(DialRule r) noexcept {
  return internal::name_of(kRuleNames, r);
}

bool from_string(std::string_view s, DialRule& out) noexcept {
  return internal::parse_name(kRuleNames, s, out);
}

const std::error_category& dial_rule_category() noexcept {
  static const DialRuleCategory category;
  return category;
}

std::error_code make_error_code(DialRule r) noexcept {
  return {static_cast<int>(r), dial_rule_category()};
}

Result<void> validate_prefix(std::string_view prefix) {
  if (prefix.size() > kMaxDialPrefixLength) {
    return Error{DialRule::prefix_too_long,
                 "prefix " + quoted(prefix) + " is " + std::to_string(prefix.size()) +
                     " characters long, more than " + std::to_string(kMaxDialPrefixLength)};
  }
  if (!std::all_of(prefix.begin(), prefix.end(), is_prefix_char)) {
    return Error{DialRule::prefix_invalid_character,
                 "prefix " + quoted(prefix) + " has a character other than digits, * and #"};
  }
  return ok();
}

Result<void> validate_dial_template(std::string_view tmpl) {
  auto invalid = [&](std::string_view why) {
    return Error{DialRule::template_invalid,
                 "dial template " + quoted(tmpl) + " " + std::string(why)};
  };
  // Technology name, then '/'.
  std::size_t i = 0;
  if (tmpl.empty() || !is_ascii_alpha(tmpl[0])) {
    return invalid("does not start with a technology name such as PJSIP/");
  }
  while (i < tmpl.size() &&
         (is_ascii_alpha(tmpl[i]) || is_ascii_digit(tmpl[i]) || tmpl[i] == '_')) {
    ++i;
  }
  if (i == tmpl.size() || tmpl[i] != '/') {
    return invalid("does not start with a technology name followed by '/', such as PJSIP/");
  }
  const auto first = tmpl.find(kDialPlaceholder);
  if (first == std::string_view::npos) return invalid("has no {dial} placeholder");
  if (tmpl.find(kDialPlaceholder, first + 1) != std::string_view::npos) {
    return invalid("has more than one {dial} placeholder");
  }
  for (std::size_t k = 0; k < tmpl.size(); ++k) {
    if (k == first) {
      k += kDialPlaceholder.size() - 1;
      continue;
    }
    const char c = tmpl[k];
    if (c == '{' || c == '}') return invalid("has a brace outside its one {dial}");
    if (!is_template_char(c)) {
      return invalid("has character " + describe_char(c) +
                     "; only letters, digits and _ . @ : / + - may surround {dial}");
    }
  }
  return ok();
}

Result<void> DialPolicy::save_carrier(const Carrier& carrier) {
  if (!carrier.id.valid()) {
    return Error{Errc::invalid_argument, "carrier id 0 is reserved for \"no carrier\""};
  }
  const std::string& name = carrier.name;
  if (name.empty() || name.size() > kMaxCarrierNameLength) {
    return Error{DialRule::carrier_name_invalid, "carrier name " + quoted(name) + " must be 1 to " +
                                                     std::to_string(kMaxCarrierNameLength) +
                                                     " characters long"};
  }
  if (!std::all_of(name.begin(), name.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b >= 0x20 && b < 0x7F;
      })) {
    return Error{DialRule::carrier_name_invalid,
                 "carrier name " + quoted(name) + " has a character that is not printable ASCII"};
  }
  if (auto r = validate_prefix(carrier.dial_prefix); !r) return std::move(r).error();
  if (auto r = validate_dial_template(carrier.dial_template); !r) return std::move(r).error();

  const std::string_view prefix = carrier.dial_prefix;
  for (const Carrier& other : carriers_) {
    if (other.id == carrier.id) continue;  // the carrier being replaced
    if (other.name == name) {
      return Error{
          DialRule::carrier_name_invalid,
          "carrier name " + quoted(name) + " is already used by carrier id " + to_string(other.id)};
    }
    const std::string_view theirs = other.dial_prefix;
    if (theirs == prefix) {
      return Error{
          DialRule::carrier_prefix_duplicate,
          "prefix " + quoted(prefix) + " is already the prefix of " + carrier_label(other)};
    }
    // The empty prefix is the leading part of every prefix.
    if (theirs.starts_with(prefix) || prefix.starts_with(theirs)) {
      return Error{DialRule::carrier_prefix_overlap,
                   "prefix " + quoted(prefix) + " and prefix " + quoted(theirs) + " of " +
                       carrier_label(other) +
                       " overlap: one is the leading part of the other, so a dialled number "
                       "could match both"};
    }
  }

  auto it = std::find_if(carriers_.begin(), carriers_.end(),
                         [&](const Carrier& c) { return c.id == carrier.id; });
  if (it == carriers_.end()) {
    carriers_.push_back(carrier);
  } else {
    *it = carrier;
  }
  return ok();
}

Result<void> DialPolicy::remove_carrier(CarrierId id) {
  auto it = std::find_if(carriers_.begin(), carriers_.end(),
                         [&](const Carrier& c) { return c.id == id; });
  if (it == carriers_.end()) {
    return Error{Errc::not_found, "no carrier with id " + to_string(id)};
  }
  carriers_.erase(it);
  return ok();
}

const Carrier* DialPolicy::find_carrier(CarrierId id) const {
  for (const Carrier& c : carriers_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

Result<void> DialPolicy::validate_route(const Route& route) const {
  const Carrier* carrier = find_carrier(route.carrier);
  if (carrier == nullptr) {
    return Error{DialRule::unknown_carrier, "no carrier with id " + to_string(route.carrier)};
  }
  if (auto r = validate_prefix(route.campaign_prefix); !r) return std::move(r).error();
  if (auto r = validate_plan(route.plan); !r) return std::move(r).error();
  if (!route.campaign_prefix.empty() && route.campaign_prefix != carrier->dial_prefix) {
    return Error{DialRule::campaign_prefix_mismatch,
                 "campaign prefix " + quoted(route.campaign_prefix) + " differs from " +
                     carrier_label(*carrier) + "'s prefix " + quoted(carrier->dial_prefix) +
                     "; leave it empty to use the carrier's"};
  }
  return ok();
}

Result<DialTarget> DialPolicy::plan_typed(const Route& route, std::string_view typed) const {
  auto screened = internal::screen_number_input(typed);
  if (!screened) return std::move(screened).error();
  const Carrier* carrier = find_carrier(route.carrier);
  if (carrier == nullptr) {
    return Error{DialRule::unknown_carrier, "no carrier with id " + to_string(route.carrier)};
  }

  // "+..." is an international number as typed: never read a prefix into it.
  if (screened->starts_with('+')) {
    auto number = normalize_number(typed, route.plan);
    if (!number) return std::move(number).error();
    return plan_number(route, *number);
  }

  const std::string& digits = *screened;
  const auto full = normalize_number(digits, route.plan);
  // The digits minus `prefix` as a number of the plan, if they start with it.
  auto after_prefix = [&](std::string_view prefix) -> std::optional<Result<PhoneNumber>> {
    if (prefix.empty() || !all_digits(prefix) || digits.size() <= prefix.size() ||
        !std::string_view(digits).starts_with(prefix)) {
      return std::nullopt;
    }
    return normalize_number(std::string_view(digits).substr(prefix.size()), route.plan);
  };

  // a) The agent typed the route's own prefix: dial it once, not twice.
  const std::string& own = effective_prefix(route, *carrier);
  if (auto rest = after_prefix(own); rest && rest->has_value()) {
    if (!full) return plan_number(route, rest->value());
    // Both readings are numbers. When they are the same number (a NANP prefix
    // "1" before a national number) either reading dials the same party.
    if (full->e164 != rest->value().e164) {
      return Error{DialRule::ambiguous_prefix, "number " + quoted(typed) + " reads as " +
                                                   full->e164 + " or as prefix " + quoted(own) +
                                                   " followed by " + rest->value().e164 +
                                                   "; type it with + and its country code"};
    }
  }

  // b) Another carrier's prefix in front of a number: cross-route dialling.
  if (!full) {
    for (const Carrier& other : carriers_) {
      if (other.id == carrier->id) continue;
      if (auto rest = after_prefix(other.dial_prefix); rest && rest->has_value()) {
        return Error{DialRule::other_carrier_prefix,
                     "number " + quoted(typed) + " starts with prefix " +
                         quoted(other.dial_prefix) + " of " + carrier_label(other) +
                         ", not of this route's " + carrier_label(*carrier) +
                         "; dialling through another carrier is refused"};
      }
    }
    // c) Neither: the number's own error.
    return full.error();
  }
  return plan_number(route, *full);
}

Result<DialTarget> DialPolicy::plan_number(const Route& route, const PhoneNumber& number) const {
  const Carrier* carrier = find_carrier(route.carrier);
  if (carrier == nullptr) {
    return Error{DialRule::unknown_carrier, "no carrier with id " + to_string(route.carrier)};
  }
  if (auto r = check_plan(number, route.plan); !r) return std::move(r).error();
  auto digits = format_for_dialing(number, carrier->number_format, route.plan);
  if (!digits) return std::move(digits).error();

  DialTarget target;
  target.number = number;
  target.prefix = effective_prefix(route, *carrier);
  target.dialled.reserve(target.prefix.size() + digits->size());
  target.dialled.append(target.prefix).append(*digits);
  target.dial_string = expand_template(carrier->dial_template, target.dialled);
  target.carrier = carrier->id;
  if (auto r = verify_against(route, *carrier, target); !r) return std::move(r).error();
  return target;
}

Result<void> DialPolicy::verify(const Route& route, const DialTarget& target) const {
  const Carrier* carrier = find_carrier(route.carrier);
  if (carrier == nullptr) {
    return mismatch("the route's carrier id " + to_string(route.carrier) + " does not exist");
  }
  return verify_against(route, *carrier, target);
}

}  // namespace dialer
