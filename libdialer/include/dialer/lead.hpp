// Leads (people to call) and their rows in a campaign's outbound queue.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialer/call.hpp"
#include "dialer/ids.hpp"
#include "dialer/phone_number.hpp"

namespace dialer {

struct Lead {
  LeadId id;
  CampaignId campaign;
  /// Normalised when the lead entered the system (normalize_number).
  PhoneNumber phone;
  /// IANA time zone ("America/New_York"); empty when unknown.
  std::string time_zone;
  /// Everything else about the person, in import order: name, address, notes...
  std::vector<std::pair<std::string, std::string>> fields;

  /// The value of a field, or empty.
  std::string_view field(std::string_view name) const;
};

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
};

const char* to_string(QueueStatus s) noexcept;
bool from_string(std::string_view s, QueueStatus& out) noexcept;

/// The queue status a lead takes when its call ends with `outcome`.
/// A cancelled or lost call goes back to pending: it was never really attempted
/// (cancelled) or must not be lost (lost).
QueueStatus queue_status_for(CallOutcome outcome) noexcept;

/// A change of a lead's queue row, written through the LeadStore.
struct QueueUpdate {
  CampaignId campaign;
  LeadId lead;
  QueueStatus status = QueueStatus::pending;
  /// The call that caused the change.
  CallId call;
  WallTime at{};
};

}  // namespace dialer
