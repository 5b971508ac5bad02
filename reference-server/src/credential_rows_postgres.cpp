#include <pqxx/pqxx>

#include "credential_rows.hpp"

namespace dialerd {
namespace {

std::int64_t to_ms(dialer::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// One connection, used from the server's thread only. libpqxx reconnects a
// broken connection on its next use, so a PostgreSQL restart costs the
// statements that were running, not the server.
class PostgresCredentialRows final : public CredentialRows {
 public:
  explicit PostgresCredentialRows(const std::string& uri) : db_(uri) {
    pqxx::work tx{db_};
    // Two servers starting at once on a new database must not both create.
    tx.exec("SELECT pg_advisory_xact_lock(7212946)");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS dialerd_credentials ("
        " login TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),"
        " agent_id BIGINT NOT NULL, password_hash TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS dialerd_sessions ("
        " token_digest TEXT PRIMARY KEY,"
        " login TEXT NOT NULL REFERENCES dialerd_credentials (login) ON UPDATE CASCADE ON DELETE CASCADE,"
        " expires_ms BIGINT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS dialerd_sessions_login ON dialerd_sessions (login);"
        "CREATE TABLE IF NOT EXISTS dialerd_web_phones ("
        " agent_id BIGINT PRIMARY KEY, ws_uri TEXT NOT NULL, sip_uri TEXT NOT NULL,"
        " sip_password TEXT NOT NULL, display_name TEXT NOT NULL);");
    tx.commit();
  }

  std::vector<Credential> load_credentials() override {
    pqxx::read_transaction tx{db_};
    std::vector<Credential> out;
    for (const auto& row : tx.exec("SELECT login, role, agent_id, password_hash FROM dialerd_credentials")) {
      out.push_back(credential(row));
    }
    return out;
  }

  std::optional<Credential> find_credential(const std::string& login) override {
    pqxx::read_transaction tx{db_};
    const pqxx::result r = tx.exec_params(
        "SELECT login, role, agent_id, password_hash FROM dialerd_credentials WHERE login = $1", login);
    if (r.empty()) return std::nullopt;
    return credential(r[0]);
  }

  std::optional<SessionRow> find_session(const std::string& digest) override {
    pqxx::read_transaction tx{db_};
    const pqxx::result r = tx.exec_params(
        "SELECT token_digest, login, expires_ms FROM dialerd_sessions WHERE token_digest = $1", digest);
    if (r.empty()) return std::nullopt;
    return session(r[0]);
  }

  std::vector<SessionRow> load_sessions(dialer::WallTime now) override {
    pqxx::work tx{db_};
    tx.exec_params("DELETE FROM dialerd_sessions WHERE expires_ms < $1", to_ms(now));
    std::vector<SessionRow> out;
    for (const auto& row : tx.exec("SELECT token_digest, login, expires_ms FROM dialerd_sessions")) {
      out.push_back(session(row));
    }
    tx.commit();
    return out;
  }

  void upsert_credential(const Credential& c) override {
    run("INSERT INTO dialerd_credentials (login, role, agent_id, password_hash) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role, agent_id = EXCLUDED.agent_id,"
        " password_hash = EXCLUDED.password_hash",
        c.login, std::string(to_string(c.role)), static_cast<std::int64_t>(c.agent.value), c.password_hash);
  }

  // Sessions follow through the foreign key's ON UPDATE / ON DELETE CASCADE.
  void rename_login(const std::string& from, const std::string& to) override {
    run("UPDATE dialerd_credentials SET login = $1 WHERE login = $2", to, from);
  }
  void remove_login(const std::string& login) override {
    run("DELETE FROM dialerd_credentials WHERE login = $1", login);
  }

  void insert_session(const SessionRow& s) override {
    run("INSERT INTO dialerd_sessions (token_digest, login, expires_ms) VALUES ($1, $2, $3)", s.digest, s.login,
        to_ms(s.expires_at));
  }
  void slide_session(const std::string& digest, dialer::WallTime expires_at) override {
    run("UPDATE dialerd_sessions SET expires_ms = $1 WHERE token_digest = $2", to_ms(expires_at), digest);
  }
  void delete_session(const std::string& digest) override {
    run("DELETE FROM dialerd_sessions WHERE token_digest = $1", digest);
  }

  std::optional<WebPhone> find_web_phone(dialer::AgentId agent) override {
    pqxx::read_transaction tx{db_};
    const pqxx::result r = tx.exec_params(
        "SELECT agent_id, ws_uri, sip_uri, sip_password, display_name FROM dialerd_web_phones WHERE agent_id = $1",
        static_cast<std::int64_t>(agent.value));
    if (r.empty()) return std::nullopt;
    return web_phone(r[0]).second;
  }

  std::vector<std::pair<dialer::AgentId, WebPhone>> load_web_phones() override {
    pqxx::read_transaction tx{db_};
    std::vector<std::pair<dialer::AgentId, WebPhone>> out;
    for (const auto& row : tx.exec("SELECT agent_id, ws_uri, sip_uri, sip_password, display_name FROM dialerd_web_phones")) {
      out.push_back(web_phone(row));
    }
    return out;
  }

  void upsert_web_phone(dialer::AgentId agent, const WebPhone& p) override {
    run("INSERT INTO dialerd_web_phones (agent_id, ws_uri, sip_uri, sip_password, display_name)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agent_id) DO UPDATE SET ws_uri = EXCLUDED.ws_uri,"
        " sip_uri = EXCLUDED.sip_uri, sip_password = EXCLUDED.sip_password, display_name = EXCLUDED.display_name",
        static_cast<std::int64_t>(agent.value), p.ws_uri, p.sip_uri, p.password, p.display_name);
  }

  void delete_web_phone(dialer::AgentId agent) override {
    run("DELETE FROM dialerd_web_phones WHERE agent_id = $1", static_cast<std::int64_t>(agent.value));
  }

 private:
  /// Runs one statement in its own transaction; returns the rows it changed.
  template <class... Args>
  std::size_t run(const char* sql, const Args&... args) {
    pqxx::work tx{db_};
    const pqxx::result r = tx.exec_params(sql, args...);
    tx.commit();
    return static_cast<std::size_t>(r.affected_rows());
  }

  static Credential credential(const pqxx::row& row) {
    return {row[0].as<std::string>(), row[1].as<std::string>() == "admin" ? Role::admin : Role::agent,
            dialer::AgentId{static_cast<std::uint64_t>(row[2].as<std::int64_t>())}, row[3].as<std::string>()};
  }
  static std::pair<dialer::AgentId, WebPhone> web_phone(const pqxx::row& row) {
    return {dialer::AgentId{static_cast<std::uint64_t>(row[0].as<std::int64_t>())},
            WebPhone{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                     row[4].as<std::string>()}};
  }
  static SessionRow session(const pqxx::row& row) {
    return {row[0].as<std::string>(), row[1].as<std::string>(),
            dialer::WallTime{std::chrono::milliseconds{row[2].as<std::int64_t>()}}};
  }

  pqxx::connection db_;
};

}  // namespace

std::unique_ptr<CredentialRows> postgres_credential_rows(const std::string& uri) {
  return std::make_unique<PostgresCredentialRows>(uri);
}

}  // namespace dialerd
