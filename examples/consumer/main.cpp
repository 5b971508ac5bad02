// Checks an installed libdialer from the outside: the headers, the link, one
// refusal of the dial-prefix policy, and a SQLite store opened in a temporary
// file.
#include <cstdio>
#include <filesystem>

#include <dialer/dialer.hpp>
#include <dialer/sqlite/sqlite_store.hpp>

int main() {
  dialer::DialPolicy policy;
  if (!policy.save_carrier({dialer::CarrierId{1}, "trunk", "9", "PJSIP/{dial}@trunk",
                            dialer::NumberFormat::e164})) {
    return 1;
  }
  const dialer::Route route{dialer::CarrierId{1}, "", {}};
  auto target = policy.plan_typed(route, "(415) 555-0100");
  auto refused = policy.plan_typed(route, "123&Local/999@other");
  if (!target || refused) return 1;

  const auto path = std::filesystem::temp_directory_path() / "dialer_consumer.sqlite";
  std::filesystem::remove(path);
  dialer::sqlite::Options options;
  options.path = path.string();
  auto store = dialer::sqlite::SqliteStore::open(options);
  if (!store) return 1;
  const bool empty = (*store)->max_call_id().value() == 0;
  store->reset();
  std::filesystem::remove(path);
  std::printf("libdialer %s: %s, sqlite store %s\n", dialer::kVersion,
              target->dial_string.c_str(), empty ? "ok" : "not empty");
  return empty ? 0 : 1;
}
