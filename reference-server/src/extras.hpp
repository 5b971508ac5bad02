// The parts of a campaign and an agent that libdialer's stores do not keep:
// a campaign's compliance, recycle, lead_order and pacing, and an agent's
// persistent_leg. The SQLite and PostgreSQL stores save only the columns of
// their schema, so without this a restart would put those settings back to
// their defaults (a campaign set to call at any hour would refuse calls at
// night; an agent's persistent leg would be forgotten).
//
// They live beside the credentials, in dialerd's own SQLite file, as the JSON
// the API uses, and are laid over what the store returns. When the stores
// learn these fields, this goes away.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "dialer/agent.hpp"
#include "dialer/campaign.hpp"
#include "dialer/error.hpp"

namespace SQLite {
class Database;
}

namespace dialerd {

class Extras {
 public:
  /// Opens (creating its table in) the SQLite file. Errors: Errc::storage_error.
  static dialer::Result<std::unique_ptr<Extras>> open(const std::string& path);
  ~Extras();

  /// Remembers the fields the store drops. Errors: Errc::storage_error.
  dialer::Result<void> save(const dialer::Campaign& c);
  dialer::Result<void> save(const dialer::Agent& a);
  /// Lays the remembered fields (if any) over `c` / `a`, as loaded from the store.
  void apply(dialer::Campaign& c) const;
  void apply(dialer::Agent& a) const;
  void forget(dialer::CampaignId id);
  void forget(dialer::AgentId id);

 private:
  explicit Extras(std::unique_ptr<SQLite::Database> db);
  dialer::Result<void> put(const char* kind, std::uint64_t id, std::string json);
  void remove(const char* kind, std::uint64_t id);
  std::unique_ptr<SQLite::Database> db_;
  /// (kind, id) -> the JSON object saved.
  std::map<std::pair<std::string, std::uint64_t>, std::string> saved_;
};

}  // namespace dialerd
