// CSV lead import: a small RFC 4180 reader, per-row checks run on a few
// threads (libphonenumber's parse dominates the cost), then the sequential
// part — duplicate detection, matching stored leads, batched writes.
#include "dialer/lead_import.hpp"


#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <istream>
#include <limits>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "dialer/calling_hours.hpp"
#include "dialer/dial_prefix.hpp"
#include "internal/csv_reader.hpp"
#include "internal/enum_names.hpp"
#include "internal/number_text.hpp"

namespace dialer {

namespace {

constexpr internal::NameTable<ExistingLeads, 2> kExistingNames{{
    {ExistingLeads::update, "update"},
    {ExistingLeads::skip, "skip"},
}};

constexpr internal::NameTable<RowProblem, 8> kProblemNames{{
    {RowProblem::wrong_column_count, "wrong_column_count"},
    {RowProblem::missing_phone, "missing_phone"},
    {RowProblem::bad_number, "bad_number"},
    {RowProblem::bad_time_zone, "bad_time_zone"},
    {RowProblem::bad_priority, "bad_priority"},
    {RowProblem::oversized_field, "oversized_field"},
    {RowProblem::invalid_utf8, "invalid_utf8"},
    {RowProblem::unterminated_quote, "unterminated_quote"},
}};

/// Where the system's tz database lives (libdate-tz, which calling_hours.cpp
/// uses, reads the same place).
constexpr const char* kZoneInfoDir = "/usr/share/zoneinfo";
/// Most columns a header may have: bounds the memory one row can take.
constexpr std::size_t kMaxColumns = 1024;
constexpr std::size_t kMaxThreads = 8;

// ---------------------------------------------------------------------------
// Text helpers

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// The offset of the first byte that is not valid UTF-8 (overlong forms,
/// surrogates and code points past U+10FFFF included) or is NUL; npos if none.
std::size_t invalid_utf8_at(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c >= 0x01 && c < 0x80) {
      ++i;
      continue;
    }
    if (c == 0) return i;
    std::size_t len = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(b));
  return buf;
}

/// Would a spreadsheet run this cell as a formula? (OWASP "CSV injection".)
bool looks_like_formula(std::string_view s) {
  if (s.empty()) return false;
  const char c = s.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (b < 0x20 || b == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(b));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

using internal::Bom;
using internal::CsvReader;
using internal::CsvRecord;

// ---------------------------------------------------------------------------
// Time zones

/// Region -> its zones, from the tz database's zone.tab.
const std::unordered_map<std::string, std::vector<std::string>>& zones_by_region() {
  static const auto table = [] {
    std::unordered_map<std::string, std::vector<std::string>> out;
    std::ifstream in(std::string(kZoneInfoDir) + "/zone.tab");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      // country-code <TAB> coordinates <TAB> TZ [<TAB> comments]
      const auto t1 = line.find('\t');
      const auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string::npos) continue;
      const auto t3 = line.find('\t', t2 + 1);
      out[line.substr(0, t1)].push_back(line.substr(t2 + 1, t3 == std::string::npos ? t3 : t3 - t2 - 1));
    }
    return out;
  }();
  return table;
}

std::optional<std::string> lookup_time_zone(std::string_view name) {
  if (name.empty() || name.size() > 64) return std::nullopt;
  if (!is_known_time_zone(name)) return std::nullopt;
  // libdate-tz in OS mode keeps links under their own names (US/Eastern);
  // Debian installs them as symlinks, so resolve to the canonical zone, which
  // is what the engine's calling-hours filter matches on. The name was found
  // in the database's own list first, so it is no path the input made up.
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::canonical(kZoneInfoDir, ec);
  if (ec) return std::string(name);
  const std::filesystem::path file = std::filesystem::canonical(dir / std::string(name), ec);
  if (ec) return std::string(name);
  const std::string rel = file.lexically_relative(dir).generic_string();
  if (rel.empty() || rel.starts_with("..")) return std::nullopt;  // "localtime" -> /etc
  return rel;
}

}  // namespace

// ---------------------------------------------------------------------------
// Public helpers

