// Storage ports: where leads, queue rows, the do-not-call list, the call log
// and the configuration (campaigns, carriers, agents) live.
//
// Split by aggregate so that each can grow on its own. Each method is one unit
// of work (one transaction in SQL stores) and is safe to repeat: the engine may
// retry, save_call is an upsert by call id, and claims are leases.
//
// Reads the engine makes (a lead for a screen pop, a hopper refill) must be
// quick and run ahead of need; writes must not block the engine's thread for
// long — the SQL stores queue them for a writer thread and flush on shutdown.
// A write that fails is returned as Errc::storage_error (and retried by the
// store where it can), never dropped in silence.
//
// Implemented by: testing::MemoryStore, and the SQLite and PostgreSQL stores;
// all pass the conformance suite in tests/conformance/. Called by: the engine,
// from its own thread; SQL stores are also safe to share between threads and
// processes (claims are atomic).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/agent.hpp"
#include "dialer/call.hpp"
#include "dialer/campaign.hpp"
#include "dialer/carrier.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"
#include "dialer/lead.hpp"
#include "dialer/lead_search.hpp"
#include "dialer/queue.hpp"

namespace dialer {

class LeadStore {
 public:
  virtual ~LeadStore() = default;
  /// Errors: Errc::not_found, Errc::storage_error.
  virtual Result<Lead> find_lead(LeadId id) = 0;
  /// The lead whose number ends in these 10 digits, preferring one of
  /// `campaign`, then the lowest id. Errors: Errc::not_found, Errc::storage_error.
  virtual Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) = 0;
  /// find_lead_by_phone for many numbers at once: for each of `last_ten`, in
  /// order, the lead it would return, or nullopt. Bulk callers (the CSV
  /// import asks a batch at a time) pay one query instead of one per number;
  /// this default asks one by one, so a store need not override it.
  /// Errors: Errc::storage_error (the first lookup that failed).
  virtual Result<std::vector<std::optional<Lead>>> find_leads_by_phone(
      std::span<const std::string> last_ten, CampaignId campaign) {
    std::vector<std::optional<Lead>> out;
    out.reserve(last_ten.size());
    for (const std::string& digits : last_ten) {
      auto found = find_lead_by_phone(digits, campaign);
      if (found) {
        out.emplace_back(std::move(found).value());
      } else if (found.error().code == make_error_code(Errc::not_found)) {
        out.emplace_back(std::nullopt);
      } else {
        return std::move(found).error();
      }
    }
    return out;
  }

  /// The leads that answer `search` (lead_search.hpp: number digits or a
  /// field value), in id order, at most min(limit, kMaxLeadSearchResults).
  /// The SQL stores filter in the database and check each row with
  /// lead_matches. This default is for stores that cannot search.
  /// Errors: Errc::unavailable (the default), Errc::storage_error.
  virtual Result<std::vector<Lead>> search_leads(const LeadSearch& search) {
    (void)search;
    return Error{Errc::unavailable, "this lead store cannot search leads"};
  }

  /// Adds leads, or replaces those with the same id (their queue rows are kept).
  /// A lead with id zero gets a new id. New leads are pending and ready at `now`.
  /// Returns the ids in input order. All or nothing.
  /// Errors: Errc::invalid_argument (no number, unknown campaign), Errc::storage_error.
  virtual Result<std::vector<LeadId>> add_leads(std::span<const Lead> leads, WallTime now) = 0;

  /// Claims up to `limit` claimable leads of the campaign (see queue.hpp),
  /// atomically: no lead is held by two dialers at once, across threads,
  /// processes and servers. Errors: Errc::invalid_argument (empty owner),
  /// Errc::storage_error.
  virtual Result<std::vector<ClaimedLead>> claim_leads(const ClaimRequest& request) = 0;
  /// Extends the leases `owner` holds on these leads to `until`; leads it no
  /// longer holds are skipped. Returns how many were renewed.
  virtual Result<std::size_t> renew_leases(std::string_view owner, std::span<const LeadId> leads,
                                           WallTime until) = 0;
  /// Gives leads back unattempted: the lease ends, status and ready time stay.
  virtual Result<void> release_leads(std::string_view owner, std::span<const LeadId> leads) = 0;
  /// Moves a lead's queue row. Errors: Errc::not_found, Errc::conflict (leased
  /// to another dialer), Errc::storage_error.
  virtual Result<void> update_queue(const QueueUpdate& update) = 0;
  /// Errors: Errc::not_found, Errc::storage_error.
  virtual Result<QueueEntry> queue_entry(LeadId lead) = 0;
};

