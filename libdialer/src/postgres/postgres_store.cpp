#include "dialer/postgres/postgres_store.hpp"

#include <libpq-fe.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <exception>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "../sqlite/sql_common.hpp"
#include "../sqlite/sql_rows.hpp"
#include "dialer/phone_number.hpp"
#include "schema.hpp"

namespace dialer::postgres {
namespace {

using internal::from_db;
using internal::kCallColumns;
using internal::kLeadColumns;
using internal::from_ns;
using internal::PendingWrite;
using internal::to_db;
using internal::to_ns;
using internal::WriteQueue;

static_assert(static_cast<int>(schema::kMigrations.size()) == PostgresStore::kSchemaVersion,
              "one migration per schema version");

// Advisory lock keys: schema migration, and lead id assignment in add_leads.
constexpr std::int64_t kMigrationLock = 0x6469616c65720001;
constexpr std::int64_t kLeadIdLock = 0x6469616c65720002;

// The password of a libpq connection string, parsed by libpq itself so that
// every form it accepts is covered; empty when there is none.
std::string password_of(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) return {};
  std::string password;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) password = o->val;
  }
  PQconninfoFree(opts);
  return password;
}

// SQLSTATE classes worth retrying: connection exceptions (08), serialization
// failure and deadlock (40001, 40P01), insufficient resources (53), operator
// intervention such as a server shutting down (57P01..57P03).
bool is_transient_state(const std::string& state) {
  return state.rfind("08", 0) == 0 || state == "40001" || state == "40P01" ||
         state.rfind("53", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
}

std::string str(const pqxx::field& f) { return std::string(f.c_str(), f.size()); }
std::int64_t i64(const pqxx::field& f) { return f.as<std::int64_t>(); }

// A PostgreSQL array literal of text values, passed as one bound parameter.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

template <class Ids>
std::string id_array(const Ids& ids) {
  std::string out = "{";
  bool first = true;
  for (const auto& id : ids) {
    if (!first) out += ',';
    first = false;
    out += std::to_string(to_db(id.value));
  }
  return out + "}";
}

// A result row as sql_rows.hpp reads it.
struct PgRow {
  const pqxx::row& row;
  pqxx::field at(int column) const { return row[static_cast<pqxx::row::size_type>(column)]; }
  std::int64_t i64(int column) const { return at(column).as<std::int64_t>(); }
  double f64(int column) const { return at(column).as<double>(); }
  std::string text(int column) const { return str(at(column)); }
  bool is_null(int column) const { return at(column).is_null(); }
};

Lead read_lead(const pqxx::row& row) { return internal::lead_from_row(PgRow{row}); }

const std::string kSaveCallSql =
    "INSERT INTO call_log (" + kCallColumns +
    ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)"
    " ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id,"
    " agent_id = excluded.agent_id, lead_id = excluded.lead_id,"
    " carrier_id = excluded.carrier_id, number = excluded.number, dialled = excluded.dialled,"
    " dial_string = excluded.dial_string, state = excluded.state, outcome = excluded.outcome,"
    " created_at_ns = excluded.created_at_ns, ringing_at_ns = excluded.ringing_at_ns,"
    " answered_at_ns = excluded.answered_at_ns, bridged_at_ns = excluded.bridged_at_ns,"
    " ended_at_ns = excluded.ended_at_ns, dispositioned_at_ns = excluded.dispositioned_at_ns,"
    " hangup_cause = excluded.hangup_cause, hangup_reason = excluded.hangup_reason,"
    " hung_up_by = excluded.hung_up_by, disposition = excluded.disposition,"
    " notes = excluded.notes, auto_disposition = excluded.auto_disposition";

const std::string kUpdateQueueSql =
    "UPDATE queue SET status = $1,"
    " last_call = CASE WHEN $2::bigint <> 0 THEN $2::bigint ELSE last_call END,"
    " attempts = attempts + $3::integer,"
    " ready_at_ns = CASE WHEN $4::boolean THEN ready_at_ns ELSE $5::bigint END,"
    " lease_owner = CASE WHEN $4::boolean THEN lease_owner ELSE '' END,"
    " lease_until_ns = CASE WHEN $4::boolean THEN lease_until_ns ELSE 0 END"
    " WHERE lead_id = $6 AND ($7::text = '' OR lease_owner = $7::text OR lease_owner = ''"
    "   OR lease_until_ns <= $8::bigint)";

void save_call_row(pqxx::transaction_base& tx, const CallRecord& r) {
  tx.exec_prepared("save_call", to_db(r.id.value),
                   r.campaign.valid() ? std::optional<std::int64_t>(to_db(r.campaign.value))
                                      : std::nullopt,
                   to_db(r.agent.value), to_db(r.lead.value), to_db(r.carrier.value), r.number,
                   r.dialled, r.dial_string, std::string(to_string(r.state)),
                   std::string(to_string(r.outcome)), to_ns(r.created_at), to_ns(r.ringing_at),
                   to_ns(r.answered_at), to_ns(r.bridged_at), to_ns(r.ended_at),
                   to_ns(r.dispositioned_at), r.hangup_cause, r.hangup_reason,
                   std::string(to_string(r.hung_up_by)), r.disposition, r.notes,
                   r.auto_disposition ? 1 : 0);
}

