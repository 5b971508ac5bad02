#include "extras.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>

#include "json_mapping.hpp"
#include "log.hpp"

namespace dialerd {
namespace json = boost::json;
using dialer::Errc;
using dialer::Error;
using dialer::Result;

namespace {

// The keys of campaign_json / agent_json that the stores do not keep.
constexpr const char* kCampaignKeys[] = {"compliance", "recycle", "lead_order", "pacing"};
constexpr const char* kAgentKeys[] = {"persistent_leg"};

template <std::size_t N>
json::object pick(const json::object& all, const char* const (&keys)[N]) {
  json::object out;
  for (const char* k : keys) {
    if (auto it = all.find(k); it != all.end()) out[k] = it->value();
  }
  return out;
}

}  // namespace

Extras::Extras(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
Extras::~Extras() = default;

Result<std::unique_ptr<Extras>> Extras::open(const std::string& path) {
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db->setBusyTimeout(5000);
    db->exec(
        "CREATE TABLE IF NOT EXISTS dialerd_extras ("
        " kind TEXT NOT NULL, id INTEGER NOT NULL, settings TEXT NOT NULL,"
        " PRIMARY KEY (kind, id))");
    std::unique_ptr<Extras> e(new Extras(std::move(db)));
    SQLite::Statement q(*e->db_, "SELECT kind, id, settings FROM dialerd_extras");
    while (q.executeStep()) {
      e->saved_[{q.getColumn(0).getString(), static_cast<std::uint64_t>(q.getColumn(1).getInt64())}] =
          q.getColumn(2).getString();
    }
    return e;
  } catch (const std::exception& ex) {
    return Error{Errc::storage_error, "dialerd extras in " + path + ": " + ex.what()};
  }
}

Result<void> Extras::put(const char* kind, std::uint64_t id, std::string text) {
  try {
    SQLite::Statement s(*db_, "INSERT OR REPLACE INTO dialerd_extras (kind, id, settings) VALUES (?, ?, ?)");
    s.bind(1, kind);
    s.bind(2, static_cast<std::int64_t>(id));
    s.bind(3, text);
    s.exec();
  } catch (const std::exception& ex) {
    return Error{Errc::storage_error, std::string("dialerd extras: ") + ex.what()};
  }
  saved_[{kind, id}] = std::move(text);
  return {};
}

void Extras::remove(const char* kind, std::uint64_t id) {
  try {
    SQLite::Statement s(*db_, "DELETE FROM dialerd_extras WHERE kind = ? AND id = ?");
    s.bind(1, kind);
    s.bind(2, static_cast<std::int64_t>(id));
    s.exec();
  } catch (const std::exception& ex) {
    log(LogLevel::error, "extras_delete_failed", {{"kind", kind}, {"id", std::to_string(id)}, {"error", ex.what()}});
  }
  saved_.erase({kind, id});
}

Result<void> Extras::save(const dialer::Campaign& c) {
  return put("campaign", c.id.value, json::serialize(pick(campaign_json(c), kCampaignKeys)));
}

Result<void> Extras::save(const dialer::Agent& a) {
  return put("agent", a.id.value, json::serialize(pick(agent_json(a), kAgentKeys)));
}

void Extras::apply(dialer::Campaign& c) const {
  auto it = saved_.find({"campaign", c.id.value});
  if (it == saved_.end()) return;
  boost::system::error_code ec;
  json::value v = json::parse(it->second, ec);
  if (ec || !v.is_object()) return;
  dialer::Campaign updated = c;
  if (auto r = read_campaign(v.as_object(), updated); r) {
    c = std::move(updated);
  } else {
    log(LogLevel::error, "extras_refused", {{"campaign", dialer::to_string(c.id)}, {"error", r.error().message()}});
  }
}

void Extras::apply(dialer::Agent& a) const {
  auto it = saved_.find({"agent", a.id.value});
  if (it == saved_.end()) return;
  boost::system::error_code ec;
  json::value v = json::parse(it->second, ec);
  if (ec || !v.is_object()) return;
  dialer::Agent updated = a;
  if (auto r = read_agent(v.as_object(), updated); r) a = std::move(updated);
}

void Extras::forget(dialer::CampaignId id) { remove("campaign", id.value); }
void Extras::forget(dialer::AgentId id) { remove("agent", id.value); }

}  // namespace dialerd
