// dialer-import: loads a CSV file of leads into a store for one campaign, with
// a progress bar on stderr (when it is a terminal), a summary on stdout and,
// with --report FILE, the full report as JSON.
//
//   dialer-import --campaign 7 leads.csv                      dry run into memory
//   dialer-import --sqlite dialer.db --campaign 7 leads.csv
//   dialer-import --postgres postgresql://dialer@db/dialer --campaign 7 leads.csv
//
// Plain argv parsing: a dozen flags do not pay for a CLI library.
// Exit status: 0 imported (bad rows are in the report), 1 the import stopped
// part-way (a store error; earlier batches are kept), 2 nothing was imported
// (bad arguments, unreadable file, bad header).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialer/lead_import.hpp"
#include "dialer/testing/memory_store.hpp"
#if DIALER_IMPORT_WITH_SQLITE
#include "dialer/sqlite/sqlite_store.hpp"
#endif
#if DIALER_IMPORT_WITH_POSTGRES
#include "dialer/postgres/postgres_store.hpp"
#endif

namespace {

using namespace dialer;

constexpr int kExitStopped = 1;
constexpr int kExitFailed = 2;

const char* const kUsage =
    "usage: dialer-import [store] --campaign ID [options] FILE.csv\n"
    "\n"
    "store (one; default --memory):\n"
    "  --memory                  dry run: import into memory and print the report\n"
    "  --sqlite PATH             the SQLite database file\n"
    "  --postgres URI            a libpq connection string\n"
    "\n"
    "options:\n"
    "  --campaign ID             the campaign the leads are for (required)\n"
    "  --phone-column NAME       default \"phone\"\n"
    "  --time-zone-column NAME   IANA time zone per row\n"
    "  --priority-column NAME    integer priority per row\n"
    "  --external-id-column NAME the lead's id in its source (matched on re-import)\n"
    "  --region CC               region numbers without a country code are read in\n"
    "                            (default: the campaign's plan; US for --memory)\n"
    "  --allow CC                another region whose numbers may be called (repeatable)\n"
    "  --default-time-zone TZ    for rows neither the data nor the number places\n"
    "  --tz-map FILE             number prefix -> time zone map (prefix|Zone&Zone lines)\n"
    "  --existing update|skip    what to do with leads already in the campaign (update)\n"
    "  --batch-size N            rows per transaction (5000)\n"
    "  --threads N               threads normalising numbers (0 = one per core)\n"
    "  --max-field-size BYTES    longest field accepted (65536)\n"
    "  --report FILE             write the full report as JSON\n"
    "  --quiet                   no progress bar\n";

struct Args {
  enum class Store { memory, sqlite, postgres } store = Store::memory;
  std::string target;  // sqlite path or postgres URI
  std::string file;
  std::string report;
  std::string tz_map;
  std::optional<std::string> region;
  std::vector<std::string> allowed;
  bool quiet = false;
  ImportOptions options;
};

/// Where the passwords of a connection string are: the "secret" of
/// scheme://user:secret@host, and the value of every password=... keyword.
std::vector<std::pair<std::size_t, std::size_t>> secret_spans(std::string_view dsn) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  if (auto scheme = dsn.find("://"); scheme != std::string_view::npos) {
    const auto at = dsn.find('@', scheme + 3);
    const auto colon = dsn.find(':', scheme + 3);
    if (at != std::string_view::npos && colon != std::string_view::npos && colon < at) {
      spans.emplace_back(colon + 1, at);
    }
  }
  for (std::size_t pos = dsn.find("password"); pos != std::string_view::npos;
       pos = dsn.find("password", pos + 1)) {
    std::size_t value = pos + 8;
    while (value < dsn.size() && dsn[value] == ' ') ++value;
    if (value >= dsn.size() || dsn[value] != '=') continue;
    ++value;
    while (value < dsn.size() && dsn[value] == ' ') ++value;
    std::size_t end = value;
    if (end < dsn.size() && dsn[end] == '\'') {
      end = dsn.find('\'', end + 1);
      end = end == std::string_view::npos ? dsn.size() : end + 1;
    } else {
      while (end < dsn.size() && dsn[end] != ' ' && dsn[end] != '&') ++end;
    }
    if (end > value) spans.emplace_back(value, end);
  }
  return spans;
}