class DoNotCallStore {
 public:
  virtual ~DoNotCallStore() = default;
  /// Adds an E.164 number to a campaign's list, or to the global list when
  /// `campaign` is zero. Adding twice is fine.
  virtual Result<void> add_do_not_call(std::string_view e164, CampaignId campaign) = 0;
  /// Whether the number is on the global list or on `campaign`'s.
  virtual Result<bool> is_do_not_call(std::string_view e164, CampaignId campaign) = 0;
};

/// One day of a campaign's abandonment figures (AbandonmentMeter's days).
struct AbandonmentDay {
  /// Days since the epoch of answered_at shifted by the campaign's day offset.
  std::int64_t day = 0;
  /// Calls answered by a person: answered, and not by a machine.
  std::uint64_t answered = 0;
  /// Of those, the calls dropped before an agent took them.
  std::uint64_t abandoned = 0;

  friend bool operator==(const AbandonmentDay&, const AbandonmentDay&) = default;
};

class CallLogStore {
 public:
  virtual ~CallLogStore() = default;
  /// Inserts or replaces the row with record.id. Errors: Errc::storage_error.
  virtual Result<void> save_call(const CallRecord& record) = 0;
  /// Errors: Errc::not_found, Errc::storage_error.
  virtual Result<CallRecord> find_call(CallId id) = 0;
  /// Calls created at or after `since` to this E.164 number, in any campaign
  /// (for per-number daily attempt caps).
  virtual Result<std::uint32_t> count_calls_to(std::string_view e164, WallTime since) = 0;
  /// The highest call id stored, or zero: a new engine's EngineOptions::id_base.
  virtual Result<std::uint64_t> max_call_id() = 0;
  /// A campaign's calls answered at or after `since`, counted per day of
  /// answered_at + `day_offset`, days in ascending order. What an engine
  /// starts its abandonment windows from, so that a restart does not forget
  /// the day and the 30 days, and what engines sharing a store read to count
  /// each other's calls. The default knows nothing (an empty list): an engine
  /// on such a store counts only the calls it saw itself.
  virtual Result<std::vector<AbandonmentDay>> abandonment_by_day(CampaignId campaign,
                                                                 WallTime since,
                                                                 std::chrono::minutes day_offset) {
    (void)campaign, (void)since, (void)day_offset;
    return std::vector<AbandonmentDay>{};
  }
};

/// The configuration a server loads at start and hands to Engine::save_*. The
/// store keeps what it is given; the rules are checked by the engine before a
/// change is saved here.
class ConfigStore {
 public:
  virtual ~ConfigStore() = default;
  /// Insert or replace by id. Errors: Errc::conflict (a unique name or login
  /// taken by another id), Errc::storage_error.
  virtual Result<void> save_campaign(const Campaign& campaign) = 0;
  virtual Result<void> save_carrier(const Carrier& carrier) = 0;
  virtual Result<void> save_agent(const Agent& agent) = 0;
  /// Everything saved, in id order.
  virtual Result<std::vector<Campaign>> load_campaigns() = 0;
  virtual Result<std::vector<Carrier>> load_carriers() = 0;
  virtual Result<std::vector<Agent>> load_agents() = 0;
  /// Errors: Errc::not_found, Errc::conflict (a carrier still used by a
  /// campaign, a campaign that still has leads), Errc::storage_error.
  virtual Result<void> delete_campaign(CampaignId id) = 0;
  virtual Result<void> delete_carrier(CarrierId id) = 0;
  virtual Result<void> delete_agent(AgentId id) = 0;
};

}  // namespace dialer
