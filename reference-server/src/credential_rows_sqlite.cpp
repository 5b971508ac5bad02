#include <SQLiteCpp/SQLiteCpp.h>

#include "credential_rows.hpp"

namespace dialerd {
namespace {

std::int64_t to_ms(dialer::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

class SqliteCredentialRows final : public CredentialRows {
 public:
  explicit SqliteCredentialRows(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.setBusyTimeout(5000);
    db_.exec(
        "CREATE TABLE IF NOT EXISTS dialerd_credentials ("
        " login TEXT PRIMARY KEY, role TEXT NOT NULL, agent_id INTEGER NOT NULL,"
        " password_hash TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS dialerd_sessions ("
        " token_digest TEXT PRIMARY KEY, login TEXT NOT NULL, expires_ms INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS dialerd_web_phones ("
        " agent_id INTEGER PRIMARY KEY, ws_uri TEXT NOT NULL, sip_uri TEXT NOT NULL,"
        " sip_password TEXT NOT NULL, display_name TEXT NOT NULL);");
  }

  std::vector<Credential> load_credentials() override {
    std::vector<Credential> out;
    SQLite::Statement q(db_, "SELECT login, role, agent_id, password_hash FROM dialerd_credentials");
    while (q.executeStep()) out.push_back(credential(q));
    return out;
  }

  std::optional<Credential> find_credential(const std::string& login) override {
    SQLite::Statement q(db_, "SELECT login, role, agent_id, password_hash FROM dialerd_credentials WHERE login = ?");
    q.bind(1, login);
    if (!q.executeStep()) return std::nullopt;
    return credential(q);
  }

  std::optional<SessionRow> find_session(const std::string& digest) override {
    SQLite::Statement q(db_, "SELECT token_digest, login, expires_ms FROM dialerd_sessions WHERE token_digest = ?");
    q.bind(1, digest);
    if (!q.executeStep()) return std::nullopt;
    return session(q);
  }

  std::vector<SessionRow> load_sessions(dialer::WallTime now) override {
    SQLite::Statement d(db_, "DELETE FROM dialerd_sessions WHERE expires_ms < ?");
    d.bind(1, to_ms(now));
    d.exec();
    std::vector<SessionRow> out;
    SQLite::Statement q(db_, "SELECT token_digest, login, expires_ms FROM dialerd_sessions");
    while (q.executeStep()) out.push_back(session(q));
    return out;
  }

  void upsert_credential(const Credential& c) override {
    SQLite::Statement q(db_,
                        "INSERT OR REPLACE INTO dialerd_credentials (login, role, agent_id, password_hash)"
                        " VALUES (?, ?, ?, ?)");
    q.bind(1, c.login);
    q.bind(2, to_string(c.role));
    q.bind(3, static_cast<std::int64_t>(c.agent.value));
    q.bind(4, c.password_hash);
    q.exec();
  }

  void rename_login(const std::string& from, const std::string& to) override {
    SQLite::Transaction tx(db_);
    for (const char* sql : {"UPDATE dialerd_credentials SET login = ? WHERE login = ?",
                            "UPDATE dialerd_sessions SET login = ? WHERE login = ?"}) {
      SQLite::Statement q(db_, sql);
      q.bind(1, to);
      q.bind(2, from);
      q.exec();
    }
    tx.commit();
  }

  void remove_login(const std::string& login) override {
    SQLite::Transaction tx(db_);
    for (const char* sql : {"DELETE FROM dialerd_credentials WHERE login = ?",
                            "DELETE FROM dialerd_sessions WHERE login = ?"}) {
      SQLite::Statement q(db_, sql);
      q.bind(1, login);
      q.exec();
    }
    tx.commit();
  }

  void insert_session(const SessionRow& s) override {
    SQLite::Statement q(db_, "INSERT INTO dialerd_sessions (token_digest, login, expires_ms) VALUES (?, ?, ?)");
    q.bind(1, s.digest);
    q.bind(2, s.login);
    q.bind(3, to_ms(s.expires_at));
    q.exec();
  }

  void slide_session(const std::string& digest, dialer::WallTime expires_at) override {
    SQLite::Statement q(db_, "UPDATE dialerd_sessions SET expires_ms = ? WHERE token_digest = ?");
    q.bind(1, to_ms(expires_at));
    q.bind(2, digest);
    q.exec();
  }

  void delete_session(const std::string& digest) override {
    SQLite::Statement q(db_, "DELETE FROM dialerd_sessions WHERE token_digest = ?");
    q.bind(1, digest);
    q.exec();
  }

  std::optional<WebPhone> find_web_phone(dialer::AgentId agent) override {
    SQLite::Statement q(db_, "SELECT agent_id, ws_uri, sip_uri, sip_password, display_name FROM dialerd_web_phones"
                             " WHERE agent_id = ?");
    q.bind(1, static_cast<std::int64_t>(agent.value));
    if (!q.executeStep()) return std::nullopt;
    return web_phone(q).second;
  }

  std::vector<std::pair<dialer::AgentId, WebPhone>> load_web_phones() override {
    std::vector<std::pair<dialer::AgentId, WebPhone>> out;
    SQLite::Statement q(db_, "SELECT agent_id, ws_uri, sip_uri, sip_password, display_name FROM dialerd_web_phones");
    while (q.executeStep()) out.push_back(web_phone(q));
    return out;
  }

  void upsert_web_phone(dialer::AgentId agent, const WebPhone& p) override {
    SQLite::Statement q(db_,
                        "INSERT OR REPLACE INTO dialerd_web_phones"
                        " (agent_id, ws_uri, sip_uri, sip_password, display_name) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, static_cast<std::int64_t>(agent.value));
    q.bind(2, p.ws_uri);
    q.bind(3, p.sip_uri);
    q.bind(4, p.password);
    q.bind(5, p.display_name);
    q.exec();
  }

  void delete_web_phone(dialer::AgentId agent) override {
    SQLite::Statement q(db_, "DELETE FROM dialerd_web_phones WHERE agent_id = ?");
    q.bind(1, static_cast<std::int64_t>(agent.value));
    q.exec();
  }

 private:
  static std::pair<dialer::AgentId, WebPhone> web_phone(SQLite::Statement& q) {
    return {dialer::AgentId{static_cast<std::uint64_t>(q.getColumn(0).getInt64())},
            WebPhone{q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getString()}};
  }
  static Credential credential(SQLite::Statement& q) {
    return {q.getColumn(0).getString(), q.getColumn(1).getString() == "admin" ? Role::admin : Role::agent,
            dialer::AgentId{static_cast<std::uint64_t>(q.getColumn(2).getInt64())}, q.getColumn(3).getString()};
  }
  static SessionRow session(SQLite::Statement& q) {
    return {q.getColumn(0).getString(), q.getColumn(1).getString(),
            dialer::WallTime{std::chrono::milliseconds{q.getColumn(2).getInt64()}}};
  }

  SQLite::Database db_;
};

}  // namespace

std::unique_ptr<CredentialRows> sqlite_credential_rows(const std::string& path) {
  return std::make_unique<SqliteCredentialRows>(path);
}

}  // namespace dialerd