/// The connection string with its passwords replaced by ***, for messages.
std::string redact(std::string_view dsn) {
  std::string out(dsn);
  auto spans = secret_spans(dsn);
  std::sort(spans.begin(), spans.end());
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->first, it->second - it->first, "***");
  }
  return out;
}

/// A store's message with every password of the connection string (and the
/// whole string) replaced: stores are meant not to echo them; this makes sure.
std::string scrub(std::string message, const Args& args) {
  if (args.store != Args::Store::postgres) return message;
  auto replace_all = [&message](const std::string& what, const std::string& with) {
    if (what.empty()) return;
    for (std::size_t p = message.find(what); p != std::string::npos;
         p = message.find(what, p + with.size())) {
      message.replace(p, what.size(), with);
    }
  };
  replace_all(args.target, redact(args.target));
  for (auto [begin, end] : secret_spans(args.target)) {
    replace_all(args.target.substr(begin, end - begin), "***");
  }
  return message;
}

bool parse_size(std::string_view text, std::size_t& out) {
  if (text.empty()) return false;
  std::size_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::size_t>(c - '0');
    if (v > (std::size_t{1} << 40)) return false;
  }
  out = v;
  return true;
}

/// Parses argv; nullopt (after a message) on a usage error.
std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  a.options.threads = 0;
  std::vector<std::string_view> in(argv + 1, argv + argc);
  auto fail = [](const std::string& why) -> std::optional<Args> {
    std::cerr << "dialer-import: " << why << "\n\n" << kUsage;
    return std::nullopt;
  };
  int stores = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::string_view flag = in[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= in.size()) return false;
      out = std::string(in[++i]);
      return true;
    };
    std::string v;
    if (flag == "-h" || flag == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (flag == "--memory") {
      a.store = Args::Store::memory;
      ++stores;
    } else if (flag == "--sqlite" || flag == "--postgres") {
      if (!value(a.target)) return fail(std::string(flag) + " needs a value");
      a.store = flag == "--sqlite" ? Args::Store::sqlite : Args::Store::postgres;
      ++stores;
    } else if (flag == "--campaign") {
      if (!value(v)) return fail("--campaign needs an id");
      auto id = parse_id<CampaignId>(v);
      if (!id) return fail("--campaign: " + v + " is not a campaign id");
      a.options.campaign = *id;
    } else if (flag == "--phone-column") {
      if (!value(a.options.columns.phone)) return fail("--phone-column needs a name");
    } else if (flag == "--time-zone-column") {
      if (!value(a.options.columns.time_zone)) return fail("--time-zone-column needs a name");
    } else if (flag == "--priority-column") {
      if (!value(a.options.columns.priority)) return fail("--priority-column needs a name");
    } else if (flag == "--external-id-column") {
      if (!value(a.options.columns.external_id)) return fail("--external-id-column needs a name");
    } else if (flag == "--region") {
      if (!value(v)) return fail("--region needs a region code");
      a.region = v;
    } else if (flag == "--allow") {
      if (!value(v)) return fail("--allow needs a region code");
      a.allowed.push_back(v);
    } else if (flag == "--default-time-zone") {
      if (!value(a.options.default_time_zone)) return fail("--default-time-zone needs a zone");
    } else if (flag == "--tz-map") {
      if (!value(a.tz_map)) return fail("--tz-map needs a file");
    } else if (flag == "--existing") {
      if (!value(v) || !from_string(v, a.options.existing)) {
        return fail("--existing takes update or skip");
      }
    } else if (flag == "--batch-size") {
      if (!value(v) || !parse_size(v, a.options.batch_size) || a.options.batch_size == 0) {
        return fail("--batch-size takes a positive number");
      }
    } else if (flag == "--threads") {
      if (!value(v) || !parse_size(v, a.options.threads)) return fail("--threads takes a number");
    } else if (flag == "--max-field-size") {
      if (!value(v) || !parse_size(v, a.options.max_field_size) || a.options.max_field_size == 0) {
        return fail("--max-field-size takes a positive number of bytes");
      }
    } else if (flag == "--report") {
      if (!value(a.report)) return fail("--report needs a file");
    } else if (flag == "--quiet") {
      a.quiet = true;
    } else if (flag.starts_with("-") && flag != "-") {
      return fail("unknown option " + std::string(flag));
    } else if (a.file.empty()) {
      a.file = std::string(flag);
    } else {
      return fail("one CSV file at a time");
    }
  }
  if (stores > 1) return fail("choose one store");
  if (a.file.empty()) return fail("no CSV file given");
  if (!a.options.campaign.valid()) return fail("--campaign is required");
  return a;
}

