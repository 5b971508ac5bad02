// Storage ports: where leads, queue rows and the call log live.
//
// Split by aggregate so that each can grow on its own. Each method is one unit
// of work (one transaction in SQL stores) and is safe to repeat: the engine may
// retry, and save_call is an upsert by call id.
//
// Reads the engine makes on an agent's command (a lead for a screen pop) must
// be quick; writes must not block the engine's thread for long — the SQL stores
// queue them for a writer thread and flush on shutdown. A write that fails is
// returned as Errc::storage_error (and retried by the store where it can), never
// dropped in silence.
//
// Implemented by: testing::MemoryStore, and the SQLite and PostgreSQL stores.
// Called by: the engine, from its own thread.
#pragma once

#include <string_view>

#include "dialer/call.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"
#include "dialer/lead.hpp"

namespace dialer {

class LeadStore {
 public:
  virtual ~LeadStore() = default;
  /// Errors: Errc::not_found, Errc::storage_error.
  virtual Result<Lead> find_lead(LeadId id) = 0;
  /// The lead whose number ends in these 10 digits, preferring one of
  /// `campaign`. Errors: Errc::not_found, Errc::storage_error.
  virtual Result<Lead> find_lead_by_phone(std::string_view last_ten, CampaignId campaign) = 0;
  /// Moves a lead's queue row. Errors: Errc::not_found, Errc::storage_error.
  virtual Result<void> update_queue(const QueueUpdate& update) = 0;
};

class CallLogStore {
 public:
  virtual ~CallLogStore() = default;
  /// Inserts or replaces the row with record.id. Errors: Errc::storage_error.
  virtual Result<void> save_call(const CallRecord& record) = 0;
};

}  // namespace dialer
