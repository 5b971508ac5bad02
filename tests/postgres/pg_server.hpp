// The PostgreSQL server the tests use: the one DIALER_TEST_PG_DSN names, or
// else a PostgreSQL 15 this test process starts itself — initdb and pg_ctl
// from /usr/lib/postgresql/15/bin (PG_BINDIR overrides) in a temporary
// directory, listening only on a Unix socket in that directory, run as the
// unprivileged user `postgres` when the tests run as root (PostgreSQL refuses
// root) — and stops at exit. Each test gets a fresh database, created from a
// migrated template.
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <string>

#include "dialer/postgres/postgres_store.hpp"

namespace dialer::test {

/// `dsn` (URI or keyword form) as keyword/value pairs with dbname replaced.
inline std::string with_database(const std::string& dsn, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) throw std::runtime_error("DIALER_TEST_PG_DSN is not a libpq connection string");
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    std::string v = o->val;
    std::string quoted;
    for (char ch : v) {
      if (ch == '\'' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    out += std::string(o->keyword) + "='" + quoted + "' ";
  }
  PQconninfoFree(opts);
  return out + "dbname='" + dbname + "'";
}

class PgServer {
 public:
  /// The server, started on first use (once per process).
  static PgServer& instance() {
    static PgServer server;
    return server;
  }

  /// True when this process started the server (and may stop and restart it).
  bool owned() const { return owned_; }
  const std::string& admin_dsn() const { return admin_dsn_; }

  /// A connection string for a new, empty-but-migrated database.
  std::string fresh_database() {
    static std::atomic<int> counter{0};
    const std::string name =
        "dialer_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    admin("CREATE DATABASE " + name + " TEMPLATE dialer_template");
    return with_database(admin_dsn_, name);
  }

  void drop_database(const std::string& dsn) {
    if (owned_) return;  // the whole cluster goes at exit
    const std::string name = dsn.substr(dsn.rfind("dbname='") + 8);
    admin("DROP DATABASE IF EXISTS " + name.substr(0, name.size() - 1) + " WITH (FORCE)");
  }

  /// Stops / starts the server this process owns (failure tests).
  void stop() { run_pg(bin("pg_ctl") + " -D " + data_ + " -w -m fast stop >>" + log_ + " 2>&1"); }
  void start() {
    run_pg(bin("pg_ctl") + " -D " + data_ + " -l " + server_log_ + " -w -t 60 -o \"-k " + dir_ +
           " -c listen_addresses='' -c fsync=off -c max_connections=200\" start >>" + log_ +
           " 2>&1");
  }

  ~PgServer() {
    if (!owned_ || ::getpid() != starter_) return;
    std::system((as_pg() + bin("pg_ctl") + " -D " + data_ + " -w -m immediate stop >/dev/null 2>&1")
                    .c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  PgServer() : starter_(::getpid()) {
    if (const char* dsn = std::getenv("DIALER_TEST_PG_DSN"); dsn != nullptr && *dsn != '\0') {
      admin_dsn_ = dsn;
    } else {
      start_own();
    }
    admin("DROP DATABASE IF EXISTS dialer_template");
    admin("CREATE DATABASE dialer_template");
    postgres::Options o;
    o.dsn = with_database(admin_dsn_, "dialer_template");
    auto migrated = postgres::PostgresStore::open(o);
    if (!migrated) throw std::runtime_error(migrated.error().message());
  }

  static std::string bindir() {
    const char* env = std::getenv("PG_BINDIR");
    return env != nullptr ? env : "/usr/lib/postgresql/15/bin";
  }
  std::string bin(const char* name) const { return bindir() + "/" + name; }
  std::string as_pg() const { return ::geteuid() == 0 ? "runuser -u postgres -- " : ""; }

  void run_pg(const std::string& cmd) const {
    if (std::system((as_pg() + cmd).c_str()) != 0) {
      std::stringstream text;
      for (const auto& file : {log_, server_log_}) {
        std::ifstream in(file);
        text << in.rdbuf();
      }
      throw std::runtime_error("failed: " + cmd + "\n" + text.str());
    }
  }

  void start_own() {
    if (!std::filesystem::exists(bin("initdb"))) {
      throw std::runtime_error(
          "PostgreSQL 15 not found at " + bindir() +
          " (scripts/install-deps.sh installs it; or set DIALER_TEST_PG_DSN / PG_BINDIR)");
    }
    std::string pattern = "/tmp/dialer-pg-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    data_ = dir_ + "/data";
    log_ = dir_ + "/commands.log";
    server_log_ = dir_ + "/server.log";
    if (::geteuid() == 0) {
      // The server runs as `postgres`: its directory must be that user's.
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) throw std::runtime_error("running as root but there is no user postgres");
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw std::runtime_error("cannot chown " + dir_);
      }
    }
    run_pg(bin("initdb") + " -D " + data_ + " -A trust -U postgres -E UTF8 --locale=C --no-sync >" +
           log_ + " 2>&1");
    start();
    owned_ = true;
    admin_dsn_ = "host=" + dir_ + " user=postgres dbname=postgres";
  }

  void admin(const std::string& sql) const {
    pqxx::connection c{admin_dsn_};
    pqxx::nontransaction tx{c};
    tx.exec(sql);
  }

  pid_t starter_;
  bool owned_ = false;
  std::string dir_, data_, log_, server_log_;
  std::string admin_dsn_;
};

/// A fresh PostgreSQL store on its own database, with the campaigns the
/// conformance suite uses saved.
struct PostgresFixture {
  static constexpr const char* kName = "postgres";
  std::string dsn;
  std::unique_ptr<postgres::PostgresStore> store;

  PostgresFixture() : dsn(PgServer::instance().fresh_database()) {
    store = open_store();
    for (std::uint64_t id = 1; id <= 3; ++id) {
      Campaign c;
      c.id = CampaignId{id};
      c.name = "Campaign " + std::to_string(id);
      REQUIRE(store->save_campaign(c));
    }
  }
  ~PostgresFixture() {
    store.reset();
    PgServer::instance().drop_database(dsn);
  }
  std::unique_ptr<postgres::PostgresStore> open_store() const {
    postgres::Options o;
    o.dsn = dsn;
    auto opened = postgres::PostgresStore::open(o);
    REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message()));
    return std::move(*opened);
  }
  LeadStore& leads() { return *store; }
  DoNotCallStore& do_not_call() { return *store; }
  CallLogStore& call_log() { return *store; }
  ConfigStore& config() { return *store; }
  std::unique_ptr<postgres::PostgresStore> reopen() const { return open_store(); }
  void flush() { REQUIRE(store->flush()); }
  std::shared_ptr<LeadStore> another_connection() {
    postgres::Options o;
    o.dsn = dsn;
    auto opened = postgres::PostgresStore::open(o);
    if (!opened) return nullptr;
    return std::shared_ptr<LeadStore>(std::move(*opened));
  }
};

}  // namespace dialer::test
