// The compliance gate: the rules checked just before every originate, not only
// when the hopper is filled — the do-not-call lists, calling hours in the
// called person's own time zone (unknown zone: do not call), and attempt caps
// per lead and per number per day. The dial-prefix policy (dial_prefix.hpp)
// is checked beside it.
//
// A refusal names its rule (a ComplianceRule error code, category
// "dialer.compliance"; is_policy_refusal() is true for it) and says when the
// lead may be tried again, so that it is rescheduled, never lost.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "dialer/calling_hours.hpp"
#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"

namespace dialer {

class DoNotCallStore;
class CallLogStore;

enum class ComplianceRule {
  do_not_call = 1,
  outside_calling_hours,
  unknown_time_zone,
  lead_attempt_cap,
  daily_number_cap,
};

const std::error_category& compliance_category() noexcept;
std::error_code make_error_code(ComplianceRule r) noexcept;
const char* to_string(ComplianceRule r) noexcept;
bool from_string(std::string_view s, ComplianceRule& out) noexcept;

/// A campaign's compliance settings.
struct ComplianceRules {
  CallingHours calling_hours;
  /// Calls to a lead over its whole life; 0: no cap.
  std::uint32_t max_attempts_per_lead = 0;
  /// Calls to one number in the last 24 hours, across campaigns; 0: no cap.
  std::uint32_t max_calls_per_number_per_day = 3;
};

/// One call about to be placed.
struct ComplianceQuery {
  CampaignId campaign;
  /// E.164.
  std::string_view number;
  /// The called person's IANA time zone; empty when unknown.
  std::string_view time_zone;
  /// Calls already placed to the lead (0 for a number without a lead).
  std::uint32_t lead_attempts = 0;
  WallTime now{};
};

/// Checks every rule, cheapest first. Errors: a ComplianceRule, or the
/// store's error (Errc::storage_error: no call is placed when the lists
/// cannot be read).
Result<void> check_compliance(const ComplianceRules& rules, const ComplianceQuery& query,
                              DoNotCallStore& do_not_call, CallLogStore& call_log);

/// When a lead refused by `rule` may be tried again: the next calling window,
/// a day later for the daily cap; nullopt for rules that do not pass with time
/// (do-not-call, the lead's attempt cap, an unknown time zone).
std::optional<WallTime> compliance_retry_at(ComplianceRule rule, const ComplianceRules& rules,
                                            const ComplianceQuery& query);

}  // namespace dialer

template <>
struct std::is_error_code_enum<dialer::ComplianceRule> : std::true_type {};
