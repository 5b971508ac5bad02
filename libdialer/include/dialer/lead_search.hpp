// LeadSearch: what an agent or an admin types to find a lead (a name, part of
// a number), and the one rule every LeadStore::search_leads answers it by, so
// that the embedded and the shared stores find the same leads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dialer/ids.hpp"
#include "dialer/lead.hpp"

namespace dialer {

/// The most leads one search returns, whatever its limit: a search box shows
/// a page, not a list export.
inline constexpr std::size_t kMaxLeadSearchResults = 500;

struct LeadSearch {
  CampaignId campaign;
  /// A lead matches when its number contains the digits of the text (if the
  /// text has any: "(415) 555-01" finds +14155550101), or when one of its
  /// field values contains the whole text, ignoring ASCII case ("ada" finds
  /// first_name "Ada"). Field names do not count. Empty: every lead.
  std::string text;
  /// At most this many, capped at kMaxLeadSearchResults; zero finds nothing.
  std::size_t limit = 50;
  /// Only leads with a larger id: the next page after the last lead shown.
  LeadId after;
};

/// The digits of a search text, in order ("(415) 555-01" → "41555501").
std::string search_digits(std::string_view text);

/// Whether `lead` answers `search` (its campaign and text; not the paging).
bool lead_matches(const Lead& lead, const LeadSearch& search);

}  // namespace dialer
