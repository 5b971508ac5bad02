#include "dialer/sqlite/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "dialer/phone_number.hpp"
#include "schema.hpp"
#include "sql_common.hpp"
#include "sql_rows.hpp"

namespace dialer::sqlite {
namespace {

using internal::from_db;
using internal::kCallColumns;
using internal::kLeadColumns;
using internal::from_ns;
using internal::PendingWrite;
using internal::to_db;
using internal::to_ns;
using internal::WriteQueue;

static_assert(static_cast<int>(schema::kMigrations.size()) == SqliteStore::kSchemaVersion,
              "one migration per schema version");

// Busy and locked: another connection holds the lock longer than the busy
// timeout. Full and I/O errors: the disk may get room again. All are worth
// retrying; everything else (a constraint, a malformed value) will fail again.
bool is_transient(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: return true;
    default: return false;
  }
}

Error to_error(const SQLite::Exception& e, std::string_view what) {
  const int ext = e.getExtendedErrorCode();
  std::string detail = "sqlite " + std::string(what) + ": " + e.what();
  if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
        ext == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Error{Errc::conflict, std::move(detail)};
    }
    return Error{Errc::invalid_argument, std::move(detail)};
  }
  return Error{Errc::storage_error, std::move(detail)};
}

// Every public method runs its body through this: third-party exceptions stop
// here and become Result errors.
template <class F>
auto guarded(std::string_view what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    return to_error(e, what);
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, "sqlite " + std::string(what) + ": " + e.what()};
  }
}

// One SQLite connection and its prepared statements, keyed by their text.
class Connection {
 public:
  Connection(const Options& o)
      : db_(o.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
            static_cast<int>(o.busy_timeout.count())) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA foreign_keys=ON");
    db_.exec(o.sync_commits ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  }

  SQLite::Database& db() { return db_; }

  // A cached statement, reset and unbound. Statements are reset again when
  // the Use ends, so no read keeps its snapshot open.
  class Use {
   public:
    explicit Use(SQLite::Statement& s) : s_(s) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() {
      try {
        s_.reset();
      } catch (...) {
        // reset reports the last step's error again; it was handled there.
      }
    }
    SQLite::Statement* operator->() { return &s_; }
    SQLite::Statement& operator*() { return s_; }

   private:
    SQLite::Statement& s_;
  };

  Use use(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
    } else {
      it->second->reset();
      it->second->clearBindings();
    }
    return Use(*it->second);
  }

 private:
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

// Commits without their own fsync (synchronous=NORMAL) while it lives, on a
// connection that otherwise syncs every commit; declared before the
// Transaction, so the setting is restored after its COMMIT or ROLLBACK.
//
// Used by claims only. In WAL mode a NORMAL commit survives a crash of the
// process, not a power loss or OS crash before the next fsync of the WAL;
// and every later fsync of the WAL (the next synced commit of any connection,
// the writer's call-log batches, a checkpoint) makes it durable too, since
// the log is synced up to its end. So what a power loss can undo is only
// the newest claims, none of whose calls has a durable call-log row yet; the
// dialer that held those leases died with the machine, and the rows come
// back as they were before the claim — as for a claimer killed after its
// claim, except that nobody needs to wait for the lease to expire. Other
// processes and connections see a committed claim at once either way:
// synchronous changes durability, never visibility or locking, so no lead
// is leased twice.
class RelaxedSync {
 public:
  RelaxedSync(Connection& c, bool active) : c_(c), active_(active) {
    if (active_) c_.db().exec("PRAGMA synchronous=NORMAL");
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;
  ~RelaxedSync() {
    if (!active_) return;
    try {
      c_.db().exec("PRAGMA synchronous=FULL");
    } catch (...) {
      // Only fails with the connection itself broken; every later statement
      // on it will report that.
    }
  }

 private:
  Connection& c_;
  bool active_;
};

// BEGIN ... COMMIT, rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.db().exec("BEGIN IMMEDIATE"); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (done_) return;
    try {
      c_.db().exec("ROLLBACK");
    } catch (...) {
      // SQLite may have rolled back already (an I/O error); nothing to undo.
    }
  }
  void commit() {
    c_.db().exec("COMMIT");
    done_ = true;
  }

 private:
  Connection& c_;
  bool done_ = false;
};

// Text is bound as TEXT (not BLOB) so that = and the indexes compare like
// with like; the value is copied, so temporaries are fine.
void bind_text(SQLite::Statement& s, int i, std::string_view v) { s.bind(i, std::string(v)); }

// A result row as sql_rows.hpp reads it.
struct StatementRow {
  SQLite::Statement& s;
  std::int64_t i64(int column) const { return s.getColumn(column).getInt64(); }
  double f64(int column) const { return s.getColumn(column).getDouble(); }
  std::string text(int column) const { return s.getColumn(column).getString(); }
  bool is_null(int column) const { return s.getColumn(column).isNull(); }
};

Lead read_lead(SQLite::Statement& s) { return internal::lead_from_row(StatementRow{s}); }

