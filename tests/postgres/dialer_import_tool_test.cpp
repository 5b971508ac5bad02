// dialer-import --postgres, run as a separate process against the PostgreSQL
// that pg_server.hpp starts: the rows land in the database, a second run of
// the same file adds nothing (it updates what the first one stored), and the
// password of the connection string never reaches the output.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pg_server.hpp"

#ifndef DIALER_IMPORT_TOOL
#error "DIALER_IMPORT_TOOL must name the dialer-import executable"
#endif

namespace {

using namespace dialer;
using test::PostgresFixture;

struct Run {
  int status = -1;  // exit status, or -1 if it did not exit normally
  std::string out;
};

/// Runs dialer-import with `args` (no shell: the connection string is one
/// argument however it is quoted), stdout and stderr into one file.
Run run_tool(const std::vector<std::string>& args, const std::filesystem::path& output) {
  std::vector<std::string> argv_text{DIALER_IMPORT_TOOL};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* f = std::fopen(output.c_str(), "w");
    if (f == nullptr) ::_exit(127);
    ::dup2(::fileno(f), STDOUT_FILENO);
    ::dup2(::fileno(f), STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  Run r;
  int wstatus = 0;
  if (pid > 0 && ::waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus)) {
    r.status = WEXITSTATUS(wstatus);
  }
  std::ifstream in(output);
  std::stringstream text;
  text << in.rdbuf();
  r.out = text.str();
  return r;
}

std::int64_t count(const std::string& dsn, const std::string& sql) {
  pqxx::connection c{dsn};
  pqxx::nontransaction tx{c};
  return tx.exec(sql)[0][0].as<std::int64_t>();
}

/// A directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dialer-import-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

TEST_SUITE("postgres") {
  TEST_CASE("dialer-import --postgres stores the rows, and a second run changes nothing") {
    PostgresFixture f;  // campaigns 1-3 saved, plan US
    TempDir dir;
    const auto csv = dir.path / "leads.csv";
    {
      std::ofstream out(csv, std::ios::binary);
      out << "phone,name,notes\n";
      // 2,500 distinct numbers: three batches of 1,000 rows, one of them short.
      for (int i = 0; i < 2500; ++i) {
        out << "+1212555" << (1000 + i) << ",Lead " << i << ",\"said \"\"call back\"\", later\"\n";
      }
      out << "not a number,Bad,\n";
      out << "+12125551000,Duplicate,\n";
    }
    // The password goes in the connection string; the test server trusts
    // local connections, so it is accepted and ignored.
    const std::string secret = "pa55-Wd-in-dsn";
    const std::string dsn = f.dsn + " password='" + secret + "'";
    const std::vector<std::string> args{"--postgres", dsn,       "--campaign", "2",
                                        "--quiet",    "--report", (dir.path / "report.json").string(),
                                        csv.string()};

    const Run first = run_tool(args, dir.path / "first.txt");
    INFO("first run:\n", first.out);
    REQUIRE(first.status == 0);
    CHECK(first.out.find("imported (new)       2500") != std::string::npos);
    CHECK(first.out.find("bad rows             1") != std::string::npos);
    CHECK(first.out.find("duplicates in file   1") != std::string::npos);
    CHECK(first.out.find(secret) == std::string::npos);
    CHECK(count(f.dsn, "SELECT count(*) FROM leads WHERE campaign_id = 2") == 2500);
    CHECK(count(f.dsn, "SELECT count(*) FROM queue WHERE campaign_id = 2 AND status = 'pending'") ==
          2500);
    CHECK(count(f.dsn, "SELECT count(DISTINCT e164) FROM leads") == 2500);
    const Lead stored = f.store->find_lead_by_phone("2125553499", CampaignId{2}).value();
    CHECK(stored.phone.e164 == "+12125553499");
    CHECK(stored.field("name") == "Lead 2499");
    CHECK(stored.field("notes") == "said \"call back\", later");
    const std::int64_t max_id = count(f.dsn, "SELECT max(id) FROM leads");

    const Run second = run_tool(args, dir.path / "second.txt");
    INFO("second run:\n", second.out);
    REQUIRE(second.status == 0);
    CHECK(second.out.find("imported (new)       0") != std::string::npos);
    CHECK(second.out.find("updated              2500") != std::string::npos);
    CHECK(second.out.find(secret) == std::string::npos);
    CHECK(count(f.dsn, "SELECT count(*) FROM leads") == 2500);
    CHECK(count(f.dsn, "SELECT count(*) FROM queue") == 2500);
    CHECK(count(f.dsn, "SELECT max(id) FROM leads") == max_id);
    CHECK(f.store->find_lead_by_phone("2125553499", CampaignId{2})->id == stored.id);
  }

  TEST_CASE("dialer-import --postgres refuses a campaign the database does not have") {
    PostgresFixture f;
    TempDir dir;
    const auto csv = dir.path / "leads.csv";
    {
      std::ofstream out(csv, std::ios::binary);
      out << "phone\n+12125551000\n";
    }
    const Run r = run_tool({"--postgres", f.dsn, "--campaign", "99", "--quiet", csv.string()},
                           dir.path / "out.txt");
    INFO(r.out);
    CHECK(r.status == 2);
    CHECK(count(f.dsn, "SELECT count(*) FROM leads") == 0);
  }
}
