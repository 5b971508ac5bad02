// dialerd's configuration: a JSON file (every key optional, documented with
// its default in docs/dialerd.md) overridden by command-line flags. Parsing
// refuses unknown keys and flags, so a typo never silently keeps a default.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dialer/error.hpp"
#include "log.hpp"

namespace dialerd {

struct AriServer {
  /// "http://asterisk:8088/ari"
  std::string url;
  std::string user;
  std::string password;
  /// The Stasis application the dialplan hands calls to.
  std::string app = "dialer";
};

/// How slow the password hash is (libsodium's Argon2id limits).
enum class HashCost { interactive, moderate, minimal };

struct Config {
  /// Run the embedded demo world: SQLite in data_dir, the simulated PBX.
  bool demo = false;
  /// With demo: customers that always answer, after about 1 s, and talk
  /// about 6 s (for the browser tests and quick looks). Refused without demo.
  bool demo_fast = false;
  /// HOST:PORT; port 0 picks a free one (the bound address is printed).
  std::string listen = "127.0.0.1:8080";
  /// A SQLite file path, or a postgresql:// URI.
  std::string store;
  /// Where credentials (logins, password hashes, sessions) live: a SQLite
  /// file or a postgresql:// URI. Empty: the store itself.
  std::string auth_db;
  /// The demo's directory (a fresh temporary one when empty).
  std::string data_dir;
  /// This node's name for lead leases.
  std::string node = "dialerd";
  /// In order of preference: the first is active; the next one that is up
  /// takes the new calls once the active one has been down ari_failover_after.
  std::vector<AriServer> ari;
  std::chrono::seconds ari_failover_after{30};
  /// How often the store's carriers, campaigns and agents are read again, so
  /// that changes another dialerd on the same store made reach this one's
  /// engine; zero: only at start.
  std::chrono::seconds config_sync{5};
  LogLevel log_level = LogLevel::info;
  /// Static panel files; empty: the web/ directory of the source tree.
  std::string web_dir;
  std::chrono::seconds token_ttl{12 * 3600};
  HashCost password_hash = HashCost::interactive;
  /// On SIGTERM/SIGINT live calls may continue this long before they are hung up.
  std::chrono::seconds shutdown_grace{30};
  /// Created (or its password reset) at start when set: the first admin.
  std::string bootstrap_admin_login;
  /// Name of the environment variable holding the bootstrap admin's password.
  std::string bootstrap_admin_password_env = "DIALERD_ADMIN_PASSWORD";
  /// libphonenumber-format prefix → time zone map (lead_import.hpp) for typed
  /// numbers that match no lead; empty: none (such numbers are refused).
  std::string number_time_zones;
  /// Largest request body accepted (CSV uploads). Default 32 MiB.
  std::size_t max_body_bytes = 32u << 20;
};

/// Reads the JSON config file into `config` (keys not present keep their value).
/// Errors: Errc::not_found (no file), Errc::invalid_argument (bad JSON, unknown
/// key, wrong type), naming the key.
dialer::Result<void> load_config_file(const std::string& path, Config& config);

/// Applies argv. `--help` sets help. Errors: Errc::invalid_argument naming the flag.
dialer::Result<void> parse_args(int argc, char** argv, Config& config, bool& help);

const char* usage();

/// Splits "host:port" ("[::1]:8080" too). Errors: Errc::invalid_argument.
dialer::Result<std::pair<std::string, std::uint16_t>> split_host_port(const std::string& text);

}  // namespace dialerd