// The queue change of update_queue, lease check in the statement; not_found
// or conflict when it changed nothing.
Result<void> apply_update(pqxx::transaction_base& tx, const QueueUpdate& u) {
  const bool keep_lease = internal::in_progress(u.status);
  const pqxx::result changed = tx.exec_prepared(
      "update_queue", std::string(to_string(u.status)), to_db(u.call.value),
      u.attempted ? 1 : 0, keep_lease,
      u.ready_at ? std::optional<std::int64_t>(to_ns(*u.ready_at)) : std::nullopt,
      to_db(u.lead.value), u.owner, to_ns(u.at));
  if (changed.affected_rows() > 0) return ok();
  const pqxx::result row =
      tx.exec_params("SELECT lease_owner FROM queue WHERE lead_id = $1", to_db(u.lead.value));
  if (row.empty()) return Error{Errc::not_found, "no queue row for lead " + to_string(u.lead)};
  return Error{Errc::conflict, "lead " + to_string(u.lead) + " is held by " + str(row[0][0])};
}

std::string claim_sql(LeadOrder order) {
  std::string sql = "SELECT " + kLeadColumns +
                    ", q.attempts FROM queue q JOIN leads l ON l.id = q.lead_id"
                    " WHERE q.campaign_id = $1 AND q.ready_at_ns IS NOT NULL"
                    " AND q.ready_at_ns <= $2::bigint"
                    " AND q.lease_owner = ''"
                    " AND ($3::bigint = 0 OR q.attempts < $3::bigint)"
                    " AND NOT EXISTS (SELECT 1 FROM do_not_call d"
                    "   WHERE d.e164 = l.e164 AND d.campaign_id IN (0, $1))"
                    " AND ($5::text[] IS NULL OR l.time_zone = ANY ($5::text[]))";
  sql += internal::claim_order_by(order);
  // SKIP LOCKED: rows another claimer is taking right now are passed over,
  // not waited for; when it commits, their live lease keeps them out.
  return sql + " LIMIT $4 FOR UPDATE OF q SKIP LOCKED";
}

}  // namespace

class PostgresStore::Impl {
 public:
  explicit Impl(const Options& o)
      : options(o), password(password_of(o.dsn)), redacted(internal::redact_dsn(o.dsn)) {}

  Options options;
  std::string password;
  std::string redacted;
  std::mutex mutex;  // guards conn
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::connection> writer;  // the writer thread's own
  internal::LeaseBook leases;
  std::mutex campaigns_mutex;
  std::unordered_set<std::uint64_t> known_campaigns;
  // Last member: destroyed first, so the writer thread is joined (and the
  // queue flushed) while the connections still exist.
  std::unique_ptr<WriteQueue> queue;

  std::string clean(std::string message) const {
    return internal::scrub(std::move(message), password);
  }

  std::unique_ptr<pqxx::connection> connect() const {
    auto c = std::make_unique<pqxx::connection>(options.dsn);
    c->prepare("save_call", kSaveCallSql);
    c->prepare("update_queue", kUpdateQueueSql);
    return c;
  }

  Error to_error(const pqxx::sql_error& e, std::string_view what) const {
    const std::string& state = e.sqlstate();
    std::string detail = "postgres " + std::string(what) + ": " + clean(e.what());
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    if (state == "23505" || state == "23503") return Error{Errc::conflict, std::move(detail)};
    if (state.rfind("23", 0) == 0 || state.rfind("22", 0) == 0) {
      return Error{Errc::invalid_argument, std::move(detail)};
    }
    return Error{Errc::storage_error, std::move(detail)};
  }

  // Runs `body` on the shared connection, (re)connecting first; third-party
  // exceptions stop here. A connection lost before or during the call is
  // reopened and the call tried once more: every port method is safe to repeat.
  template <class F>
  auto run(std::string_view what, F&& body) -> decltype(body(std::declval<pqxx::connection&>())) {
    std::lock_guard lock(mutex);
    for (int attempt = 0;; ++attempt) {
      try {
        if (!conn) conn = connect();
        return body(*conn);
      } catch (const pqxx::broken_connection& e) {
        conn.reset();
        if (attempt == 0) continue;
        return Error{Errc::storage_error, "postgres " + std::string(what) + ": connection to " +
                                              redacted + " lost: " + clean(e.what())};
      } catch (const pqxx::sql_error& e) {
        return to_error(e, what);
      } catch (const std::exception& e) {
        return Error{Errc::storage_error, "postgres " + std::string(what) + ": " + clean(e.what())};
      }
    }
  }

