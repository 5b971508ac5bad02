// The PostgreSQL store: leads, the outbound queue, the do-not-call list, the
// call log and the configuration in one PostgreSQL database, shared by every
// dialer server that works the same campaigns. It implements every storage
// port and passes the conformance suite.
//
// Opened with PostgresStore::open(options) from a libpq connection string
// (URI or keyword form), which brings the schema up to date (forward
// migrations under an advisory lock); a database written by a newer libdialer
// is refused. The connection string's password never appears in an error or a
// report: connection strings are redacted and server messages scrubbed.
//
// Claims are `SELECT ... FOR UPDATE SKIP LOCKED` plus the lease UPDATE in one
// transaction, so claimers on many servers never wait for each other and never
// get the same lead; a server that dies loses nothing: its leases run out.
//
// Writes that the engine makes per call — save_call and, when the store can
// prove the caller holds the lead's lease, update_queue — are queued for a
// writer thread (its own connection) that commits them in batches; their
// Result means "accepted". flush() waits until every accepted write is
// committed; the destructor flushes. A queued write that fails is retried with
// backoff while the failure is transient (server restarting, connection lost,
// serialization failure; the connection is reopened) and reported through
// Options::on_write_error in every case; it is never dropped in silence.
// Every other method runs at once, after the caller's queued writes have been
// committed, so a caller always reads its own writes. See docs/storage.md.
//
// Thread-safety: every method may be called from any thread; calls share one
// connection (serialised by a mutex), the writer has another. Open one store
// per thread for parallel claims.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "dialer/error.hpp"
#include "dialer/store.hpp"

namespace dialer::postgres {

struct Options {
  /// libpq connection string: "postgresql://user:secret@host:5432/dialer" or
  /// "host=/run/dialer dbname=dialer". Required.
  std::string dsn;
  /// Most queued writes committed in one transaction. Default 1000.
  std::size_t batch_size = 1000;
  /// Most writes waiting in the queue; a write beyond this waits for room
  /// (back-pressure). Default 100000.
  std::size_t max_pending = 100000;
  /// A queued write that keeps failing transiently (server down) is retried
  /// this long, then reported lost. Default 60 s.
  std::chrono::milliseconds give_up_after{60000};
  /// Called on the writer thread for every queued write that failed:
  /// will_retry true for a transient failure (the write is kept and retried),
  /// false when the write is lost. Must not call back into the store. Without
  /// a callback failures are still counted and returned by flush().
  std::function<void(const Error& error, bool will_retry)> on_write_error;
};

class PostgresStore final : public LeadStore,
                            public DoNotCallStore,
                            public CallLogStore,
                            public ConfigStore {
 public:
  /// The schema version this build writes; databases with a higher one are refused.
  static constexpr int kSchemaVersion = 3;

  /// Connects and migrates the schema forward. Errors: Errc::invalid_argument
  /// (empty or malformed connection string), Errc::storage_error (cannot
  /// connect, or a schema newer than kSchemaVersion).
  static Result<std::unique_ptr<PostgresStore>> open(const Options& options);

  /// Flushes the queued writes, then disconnects.
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  /// Waits until every write accepted so far is committed. Errors:
  /// Errc::storage_error when a queued write was lost since the previous
  /// flush (also reported to on_write_error).
  Result<void> flush();

  Result<Lead> find_lead(LeadId id) override;
  Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) override;
  /// One query for the whole batch.
  Result<std::vector<std::optional<Lead>>> find_leads_by_phone(
      std::span<const std::string> last_ten, CampaignId campaign) override;
  /// A LIKE filter over the campaign's leads in id order, checked row by row.
  Result<std::vector<Lead>> search_leads(const LeadSearch& search) override;
  /// One COPY into a staging table, then INSERT ... ON CONFLICT: all or nothing.
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
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialer::postgres