const char* to_string(ExistingLeads e) noexcept { return internal::name_of(kExistingNames, e); }
bool from_string(std::string_view s, ExistingLeads& out) noexcept {
  return internal::parse_name(kExistingNames, s, out);
}
const char* to_string(RowProblem p) noexcept { return internal::name_of(kProblemNames, p); }
bool from_string(std::string_view s, RowProblem& out) noexcept {
  return internal::parse_name(kProblemNames, s, out);
}

std::optional<std::string> canonical_time_zone(std::string_view name) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::optional<std::string>> cache;
  const std::string key(name);
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto found = lookup_time_zone(name);
  std::lock_guard lock(mutex);
  // Bounded: a hostile file must not grow the cache without end.
  if (cache.size() < 4096) cache.emplace(key, found);
  return found;
}

Result<NumberTimeZoneMap> NumberTimeZoneMap::parse(std::string_view text) {
  NumberTimeZoneMap map;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&] {
      return Error{Errc::invalid_argument, "time zone map line " + std::to_string(line_no) +
                                               " is not \"digits|Zone[&Zone...]\": " +
                                               internal::quote_for_detail(line)};
    };
    const auto bar = line.find('|');
    if (bar == std::string_view::npos || bar == 0) return bad();
    const std::string_view prefix = line.substr(0, bar);
    if (!std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return bad();
    }
    std::vector<std::string> zones;
    std::string_view rest = line.substr(bar + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view zone = trim(rest.substr(0, amp));
      if (zone.empty()) return bad();
      zones.emplace_back(zone);
      rest.remove_prefix(amp == std::string_view::npos ? rest.size() : amp + 1);
    }
    if (zones.empty()) return bad();
    map.longest_ = std::max(map.longest_, prefix.size());
    map.by_prefix_[std::string(prefix)] = std::move(zones);
  }
  return map;
}

Result<NumberTimeZoneMap> NumberTimeZoneMap::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Errc::not_found, "cannot open time zone map " + path.string()};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text);
}

const std::vector<std::string>* NumberTimeZoneMap::zones_for(std::string_view e164) const {
  if (!e164.empty() && e164.front() == '+') e164.remove_prefix(1);
  for (std::size_t n = std::min(e164.size(), longest_); n > 0; --n) {
    auto it = by_prefix_.find(e164.substr(0, n));
    if (it != by_prefix_.end()) return &it->second;
  }
  return nullptr;
}

std::string time_zone_for_number(const PhoneNumber& number, const NumberTimeZoneMap* map) {
  if (map != nullptr) {
    if (const auto* zones = map->zones_for(number.e164); zones != nullptr) {
      // A prefix with several zones (an area code across a zone line) gives
      // no answer; the region would not either.
      if (zones->size() != 1) return {};
      return canonical_time_zone(zones->front()).value_or(std::string());
    }
  }
  const auto& regions = zones_by_region();
  auto it = regions.find(number.region);
  if (it == regions.end() || it->second.size() != 1) return {};
  return canonical_time_zone(it->second.front()).value_or(std::string());
}

// ---------------------------------------------------------------------------
// The import