void save_call_row(Connection& c, const CallRecord& r) {
  auto s = c.use("INSERT OR REPLACE INTO call_log (" + kCallColumns +
                 ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s->bind(1, to_db(r.id.value));
  if (r.campaign.valid()) s->bind(2, to_db(r.campaign.value));  // else NULL: no campaign
  s->bind(3, to_db(r.agent.value));
  s->bind(4, to_db(r.lead.value));
  s->bind(5, to_db(r.carrier.value));
  bind_text(*s, 6, r.number);
  bind_text(*s, 7, r.dialled);
  bind_text(*s, 8, r.dial_string);
  s->bind(9, to_string(r.state));
  s->bind(10, to_string(r.outcome));
  s->bind(11, to_ns(r.created_at));
  s->bind(12, to_ns(r.ringing_at));
  s->bind(13, to_ns(r.answered_at));
  s->bind(14, to_ns(r.bridged_at));
  s->bind(15, to_ns(r.ended_at));
  s->bind(16, to_ns(r.dispositioned_at));
  s->bind(17, r.hangup_cause);
  bind_text(*s, 18, r.hangup_reason);
  s->bind(19, to_string(r.hung_up_by));
  bind_text(*s, 20, r.disposition);
  bind_text(*s, 21, r.notes);
  s->bind(22, r.auto_disposition ? 1 : 0);
  s->exec();
}

// The queue change of update_queue, with the lease check in the statement.
// Errc::not_found / Errc::conflict when it changed nothing.
Result<void> apply_update(Connection& c, const QueueUpdate& u) {
  const bool keep_lease = internal::in_progress(u.status);
  {
    auto s = c.use(
        "UPDATE queue SET status = ?1,"
        " last_call = CASE WHEN ?2 <> 0 THEN ?2 ELSE last_call END,"
        " attempts = attempts + ?3,"
        " ready_at_ns = CASE WHEN ?4 THEN ready_at_ns ELSE ?5 END,"
        " lease_owner = CASE WHEN ?4 THEN lease_owner ELSE '' END,"
        " lease_until_ns = CASE WHEN ?4 THEN lease_until_ns ELSE 0 END"
        " WHERE lead_id = ?6 AND (?7 = '' OR lease_owner = ?7 OR lease_owner = ''"
        "   OR lease_until_ns <= ?8)");
    s->bind(1, to_string(u.status));
    s->bind(2, to_db(u.call.value));
    s->bind(3, u.attempted ? 1 : 0);
    s->bind(4, keep_lease ? 1 : 0);
    if (u.ready_at) s->bind(5, to_ns(*u.ready_at));
    s->bind(6, to_db(u.lead.value));
    bind_text(*s, 7, u.owner);
    s->bind(8, to_ns(u.at));
    if (s->exec() > 0) return ok();
  }
  auto s = c.use("SELECT lease_owner FROM queue WHERE lead_id = ?");
  s->bind(1, to_db(u.lead.value));
  if (!s->executeStep()) return Error{Errc::not_found, "no queue row for lead " + to_string(u.lead)};
  return Error{Errc::conflict,
               "lead " + to_string(u.lead) + " is held by " + s->getColumn(0).getString()};
}

// Rows per multi-row INSERT in add_leads: 8 parameters a lead, far below
// SQLite's parameter limit (32766).
constexpr std::size_t kRowsPerInsert = 64;

// `row` (a VALUES tuple) `rows` times, comma-separated.
std::string repeated_rows(std::size_t rows, std::string_view row) {
  std::string out;
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) out += ", ";
    out += row;
  }
  return out;
}

// add_leads' upserts of `rows` leads (1 or kRowsPerInsert: two cached
// statements per table).
std::string upsert_leads_sql(std::size_t rows) {
  return "INSERT INTO leads (id, campaign_id, e164, region, last_ten, time_zone, priority,"
         " fields) VALUES " +
         repeated_rows(rows, "(?, ?, ?, ?, ?, ?, ?, ?)") +
         " ON CONFLICT (id) DO UPDATE SET"
         " campaign_id = excluded.campaign_id, e164 = excluded.e164,"
         " region = excluded.region, last_ten = excluded.last_ten,"
         " time_zone = excluded.time_zone, priority = excluded.priority,"
         " fields = excluded.fields";
}

std::string upsert_queue_sql(std::size_t rows) {
  return "INSERT INTO queue (lead_id, campaign_id, status, ready_at_ns) VALUES " +
         repeated_rows(rows, "(?, ?, 'pending', ?)") +
         " ON CONFLICT (lead_id) DO UPDATE SET campaign_id = excluded.campaign_id";
}

