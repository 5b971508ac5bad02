// The Engine: the deterministic core of the dialer. It takes agent commands,
// telephony events and timer expiries, and emits effects through its ports —
// originate, bridge and hang up through CallControl; status updates, call
// updates and screen pops through the EventSink; queue rows and the call log
// through the stores. It does no I/O of its own and reads time only from its
// Clock, so the same inputs at the same times give the same outputs.
//
// Commands that are not valid in the agent's current state are refused with a
// typed error (Errc::invalid_transition, ...) and change nothing.
//
// The agent's audio leg is set up per call: when the customer answers, the
// engine creates a bridge, puts the customer in it, and originates the agent's
// endpoint; when the agent answers, the agent joins the bridge and the call is
// bridged. When the customer leg ends, for whatever reason, the agent goes to
// wrap-up.
//
// Threading: an Engine and its ports are used from one thread (or Asio strand)
// at a time. Ports must not call back into the engine synchronously.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/abandonment.hpp"
#include "dialer/agent.hpp"
#include "dialer/call.hpp"
#include "dialer/call_control.hpp"
#include "dialer/campaign.hpp"
#include "dialer/carrier.hpp"
#include "dialer/clock.hpp"
#include "dialer/compliance.hpp"
#include "dialer/error.hpp"
#include "dialer/event_sink.hpp"
#include "dialer/ids.hpp"
#include "dialer/pacer.hpp"
#include "dialer/store.hpp"