namespace {

/// What each column of the file is.
struct ColumnPlan {
  std::vector<std::string> names;  // trimmed header names
  std::size_t phone = 0;
  std::optional<std::size_t> time_zone;
  std::optional<std::size_t> priority;
  std::optional<std::size_t> external_id;
};

/// One row after the checks that need no other row.
struct PreparedRow {
  std::uint64_t line = 0;
  std::optional<BadRow> bad;
  Lead lead;
  std::string external_id;
  std::vector<std::size_t> formula_columns;
};

Error bad_option(std::string detail) { return Error{Errc::invalid_argument, std::move(detail)}; }

Result<ColumnPlan> plan_columns(const CsvRecord& header, const ImportOptions& options) {
  if (header.unterminated) return bad_option("the header row has an unterminated quote");
  if (header.oversized != std::string::npos || header.field_count > kMaxColumns) {
    return bad_option("the header row is too large (at most " + std::to_string(kMaxColumns) +
                      " columns)");
  }
  ColumnPlan plan;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& raw = header.fields[i];
    if (const auto bad = invalid_utf8_at(raw); bad != std::string::npos) {
      return bad_option("the header is not UTF-8 text (column " + std::to_string(i + 1) +
                        " has byte " + hex_byte(static_cast<unsigned char>(raw[bad])) +
                        "); save the file as UTF-8");
    }
    const std::string_view name = trim(raw);
    if (name.empty()) {
      return bad_option("header column " + std::to_string(i + 1) + " has no name");
    }
    for (std::size_t j = 0; j < plan.names.size(); ++j) {
      if (iequals(plan.names[j], name)) {
        return bad_option("header columns " + std::to_string(j + 1) + " and " +
                          std::to_string(i + 1) + " are both named " +
                          internal::quote_for_detail(name));
      }
    }
    plan.names.emplace_back(name);
  }
  auto find = [&](const std::string& wanted, const char* role) -> Result<std::size_t> {
    const std::string_view w = trim(wanted);
    for (std::size_t i = 0; i < plan.names.size(); ++i) {
      if (iequals(plan.names[i], w)) return i;
    }
    return bad_option(std::string("the ") + role + " column " + internal::quote_for_detail(w) +
                      " is not in the header");
  };
  auto phone = find(options.columns.phone, "phone");
  if (!phone) return std::move(phone).error();
  plan.phone = *phone;
  std::vector<std::size_t> used{plan.phone};
  auto optional_column = [&](const std::string& wanted, const char* role,
                             std::optional<std::size_t>& out) -> Result<void> {
    if (trim(wanted).empty()) return ok();
    auto index = find(wanted, role);
    if (!index) return std::move(index).error();
    if (std::find(used.begin(), used.end(), *index) != used.end()) {
      return bad_option(std::string("the ") + role + " column " +
                        internal::quote_for_detail(wanted) + " is mapped twice");
    }
    used.push_back(*index);
    out = *index;
    return ok();
  };
  if (auto r = optional_column(options.columns.time_zone, "time zone", plan.time_zone); !r) {
    return std::move(r).error();
  }
  if (auto r = optional_column(options.columns.priority, "priority", plan.priority); !r) {
    return std::move(r).error();
  }
  if (auto r = optional_column(options.columns.external_id, "external id", plan.external_id); !r) {
    return std::move(r).error();
  }
  if (plan.external_id) {
    for (std::size_t i = 0; i < plan.names.size(); ++i) {
      if (i != *plan.external_id && iequals(plan.names[i], kExternalIdField)) {
        return bad_option("column " + std::to_string(i + 1) + " is named " +
                          std::string(kExternalIdField) +
                          ", the field the external id column is stored as");
      }
    }
  }
  return plan;
}

class Importer {
 public:
  Importer(LeadStore& store, const ImportOptions& options, std::uint64_t total_bytes)
      : store_(store), options_(options), total_bytes_(total_bytes) {}