std::string claim_sql(LeadOrder order, std::size_t zones) {
  std::string sql = "SELECT " + kLeadColumns +
                    ", q.attempts FROM queue q JOIN leads l ON l.id = q.lead_id"
                    " WHERE q.campaign_id = ?1 AND q.ready_at_ns IS NOT NULL"
                    " AND q.ready_at_ns <= ?2"
                    " AND q.lease_owner = ''"
                    " AND (?3 = 0 OR q.attempts < ?3)"
                    " AND NOT EXISTS (SELECT 1 FROM do_not_call d"
                    "   WHERE d.e164 = l.e164 AND d.campaign_id IN (0, ?1))";
  if (zones > 0) {
    // One placeholder per zone: the values are still bound, never spliced.
    sql += " AND l.time_zone IN (";
    for (std::size_t i = 0; i < zones; ++i) {
      sql += (i == 0 ? "?" : ", ?") + std::to_string(5 + i);
    }
    sql += ")";
  }
  sql += internal::claim_order_by(order);
  return sql + " LIMIT ?4";
}

}  // namespace

class SqliteStore::Impl {
 public:
  explicit Impl(const Options& o) : options(o), conn(o), writer(o) {}

  Options options;
  std::mutex mutex;  // guards conn
  Connection conn;
  Connection writer;  // the writer thread's own
  internal::LeaseBook leases;
  std::mutex campaigns_mutex;
  std::unordered_set<std::uint64_t> known_campaigns;
  // Last member: destroyed first, so the writer thread is joined (and the
  // queue flushed) while the connections still exist.
  std::unique_ptr<WriteQueue> queue;

  Result<void> migrate() {
    std::lock_guard lock(mutex);
    Transaction tx(conn);
    conn.db().exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    std::int64_t version = 0;
    {
      auto s = conn.use("SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (s->executeStep()) version = s->getColumn(0).getInt64();
    }
    if (version > kSchemaVersion) {
      return Error{Errc::storage_error,
                   "database " + options.path + " has schema version " + std::to_string(version) +
                       ", newer than version " + std::to_string(kSchemaVersion) +
                       " that this libdialer knows; open it with a newer libdialer"};
    }
    for (auto v = static_cast<std::size_t>(version); v < schema::kMigrations.size(); ++v) {
      conn.db().exec(schema::kMigrations[v]);
      auto s = conn.use("INSERT INTO schema_version (version) VALUES (?)");
      s->bind(1, static_cast<std::int64_t>(v + 1));
      s->exec();
    }
    tx.commit();
    return ok();
  }

  // Runs on the writer thread: one transaction for the whole batch.
  WriteQueue::Attempt apply(std::span<const PendingWrite> writes) {
    WriteQueue::Attempt attempt;
    try {
      Transaction tx(writer);
      for (const PendingWrite& w : writes) {
        if (const auto* call = std::get_if<CallRecord>(&w)) {
          save_call_row(writer, *call);
        } else if (auto done = apply_update(writer, std::get<QueueUpdate>(w)); !done) {
          attempt.rejected.push_back(Error{
              done.error().code, "queued " + internal::describe(w) + " refused: " +
                                     done.error().detail});
        }
      }
      tx.commit();
    } catch (const SQLite::Exception& e) {
      attempt.status = is_transient(e.getErrorCode()) ? WriteQueue::Status::transient
                                                      : WriteQueue::Status::permanent;
      attempt.error = to_error(e, "write");
      attempt.rejected.clear();
    }
    return attempt;
  }

  // Waits for this store's queued writes, so a read or a write that runs now
  // comes after them (the caller reads its own writes).
  void drain() { queue->drain(); }

  Result<bool> campaign_exists(CampaignId id) {
    {
      std::lock_guard lock(campaigns_mutex);
      if (known_campaigns.contains(id.value)) return true;
    }
    std::lock_guard lock(mutex);
    auto s = conn.use("SELECT 1 FROM campaigns WHERE id = ?");
    s->bind(1, to_db(id.value));
    if (!s->executeStep()) return false;
    std::lock_guard known(campaigns_mutex);
    known_campaigns.insert(id.value);
    return true;
  }
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() {
  if (impl_ && impl_->queue) impl_->queue->stop();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options) {
  if (options.path.empty()) return Error{Errc::invalid_argument, "sqlite store: empty path"};
  return guarded("open " + options.path, [&]() -> Result<std::unique_ptr<SqliteStore>> {
    auto impl = std::make_unique<Impl>(options);
    if (auto migrated = impl->migrate(); !migrated) return std::move(migrated).error();
    Impl* raw = impl.get();
    impl->queue = std::make_unique<WriteQueue>(
        [raw](std::span<const PendingWrite> w) { return raw->apply(w); },
        WriteQueue::settings_from(options));
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
  });
}

Result<void> SqliteStore::flush() { return impl_->queue->flush(); }

// ---- LeadStore ----

Result<Lead> SqliteStore::find_lead(LeadId id) {
  return guarded("find_lead", [&]() -> Result<Lead> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT " + kLeadColumns + " FROM leads l WHERE l.id = ?");
    s->bind(1, to_db(id.value));
    if (!s->executeStep()) return Error{Errc::not_found, "no lead " + to_string(id)};
    return read_lead(*s);
  });
}

Result<Lead> SqliteStore::find_lead_by_phone(std::string_view last_ten, CampaignId campaign) {
  return guarded("find_lead_by_phone", [&]() -> Result<Lead> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT " + kLeadColumns +
                             " FROM leads l WHERE l.last_ten = ?"
                             " ORDER BY (l.campaign_id <> ?), l.id LIMIT 1");
    bind_text(*s, 1, last_ten);
    s->bind(2, to_db(campaign.value));
    if (!s->executeStep()) {
      return Error{Errc::not_found,
                   "no lead with a number ending in " + std::string(last_ten)};
    }
    return read_lead(*s);
  });
}

