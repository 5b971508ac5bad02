// CSV lead import: reads leads from a CSV file (RFC 4180, UTF-8) into a
// LeadStore for one campaign, and reports what it did with every row.
//
// Each row's phone number is normalised with normalize_number against the
// campaign's NumberPlan; its time zone comes from a column of the file (an IANA
// name the system's tz database knows) or else from the number; rows are
// written in batches through LeadStore::add_leads. Bad rows are reported with
// their line number and a reason while the good rows load. Importing the same
// file again updates the leads it created instead of adding new ones.
//
// Text cells are stored as they are. A cell that a spreadsheet would run as a
// formula (it starts with = + - @, a tab or a carriage return) is flagged in
// the report; whatever exports leads to CSV later must neutralise such cells
// (prefix a single quote). See docs/lead-import.md.
//
// Called by: embedders, the Python binding (dialer.import_leads) and the
// dialer-import tool. Thread-safety: import_leads may run on any thread; it
// calls the store and the progress callback from that thread only, and uses
// `threads - 1` short-lived helper threads of its own for normalisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"
#include "dialer/phone_number.hpp"
#include "dialer/store.hpp"

namespace dialer {

/// The Lead field under which a row's external id ("vendor lead code") is kept.
inline constexpr std::string_view kExternalIdField = "external_id";

/// Which CSV columns have a meaning of their own. Names are matched against the
/// header row ignoring ASCII case and surrounding spaces. Every column not named
/// here becomes a Lead field, named by its header, in file order.
struct ImportColumns {
  /// The phone number. Required; default "phone".
  std::string phone = "phone";
  /// An IANA time zone name per row; empty cells fall back to the number's.
  /// Empty (default): no such column.
  std::string time_zone;
  /// A signed 32-bit priority per row (Lead::priority); empty cells mean 0.
  /// Empty (default): no such column.
  std::string priority;
  /// The lead's id in the system it came from. Stored as field
  /// kExternalIdField; a re-import matches leads by it. Empty (default): none.
  std::string external_id;
};

/// What to do with a row whose number (or external id) is already a lead of the
/// campaign.
enum class ExistingLeads {
  /// Replace the stored lead with the row (same id; its queue row is kept).
  update,
  /// Leave the stored lead alone; the row is reported as a duplicate.
  skip,
};
const char* to_string(ExistingLeads e) noexcept;
bool from_string(std::string_view s, ExistingLeads& out) noexcept;

/// Where an import is, for a progress bar.
struct ImportProgress {
  /// Data rows read so far (good and bad; the header is not counted).
  std::uint64_t rows_read = 0;
  /// Bytes of the input consumed so far.
  std::uint64_t bytes_read = 0;
  /// The input's size in bytes, or 0 when it cannot be known (a pipe).
  std::uint64_t total_bytes = 0;
};

/// A map from E.164 number prefixes to IANA time zones, in the format of
/// libphonenumber's resources/timezones/map_data.txt: one "prefix|Zone&Zone"
/// per line (prefix = country code and leading digits, no '+'); '#' starts a
/// comment. Debian's libphonenumber is built without its time zone mapper, so
/// the data comes from a file the operator supplies (see docs/lead-import.md).
class NumberTimeZoneMap {
 public:
  /// Errors: Errc::not_found (no such file), Errc::invalid_argument (a line
  /// that is not "digits|zone[&zone...]", with its line number).
  static Result<NumberTimeZoneMap> load(const std::filesystem::path& path);
  /// The same, from text.
  static Result<NumberTimeZoneMap> parse(std::string_view text);

