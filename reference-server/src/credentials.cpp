#include "credentials.hpp"

#include "credential_rows.hpp"

#include "log.hpp"
#include "passwords.hpp"

namespace dialerd {
using dialer::AgentId;
using dialer::Errc;
using dialer::Error;
using dialer::Result;
using dialer::WallTime;

const char* to_string(Role role) noexcept { return role == Role::admin ? "admin" : "agent"; }

namespace {

bool is_postgres_uri(const std::string& where) {
  return where.rfind("postgres://", 0) == 0 || where.rfind("postgresql://", 0) == 0;
}

/// A store location fit for an error message: a URI loses its password.
std::string shown(const std::string& where) {
  if (!is_postgres_uri(where)) return where;
  const auto start = where.find("://") + 3;
  const auto at = where.find('@', start);
  if (at == std::string::npos) return where;
  const auto colon = where.find(':', start);
  if (colon == std::string::npos || colon > at) return where;
  return where.substr(0, colon) + ":***" + where.substr(at);
}

}  // namespace

Credentials::Credentials(std::unique_ptr<CredentialRows> rows, std::chrono::seconds ttl)
    : rows_(std::move(rows)), ttl_(ttl) {}

Credentials::~Credentials() = default;

Result<std::unique_ptr<Credentials>> Credentials::open(const std::string& where, std::chrono::seconds token_ttl) {
  try {
    std::unique_ptr<CredentialRows> rows;
    if (is_postgres_uri(where)) {
#ifdef DIALERD_WITH_POSTGRES
      rows = postgres_credential_rows(where);
#else
      return Error{Errc::invalid_argument, "this dialerd was built without PostgreSQL support"};
#endif
    } else {
      rows = sqlite_credential_rows(where);
    }
    auto c = open(std::move(rows), token_ttl);
    if (!c) return Error{Errc::storage_error, "credentials in " + shown(where) + ": " + c.error().detail};
    return c;
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, "credentials in " + shown(where) + ": " + e.what()};
  }
}

Result<std::unique_ptr<Credentials>> Credentials::open(std::unique_ptr<CredentialRows> rows,
                                                       std::chrono::seconds token_ttl) {
  std::unique_ptr<Credentials> c(new Credentials(std::move(rows), token_ttl));
  try {
    c->load();
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, e.what()};
  }
  return c;
}

void Credentials::load() {
  for (Credential& c : rows_->load_credentials()) {
    std::string login = c.login;
    by_login_[login] = std::move(c);
  }
  const WallTime now = std::chrono::system_clock::now();
  for (const SessionRow& s : rows_->load_sessions(now)) {
    auto it = by_login_.find(s.login);
    if (it == by_login_.end()) continue;
    sessions_[s.digest] = Session{it->second.login, it->second.role, it->second.agent, s.expires_at, now};
  }
}

Result<std::size_t> Credentials::adopt(Credentials& from) {
  std::size_t copied = 0;
  for (const auto& [login, c] : from.by_login_) {
    if (by_login_.contains(login)) continue;
    if (c.role == Role::agent && find_agent(c.agent)) continue;  // the agent has a login here already
    if (auto saved = save(c); !saved) return std::move(saved).error();
    ++copied;
  }
  for (const auto& [digest, s] : from.sessions_) {
    if (sessions_.contains(digest) || !by_login_.contains(s.login)) continue;
    try {
      rows_->insert_session({digest, s.login, s.expires_at});
    } catch (const std::exception& e) {
      return Error{Errc::storage_error, std::string("copying a session: ") + e.what()};
    }
    sessions_[digest] = s;
  }
  return copied;
}

std::optional<Credential> Credentials::find(std::string_view login) const {
  auto it = by_login_.find(std::string(login));
  if (it == by_login_.end()) return std::nullopt;
  return it->second;
}