Result<std::vector<Lead>> SqliteStore::search_leads(const LeadSearch& search) {
  return guarded("search_leads", [&]() -> Result<std::vector<Lead>> {
    std::lock_guard lock(impl_->mutex);
    // The fields are a BLOB, which LIKE compares byte for byte; as TEXT it
    // ignores ASCII case.
    static const std::string sql = internal::lead_search_sql('?', "CAST(l.fields AS TEXT) LIKE");
    const std::string digits = search_digits(search.text);
    const std::string pattern = internal::like_pattern(search.text);
    return internal::search_in_pages(search, [&](LeadId after, std::size_t n) {
      auto s = impl_->conn.use(sql);
      s->bind(1, to_db(search.campaign.value));
      s->bind(2, to_db(after.value));
      bind_text(*s, 3, search.text);
      bind_text(*s, 4, digits);
      bind_text(*s, 5, pattern);
      s->bind(6, static_cast<std::int64_t>(n));
      std::vector<Lead> page;
      while (s->executeStep()) page.push_back(read_lead(*s));
      return page;
    });
  });
}

Result<std::vector<std::optional<Lead>>> SqliteStore::find_leads_by_phone(
    std::span<const std::string> last_ten, CampaignId campaign) {
  // The numbers go in as one JSON array bound to one parameter (json_each),
  // so the statement is prepared once whatever the batch size. Stored
  // suffixes are digits only: anything else finds nothing and is left out,
  // which also means the array needs no escaping.
  std::string keys = "[";
  for (const std::string& digits : last_ten) {
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                       [](char ch) { return ch >= '0' && ch <= '9'; })) {
      continue;
    }
    if (keys.size() > 1) keys += ',';
    keys += '"';
    keys += digits;
    keys += '"';
  }
  keys += ']';
  return guarded("find_leads_by_phone", [&]() -> Result<std::vector<std::optional<Lead>>> {
    std::vector<Lead> found;
    if (keys.size() > 2) {
      std::lock_guard lock(impl_->mutex);
      auto s = impl_->conn.use("SELECT " + kLeadColumns +
                               " FROM leads l WHERE l.last_ten IN (SELECT value FROM json_each(?))");
      s->bindNoCopy(1, keys);
      while (s->executeStep()) found.push_back(read_lead(*s));
    }
    return internal::pick_leads_by_phone(last_ten, std::move(found), campaign);
  });
}

Result<std::vector<LeadId>> SqliteStore::add_leads(std::span<const Lead> leads, WallTime now) {
  for (std::size_t i = 0; i < leads.size(); ++i) {
    if (leads[i].phone.e164.empty()) {
      return Error{Errc::invalid_argument, "lead #" + std::to_string(i + 1) + " has no number"};
    }
    if (!leads[i].campaign.valid()) {
      return Error{Errc::invalid_argument, "lead #" + std::to_string(i + 1) + " has no campaign"};
    }
  }
  impl_->drain();
  return guarded("add_leads", [&]() -> Result<std::vector<LeadId>> {
    std::lock_guard lock(impl_->mutex);
    Connection& c = impl_->conn;
    Transaction tx(c);
    std::set<std::uint64_t> campaigns;
    for (const Lead& lead : leads) campaigns.insert(lead.campaign.value);
    for (std::uint64_t id : campaigns) {
      auto s = c.use("SELECT 1 FROM campaigns WHERE id = ?");
      s->bind(1, to_db(id));
      if (!s->executeStep()) {
        return Error{Errc::invalid_argument, "unknown campaign " + std::to_string(id)};
      }
    }
    std::uint64_t last_id = 0;
    {
      auto s = c.use("SELECT COALESCE(MAX(id), 0) FROM leads");
      if (s->executeStep()) last_id = from_db(s->getColumn(0).getInt64());
    }
    std::vector<LeadId> ids;
    ids.reserve(leads.size());
    std::vector<std::string> suffixes(leads.size());
    std::vector<std::string> fields(leads.size());
    for (std::size_t i = 0; i < leads.size(); ++i) {
      const Lead& lead = leads[i];
      const std::uint64_t id = lead.id.valid() ? lead.id.value : last_id + 1;
      last_id = std::max(last_id, id);
      ids.push_back(LeadId{id});
      suffixes[i] = last_ten_digits(lead.phone.e164);
      internal::encode_fields_to(fields[i], lead.fields);
    }
    const std::int64_t ready = to_ns(now);
    // Rows go in kRowsPerInsert at a time, one statement per table per chunk
    // (the rest one by one): most of a single-row INSERT's cost is the
    // statement's start and end, not the row. Text is bound without a copy;
    // every value outlives its statement's exec. Within a statement rows are
    // applied in order, so a later row of the same id still wins.
    auto write = [&](std::size_t first, std::size_t rows) {
      auto insert_lead = c.use(upsert_leads_sql(rows));
      auto insert_queue = c.use(upsert_queue_sql(rows));
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t i = first + k;
        const Lead& lead = leads[i];
        const int l = static_cast<int>(k) * 8;
        insert_lead->bind(l + 1, to_db(ids[i].value));
        insert_lead->bind(l + 2, to_db(lead.campaign.value));
        insert_lead->bindNoCopy(l + 3, lead.phone.e164);
        insert_lead->bindNoCopy(l + 4, lead.phone.region);
        insert_lead->bindNoCopy(l + 5, suffixes[i]);
        insert_lead->bindNoCopy(l + 6, lead.time_zone);
        insert_lead->bind(l + 7, lead.priority);
        insert_lead->bindNoCopy(l + 8, fields[i].data(), static_cast<int>(fields[i].size()));
        const int q = static_cast<int>(k) * 3;
        insert_queue->bind(q + 1, to_db(ids[i].value));
        insert_queue->bind(q + 2, to_db(lead.campaign.value));
        insert_queue->bind(q + 3, ready);
      }
      insert_lead->exec();
      insert_queue->exec();
    };
    std::size_t done = 0;
    for (; leads.size() - done >= kRowsPerInsert; done += kRowsPerInsert) write(done, kRowsPerInsert);
    for (; done < leads.size(); ++done) write(done, 1);
    tx.commit();
    return ids;
  });
}