/// A progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool on) : on_(on), start_(std::chrono::steady_clock::now()) {}

  void update(const ImportProgress& p, bool last = false) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - drawn_ < std::chrono::milliseconds(100)) return;
    drawn_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(p.rows_read) / seconds : 0.0;
    constexpr int kWidth = 30;
    if (p.total_bytes > 0) {
      const double done =
          std::min(1.0, static_cast<double>(p.bytes_read) / static_cast<double>(p.total_bytes));
      const int filled = static_cast<int>(done * kWidth);
      std::fprintf(stderr, "\r[%.*s%*s] %3.0f%%  %llu rows  %.0f rows/s ", filled,
                   "##############################", kWidth - filled, "", done * 100,
                   static_cast<unsigned long long>(p.rows_read), rate);
    } else {
      std::fprintf(stderr, "\r%llu rows  %.0f rows/s ", static_cast<unsigned long long>(p.rows_read),
                   rate);
    }
    if (last) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point drawn_{};
};

/// The store the leads go to, and the plan its campaign has saved.
struct OpenStore {
  std::unique_ptr<LeadStore> store;
  std::optional<NumberPlan> plan;
  std::function<Result<void>()> flush = [] { return ok(); };
};

template <class Store>
Result<OpenStore> with_campaign(std::unique_ptr<Store> store, CampaignId campaign) {
  auto campaigns = store->load_campaigns();
  if (!campaigns) return std::move(campaigns).error();
  OpenStore out;
  for (const Campaign& c : *campaigns) {
    if (c.id == campaign) out.plan = c.number_plan;
  }
  if (!out.plan) {
    return Error{Errc::not_found, "campaign " + to_string(campaign) + " is not in the database"};
  }
  Store* raw = store.get();
  out.flush = [raw] { return raw->flush(); };
  out.store = std::move(store);
  return out;
}

Result<OpenStore> open_store(const Args& args) {
  switch (args.store) {
    case Args::Store::memory: {
      OpenStore out;
      out.store = std::make_unique<testing::MemoryStore>();
      return out;
    }
    case Args::Store::sqlite: {
#if DIALER_IMPORT_WITH_SQLITE
      sqlite::Options o;
      o.path = args.target;
      auto store = sqlite::SqliteStore::open(o);
      if (!store) return std::move(store).error();
      return with_campaign(std::move(*store), args.options.campaign);
#else
      return Error{Errc::unavailable, "this dialer-import was built without the SQLite store"};
#endif
    }
    case Args::Store::postgres: {
#if DIALER_IMPORT_WITH_POSTGRES
      postgres::Options o;
      o.dsn = args.target;
      auto store = postgres::PostgresStore::open(o);
      if (!store) return std::move(store).error();
      return with_campaign(std::move(*store), args.options.campaign);
#else
      return Error{Errc::unavailable, "this dialer-import was built without the PostgreSQL store"};
#endif
    }
  }
  return Error{Errc::invalid_argument, "unknown store"};
}

