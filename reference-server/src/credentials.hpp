// Who may log in: logins with a role (agent or admin) and an Argon2id hash,
// and the session tokens handed out at login. Both live where the store does
// (CredentialRows: the SQLite file, or the PostgreSQL database), so sessions
// survive a restart and a panel that reconnects to a restarted server keeps
// working. They are read at start and kept in memory; every change is
// written through.
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
#include "web_phone.hpp"

namespace dialerd {

class CredentialRows;

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
  /// When the rows last said the session exists.
  dialer::WallTime verified_at{};
};

class Credentials {
 public:
  static constexpr std::chrono::seconds kSessionRecheck{5};

  /// Opens the rows at `where`: a postgresql:// URI or a SQLite file path
  /// (creating the tables). Errors: Errc::storage_error, naming `where`
  /// without any password it holds.
  static dialer::Result<std::unique_ptr<Credentials>> open(const std::string& where,
                                                           std::chrono::seconds token_ttl);
  /// Loads what `rows` holds. Errors: Errc::storage_error.
  static dialer::Result<std::unique_ptr<Credentials>> open(std::unique_ptr<CredentialRows> rows,
                                                           std::chrono::seconds token_ttl);
  /// Copies every login and live session of `from` that this one lacks
  /// (moving to another store). Returns how many logins were copied.
  dialer::Result<std::size_t> adopt(Credentials& from);
  ~Credentials();

  std::optional<Credential> find(std::string_view login) const;
  /// find(), after reading the login again from the rows: another node on
  /// the same database may have made it or changed its password. Used at
  /// log-in; falls back to memory if the rows cannot be read.
  std::optional<Credential> find_fresh(std::string_view login);
  std::optional<Credential> find_agent(dialer::AgentId agent) const;
  /// Insert or replace by login. Errors: Errc::conflict (the agent already has
  /// another login), Errc::storage_error.
  dialer::Result<void> save(const Credential& credential);
  /// Changes the login of an agent's credential (its hash is kept).
  dialer::Result<void> rename_agent(dialer::AgentId agent, std::string_view login);
  /// Removes an agent's credential and browser phone, and ends its sessions.
  dialer::Result<void> remove_agent(dialer::AgentId agent);

  /// An agent's browser phone, read from the rows each time: phones change
  /// rarely, are read rarely (a panel loading, an admin listing), and another
  /// node may have changed one. Errors: Errc::storage_error.
  dialer::Result<std::optional<WebPhone>> web_phone(dialer::AgentId agent);
  /// Every browser phone, by agent id.
  dialer::Result<std::unordered_map<std::uint64_t, WebPhone>> web_phones();
  /// Sets (a value) or removes (nullopt) an agent's browser phone.
  dialer::Result<void> set_web_phone(dialer::AgentId agent, const std::optional<WebPhone>& phone);
  std::size_t admin_count() const;

  /// A new session; returns the token (only its digest is stored).
  dialer::Result<std::string> start_session(const Credential& who, dialer::WallTime now);
  /// The session of a token that has not expired; slides its expiry. A
  /// token unknown here is looked up in the rows (another node may have
  /// issued it), and a known one is checked there again after
  /// kSessionRecheck, so a logout on another node ends it here too.
  std::optional<Session> check(std::string_view token, dialer::WallTime now);
  void end_session(std::string_view token);
  std::size_t session_count() const { return sessions_.size(); }

 private:
  Credentials(std::unique_ptr<CredentialRows> rows, std::chrono::seconds ttl);
  void load();
  /// A session another node started: from the rows into memory, or end().
  std::unordered_map<std::string, Session>::iterator load_session(const std::string& digest,
                                                                  dialer::WallTime now);
  std::unique_ptr<CredentialRows> rows_;
  std::chrono::seconds ttl_;
  std::unordered_map<std::string, Credential> by_login_;
  /// Keyed by token digest.
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace dialerd
