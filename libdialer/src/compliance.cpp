#include "dialer/compliance.hpp"

#include <string>

#include "dialer/store.hpp"
#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<ComplianceRule, 5> kRuleNames{{
    {ComplianceRule::do_not_call, "do_not_call"},
    {ComplianceRule::outside_calling_hours, "outside_calling_hours"},
    {ComplianceRule::unknown_time_zone, "unknown_time_zone"},
    {ComplianceRule::lead_attempt_cap, "lead_attempt_cap"},
    {ComplianceRule::daily_number_cap, "daily_number_cap"},
}};

class ComplianceCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "dialer.compliance"; }
  std::string message(int ev) const override { return to_string(static_cast<ComplianceRule>(ev)); }
};

}  // namespace

const std::error_category& compliance_category() noexcept {
  static const ComplianceCategory category;
  return category;
}

std::error_code make_error_code(ComplianceRule r) noexcept {
  return {static_cast<int>(r), compliance_category()};
}

const char* to_string(ComplianceRule r) noexcept { return internal::name_of(kRuleNames, r); }
bool from_string(std::string_view s, ComplianceRule& out) noexcept {
  return internal::parse_name(kRuleNames, s, out);
}

Result<void> check_compliance(const ComplianceRules& rules, const ComplianceQuery& q,
                              DoNotCallStore& do_not_call, CallLogStore& call_log) {
  const std::string number(q.number);
  if (rules.max_attempts_per_lead != 0 && q.lead_attempts >= rules.max_attempts_per_lead) {
    return Error{ComplianceRule::lead_attempt_cap,
                 "the lead has had " + std::to_string(q.lead_attempts) + " calls, the cap is " +
                     std::to_string(rules.max_attempts_per_lead)};
  }
  if (q.time_zone.empty() || !is_known_time_zone(q.time_zone)) {
    return Error{ComplianceRule::unknown_time_zone,
                 "the time zone of " + number + " is unknown: calling hours cannot be checked"};
  }
  if (!within_calling_hours(q.time_zone, q.now, rules.calling_hours)) {
    return Error{ComplianceRule::outside_calling_hours,
                 "it is outside calling hours in " + std::string(q.time_zone)};
  }
  auto listed = do_not_call.is_do_not_call(q.number, q.campaign);
  if (!listed) return std::move(listed).error();
  if (*listed) return Error{ComplianceRule::do_not_call, number + " is on a do-not-call list"};
  if (rules.max_calls_per_number_per_day != 0) {
    auto calls = call_log.count_calls_to(q.number, q.now - std::chrono::hours{24});
    if (!calls) return std::move(calls).error();
    if (*calls >= rules.max_calls_per_number_per_day) {
      return Error{ComplianceRule::daily_number_cap,
                   number + " was called " + std::to_string(*calls) +
                       " times in the last 24 hours, the cap is " +
                       std::to_string(rules.max_calls_per_number_per_day)};
    }
  }
  return ok();
}

std::optional<WallTime> compliance_retry_at(ComplianceRule rule, const ComplianceRules& rules,
                                            const ComplianceQuery& q) {
  switch (rule) {
    case ComplianceRule::outside_calling_hours: {
      auto next = next_calling_window(q.time_zone, q.now, rules.calling_hours);
      if (next) return *next;
      return std::nullopt;
    }
    case ComplianceRule::daily_number_cap: return q.now + std::chrono::hours{24};
    case ComplianceRule::do_not_call:
    case ComplianceRule::unknown_time_zone:
    case ComplianceRule::lead_attempt_cap: break;
  }
  return std::nullopt;
}

}  // namespace dialer