  Result<ImportReport> run(std::istream& in) {
    if (auto r = check_options(); !r) return std::move(r).error();
    CsvReader reader(in);
    switch (reader.start()) {
      case Bom::utf16le:
      case Bom::utf16be:
        return bad_option("the input is UTF-16 (it starts with a UTF-16 byte-order mark); "
                          "save it as UTF-8");
      case Bom::utf32le:
      case Bom::utf32be:
        return bad_option("the input is UTF-32 (it starts with a UTF-32 byte-order mark); "
                          "save it as UTF-8");
      case Bom::none:
      case Bom::utf8: break;
    }
    CsvRecord header;
    do {
      if (!reader.next(header, kMaxColumns + 1, options_.max_field_size)) {
        if (reader.read_failed()) return Error{Errc::unavailable, "reading the input failed"};
        return bad_option("the input is empty: a header row is needed");
      }
    } while (header.blank);
    auto columns = plan_columns(header, options_);
    if (!columns) return std::move(columns).error();
    columns_ = std::move(*columns);

    const std::size_t width = columns_.names.size();
    // Reads up to a batch of non-blank records; false once the input is done.
    auto read_batch = [&](std::vector<CsvRecord>& records, Batch& batch) {
      batch.rows = 0;
      bool more = true;
      while (batch.rows < records.size()) {
        if (!reader.next(records[batch.rows], width + 1, options_.max_field_size)) {
          more = false;
          break;
        }
        if (!records[batch.rows].blank) ++batch.rows;
      }
      batch.bytes = reader.consumed();
      batch.read_failed = reader.read_failed();
      return more;
    };

    // With helper threads the next batch is read and its rows checked and
    // normalised while this one is stored; the calling thread joins in once
    // its store call returns, so every thread normalises when the store is
    // quick, and libphonenumber's time and the store's overlap when it is not.
    const std::size_t helpers = threads_ - 1;
    std::array<std::vector<CsvRecord>, 2> records;
    for (auto& r : records) r.resize(options_.batch_size);
    std::array<Batch, 2> batches;
    std::size_t slot = 0;
    bool more = read_batch(records[slot], batches[slot]);
    // After `records`: destroyed (its helpers joined) before the records go.
    auto next = std::make_unique<Preparation>(*this, records[slot], batches[slot].rows, helpers);
    for (;;) {
      const Batch batch = batches[slot];
      std::vector<PreparedRow> prepared = next->finish();
      next.reset();
      if (batch.read_failed) {
        report_.stopped = Error{Errc::unavailable, "reading the input failed after " +
                                                       std::to_string(batch.bytes) +
                                                       " bytes; rows before it are stored"};
        break;
      }
      const bool last = !more;
      if (more) {
        more = read_batch(records[slot ^ 1], batches[slot ^ 1]);
        next = std::make_unique<Preparation>(*this, records[slot ^ 1], batches[slot ^ 1].rows,
                                             helpers);
      }
      report_.rows_read += batch.rows;
      store_batch(prepared);
      report_.bytes_read = batch.bytes;
      if (options_.progress) {
        options_.progress(ImportProgress{report_.rows_read, report_.bytes_read, total_bytes_});
      }
      if (report_.stopped || last) break;
      slot ^= 1;
    }
    return std::move(report_);
  }

 private:
  struct Batch {
    std::size_t rows = 0;
    std::uint64_t bytes = 0;
    bool read_failed = false;
  };

