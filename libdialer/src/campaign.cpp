#include "dialer/campaign.hpp"

#include <set>
#include <string>

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<DialMode, 3> kModeNames{{
    {DialMode::manual, "manual"},
    {DialMode::autodial, "autodial"},
    {DialMode::predictive, "predictive"},
}};

constexpr std::size_t kMaxNameLength = 64;

constexpr bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Names, codes and break types end up in panels, logs and SQL; keep them short
// printable text.
bool is_plain_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  for (char c : s) {
    if (is_control(c)) return false;
  }
  return true;
}

Error bad(std::string detail) { return {Errc::invalid_argument, std::move(detail)}; }

}  // namespace

const char* to_string(DialMode m) noexcept { return internal::name_of(kModeNames, m); }
bool from_string(std::string_view s, DialMode& out) noexcept {
  return internal::parse_name(kModeNames, s, out);
}

bool Campaign::has_break_type(std::string_view type) const {
  for (const auto& b : break_types) {
    if (b == type) return true;
  }
  return false;
}

const DispositionCode* Campaign::find_disposition(std::string_view code) const {
  for (const auto& d : dispositions) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

namespace {

Result<void> validate_pacing(const Campaign& c) {
  const PacingSettings& p = c.pacing;
  if (!(p.abandon_cap > 0.0 && p.abandon_cap <= 1.0)) {
    return bad("pacing.abandon_cap must be in (0, 1]");
  }
  if (p.max_wait_for_agent.count() < 0 || p.max_wait_for_agent > std::chrono::seconds{60}) {
    return bad("pacing.max_wait_for_agent must be 0..60 seconds");
  }
  if (p.day_offset < std::chrono::hours{-14} || p.day_offset > std::chrono::hours{14}) {
    return bad("pacing.day_offset must be -14..+14 hours");
  }
  for (char ch : p.safe_harbour_media) {
    if (is_control(ch)) return bad("pacing.safe_harbour_media has a control character");
  }
  // Calls answered with no agent free are played the safe-harbour message;
  // a predictive campaign without one would leave them in silence.
  if (c.dial_mode == DialMode::predictive && p.safe_harbour_media.empty()) {
    return bad("predictive mode needs pacing.safe_harbour_media (the message played to a "
               "dropped call)");
  }
  return ok();
}

}  // namespace

Result<void> validate_campaign(const Campaign& c) {
  if (!c.id.valid()) return bad("campaign id must be non-zero");
  if (!is_plain_name(c.name)) return bad("campaign name must be 1-64 printable characters");
  if (c.wrapup_timeout && c.wrapup_timeout->count() <= 0) {
    return bad("wrapup_timeout must be positive");
  }
  if (c.hopper_size > 100000) return bad("hopper_size must be 0 (automatic) or 1..100000");
  if (c.ring_timeout.count() < 1 || c.ring_timeout.count() > 300) {
    return bad("ring_timeout must be 1..300 seconds");
  }
  if (c.caller_id.size() > 80) return bad("caller_id is longer than 80 characters");
  for (char ch : c.caller_id) {
    if (is_control(ch)) return bad("caller_id has a control character");
  }
  std::set<std::string_view> seen;
  for (const auto& b : c.break_types) {
    if (!is_plain_name(b)) return bad("break type names must be 1-64 printable characters");
    if (!seen.insert(b).second) return bad("break type \"" + b + "\" is listed twice");
  }
  seen.clear();
  if (c.dispositions.empty()) return bad("a campaign needs at least one disposition code");
  for (const auto& d : c.dispositions) {
    if (!is_plain_name(d.code) || d.code.size() > 16) {
      return bad("disposition codes must be 1-16 printable characters");
    }
    if (!seen.insert(d.code).second) return bad("disposition \"" + d.code + "\" is listed twice");
  }
  if (!is_plain_name(c.wrapup_timeout_disposition)) {
    return bad("wrapup_timeout_disposition must be 1-64 printable characters");
  }
  if (auto valid = validate_calling_hours(c.compliance.calling_hours); !valid) return valid;
  if (auto valid = validate_recycle_policy(c.recycle); !valid) return valid;
  if (!c.break_after_wrapup_timeout.empty() && !c.has_break_type(c.break_after_wrapup_timeout)) {
    return bad("break_after_wrapup_timeout \"" + c.break_after_wrapup_timeout +
               "\" is not one of the campaign's break types");
  }
  return validate_pacing(c);
}

}  // namespace dialer
