// Store benchmark: the same claim workload over the memory store (the
// baseline), SQLite and PostgreSQL (LevelDB's db_bench vs db_bench_sqlite3).
//
//   BM_claim/<store>/<threads>   N pending leads of one campaign are drained
//                                by `threads` claimers (each with its own
//                                store / connection) in batches of 500; the
//                                counter leads_per_second is the figure.
//   BM_add_leads/<store>         add_leads of N leads in one call.
//   sqlite is the default (sync_commits, an fsync per commit); sqlite_nosync
//   is synchronous=NORMAL (survives a process crash, not a power loss).
//
// Flags, besides Google Benchmark's:
//   --leads=N     leads per iteration (100000)
//   --dir=PATH    where SQLite files go (/tmp)
// PostgreSQL runs when DIALER_BENCH_PG_DSN names a server on which the
// benchmark may create and drop databases (docs/storage.md shows one way).
// Results are written down in docs/storage.md; nothing here asserts a timing.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dialer/postgres/postgres_store.hpp"
#include "dialer/sqlite/sqlite_store.hpp"
#include "dialer/testing/memory_store.hpp"

namespace {

using namespace dialer;
using namespace std::chrono_literals;

std::uint64_t g_leads = 100000;
std::string g_dir = "/tmp";
int g_db_counter = 0;

std::vector<Lead> make_leads(std::uint64_t n) {
  std::vector<Lead> out;
  out.reserve(n);
  for (std::uint64_t i = 1; i <= n; ++i) {
    Lead lead;
    lead.id = LeadId{i};
    lead.campaign = CampaignId{1};
    lead.phone = {"+1212" + std::to_string(5000000 + i), "US"};
    lead.time_zone = "America/New_York";
    lead.fields = {{"first_name", "Lead"}, {"last_name", std::to_string(i)}};
    out.push_back(std::move(lead));
  }
  return out;
}

Campaign campaign_one() {
  Campaign c;
  c.id = CampaignId{1};
  c.name = "Bench";
  return c;
}

// One kind of store: opens the first handle on an empty database, then more
// handles on the same data.
struct MemoryKind {
  std::shared_ptr<testing::MemoryStore> store = std::make_shared<testing::MemoryStore>();
  std::shared_ptr<LeadStore> first() { return store; }
  std::shared_ptr<LeadStore> another() { return store; }
};

template <bool kSync>
struct SqliteKindT {
  std::filesystem::path file;
  SqliteKindT() {
    file = std::filesystem::path(g_dir) /
           ("dialer-bench-" + std::to_string(::getpid()) + "-" + std::to_string(++g_db_counter) + ".db");
  }
  ~SqliteKindT() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      std::filesystem::remove(file.string() + suffix, ec);
    }
  }
  std::shared_ptr<LeadStore> open() {
    sqlite::Options o;
    o.path = file.string();
    o.sync_commits = kSync;
    auto s = sqlite::SqliteStore::open(o);
    if (!s) throw std::runtime_error(s.error().message());
    return std::shared_ptr<LeadStore>(std::move(s).value());
  }
  std::shared_ptr<LeadStore> first() {
    auto s = open();
    (void)dynamic_cast<sqlite::SqliteStore&>(*s).save_campaign(campaign_one());
    return s;
  }
  std::shared_ptr<LeadStore> another() { return open(); }
};

// sync_commits on (the default: fsync per commit) and off (synchronous=NORMAL).
using SqliteKind = SqliteKindT<true>;
using SqliteNoSyncKind = SqliteKindT<false>;