  Result<void> check_options() {
    if (!options_.campaign.valid()) return bad_option("the import needs a campaign id");
    if (auto r = validate_plan(options_.plan); !r) return std::move(r).error();
    if (options_.batch_size == 0) return bad_option("batch_size must be at least 1");
    if (options_.max_field_size == 0) return bad_option("max_field_size must be at least 1");
    if (trim(options_.columns.phone).empty()) return bad_option("the phone column needs a name");
    if (!options_.default_time_zone.empty()) {
      auto zone = canonical_time_zone(options_.default_time_zone);
      if (!zone) {
        return bad_option("default time zone " +
                          internal::quote_for_detail(options_.default_time_zone) +
                          " is not in the tz database");
      }
      default_zone_ = *zone;
    }
    threads_ = options_.threads;
    if (threads_ == 0) {
      threads_ = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxThreads);
    }
    return ok();
  }

  BadRow bad(const CsvRecord& rec, RowProblem problem, std::size_t column, std::string detail,
             std::string rule = {}) const {
    BadRow b;
    b.line = rec.line;
    b.problem = problem;
    if (column < columns_.names.size()) b.column = columns_.names[column];
    b.detail = std::move(detail);
    b.rule = std::move(rule);
    return b;
  }

  static constexpr std::size_t kWholeRow = std::numeric_limits<std::size_t>::max();

  /// The checks of one row that need no other row. Moves the record's fields.
  void prepare_row(CsvRecord& rec, PreparedRow& out) const {
    out.line = rec.line;
    const std::size_t width = columns_.names.size();
    if (rec.unterminated) {
      out.bad = bad(rec, RowProblem::unterminated_quote, kWholeRow,
                    "a quoted field is still open at the end of the input");
      return;
    }
    if (rec.oversized != std::string::npos && rec.oversized < width) {
      out.bad = bad(rec, RowProblem::oversized_field, rec.oversized,
                    "the field is longer than " + std::to_string(options_.max_field_size) +
                        " bytes");
      return;
    }
    if (rec.field_count != width) {
      out.bad = bad(rec, RowProblem::wrong_column_count, kWholeRow,
                    "the row has " + std::to_string(rec.field_count) + " fields, the header " +
                        std::to_string(width));
      return;
    }
    for (std::size_t i = 0; i < width; ++i) {
      const std::string& f = rec.fields[i];
      if (const auto at = invalid_utf8_at(f); at != std::string::npos) {
        const auto byte = static_cast<unsigned char>(f[at]);
        out.bad = bad(rec, RowProblem::invalid_utf8, i,
                      byte == 0 ? "the field holds a NUL byte at offset " + std::to_string(at)
                                : "byte " + hex_byte(byte) + " at offset " + std::to_string(at) +
                                      " is not UTF-8; save the file as UTF-8");
        return;
      }
    }

    const std::string& raw_phone = rec.fields[columns_.phone];
    if (trim(raw_phone).empty()) {
      out.bad = bad(rec, RowProblem::missing_phone, columns_.phone, "the phone number is empty");
      return;
    }
    auto phone = normalize_number(raw_phone, options_.plan);
    if (!phone) {
      const Error& e = phone.error();
      std::string rule = e.code.category() == dial_rule_category()
                             ? to_string(static_cast<DialRule>(e.code.value()))
                             : std::string(to_string(static_cast<Errc>(e.code.value())));
      out.bad = bad(rec, RowProblem::bad_number, columns_.phone, e.detail, std::move(rule));
      return;
    }

    std::string zone;
    if (columns_.time_zone) {
      const std::string_view cell = trim(rec.fields[*columns_.time_zone]);
      if (!cell.empty()) {
        auto found = canonical_time_zone(cell);
        if (!found) {
          out.bad = bad(rec, RowProblem::bad_time_zone, *columns_.time_zone,
                        internal::quote_for_detail(cell) + " is not a time zone of the tz database");
          return;
        }
        zone = std::move(*found);
      }
    }
    if (zone.empty()) zone = time_zone_for_number(*phone, options_.number_time_zones.get());
    if (zone.empty()) zone = default_zone_;

    std::int32_t priority = 0;
    if (columns_.priority) {
      std::string_view cell = trim(rec.fields[*columns_.priority]);
      if (!cell.empty()) {
        std::string_view digits = cell;
        if (digits.front() == '+') digits.remove_prefix(1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), priority);
        if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) {
          out.bad = bad(rec, RowProblem::bad_priority, *columns_.priority,
                        internal::quote_for_detail(cell) + " is not a 32-bit integer");
          return;
        }
      }
    }

    Lead& lead = out.lead;
    lead.campaign = options_.campaign;
    lead.phone = std::move(*phone);
    lead.time_zone = std::move(zone);
    lead.priority = priority;
    lead.fields.reserve(width);
    for (std::size_t i = 0; i < width; ++i) {
      if (i == columns_.phone || i == columns_.time_zone || i == columns_.priority) continue;
      if (i == columns_.external_id) {
        out.external_id = std::string(trim(rec.fields[i]));
        lead.fields.emplace_back(std::string(kExternalIdField), out.external_id);
      } else {
        lead.fields.emplace_back(columns_.names[i], std::move(rec.fields[i]));
      }
      if (looks_like_formula(lead.fields.back().second)) out.formula_columns.push_back(i);
    }
  }

  /// prepare_row over the first n records of a batch, on `helpers` threads
  /// of its own started at once, and on the caller's thread in finish():
  /// rows are taken in chunks from a shared counter, so whoever is free
  /// works, and the caller can store the previous batch first.
  class Preparation {
   public:
    Preparation(const Importer& importer, std::vector<CsvRecord>& records, std::size_t n,
                std::size_t helpers)
        : importer_(importer), records_(records), out_(n), chunks_((n + kChunk - 1) / kChunk),
          failures_(helpers) {
      helpers = std::min(helpers, chunks_ > 0 ? chunks_ - 1 : 0);
      helpers_.reserve(helpers);
      for (std::size_t t = 0; t < helpers; ++t) {
        helpers_.emplace_back([this, t] {
          try {
            work();
          } catch (...) {
            failures_[t] = std::current_exception();
          }
        });
      }
    }
    Preparation(const Preparation&) = delete;
    Preparation& operator=(const Preparation&) = delete;
    ~Preparation() {
      next_.store(chunks_);  // helpers stop after their current chunk
    }

    /// Works on what is left, waits for the helpers, returns the rows.
    std::vector<PreparedRow> finish() {
      work();
      helpers_.clear();  // joins
      for (const auto& f : failures_) {
        if (f) std::rethrow_exception(f);  // caught in import_leads: out of memory
      }
      return std::move(out_);
    }

   private:
    static constexpr std::size_t kChunk = 64;

    void work() {
      for (;;) {
        const std::size_t chunk = next_.fetch_add(1);
        if (chunk >= chunks_) return;
        const std::size_t last = std::min(out_.size(), (chunk + 1) * kChunk);
        for (std::size_t i = chunk * kChunk; i < last; ++i) {
          importer_.prepare_row(records_[i], out_[i]);
        }
      }
    }

    const Importer& importer_;
    std::vector<CsvRecord>& records_;
    std::vector<PreparedRow> out_;
    const std::size_t chunks_;
    std::atomic<std::size_t> next_{0};
    std::vector<std::exception_ptr> failures_;
    std::vector<std::jthread> helpers_;  // last: joined before the rest goes
  };

  template <class T>
  void list(std::vector<T>& v, T item) {
    if (v.size() < options_.max_listed) {
      v.push_back(std::move(item));
    } else {
      report_.truncated = true;
    }
  }

  /// The sequential part: duplicates within the file, then one lookup of the
  /// stored leads for the whole batch, then one add_leads call.
  void store_batch(std::vector<PreparedRow>& rows) {
    struct Pending {
      std::size_t row;
      bool update;
      std::string key;
    };
    std::vector<DuplicateInFile> dups;
    std::vector<ExistingMatch> matches;

    // Rows that pass the file's own duplicate checks, and their numbers' last
    // ten digits for the lookup.
    std::vector<std::size_t> candidates;
    std::vector<std::string> suffixes;
    candidates.reserve(rows.size());
    suffixes.reserve(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      PreparedRow& row = rows[r];
      if (row.bad) {
        ++report_.bad_rows;
        list(report_.bad, std::move(*row.bad));
        continue;
      }
      const Lead& lead = row.lead;
      // A skipped row claims neither key: a later row is named a duplicate of
      // the row that holds it.
      if (auto it = seen_numbers_.find(lead.phone.e164); it != seen_numbers_.end()) {
        dups.push_back({row.line, it->second, "phone", lead.phone.e164});
        continue;
      }
      if (!row.external_id.empty()) {
        if (auto it = seen_external_.find(row.external_id); it != seen_external_.end()) {
          dups.push_back({row.line, it->second, "external_id", row.external_id});
          continue;
        }
        seen_external_.emplace(row.external_id, row.line);
      }
      seen_numbers_.emplace(lead.phone.e164, row.line);
      candidates.push_back(r);
      suffixes.push_back(last_ten_digits(lead.phone.e164));
    }

    // Numbers already stored: one query for the batch (stores that cannot do
    // better answer number by number through the port's default).
    std::vector<std::optional<Lead>> stored;
    if (!candidates.empty()) {
      auto found = store_.find_leads_by_phone(suffixes, options_.campaign);
      if (found && found->size() != suffixes.size()) {
        found = Error{Errc::storage_error, "the store answered " + std::to_string(found->size()) +
                                               " of " + std::to_string(suffixes.size()) +
                                               " numbers"};
      }
      if (!found) {
        stop(found.error(), rows[candidates.front()].line, rows[candidates.back()].line);
        // Rows of this batch were counted as bad or duplicates above; those
        // counts stay true of the file.
        report_.duplicates_in_file += dups.size();
        for (auto& d : dups) list(report_.duplicates, std::move(d));
        return;
      }
      stored = std::move(found).value();
    }

    std::vector<Lead> leads;
    std::vector<Pending> pending;
    leads.reserve(candidates.size());
    pending.reserve(candidates.size());
    std::uint64_t first_line = 0;
    std::uint64_t last_line = 0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const std::size_t r = candidates[c];
      PreparedRow& row = rows[r];
      Lead& lead = row.lead;
      const std::optional<Lead>& existing = stored[c];
      bool update = false;
      if (existing && existing->campaign == lead.campaign && existing->phone.e164 == lead.phone.e164) {
        const std::string_view stored_external = existing->field(kExternalIdField);
        const bool other_person = !row.external_id.empty() && !stored_external.empty() &&
                                  stored_external != row.external_id;
        if (other_person || options_.existing == ExistingLeads::skip) {
          ++report_.duplicates_existing;
          matches.push_back({row.line, existing->id, "phone", false});
          continue;
        }
        lead.id = existing->id;
        update = true;
      }
      if (first_line == 0) first_line = row.line;
      last_line = row.line;
      pending.push_back({r, update, {}});
      leads.push_back(std::move(lead));
    }

    if (!leads.empty()) {
      auto ids = store_.add_leads(leads, options_.now);
      if (!ids) {
        Error e = std::move(ids).error();
        e.detail = "the batch of rows at lines " + std::to_string(first_line) + "-" +
                   std::to_string(last_line) + " was not stored (" + e.detail + "); " +
                   std::to_string(report_.imported + report_.updated) +
                   " leads stored before it are kept";
        report_.stopped = std::move(e);
        // Rows of the failed batch were counted as bad or duplicates above;
        // those counts stay true of the file.
        report_.duplicates_in_file += dups.size();
        for (auto& d : dups) list(report_.duplicates, std::move(d));
        return;
      }
      for (std::size_t i = 0; i < pending.size(); ++i) {
        const PreparedRow& row = rows[pending[i].row];
        const Lead& lead = leads[i];
        if (pending[i].update) {
          ++report_.updated;
          matches.push_back({row.line, (*ids)[i], "phone", true});
        } else {
          ++report_.imported;
        }
        if (lead.time_zone.empty()) {
          ++report_.unknown_time_zone;
          list(report_.unknown_time_zone_lines, row.line);
        }
        for (std::size_t column : row.formula_columns) {
          ++report_.formula_cells;
          list(report_.formulas, FlaggedCell{row.line, columns_.names[column]});
        }
      }
    }
    report_.duplicates_in_file += dups.size();
    for (auto& d : dups) list(report_.duplicates, std::move(d));
    std::sort(matches.begin(), matches.end(),
              [](const ExistingMatch& a, const ExistingMatch& b) { return a.line < b.line; });
    for (auto& m : matches) list(report_.existing, std::move(m));
  }

  /// A failed lookup of stored leads: the batch is named by its first and
  /// last row looked up.
  void stop(const Error& e, std::uint64_t first_line, std::uint64_t last_line) {
    const std::string where = first_line == last_line
                                  ? "the row at line " + std::to_string(first_line)
                                  : "the rows from line " + std::to_string(first_line) +
                                        " to line " + std::to_string(last_line);
    report_.stopped = Error{e.code, "looking up the stored leads of " + where + " failed (" +
                                        e.detail + "); " +
                                        std::to_string(report_.imported + report_.updated) +
                                        " leads stored before them are kept"};
  }

  LeadStore& store_;
  const ImportOptions& options_;
  std::uint64_t total_bytes_;
  std::size_t threads_ = 1;
  std::string default_zone_;
  ColumnPlan columns_;
  ImportReport report_;
  std::unordered_map<std::string, std::uint64_t> seen_numbers_;
  std::unordered_map<std::string, std::uint64_t> seen_external_;
};

