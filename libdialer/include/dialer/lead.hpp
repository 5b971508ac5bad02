// Leads: the people a campaign calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  /// Higher is called first when the campaign orders leads by priority.
  std::int32_t priority = 0;

  /// The value of a field, or empty.
  std::string_view field(std::string_view name) const;
};

}  // namespace dialer
