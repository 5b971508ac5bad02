// An in-memory LeadStore, DoNotCallStore and CallLogStore: the engine's tests,
// the examples and the simulations use it, and it passes the same conformance
// suite as the SQL stores. Any operation can be made to fail on demand.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dialer/store.hpp"

namespace dialer::testing {

enum class StoreOp {
  find_lead,
  find_lead_by_phone,
  add_leads,
  claim_leads,
  renew_leases,
  release_leads,
  update_queue,
  queue_entry,
  add_do_not_call,
  is_do_not_call,
  save_call,
  find_call,
  count_calls_to,
  max_call_id,
  abandonment_by_day,
};

const char* to_string(StoreOp op) noexcept;
bool from_string(std::string_view s, StoreOp& out) noexcept;

class MemoryStore final : public LeadStore, public DoNotCallStore, public CallLogStore {
 public:
  /// Adds or replaces one lead, claimable at once. Errors: as add_leads.
  Result<void> add_lead(const Lead& lead);

  Result<Lead> find_lead(LeadId id) override;
  Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) override;
  /// Walks every lead (a test store; the SQL stores filter in the database).
  Result<std::vector<Lead>> search_leads(const LeadSearch& search) override;
  Result<std::vector<LeadId>> add_leads(std::span<const Lead> leads, WallTime now) override;
  Result<std::vector<ClaimedLead>> claim_leads(const ClaimRequest& request) override;
  Result<std::size_t> renew_leases(std::string_view owner, std::span<const LeadId> leads,
                                   WallTime until) override;
  Result<void> release_leads(std::string_view owner, std::span<const LeadId> leads) override;
  Result<void> update_queue(const QueueUpdate& update) override;
  Result<QueueEntry> queue_entry(LeadId lead) override;

  Result<void> add_do_not_call(std::string_view e164, CampaignId campaign) override;
  Result<bool> is_do_not_call(std::string_view e164, CampaignId campaign) override;

  Result<void> save_call(const CallRecord& record) override;
  Result<CallRecord> find_call(CallId id) override;
  Result<std::uint32_t> count_calls_to(std::string_view e164, WallTime since) override;
  Result<std::vector<AbandonmentDay>> abandonment_by_day(CampaignId campaign, WallTime since,
                                                         std::chrono::minutes day_offset) override;
  Result<std::uint64_t> max_call_id() override;

  /// The queue status of a lead, or nullopt for an unknown lead.
  std::optional<QueueStatus> queue_status(LeadId lead) const;
  /// Every queue change of a lead, in order.
  std::vector<QueueUpdate> queue_history(LeadId lead) const;
  /// A call log row, or nullopt.
  std::optional<CallRecord> call(CallId id) const;
  std::size_t call_count() const;
  /// All call log rows in call id order.
  std::vector<CallRecord> calls() const;

  /// Fails the `nth` (1-based, from now) operation `op` with `error`.
  void fail_nth(StoreOp op, std::size_t nth, Error error);
  /// Keeps (default) or stops keeping every queue change and call row;
  /// benchmarks turn it off to measure the engine alone.
  void keep_history(bool on);

 private:
  struct Row {
    Lead lead;
    QueueEntry entry;
    // Bumped each time the row enters or leaves a queue index: an index
    // entry with another generation is stale.
    std::uint64_t queue_generation = 0;
  };

  // Each campaign's claimable-looking rows, in claim order (time, then
  // lead): unleased rows by ready time, leased rows by lease expiry. Rows
  // move several times per call (ordered sets spent a tenth of a simulated
  // day on it), and their keys come mostly in order: new leads at the time
  // they are added, retries at a call's end plus one of a few fixed delays,
  // leases at the claim plus the lease. So each index keeps its keys in a
  // few sorted lanes, each taking keys at or after its last; the earliest key
  // is the least of the lanes' fronts. A row that moves is not searched for:
  // its old entry stays behind, stale, and is dropped when it reaches a
  // front or when stale entries outnumber live ones.
  struct QueueKey {
    WallTime at;
    LeadId lead;
    std::uint64_t generation = 0;
  };
  struct QueueIndex {
    std::vector<std::deque<QueueKey>> lanes;  // each sorted, none empty
    std::size_t entries = 0;
    std::size_t live = 0;
    // Sorted by time alone: a claim takes every lease that ran out, in any
    // order, and a refill's leases share one expiry with leads in ready
    // order (by lead, each would start a lane).
    bool by_time_only = false;
  };
  struct CampaignQueue {
    QueueIndex ready;
    QueueIndex leased = by_time();

    static QueueIndex by_time() {
      QueueIndex index;
      index.by_time_only = true;
      return index;
    }
  };
  void index_queue(Row& row);
  void unindex_queue(Row& row);
  bool is_current(const QueueKey& key) const;
  void sweep(QueueIndex& index);

  Result<void> maybe_fail(StoreOp op);
  bool on_do_not_call(const std::string& e164, CampaignId campaign) const;
  void index(const Lead& lead);
  void unindex(const Lead& lead);

  // The rows by lead id, looked up by id only (never walked in order: the
  // queue indexes give every ordering a claim needs). The ids the store hands
  // out (1, 2, 3, ...: a simulated day adds 330,000) index a deque; any other
  // id a caller chooses is hashed. (Hashing every id, a lookup was two cache
  // misses, bucket and node, several times per call: 5% of a simulated day.)
  // Rows are never removed, and stay where they are.
  class Rows {
   public:
    Row* find(LeadId id);
    const Row* find(LeadId id) const;
    /// The row of `id`, and whether it was just added (default-constructed).
    std::pair<Row*, bool> try_emplace(LeadId id);
    std::size_t size() const { return dense_.size() + other_.size(); }
    template <class F>
    void for_each(F&& f) const {
      for (const Row& row : dense_) f(row);
      for (const auto& [id, row] : other_) f(row);
    }

   private:
    std::deque<Row> dense_;  // ids 1 .. dense_.size()
    std::unordered_map<LeadId, Row> other_;
  };

  mutable std::mutex mutex_;
  Rows rows_;
  std::unordered_map<CampaignId, CampaignQueue> queues_;
  std::unordered_multimap<std::string, LeadId> by_last_ten_;
  // The number index is built on the first lookup by number and kept from
  // then on: a simulation adds hundreds of thousands of leads and never
  // looks one up by its number.
  bool phone_index_built_ = false;
  std::set<std::pair<std::string, CampaignId>> do_not_call_;
  std::unordered_map<LeadId, std::vector<QueueUpdate>> history_;
  std::map<CallId, CallRecord> calls_;
  std::multimap<StoreOp, std::pair<std::size_t, Error>> failures_;
  std::uint64_t last_lead_id_ = 0;
  bool keep_history_ = true;
};

}  // namespace dialer::testing