Result<ImportReport> run_import(LeadStore& store, std::istream& csv, const ImportOptions& options,
                                std::uint64_t total_bytes) {
  try {
    return Importer(store, options, total_bytes).run(csv);
  } catch (const std::bad_alloc&) {
    return Error{Errc::unavailable, "out of memory while importing"};
  } catch (const std::exception& e) {
    // Nothing here throws by design; a store or callback that does must not
    // unwind through the caller's Result-based code.
    return Error{Errc::storage_error, std::string("the import failed: ") + e.what()};
  }
}

}  // namespace

Result<ImportReport> import_leads(LeadStore& store, std::istream& csv,
                                  const ImportOptions& options) {
  std::uint64_t total = 0;
  const auto here = csv.tellg();
  if (here != std::istream::pos_type(-1)) {
    csv.seekg(0, std::ios::end);
    const auto end = csv.tellg();
    if (end != std::istream::pos_type(-1) && end >= here) {
      total = static_cast<std::uint64_t>(end - here);
    }
    csv.seekg(here);
  }
  csv.clear(csv.rdstate() & ~std::ios::failbit);
  return run_import(store, csv, options, total);
}

Result<ImportReport> import_leads(LeadStore& store, const std::filesystem::path& csv,
                                  const ImportOptions& options) {
  std::ifstream in(csv, std::ios::binary);
  if (!in) return Error{Errc::not_found, "cannot open " + csv.string()};
  std::error_code ec;
  const auto size = std::filesystem::file_size(csv, ec);
  return run_import(store, in, options, ec ? 0 : static_cast<std::uint64_t>(size));
}

