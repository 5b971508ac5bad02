// A campaign: a list of people to call and how to call them — the dialing mode,
// the route (carrier, prefix, number plan), what agents may do, how wrap-up
// ends, and the script and dispositions the agents use.
//
// Campaigns are values; Engine::save_campaign checks one (validate_campaign plus
// the dial-prefix policy) before it takes effect, so a campaign that breaks a
// rule is refused when it is saved, not when a call is placed.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/compliance.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"
#include "dialer/phone_number.hpp"
#include "dialer/queue.hpp"
#include "dialer/recycle.hpp"

namespace dialer {

enum class DialMode {
  /// Agents dial from a keypad or a lead search, when the campaign allows it.
  manual,
  /// Progressive: one call per available agent, shown to the agent once connected.
  autodial,
  /// More calls than free agents, paced under the abandonment cap.
  predictive,
};

const char* to_string(DialMode m) noexcept;
bool from_string(std::string_view s, DialMode& out) noexcept;

/// A code an agent (or the system) closes a call with.
struct DispositionCode {
  /// Short, unique in the campaign: "SALE", "NI", "DNC".
  std::string code;
  /// For people: "Not interested".
  std::string label;
  /// The number goes on the do-not-call list.
  bool do_not_call = false;

  friend bool operator==(const DispositionCode&, const DispositionCode&) = default;
};

/// How autodial and predictive campaigns place calls and treat answered calls
/// that find no free agent.
struct PacingSettings {
  /// The pacer of predictive mode (a make_pacer spec: "predictive",
  /// "ratio:2", "vicidial-tapered"); autodial is always "progressive".
  std::string policy = "predictive";
  /// Dropped calls / live answers allowed, over the day and over 30 days.
  double abandon_cap = 0.03;
  /// An answered call waits at most this long for a free agent; then it is
  /// dropped to the safe-harbour message and counted as abandoned.
  std::chrono::milliseconds max_wait_for_agent{2000};
  /// Media played to a dropped call before it is hung up
  /// ("sound:safe-harbour"). Predictive mode refuses to run without it.
  std::string safe_harbour_media;
  /// Minutes east of UTC of the campaign's reporting day (abandonment "today").
  std::chrono::minutes day_offset{0};
};

/// An automatic hopper (Campaign::hopper_size 0) holds this many minutes of
/// dialing, and never fewer than kMinAutoHopper leads.
inline constexpr int kAutoHopperMinutes = 3;
inline constexpr std::size_t kMinAutoHopper = 50;

/// Wrap-up ends on its own after this long when a campaign sets no timeout.
inline constexpr std::chrono::seconds kDefaultWrapupTimeout{300};
/// Longest agent notes accepted with a disposition (bytes).
inline constexpr std::size_t kMaxDispositionNotes = 4000;

struct Campaign {
  CampaignId id;
  /// Unique, for people: "Spring renewals".
  std::string name;
  DialMode dial_mode = DialMode::manual;
  /// The route: must name a saved carrier.
  CarrierId carrier;
  /// Empty (the carrier's prefix applies) or equal to the carrier's.
  std::string dial_prefix;
  /// Which numbers this campaign may call.
  NumberPlan number_plan;
  /// Agents may dial typed numbers and searched leads.
  bool manual_dial_allowed = true;
  /// Wrap-up without a disposition ends after this long with the automatic
  /// disposition below. Default 120 s; nullopt: kDefaultWrapupTimeout (5 min).
  std::optional<std::chrono::seconds> wrapup_timeout = std::chrono::seconds{120};
  /// Code written to the call log when wrap-up times out.
  std::string wrapup_timeout_disposition = "TIMEOUT";
  /// Where an agent goes when wrap-up times out: empty for available, else one
  /// of break_types.
  std::string break_after_wrapup_timeout;
  /// Ready-to-dial leads kept per campaign. Default 500; 1..100000, or 0 for
  /// automatic: enough for kAutoHopperMinutes of dialing at the current pace,
  /// sized as VICIdial's auto hopper is — working agents × dial level (calls
  /// in flight per working agent, at least 1) × calls per line per minute
  /// (60 s / ring_timeout) × minutes — never under kMinAutoHopper.
  std::size_t hopper_size = 500;
  /// How long a customer leg rings before it counts as no answer. 1..300 s.
  std::chrono::seconds ring_timeout{30};
  /// Caller id presented on originate ("Acme <5551000>"); may be empty.
  std::string caller_id;
  /// Break types agents may choose: "lunch", "coffee", "training", ...
  std::vector<std::string> break_types = {"lunch", "coffee", "training"};
  /// Codes agents close calls with.
  std::vector<DispositionCode> dispositions = {
      {"SALE", "Sale", false},         {"NI", "Not interested", false},
      {"CALLBK", "Call back", false},  {"NA", "No answer", false},
      {"B", "Busy", false},            {"DNC", "Do not call", true},
      {"WN", "Wrong number", false},
  };
  /// Shown to the agent with the lead when a call is assigned.
  std::string script;
  /// Calling hours, attempt caps: checked before every originate.
  ComplianceRules compliance;
  /// When unconnected leads are called again.
  RecyclePolicy recycle;
  /// The order in which the hopper claims leads.
  LeadOrder lead_order = LeadOrder::oldest_first;
  /// Autodial and predictive pacing.
  PacingSettings pacing;

  /// The effective wrap-up timeout: the campaign's, else kDefaultWrapupTimeout.
  std::chrono::seconds effective_wrapup_timeout() const {
    return wrapup_timeout.value_or(kDefaultWrapupTimeout);
  }
  bool has_break_type(std::string_view type) const;
  const DispositionCode* find_disposition(std::string_view code) const;
};

/// Checks the fields of a campaign that need no other configuration (the route
/// is checked by DialPolicy::validate_route). Errors: Errc::invalid_argument,
/// with a detail naming the field.
Result<void> validate_campaign(const Campaign& campaign);

}  // namespace dialer
