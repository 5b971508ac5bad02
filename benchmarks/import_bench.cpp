// CSV lead import throughput, stage by stage, so the numbers show where the
// time goes: the CSV reader alone, libphonenumber alone, the whole import into
// a store that does nothing, into the memory store, and — when built with
// them — into SQLite next to the sqlite3 shell's own `.import` of the same
// file, and into PostgreSQL next to psql's `\copy` of it (the raw baselines).
// The *IntoSchema benchmarks load the rows an import wrote with those same
// tools into the stores' own tables: what the schema costs a bulk load.
//
//   dialer_import_bench [--rows=N] [--batch=N] [google benchmark flags]
//
// --batch is ImportOptions::batch_size (rows per add_leads call and per
// transaction; default ImportOptions::batch_size).
//
// PostgreSQL runs when DIALER_BENCH_PG_DSN names a server on which the
// benchmark may create and drop databases (docs/storage.md shows one way).
// For ratios in one run, interleave: --benchmark_repetitions=3
// --benchmark_enable_random_interleaving=true.
//
// The CSV file (N rows, default 100,000, ~90 bytes a row, distinct valid US
// numbers written half in E.164 and half in national form) is generated in
// the temporary directory at start and removed at exit.
// Results: docs/lead-import.md.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/lead_import.hpp"
#include "dialer/phone_number.hpp"
#include "dialer/testing/memory_store.hpp"
#include "internal/csv_reader.hpp"
#if DIALER_BENCH_WITH_SQLITE
#include "dialer/sqlite/sqlite_store.hpp"
#endif
#if DIALER_BENCH_WITH_POSTGRES
#include "dialer/postgres/postgres_store.hpp"
#endif

namespace {

using namespace dialer;

std::size_t g_rows = 100'000;
std::size_t g_batch = ImportOptions{}.batch_size;
std::filesystem::path g_csv;
std::vector<std::string> g_numbers;

/// A store that keeps nothing: the import's own cost.
class NullStore final : public LeadStore {
 public:
  Result<Lead> find_lead(LeadId) override { return Error{Errc::not_found, ""}; }
  Result<Lead> find_lead_by_phone(std::string_view, CampaignId) override {
    return Error{Errc::not_found, ""};
  }
  Result<std::vector<LeadId>> add_leads(std::span<const Lead> leads, WallTime) override {
    std::vector<LeadId> ids(leads.size());
    for (auto& id : ids) id = LeadId{++next_};
    return ids;
  }
  Result<std::vector<ClaimedLead>> claim_leads(const ClaimRequest&) override {
    return std::vector<ClaimedLead>{};
  }
  Result<std::size_t> renew_leases(std::string_view, std::span<const LeadId>, WallTime) override {
    return std::size_t{0};
  }
  Result<void> release_leads(std::string_view, std::span<const LeadId>) override { return ok(); }
  Result<void> update_queue(const QueueUpdate&) override { return ok(); }
  Result<QueueEntry> queue_entry(LeadId) override { return Error{Errc::not_found, ""}; }

