// lead_import.hpp: CSV lead import.
#include <pybind11/functional.h>
#include <pybind11/stl/filesystem.h>

#include <istream>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>

#include "bindings.hpp"
#include "dialer/lead_import.hpp"

namespace dialer::python {
namespace {

/// A Python file object (binary or text) as a std::streambuf. Reads take the
/// GIL; a raised exception ends the input and is re-raised after the import.
class PyFileBuf final : public std::streambuf {
 public:
  explicit PyFileBuf(py::object file) : read_(file.attr("read")) {}
  ~PyFileBuf() override {
    py::gil_scoped_acquire gil;
    read_ = py::object();
  }
  std::optional<py::error_already_set> error;

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    py::gil_scoped_acquire gil;
    try {
      const py::object chunk = read_(1 << 16);
      // str chunks (a text-mode file) are encoded as UTF-8.
      data_ = py::isinstance<py::str>(chunk) ? chunk.cast<std::string>()
                                             : std::string(py::bytes(chunk));
    } catch (py::error_already_set& e) {
      if (!error) error = std::move(e);
      data_.clear();
    }
    if (data_.empty()) return traits_type::eof();
    setg(data_.data(), data_.data(), data_.data() + data_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  py::object read_;
  std::string data_;
};

ImportReport import_from(LeadStore& store, const py::object& source, const ImportOptions& options) {
  Result<ImportReport> report = Error{};
  if (py::isinstance<py::str>(source) || py::hasattr(source, "__fspath__")) {
    const auto path = py::module_::import("os").attr("fspath")(source).cast<std::string>();
    py::gil_scoped_release release;
    report = import_leads(store, std::filesystem::path(path), options);
  } else {
    PyFileBuf buf(source);
    std::istream in(&buf);
    {
      py::gil_scoped_release release;
      report = import_leads(store, in, options);
    }
    if (buf.error) throw std::move(*buf.error);
  }
  return unwrap(std::move(report));
}

}  // namespace

void bind_lead_import(py::module_& m) {
  auto existing = bind_enum<ExistingLeads>(m, "ExistingLeads",
                                           "What an import does with a lead already stored.");
  DIALER_PY_VALUE(existing, ExistingLeads, update);
  DIALER_PY_VALUE(existing, ExistingLeads, skip);
  add_from_string(existing);

  auto problem = bind_enum<RowProblem>(m, "RowProblem", "Why an imported row was refused.");
  DIALER_PY_VALUE(problem, RowProblem, wrong_column_count);
  DIALER_PY_VALUE(problem, RowProblem, missing_phone);
  DIALER_PY_VALUE(problem, RowProblem, bad_number);
  DIALER_PY_VALUE(problem, RowProblem, bad_time_zone);
  DIALER_PY_VALUE(problem, RowProblem, bad_priority);
  DIALER_PY_VALUE(problem, RowProblem, oversized_field);
  DIALER_PY_VALUE(problem, RowProblem, invalid_utf8);
  DIALER_PY_VALUE(problem, RowProblem, unterminated_quote);
  add_from_string(problem);

  ValueClass<ImportColumns>(m, "ImportColumns", "Which CSV columns have a meaning of their own.")
      .field("phone", &ImportColumns::phone)
      .field("time_zone", &ImportColumns::time_zone)
      .field("priority", &ImportColumns::priority)
      .field("external_id", &ImportColumns::external_id)
      .done();

  ValueClass<ImportProgress>(m, "ImportProgress", "Where an import is.")
      .field("rows_read", &ImportProgress::rows_read)
      .field("bytes_read", &ImportProgress::bytes_read)
      .field("total_bytes", &ImportProgress::total_bytes, "0 when unknown.")
      .done();

  py::class_<NumberTimeZoneMap, std::shared_ptr<NumberTimeZoneMap>>(
      m, "NumberTimeZoneMap", "Number prefix -> time zones (libphonenumber's map_data.txt format).")
      .def_static("load", unwrapped(&NumberTimeZoneMap::load), py::arg("path"))
      .def_static("parse", unwrapped(&NumberTimeZoneMap::parse), py::arg("text"))
      .def("zones_for",
           [](const NumberTimeZoneMap& map, std::string_view e164) {
             const auto* zones = map.zones_for(e164);
             return zones ? *zones : std::vector<std::string>{};
           },
           py::arg("e164"))
      .def("__len__", &NumberTimeZoneMap::size);

  ValueClass<ImportOptions>(m, "ImportOptions", "How to import a CSV file of leads.")
      .field("campaign", &ImportOptions::campaign)
      .field("plan", &ImportOptions::plan)
      .field("columns", &ImportOptions::columns)
      .field("default_time_zone", &ImportOptions::default_time_zone)
      .field("existing", &ImportOptions::existing)
      .field("batch_size", &ImportOptions::batch_size)
      .field("max_field_size", &ImportOptions::max_field_size)
      .field("threads", &ImportOptions::threads)
      .field("max_listed", &ImportOptions::max_listed)
      .field("progress", &ImportOptions::progress,
             "Called with an ImportProgress after each batch, on the importing thread.")
      .field("now", &ImportOptions::now)
      .done()
      .def_property(
          "number_time_zones",
          [](const ImportOptions& o) {
            return std::const_pointer_cast<NumberTimeZoneMap>(o.number_time_zones);
          },
          [](ImportOptions& o, std::shared_ptr<NumberTimeZoneMap> map) {
            o.number_time_zones = std::move(map);
          },
          "A NumberTimeZoneMap or None (assign it; not a constructor keyword).");

  ValueClass<BadRow>(m, "BadRow", "A refused row.")
      .field("line", &BadRow::line)
      .field("problem", &BadRow::problem)
      .field("column", &BadRow::column)
      .field("detail", &BadRow::detail)
      .field("rule", &BadRow::rule)
      .done();
  ValueClass<DuplicateInFile>(m, "DuplicateInFile", "A row skipped as a duplicate of an earlier one.")
      .field("line", &DuplicateInFile::line)
      .field("first_line", &DuplicateInFile::first_line)
      .field("key", &DuplicateInFile::key)
      .field("value", &DuplicateInFile::value)
      .done();
  ValueClass<ExistingMatch>(m, "ExistingMatch", "A row whose lead was already stored.")
      .field("line", &ExistingMatch::line)
      .field("lead", &ExistingMatch::lead)
      .field("key", &ExistingMatch::key)
      .field("updated", &ExistingMatch::updated)
      .done();
  ValueClass<FlaggedCell>(m, "FlaggedCell", "A stored cell that looks like a formula.")
      .field("line", &FlaggedCell::line)
      .field("column", &FlaggedCell::column)
      .done();

  ValueClass<ImportReport>(m, "ImportReport", "What an import did.")
      .field("rows_read", &ImportReport::rows_read)
      .field("imported", &ImportReport::imported)
      .field("updated", &ImportReport::updated)
      .field("duplicates_in_file", &ImportReport::duplicates_in_file)
      .field("duplicates_existing", &ImportReport::duplicates_existing)
      .field("bad_rows", &ImportReport::bad_rows)
      .field("unknown_time_zone", &ImportReport::unknown_time_zone)
      .field("formula_cells", &ImportReport::formula_cells)
      .field("bytes_read", &ImportReport::bytes_read)
      .field("bad", &ImportReport::bad)
      .field("duplicates", &ImportReport::duplicates)
      .field("existing", &ImportReport::existing)
      .field("unknown_time_zone_lines", &ImportReport::unknown_time_zone_lines)
      .field("formulas", &ImportReport::formulas)
      .field("truncated", &ImportReport::truncated)
      .field("stopped", &ImportReport::stopped,
             "None, or the Error that stopped the import part-way (earlier batches are kept).")
      .done()
      .def("to_json", &ImportReport::to_json);

  m.def("import_leads", &import_from, py::arg("store"), py::arg("source"), py::arg("options"),
        "Imports a CSV file (a path, or a binary or text file object) into `store`; returns "
        "an ImportReport. Raises InvalidArgument (bad options or header, UTF-16 input) or "
        "NotFound (no such file). Releases the GIL while it runs.");
  m.def("canonical_time_zone", &canonical_time_zone, py::arg("name"),
        "The tz database's canonical name for `name`, or None if it knows no such zone.");
}

}  // namespace dialer::python
