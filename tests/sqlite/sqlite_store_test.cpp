// The SQLite store beyond the conformance suite: schema versions, constraints,
// the configuration, failing writes, and processes killed with SIGKILL.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "sqlite_fixture.hpp"
#include "store_scenarios.hpp"

namespace {

using namespace dialer;
using namespace std::chrono_literals;
using test::SqliteFixture;

struct SqliteFactory {
  std::filesystem::path file;
  std::unique_ptr<sqlite::SqliteStore> open() const {
    auto opened = sqlite::SqliteStore::open(test::sqlite_options(file));
    if (!opened) throw std::runtime_error(opened.error().message());
    return std::move(*opened);
  }
};

}  // namespace

TEST_SUITE("sqlite") {
  TEST_CASE("a database written by a newer libdialer is refused, naming both versions") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    { REQUIRE(sqlite::SqliteStore::open(test::sqlite_options(file))); }
    {
      SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
      db.exec("INSERT INTO schema_version (version) VALUES (7)");
    }
    auto refused = sqlite::SqliteStore::open(test::sqlite_options(file));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::storage_error);
    CHECK(refused.error().detail.find("schema version 7") != std::string::npos);
    CHECK(refused.error().detail.find("version " + std::to_string(sqlite::SqliteStore::kSchemaVersion)) !=
          std::string::npos);
  }

  TEST_CASE("reopening a database applies no migration twice and keeps the data") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    {
      auto s = sqlite::SqliteStore::open(test::sqlite_options(file)).value();
      test::save_test_campaigns(*s);
      test::add_numbered_leads(*s, 3, WallTime{1s});
    }
    auto s = sqlite::SqliteStore::open(test::sqlite_options(file)).value();
    CHECK(s->find_lead(LeadId{3}));
    SQLite::Database db(file.string());
    CHECK(db.execAndGet("SELECT COUNT(*) FROM schema_version").getInt() ==
          sqlite::SqliteStore::kSchemaVersion);
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
  }

  TEST_CASE(
      "a version 1 database is migrated on open: its campaigns and agents read with the new "
      "settings' defaults, and version 3's index is built") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    {
      auto s = sqlite::SqliteStore::open(test::sqlite_options(file)).value();
      test::save_test_campaigns(*s);
      REQUIRE(s->save_agent({AgentId{1}, "alice", "Alice", "PJSIP/100", true}));
    }
    {  // Take the file back to what version 1 wrote.
      SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
      for (const char* column :
           {"calling_hours_start_min", "calling_hours_end_min", "max_attempts_per_lead",
            "max_calls_per_number_per_day", "recycle", "lead_order", "pacing_policy",
            "pacing_abandon_cap", "pacing_max_wait_ms", "pacing_safe_harbour_media",
            "pacing_day_offset_min"}) {
        db.exec(std::string("ALTER TABLE campaigns DROP COLUMN ") + column);
      }
      db.exec("ALTER TABLE agents DROP COLUMN persistent_leg");
      db.exec("DROP INDEX call_log_answers");
      db.exec("DELETE FROM schema_version WHERE version > 1");
    }
    auto s = sqlite::SqliteStore::open(test::sqlite_options(file)).value();
    const auto campaigns = s->load_campaigns().value();
    REQUIRE_FALSE(campaigns.empty());
    const Campaign defaults;
    CHECK(campaigns[0].compliance.calling_hours.start == defaults.compliance.calling_hours.start);
    CHECK(campaigns[0].recycle.no_answer.delay == defaults.recycle.no_answer.delay);
    CHECK(campaigns[0].pacing.abandon_cap == doctest::Approx(defaults.pacing.abandon_cap));
    CHECK(campaigns[0].lead_order == defaults.lead_order);
    const auto agents = s->load_agents().value();
    REQUIRE(agents.size() == 1);
    CHECK(agents[0].login == "alice");
    CHECK_FALSE(agents[0].persistent_leg);  // not known to version 1
    SQLite::Database db(file.string());
    CHECK(db.execAndGet("SELECT MAX(version) FROM schema_version").getInt() ==
          sqlite::SqliteStore::kSchemaVersion);
    // Version 3's index of live answers, which abandonment_by_day reads.
    CHECK(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                        "'call_log_answers'")
              .getInt() == 1);
  }

  TEST_CASE("an empty path or an unwritable file is an error, not an exception") {
    CHECK(sqlite::SqliteStore::open({}).error().code == Errc::invalid_argument);
    sqlite::Options o;
    o.path = "/nonexistent-dir/x/dialer.db";
    CHECK(sqlite::SqliteStore::open(o).error().code == Errc::storage_error);
  }

  TEST_CASE("leads and calls must name a saved campaign; every queue status is storable") {
    SqliteFixture f;
    test::add_numbered_leads(*f.store, 1, WallTime{1s});
    Lead stray = test::make_lead_for_test(2, CampaignId{9});
    CHECK(f.store->add_leads(std::vector<Lead>{stray}, WallTime{1s}).error().code ==
          Errc::invalid_argument);
    CallRecord r;
    r.id = CallId{1};
    r.campaign = CampaignId{9};
    CHECK(f.store->save_call(r).error().code == Errc::invalid_argument);
    r.campaign = CampaignId{};  // zero: no campaign, stored as NULL
    CHECK(f.store->save_call(r));
    CHECK(f.store->flush());
    CHECK(f.store->find_call(CallId{1})->campaign == CampaignId{});
    for (int s = 0; s <= static_cast<int>(QueueStatus::dropped); ++s) {
      QueueUpdate u;
      u.lead = LeadId{1};
      u.status = static_cast<QueueStatus>(s);
      CHECK(f.store->update_queue(u));
      CHECK(f.store->queue_entry(LeadId{1})->status == u.status);
    }
  }

  TEST_CASE("configuration round-trips and keeps names and prefixes unique") {
    SqliteFixture f;
    sqlite::SqliteStore& s = *f.store;
    Carrier a{CarrierId{1}, "trunk-a", "9", "PJSIP/{dial}@a", NumberFormat::national};
    Carrier b{CarrierId{2}, "trunk-b", "8", "PJSIP/{dial}@b", NumberFormat::e164};
    REQUIRE(s.save_carrier(a));
    REQUIRE(s.save_carrier(b));
    Carrier clash = b;
    clash.id = CarrierId{3};
    clash.name = "trunk-c";
    CHECK(s.save_carrier(clash).error().code == Errc::conflict);  // prefix 8 taken
    Campaign c;
    c.id = CampaignId{5};
    c.name = "Spring";
    c.carrier = CarrierId{1};
    c.dial_mode = DialMode::predictive;
    c.wrapup_timeout.reset();
    c.number_plan.allowed_regions = {"US", "CA"};
    c.break_types = {"lunch", "it's \"odd\""};
    c.dispositions = {{"SALE", "Sale", false}, {"DNC", "Do not call", true}};
    c.script = "Hello {first_name}";
    REQUIRE(s.save_campaign(c));
    Campaign dup = c;
    dup.id = CampaignId{6};
    CHECK(s.save_campaign(dup).error().code == Errc::conflict);  // name taken
    Campaign unknown_carrier = c;
    unknown_carrier.id = CampaignId{7};
    unknown_carrier.name = "x";
    unknown_carrier.carrier = CarrierId{42};
    CHECK(s.save_campaign(unknown_carrier).error().code == Errc::invalid_argument);
    const auto campaigns = s.load_campaigns().value();
    REQUIRE(campaigns.size() == 4);  // 1..3 from the fixture, then 5
    const Campaign& back = campaigns[3];
    CHECK(back.name == "Spring");
    CHECK(back.dial_mode == DialMode::predictive);
    CHECK(back.carrier == CarrierId{1});
    CHECK_FALSE(back.wrapup_timeout.has_value());
    CHECK(back.number_plan.allowed_regions == c.number_plan.allowed_regions);
    CHECK(back.break_types == c.break_types);
    REQUIRE(back.dispositions.size() == 2);
    CHECK(back.dispositions[1].do_not_call);
    CHECK(back.script == c.script);
    CHECK(s.load_carriers()->at(0).number_format == NumberFormat::national);
    REQUIRE(s.save_agent({AgentId{1}, "alice", "Alice", "PJSIP/100"}));
    CHECK(s.save_agent({AgentId{2}, "alice", "Other", "PJSIP/101"}).error().code ==
          Errc::conflict);
    CHECK(s.load_agents()->size() == 1);
    // Deletes: in use is a conflict, unknown is not_found.
    CHECK(s.delete_carrier(CarrierId{1}).error().code == Errc::conflict);
    test::add_numbered_leads(s, 1, WallTime{1s});  // campaign 1
    CHECK(s.delete_campaign(CampaignId{1}).error().code == Errc::conflict);
    CHECK(s.delete_campaign(CampaignId{5}));
    CHECK(s.delete_carrier(CarrierId{1}));
    CHECK(s.delete_agent(AgentId{1}));
    CHECK(s.delete_agent(AgentId{1}).error().code == Errc::not_found);
  }

  TEST_CASE("the claim is an index range scan of the campaign's ready rows") {
    SqliteFixture f;
    SQLite::Database db((f.dir.path() / "dialer.db").string());
    SQLite::Statement plan(db,
                           "EXPLAIN QUERY PLAN SELECT q.lead_id FROM queue q JOIN leads l ON "
                           "l.id = q.lead_id WHERE q.campaign_id = 1 AND q.ready_at_ns IS NOT "
                           "NULL AND q.ready_at_ns <= 5 AND q.lease_owner = '' "
                           "AND NOT EXISTS (SELECT 1 FROM do_not_call d WHERE d.e164 = l.e164 "
                           "AND d.campaign_id IN (0, 1)) ORDER BY q.ready_at_ns, q.lead_id LIMIT 10");
    std::string text;
    while (plan.executeStep()) text += plan.getColumn(3).getString() + "\n";
    INFO(text);
    CHECK(text.find("INDEX queue_ready (campaign_id=?") != std::string::npos);
    CHECK(text.find("TEMP B-TREE") == std::string::npos);  // no sort: index order
  }

  TEST_CASE("a queued write blocked by a lock is retried and lands; the wait is reported") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    std::mutex m;
    std::vector<std::pair<Error, bool>> reports;
    auto o = test::sqlite_options(file);
    o.busy_timeout = 20ms;
    o.on_write_error = [&](const Error& e, bool retry) {
      std::lock_guard lock(m);
      reports.emplace_back(e, retry);
    };
    auto s = sqlite::SqliteStore::open(o).value();
    SQLite::Database blocker(file.string(), SQLite::OPEN_READWRITE);
    blocker.exec("BEGIN EXCLUSIVE");
    for (std::uint64_t i = 1; i <= 50; ++i) {
      CallRecord r;
      r.id = CallId{i};
      REQUIRE(s->save_call(r));  // accepted while the database is locked
    }
    std::this_thread::sleep_for(300ms);
    blocker.exec("COMMIT");
    REQUIRE(s->flush());
    CHECK(s->max_call_id().value() == 50);
    std::lock_guard lock(m);
    REQUIRE_FALSE(reports.empty());
    CHECK(reports.front().second);  // will retry
    CHECK(reports.front().first.detail.find("will retry") != std::string::npos);
  }

  TEST_CASE("a queued write the database refuses is reported lost, never dropped in silence") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    std::mutex m;
    std::vector<std::pair<Error, bool>> reports;
    auto o = test::sqlite_options(file);
    o.on_write_error = [&](const Error& e, bool retry) {
      std::lock_guard lock(m);
      reports.emplace_back(e, retry);
    };
    auto s = sqlite::SqliteStore::open(o).value();
    {
      // A rule the store does not know about refuses one row (as a full disk
      // or a broken constraint would on the writer thread).
      SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
      db.exec(
          "CREATE TRIGGER refuse BEFORE INSERT ON call_log WHEN NEW.number = 'refuse-me' "
          "BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
    }
    for (std::uint64_t i = 1; i <= 20; ++i) {
      CallRecord r;
      r.id = CallId{i};
      r.number = i == 7 ? "refuse-me" : "+14155550100";
      REQUIRE(s->save_call(r));
    }
    auto flushed = s->flush();
    REQUIRE_FALSE(flushed);
    CHECK(flushed.error().code == Errc::storage_error);
    CHECK(flushed.error().detail.find("call 7") != std::string::npos);
    CHECK(s->flush());  // reported once
    // The other writes of the batch are stored.
    CHECK(s->count_calls_to("+14155550100", WallTime{}).value() == 19);
    std::lock_guard lock(m);
    REQUIRE(reports.size() == 1);
    CHECK_FALSE(reports[0].second);
    CHECK(reports[0].first.detail.find("refused by test") != std::string::npos);
  }

  TEST_CASE("a write that keeps failing past give_up_after is reported lost") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    std::atomic<int> lost{0};
    auto o = test::sqlite_options(file);
    o.busy_timeout = 10ms;
    o.give_up_after = 200ms;
    o.on_write_error = [&](const Error&, bool retry) {
      if (!retry) ++lost;
    };
    auto s = sqlite::SqliteStore::open(o).value();
    SQLite::Database blocker(file.string(), SQLite::OPEN_READWRITE);
    blocker.exec("BEGIN EXCLUSIVE");
    CallRecord r;
    r.id = CallId{1};
    REQUIRE(s->save_call(r));
    auto flushed = s->flush();
    blocker.exec("COMMIT");
    CHECK_FALSE(flushed);
    CHECK(lost.load() == 1);
  }

  TEST_CASE("the destructor flushes: nothing accepted is lost on a clean shutdown") {
    test::TempDir dir;
    const auto file = dir.path() / "dialer.db";
    {
      auto s = sqlite::SqliteStore::open(test::sqlite_options(file)).value();
      for (std::uint64_t i = 1; i <= 5000; ++i) {
        CallRecord r;
        r.id = CallId{i};
        REQUIRE(s->save_call(r));
      }
    }
    auto s = sqlite::SqliteStore::open(test::sqlite_options(file)).value();
    CHECK(s->max_call_id().value() == 5000);
    CHECK(s->count_calls_to("", WallTime{}).value() == 5000);
  }
}

TEST_SUITE("sqlite" * doctest::description("slow: real processes")) {
  TEST_CASE("4 threads claim 20,000 leads: each exactly once") {
    test::TempDir dir;
    SqliteFactory factory{dir.path() / "dialer.db"};
    test::save_test_campaigns(*factory.open());
    test::claim_everything_once(factory, 1, 4, 20000, dir.path().string());
  }

  TEST_CASE("a claimer killed with SIGKILL loses no lead: its leases expire and another takes them") {
    test::TempDir dir;
    SqliteFactory factory{dir.path() / "dialer.db"};
    test::save_test_campaigns(*factory.open());
    test::leases_of_a_killed_claimer_expire(factory, 2s);
  }

  TEST_CASE("acknowledged writes survive SIGKILL of the writer at 10 random points") {
    test::TempDir dir;
    SqliteFactory factory{dir.path() / "dialer.db"};
    test::save_test_campaigns(*factory.open());
    test::acknowledged_writes_survive_sigkill(factory, 10000, 10);
  }
}
