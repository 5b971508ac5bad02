// CSV lead import: header mapping, normalisation, time zones, duplicates,
// bad rows with their line numbers, idempotent re-import, hostile input, and
// the store failing mid-import.
#include "dialer/lead_import.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "dialer/testing/memory_store.hpp"

using namespace dialer;
using dialer::testing::MemoryStore;
using dialer::testing::StoreOp;

namespace {

const std::filesystem::path kData = std::filesystem::path(__FILE__).parent_path() / "../data/import";
constexpr CampaignId kCampaign{7};
const WallTime kNow = WallTime{std::chrono::hours{24 * 365 * 56}};

ImportOptions options() {
  ImportOptions o;
  o.campaign = kCampaign;
  o.plan.region = "US";
  o.plan.allowed_regions = {"GB", "CA"};
  o.threads = 1;
  o.now = kNow;
  return o;
}

ImportReport import_text(MemoryStore& store, const std::string& csv,
                         const ImportOptions& o = options()) {
  std::istringstream in(csv);
  auto r = import_leads(store, in, o);
  const std::string why = r ? std::string() : r.error().message();
  INFO(why);
  REQUIRE(r);
  return std::move(r).value();
}

Error import_error(const std::string& csv, const ImportOptions& o = options()) {
  MemoryStore store;
  std::istringstream in(csv);
  auto r = import_leads(store, in, o);
  REQUIRE_FALSE(r);
  return r.error();
}

/// Every lead of the store, by id (the memory store numbers them from 1).
std::vector<Lead> all_leads(MemoryStore& store) {
  std::vector<Lead> out;
  for (std::uint64_t id = 1;; ++id) {
    auto lead = store.find_lead(LeadId{id});
    if (!lead) break;
    out.push_back(*lead);
  }
  return out;
}

Lead lead_by_phone(MemoryStore& store, const std::string& e164) {
  auto lead = store.find_lead_by_phone(last_ten_digits(e164), kCampaign);
  REQUIRE(lead);
  REQUIRE(lead->phone.e164 == e164);
  return *lead;
}

const BadRow* bad_at(const ImportReport& r, std::uint64_t line) {
  auto it = std::find_if(r.bad.begin(), r.bad.end(), [&](const BadRow& b) { return b.line == line; });
  return it == r.bad.end() ? nullptr : &*it;
}

/// A distinct valid US number for each i < 100,000 (NXX 2xx-9xx, all assigned in the data).
std::string us_number(std::size_t i) {
  return "+1415" + std::to_string(200 + i / 10000 % 800) + std::to_string(10000 + i % 10000).substr(1);
}

}  // namespace

