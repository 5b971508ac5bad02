// A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, line breaks
// inside quotes, CRLF, LF or CR line ends, a byte-order mark at the start.
// Bounded memory: a field longer than the limit is dropped as it is read (only
// its index is kept), and fields past a count are counted, not kept.
// Lenient where spreadsheets are: a quote inside an unquoted field is text, and
// text after a closing quote is appended ("ab"cd reads as abcd).
// Used by lead_import.cpp and benchmarks/import_bench.cpp. Never installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <utility>
#include <vector>

namespace dialer::internal {

/// One record as read. Fields past `max_fields` are counted, not kept; a field
/// longer than the limit is kept empty and its index noted.
struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t field_count = 0;
  std::uint64_t line = 0;
  std::size_t oversized = std::string::npos;
  bool unterminated = false;
  bool blank = false;
};

enum class Bom { none, utf8, utf16le, utf16be, utf32le, utf32be };

class CsvReader {
 public:
  /// Bytes read from the input at a time.
  static constexpr std::size_t kChunkSize = 256 * 1024;

  explicit CsvReader(std::istream& in) : in_(in), buf_(kChunkSize) {}

  /// Reads the start of the input and skips a UTF-8 byte-order mark.
  Bom start() {
    while (end_ < 4 && fill_more()) {
    }
    const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
    const std::size_t n = end_;
    if (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) return Bom::utf32le;
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) return Bom::utf32be;
    if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE) return Bom::utf16le;
    if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF) return Bom::utf16be;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
      pos_ = 3;
      consumed_ = 3;
      return Bom::utf8;
    }
    return Bom::none;
  }

  /// The next record; false at the end of the input.
  bool next(CsvRecord& rec, std::size_t max_fields, std::size_t max_field_size) {
    rec.fields.clear();
    rec.field_count = 0;
    rec.oversized = std::string::npos;
    rec.unterminated = false;
    rec.blank = false;
    rec.line = line_;
    if (!ensure()) return false;
    max_field_ = max_field_size;
    for (;;) {
      field_.clear();
      over_ = false;
      int end = 0;
      if (buf_[pos_] == '"') {
        take();
        end = quoted();
      } else {
        end = unquoted();
      }
      if (rec.field_count == 0 && end != ',' && field_.empty() && !over_ && !quoted_) {
        // Nothing on the line at all.
        rec.blank = true;
        rec.field_count = 1;
        return true;
      }
      if (over_ && rec.oversized == std::string::npos) rec.oversized = rec.field_count;
      if (over_) std::string().swap(field_);
      if (rec.fields.size() < max_fields) rec.fields.push_back(std::move(field_));
      ++rec.field_count;
      if (end == kUnterminated) {
        rec.unterminated = true;
        return true;
      }
      if (end != ',') return true;
      if (!ensure()) return true;  // "a,b," at the very end: a last empty field
    }
  }

  std::uint64_t consumed() const { return consumed_; }
  bool read_failed() const { return in_.bad(); }

 private:
  static constexpr int kEof = -1;
  static constexpr int kUnterminated = -2;

  bool fill_more() {
    if (end_ == buf_.size()) return false;
    in_.read(buf_.data() + end_, static_cast<std::streamsize>(buf_.size() - end_));
    const auto got = static_cast<std::size_t>(in_.gcount());
    end_ += got;
    return got > 0;
  }

  /// At least one byte buffered; false at the end of the input.
  bool ensure() {
    if (pos_ < end_) return true;
    pos_ = 0;
    end_ = 0;
    if (!in_.good()) return false;
    return fill_more();
  }

  void take() {
    ++pos_;
    ++consumed_;
  }

  void append(const char* p, std::size_t n) {
    if (over_) return;
    if (field_.size() + n > max_field_) {
      over_ = true;
      return;
    }
    field_.append(p, n);
  }

  /// Consumes a line break whose first byte is at pos_.
  void line_break() {
    const char c = buf_[pos_];
    take();
    if (c == '\r' && ensure() && buf_[pos_] == '\n') take();
    ++line_;
  }

  /// Reads an unquoted field (or the rest of a field after its closing quote);
  /// returns the delimiter that ended it: ',', '\n' or kEof.
  int unquoted() {
    quoted_ = false;
    for (;;) {
      if (!ensure()) return kEof;
      const char* start = buf_.data() + pos_;
      const char* stop = buf_.data() + end_;
      const char* p = start;
      while (p != stop && *p != ',' && *p != '\n' && *p != '\r') ++p;
      const auto n = static_cast<std::size_t>(p - start);
      append(start, n);
      pos_ += n;
      consumed_ += n;
      if (p == stop) continue;
      if (*p == ',') {
        take();
        return ',';
      }
      line_break();
      return '\n';
    }
  }

  /// Reads a quoted field after its opening quote.
  int quoted() {
    quoted_ = true;
    for (;;) {
      if (!ensure()) return kUnterminated;
      const char* start = buf_.data() + pos_;
      const char* stop = buf_.data() + end_;
      const char* p = start;
      while (p != stop && *p != '"' && *p != '\n' && *p != '\r') ++p;
      const auto n = static_cast<std::size_t>(p - start);
      append(start, n);
      pos_ += n;
      consumed_ += n;
      if (p == stop) continue;
      const char c = *p;
      take();
      if (c == '"') {
        if (ensure() && buf_[pos_] == '"') {
          take();
          append("\"", 1);
          continue;
        }
        // The closing quote. Anything up to the next delimiter is kept as
        // text ("ab"cd reads as abcd), as most spreadsheet readers do.
        const int end = unquoted();
        quoted_ = true;
        return end;
      }
      // A line break inside the field is part of its text.
      append(&c, 1);
      if (c == '\r') {
        if (ensure() && buf_[pos_] == '\n') {
          take();
          append("\n", 1);
        }
      }
      ++line_;
    }
  }

  std::istream& in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint64_t line_ = 1;
  std::string field_;
  std::size_t max_field_ = 0;
  bool over_ = false;
  bool quoted_ = false;
};

}  // namespace dialer::internal
