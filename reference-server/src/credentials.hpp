// Who may log in: logins with a role (agent or admin) and an Argon2id hash,
// and the session tokens handed out at login. Both live in a SQLite file
// (the store's own in the embedded setup), so sessions survive a restart and
// a panel that reconnects to a restarted server keeps working.
//
// Hashing and verifying are slow on purpose; the caller runs them off the
// engine's thread and calls back in here with the result. Every method here
// is quick and runs on the server's thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"

namespace SQLite {
class Database;
}

namespace dialerd {

enum class Role { agent, admin };
const char* to_string(Role role) noexcept;

struct Credential {
  std::string login;
  Role role = Role::agent;
  /// The agent this login acts as; zero for admins.
  dialer::AgentId agent;
  std::string password_hash;
};

struct Session {
  std::string login;
  Role role = Role::agent;
  dialer::AgentId agent;
  dialer::WallTime expires_at{};
};

class Credentials {
 public:
  /// Opens (creating the tables of) the SQLite file. Errors: Errc::storage_error.
  static dialer::Result<std::unique_ptr<Credentials>> open(const std::string& path,
                                                           std::chrono::seconds token_ttl);
  ~Credentials();

  std::optional<Credential> find(std::string_view login) const;
  std::optional<Credential> find_agent(dialer::AgentId agent) const;
  /// Insert or replace by login. Errors: Errc::conflict (the agent already has
  /// another login), Errc::storage_error.
  dialer::Result<void> save(const Credential& credential);
  /// Changes the login of an agent's credential (its hash is kept).
  dialer::Result<void> rename_agent(dialer::AgentId agent, std::string_view login);
  /// Removes an agent's credential and ends its sessions.
  dialer::Result<void> remove_agent(dialer::AgentId agent);
  std::size_t admin_count() const;

  /// A new session; returns the token (only its digest is stored).
  dialer::Result<std::string> start_session(const Credential& who, dialer::WallTime now);
  /// The session of a token that has not expired; slides its expiry.
  std::optional<Session> check(std::string_view token, dialer::WallTime now);
  void end_session(std::string_view token);
  std::size_t session_count() const { return sessions_.size(); }

 private:
  Credentials(std::unique_ptr<SQLite::Database> db, std::chrono::seconds ttl);
  void load();
  std::unique_ptr<SQLite::Database> db_;
  std::chrono::seconds ttl_;
  std::unordered_map<std::string, Credential> by_login_;
  /// Keyed by token digest.
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace dialerd