TEST_SUITE("lead_import") {
  TEST_CASE("mapped columns fill the lead and every other column becomes a field in file order") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.phone = "phone";            // header says "Phone": case is ignored
    o.columns.time_zone = " time zone ";  // and surrounding spaces
    o.columns.priority = "PRIORITY";
    o.columns.external_id = "Vendor Code";
    auto r = import_leads(store, kData / "basic.csv", o);
    REQUIRE(r);
    CHECK(r->rows_read == 3);
    CHECK(r->imported == 3);
    CHECK(r->bad_rows == 0);

    const Lead ada = lead_by_phone(store, "+14155550100");
    CHECK(ada.campaign == kCampaign);
    CHECK(ada.priority == 5);
    const std::vector<std::pair<std::string, std::string>> fields{
        {"First Name", "Ada"}, {"Last Name", "Lovelace"}, {"external_id", "V-1"}};
    CHECK(ada.fields == fields);
    CHECK(lead_by_phone(store, "+12125550111").priority == -3);
    CHECK(lead_by_phone(store, "+442079460000").field("external_id") == "V-2");
  }

  TEST_CASE("a mapped column missing from the header refuses the import before any row") {
    ImportOptions o = options();
    o.columns.time_zone = "tz";
    const Error e = import_error("phone,name\n4155550100,Ada\n", o);
    CHECK(e.code == Errc::invalid_argument);
    CHECK(e.detail.find("\"tz\"") != std::string::npos);
    CHECK(import_error("number,name\n4155550100,Ada\n").code == Errc::invalid_argument);
  }

  TEST_CASE("a header with a duplicate or empty column name is refused") {
    CHECK(import_error("phone,Name,name\n").code == Errc::invalid_argument);
    CHECK(import_error("phone,,notes\n").code == Errc::invalid_argument);
    ImportOptions o = options();
    o.columns.external_id = "vendor";
    CHECK(import_error("phone,vendor,external_id\n", o).code == Errc::invalid_argument);
    o.columns.priority = "vendor";  // one column, two meanings
    CHECK(import_error("phone,vendor\n", o).code == Errc::invalid_argument);
  }

  TEST_CASE("bad options are refused") {
    ImportOptions o = options();
    o.campaign = CampaignId{};
    CHECK(import_error("phone\n", o).code == Errc::invalid_argument);
    o = options();
    o.batch_size = 0;
    CHECK(import_error("phone\n", o).code == Errc::invalid_argument);
    o = options();
    o.default_time_zone = "Mars/Olympus_Mons";
    CHECK(import_error("phone\n", o).code == Errc::invalid_argument);
    o = options();
    o.plan.region = "XX";
    CHECK(import_error("phone\n", o).code == Errc::invalid_argument);
  }

  TEST_CASE("an empty file is refused and a header-only file imports nothing") {
    CHECK(import_error("").code == Errc::invalid_argument);
    CHECK(import_error("\n\n").code == Errc::invalid_argument);
    MemoryStore store;
    const ImportReport r = import_text(store, "phone,name\r\n");
    CHECK(r.rows_read == 0);
    CHECK(r.imported == 0);
    CHECK(all_leads(store).empty());
  }

  TEST_CASE("numbers in any common writing are stored in E.164 with their region") {
    MemoryStore store;
    const ImportReport r = import_text(store,
                                       "phone\n"
                                       "(415) 555-0100\n"
                                       "1.212.555.0111\n"
                                       "+44 20 7946 0000\n"
                                       "416 555 0123\n");
    CHECK(r.imported == 4);
    CHECK(lead_by_phone(store, "+14155550100").phone.region == "US");
    CHECK(lead_by_phone(store, "+12125550111").phone.region == "US");
    CHECK(lead_by_phone(store, "+442079460000").phone.region == "GB");
    CHECK(lead_by_phone(store, "+14165550123").phone.region == "CA");
  }

  TEST_CASE("a refused number is a bad row naming the rule that refused it") {
    MemoryStore store;
    const ImportReport r = import_text(store,
                                       "phone,name\n"
                                       "1-800-FLOWERS,letters\n"      // 2
                                       "+33 1 23 45 67 89,France\n"   // 3: region not allowed
                                       "12,too short\n"               // 4
                                       ",empty\n"                     // 5
                                       "sip:1234@evil,uri\n"          // 6
                                       "4155550100,good\n");          // 7
    CHECK(r.imported == 1);
    CHECK(r.bad_rows == 5);
    REQUIRE(bad_at(r, 2));
    CHECK(bad_at(r, 2)->problem == RowProblem::bad_number);
    CHECK(bad_at(r, 2)->rule == "number_invalid_character");
    CHECK(bad_at(r, 2)->column == "phone");
    REQUIRE(bad_at(r, 3));
    CHECK(bad_at(r, 3)->rule == "region_not_allowed");
    REQUIRE(bad_at(r, 4));
    CHECK(bad_at(r, 4)->problem == RowProblem::bad_number);
    REQUIRE(bad_at(r, 5));
    CHECK(bad_at(r, 5)->problem == RowProblem::missing_phone);
    REQUIRE(bad_at(r, 6));
    CHECK(bad_at(r, 6)->rule == "number_invalid_character");
  }

  TEST_CASE("a time zone in the data is used when the tz database knows it") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.time_zone = "tz";
    const ImportReport r = import_text(store,
                                       "phone,tz\n"
                                       "4155550100,America/Chicago\n"
                                       "4155550101, US/Eastern \n"       // a link: stored canonical
                                       "4155550102,Mars/Olympus_Mons\n"  // line 4
                                       "4155550103,../../etc/passwd\n"   // line 5
                                       "4155550104,america/chicago\n",   // line 6: names are exact
                                       o);
    CHECK(r.imported == 2);
    CHECK(lead_by_phone(store, "+14155550100").time_zone == "America/Chicago");
    CHECK(lead_by_phone(store, "+14155550101").time_zone == "America/New_York");
    for (std::uint64_t line : {4u, 5u, 6u}) {
      CAPTURE(line);
      REQUIRE(bad_at(r, line));
      CHECK(bad_at(r, line)->problem == RowProblem::bad_time_zone);
      CHECK(bad_at(r, line)->column == "tz");
    }
  }

  TEST_CASE("without a time zone in the data, a single-zone region gives the zone") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.time_zone = "tz";
    const ImportReport r = import_text(store,
                                       "phone,tz\n"
                                       "+44 20 7946 0000,\n"  // GB has one zone
                                       "4155550100,\n",       // the US has many: unknown
                                       o);
    CHECK(r.imported == 2);
    CHECK(lead_by_phone(store, "+442079460000").time_zone == "Europe/London");
    CHECK(lead_by_phone(store, "+14155550100").time_zone.empty());
    CHECK(r.unknown_time_zone == 1);
    CHECK(r.unknown_time_zone_lines == std::vector<std::uint64_t>{3});
  }

  TEST_CASE("a prefix map gives NANP numbers the zone of their area code") {
    auto map = NumberTimeZoneMap::load(kData / "nanp_time_zones.txt");
    REQUIRE(map);
    CHECK(map->size() == 3);
    MemoryStore store;
    ImportOptions o = options();
    o.number_time_zones = std::make_shared<NumberTimeZoneMap>(std::move(*map));
    const ImportReport r = import_text(store,
                                       "phone\n"
                                       "4155550100\n"   // 1415: one zone
                                       "2125550111\n"   // 1212
                                       "2085550100\n"   // 1208: two zones, no answer
                                       "3125550100\n",  // not in the map, region US: unknown
                                       o);
    CHECK(r.imported == 4);
    CHECK(lead_by_phone(store, "+14155550100").time_zone == "America/Los_Angeles");
    CHECK(lead_by_phone(store, "+12125550111").time_zone == "America/New_York");
    CHECK(lead_by_phone(store, "+12085550100").time_zone.empty());
    CHECK(r.unknown_time_zone == 2);
  }

  TEST_CASE("the default time zone fills what neither the data nor the number tells") {
    MemoryStore store;
    ImportOptions o = options();
    o.default_time_zone = "America/Denver";
    const ImportReport r = import_text(store, "phone\n4155550100\n+442079460000\n", o);
    CHECK(r.unknown_time_zone == 0);
    CHECK(lead_by_phone(store, "+14155550100").time_zone == "America/Denver");
    CHECK(lead_by_phone(store, "+442079460000").time_zone == "Europe/London");
  }

  TEST_CASE("a time zone map with a malformed line is refused with its line number") {
    auto map = NumberTimeZoneMap::parse("# comment\n1212|America/New_York\n12x4|Europe/Paris\n");
    REQUIRE_FALSE(map);
    CHECK(map.error().code == Errc::invalid_argument);
    CHECK(map.error().detail.find("line 3") != std::string::npos);
    CHECK_FALSE(NumberTimeZoneMap::parse("1212|\n"));
    CHECK(NumberTimeZoneMap::load(kData / "no_such_file.txt").error().code == Errc::not_found);
  }

  TEST_CASE("a number twice in one file is stored once and both lines are reported") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.external_id = "id";
    const ImportReport r = import_text(store,
                                       "phone,id,name\n"
                                       "4155550100,A,first\n"     // 2
                                       "415 555 0101,B,other\n"   // 3
                                       "+1 (415) 555-0100,C,again\n"  // 4: number of line 2
                                       "4155550102,B,same id\n",  // 5: id of line 3
                                       o);
    CHECK(r.imported == 2);
    CHECK(r.duplicates_in_file == 2);
    REQUIRE(r.duplicates.size() == 2);
    CHECK(r.duplicates[0].line == 4);
    CHECK(r.duplicates[0].first_line == 2);
    CHECK(r.duplicates[0].key == "phone");
    CHECK(r.duplicates[0].value == "+14155550100");
    CHECK(r.duplicates[1].line == 5);
    CHECK(r.duplicates[1].first_line == 3);
    CHECK(r.duplicates[1].key == "external_id");
    CHECK(lead_by_phone(store, "+14155550100").field("name") == "first");
  }

  TEST_CASE("a number already a lead of the campaign updates that lead and names it") {
    MemoryStore store;
    Lead old;
    old.campaign = kCampaign;
    old.phone = {"+14155550100", "US"};
    old.fields = {{"name", "old"}};
    REQUIRE(store.add_lead(old));
    Lead elsewhere = old;
    elsewhere.campaign = CampaignId{99};
    elsewhere.phone = {"+14155550101", "US"};
    REQUIRE(store.add_lead(elsewhere));

    const ImportReport r = import_text(store, "phone,name\n4155550100,new\n4155550101,mine\n");
    CHECK(r.updated == 1);
    CHECK(r.imported == 1);  // the other campaign's lead is not ours
    REQUIRE(r.existing.size() == 1);
    CHECK(r.existing[0].line == 2);
    CHECK(r.existing[0].lead == LeadId{1});
    CHECK(r.existing[0].updated);
    CHECK(store.find_lead(LeadId{1})->field("name") == "new");
    CHECK(store.find_lead(LeadId{2})->campaign == CampaignId{99});
    CHECK(all_leads(store).size() == 3);
  }

  TEST_CASE("with ExistingLeads::skip a stored lead is left alone and reported") {
    MemoryStore store;
    import_text(store, "phone,name\n4155550100,old\n");
    ImportOptions o = options();
    o.existing = ExistingLeads::skip;
    const ImportReport r = import_text(store, "phone,name\n4155550100,new\n", o);
    CHECK(r.duplicates_existing == 1);
    CHECK(r.updated == 0);
    REQUIRE(r.existing.size() == 1);
    CHECK_FALSE(r.existing[0].updated);
    CHECK(store.find_lead(LeadId{1})->field("name") == "old");
  }

  TEST_CASE("a stored lead with another external id is a different person: reported, not replaced") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.external_id = "id";
    import_text(store, "phone,id\n4155550100,A\n", o);
    const ImportReport r = import_text(store, "phone,id\n4155550100,B\n", o);
    CHECK(r.duplicates_existing == 1);
    REQUIRE(r.existing.size() == 1);
    CHECK(r.existing[0].lead == LeadId{1});
    CHECK_FALSE(r.existing[0].updated);
    CHECK(store.find_lead(LeadId{1})->field("external_id") == "A");
  }

  TEST_CASE("importing the same file twice updates every lead and adds none") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.external_id = "Vendor Code";
    o.columns.priority = "priority";
    o.columns.time_zone = "time zone";
    auto first = import_leads(store, kData / "basic.csv", o);
    REQUIRE(first);
    CHECK(first->imported == 3);
    const std::vector<Lead> before = all_leads(store);
    auto second = import_leads(store, kData / "basic.csv", o);
    REQUIRE(second);
    CHECK(second->imported == 0);
    CHECK(second->updated == 3);
    CHECK(all_leads(store).size() == 3);
    std::vector<Lead> after = all_leads(store);
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
      CHECK(after[i].phone == before[i].phone);
      CHECK(after[i].fields == before[i].fields);
      CHECK(after[i].time_zone == before[i].time_zone);
      CHECK(after[i].priority == before[i].priority);
    }
  }

  TEST_CASE("bad rows are reported by line and reason while the good rows load") {
    MemoryStore store;
    auto r = import_leads(store, kData / "hostile.csv", options());
    REQUIRE(r);
    CHECK(r->rows_read == 6);
    CHECK(r->imported == 3);  // lines 2, 3 (to 4) and 7
    CHECK(r->bad_rows == 3);
    REQUIRE(bad_at(*r, 5));
    CHECK(bad_at(*r, 5)->problem == RowProblem::bad_number);
    REQUIRE(bad_at(*r, 6));
    CHECK(bad_at(*r, 6)->problem == RowProblem::wrong_column_count);
    REQUIRE(bad_at(*r, 8));
    CHECK(bad_at(*r, 8)->problem == RowProblem::unterminated_quote);
  }

  TEST_CASE("quotes, commas and newlines inside quoted fields are kept exactly") {
    MemoryStore store;
    REQUIRE(import_leads(store, kData / "hostile.csv", options()));
    const Lead bobby = lead_by_phone(store, "+14155550101");
    CHECK(bobby.field("name") == "Smith, \"Bobby\"");
    CHECK(bobby.field("notes") == "line one\nline two");
  }

  TEST_CASE("formula-like cells are stored as they are and flagged") {
    MemoryStore store;
    const ImportReport r = import_text(store,
                                       "phone,a,b\n"
                                       "4155550100,\"=cmd|' /C calc'!A0\",+SUM(1)\n"
                                       "4155550101,@import,-2+3\n"
                                       "4155550102,plain,x=1\n");
    CHECK(r.imported == 3);
    CHECK(r.formula_cells == 4);
    REQUIRE(r.formulas.size() == 4);
    CHECK(r.formulas[0].line == 2);
    CHECK(r.formulas[0].column == "a");
    CHECK(r.formulas[3].line == 3);
    CHECK(r.formulas[3].column == "b");
    CHECK(lead_by_phone(store, "+14155550100").field("a") == "=cmd|' /C calc'!A0");
  }

  TEST_CASE("Latin-1 bytes are refused as invalid UTF-8, never guessed") {
    MemoryStore store;
    auto r = import_leads(store, kData / "latin1.csv", options());
    REQUIRE(r);
    CHECK(r->imported == 1);
    REQUIRE(bad_at(*r, 2));
    CHECK(bad_at(*r, 2)->problem == RowProblem::invalid_utf8);
    CHECK(bad_at(*r, 2)->column == "name");
    CHECK(bad_at(*r, 2)->detail.find("0xE9") != std::string::npos);
    REQUIRE(bad_at(*r, 3));
    CHECK(bad_at(*r, 3)->problem == RowProblem::invalid_utf8);
  }

  TEST_CASE("a UTF-16 file is refused as a whole with advice") {
    MemoryStore store;
    auto r = import_leads(store, kData / "utf16_bom.csv", options());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().detail.find("UTF-16") != std::string::npos);
    // Without its byte-order mark the header is full of NUL bytes.
    std::string utf16;
    for (char c : std::string("phone\n415\n")) {
      utf16 += c;
      utf16 += '\0';
    }
    CHECK(import_error(utf16).code == Errc::invalid_argument);
  }

  TEST_CASE("malformed UTF-8 sequences and NUL bytes refuse their row") {
    MemoryStore store;
    const std::vector<std::string> bad_cells{
        std::string("\xC0\xAF"),          // overlong '/'
        std::string("\xED\xA0\x80"),      // a UTF-16 surrogate
        std::string("\xF4\x90\x80\x80"),  // past U+10FFFF
        std::string("ab\xE2\x82"),        // truncated at the end
        std::string("a\0b", 3),           // NUL
    };
    std::string csv = "phone,name\n";
    for (std::size_t i = 0; i < bad_cells.size(); ++i) csv += us_number(i) + "," + bad_cells[i] + "\n";
    csv += us_number(10) + ",Zoë 🙂 日本\n";
    const ImportReport r = import_text(store, csv);
    CHECK(r.bad_rows == bad_cells.size());
    CHECK(r.imported == 1);
    for (const BadRow& b : r.bad) CHECK(b.problem == RowProblem::invalid_utf8);
    CHECK(lead_by_phone(store, us_number(10)).field("name") == "Zoë 🙂 日本");
  }

  TEST_CASE("a row with missing or extra columns is refused") {
    MemoryStore store;
    const ImportReport r =
        import_text(store, "phone,a,b\n4155550100,1\n4155550101,1,2,3\n4155550102,1,2\n");
    CHECK(r.imported == 1);
    REQUIRE(r.bad.size() == 2);
    CHECK(r.bad[0].problem == RowProblem::wrong_column_count);
    CHECK(r.bad[0].detail == "the row has 2 fields, the header 3");
    CHECK(r.bad[1].line == 3);
  }

  TEST_CASE("a 1 MB field refuses its row and the rows around it load") {
    MemoryStore store;
    const std::string big(1 << 20, 'x');
    const std::string csv = "phone,notes\n4155550100,small\n4155550101,\"" + big +
                            "\"\n4155550102," + big + "\n4155550103,after\n";
    const ImportReport r = import_text(store, csv);
    CHECK(r.imported == 2);
    REQUIRE(r.bad.size() == 2);
    CHECK(r.bad[0].line == 3);
    CHECK(r.bad[0].problem == RowProblem::oversized_field);
    CHECK(r.bad[0].column == "notes");
    CHECK(r.bad[1].line == 4);
    CHECK(lead_by_phone(store, "+14155550103").field("notes") == "after");
  }

  TEST_CASE("an unterminated quote at the end of the input refuses only the last row") {
    MemoryStore store;
    const ImportReport r = import_text(store, "phone,notes\n4155550100,ok\n4155550101,\"open\nstill");
    CHECK(r.imported == 1);
    REQUIRE(r.bad.size() == 1);
    CHECK(r.bad[0].line == 3);
    CHECK(r.bad[0].problem == RowProblem::unterminated_quote);
  }

  TEST_CASE("CRLF, LF and CR line ends, a UTF-8 BOM and blank lines all read the same") {
    for (const std::string& csv :
         {std::string("phone,name\r\n4155550100,Ada\r\n\r\n4155550101,Bob\r\n"),
          std::string("\xEF\xBB\xBFphone,name\n4155550100,Ada\n\n4155550101,Bob"),
          std::string("phone,name\r4155550100,Ada\r\r4155550101,Bob\r")}) {
      CAPTURE(csv);
      MemoryStore store;
      const ImportReport r = import_text(store, csv);
      CHECK(r.rows_read == 2);
      CHECK(r.imported == 2);
      const Lead ada = lead_by_phone(store, "+14155550100");
      REQUIRE(ada.fields.size() == 1);
      CHECK(ada.fields[0].first == "name");  // the BOM is not part of the name
      CHECK(ada.fields[0].second == "Ada");
    }
  }

  TEST_CASE("line numbers count the lines of quoted fields") {
    MemoryStore store;
    const ImportReport r =
        import_text(store, "phone,notes\n4155550100,\"a\r\nb\nc\"\nbad,x\n4155550101,\"\"\"\"\nbad2,y\n");
    REQUIRE(r.bad.size() == 2);
    CHECK(r.bad[0].line == 5);
    CHECK(r.bad[1].line == 7);
    CHECK(lead_by_phone(store, "+14155550100").field("notes") == "a\r\nb\nc");
    CHECK(lead_by_phone(store, "+14155550101").field("notes") == "\"");
  }

  TEST_CASE("SQL metacharacters in every text field are stored as plain text") {
    const std::vector<std::string> nasty{
        "Robert'); DROP TABLE leads;--", "\" OR \"\"1\"\"=\"\"1", "1; DELETE FROM leads",
        "%_\\", "$1 $$ $tag$", "' || pg_sleep(10) --", "`rm -rf /`", "/* */ -- #"};
    std::string header = "phone,id";
    for (std::size_t i = 0; i < nasty.size(); ++i) header += ",c" + std::to_string(i);
    std::string row = "4155550100,\"x'; DROP TABLE leads; --\"";
    for (const std::string& s : nasty) {
      std::string quoted;
      for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      row += ",\"" + quoted + "\"";
    }
    MemoryStore store;
    ImportOptions o = options();
    o.columns.external_id = "id";
    const ImportReport r = import_text(store, header + "\n" + row + "\n", o);
    REQUIRE(r.imported == 1);
    const Lead lead = lead_by_phone(store, "+14155550100");
    CHECK(lead.field("external_id") == "x'; DROP TABLE leads; --");
    for (std::size_t i = 0; i < nasty.size(); ++i) {
      CHECK(lead.field("c" + std::to_string(i)) == nasty[i]);
    }
  }

  TEST_CASE("a bad priority refuses its row; signed values and blanks are fine") {
    MemoryStore store;
    ImportOptions o = options();
    o.columns.priority = "p";
    const ImportReport r =
        import_text(store, "phone,p\n4155550100,+7\n4155550101,\n4155550102,high\n4155550103,99999999999\n", o);
    CHECK(r.imported == 2);
    CHECK(r.bad_rows == 2);
    CHECK(r.bad[0].problem == RowProblem::bad_priority);
    CHECK(lead_by_phone(store, "+14155550100").priority == 7);
    CHECK(lead_by_phone(store, "+14155550101").priority == 0);
  }

  TEST_CASE("progress reports rows and bytes after each batch up to the file's size") {
    MemoryStore store;
    std::string csv = "phone,n\n";
    for (std::size_t i = 0; i < 250; ++i) csv += us_number(i) + "," + std::to_string(i) + "\n";
    std::vector<ImportProgress> seen;
    ImportOptions o = options();
    o.batch_size = 100;
    o.threads = 2;
    o.progress = [&](const ImportProgress& p) { seen.push_back(p); };
    std::istringstream in(csv);
    auto r = import_leads(store, in, o);
    REQUIRE(r);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].rows_read == 100);
    CHECK(seen[1].rows_read == 200);
    CHECK(seen[2].rows_read == 250);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].bytes_read > seen[i - 1].bytes_read);
    CHECK(seen.back().bytes_read == csv.size());
    CHECK(seen.back().total_bytes == csv.size());
    CHECK(r->bytes_read == csv.size());
  }

  TEST_CASE("a batch the store refuses stops the import; earlier batches stay") {
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {  // sequential, pipelined
      CAPTURE(threads);
      MemoryStore store;
      std::string csv = "phone\n";
      for (std::size_t i = 0; i < 30; ++i) csv += us_number(i) + "\n";
      store.fail_nth(StoreOp::add_leads, 2, Error{Errc::storage_error, "disk full"});
      ImportOptions o = options();
      o.batch_size = 10;
      o.threads = threads;
      const ImportReport r = import_text(store, csv, o);
      REQUIRE(r.stopped);
      CHECK(r.stopped->code == Errc::storage_error);
      CHECK(r.stopped->detail.find("lines 12-21") != std::string::npos);
      CHECK(r.stopped->detail.find("disk full") != std::string::npos);
      CHECK(r.imported == 10);
      CHECK(all_leads(store).size() == 10);
      CHECK(r.rows_read == 20);
      // Running it again completes the import without duplicating the first batch.
      const ImportReport again = import_text(store, csv, o);
      CHECK_FALSE(again.stopped);
      CHECK(again.updated == 10);
      CHECK(again.imported == 20);
    }
  }

  TEST_CASE("a failing lookup stops the import with the line it was at") {
    MemoryStore store;
    store.fail_nth(StoreOp::find_lead_by_phone, 2, Error{Errc::storage_error, "connection lost"});
    const ImportReport r = import_text(store, "phone\n4155550100\n4155550101\n");
    REQUIRE(r.stopped);
    CHECK(r.stopped->detail.find("line 3") != std::string::npos);
    CHECK(r.imported == 0);
  }

  TEST_CASE("normalising on several threads gives the same report as one") {
    std::string csv = "phone,name\n";
    for (std::size_t i = 0; i < 5000; ++i) {
      if (i % 97 == 0) {
        csv += "555-CALL-NOW," + std::to_string(i) + "\n";
      } else if (i % 101 == 0) {
        csv += us_number(i - 1) + ",dup\n";
      } else {
        csv += us_number(i) + "," + std::to_string(i) + "\n";
      }
    }
    MemoryStore one_store;
    MemoryStore four_store;
    ImportOptions o = options();
    const ImportReport one = import_text(one_store, csv, o);
    o.threads = 4;
    const ImportReport four = import_text(four_store, csv, o);
    CHECK(one.to_json() == four.to_json());
    CHECK(one.bad_rows > 0);
    CHECK(one.duplicates_in_file > 0);
    CHECK(one.imported + one.bad_rows + one.duplicates_in_file == 5000);
  }

  TEST_CASE("report lists stop at max_listed while the counts stay exact") {
    MemoryStore store;
    std::string csv = "phone\n";
    for (int i = 0; i < 20; ++i) csv += "bad\n";
    ImportOptions o = options();
    o.max_listed = 5;
    const ImportReport r = import_text(store, csv, o);
    CHECK(r.bad_rows == 20);
    CHECK(r.bad.size() == 5);
    CHECK(r.truncated);
  }

  TEST_CASE("the JSON report escapes what it quotes") {
    MemoryStore store;
    const ImportReport r = import_text(store, "phone\n\"41\"\"5\\\x01\"\n");
    const std::string json = r.to_json();
    CHECK(json.find("\"bad_rows\":1") != std::string::npos);
    CHECK(json.find("\"problem\":\"bad_number\"") != std::string::npos);
    CHECK(json.find('\x01') == std::string::npos);
    CHECK(json.find("\"stopped\":null") != std::string::npos);
  }

  TEST_CASE("names of enums read back") {
    RowProblem p{};
    CHECK(from_string(to_string(RowProblem::oversized_field), p));
    CHECK(p == RowProblem::oversized_field);
    ExistingLeads e{};
    CHECK(from_string("skip", e));
    CHECK(e == ExistingLeads::skip);
    CHECK_FALSE(from_string("nope", e));
  }
}
