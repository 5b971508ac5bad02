// The outbound queue: one row per lead, saying where the lead stands, when it
// may be called again, and which dialer holds it.
//
//   pending ──claim──▶ (leased to one dialer) ──dial──▶ dialing ──▶ answered ──▶ completed
//                                                           └──▶ busy, no_answer, failed,
//                                                                invalid_number, dropped, machine
//
// A row is claimable when its ready time has come, no live lease holds it, its
// attempts are under the campaign's cap, its number is not on a do-not-call
// list, and (when the claim says so) its time zone is inside calling hours.
// Recycled outcomes (busy, no_answer, ...) keep their status and get a ready
// time: they come back at that time with their attempt count. Final outcomes
// have no ready time and never come back.
//
// A claim is a lease: the dialer that claimed a lead holds it until the lease
// expires, is renewed, or the lead is released or moved on. A dialer that dies
// loses nothing: its leases run out and another dialer claims the leads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/call.hpp"
#include "dialer/clock.hpp"
#include "dialer/ids.hpp"
#include "dialer/lead.hpp"

namespace dialer {

/// Where a lead stands in its campaign's outbound queue.
enum class QueueStatus {
  pending,
  dialing,
  answered,
  completed,
  busy,
  no_answer,
  failed,
  invalid_number,
  dropped,
  machine,
};

const char* to_string(QueueStatus s) noexcept;
bool from_string(std::string_view s, QueueStatus& out) noexcept;

/// The queue status a lead takes when its call ends with `outcome` (a call
/// that reached an agent is completed; `answered` is the status while it lasts).
/// A cancelled, lost or refused call goes back to pending: it was never really
/// attempted (cancelled, refused) or must not be lost (lost).
QueueStatus queue_status_for(CallOutcome outcome) noexcept;

/// The order in which a campaign's claimable leads are claimed.
enum class LeadOrder {
  /// Earliest ready time first (new leads by import order, recycled ones when due).
  oldest_first,
  /// Fewest attempts first, then earliest ready time.
  fewest_attempts_first,
  /// Highest Lead::priority first, then earliest ready time.
  priority_first,
};

const char* to_string(LeadOrder o) noexcept;
bool from_string(std::string_view s, LeadOrder& out) noexcept;

/// A lead's queue row, as stored.
struct QueueEntry {
  CampaignId campaign;
  LeadId lead;
  QueueStatus status = QueueStatus::pending;
  /// Calls placed to this lead.
  std::uint32_t attempts = 0;
  /// Claimable from this instant on; none for a final status.
  std::optional<WallTime> ready_at;
  /// The dialer holding the lead, and until when; empty owner when none.
  std::string lease_owner;
  WallTime lease_until{};
  /// The lead's last call; zero before the first.
  CallId last_call;
};

/// A change of a lead's queue row.
struct QueueUpdate {
  CampaignId campaign;
  LeadId lead;
  QueueStatus status = QueueStatus::pending;
  /// The call that caused the change.
  CallId call;
  WallTime at{};
  /// The dialer making the change. A row leased to another dialer whose lease
  /// is still live is not changed (Errc::conflict); empty: no lease check.
  std::string owner;
  /// A call was placed: attempts go up by one.
  bool attempted = false;
  /// When the lead may be claimed again; none for a final status. dialing and
  /// answered keep the lease and the row's ready time (so a lead whose dialer
  /// died mid-call is claimed again when the lease runs out); every other
  /// status releases the lease and takes this ready time.
  std::optional<WallTime> ready_at;
};

/// What a dialer asks for when it refills a campaign's hopper.
struct ClaimRequest {
  CampaignId campaign;
  /// The dialer claiming ("node-a"); must not be empty.
  std::string owner;
  /// At most this many leads.
  std::size_t limit = 100;
  WallTime now{};
  /// How long the claim holds without renewal.
  std::chrono::seconds lease{600};
  LeadOrder order = LeadOrder::oldest_first;
  /// Leads with this many attempts or more are not claimed; 0: no cap.
  std::uint32_t max_attempts = 0;
  /// When set, only leads in these IANA time zones are claimed: the zones
  /// inside calling hours now. Leads without a time zone are then never claimed.
  std::optional<std::vector<std::string>> time_zones;
};

/// A lead won by a claim.
struct ClaimedLead {
  Lead lead;
  std::uint32_t attempts = 0;
  WallTime lease_until{};
};

}  // namespace dialer