std::optional<Credential> Credentials::find_fresh(std::string_view login) {
  const std::string key(login);
  try {
    if (auto stored = rows_->find_credential(key)) {
      by_login_[key] = *stored;
      return stored;
    }
    by_login_.erase(key);
    std::erase_if(sessions_, [&](const auto& kv) { return kv.second.login == key; });
    return std::nullopt;
  } catch (const std::exception& e) {
    log(LogLevel::warn, "credential_reload_failed", {{"error", e.what()}});
    return find(login);
  }
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
    rows_->upsert_credential(c);
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
    rows_->rename_login(c->login, std::string(login));
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
  if (auto r = set_web_phone(agent, std::nullopt); !r) return r;
  auto c = find_agent(agent);
  if (!c) return {};
  try {
    rows_->remove_login(c->login);
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("removing a credential: ") + e.what()};
  }
  by_login_.erase(c->login);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.login == c->login; });
  return {};
}

Result<std::optional<WebPhone>> Credentials::web_phone(AgentId agent) {
  try {
    return rows_->find_web_phone(agent);
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("reading a browser phone: ") + e.what()};
  }
}

Result<std::unordered_map<std::uint64_t, WebPhone>> Credentials::web_phones() {
  try {
    std::unordered_map<std::uint64_t, WebPhone> out;
    for (auto& [agent, phone] : rows_->load_web_phones()) out.emplace(agent.value, std::move(phone));
    return out;
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("reading browser phones: ") + e.what()};
  }
}

Result<void> Credentials::set_web_phone(AgentId agent, const std::optional<WebPhone>& phone) {
  try {
    if (phone) rows_->upsert_web_phone(agent, *phone);
    else rows_->delete_web_phone(agent);
    return {};
  } catch (const std::exception& e) {
    return Error{Errc::storage_error, std::string("saving a browser phone: ") + e.what()};
  }
}

std::size_t Credentials::admin_count() const {
  std::size_t n = 0;
  for (const auto& [login, c] : by_login_) n += c.role == Role::admin ? 1 : 0;
  return n;
}

Result<std::string> Credentials::start_session(const Credential& who, WallTime now) {
  std::string token = random_token();
  std::string digest = token_digest(token);
  Session s{who.login, who.role, who.agent, now + ttl_, now};
  try {
    rows_->insert_session({digest, who.login, s.expires_at});
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
  if (it == sessions_.end() || now - it->second.verified_at >= kSessionRecheck) {
    it = load_session(digest, now);
    if (it == sessions_.end()) return std::nullopt;
  }
  if (it->second.expires_at <= now) {
    end_session(token);
    return std::nullopt;
  }
  // Sliding expiry; written back at most once a minute per session.
  WallTime next = now + ttl_;
  if (next - it->second.expires_at > std::chrono::minutes{1}) {
    it->second.expires_at = next;
    try {
      rows_->slide_session(digest, next);
    } catch (const std::exception& e) {
      log(LogLevel::warn, "session_slide_failed", {{"error", e.what()}});
    }
  }
  return it->second;
}

std::unordered_map<std::string, Session>::iterator Credentials::load_session(const std::string& digest,
                                                                           WallTime now) {
  auto cached = sessions_.find(digest);
  try {
    auto row = rows_->find_session(digest);
    if (!row) {  // never issued, or ended on another node
      if (cached != sessions_.end()) sessions_.erase(cached);
      return sessions_.end();
    }
    if (cached != sessions_.end()) {
      cached->second.verified_at = now;
      cached->second.expires_at = std::max(cached->second.expires_at, row->expires_at);
      return cached;
    }
    auto who = find_fresh(row->login);
    if (!who) return sessions_.end();
    return sessions_.emplace(digest, Session{who->login, who->role, who->agent, row->expires_at, now}).first;
  } catch (const std::exception& e) {
    // The rows cannot be read: what memory knows still holds.
    log(LogLevel::warn, "session_lookup_failed", {{"error", e.what()}});
    return cached;
  }
}

void Credentials::end_session(std::string_view token) {
  std::string digest = token_digest(token);
  sessions_.erase(digest);
  try {
    rows_->delete_session(digest);
  } catch (const std::exception& e) {
    log(LogLevel::warn, "session_delete_failed", {{"error", e.what()}});
  }
}

}  // namespace dialerd
