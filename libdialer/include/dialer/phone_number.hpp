// Phone numbers: normalisation and checks against a campaign's number plan,
// done with Google's libphonenumber (the numbering data of every country)
// rather than hand-written rules.
//
// Leads are normalised once, when they enter the system, into a PhoneNumber
// (E.164 plus its region). Dialling a stored PhoneNumber then needs no parsing;
// a number typed by an agent is parsed when it is dialled.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dialer/error.hpp"

namespace dialer {

/// How the called number is written after the prefix in the dial string.
enum class NumberFormat {
  /// Country code and national number, no '+': "14155550100", "442079460000".
  e164,
  /// The national form without punctuation: "4155550100", "02079460000".
  /// Only numbers of the plan's own region can be dialled this way.
  national,
  /// As dialled from the plan's region: "14155550100" in the US for a US number,
  /// "011442079460000" for a UK one.
  from_region,
};

const char* to_string(NumberFormat f) noexcept;
bool from_string(std::string_view s, NumberFormat& out) noexcept;

/// Which numbers a campaign may call.
struct NumberPlan {
  /// ISO 3166-1 region used to read numbers written without a country code;
  /// also the region calls are placed from. Default "US".
  std::string region = "US";
  /// Regions whose numbers may be called. Empty: only `region`.
  std::vector<std::string> allowed_regions;
  /// true: the number must be a valid, assigned-range number (libphonenumber's
  /// IsValidNumber). false: a number of possible length suffices (for test
  /// ranges and private numbering), though not a local-only length such as a
  /// 7-digit US number, which has no E.164 form.
  bool require_valid = true;
};

/// A number after normalisation.
struct PhoneNumber {
  /// "+14155550100".
  std::string e164;
  /// ISO region of the number ("US"); "ZZ" when the numbering data cannot tell.
  std::string region;

  friend bool operator==(const PhoneNumber&, const PhoneNumber&) = default;
};

/// Longest input accepted before any parsing (characters).
inline constexpr std::size_t kMaxNumberInputLength = 40;

/// Normalises a number: strips spaces, dashes, dots and brackets, reads a
/// leading '+' or the plan's region, and checks it against the plan.
/// Letters, non-ASCII characters (including non-ASCII digits), URIs, '@', '&',
/// '/' and other dial-string syntax are refused, never converted.
/// Errors: a DialRule (number_empty, number_invalid_character, number_too_long,
/// number_unparseable, number_not_valid, region_not_allowed).
Result<PhoneNumber> normalize_number(std::string_view raw, const NumberPlan& plan);

/// normalize_number without its verdict cache: every number is put to
/// libphonenumber's own region, validity and length checks. The results are
/// the same (the cache only reuses an answer for numbers the numbering data
/// cannot tell apart, and a test compares the two over a large corpus); this
/// is the reference for that test and the "before" of the benchmark.
Result<PhoneNumber> normalize_number_uncached(std::string_view raw, const NumberPlan& plan);

/// Checks a plan when its campaign is saved: `region` and every allowed region
/// must be upper-case ISO 3166-1 codes that the numbering data knows ("US",
/// "GB"). Errors: Errc::invalid_argument.
Result<void> validate_plan(const NumberPlan& plan);

/// Checks an already-normalised number against a plan without parsing it again.
/// Errors: region_not_allowed.
Result<void> check_plan(const PhoneNumber& number, const NumberPlan& plan);

/// The digits of `number` written as `format` says, dialled from `plan.region`.
/// Errors: number_unparseable, region_not_allowed (national format across regions).
Result<std::string> format_for_dialing(const PhoneNumber& number, NumberFormat format,
                                       const NumberPlan& plan);

/// The last 10 digits of a number (all of them if it has fewer), for screen pop.
std::string last_ten_digits(std::string_view number);

}  // namespace dialer
