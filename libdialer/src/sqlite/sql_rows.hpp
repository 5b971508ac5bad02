// The row mapping the SQLite and PostgreSQL stores share: both schemas name
// their columns alike, so the SELECT column lists and the way a result row
// becomes a Lead, CallRecord, Campaign, Carrier or Agent are written once.
// Each store adapts its driver's row (SQLiteCpp's Statement, pqxx's row) to
// the three calls the readers use:
//
//   std::int64_t i64(int column) const;
//   double f64(int column) const;
//   std::string text(int column) const;
//   bool is_null(int column) const;
//
// Header-only and never installed, like sql_common.hpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialer/agent.hpp"
#include "dialer/call.hpp"
#include "dialer/campaign.hpp"
#include "dialer/carrier.hpp"
#include "dialer/lead.hpp"
#include "dialer/lead_search.hpp"
#include "sql_common.hpp"

namespace dialer::internal {

/// Lead columns, leads aliased l (the claim joins queue q).
inline const std::string kLeadColumns =
    "l.id, l.campaign_id, l.e164, l.region, l.time_zone, l.priority, l.fields";
/// How many columns kLeadColumns has: a claim reads q.attempts after them.
inline constexpr int kLeadColumnCount = 7;

inline const std::string kCallColumns =
    "id, campaign_id, agent_id, lead_id, carrier_id, number, dialled, dial_string, state, "
    "outcome, created_at_ns, ringing_at_ns, answered_at_ns, bridged_at_ns, ended_at_ns, "
    "dispositioned_at_ns, hangup_cause, hangup_reason, hung_up_by, disposition, notes, "
    "auto_disposition";

inline const std::string kCampaignColumns =
    "id, name, dial_mode, carrier_id, dial_prefix, plan_region, plan_allowed_regions,"
    " plan_require_valid, manual_dial_allowed, wrapup_timeout_s, wrapup_timeout_disposition,"
    " break_after_wrapup_timeout, hopper_size, ring_timeout_s, caller_id, break_types,"
    " dispositions, script, calling_hours_start_min, calling_hours_end_min,"
    " max_attempts_per_lead, max_calls_per_number_per_day, recycle, lead_order, pacing_policy,"
    " pacing_abandon_cap, pacing_max_wait_ms, pacing_safe_harbour_media, pacing_day_offset_min";

inline const std::string kCarrierColumns = "id, name, dial_prefix, dial_template, number_format";

inline const std::string kAgentColumns = "id, login, name, endpoint, persistent_leg";

/// An id column; NULL (a zero id where a foreign key would refuse it) is 0.
template <class Row>
std::uint64_t id_at(const Row& row, int column) {
  return row.is_null(column) ? 0 : from_db(row.i64(column));
}

/// The coarse filter both SQL stores run for LeadStore::search_leads, with
/// parameters 1 campaign, 2 after-id, 3 text, 4 its digits, 5 like_pattern
/// (text), 6 a row limit, as `?N` or `$N`; `fields_like` is the dialect's
/// case-insensitive LIKE on the encoded fields. Field names and netstring
/// lengths can match too, so every row is checked with lead_matches
/// (search_in_pages).
inline std::string lead_search_sql(char placeholder, const std::string& fields_like) {
  const auto p = [placeholder](int n) { return std::string(1, placeholder) + std::to_string(n); };
  return "SELECT " + kLeadColumns + " FROM leads l WHERE l.campaign_id = " + p(1) + " AND l.id > " + p(2) +
         " AND (" + p(3) + " = '' OR (" + p(4) + " <> '' AND l.e164 LIKE '%' || " + p(4) + " || '%') OR " +
         fields_like + " " + p(5) + " ESCAPE '\\') ORDER BY l.id LIMIT " + p(6);
}

/// "%text%" with %, _ and \ escaped by a backslash.
inline std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

/// LeadStore::search_leads on top of a coarse database filter: `fetch(after,
/// n)` returns up to n filtered leads of the campaign with ids above `after`,
/// in id order; pages are fetched until the limit is met by leads that pass
/// lead_matches, or the filter runs dry.
template <class Fetch>
std::vector<Lead> search_in_pages(const LeadSearch& search, Fetch&& fetch) {
  std::vector<Lead> out;
  const std::size_t limit = std::min(search.limit, kMaxLeadSearchResults);
  LeadId after = search.after;
  while (out.size() < limit) {
    const std::size_t want = limit - out.size() + 8;
    std::vector<Lead> page = fetch(after, want);
    for (Lead& lead : page) {
      after = lead.id;
      if (out.size() < limit && lead_matches(lead, search)) out.push_back(std::move(lead));
    }
    if (page.size() < want) break;
  }
  return out;
}

template <class Row>
Lead lead_from_row(const Row& row, int first = 0) {
  Lead lead;
  lead.id = LeadId{id_at(row, first)};
  lead.campaign = CampaignId{id_at(row, first + 1)};
  lead.phone.e164 = row.text(first + 2);
  lead.phone.region = row.text(first + 3);
  lead.time_zone = row.text(first + 4);
  lead.priority = static_cast<std::int32_t>(row.i64(first + 5));
  lead.fields = decode_fields(row.text(first + 6))
                    .value_or(std::vector<std::pair<std::string, std::string>>{});
  return lead;
}

template <class Row>
CallRecord call_from_row(const Row& row) {
  CallRecord r;
  r.id = CallId{id_at(row, 0)};
  r.campaign = CampaignId{id_at(row, 1)};
  r.agent = AgentId{id_at(row, 2)};
  r.lead = LeadId{id_at(row, 3)};
  r.carrier = CarrierId{id_at(row, 4)};
  r.number = row.text(5);
  r.dialled = row.text(6);
  r.dial_string = row.text(7);
  r.state = enum_or(row.text(8), CallState::originating);
  r.outcome = enum_or(row.text(9), CallOutcome::none);
  r.created_at = from_ns(row.i64(10));
  r.ringing_at = from_ns(row.i64(11));
  r.answered_at = from_ns(row.i64(12));
  r.bridged_at = from_ns(row.i64(13));
  r.ended_at = from_ns(row.i64(14));
  r.dispositioned_at = from_ns(row.i64(15));
  r.hangup_cause = static_cast<int>(row.i64(16));
  r.hangup_reason = row.text(17);
  r.hung_up_by = enum_or(row.text(18), HangupSide::none);
  r.disposition = row.text(19);
  r.notes = row.text(20);
  r.auto_disposition = row.i64(21) != 0;
  return r;
}

template <class Row>
Campaign campaign_from_row(const Row& row) {
  Campaign c;
  c.id = CampaignId{id_at(row, 0)};
  c.name = row.text(1);
  c.dial_mode = enum_or(row.text(2), DialMode::manual);
  c.carrier = CarrierId{id_at(row, 3)};
  c.dial_prefix = row.text(4);
  c.number_plan.region = row.text(5);
  c.number_plan.allowed_regions = decode_list(row.text(6)).value_or(std::vector<std::string>{});
  c.number_plan.require_valid = row.i64(7) != 0;
  c.manual_dial_allowed = row.i64(8) != 0;
  if (row.is_null(9)) {
    c.wrapup_timeout.reset();
  } else {
    c.wrapup_timeout = std::chrono::seconds{row.i64(9)};
  }
  c.wrapup_timeout_disposition = row.text(10);
  c.break_after_wrapup_timeout = row.text(11);
  c.hopper_size = static_cast<std::size_t>(row.i64(12));
  c.ring_timeout = std::chrono::seconds{row.i64(13)};
  c.caller_id = row.text(14);
  c.break_types = decode_list(row.text(15)).value_or(std::vector<std::string>{});
  c.dispositions = decode_dispositions(row.text(16)).value_or(std::vector<DispositionCode>{});
  c.script = row.text(17);
  c.compliance.calling_hours.start = std::chrono::minutes{row.i64(18)};
  c.compliance.calling_hours.end = std::chrono::minutes{row.i64(19)};
  c.compliance.max_attempts_per_lead = static_cast<std::uint32_t>(row.i64(20));
  c.compliance.max_calls_per_number_per_day = static_cast<std::uint32_t>(row.i64(21));
  c.recycle = decode_recycle(row.text(22)).value_or(RecyclePolicy{});
  c.lead_order = enum_or(row.text(23), LeadOrder::oldest_first);
  c.pacing.policy = row.text(24);
  c.pacing.abandon_cap = row.f64(25);
  c.pacing.max_wait_for_agent = std::chrono::milliseconds{row.i64(26)};
  c.pacing.safe_harbour_media = row.text(27);
  c.pacing.day_offset = std::chrono::minutes{row.i64(28)};
  return c;
}

template <class Row>
Carrier carrier_from_row(const Row& row) {
  Carrier c;
  c.id = CarrierId{id_at(row, 0)};
  c.name = row.text(1);
  c.dial_prefix = row.text(2);
  c.dial_template = row.text(3);
  c.number_format = enum_or(row.text(4), NumberFormat::e164);
  return c;
}

template <class Row>
Agent agent_from_row(const Row& row) {
  Agent a;
  a.id = AgentId{id_at(row, 0)};
  a.login = row.text(1);
  a.name = row.text(2);
  a.endpoint = row.text(3);
  a.persistent_leg = row.i64(4) != 0;
  return a;
}

}  // namespace dialer::internal