Result<std::vector<ClaimedLead>> SqliteStore::claim_leads(const ClaimRequest& r) {
  if (r.owner.empty()) return Error{Errc::invalid_argument, "a claim needs an owner"};
  if (r.limit == 0 || (r.time_zones && r.time_zones->empty())) {
    return std::vector<ClaimedLead>{};
  }
  impl_->drain();
  auto claimed = guarded("claim_leads", [&]() -> Result<std::vector<ClaimedLead>> {
    std::lock_guard lock(impl_->mutex);
    Connection& c = impl_->conn;
    const std::size_t zones = r.time_zones ? r.time_zones->size() : 0;
    const WallTime until = r.now + r.lease;
    std::vector<ClaimedLead> out;
    const RelaxedSync relaxed(c, impl_->options.sync_commits);
    Transaction tx(c);
    {
      // Expired leases end here, so that their rows come back into the
      // claim index (queue_ready holds unleased rows only).
      auto s = c.use(
          "UPDATE queue SET lease_owner = '', lease_until_ns = 0"
          " WHERE campaign_id = ? AND lease_owner <> '' AND lease_until_ns <= ?");
      s->bind(1, to_db(r.campaign.value));
      s->bind(2, to_ns(r.now));
      s->exec();
    }
    {
      auto s = c.use(claim_sql(r.order, zones));
      s->bind(1, to_db(r.campaign.value));
      s->bind(2, to_ns(r.now));
      s->bind(3, static_cast<std::int64_t>(r.max_attempts));
      s->bind(4, static_cast<std::int64_t>(std::min<std::size_t>(r.limit, INT32_MAX)));
      for (std::size_t i = 0; i < zones; ++i) {
        bind_text(*s, static_cast<int>(5 + i), (*r.time_zones)[i]);
      }
      while (s->executeStep()) {
        ClaimedLead cl;
        cl.lead = read_lead(*s);
        cl.attempts = static_cast<std::uint32_t>(s->getColumn(internal::kLeadColumnCount).getInt64());
        cl.lease_until = until;
        out.push_back(std::move(cl));
      }
    }
    if (!out.empty()) {
      // One statement for the whole claim: the ids go in as a JSON array.
      std::string ids = "[";
      for (const ClaimedLead& cl : out) {
        if (ids.size() > 1) ids += ',';
        ids += std::to_string(cl.lead.id.value);
      }
      ids += ']';
      auto s = c.use(
          "UPDATE queue SET lease_owner = ?, lease_until_ns = ?"
          " WHERE lead_id IN (SELECT value FROM json_each(?))");
      bind_text(*s, 1, r.owner);
      s->bind(2, to_ns(until));
      s->bindNoCopy(3, ids);
      s->exec();
    }
    tx.commit();
    return out;
  });
  if (claimed) {
    for (const ClaimedLead& cl : *claimed) {
      impl_->leases.granted(cl.lead.id, r.owner, cl.lease_until);
    }
  }
  return claimed;
}

Result<std::size_t> SqliteStore::renew_leases(std::string_view owner,
                                              std::span<const LeadId> leads, WallTime until) {
  if (owner.empty() || leads.empty()) return std::size_t{0};
  impl_->drain();
  return guarded("renew_leases", [&]() -> Result<std::size_t> {
    std::lock_guard lock(impl_->mutex);
    Connection& c = impl_->conn;
    Transaction tx(c);
    std::size_t renewed = 0;
    for (LeadId id : leads) {
      auto s = c.use("UPDATE queue SET lease_until_ns = ? WHERE lead_id = ? AND lease_owner = ?");
      s->bind(1, to_ns(until));
      s->bind(2, to_db(id.value));
      bind_text(*s, 3, owner);
      if (s->exec() > 0) ++renewed;
    }
    tx.commit();
    for (LeadId id : leads) impl_->leases.renewed(id, owner, until);
    return renewed;
  });
}

