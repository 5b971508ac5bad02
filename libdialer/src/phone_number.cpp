// Phone numbers via libphonenumber. Input is screened here before the library
// sees it, because libphonenumber converts letters and non-ASCII digits.
#include "dialer/phone_number.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdio>
#include <list>
#include <string>
#include <vector>

#include "dialer/dial_prefix.hpp"
#include "internal/number_text.hpp"

namespace dialer {

namespace {

namespace pn = i18n::phonenumbers;
using pn::PhoneNumberUtil;

/// More digits than any dialable number has (E.164 allows 15; IDD and trunk
/// prefixes add a few). Checked before libphonenumber sees the input.
constexpr std::size_t kMaxNumberDigits = 20;
/// libphonenumber's region for a number its data cannot place.
constexpr const char* kUnknownRegion = "ZZ";
/// Longest echo of an input in an error detail.
constexpr std::size_t kMaxQuotedLength = 40;

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

// One byte as it appears in a detail: printable ASCII as is, backslash
// doubled, anything else (controls, NUL, UTF-8 bytes) as \xNN.
std::string escape_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (c == '\\') return "\\\\";
  if (byte >= 0x20 && byte < 0x7F) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(byte));
  return buf;
}

std::string digits_only(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_ascii_digit(c)) out.push_back(c);
  }
  return out;
}

bool region_allowed(const std::string& region, const NumberPlan& plan) {
  if (region == plan.region) return true;
  return std::find(plan.allowed_regions.begin(), plan.allowed_regions.end(), region) !=
         plan.allowed_regions.end();
}

std::string plan_regions(const NumberPlan& plan) {
  std::string out = plan.region;
  for (const auto& r : plan.allowed_regions) {
    if (r == plan.region) continue;
    out += ", ";
    out += r;
  }
  return out;
}

// The region of a number the numbering data cannot place (possible but not
// valid, so GetRegionCodeForNumber says "ZZ"): the plan's region if it shares
// the country code (a possible-only +1 number in a CA plan is a CA number),
// else an allowed region that does, else the main region of the country code.
std::string region_for_unplaced(const PhoneNumberUtil& util, const pn::PhoneNumber& number,
                                const NumberPlan& plan) {
  std::list<std::string> regions;
  util.GetRegionCodesForCountryCallingCode(number.country_code(), &regions);
  auto has = [&](const std::string& r) {
    return std::find(regions.begin(), regions.end(), r) != regions.end();
  };
  if (has(plan.region)) return plan.region;
  for (const auto& r : plan.allowed_regions) {
    if (has(r)) return r;
  }
  std::string main_region;
  util.GetRegionCodeForCountryCode(number.country_code(), &main_region);
  return main_region;
}

// '+' and 1 to 20 ASCII digits: the shape normalize_number stores.
bool is_e164_form(std::string_view e) {
  return e.size() >= 2 && e.size() <= 1 + kMaxNumberDigits && e[0] == '+' &&
         std::all_of(e.begin() + 1, e.end(), is_ascii_digit);
}

Error not_e164(const PhoneNumber& number) {
  return Error{
      DialRule::number_unparseable,
      "stored number " + internal::quote_for_detail(number.e164) + " is not in E.164 form"};
}

Result<pn::PhoneNumber> parse_e164(const PhoneNumber& number) {
  if (!is_e164_form(number.e164)) return not_e164(number);
  pn::PhoneNumber parsed;
  if (PhoneNumberUtil::GetInstance()->Parse(number.e164, kUnknownRegion, &parsed) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return not_e164(number);
  }
  return parsed;
}

}  // namespace