// ---------------------------------------------------------------------------
// The report as JSON

std::string ImportReport::to_json() const {
  std::string out = "{";
  auto number = [&out](const char* name, std::uint64_t v) {
    out += '"';
    out += name;
    out += "\":";
    out += std::to_string(v);
    out += ',';
  };
  number("rows_read", rows_read);
  number("imported", imported);
  number("updated", updated);
  number("duplicates_in_file", duplicates_in_file);
  number("duplicates_existing", duplicates_existing);
  number("bad_rows", bad_rows);
  number("unknown_time_zone", unknown_time_zone);
  number("formula_cells", formula_cells);
  number("bytes_read", bytes_read);
  out += "\"truncated\":";
  out += truncated ? "true" : "false";
  out += ",\"stopped\":";
  if (stopped) {
    out += "{\"code\":";
    json_string(out, stopped->code.category() == dialer_category()
                         ? to_string(static_cast<Errc>(stopped->code.value()))
                         : stopped->code.message());
    out += ",\"detail\":";
    json_string(out, stopped->detail);
    out += '}';
  } else {
    out += "null";
  }
  auto array = [&out](const char* name, const auto& items, auto&& write) {
    out += ",\"";
    out += name;
    out += "\":[";
    bool first = true;
    for (const auto& item : items) {
      if (!first) out += ',';
      first = false;
      write(item);
    }
    out += ']';
  };
  array("bad", bad, [&](const BadRow& b) {
    out += "{\"line\":" + std::to_string(b.line) + ",\"problem\":";
    json_string(out, to_string(b.problem));
    out += ",\"column\":";
    json_string(out, b.column);
    out += ",\"detail\":";
    json_string(out, b.detail);
    if (!b.rule.empty()) {
      out += ",\"rule\":";
      json_string(out, b.rule);
    }
    out += '}';
  });
  array("duplicates", duplicates, [&](const DuplicateInFile& d) {
    out += "{\"line\":" + std::to_string(d.line) + ",\"first_line\":" +
           std::to_string(d.first_line) + ",\"key\":";
    json_string(out, d.key);
    out += ",\"value\":";
    json_string(out, d.value);
    out += '}';
  });
  array("existing", existing, [&](const ExistingMatch& m) {
    out += "{\"line\":" + std::to_string(m.line) + ",\"lead\":" + std::to_string(m.lead.value) +
           ",\"key\":";
    json_string(out, m.key);
    out += ",\"updated\":";
    out += m.updated ? "true" : "false";
    out += '}';
  });
  array("unknown_time_zone_lines", unknown_time_zone_lines,
        [&](std::uint64_t line) { out += std::to_string(line); });
  array("formulas", formulas, [&](const FlaggedCell& f) {
    out += "{\"line\":" + std::to_string(f.line) + ",\"column\":";
    json_string(out, f.column);
    out += '}';
  });
  out += '}';
  return out;
}

}  // namespace dialer