Result<void> SqliteStore::release_leads(std::string_view owner, std::span<const LeadId> leads) {
  if (leads.empty()) return ok();
  impl_->drain();
  return guarded("release_leads", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    Connection& c = impl_->conn;
    Transaction tx(c);
    std::vector<LeadId> released;
    for (LeadId id : leads) {
      auto s = c.use(
          "UPDATE queue SET lease_owner = '', lease_until_ns = 0"
          " WHERE lead_id = ? AND lease_owner = ? AND lease_owner <> ''");
      s->bind(1, to_db(id.value));
      bind_text(*s, 2, owner);
      if (s->exec() > 0) released.push_back(id);
    }
    tx.commit();
    for (LeadId id : released) impl_->leases.ended(id);
    return ok();
  });
}

Result<void> SqliteStore::update_queue(const QueueUpdate& u) {
  if (impl_->leases.holds(u.lead, u.owner, u.at)) {
    // This store leased the lead to the caller and the lease is live at
    // u.at: no other dialer can hold it, so the change cannot conflict and
    // goes to the writer.
    if (!internal::in_progress(u.status)) impl_->leases.ended(u.lead);
    impl_->queue->push(u);
    return ok();
  }
  impl_->drain();
  return guarded("update_queue", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    Transaction tx(impl_->conn);
    if (auto done = apply_update(impl_->conn, u); !done) return done;
    tx.commit();
    if (!internal::in_progress(u.status)) impl_->leases.ended(u.lead);
    return ok();
  });
}

Result<QueueEntry> SqliteStore::queue_entry(LeadId lead) {
  impl_->drain();
  return guarded("queue_entry", [&]() -> Result<QueueEntry> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use(
        "SELECT campaign_id, status, attempts, ready_at_ns, lease_owner, lease_until_ns,"
        " last_call FROM queue WHERE lead_id = ?");
    s->bind(1, to_db(lead.value));
    if (!s->executeStep()) return Error{Errc::not_found, "no queue row for lead " + to_string(lead)};
    QueueEntry e;
    e.lead = lead;
    e.campaign = CampaignId{from_db(s->getColumn(0).getInt64())};
    e.status = internal::enum_or(s->getColumn(1).getString(), QueueStatus::pending);
    e.attempts = static_cast<std::uint32_t>(s->getColumn(2).getInt64());
    if (!s->getColumn(3).isNull()) e.ready_at = from_ns(s->getColumn(3).getInt64());
    e.lease_owner = s->getColumn(4).getString();
    e.lease_until = from_ns(s->getColumn(5).getInt64());
    e.last_call = CallId{from_db(s->getColumn(6).getInt64())};
    return e;
  });
}

// ---- DoNotCallStore ----

Result<void> SqliteStore::add_do_not_call(std::string_view e164, CampaignId campaign) {
  if (e164.empty()) return Error{Errc::invalid_argument, "no number"};
  return guarded("add_do_not_call", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("INSERT OR IGNORE INTO do_not_call (e164, campaign_id) VALUES (?, ?)");
    bind_text(*s, 1, e164);
    s->bind(2, to_db(campaign.value));
    s->exec();
    return ok();
  });
}

Result<bool> SqliteStore::is_do_not_call(std::string_view e164, CampaignId campaign) {
  return guarded("is_do_not_call", [&]() -> Result<bool> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use(
        "SELECT EXISTS (SELECT 1 FROM do_not_call WHERE e164 = ? AND campaign_id IN (0, ?))");
    bind_text(*s, 1, e164);
    s->bind(2, to_db(campaign.value));
    return s->executeStep() && s->getColumn(0).getInt() != 0;
  });
}

// ---- CallLogStore ----

Result<void> SqliteStore::save_call(const CallRecord& record) {
  if (!record.id.valid()) return Error{Errc::invalid_argument, "a call record needs an id"};
  if (record.campaign.valid()) {
    // Checked now, so that the writer never meets a row the foreign key
    // refuses after the caller was told "accepted".
    auto exists = guarded("save_call", [&] { return impl_->campaign_exists(record.campaign); });
    if (!exists) return std::move(exists).error();
    if (!*exists) {
      return Error{Errc::invalid_argument, "call " + to_string(record.id) + " names campaign " +
                                               to_string(record.campaign) + ", which is not saved"};
    }
  }
  impl_->queue->push(record);
  return ok();
}

Result<CallRecord> SqliteStore::find_call(CallId id) {
  impl_->drain();
  return guarded("find_call", [&]() -> Result<CallRecord> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT " + kCallColumns + " FROM call_log WHERE id = ?");
    s->bind(1, to_db(id.value));
    if (!s->executeStep()) return Error{Errc::not_found, "no call " + to_string(id)};
    return internal::call_from_row(StatementRow{*s});
  });
}