void print_summary(const ImportReport& r, const Args& args) {
  std::printf("rows read            %llu\n", static_cast<unsigned long long>(r.rows_read));
  std::printf("imported (new)       %llu\n", static_cast<unsigned long long>(r.imported));
  std::printf("updated              %llu\n", static_cast<unsigned long long>(r.updated));
  std::printf("duplicates in file   %llu\n", static_cast<unsigned long long>(r.duplicates_in_file));
  std::printf("already in campaign  %llu\n", static_cast<unsigned long long>(r.duplicates_existing));
  std::printf("bad rows             %llu\n", static_cast<unsigned long long>(r.bad_rows));
  std::printf("unknown time zone    %llu (not called until they have one)\n",
              static_cast<unsigned long long>(r.unknown_time_zone));
  std::printf("formula-like cells   %llu (stored as text; neutralise them on export)\n",
              static_cast<unsigned long long>(r.formula_cells));
  const std::size_t shown = std::min<std::size_t>(r.bad.size(), 10);
  for (std::size_t i = 0; i < shown; ++i) {
    const BadRow& b = r.bad[i];
    std::printf("  line %llu: %s%s%s: %s\n", static_cast<unsigned long long>(b.line),
                to_string(b.problem), b.column.empty() ? "" : " in ", b.column.c_str(),
                b.detail.c_str());
  }
  if (r.bad_rows > shown) {
    std::printf("  ... %llu more bad rows%s\n",
                static_cast<unsigned long long>(r.bad_rows - shown),
                args.report.empty() ? " (see --report FILE)" : "");
  }
  if (r.stopped) {
    std::printf("STOPPED: %s\n", scrub(r.stopped->message(), args).c_str());
  }
}

int run(const Args& args) {
  ImportOptions options = args.options;
  if (!args.tz_map.empty()) {
    auto map = NumberTimeZoneMap::load(args.tz_map);
    if (!map) {
      std::cerr << "dialer-import: " << map.error().message() << "\n";
      return kExitFailed;
    }
    options.number_time_zones = std::make_shared<NumberTimeZoneMap>(std::move(*map));
  }
  auto opened = open_store(args);
  if (!opened) {
    std::cerr << "dialer-import: " << scrub(opened.error().message(), args) << "\n";
    return kExitFailed;
  }
  options.plan = opened->plan.value_or(NumberPlan{});
  if (args.region) options.plan.region = *args.region;
  if (!args.allowed.empty()) options.plan.allowed_regions = args.allowed;
  options.now = std::chrono::system_clock::now();

  ProgressBar bar(!args.quiet && isatty(STDERR_FILENO) == 1);
  ImportProgress last;
  options.progress = [&](const ImportProgress& p) {
    last = p;
    bar.update(p);
  };
  const auto started = std::chrono::steady_clock::now();
  auto report = import_leads(*opened->store, std::filesystem::path(args.file), options);
  if (report) bar.update(last, true);
  if (!report) {
    std::cerr << "dialer-import: " << scrub(report.error().message(), args) << "\n";
    return kExitFailed;
  }
  if (auto flushed = opened->flush(); !flushed && !report->stopped) {
    report->stopped = flushed.error();
  }
  if (report->stopped) report->stopped->detail = scrub(report->stopped->detail, args);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (args.store == Args::Store::postgres) {
    std::printf("store                postgres %s\n", redact(args.target).c_str());
  } else if (args.store == Args::Store::sqlite) {
    std::printf("store                sqlite %s\n", args.target.c_str());
  } else {
    std::printf("store                memory (dry run: nothing is kept)\n");
  }
  print_summary(*report, args);
  std::printf("time                 %.2f s (%.0f rows/s)\n", seconds,
              seconds > 0 ? static_cast<double>(report->rows_read) / seconds : 0.0);

  if (!args.report.empty()) {
    std::ofstream out(args.report, std::ios::binary | std::ios::trunc);
    out << report->to_json() << '\n';
    if (!out) {
      std::cerr << "dialer-import: cannot write the report to " << args.report << "\n";
      return kExitFailed;
    }
  }
  return report->stopped ? kExitStopped : 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  if (!args) return kExitFailed;
  try {
    return run(*args);
  } catch (const std::exception& e) {
    std::cerr << "dialer-import: " << e.what() << "\n";
    return kExitFailed;
  }
}
