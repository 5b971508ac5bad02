// A fresh SQLite store in a temporary directory, with the campaigns the
// conformance suite uses already saved (leads and call-log rows must name a
// saved campaign in the SQL stores).
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "dialer/sqlite/sqlite_store.hpp"

namespace dialer::test {

/// A directory removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dialer-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Saves the campaigns 1, 2 and 3 (no carrier) that tests name.
template <class Store>
void save_test_campaigns(Store& store) {
  for (std::uint64_t id = 1; id <= 3; ++id) {
    Campaign c;
    c.id = CampaignId{id};
    c.name = "Campaign " + std::to_string(id);
    REQUIRE(store.save_campaign(c));
  }
}

inline sqlite::Options sqlite_options(const std::filesystem::path& file) {
  sqlite::Options o;
  o.path = file.string();
  // Unit tests care about semantics, not power loss.
  o.sync_commits = false;
  return o;
}

struct SqliteFixture {
  static constexpr const char* kName = "sqlite";
  TempDir dir;
  std::unique_ptr<sqlite::SqliteStore> store;

  SqliteFixture() {
    auto opened = sqlite::SqliteStore::open(sqlite_options(dir.path() / "dialer.db"));
    REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message()));
    store = std::move(*opened);
    save_test_campaigns(*store);
  }
  LeadStore& leads() { return *store; }
  DoNotCallStore& do_not_call() { return *store; }
  CallLogStore& call_log() { return *store; }
  ConfigStore& config() { return *store; }
  void flush() { REQUIRE(store->flush()); }
  std::unique_ptr<sqlite::SqliteStore> reopen() {
    auto opened = sqlite::SqliteStore::open(sqlite_options(dir.path() / "dialer.db"));
    REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message()));
    return std::move(*opened);
  }
  std::shared_ptr<LeadStore> another_connection() {
    auto opened = sqlite::SqliteStore::open(sqlite_options(dir.path() / "dialer.db"));
    if (!opened) return nullptr;
    return std::shared_ptr<LeadStore>(std::move(*opened));
  }
};

}  // namespace dialer::test