Result<std::uint32_t> SqliteStore::count_calls_to(std::string_view e164, WallTime since) {
  impl_->drain();
  return guarded("count_calls_to", [&]() -> Result<std::uint32_t> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT COUNT(*) FROM call_log WHERE number = ? AND created_at_ns >= ?");
    bind_text(*s, 1, e164);
    s->bind(2, to_ns(since));
    s->executeStep();
    return static_cast<std::uint32_t>(s->getColumn(0).getInt64());
  });
}

Result<std::vector<AbandonmentDay>> SqliteStore::abandonment_by_day(
    CampaignId campaign, WallTime since, std::chrono::minutes day_offset) {
  impl_->drain();
  return guarded("abandonment_by_day", [&]() -> Result<std::vector<AbandonmentDay>> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use(std::string(internal::kAbandonmentByDaySql));
    s->bind(1, std::chrono::duration_cast<std::chrono::nanoseconds>(day_offset).count());
    s->bind(2, static_cast<std::int64_t>(campaign.value));
    s->bind(3, std::max<std::int64_t>(to_ns(since), 1));
    std::vector<AbandonmentDay> out;
    while (s->executeStep()) {
      out.push_back({s->getColumn(0).getInt64(),
                     static_cast<std::uint64_t>(s->getColumn(1).getInt64()),
                     static_cast<std::uint64_t>(s->getColumn(2).getInt64())});
    }
    return out;
  });
}

Result<std::uint64_t> SqliteStore::max_call_id() {
  impl_->drain();
  return guarded("max_call_id", [&]() -> Result<std::uint64_t> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT COALESCE(MAX(id), 0) FROM call_log");
    s->executeStep();
    return from_db(s->getColumn(0).getInt64());
  });
}

// ---- ConfigStore ----

Result<void> SqliteStore::save_campaign(const Campaign& cpg) {
  if (!cpg.id.valid()) return Error{Errc::invalid_argument, "a campaign needs an id"};
  impl_->drain();
  auto saved = guarded("save_campaign", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    Connection& c = impl_->conn;
    Transaction tx(c);
    if (cpg.carrier.valid()) {
      auto s = c.use("SELECT 1 FROM carriers WHERE id = ?");
      s->bind(1, to_db(cpg.carrier.value));
      if (!s->executeStep()) {
        return Error{Errc::invalid_argument, "campaign " + to_string(cpg.id) +
                                                 " names carrier " + to_string(cpg.carrier) +
                                                 ", which is not saved"};
      }
    }
    auto s = c.use(
        "INSERT INTO campaigns (id, name, dial_mode, carrier_id, dial_prefix, plan_region,"
        " plan_allowed_regions, plan_require_valid, manual_dial_allowed, wrapup_timeout_s,"
        " wrapup_timeout_disposition, break_after_wrapup_timeout, hopper_size, ring_timeout_s,"
        " caller_id, break_types, dispositions, script, calling_hours_start_min,"
        " calling_hours_end_min, max_attempts_per_lead, max_calls_per_number_per_day, recycle,"
        " lead_order, pacing_policy, pacing_abandon_cap, pacing_max_wait_ms,"
        " pacing_safe_harbour_media, pacing_day_offset_min)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
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
        " pacing_day_offset_min = excluded.pacing_day_offset_min");
    s->bind(1, to_db(cpg.id.value));
    bind_text(*s, 2, cpg.name);
    s->bind(3, to_string(cpg.dial_mode));
    if (cpg.carrier.valid()) s->bind(4, to_db(cpg.carrier.value));
    bind_text(*s, 5, cpg.dial_prefix);
    bind_text(*s, 6, cpg.number_plan.region);
    bind_text(*s, 7, internal::encode_list(cpg.number_plan.allowed_regions));
    s->bind(8, cpg.number_plan.require_valid ? 1 : 0);
    s->bind(9, cpg.manual_dial_allowed ? 1 : 0);
    if (cpg.wrapup_timeout) s->bind(10, static_cast<std::int64_t>(cpg.wrapup_timeout->count()));
    bind_text(*s, 11, cpg.wrapup_timeout_disposition);
    bind_text(*s, 12, cpg.break_after_wrapup_timeout);
    s->bind(13, static_cast<std::int64_t>(cpg.hopper_size));
    s->bind(14, static_cast<std::int64_t>(cpg.ring_timeout.count()));
    bind_text(*s, 15, cpg.caller_id);
    bind_text(*s, 16, internal::encode_list(cpg.break_types));
    bind_text(*s, 17, internal::encode_dispositions(cpg.dispositions));
    bind_text(*s, 18, cpg.script);
    const ComplianceRules& rules = cpg.compliance;
    s->bind(19, static_cast<std::int64_t>(rules.calling_hours.start.count()));
    s->bind(20, static_cast<std::int64_t>(rules.calling_hours.end.count()));
    s->bind(21, static_cast<std::int64_t>(rules.max_attempts_per_lead));
    s->bind(22, static_cast<std::int64_t>(rules.max_calls_per_number_per_day));
    bind_text(*s, 23, internal::encode_recycle(cpg.recycle));
    s->bind(24, to_string(cpg.lead_order));
    bind_text(*s, 25, cpg.pacing.policy);
    s->bind(26, cpg.pacing.abandon_cap);
    s->bind(27, static_cast<std::int64_t>(cpg.pacing.max_wait_for_agent.count()));
    bind_text(*s, 28, cpg.pacing.safe_harbour_media);
    s->bind(29, static_cast<std::int64_t>(cpg.pacing.day_offset.count()));
    s->exec();
    tx.commit();
    return ok();
  });
  if (saved) {
    std::lock_guard lock(impl_->campaigns_mutex);
    impl_->known_campaigns.insert(cpg.id.value);
  }
  return saved;
}