 private:
  std::uint64_t next_ = 0;
};

void make_csv() {
  g_csv = std::filesystem::temp_directory_path() /
          ("dialer_import_bench_" + std::to_string(::getpid()) + ".csv");
  std::ofstream out(g_csv, std::ios::binary);
  out << "phone,first_name,last_name,email,notes\n";
  std::mt19937 rng(42);  // fixed: the same file every run
  const char* first[] = {"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald"};
  const char* last[] = {"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth"};
  g_numbers.reserve(g_rows);
  for (std::size_t i = 0; i < g_rows; ++i) {
    const unsigned area[] = {212, 312, 415, 617, 713, 206};
    const unsigned a = area[i % 6];
    const auto exchange = static_cast<unsigned>(200 + (i / 10000) % 800);
    const auto line = static_cast<unsigned>(i % 10000);
    char number[32];
    if (i % 2 == 0) {
      std::snprintf(number, sizeof number, "+1%u%u%04u", a, exchange, line);
    } else {
      std::snprintf(number, sizeof number, "(%u) %u-%04u", a, exchange, line);
    }
    g_numbers.emplace_back(number);
    out << number << ',' << first[rng() % 6] << ',' << last[rng() % 6] << ",person" << i
        << "@example.com,\"called before, said \"\"later\"\"\"\n";
  }
}

ImportOptions options(std::size_t threads) {
  ImportOptions o;
  o.campaign = CampaignId{1};
  o.threads = threads;
  o.batch_size = g_batch;
  return o;
}

/// CPU time (user + system) of the child processes waited for so far.
double children_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

void report_rows(benchmark::State& state, std::size_t rows) {
  const auto total = state.iterations() * static_cast<benchmark::IterationCount>(rows);
  state.SetItemsProcessed(total);
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}

void BM_ParseCsvOnly(benchmark::State& state) {
  std::size_t rows = 0;
  for (auto _ : state) {
    std::ifstream in(g_csv, std::ios::binary);
    internal::CsvReader reader(in);
    (void)reader.start();
    internal::CsvRecord rec;
    rows = 0;
    while (reader.next(rec, 64, 64 * 1024)) ++rows;
    benchmark::DoNotOptimize(rows);
  }
  report_rows(state, rows - 1);
}
BENCHMARK(BM_ParseCsvOnly)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_NormalizeNumber(benchmark::State& state) {
  NumberPlan plan;
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = normalize_number(g_numbers[i++ % g_numbers.size()], plan);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_NormalizeNumber);

/// The same numbers through libphonenumber's own checks every time (the
/// path before the verdict cache): the "before" of BM_NormalizeNumber.
void BM_NormalizeNumberUncached(benchmark::State& state) {
  NumberPlan plan;
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = normalize_number_uncached(g_numbers[i++ % g_numbers.size()], plan);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_NormalizeNumberUncached);

void check(const Result<ImportReport>& r, benchmark::State& state) {
  if (!r) {
    state.SkipWithError(r.error().message().c_str());
  } else if (r->imported + r->updated != g_rows || r->stopped) {
    state.SkipWithError("not every row was imported");
  }
}

void BM_ImportNullStore(benchmark::State& state) {
  const auto o = options(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    NullStore store;
    auto r = import_leads(store, g_csv, o);
    check(r, state);
  }
  report_rows(state, g_rows);
}
BENCHMARK(BM_ImportNullStore)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_ImportMemoryStore(benchmark::State& state) {
  const auto o = options(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    testing::MemoryStore store;
    store.keep_history(false);
    auto r = import_leads(store, g_csv, o);
    check(r, state);
  }
  report_rows(state, g_rows);
}
BENCHMARK(BM_ImportMemoryStore)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

/// A store on a fresh database for one timed import, with campaign 1 saved;
/// the destructor removes the database. `error` is set when it cannot be made.
struct Target {
  virtual ~Target() = default;
  LeadStore* store = nullptr;
  std::string error;

  /// Keeps the opened store in `keep` and saves campaign 1 (the import's)
  /// in it, or records why it could not be opened.
  template <class S>
  void adopt(Result<std::unique_ptr<S>> opened, std::unique_ptr<S>& keep) {
    if (!opened) {
      error = opened.error().message();
      return;
    }
    keep = std::move(opened).value();
    store = keep.get();
    Campaign c;
    c.id = CampaignId{1};
    c.name = "bench";
    if (auto saved = keep->save_campaign(c); !saved) error = saved.error().message();
  }
};

/// Times import_leads with range(0) threads into a new Target per
/// iteration; `make` runs untimed.
template <class Make>
void time_imports(benchmark::State& state, Make make) {
  const auto o = options(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Target> target = make();
    if (!target->error.empty()) {
      state.SkipWithError(target->error.c_str());
      break;
    }
    state.ResumeTiming();
    auto r = import_leads(*target->store, g_csv, o);
    check(r, state);
    state.PauseTiming();
    target.reset();
    state.ResumeTiming();
  }
  report_rows(state, g_rows);
}

/// Times `load(target)` (false: it failed) into a new Target per iteration,
/// made and then closed untimed: the schema and campaign 1 are in place, and
/// the store's own connection is gone before the tool loads.
template <class Make, class Load>
void time_loads(benchmark::State& state, Make make, Load load, const char* failure) {
  for (auto _ : state) {
    state.PauseTiming();
    auto target = make();
    target->db.reset();
    state.ResumeTiming();
    if (!load(*target)) {
      state.SkipWithError(failure);
      break;
    }
    state.PauseTiming();
    target.reset();
    state.ResumeTiming();
  }
  report_rows(state, g_rows);
}

#if DIALER_BENCH_WITH_SQLITE
std::filesystem::path temp_db(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           (std::string(name) + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(p.string() + suffix);
  }
  return p;
}

struct SqliteTarget final : Target {
  std::filesystem::path path = temp_db("dialer_import_bench_");
  std::unique_ptr<sqlite::SqliteStore> db;
  explicit SqliteTarget(bool sync_commits) {
    sqlite::Options so;
    so.path = path.string();
    so.sync_commits = sync_commits;
    adopt(sqlite::SqliteStore::open(so), db);
  }
  ~SqliteTarget() override {
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      std::filesystem::remove(path.string() + suffix, ec);
    }
  }
};