namespace internal {

std::string quote_for_detail(std::string_view text) {
  std::string out = "\"";
  const std::size_t shown = std::min(text.size(), kMaxQuotedLength);
  for (std::size_t i = 0; i < shown; ++i) {
    const char c = text[i];
    out += c == '"' ? std::string("\\\"") : escape_char(c);
  }
  out += '"';
  if (shown < text.size()) out += "...";
  return out;
}

Result<std::string> screen_number_input(std::string_view raw) {
  if (std::all_of(raw.begin(), raw.end(), is_space)) {
    return Error{DialRule::number_empty, "the number is empty"};
  }
  if (raw.size() > kMaxNumberInputLength) {
    return Error{DialRule::number_too_long, "number " + quote_for_detail(raw) + " is longer than " +
                                                std::to_string(kMaxNumberInputLength) +
                                                " characters"};
  }
  std::string out;
  out.reserve(raw.size());
  std::size_t digits = 0;
  bool seen_non_space = false;
  for (char c : raw) {
    if (is_ascii_digit(c)) {
      out.push_back(c);
      ++digits;
    } else if (c == '+' && !seen_non_space) {
      out.push_back(c);
    } else if (!is_separator(c)) {
      // Letters (vanity numbers), non-ASCII digits, URIs and dial-string syntax
      // are refused here: libphonenumber would convert some of them silently.
      return Error{DialRule::number_invalid_character,
                   "number " + quote_for_detail(raw) + " has character '" + escape_char(c) +
                       "'; only digits, spaces, - . ( ) and a leading + are allowed"};
    }
    if (c != ' ') seen_non_space = true;
  }
  if (digits == 0) {
    return Error{DialRule::number_unparseable,
                 "number " + quote_for_detail(raw) + " has no digits"};
  }
  if (digits > kMaxNumberDigits) {
    return Error{DialRule::number_too_long, "number " + quote_for_detail(raw) + " has " +
                                                std::to_string(digits) + " digits, more than " +
                                                std::to_string(kMaxNumberDigits)};
  }
  return out;
}

}  // namespace internal

namespace {

// Parse costs about 23 µs, most of it regular expressions that find a number
// in free text, strip national prefixes and extensions. Input that is already
// canonical needs none of that: "+<country code><national number>", or ten
// NANP digits (optionally after a 1) under a NANP plan. Such input is built
// into a PhoneNumber directly; validity is still libphonenumber's to decide.
// Returns false, leaving `out` alone, for anything else.
bool read_canonical_digits(const PhoneNumberUtil& util, std::string_view screened,
                           const NumberPlan& plan, pn::PhoneNumber* out) {
  int country_code = 0;
  std::string_view national;
  if (screened.starts_with('+')) {
    const std::string_view digits = screened.substr(1);
    // Country codes are prefix-free: the first 1-3 digits that name one are it.
    for (std::size_t len = 1; len <= 3 && len < digits.size(); ++len) {
      const int cc = std::stoi(std::string(digits.substr(0, len)));
      std::string region;
      util.GetRegionCodeForCountryCode(cc, &region);
      if (region != kUnknownRegion) {
        country_code = cc;
        national = digits.substr(len);
        break;
      }
    }
  } else if (util.GetCountryCodeForRegion(plan.region) == 1) {
    if (screened.size() == 10 && screened[0] != '0' && screened[0] != '1') {
      national = screened;
    } else if (screened.size() == 11 && screened[0] == '1' && screened[1] != '0' &&
               screened[1] != '1') {
      national = screened.substr(1);
    }
    if (!national.empty()) country_code = 1;
  }
  // A national significant number has at most 17 digits (ITU-T E.164 and
  // libphonenumber's own limit).
  if (country_code == 0 || national.empty() || national.size() > 17) return false;
  out->set_country_code(country_code);
  // Leading zeros are part of the national number in some countries (Italy):
  // libphonenumber keeps them as a flag and a count, not in the integer.
  const std::size_t zeros = national.find_first_not_of('0');
  if (zeros == std::string_view::npos) return false;
  if (zeros > 0) {
    out->set_italian_leading_zero(true);
    if (zeros > 1) out->set_number_of_leading_zeros(static_cast<std::int32_t>(zeros));
  }
  out->set_national_number(std::stoull(std::string(national)));
  return true;
}

}  // namespace

Result<void> validate_plan(const NumberPlan& plan) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  // libphonenumber reads region codes in upper case only: under "us" every
  // national number fails to parse, so a lower-case code is refused here.
  auto known = [&util](const std::string& region) {
    return region.size() == 2 && std::all_of(region.begin(), region.end(),
                                             [](char c) { return c >= 'A' && c <= 'Z'; }) &&
           util.GetCountryCodeForRegion(region) != 0;
  };
  if (!known(plan.region)) {
    return Error{Errc::invalid_argument, "number plan region " + internal::quote_for_detail(plan.region) +
                                             " is not an upper-case region the numbering data knows"};
  }
  for (const std::string& region : plan.allowed_regions) {
    if (!known(region)) {
      return Error{Errc::invalid_argument, "allowed region " + internal::quote_for_detail(region) +
                                               " is not an upper-case region the numbering data knows"};
    }
  }
  return ok();
}