Result<void> SqliteStore::save_carrier(const Carrier& carrier) {
  if (!carrier.id.valid()) return Error{Errc::invalid_argument, "a carrier needs an id"};
  impl_->drain();
  return guarded("save_carrier", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use(
        "INSERT INTO carriers (id, name, dial_prefix, dial_template, number_format)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
        " dial_prefix = excluded.dial_prefix, dial_template = excluded.dial_template,"
        " number_format = excluded.number_format");
    s->bind(1, to_db(carrier.id.value));
    bind_text(*s, 2, carrier.name);
    bind_text(*s, 3, carrier.dial_prefix);
    bind_text(*s, 4, carrier.dial_template);
    s->bind(5, to_string(carrier.number_format));
    s->exec();
    return ok();
  });
}

Result<void> SqliteStore::save_agent(const Agent& agent) {
  if (!agent.id.valid()) return Error{Errc::invalid_argument, "an agent needs an id"};
  impl_->drain();
  return guarded("save_agent", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use(
        "INSERT INTO agents (id, login, name, endpoint, persistent_leg) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET login = excluded.login, name = excluded.name,"
        " endpoint = excluded.endpoint, persistent_leg = excluded.persistent_leg");
    s->bind(1, to_db(agent.id.value));
    bind_text(*s, 2, agent.login);
    bind_text(*s, 3, agent.name);
    bind_text(*s, 4, agent.endpoint);
    s->bind(5, agent.persistent_leg ? 1 : 0);
    s->exec();
    return ok();
  });
}

Result<std::vector<Campaign>> SqliteStore::load_campaigns() {
  return guarded("load_campaigns", [&]() -> Result<std::vector<Campaign>> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT " + internal::kCampaignColumns + " FROM campaigns ORDER BY id");
    std::vector<Campaign> out;
    while (s->executeStep()) out.push_back(internal::campaign_from_row(StatementRow{*s}));
    return out;
  });
}

Result<std::vector<Carrier>> SqliteStore::load_carriers() {
  return guarded("load_carriers", [&]() -> Result<std::vector<Carrier>> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT " + internal::kCarrierColumns + " FROM carriers ORDER BY id");
    std::vector<Carrier> out;
    while (s->executeStep()) out.push_back(internal::carrier_from_row(StatementRow{*s}));
    return out;
  });
}

Result<std::vector<Agent>> SqliteStore::load_agents() {
  return guarded("load_agents", [&]() -> Result<std::vector<Agent>> {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->conn.use("SELECT " + internal::kAgentColumns + " FROM agents ORDER BY id");
    std::vector<Agent> out;
    while (s->executeStep()) out.push_back(internal::agent_from_row(StatementRow{*s}));
    return out;
  });
}

namespace {

// DELETE by id: not_found when there is no such row, conflict when a foreign
// key still points at it.
Result<void> delete_row(Connection& c, const char* table, std::uint64_t id, const char* what,
                        const char* still_used) {
  try {
    auto s = c.use(std::string("DELETE FROM ") + table + " WHERE id = ?");
    s->bind(1, to_db(id));
    if (s->exec() == 0) return Error{Errc::not_found, std::string("no ") + what + " " + std::to_string(id)};
    return ok();
  } catch (const SQLite::Exception& e) {
    if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return Error{Errc::conflict, std::string(what) + " " + std::to_string(id) + " " + still_used};
    }
    throw;
  }
}

}  // namespace

Result<void> SqliteStore::delete_campaign(CampaignId id) {
  impl_->drain();
  auto deleted = guarded("delete_campaign", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    return delete_row(impl_->conn, "campaigns", id.value, "campaign",
                      "still has leads or calls");
  });
  if (deleted) {
    std::lock_guard lock(impl_->campaigns_mutex);
    impl_->known_campaigns.erase(id.value);
  }
  return deleted;
}

Result<void> SqliteStore::delete_carrier(CarrierId id) {
  impl_->drain();
  return guarded("delete_carrier", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    return delete_row(impl_->conn, "carriers", id.value, "carrier", "is used by a campaign");
  });
}

Result<void> SqliteStore::delete_agent(AgentId id) {
  impl_->drain();
  return guarded("delete_agent", [&]() -> Result<void> {
    std::lock_guard lock(impl_->mutex);
    return delete_row(impl_->conn, "agents", id.value, "agent", "is still referenced");
  });
}

}  // namespace dialer::sqlite
