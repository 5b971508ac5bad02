// The PostgreSQL store beyond the conformance suite: schema versions, secrets
// in connection strings, a server that goes away, and processes killed with
// SIGKILL. The server is the one pg_server.hpp starts (or DIALER_TEST_PG_DSN).
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "../sqlite/sqlite_fixture.hpp"
#include "../sqlite/store_scenarios.hpp"
#include "pg_server.hpp"

namespace {

using namespace dialer;
using namespace std::chrono_literals;
using test::PgServer;
using test::PostgresFixture;

struct PostgresFactory {
  std::string dsn;
  std::unique_ptr<postgres::PostgresStore> open() const {
    postgres::Options o;
    o.dsn = dsn;
    auto opened = postgres::PostgresStore::open(o);
    if (!opened) throw std::runtime_error(opened.error().message());
    return std::move(opened).value();
  }
};

}  // namespace

TEST_SUITE("postgres") {
  TEST_CASE("a database written by a newer libdialer is refused, naming both versions") {
    PostgresFixture f;
    f.store.reset();
    {
      pqxx::connection c{f.dsn};
      pqxx::nontransaction tx{c};
      tx.exec("INSERT INTO schema_version (version) VALUES (9)");
    }
    postgres::Options o;
    o.dsn = f.dsn;
    auto refused = postgres::PostgresStore::open(o);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::storage_error);
    CHECK(refused.error().detail.find("schema version 9") != std::string::npos);
    CHECK(refused.error().detail.find("version " + std::to_string(postgres::PostgresStore::kSchemaVersion)) !=
          std::string::npos);
  }

  TEST_CASE("passwords never appear in errors") {
    const std::string secret = "s3cr3t-Pa55";
    postgres::Options o;
    SUBCASE("URI userinfo") { o.dsn = "postgresql://dialer:" + secret + "@127.0.0.1:1/dialer"; }
    SUBCASE("URI query parameter") {
      o.dsn = "postgresql://dialer@127.0.0.1:1/dialer?password=" + secret;
    }
    SUBCASE("keyword form") { o.dsn = "host=127.0.0.1 port=1 user=dialer password=" + secret; }
    SUBCASE("keyword form, quoted") {
      o.dsn = "host=127.0.0.1 port=1 user=dialer password='" + secret + "'";
    }
    SUBCASE("malformed") { o.dsn = "host=127.0.0.1 password=" + secret + " bogus"; }
    auto refused = postgres::PostgresStore::open(o);
    REQUIRE_FALSE(refused);
    INFO(refused.error().message());
    CHECK(refused.error().message().find(secret) == std::string::npos);
    CHECK(refused.error().message().find("***") != std::string::npos);
  }

  TEST_CASE("the server going away mid-run: queued writes are retried, reported, and land") {
    if (!PgServer::instance().owned()) {
      MESSAGE("skipped: needs a server this test started (DIALER_TEST_PG_DSN is set)");
      return;
    }
    PostgresFixture f;
    std::mutex m;
    std::vector<std::pair<Error, bool>> reports;
    postgres::Options o;
    o.dsn = f.dsn;
    o.on_write_error = [&](const Error& e, bool retry) {
      std::lock_guard lock(m);
      reports.emplace_back(e, retry);
    };
    auto s = postgres::PostgresStore::open(o).value();
    for (std::uint64_t i = 1; i <= 100; ++i) {
      CallRecord r;
      r.id = CallId{i};
      REQUIRE(s->save_call(r));
    }
    REQUIRE(s->flush());
    f.store.reset();
    PgServer::instance().stop();
    for (std::uint64_t i = 101; i <= 200; ++i) {
      CallRecord r;
      r.id = CallId{i};
      REQUIRE(s->save_call(r));  // accepted while the server is down
    }
    std::this_thread::sleep_for(1s);
    PgServer::instance().start();
    REQUIRE(s->flush());
    CHECK(s->max_call_id().value() == 200);
    CHECK(s->count_calls_to("", WallTime{}).value() == 200);
    std::lock_guard lock(m);
    REQUIRE_FALSE(reports.empty());
    CHECK(reports.front().second);  // will retry
  }

  TEST_CASE("a queued write the database refuses is reported lost, never dropped in silence") {
    PostgresFixture f;
    {
      pqxx::connection c{f.dsn};
      pqxx::nontransaction tx{c};
      tx.exec(
          "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
          "IF NEW.number = 'refuse-me' THEN RAISE EXCEPTION 'refused by test'; END IF; "
          "RETURN NEW; END $$");
      tx.exec("CREATE TRIGGER refuse BEFORE INSERT ON call_log FOR EACH ROW EXECUTE FUNCTION refuse()");
    }
    std::atomic<int> lost{0};
    postgres::Options o;
    o.dsn = f.dsn;
    o.on_write_error = [&](const Error&, bool retry) {
      if (!retry) ++lost;
    };
    auto s = postgres::PostgresStore::open(o).value();
    for (std::uint64_t i = 1; i <= 20; ++i) {
      CallRecord r;
      r.id = CallId{i};
      r.number = i == 7 ? "refuse-me" : "+14155550100";
      REQUIRE(s->save_call(r));
    }
    auto flushed = s->flush();
    REQUIRE_FALSE(flushed);
    CHECK(flushed.error().detail.find("call 7") != std::string::npos);
    CHECK(lost.load() == 1);
    CHECK(s->count_calls_to("+14155550100", WallTime{}).value() == 19);
  }

  TEST_CASE("8 claimers in 2 processes drain 100,000 leads: each claimed exactly once") {
    PostgresFixture f;
    f.store.reset();
    test::TempDir dir;
    PostgresFactory factory{f.dsn};
    test::claim_everything_once(factory, 2, 4, 100000, dir.path().string());
  }

  TEST_CASE("a claimer killed with SIGKILL loses no lead: its leases expire and another takes them") {
    PostgresFixture f;
    f.store.reset();
    PostgresFactory factory{f.dsn};
    test::leases_of_a_killed_claimer_expire(factory, 2s);
  }

  TEST_CASE("acknowledged writes survive SIGKILL of the writer at 10 random points") {
    PostgresFixture f;
    f.store.reset();
    PostgresFactory factory{f.dsn};
    test::acknowledged_writes_survive_sigkill(factory, 10000, 10);
  }
}