Result<PhoneNumber> normalize_number(std::string_view raw, const NumberPlan& plan) {
  auto screened = internal::screen_number_input(raw);
  if (!screened) return std::move(screened).error();

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  pn::PhoneNumber parsed;
  if (!read_canonical_digits(util, *screened, plan, &parsed) &&
      (util.Parse(*screened, plan.region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR ||
       parsed.has_extension())) {
    return Error{DialRule::number_unparseable, "number " + internal::quote_for_detail(raw) +
                                                   " cannot be read as a phone number of region " +
                                                   internal::quote_for_detail(plan.region)};
  }

  PhoneNumber out;
  util.Format(parsed, PhoneNumberUtil::E164, &out.e164);

  util.GetRegionCodeForNumber(parsed, &out.region);
  if (plan.require_valid) {
    // IsValidNumber would look the region up a second time (a fifth of a
    // typed dial's cost); with the region known, this is the same test.
    if (out.region == kUnknownRegion || !util.IsValidNumberForRegion(parsed, out.region)) {
      return Error{DialRule::number_not_valid, "number " + internal::quote_for_detail(raw) + " (" +
                                                   out.e164 +
                                                   ") is not a valid number in the numbering data"};
    }
  } else if (util.IsPossibleNumberWithReason(parsed) != PhoneNumberUtil::IS_POSSIBLE) {
    // IS_POSSIBLE_LOCAL_ONLY (a 7-digit US number) is refused too: without its
    // area code it has no E.164 form to dial.
    return Error{DialRule::number_not_valid, "number " + internal::quote_for_detail(raw) + " (" +
                                                 out.e164 + ") does not have a possible length"};
  }

  if (out.region == kUnknownRegion && !plan.require_valid) {
    out.region = region_for_unplaced(util, parsed, plan);
  }
  if (!region_allowed(out.region, plan)) {
    return Error{DialRule::region_not_allowed, "number " + out.e164 + " is in region " +
                                                   out.region + ", which the plan (" +
                                                   plan_regions(plan) + ") does not allow"};
  }
  return out;
}

Result<void> check_plan(const PhoneNumber& number, const NumberPlan& plan) {
  if (region_allowed(number.region, plan)) return ok();
  return Error{DialRule::region_not_allowed,
               "number " + internal::quote_for_detail(number.e164) + " is in region " +
                   internal::quote_for_detail(number.region) + ", which the plan (" +
                   plan_regions(plan) + ") does not allow"};
}

Result<std::string> format_for_dialing(const PhoneNumber& number, NumberFormat format,
                                       const NumberPlan& plan) {
  switch (format) {
    case NumberFormat::e164: {
      // The hot path: no libphonenumber call, only a shape check.
      if (!is_e164_form(number.e164)) return not_e164(number);
      return number.e164.substr(1);
    }
    case NumberFormat::national: {
      if (number.region != plan.region) {
        return Error{DialRule::region_not_allowed,
                     "number " + internal::quote_for_detail(number.e164) + " is in region " +
                         internal::quote_for_detail(number.region) +
                         "; only numbers of the plan's region " + plan.region +
                         " can be dialled in national format"};
      }
      auto parsed = parse_e164(number);
      if (!parsed) return std::move(parsed).error();
      std::string text;
      PhoneNumberUtil::GetInstance()->Format(*parsed, PhoneNumberUtil::NATIONAL, &text);
      std::string digits = digits_only(text);
      if (digits.empty()) {
        return Error{DialRule::number_unparseable,
                     "number " + number.e164 + " has no national form"};
      }
      return digits;
    }
    case NumberFormat::from_region: {
      auto parsed = parse_e164(number);
      if (!parsed) return std::move(parsed).error();
      std::string text;
      PhoneNumberUtil::GetInstance()->FormatOutOfCountryCallingNumber(*parsed, plan.region, &text);
      // libphonenumber falls back to "+..." when the calling region has no
      // single international prefix (BR, KR, SG, ...) or is unknown; dropping
      // the '+' would dial the country code as if it were a national number.
      std::string digits = digits_only(text);
      if (text.find('+') != std::string::npos || digits.empty()) {
        return Error{DialRule::number_unparseable,
                     "number " + number.e164 + " cannot be written as dialled from region " +
                         internal::quote_for_detail(plan.region) +
                         " (no single international prefix); use the e164 format"};
      }
      return digits;
    }
  }
  return Error{DialRule::number_unparseable,
               "unknown number format " + std::to_string(static_cast<int>(format))};
}

std::string last_ten_digits(std::string_view number) {
  std::string digits = digits_only(number);
  if (digits.size() > 10) digits.erase(0, digits.size() - 10);
  return digits;
}

}  // namespace dialer