  Result<void> migrate() {
    return run("migrate", [&](pqxx::connection& c) -> Result<void> {
      pqxx::work tx{c};
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
      tx.exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
      const auto version = i64(tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]);
      if (version > kSchemaVersion) {
        return Error{Errc::storage_error,
                     "database " + redacted + " has schema version " + std::to_string(version) +
                         ", newer than version " + std::to_string(kSchemaVersion) +
                         " that this libdialer knows; open it with a newer libdialer"};
      }
      for (auto v = static_cast<std::size_t>(version); v < schema::kMigrations.size(); ++v) {
        tx.exec(schema::kMigrations[v]);
        tx.exec_params("INSERT INTO schema_version (version) VALUES ($1)",
                       static_cast<std::int64_t>(v + 1));
      }
      tx.commit();
      return ok();
    });
  }

  // Runs on the writer thread: one transaction for the whole batch.
  WriteQueue::Attempt apply(std::span<const PendingWrite> writes) {
    WriteQueue::Attempt attempt;
    try {
      if (!writer) writer = connect();
      pqxx::work tx{*writer};
      for (const PendingWrite& w : writes) {
        if (const auto* call = std::get_if<CallRecord>(&w)) {
          save_call_row(tx, *call);
        } else if (auto done = apply_update(tx, std::get<QueueUpdate>(w)); !done) {
          attempt.rejected.push_back(Error{
              done.error().code, "queued " + internal::describe(w) + " refused: " +
                                     done.error().detail});
        }
      }
      tx.commit();
    } catch (const pqxx::broken_connection& e) {
      writer.reset();
      attempt = {WriteQueue::Status::transient,
                 Error{Errc::storage_error, "postgres write: connection to " + redacted +
                                                " lost: " + clean(e.what())},
                 {}};
    } catch (const pqxx::in_doubt_error& e) {
      writer.reset();
      attempt = {WriteQueue::Status::transient,
                 Error{Errc::storage_error, "postgres write: commit in doubt: " + clean(e.what())},
                 {}};
    } catch (const pqxx::sql_error& e) {
      const bool transient = is_transient_state(e.sqlstate());
      if (transient) writer.reset();
      attempt = {transient ? WriteQueue::Status::transient : WriteQueue::Status::permanent,
                 to_error(e, "write"), {}};
    }
    return attempt;
  }

  void drain() { queue->drain(); }

  Result<bool> campaign_exists(CampaignId id) {
    {
      std::lock_guard lock(campaigns_mutex);
      if (known_campaigns.contains(id.value)) return true;
    }
    auto found = run("save_call", [&](pqxx::connection& c) -> Result<bool> {
      pqxx::nontransaction tx{c};
      return !tx.exec_params("SELECT 1 FROM campaigns WHERE id = $1", to_db(id.value)).empty();
    });
    if (found && *found) {
      std::lock_guard lock(campaigns_mutex);
      known_campaigns.insert(id.value);
    }
    return found;
  }
};

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PostgresStore::~PostgresStore() {
  if (impl_ && impl_->queue) impl_->queue->stop();
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const Options& options) {
  if (options.dsn.empty()) return Error{Errc::invalid_argument, "postgres store: empty dsn"};
  {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(options.dsn.c_str(), &err);
    if (parsed == nullptr) {
      std::string why = err != nullptr ? err : "unparseable";
      if (err != nullptr) PQfreemem(err);
      return Error{Errc::invalid_argument,
                   "postgres store: malformed connection string " +
                       internal::redact_dsn(options.dsn) + ": " +
                       internal::scrub(why, password_of(options.dsn))};
    }
    PQconninfoFree(parsed);
  }
  auto impl = std::make_unique<Impl>(options);
  try {
    impl->conn = impl->connect();
  } catch (const std::exception& e) {
    std::string why = impl->clean(e.what());
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error{Errc::storage_error,
                 "postgres store: cannot connect to " + impl->redacted + ": " + why};
  }
  if (auto migrated = impl->migrate(); !migrated) return std::move(migrated).error();
  Impl* raw = impl.get();
  impl->queue = std::make_unique<WriteQueue>(
      [raw](std::span<const PendingWrite> w) { return raw->apply(w); },
      WriteQueue::settings_from(options));
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

Result<void> PostgresStore::flush() { return impl_->queue->flush(); }

// ---- LeadStore ----

Result<Lead> PostgresStore::find_lead(LeadId id) {
  return impl_->run("find_lead", [&](pqxx::connection& c) -> Result<Lead> {
    pqxx::nontransaction tx{c};
    const auto rows =
        tx.exec_params("SELECT " + kLeadColumns + " FROM leads l WHERE l.id = $1", to_db(id.value));
    if (rows.empty()) return Error{Errc::not_found, "no lead " + to_string(id)};
    return read_lead(rows[0]);
  });
}

Result<Lead> PostgresStore::find_lead_by_phone(std::string_view last_ten, CampaignId campaign) {
  return impl_->run("find_lead_by_phone", [&](pqxx::connection& c) -> Result<Lead> {
    pqxx::nontransaction tx{c};
    const auto rows = tx.exec_params("SELECT " + kLeadColumns +
                                         " FROM leads l WHERE l.last_ten = $1"
                                         " ORDER BY (l.campaign_id <> $2), l.id LIMIT 1",
                                     std::string(last_ten), to_db(campaign.value));
    if (rows.empty()) {
      return Error{Errc::not_found, "no lead with a number ending in " + std::string(last_ten)};
    }
    return read_lead(rows[0]);
  });
}

Result<std::vector<Lead>> PostgresStore::search_leads(const LeadSearch& search) {
  return impl_->run("search_leads", [&](pqxx::connection& c) -> Result<std::vector<Lead>> {
    static const std::string sql = internal::lead_search_sql('$', "l.fields ILIKE");
    const std::string digits = search_digits(search.text);
    const std::string pattern = internal::like_pattern(search.text);
    pqxx::nontransaction tx{c};
    return internal::search_in_pages(search, [&](LeadId after, std::size_t n) {
      const auto rows = tx.exec_params(sql, to_db(search.campaign.value), to_db(after.value), search.text, digits,
                                       pattern, static_cast<std::int64_t>(n));
      std::vector<Lead> page;
      page.reserve(rows.size());
      for (const auto& row : rows) page.push_back(read_lead(row));
      return page;
    });
  });
}

Result<std::vector<std::optional<Lead>>> PostgresStore::find_leads_by_phone(
    std::span<const std::string> last_ten, CampaignId campaign) {
  if (last_ten.empty()) return std::vector<std::optional<Lead>>{};
  const std::vector<std::string> keys(last_ten.begin(), last_ten.end());
  return impl_->run("find_leads_by_phone",
                    [&](pqxx::connection& c) -> Result<std::vector<std::optional<Lead>>> {
                      pqxx::nontransaction tx{c};
                      const auto rows = tx.exec_params(
                          "SELECT " + kLeadColumns +
                              " FROM leads l WHERE l.last_ten = ANY ($1::text[])",
                          text_array(keys));
                      std::vector<Lead> found;
                      found.reserve(rows.size());
                      for (const auto& row : rows) found.push_back(read_lead(row));
                      return internal::pick_leads_by_phone(last_ten, std::move(found), campaign);
                    });
}

Result<std::vector<LeadId>> PostgresStore::add_leads(std::span<const Lead> leads, WallTime now) {
  for (std::size_t i = 0; i < leads.size(); ++i) {
    if (leads[i].phone.e164.empty()) {
      return Error{Errc::invalid_argument, "lead #" + std::to_string(i + 1) + " has no number"};
    }
    if (!leads[i].campaign.valid()) {
      return Error{Errc::invalid_argument, "lead #" + std::to_string(i + 1) + " has no campaign"};
    }
  }
  if (leads.empty()) return std::vector<LeadId>{};
  impl_->drain();
  return impl_->run("add_leads", [&](pqxx::connection& c) -> Result<std::vector<LeadId>> {
    pqxx::work tx{c};
    std::set<CampaignId> campaigns;
    for (const Lead& lead : leads) campaigns.insert(lead.campaign);
    const auto known =
        tx.exec_params("SELECT id FROM campaigns WHERE id = ANY ($1::bigint[])", id_array(campaigns));
    if (known.size() != campaigns.size()) {
      std::set<std::uint64_t> found;
      for (const auto& row : known) found.insert(from_db(i64(row[0])));
      for (CampaignId id : campaigns) {
        if (!found.contains(id.value)) {
          return Error{Errc::invalid_argument, "unknown campaign " + to_string(id)};
        }
      }
    }
    // New ids are max + 1 onwards: the lock keeps two imports from choosing
    // the same ones.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kLeadIdLock);
    std::uint64_t last_id = from_db(i64(tx.exec("SELECT COALESCE(MAX(id), 0) FROM leads")[0][0]));
    // Leads without an id are new: they are COPYed straight into both tables.
    // Leads with one may replace a stored lead, so they go through a staging
    // table and one INSERT ... ON CONFLICT each (after the new ones, so that
    // a later row naming a just-assigned id still wins, as if the leads were
    // added one by one).
    std::vector<LeadId> ids;
    ids.reserve(leads.size());
    std::vector<std::size_t> replacing;
    for (std::size_t i = 0; i < leads.size(); ++i) {
      const Lead& lead = leads[i];
      const std::uint64_t id = lead.id.valid() ? lead.id.value : last_id + 1;
      last_id = std::max(last_id, id);
      ids.push_back(LeadId{id});
      if (lead.id.valid()) replacing.push_back(i);
    }
    const std::int64_t ready = to_ns(now);
    std::string fields;
    if (replacing.size() < leads.size()) {
      {
        pqxx::stream_to copy{tx, "leads",
                             std::vector<std::string>{"id", "campaign_id", "e164", "region",
                                                      "last_ten", "time_zone", "priority", "fields"}};
        for (std::size_t i = 0; i < leads.size(); ++i) {
          const Lead& lead = leads[i];
          if (lead.id.valid()) continue;
          internal::encode_fields_to(fields, lead.fields);
          copy << std::make_tuple(to_db(ids[i].value), to_db(lead.campaign.value), lead.phone.e164,
                                  lead.phone.region, last_ten_digits(lead.phone.e164),
                                  lead.time_zone, lead.priority, fields);
        }
        copy.complete();
      }
      {
        pqxx::stream_to copy{tx, "queue",
                             std::vector<std::string>{"lead_id", "campaign_id", "status",
                                                      "ready_at_ns"}};
        const std::string pending = "pending";
        for (std::size_t i = 0; i < leads.size(); ++i) {
          if (leads[i].id.valid()) continue;
          copy << std::make_tuple(to_db(ids[i].value), to_db(leads[i].campaign.value), pending,
                                  ready);
        }
        copy.complete();
      }
    }
    if (!replacing.empty()) {
      tx.exec(
          "CREATE TEMP TABLE IF NOT EXISTS lead_staging (seq bigint, id bigint, campaign_id bigint,"
          " e164 text, region text, last_ten text, time_zone text, priority integer, fields text)"
          " ON COMMIT DELETE ROWS");
      {
        pqxx::stream_to copy{tx, "lead_staging",
                             std::vector<std::string>{"seq", "id", "campaign_id", "e164", "region",
                                                      "last_ten", "time_zone", "priority", "fields"}};
        std::int64_t seq = 0;
        for (std::size_t i : replacing) {
          const Lead& lead = leads[i];
          internal::encode_fields_to(fields, lead.fields);
          copy << std::make_tuple(seq++, to_db(ids[i].value), to_db(lead.campaign.value),
                                  lead.phone.e164, lead.phone.region,
                                  last_ten_digits(lead.phone.e164), lead.time_zone, lead.priority,
                                  fields);
        }
        copy.complete();
      }
      // The last row of an id wins, as if the leads were added one by one.
      tx.exec(
          "INSERT INTO leads (id, campaign_id, e164, region, last_ten, time_zone, priority, fields)"
          " SELECT DISTINCT ON (id) id, campaign_id, e164, region, last_ten, time_zone, priority,"
          " fields FROM lead_staging ORDER BY id, seq DESC"
          " ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id,"
          " e164 = excluded.e164, region = excluded.region, last_ten = excluded.last_ten,"
          " time_zone = excluded.time_zone, priority = excluded.priority, fields = excluded.fields");
      tx.exec_params(
          "INSERT INTO queue (lead_id, campaign_id, status, ready_at_ns)"
          " SELECT DISTINCT ON (id) id, campaign_id, 'pending', $1::bigint FROM lead_staging"
          " ORDER BY id, seq DESC"
          " ON CONFLICT (lead_id) DO UPDATE SET campaign_id = excluded.campaign_id",
          ready);
    }
    tx.commit();
    if (leads.size() >= 10000) {
      // A bulk import changes the tables' shape at once; fresh statistics
      // keep the claim on its index instead of waiting for autovacuum.
      pqxx::nontransaction analyze{c};
      analyze.exec("ANALYZE leads, queue");
    }
    return ids;
  });
}

Result<std::vector<ClaimedLead>> PostgresStore::claim_leads(const ClaimRequest& r) {
  if (r.owner.empty()) return Error{Errc::invalid_argument, "a claim needs an owner"};
  if (r.limit == 0 || (r.time_zones && r.time_zones->empty())) return std::vector<ClaimedLead>{};
  impl_->drain();
  auto claimed = impl_->run("claim_leads", [&](pqxx::connection& c) -> Result<std::vector<ClaimedLead>> {
    pqxx::work tx{c};
    const WallTime until = r.now + r.lease;
    // Expired leases end here, so that their rows come back into the claim
    // index (queue_ready holds unleased rows only). SKIP LOCKED: a row another
    // claimer is taking right now is its business, and nobody waits.
    tx.exec_params(
        "UPDATE queue SET lease_owner = '', lease_until_ns = 0 WHERE lead_id IN ("
        " SELECT lead_id FROM queue WHERE campaign_id = $1 AND lease_owner <> ''"
        " AND lease_until_ns <= $2 FOR UPDATE SKIP LOCKED)",
        to_db(r.campaign.value), to_ns(r.now));
    const auto rows = tx.exec_params(
        claim_sql(r.order), to_db(r.campaign.value), to_ns(r.now),
        static_cast<std::int64_t>(r.max_attempts),
        static_cast<std::int64_t>(std::min<std::size_t>(r.limit, INT64_MAX)),
        r.time_zones ? std::optional<std::string>(text_array(*r.time_zones)) : std::nullopt);
    std::vector<ClaimedLead> out;
    out.reserve(rows.size());
    std::vector<LeadId> ids;
    ids.reserve(rows.size());
    for (const auto& row : rows) {
      ClaimedLead cl;
      cl.lead = read_lead(row);
      cl.attempts = row[internal::kLeadColumnCount].as<std::uint32_t>();
      cl.lease_until = until;
      ids.push_back(cl.lead.id);
      out.push_back(std::move(cl));
    }
    if (!ids.empty()) {
      tx.exec_params(
          "UPDATE queue SET lease_owner = $1, lease_until_ns = $2 WHERE lead_id = ANY ($3::bigint[])",
          r.owner, to_ns(until), id_array(ids));
    }
    tx.commit();
    return out;
  });
  if (claimed) {
    for (const ClaimedLead& cl : *claimed) impl_->leases.granted(cl.lead.id, r.owner, cl.lease_until);
  }
  return claimed;
}

Result<std::size_t> PostgresStore::renew_leases(std::string_view owner,
                                                std::span<const LeadId> leads, WallTime until) {
  if (owner.empty() || leads.empty()) return std::size_t{0};
  impl_->drain();
  auto renewed = impl_->run("renew_leases", [&](pqxx::connection& c) -> Result<std::size_t> {
    pqxx::work tx{c};
    const auto changed = tx.exec_params(
        "UPDATE queue SET lease_until_ns = $1 WHERE lead_id = ANY ($2::bigint[])"
        " AND lease_owner = $3",
        to_ns(until), id_array(leads), std::string(owner));
    tx.commit();
    return static_cast<std::size_t>(changed.affected_rows());
  });
  if (renewed) {
    for (LeadId id : leads) impl_->leases.renewed(id, owner, until);
  }
  return renewed;
}

Result<void> PostgresStore::release_leads(std::string_view owner, std::span<const LeadId> leads) {
  if (leads.empty()) return ok();
  impl_->drain();
  auto released = impl_->run("release_leads", [&](pqxx::connection& c) -> Result<void> {
    pqxx::work tx{c};
    tx.exec_params(
        "UPDATE queue SET lease_owner = '', lease_until_ns = 0"
        " WHERE lead_id = ANY ($1::bigint[]) AND lease_owner = $2 AND lease_owner <> ''",
        id_array(leads), std::string(owner));
    tx.commit();
    return ok();
  });
  if (released) {
    for (LeadId id : leads) {
      if (impl_->leases.holds(id, owner, WallTime::min())) impl_->leases.ended(id);
    }
  }
  return released;
}

Result<void> PostgresStore::update_queue(const QueueUpdate& u) {
  if (impl_->leases.holds(u.lead, u.owner, u.at)) {
    // This store leased the lead to the caller and the lease is live at
    // u.at: no other dialer can hold it, so the change cannot conflict and
    // goes to the writer.
    if (!internal::in_progress(u.status)) impl_->leases.ended(u.lead);
    impl_->queue->push(u);
    return ok();
  }
  impl_->drain();
  auto done = impl_->run("update_queue", [&](pqxx::connection& c) -> Result<void> {
    pqxx::work tx{c};
    if (auto applied = apply_update(tx, u); !applied) return applied;
    tx.commit();
    return ok();
  });
  if (done && !internal::in_progress(u.status)) impl_->leases.ended(u.lead);
  return done;
}

Result<QueueEntry> PostgresStore::queue_entry(LeadId lead) {
  impl_->drain();
  return impl_->run("queue_entry", [&](pqxx::connection& c) -> Result<QueueEntry> {
    pqxx::nontransaction tx{c};
    const auto rows = tx.exec_params(
        "SELECT campaign_id, status, attempts, ready_at_ns, lease_owner, lease_until_ns,"
        " last_call FROM queue WHERE lead_id = $1",
        to_db(lead.value));
    if (rows.empty()) return Error{Errc::not_found, "no queue row for lead " + to_string(lead)};
    const auto& row = rows[0];
    QueueEntry e;
    e.lead = lead;
    e.campaign = CampaignId{from_db(i64(row[0]))};
    e.status = internal::enum_or(str(row[1]), QueueStatus::pending);
    e.attempts = row[2].as<std::uint32_t>();
    if (!row[3].is_null()) e.ready_at = from_ns(i64(row[3]));
    e.lease_owner = str(row[4]);
    e.lease_until = from_ns(i64(row[5]));
    e.last_call = CallId{from_db(i64(row[6]))};
    return e;
  });
}

// ---- DoNotCallStore ----

Result<void> PostgresStore::add_do_not_call(std::string_view e164, CampaignId campaign) {
  if (e164.empty()) return Error{Errc::invalid_argument, "no number"};
  return impl_->run("add_do_not_call", [&](pqxx::connection& c) -> Result<void> {
    pqxx::nontransaction tx{c};
    tx.exec_params(
        "INSERT INTO do_not_call (e164, campaign_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        std::string(e164), to_db(campaign.value));
    return ok();
  });
}

Result<bool> PostgresStore::is_do_not_call(std::string_view e164, CampaignId campaign) {
  return impl_->run("is_do_not_call", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::nontransaction tx{c};
    return !tx.exec_params(
                  "SELECT 1 FROM do_not_call WHERE e164 = $1 AND campaign_id IN (0, $2) LIMIT 1",
                  std::string(e164), to_db(campaign.value))
                .empty();
  });
}

// ---- CallLogStore ----

Result<void> PostgresStore::save_call(const CallRecord& record) {
  if (!record.id.valid()) return Error{Errc::invalid_argument, "a call record needs an id"};
  if (record.campaign.valid()) {
    // Checked now, so that the writer never meets a row the foreign key
    // refuses after the caller was told "accepted".
    auto exists = impl_->campaign_exists(record.campaign);
    if (!exists) return std::move(exists).error();
    if (!*exists) {
      return Error{Errc::invalid_argument, "call " + to_string(record.id) + " names campaign " +
                                               to_string(record.campaign) + ", which is not saved"};
    }
  }
  impl_->queue->push(record);
  return ok();
}

Result<CallRecord> PostgresStore::find_call(CallId id) {
  impl_->drain();
  return impl_->run("find_call", [&](pqxx::connection& c) -> Result<CallRecord> {
    pqxx::nontransaction tx{c};
    const auto rows =
        tx.exec_params("SELECT " + kCallColumns + " FROM call_log WHERE id = $1", to_db(id.value));
    if (rows.empty()) return Error{Errc::not_found, "no call " + to_string(id)};
    return internal::call_from_row(PgRow{rows[0]});
  });
}

Result<std::uint32_t> PostgresStore::count_calls_to(std::string_view e164, WallTime since) {
  impl_->drain();
  return impl_->run("count_calls_to", [&](pqxx::connection& c) -> Result<std::uint32_t> {
    pqxx::nontransaction tx{c};
    return tx.exec_params("SELECT COUNT(*) FROM call_log WHERE number = $1 AND created_at_ns >= $2",
                          std::string(e164), to_ns(since))[0][0]
        .as<std::uint32_t>();
  });
}

Result<std::vector<AbandonmentDay>> PostgresStore::abandonment_by_day(
    CampaignId campaign, WallTime since, std::chrono::minutes day_offset) {
  impl_->drain();
  return impl_->run(
      "abandonment_by_day", [&](pqxx::connection& c) -> Result<std::vector<AbandonmentDay>> {
        pqxx::nontransaction tx{c};
        std::vector<AbandonmentDay> out;
        for (const auto& row : tx.exec_params(
                 std::string(internal::kAbandonmentByDaySql),
                 std::chrono::duration_cast<std::chrono::nanoseconds>(day_offset).count(),
                 to_db(campaign.value), std::max<std::int64_t>(to_ns(since), 1))) {
          out.push_back({row[0].as<std::int64_t>(),
                         static_cast<std::uint64_t>(row[1].as<std::int64_t>()),
                         static_cast<std::uint64_t>(row[2].as<std::int64_t>())});
        }
        return out;
      });
}

Result<std::uint64_t> PostgresStore::max_call_id() {
  impl_->drain();
  return impl_->run("max_call_id", [&](pqxx::connection& c) -> Result<std::uint64_t> {
    pqxx::nontransaction tx{c};
    return from_db(i64(tx.exec("SELECT COALESCE(MAX(id), 0) FROM call_log")[0][0]));
  });
}

// ---- ConfigStore ----

Result<void> PostgresStore::save_campaign(const Campaign& cpg) {
  if (!cpg.id.valid()) return Error{Errc::invalid_argument, "a campaign needs an id"};
  impl_->drain();
  auto saved = impl_->run("save_campaign", [&](pqxx::connection& c) -> Result<void> {
    pqxx::work tx{c};
    if (cpg.carrier.valid() &&
        tx.exec_params("SELECT 1 FROM carriers WHERE id = $1", to_db(cpg.carrier.value)).empty()) {
      return Error{Errc::invalid_argument, "campaign " + to_string(cpg.id) + " names carrier " +
                                               to_string(cpg.carrier) + ", which is not saved"};
    }
    tx.exec_params(
        "INSERT INTO campaigns (id, name, dial_mode, carrier_id, dial_prefix, plan_region,"
        " plan_allowed_regions, plan_require_valid, manual_dial_allowed, wrapup_timeout_s,"
        " wrapup_timeout_disposition, break_after_wrapup_timeout, hopper_size, ring_timeout_s,"
        " caller_id, break_types, dispositions, script, calling_hours_start_min,"
        " calling_hours_end_min, max_attempts_per_lead, max_calls_per_number_per_day, recycle,"
        " lead_order, pacing_policy, pacing_abandon_cap, pacing_max_wait_ms,"
        " pacing_safe_harbour_media, pacing_day_offset_min)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,"
        "$22,$23,$24,$25,$26,$27,$28,$29)"
        " ON CONFLICT (id) DO UPDATE SET"
        " name = excluded.name, dial_mode = excluded.dial_mode,"
        " carrier_id = excluded.carrier_id, dial_prefix = excluded.dial_prefix,"
        " plan_region = excluded.plan_region,"
        " plan_allowed_regions = excluded.plan_allowed_regions,"
        " plan_require_valid = excluded.plan_require_valid,"
        " manual_dial_allowed = excluded.manual_dial_allowed,"
        " wrapup_timeout_s = excluded.wrapup_timeout_s,"
        " wrapup_timeout_disposition = excluded.wrapup_timeout_disposition,"
        " break_after_wrapup_timeout = excluded.break_after_wrapup_timeout,"
        " hopper_size = excluded.hopper_size, ring_timeout_s = excluded.ring_timeout_s,"
        " caller_id = excluded.caller_id, break_types = excluded.break_types,"
        " dispositions = excluded.dispositions, script = excluded.script,"
        " calling_hours_start_min = excluded.calling_hours_start_min,"
        " calling_hours_end_min = excluded.calling_hours_end_min,"
        " max_attempts_per_lead = excluded.max_attempts_per_lead,"
        " max_calls_per_number_per_day = excluded.max_calls_per_number_per_day,"
        " recycle = excluded.recycle, lead_order = excluded.lead_order,"
        " pacing_policy = excluded.pacing_policy, pacing_abandon_cap = excluded.pacing_abandon_cap,"
        " pacing_max_wait_ms = excluded.pacing_max_wait_ms,"
        " pacing_safe_harbour_media = excluded.pacing_safe_harbour_media,"
        " pacing_day_offset_min = excluded.pacing_day_offset_min",
        to_db(cpg.id.value), cpg.name, std::string(to_string(cpg.dial_mode)),
        cpg.carrier.valid() ? std::optional<std::int64_t>(to_db(cpg.carrier.value)) : std::nullopt,
        cpg.dial_prefix, cpg.number_plan.region,
        internal::encode_list(cpg.number_plan.allowed_regions),
        cpg.number_plan.require_valid ? 1 : 0, cpg.manual_dial_allowed ? 1 : 0,
        cpg.wrapup_timeout ? std::optional<std::int64_t>(cpg.wrapup_timeout->count())
                           : std::nullopt,
        cpg.wrapup_timeout_disposition, cpg.break_after_wrapup_timeout,
        static_cast<std::int64_t>(cpg.hopper_size),
        static_cast<std::int64_t>(cpg.ring_timeout.count()), cpg.caller_id,
        internal::encode_list(cpg.break_types), internal::encode_dispositions(cpg.dispositions),
        cpg.script, static_cast<std::int64_t>(cpg.compliance.calling_hours.start.count()),
        static_cast<std::int64_t>(cpg.compliance.calling_hours.end.count()),
        static_cast<std::int64_t>(cpg.compliance.max_attempts_per_lead),
        static_cast<std::int64_t>(cpg.compliance.max_calls_per_number_per_day),
        internal::encode_recycle(cpg.recycle), std::string(to_string(cpg.lead_order)),
        cpg.pacing.policy, cpg.pacing.abandon_cap,
        static_cast<std::int64_t>(cpg.pacing.max_wait_for_agent.count()),
        cpg.pacing.safe_harbour_media, static_cast<std::int64_t>(cpg.pacing.day_offset.count()));
    tx.commit();
    return ok();
  });
  if (saved) {
    std::lock_guard lock(impl_->campaigns_mutex);
    impl_->known_campaigns.insert(cpg.id.value);
  }
  return saved;
}

Result<void> PostgresStore::save_carrier(const Carrier& carrier) {
  if (!carrier.id.valid()) return Error{Errc::invalid_argument, "a carrier needs an id"};
  impl_->drain();
  return impl_->run("save_carrier", [&](pqxx::connection& c) -> Result<void> {
    pqxx::nontransaction tx{c};
    tx.exec_params(
        "INSERT INTO carriers (id, name, dial_prefix, dial_template, number_format)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
        " dial_prefix = excluded.dial_prefix, dial_template = excluded.dial_template,"
        " number_format = excluded.number_format",
        to_db(carrier.id.value), carrier.name, carrier.dial_prefix, carrier.dial_template,
        std::string(to_string(carrier.number_format)));
    return ok();
  });
}

Result<void> PostgresStore::save_agent(const Agent& agent) {
  if (!agent.id.valid()) return Error{Errc::invalid_argument, "an agent needs an id"};
  impl_->drain();
  return impl_->run("save_agent", [&](pqxx::connection& c) -> Result<void> {
    pqxx::nontransaction tx{c};
    tx.exec_params(
        "INSERT INTO agents (id, login, name, endpoint, persistent_leg)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET login = excluded.login,"
        " name = excluded.name, endpoint = excluded.endpoint,"
        " persistent_leg = excluded.persistent_leg",
        to_db(agent.id.value), agent.login, agent.name, agent.endpoint,
        agent.persistent_leg ? 1 : 0);
    return ok();
  });
}

Result<std::vector<Campaign>> PostgresStore::load_campaigns() {
  return impl_->run("load_campaigns", [&](pqxx::connection& conn) -> Result<std::vector<Campaign>> {
    pqxx::nontransaction tx{conn};
    const auto rows = tx.exec("SELECT " + internal::kCampaignColumns + " FROM campaigns ORDER BY id");
    std::vector<Campaign> out;
    for (const auto& row : rows) out.push_back(internal::campaign_from_row(PgRow{row}));
    return out;
  });
}

Result<std::vector<Carrier>> PostgresStore::load_carriers() {
  return impl_->run("load_carriers", [&](pqxx::connection& conn) -> Result<std::vector<Carrier>> {
    pqxx::nontransaction tx{conn};
    const auto rows = tx.exec("SELECT " + internal::kCarrierColumns + " FROM carriers ORDER BY id");
    std::vector<Carrier> out;
    for (const auto& row : rows) out.push_back(internal::carrier_from_row(PgRow{row}));
    return out;
  });
}

Result<std::vector<Agent>> PostgresStore::load_agents() {
  return impl_->run("load_agents", [&](pqxx::connection& conn) -> Result<std::vector<Agent>> {
    pqxx::nontransaction tx{conn};
    const auto rows = tx.exec("SELECT " + internal::kAgentColumns + " FROM agents ORDER BY id");
    std::vector<Agent> out;
    for (const auto& row : rows) out.push_back(internal::agent_from_row(PgRow{row}));
    return out;
  });
}

namespace {

// DELETE by id: not_found when there is no such row, conflict when a foreign
// key still points at it.
Result<void> delete_row(pqxx::connection& c, const std::string& table, std::uint64_t id,
                        const std::string& what, const std::string& still_used) {
  try {
    pqxx::work tx{c};
    const auto changed = tx.exec_params("DELETE FROM " + table + " WHERE id = $1", to_db(id));
    tx.commit();
    if (changed.affected_rows() == 0) {
      return Error{Errc::not_found, "no " + what + " " + std::to_string(id)};
    }
    return ok();
  } catch (const pqxx::foreign_key_violation&) {
    return Error{Errc::conflict, what + " " + std::to_string(id) + " " + still_used};
  }
}

}  // namespace

Result<void> PostgresStore::delete_campaign(CampaignId id) {
  impl_->drain();
  auto deleted = impl_->run("delete_campaign", [&](pqxx::connection& c) {
    return delete_row(c, "campaigns", id.value, "campaign", "still has leads or calls");
  });
  if (deleted) {
    std::lock_guard lock(impl_->campaigns_mutex);
    impl_->known_campaigns.erase(id.value);
  }
  return deleted;
}

Result<void> PostgresStore::delete_carrier(CarrierId id) {
  impl_->drain();
  return impl_->run("delete_carrier", [&](pqxx::connection& c) {
    return delete_row(c, "carriers", id.value, "carrier", "is used by a campaign");
  });
}

Result<void> PostgresStore::delete_agent(AgentId id) {
  impl_->drain();
  return impl_->run("delete_agent", [&](pqxx::connection& c) {
    return delete_row(c, "agents", id.value, "agent", "is still referenced");
  });
}

}  // namespace dialer::postgres