struct PostgresKind {
  std::string admin = std::getenv("DIALER_BENCH_PG_DSN");
  std::string db = "dialer_bench_" + std::to_string(::getpid()) + "_" + std::to_string(++g_db_counter);
  PostgresKind() { exec_admin("CREATE DATABASE " + db); }
  ~PostgresKind() { exec_admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"); }
  void exec_admin(const std::string& sql) {
    const std::string cmd = "psql -X -q -d \"" + admin + "\" -c \"" + sql + "\" >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("psql failed: " + sql);
  }
  std::shared_ptr<LeadStore> open() {
    postgres::Options o;
    o.dsn = admin + " dbname=" + db;
    auto s = postgres::PostgresStore::open(o);
    if (!s) throw std::runtime_error(s.error().message());
    return std::shared_ptr<LeadStore>(std::move(s).value());
  }
  std::shared_ptr<LeadStore> first() {
    auto s = open();
    (void)dynamic_cast<postgres::PostgresStore&>(*s).save_campaign(campaign_one());
    return s;
  }
  std::shared_ptr<LeadStore> another() { return open(); }
};

template <class Kind>
void BM_claim(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const auto leads = make_leads(g_leads);
  std::uint64_t claimed_total = 0;
  double seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Kind kind;
    auto first = kind.first();
    if (!first->add_leads(leads, WallTime{1s})) {
      state.SkipWithError("add_leads failed");
      return;
    }
    std::vector<std::shared_ptr<LeadStore>> handles;
    for (int t = 0; t < threads; ++t) handles.push_back(t == 0 ? first : kind.another());
    std::atomic<std::uint64_t> claimed{0};
    std::atomic<bool> failed{false};
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        ClaimRequest r;
        r.campaign = CampaignId{1};
        r.owner = "bench-" + std::to_string(t);
        r.limit = 500;
        r.now = WallTime{10s};
        for (;;) {
          auto got = handles[static_cast<std::size_t>(t)]->claim_leads(r);
          if (!got) {
            failed = true;
            return;
          }
          if (got->empty()) return;
          claimed += got->size();
        }
      });
    }
    for (auto& w : workers) w.join();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.PauseTiming();
    if (failed || claimed != leads.size()) {
      state.SkipWithError("claims failed or incomplete");
      return;  // timing stays paused: Google Benchmark refuses to resume after an error
    }
    claimed_total += claimed;
    handles.clear();
    first.reset();
    state.ResumeTiming();
  }
  state.counters["leads_per_second"] = benchmark::Counter(static_cast<double>(claimed_total) / seconds);
}

template <class Kind>
void BM_add_leads(benchmark::State& state) {
  const auto leads = make_leads(g_leads);
  std::uint64_t added = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Kind kind;
    auto store = kind.first();
    state.ResumeTiming();
    if (!store->add_leads(leads, WallTime{1s})) state.SkipWithError("add_leads failed");
    added += leads.size();
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  state.counters["rows_per_second"] =
      benchmark::Counter(static_cast<double>(added), benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--leads=", 0) == 0) {
      g_leads = std::stoull(a.substr(8));
    } else if (a.rfind("--dir=", 0) == 0) {
      g_dir = a.substr(6);
    } else {
      rest.push_back(argv[i]);
    }
  }
  auto unit = [](benchmark::internal::Benchmark* b) {
    // CPU is the whole process's (every claimer thread, the writer), the
    // steadier figure on a shared machine.
    b->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime()->Iterations(3);
  };
  unit(benchmark::RegisterBenchmark("BM_claim/memory", BM_claim<MemoryKind>)->Arg(1)->Arg(4));
  unit(benchmark::RegisterBenchmark("BM_claim/sqlite", BM_claim<SqliteKind>)->Arg(1)->Arg(4));
  unit(benchmark::RegisterBenchmark("BM_claim/sqlite_nosync", BM_claim<SqliteNoSyncKind>)->Arg(1)->Arg(4));
  unit(benchmark::RegisterBenchmark("BM_add_leads/memory", BM_add_leads<MemoryKind>));
  unit(benchmark::RegisterBenchmark("BM_add_leads/sqlite", BM_add_leads<SqliteKind>));
  if (std::getenv("DIALER_BENCH_PG_DSN") != nullptr) {
    unit(benchmark::RegisterBenchmark("BM_claim/postgres", BM_claim<PostgresKind>)->Arg(1)->Arg(4));
    unit(benchmark::RegisterBenchmark("BM_add_leads/postgres", BM_add_leads<PostgresKind>));
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
