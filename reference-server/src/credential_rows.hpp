// Where Credentials keeps its rows: a SQLite file (the embedded setup, the
// store's own file) or the PostgreSQL database of the store, so that a
// PostgreSQL deployment keeps no state beside the server and a second node on
// the same database knows the same logins at start.
//
// Credentials holds everything in memory and writes through; these are the
// writes, each atomic, and the lookups it makes when its memory may be behind
// another node's writes. Failures throw (std::exception), and Credentials turns
// them into Errc::storage_error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "credentials.hpp"
#include "web_phone.hpp"

namespace dialerd {

struct SessionRow {
  /// The digest of the token (the token itself is never stored).
  std::string digest;
  std::string login;
  dialer::WallTime expires_at{};
};

class CredentialRows {
 public:
  virtual ~CredentialRows() = default;
  virtual std::vector<Credential> load_credentials() = 0;
  /// One login as stored now (another node may have made or changed it).
  virtual std::optional<Credential> find_credential(const std::string& login) = 0;
  virtual std::optional<SessionRow> find_session(const std::string& digest) = 0;
  /// Deletes the sessions expired at `now` and returns the rest.
  virtual std::vector<SessionRow> load_sessions(dialer::WallTime now) = 0;
  /// Insert or replace by login.
  virtual void upsert_credential(const Credential& credential) = 0;
  /// Renames a login and moves its sessions with it.
  virtual void rename_login(const std::string& from, const std::string& to) = 0;
  /// Removes a login and its sessions.
  virtual void remove_login(const std::string& login) = 0;
  virtual void insert_session(const SessionRow& session) = 0;
  virtual void slide_session(const std::string& digest, dialer::WallTime expires_at) = 0;
  virtual void delete_session(const std::string& digest) = 0;

  /// Agents' browser phones (web_phone.hpp), at most one per agent.
  virtual std::optional<WebPhone> find_web_phone(dialer::AgentId agent) = 0;
  virtual std::vector<std::pair<dialer::AgentId, WebPhone>> load_web_phones() = 0;
  /// Insert or replace by agent.
  virtual void upsert_web_phone(dialer::AgentId agent, const WebPhone& phone) = 0;
  virtual void delete_web_phone(dialer::AgentId agent) = 0;
};

/// Opens (creating the tables of) a SQLite file.
std::unique_ptr<CredentialRows> sqlite_credential_rows(const std::string& path);

/// Connects to a postgresql:// URI and creates the tables if missing. Only in
/// a dialerd built with PostgreSQL (DIALERD_WITH_POSTGRES).
std::unique_ptr<CredentialRows> postgres_credential_rows(const std::string& uri);

}  // namespace dialerd