namespace dialer {

class NumberTimeZoneMap;

/// Busy with no live call for this long resets an agent to available.
inline constexpr std::chrono::minutes kBusyResetAfter{10};

struct EngineOptions {
  /// This dialer's name among all that share a store: the owner of its queue
  /// leases ("node-a"). Default "dialer".
  std::string node = "dialer";
  /// Call, channel and bridge ids are id_base + 1, + 2, ... Give each engine
  /// run a distinct base (e.g. from the store's highest call id) so ids never
  /// repeat across restarts or nodes. Default 0.
  std::uint64_t id_base = 0;
  /// See kBusyResetAfter.
  std::chrono::seconds busy_reset_after = kBusyResetAfter;
  /// How long an agent's phone may ring before the call is given up as dropped.
  std::chrono::seconds agent_answer_timeout{20};
  /// Number-prefix → time zone data (lead_import.hpp) for typed numbers that
  /// match no lead and whose region spans several zones (NANP). Without it
  /// such numbers have no known time zone, and the compliance gate refuses them.
  std::shared_ptr<const NumberTimeZoneMap> number_time_zones;
  /// How often autodial and predictive campaigns are paced (and whenever an
  /// agent becomes free).
  std::chrono::milliseconds pacing_interval{500};
  /// Builds a predictive campaign's pacer. Empty: make_pacer(campaign.pacing.policy).
  /// The simulator uses it to plug in policies that are not make_pacer's.
  std::function<Result<std::unique_ptr<Pacer>>(const Campaign&)> pacer_factory;
};

/// The ports an engine works through. All must outlive the engine.
struct EnginePorts {
  Clock& clock;
  CallControl& call_control;
  LeadStore& leads;
  CallLogStore& call_log;
  EventSink& events;
  /// The do-not-call lists. Null: the lead store's, when it implements them
  /// too (every store of the library does); a dial with no list to check
  /// against is refused (Errc::unavailable), never placed unchecked.
  DoNotCallStore* do_not_call = nullptr;
};

/// A campaign's live figures (for metrics and supervisors).
struct CampaignStats {
  std::size_t agents_logged_in = 0;
  /// Leads held ready to dial, and whether the last refill found none.
  std::size_t hopper_depth = 0;
  bool hopper_exhausted = false;
  /// Calls placed by the pacer and not answered yet; answered calls waiting
  /// for a free agent.
  std::size_t ringing = 0;
  std::size_t waiting = 0;
  std::uint64_t placed_today = 0;
  /// Live answers and abandoned calls: the campaign's day, and 30 days.
  AbandonmentMeter::Counts today;
  AbandonmentMeter::Counts last_30_days;
  /// The pacing policy; empty in manual mode.
  std::string pacer;
};

/// What an agent submits to close a call.
struct Disposition {
  /// One of the campaign's disposition codes.
  std::string code;
  /// Free text, at most kMaxDispositionNotes bytes.
  std::string notes;
  /// Empty: become available. Else one of the campaign's break types.
  std::string next_break;
};

/// A read-only view of an agent, for queries.
struct AgentView {
  AgentId id;
  AgentStatus status;
  /// The campaign the agent is logged in to; zero when offline.
  CampaignId campaign;
  /// The agent's current call; zero when none.
  CallId call;
  /// When the current status began.
  WallTime since{};
};

class Engine {
 public:
  explicit Engine(EnginePorts ports, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- Configuration. Refused when it breaks a rule; nothing changes then. ----

  /// Errors: any DialRule of DialPolicy::save_carrier.
  Result<void> save_carrier(const Carrier& carrier);
  /// Errors: Errc::invalid_argument (validate_campaign), any DialRule of
  /// DialPolicy::validate_route.
  Result<void> save_campaign(const Campaign& campaign);
  /// Errors: Errc::invalid_argument (empty login or endpoint, endpoint syntax).
  Result<void> save_agent(const Agent& agent);

  const Campaign* find_campaign(CampaignId id) const;
  const Carrier* find_carrier(CarrierId id) const;
  const Agent* find_agent(AgentId id) const;

  /// Re-reads every campaign's abandonment of yesterday and today from the
  /// call log (CallLogStore::abandonment_by_day), keeping this engine's
  /// answered calls that the log does not have yet. For engines that share a
  /// store: each then paces and reports against the campaign's figures, not
  /// only its own calls'. (A campaign's whole 30 days are read when the
  /// engine first loads it.) On an error the meters keep their counts.
  /// Errors: those of the store.
  Result<void> reload_abandonment();

  // ---- Agent commands ----

  /// Errors: Errc::not_found (agent or campaign), Errc::invalid_transition.
  Result<void> log_in(AgentId agent, CampaignId campaign);
  /// Errors: Errc::not_found, Errc::invalid_transition (busy or in wrap-up).
  Result<void> log_out(AgentId agent);
  /// From a break back to available. Errors: Errc::not_found, Errc::invalid_transition.
  Result<void> set_available(AgentId agent);
  /// Errors: Errc::not_found, Errc::invalid_transition, Errc::invalid_argument
  /// (not one of the campaign's break types).
  Result<void> take_break(AgentId agent, std::string_view break_type);
  /// Dials a number the agent typed, through the dial-prefix policy and the
  /// compliance gate (the time zone is the matching lead's, else the
  /// number's). A refused call is written to the call log with its rule, and
  /// a matching lead is rescheduled.
  /// Errors: Errc::not_found, Errc::invalid_transition (not available),
  /// Errc::refused_by_policy (manual dialling not allowed), any DialRule or
  /// ComplianceRule, Errc::unavailable and others from CallControl::originate.
  Result<CallId> dial_number(AgentId agent, std::string_view number);
  /// Dials a lead of the agent's campaign. Errors: as dial_number, plus
  /// Errc::not_found for an unknown lead.
  Result<CallId> dial_lead(AgentId agent, LeadId lead);
  /// Ends the agent's call: both legs, and the bridge. The agent goes to
  /// wrap-up when the customer leg is gone.
  /// Errors: Errc::not_found, Errc::invalid_transition (no call).
  Result<void> hang_up(AgentId agent);
  /// Closes the call in wrap-up; the agent becomes available or takes the break.
  /// Errors: Errc::not_found, Errc::invalid_transition (not in wrap-up),
  /// Errc::invalid_argument (unknown code or break type, notes too long).
  Result<void> submit_disposition(AgentId agent, const Disposition& disposition);

  // ---- Telephony ----

  /// Events for channels the engine does not know (or no longer knows) are
  /// counted and otherwise ignored.
  void on_call_event(const CallEvent& event);

  // ---- Time ----

  /// The earliest pending timer, if any.
  std::optional<SteadyTime> next_deadline() const;
  /// Fires every timer due at the clock's current time.
  void on_timer();

  // ---- Queries ----

  std::optional<AgentView> agent(AgentId id) const;
  /// A call that is live or awaiting its disposition; nullptr otherwise (the
  /// call log has the rest).
  const CallRecord* find_call(CallId id) const;
  std::size_t live_call_count() const;
  /// Telephony events that named an unknown channel.
  std::uint64_t ignored_event_count() const;
  /// Nullopt for an unknown campaign.
  std::optional<CampaignStats> campaign_stats(CampaignId id) const;
  /// Calls the compliance gate refused, by rule.
  std::uint64_t refused_count(ComplianceRule rule) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialer
