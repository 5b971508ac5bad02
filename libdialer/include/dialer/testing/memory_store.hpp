// An in-memory LeadStore and CallLogStore: the engine's tests, the examples and
// the simulations use it, and it runs the same conformance suite as the SQL
// stores. Any operation can be made to fail on demand.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dialer/store.hpp"

namespace dialer::testing {

enum class StoreOp { find_lead, find_lead_by_phone, update_queue, save_call };

const char* to_string(StoreOp op) noexcept;
bool from_string(std::string_view s, StoreOp& out) noexcept;

class MemoryStore final : public LeadStore, public CallLogStore {
 public:
  /// Adds or replaces a lead; its queue row becomes pending.
  /// Errors: Errc::invalid_argument (zero id, empty number).
  Result<void> add_lead(const Lead& lead);

  Result<Lead> find_lead(LeadId id) override;
  Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) override;
  Result<void> update_queue(const QueueUpdate& update) override;
  Result<void> save_call(const CallRecord& record) override;

  /// The queue status of a lead, or nullopt for an unknown lead.
  std::optional<QueueStatus> queue_status(LeadId lead) const;
  /// Every queue change of a lead, in order.
  std::vector<QueueUpdate> queue_history(LeadId lead) const;
  /// A call log row, or nullopt.
  std::optional<CallRecord> call(CallId id) const;
  std::size_t call_count() const { return calls_.size(); }
  /// All call log rows in call id order.
  std::vector<CallRecord> calls() const;

  /// Fails the `nth` (1-based, from now) operation `op` with `error`.
  void fail_nth(StoreOp op, std::size_t nth, Error error);
  /// Keeps (default) or stops keeping every queue change and call row;
  /// benchmarks turn it off to measure the engine alone.
  void keep_history(bool on) { keep_history_ = on; }

 private:
  Result<void> maybe_fail(StoreOp op);

  std::unordered_map<LeadId, Lead> leads_;
  std::unordered_multimap<std::string, LeadId> by_last_ten_;
  std::unordered_map<LeadId, QueueStatus> queue_;
  std::unordered_map<LeadId, std::vector<QueueUpdate>> history_;
  std::map<CallId, CallRecord> calls_;
  std::multimap<StoreOp, std::pair<std::size_t, Error>> failures_;
  bool keep_history_ = true;
};

}  // namespace dialer::testing
