#include "credentials.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "log.hpp"
#include "passwords.hpp"

namespace dialerd {
using dialer::AgentId;
using dialer::Errc;
using dialer::Error;
using dialer::Result;
using dialer::WallTime;

namespace {

std::int64_t to_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime from_ms(std::int64_t ms) { return WallTime{std::chrono::milliseconds{ms}}; }

}  // namespace

const char* to_string(Role role) noexcept { return role == Role::admin ? "admin" : "agent"; }

Credentials::Credentials(std::unique_ptr<SQLite::Database> db, std::chrono::seconds ttl)
    : db_(std::move(db)), ttl_(ttl) {}

Credentials::~Credentials() = default;

Result<std::unique_ptr<Credentials>> Credentials::open(const std::string& path,
                                                       std::chrono::seconds token_ttl) {
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db->setBusyTimeout(5000);
    db->exec(
        "CREATE TABLE IF NOT EXISTS dialerd_credentials ("
        " login TEXT PRIMARY KEY, role TEXT NOT NULL, agent_id INTEGER NOT NULL,"
        " password_hash TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS dialerd_sessions ("
        " token_digest TEXT PRIMARY KEY, login TEXT NOT NULL, expires_ms INTEGER NOT NULL);");
    std::unique_ptr<Credentials> c(new Credentials(std::move(db), token_ttl));
    c->load();
    return c;
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, "credentials database " + path + ": " + e.what()};
  }
}

void Credentials::load() {
  SQLite::Statement q(*db_, "SELECT login, role, agent_id, password_hash FROM dialerd_credentials");
  while (q.executeStep()) {
    Credential c;
    c.login = q.getColumn(0).getString();
    c.role = q.getColumn(1).getString() == "admin" ? Role::admin : Role::agent;
    c.agent = AgentId{static_cast<std::uint64_t>(q.getColumn(2).getInt64())};
    c.password_hash = q.getColumn(3).getString();
    by_login_[c.login] = c;
  }
  std::int64_t now = to_ms(std::chrono::system_clock::now());
  db_->exec("DELETE FROM dialerd_sessions WHERE expires_ms < " + std::to_string(now));
  SQLite::Statement s(*db_, "SELECT token_digest, login, expires_ms FROM dialerd_sessions");
  while (s.executeStep()) {
    auto it = by_login_.find(s.getColumn(1).getString());
    if (it == by_login_.end()) continue;
    sessions_[s.getColumn(0).getString()] =
        Session{it->second.login, it->second.role, it->second.agent, from_ms(s.getColumn(2).getInt64())};
  }
}

std::optional<Credential> Credentials::find(std::string_view login) const {
  auto it = by_login_.find(std::string(login));
  if (it == by_login_.end()) return std::nullopt;
  return it->second;
}

std::optional<Credential> Credentials::find_agent(AgentId agent) const {
  for (const auto& [login, c] : by_login_) {
    if (c.role == Role::agent && c.agent == agent) return c;
  }
  return std::nullopt;
}

Result<void> Credentials::save(const Credential& c) {
  if (c.role == Role::agent) {
    auto other = find_agent(c.agent);
    if (other && other->login != c.login) {
      return Error{Errc::conflict, "agent " + dialer::to_string(c.agent) + " already has login " + other->login};
    }
  }
  try {
    SQLite::Statement q(*db_,
                        "INSERT OR REPLACE INTO dialerd_credentials (login, role, agent_id, password_hash)"
                        " VALUES (?, ?, ?, ?)");
    q.bind(1, c.login);
    q.bind(2, to_string(c.role));
    q.bind(3, static_cast<std::int64_t>(c.agent.value));
    q.bind(4, c.password_hash);
    q.exec();
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("saving a credential: ") + e.what()};
  }
  by_login_[c.login] = c;
  return {};
}

Result<void> Credentials::rename_agent(AgentId agent, std::string_view login) {
  auto c = find_agent(agent);
  if (!c || c->login == login) return {};
  if (by_login_.count(std::string(login)) != 0) {
    return Error{Errc::conflict, "login " + std::string(login) + " is taken"};
  }
  try {
    SQLite::Transaction tx(*db_);
    SQLite::Statement q(*db_, "UPDATE dialerd_credentials SET login = ? WHERE login = ?");
    q.bind(1, std::string(login));
    q.bind(2, c->login);
    q.exec();
    SQLite::Statement s(*db_, "UPDATE dialerd_sessions SET login = ? WHERE login = ?");
    s.bind(1, std::string(login));
    s.bind(2, c->login);
    s.exec();
    tx.commit();
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("renaming a credential: ") + e.what()};
  }
  by_login_.erase(c->login);
  for (auto& [digest, s] : sessions_) {
    if (s.login == c->login) s.login = std::string(login);
  }
  c->login = std::string(login);
  by_login_[c->login] = *c;
  return {};
}

Result<void> Credentials::remove_agent(AgentId agent) {
  auto c = find_agent(agent);
  if (!c) return {};
  try {
    SQLite::Transaction tx(*db_);
    SQLite::Statement q(*db_, "DELETE FROM dialerd_credentials WHERE login = ?");
    q.bind(1, c->login);
    q.exec();
    SQLite::Statement s(*db_, "DELETE FROM dialerd_sessions WHERE login = ?");
    s.bind(1, c->login);
    s.exec();
    tx.commit();
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("removing a credential: ") + e.what()};
  }
  by_login_.erase(c->login);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.login == c->login; });
  return {};
}

std::size_t Credentials::admin_count() const {
  std::size_t n = 0;
  for (const auto& [login, c] : by_login_) n += c.role == Role::admin ? 1 : 0;
  return n;
}

Result<std::string> Credentials::start_session(const Credential& who, WallTime now) {
  std::string token = random_token();
  std::string digest = token_digest(token);
  Session s{who.login, who.role, who.agent, now + ttl_};
  try {
    SQLite::Statement q(*db_, "INSERT INTO dialerd_sessions (token_digest, login, expires_ms) VALUES (?, ?, ?)");
    q.bind(1, digest);
    q.bind(2, who.login);
    q.bind(3, to_ms(s.expires_at));
    q.exec();
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("saving a session: ") + e.what()};
  }
  sessions_[digest] = s;
  return token;
}

std::optional<Session> Credentials::check(std::string_view token, WallTime now) {
  if (token.empty() || token.size() > 256) return std::nullopt;
  std::string digest = token_digest(token);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    end_session(token);
    return std::nullopt;
  }
  // Sliding expiry; written back at most once a minute per session.
  WallTime next = now + ttl_;
  if (next - it->second.expires_at > std::chrono::minutes{1}) {
    it->second.expires_at = next;
    try {
      SQLite::Statement q(*db_, "UPDATE dialerd_sessions SET expires_ms = ? WHERE token_digest = ?");
      q.bind(1, to_ms(next));
      q.bind(2, digest);
      q.exec();
    } catch (const std::exception& e) {
      log(LogLevel::warn, "session_slide_failed", {{"error", e.what()}});
    }
  }
  return it->second;
}

void Credentials::end_session(std::string_view token) {
  std::string digest = token_digest(token);
  sessions_.erase(digest);
  try {
    SQLite::Statement q(*db_, "DELETE FROM dialerd_sessions WHERE token_digest = ?");
    q.bind(1, digest);
    q.exec();
  } catch (const std::exception& e) {
    log(LogLevel::warn, "session_delete_failed", {{"error", e.what()}});
  }
}

}  // namespace dialerd
