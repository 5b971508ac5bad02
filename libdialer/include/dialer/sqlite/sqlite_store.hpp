// The SQLite store: leads, the outbound queue, the do-not-call list, the call
// log and the configuration in one SQLite file (WAL mode), the embedded
// default. It implements every storage port and passes the conformance suite.
//
// Opened with SqliteStore::open(options), which creates the file if needed and
// brings its schema up to date (forward migrations); a file written by a newer
// libdialer is refused.
//
// Writes that the engine makes per call — save_call and, when the store can
// prove the caller holds the lead's lease, update_queue — are queued for a
// writer thread that commits them in batches; their Result means "accepted"
// (validated and queued, not yet durable). flush() waits until every accepted
// write is committed; the destructor flushes. A queued write that fails is
// retried with backoff while the failure is transient (a locked database, a
// full disk) and reported through Options::on_write_error in every case; it is
// never dropped in silence. Every other method runs at once, in one
// transaction, after the caller's queued writes have been committed, so a
// caller always reads its own writes. See docs/storage.md.
//
// Thread-safety: every method may be called from any thread. Several stores
// (threads, processes) may open the same file: claims are atomic
// (BEGIN IMMEDIATE), so no lead is leased to two dialers at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "dialer/error.hpp"
#include "dialer/store.hpp"

namespace dialer::sqlite {

struct Options {
  /// The database file; created when missing. Required.
  std::string path;
  /// How long a statement waits for another connection's lock before it fails
  /// with a (transient) busy error. Default 5 s.
  std::chrono::milliseconds busy_timeout{5000};
  /// true (default): every commit is fsynced (synchronous=FULL), so a flushed
  /// write survives power loss. false: synchronous=NORMAL — survives a crash
  /// of the process, may lose the last commits on power loss; faster.
  /// Claims (claim_leads) commit with NORMAL either way: a power loss can
  /// undo only the newest claims, none of whose calls is logged durably yet,
  /// and their leads come back unleased (docs/storage.md, "Claims and leases").
  bool sync_commits = true;
  /// Most queued writes committed in one transaction. Default 1000.
  std::size_t batch_size = 1000;
  /// Most writes waiting in the queue; a write beyond this waits for room
  /// (back-pressure). Default 100000.
  std::size_t max_pending = 100000;
  /// A queued write that keeps failing transiently is retried this long, then
  /// reported lost. Default 60 s.
  std::chrono::milliseconds give_up_after{60000};
  /// Called on the writer thread for every queued write that failed:
  /// will_retry true for a transient failure (the write is kept and retried),
  /// false when the write is lost. Must not call back into the store. Without
  /// a callback failures are still counted and returned by flush().
  std::function<void(const Error& error, bool will_retry)> on_write_error;
};

class SqliteStore final : public LeadStore,
                          public DoNotCallStore,
                          public CallLogStore,
                          public ConfigStore {
 public:
  /// The schema version this build writes; files with a higher one are refused.
  static constexpr int kSchemaVersion = 3;

  /// Opens (or creates) the database and migrates its schema forward.
  /// Errors: Errc::invalid_argument (empty path), Errc::storage_error (cannot
  /// open, or a schema newer than kSchemaVersion).
  static Result<std::unique_ptr<SqliteStore>> open(const Options& options);

  /// Flushes the queued writes, then closes.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// Waits until every write accepted so far is committed (durable as
  /// Options::sync_commits says). Errors: Errc::storage_error when a queued
  /// write was lost since the previous flush (also reported to on_write_error).
  Result<void> flush();

  Result<Lead> find_lead(LeadId id) override;
  Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) override;
  /// One query for the whole batch.
  Result<std::vector<std::optional<Lead>>> find_leads_by_phone(
      std::span<const std::string> last_ten, CampaignId campaign) override;
  /// A LIKE filter over the campaign's leads in id order, checked row by row.
  Result<std::vector<Lead>> search_leads(const LeadSearch& search) override;
  Result<std::vector<LeadId>> add_leads(std::span<const Lead> leads, WallTime now) override;
  Result<std::vector<ClaimedLead>> claim_leads(const ClaimRequest& request) override;
  Result<std::size_t> renew_leases(std::string_view owner, std::span<const LeadId> leads,
                                   WallTime until) override;
  Result<void> release_leads(std::string_view owner, std::span<const LeadId> leads) override;
  /// Queued (Result: accepted) when this store granted `update.owner` a lease
  /// on the lead that is live at `update.at`; otherwise run at once, with the
  /// lease check's verdict (Errc::not_found, Errc::conflict) returned.
  Result<void> update_queue(const QueueUpdate& update) override;
  Result<QueueEntry> queue_entry(LeadId lead) override;

  Result<void> add_do_not_call(std::string_view e164, CampaignId campaign) override;
  Result<bool> is_do_not_call(std::string_view e164, CampaignId campaign) override;

  /// Queued; the Result means accepted. Errors: Errc::invalid_argument (a
  /// campaign id that names no saved campaign).
  Result<void> save_call(const CallRecord& record) override;
  Result<CallRecord> find_call(CallId id) override;
  Result<std::uint32_t> count_calls_to(std::string_view e164, WallTime since) override;
  Result<std::vector<AbandonmentDay>> abandonment_by_day(CampaignId campaign, WallTime since,
                                                         std::chrono::minutes day_offset) override;
  Result<std::uint64_t> max_call_id() override;

  Result<void> save_campaign(const Campaign& campaign) override;
  Result<void> save_carrier(const Carrier& carrier) override;
  Result<void> save_agent(const Agent& agent) override;
  Result<std::vector<Campaign>> load_campaigns() override;
  Result<std::vector<Carrier>> load_carriers() override;
  Result<std::vector<Agent>> load_agents() override;
  Result<void> delete_campaign(CampaignId id) override;
  Result<void> delete_carrier(CarrierId id) override;
  Result<void> delete_agent(AgentId id) override;

 private:
  class Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialer::sqlite