/// Args: threads, sync_commits (1 = the default, an fsync per commit).
void BM_ImportSqlite(benchmark::State& state) {
  const bool sync = state.range(1) != 0;
  time_imports(state, [sync] { return std::make_unique<SqliteTarget>(sync); });
}
BENCHMARK(BM_ImportSqlite)
    ->ArgNames({"threads", "sync"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

/// The raw baseline: the sqlite3 shell's `.import` of the same file into a
/// plain table (no normalisation, no checks, one transaction).
void BM_SqliteShellImport(benchmark::State& state) {
  const double children_before = children_cpu_seconds();
  for (auto _ : state) {
    const auto path = temp_db("dialer_import_shell_");
    const std::string cmd = "sqlite3 '" + path.string() + "' '.mode csv' '.import " +
                            g_csv.string() + " leads' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError("sqlite3 shell failed (apt install sqlite3)");
      break;
    }
    std::filesystem::remove(path);
  }
  report_rows(state, g_rows);
  // The shell's own CPU time (this process only waits for it).
  state.counters["child_cpu_s"] = benchmark::Counter(
      children_cpu_seconds() - children_before, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SqliteShellImport)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

bool run_shell(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

/// The database's own bulk load into the store's schema: the rows the
/// store's import writes (leads and queue, already normalised), loaded by the
/// sqlite3 shell into a fresh database of the store's schema, indexes, checks
/// and foreign keys on, in one transaction. No libdialer code is timed: the
/// gap between this and BM_SqliteShellImport is what the schema costs.
void BM_SqliteShellIntoSchema(benchmark::State& state) {
  const std::string leads = g_csv.string() + ".leads.ascii",
                    queue = g_csv.string() + ".queue.ascii";
  {  // Untimed: the rows, as an import through the store wrote them.
    SqliteTarget source(false);
    if (source.error.empty()) check(import_leads(*source.store, g_csv, options(2)), state);
    if (!source.error.empty() ||
        !run_shell("sqlite3 '" + source.path.string() + "' '.mode ascii' '.output " + leads +
                   "' 'SELECT * FROM leads' '.output " + queue + "' 'SELECT * FROM queue'")) {
      state.SkipWithError("could not export the imported rows (apt install sqlite3)");
      return;
    }
  }
  const double children_before = children_cpu_seconds();
  time_loads(
      state, [] { return std::make_unique<SqliteTarget>(true); },
      [&](const SqliteTarget& target) {
        return run_shell("sqlite3 '" + target.path.string() +
                         "' 'PRAGMA foreign_keys = ON' 'PRAGMA synchronous = NORMAL'"
                         " '.mode ascii' '.import " +
                         leads + " leads' '.import " + queue + " queue'");
      },
      "sqlite3 .import into the store's schema failed");
  state.counters["child_cpu_s"] = benchmark::Counter(children_cpu_seconds() - children_before,
                                                     benchmark::Counter::kAvgIterations);
  std::filesystem::remove(leads);
  std::filesystem::remove(queue);
}
BENCHMARK(BM_SqliteShellIntoSchema)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
#endif

#if DIALER_BENCH_WITH_POSTGRES
/// A database of its own on the server DIALER_BENCH_PG_DSN names, dropped at
/// the end; psql does the administration, as in store_bench.cpp.
class PgDatabase {
 public:
  PgDatabase() : name_("dialer_import_bench_" + std::to_string(::getpid()) + "_" +
                       std::to_string(++counter_)) {
    admin("CREATE DATABASE " + name_);
  }
  ~PgDatabase() { admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;
  std::string dsn() const { return server() + " dbname=" + name_; }
  /// Runs psql on this database; false if it failed.
  bool psql(const std::string& args) const {
    const std::string cmd = "psql -X -q -v ON_ERROR_STOP=1 -d \"" + dsn() + "\" " + args +
                            " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }
  static std::string server() { return std::getenv("DIALER_BENCH_PG_DSN"); }

 private:
  static void admin(const std::string& sql) {
    const std::string cmd = "psql -X -q -d \"" + server() + "\" -c \"" + sql + "\" >/dev/null 2>&1";
    (void)std::system(cmd.c_str());
  }
  static inline int counter_ = 0;
  std::string name_;
};

struct PostgresTarget final : Target {
  PgDatabase database;
  std::unique_ptr<postgres::PostgresStore> db;
  PostgresTarget() {
    postgres::Options po;
    po.dsn = database.dsn();
    adopt(postgres::PostgresStore::open(po), db);
  }
  ~PostgresTarget() override { db.reset(); }  // before the database goes
};

void BM_ImportPostgres(benchmark::State& state) {
  time_imports(state, [] { return std::make_unique<PostgresTarget>(); });
}
BENCHMARK(BM_ImportPostgres)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

/// The raw baseline: psql's `\copy` of the same file into a plain table (no
/// normalisation, no checks, no index, one COPY).
void BM_PsqlCopy(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto db = std::make_unique<PgDatabase>();
    if (!db->psql("-c \"CREATE TABLE leads (phone text, first_name text, last_name text,"
                  " email text, notes text)\"")) {
      state.SkipWithError("psql failed (apt install postgresql-client)");
      break;
    }
    state.ResumeTiming();
    if (!db->psql("-c \"\\copy leads FROM '" + g_csv.string() + "' WITH (FORMAT csv, HEADER)\"")) {
      state.SkipWithError("psql \\copy failed");
      break;
    }
    state.PauseTiming();
    db.reset();
    state.ResumeTiming();
  }
  report_rows(state, g_rows);
}
BENCHMARK(BM_PsqlCopy)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

/// The same on PostgreSQL: the rows the store's import writes (leads and
/// queue), copied back by psql's `\copy` into a fresh database of the store's
/// schema (indexes, checks, foreign keys), in one transaction. No libdialer
/// code is timed.
void BM_PsqlCopyIntoSchema(benchmark::State& state) {
  const std::string leads = g_csv.string() + ".leads.copy", queue = g_csv.string() + ".queue.copy";
  {  // Untimed: the rows, as an import through the store wrote them.
    PostgresTarget source;
    if (source.error.empty()) check(import_leads(*source.store, g_csv, options(2)), state);
    if (!source.error.empty() ||
        !source.database.psql("-c \"\\copy leads TO '" + leads + "'\" -c \"\\copy queue TO '" +
                              queue + "'\"")) {
      state.SkipWithError("could not export the imported rows");
      return;
    }
  }
  time_loads(
      state, [] { return std::make_unique<PostgresTarget>(); },
      [&](const PostgresTarget& target) {
        return target.database.psql("--single-transaction -c \"\\copy leads FROM '" + leads +
                                    "'\" -c \"\\copy queue FROM '" + queue + "'\"");
      },
      "psql \\copy into the store's schema failed");
  std::filesystem::remove(leads);
  std::filesystem::remove(queue);
}
BENCHMARK(BM_PsqlCopyIntoSchema)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
#endif

/// Takes --rows=N and --batch=N out of argv, leaving Google Benchmark's flags.
void parse_own_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--rows=")) {
      g_rows = std::stoul(std::string(arg.substr(7)));
    } else if (arg.starts_with("--batch=")) {
      g_batch = std::stoul(std::string(arg.substr(8)));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
}

}  // namespace

int main(int argc, char** argv) {
  parse_own_flags(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  make_csv();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove(g_csv);
  return 0;
}