  /// The zones of the longest prefix of `e164` (with or without '+') that the
  /// map has; empty if none.
  const std::vector<std::string>* zones_for(std::string_view e164) const;
  std::size_t size() const { return by_prefix_.size(); }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> by_prefix_;
  std::size_t longest_ = 0;
};

struct ImportOptions {
  /// The campaign the leads are for. Required.
  CampaignId campaign;
  /// How numbers are normalised and which regions are allowed (the campaign's plan).
  NumberPlan plan;
  ImportColumns columns;
  /// Time zone for rows that have none in the data and whose number does not
  /// tell one. Must be an IANA name or empty (default: empty = unknown; such
  /// leads are kept, flagged in the report, and the engine does not call them).
  std::string default_time_zone;
  /// Prefix-to-zone data for numbers whose region spans several zones (NANP
  /// area codes). Null (default): only single-zone regions get a zone.
  std::shared_ptr<const NumberTimeZoneMap> number_time_zones;
  ExistingLeads existing = ExistingLeads::update;
  /// Rows per LeadStore::add_leads call (one transaction). Default 5000: on
  /// 100,000 rows, 1.2x the rows/s of 1000 on SQLite and 1.35x on PostgreSQL
  /// (docs/lead-import.md); much larger batches leave the normalising threads
  /// less to overlap with the writes.
  std::size_t batch_size = 5000;
  /// Longest field accepted, in bytes; a longer one refuses its row and is not
  /// kept in memory beyond this size. Default 64 KiB.
  std::size_t max_field_size = 64 * 1024;
  /// Threads that normalise numbers, the calling one included. 0 (default):
  /// one per hardware thread, at most 8.
  std::size_t threads = 0;
  /// Most entries kept in each list of the report; the counts stay exact.
  /// Default 10,000.
  std::size_t max_listed = 10'000;
  /// Called after each batch and once at the end, from the importing thread.
  std::function<void(const ImportProgress&)> progress;
  /// When the new leads' queue rows become ready (LeadStore::add_leads `now`).
  WallTime now{};
};

/// Why a row was refused.
enum class RowProblem {
  /// More or fewer fields than the header has.
  wrong_column_count,
  /// The phone cell is empty.
  missing_phone,
  /// normalize_number refused the number; the detail names the DialRule.
  bad_number,
  /// The time zone cell is not an IANA name the tz database knows.
  bad_time_zone,
  /// The priority cell is not a 32-bit integer.
  bad_priority,
  /// A field is longer than ImportOptions::max_field_size.
  oversized_field,
  /// A field is not valid UTF-8 or holds a NUL byte. The encoding is not guessed.
  invalid_utf8,
  /// A quoted field is still open at the end of the input.
  unterminated_quote,
};
const char* to_string(RowProblem p) noexcept;
bool from_string(std::string_view s, RowProblem& out) noexcept;

/// A refused row. Lines are 1-based physical lines of the input (the header
/// is line 1); a row with newlines in quoted fields is named by its first line.
struct BadRow {
  std::uint64_t line = 0;
  RowProblem problem = RowProblem::wrong_column_count;
  /// The column at fault, by header name; empty for whole-row problems.
  std::string column;
  /// For people: what was wrong, quoting at most 40 bytes of the input.
  std::string detail;
  /// For bad_number: the DialRule's name ("number_invalid_character", ...).
  std::string rule;
};

/// A row skipped because an earlier row of the same file has its number or
/// external id.
struct DuplicateInFile {
  std::uint64_t line = 0;
  std::uint64_t first_line = 0;
  /// "phone" or "external_id".
  std::string key;
  /// The E.164 number or the external id.
  std::string value;
};

/// A row whose number or external id is already a lead of the campaign.
struct ExistingMatch {
  std::uint64_t line = 0;
  LeadId lead;
  /// "phone" or "external_id".
  std::string key;
  /// True if the row replaced the lead; false if it was skipped (ExistingLeads::skip,
  /// or the stored lead has another external id: a different person's number).
  bool updated = false;
};

/// A stored cell that a spreadsheet would treat as a formula.
struct FlaggedCell {
  std::uint64_t line = 0;
  std::string column;
};

/// What an import did. Counts are exact; lists hold at most
/// ImportOptions::max_listed entries each.
struct ImportReport {
  /// Data rows read (the header and blank lines not counted).
  std::uint64_t rows_read = 0;
  /// New leads stored.
  std::uint64_t imported = 0;
  /// Existing leads replaced (re-import).
  std::uint64_t updated = 0;
  /// Rows skipped as duplicates within the file.
  std::uint64_t duplicates_in_file = 0;
  /// Rows skipped because the campaign already has the lead.
  std::uint64_t duplicates_existing = 0;
  std::uint64_t bad_rows = 0;
  /// Stored leads with no time zone (the engine will not call them).
  std::uint64_t unknown_time_zone = 0;
  /// Stored cells that look like formulas.
  std::uint64_t formula_cells = 0;
  std::uint64_t bytes_read = 0;

  std::vector<BadRow> bad;
  std::vector<DuplicateInFile> duplicates;
  std::vector<ExistingMatch> existing;
  /// Lines of stored rows whose time zone is unknown.
  std::vector<std::uint64_t> unknown_time_zone_lines;
  std::vector<FlaggedCell> formulas;
  /// True if some list was cut at max_listed.
  bool truncated = false;

  /// Set when the import stopped early: a batch the store refused
  /// (Errc::storage_error, Errc::invalid_argument) or an input read error.
  /// Batches before it are committed; nothing after it was written.
  std::optional<Error> stopped;

  /// The report as a JSON object (UTF-8; cell text never appears in it
  /// except through `detail`, which is escaped).
  std::string to_json() const;
};

/// Imports a CSV stream. Blank lines are skipped; a UTF-8 byte-order mark is
/// skipped; a UTF-16 or UTF-32 one refuses the import.
/// Returns the report, also when the import stopped early (see
/// ImportReport::stopped). Errors (nothing was imported): Errc::invalid_argument
/// (bad options, no header row, a mapped column missing from the header, a
/// duplicate or empty column name, UTF-16 input).
Result<ImportReport> import_leads(LeadStore& store, std::istream& csv,
                                  const ImportOptions& options);

/// The same, from a file; total_bytes in the progress is its size.
/// Errors: also Errc::not_found (no such file).
Result<ImportReport> import_leads(LeadStore& store, const std::filesystem::path& csv,
                                  const ImportOptions& options);

/// Whether `name` is a time zone of the system's tz database ("Europe/Paris",
/// or a link such as "US/Eastern"), and its canonical name. nullopt if not.
std::optional<std::string> canonical_time_zone(std::string_view name);

/// The time zone of a normalised number: the zone of its longest prefix in
/// `map` if that prefix has exactly one, else the only zone of its region in
/// the tz database's zone.tab, else empty (unknown).
std::string time_zone_for_number(const PhoneNumber& number, const NumberTimeZoneMap* map);

}  // namespace dialer
