#include "dialer/engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <queue>
#include <unordered_map>
#include <utility>

#include "dialer/dial_prefix.hpp"
#include "dialer/abandonment.hpp"
#include "dialer/hangup_cause.hpp"
#include "dialer/hopper.hpp"
#include "dialer/lead_import.hpp"

namespace dialer {
namespace {

enum class TimerKind : std::uint8_t {
  wrapup,       // subject: an agent
  busy_reset,   // subject: an agent
  pacing,       // subject: a campaign
  answer_wait,  // subject: a call waiting for a free agent
};

// Timers are kept in a heap and never removed: each carries its subject's
// generation at arming time (an agent's status, a campaign's pacing schedule),
// and a timer whose subject has moved on since is stale and skipped when it
// comes due.
struct Timer {
  SteadyTime due;
  std::uint64_t seq;  // arming order: ties fire in the order they were armed
  TimerKind kind;
  std::uint64_t subject;
  std::uint64_t generation;
};

struct FiresLater {
  bool operator()(const Timer& a, const Timer& b) const {
    return a.due != b.due ? a.due > b.due : a.seq > b.seq;
  }
};

double seconds_between(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double>(to - from).count();
}

struct AgentRuntime {
  Agent info;
  AgentStatus status;
  CampaignId campaign;
  CallId call;
  WallTime since{};
  SteadyTime steady_since{};
  std::uint64_t generation = 0;
  // The persistent leg: the agent's phone, held in its own bridge between calls.
  ChannelId phone;
  BridgeId holding;
  bool phone_up = false;
};

// The counts behind a campaign's abandonment figures and its pacer snapshot.
struct DayCounter {
  std::int64_t day = -1;
  std::uint64_t count = 0;
};

struct CampaignRuntime {
  Campaign config;
  Route route;
  // Autodial and predictive: the hopper (created at the first pacing tick),
  // the pacer, the calls placed and not yet answered, and the answered calls
  // waiting for a free agent, oldest first.
  std::optional<Hopper> hopper;
  std::unique_ptr<Pacer> pacer;
  AbandonmentMeter abandonment;
  DayCounter placed;
  // The agents logged in to it. Pointers into Engine::Impl::agents, which
  // never erases (and a hash map's elements stay put when it grows): every
  // pacing pass walks them, and a lookup by id each was 1-2% of a day.
  std::vector<AgentRuntime*> members;
  // With its placement time, so that a pacing snapshot reads ages without
  // a lookup per ringing call (hundreds on a big team at a low answer rate).
  struct Unanswered {
    CallId id;
    SteadyTime placed_at;
  };
  std::vector<Unanswered> unanswered;
  std::deque<CallId> waiting;
  std::uint64_t pacing_generation = 0;
  std::optional<SteadyTime> next_pace;
  bool reported_empty = false;
  bool store_failing = false;
  PacerSnapshot snapshot;  // reused between ticks

  bool automatic() const { return config.dial_mode != DialMode::manual; }
};

struct LiveCall {
  CallRecord record;
  // Calls placed to the lead, this one included (for recycling).
  std::uint32_t lead_attempts = 0;
  // Placed by the pacer: the agent is chosen when the customer answers.
  bool automatic = false;
  // Answered, no agent free yet (automatic calls).
  bool waiting = false;
  // No agent came in time: the safe-harbour message is playing.
  bool dropping = false;
  // Answering-machine detection found a machine.
  bool machine = false;
  // Joined to the agent's persistent leg (no bridge or agent leg of its own).
  bool via_phone = false;
  // Counted in the campaign's abandonment: as a live answer, or as abandoned.
  enum class Counted : std::uint8_t { no, answered, abandoned } counted = Counted::no;
  SteadyTime placed_at{};
  SteadyTime answered_steady{};
  SteadyTime bridged_steady{};
  // The lead of an automatic call, for the screen pop at connect.
  std::optional<Lead> lead;
  ChannelId customer;
  ChannelId agent_leg;
  BridgeId bridge;
  bool customer_up = false;
  bool agent_leg_up = false;
  // A hangup was already sent for the agent's leg; its ChannelHungUp is pending.
  bool agent_leg_ending = false;
  // Set when the dialer or the agent asked to end the call: the customer's
  // hangup that follows is ours, not the customer's.
  HangupSide ending_by = HangupSide::none;
};

struct ChannelRef {
  CallId call;
  Leg leg;
  // For an agent's persistent leg: the agent (and no call).
  AgentId phone_of;
};

constexpr bool is_endpoint_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '@' || c == ':' || c == '/' || c == '+' || c == '-';
}

// An agent endpoint is "Tech/resource" in the characters Asterisk dial strings
// use, and nothing that could smuggle a second destination ('&', ',', ';').
bool is_valid_endpoint(std::string_view e) {
  const auto slash = e.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == e.size() || e.size() > 128) {
    return false;
  }
  for (char c : e) {
    if (!is_endpoint_char(c)) return false;
  }
  return true;
}

// "agent 7 is break:lunch: cannot dial"
Error refused_transition(const AgentRuntime& a, const char* action) {
  return {Errc::invalid_transition,
          "agent " + to_string(a.info.id) + " is " + to_string(a.status) + ": cannot " + action};
}

}  // namespace

struct Engine::Impl {
  EnginePorts ports;
  EngineOptions options;
  DialPolicy policy;
  std::unordered_map<CampaignId, CampaignRuntime> campaigns;
  std::unordered_map<AgentId, AgentRuntime> agents;
  std::unordered_map<CallId, LiveCall> calls;
  std::unordered_map<ChannelId, ChannelRef> channels;
  std::priority_queue<Timer, std::vector<Timer>, FiresLater> timers;
  std::uint64_t timer_seq = 0;
  std::uint64_t last_id;
  std::uint64_t ignored_events = 0;
  std::array<std::uint64_t, 6> refused{};  // by ComplianceRule value
  DoNotCallStore* do_not_call;

  Impl(EnginePorts p, EngineOptions o)
      : ports(p),
        options(std::move(o)),
        last_id(options.id_base),
        do_not_call(p.do_not_call != nullptr ? p.do_not_call
                                             : dynamic_cast<DoNotCallStore*>(&p.leads)) {}

  std::uint64_t next_id() { return ++last_id; }
  WallTime wall_now() const { return ports.clock.wall_now(); }

  void alarm(std::string what, Error error) {
    ports.events.publish(Alarm{std::move(what), std::move(error)});
  }

  Result<AgentRuntime*> agent(AgentId id) {
    auto it = agents.find(id);
    if (it == agents.end()) return Error{Errc::not_found, "no agent " + to_string(id)};
    return &it->second;
  }

  CampaignRuntime& campaign_of(const AgentRuntime& a) { return campaigns.at(a.campaign); }

  // ---- Agent state ----

  /// `action` says in words what the agent tried, for the refusal.
  Result<void> check(const AgentRuntime& a, AgentInput input, const char* action) const {
    if (!next_agent_state(a.status.state, input)) return refused_transition(a, action);
    return ok();
  }

  // Applies one row of the agent table, tells the panel, and arms the timer
  // that the new state needs. Requires: check(a, input) passed.
  void move(AgentRuntime& a, AgentInput input, std::string break_type, StatusReason reason) {
    const auto to = next_agent_state(a.status.state, input);
    const SteadyTime steady = ports.clock.steady_now();
    tell_pacer_agent_left(a, *to, steady);
    AgentStatus previous = std::move(a.status);
    a.status.state = *to;
    a.status.break_type = *to == AgentState::on_break ? std::move(break_type) : std::string{};
    a.since = wall_now();
    a.steady_since = steady;
    ++a.generation;
    if (*to == AgentState::busy) {
      arm_agent(TimerKind::busy_reset, a, options.busy_reset_after);
    } else if (*to == AgentState::wrapup) {
      arm_agent(TimerKind::wrapup, a, campaign_of(a).config.effective_wrapup_timeout());
    }
    ports.events.publish(StatusUpdate{a.info.id, a.status, std::move(previous), reason, a.since});
    // A free agent may take a waiting call or let the pacer dial.
    if (*to == AgentState::available) pace_soon(campaign_of(a), steady);
  }

  // Wrap-up and breaks end: the pacer learns how long they last.
  void tell_pacer_agent_left(const AgentRuntime& a, AgentState to, SteadyTime now) {
    if (!a.campaign.valid() || to == a.status.state) return;
    CampaignRuntime& c = campaign_of(a);
    if (!c.pacer) return;
    PacerEventKind kind;
    if (a.status.state == AgentState::wrapup) {
      kind = PacerEventKind::wrapup_end;
    } else if (a.status.state == AgentState::on_break) {
      kind = PacerEventKind::break_end;
    } else {
      return;
    }
    c.pacer->observe({kind, seconds(now), 0, a.info.id.value, seconds_between(a.steady_since, now)});
  }

  // Pacer time: seconds on the steady clock.
  static double seconds(SteadyTime t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  }

  void arm_agent(TimerKind kind, const AgentRuntime& a, std::chrono::nanoseconds after) {
    arm(kind, a.info.id.value, a.generation, ports.clock.steady_now() + after);
  }

  void arm(TimerKind kind, std::uint64_t subject, std::uint64_t generation, SteadyTime due) {
    if (timers.size() > 2 * (agents.size() + calls.size() + campaigns.size()) + 64) {
      drop_stale_timers();
    }
    timers.push(Timer{due, ++timer_seq, kind, subject, generation});
  }

  bool is_stale(const Timer& t) const {
    switch (t.kind) {
      case TimerKind::wrapup:
      case TimerKind::busy_reset: {
        auto it = agents.find(AgentId{t.subject});
        return it == agents.end() || it->second.generation != t.generation;
      }
      case TimerKind::pacing: {
        auto it = campaigns.find(CampaignId{t.subject});
        return it == campaigns.end() || it->second.pacing_generation != t.generation;
      }
      case TimerKind::answer_wait: {
        auto it = calls.find(CallId{t.subject});
        return it == calls.end() || !it->second.waiting;
      }
    }
    return true;
  }

  // Each agent, campaign and call has at most one timer that can still fire;
  // dropping the rest keeps the heap's size proportional to them.
  void drop_stale_timers() {
    std::vector<Timer> live;
    live.reserve(agents.size() + calls.size() + campaigns.size());
    while (!timers.empty()) {
      if (!is_stale(timers.top())) live.push_back(timers.top());
      timers.pop();
    }
    timers = decltype(timers)(FiresLater{}, std::move(live));
  }

  // ---- Calls ----

  void publish_call(const LiveCall& c) {
    ports.events.publish(
        CallUpdate{c.record.agent, c.record.id, c.record.state, c.record.outcome, wall_now()});
  }

  void save(const CallRecord& r) {
    if (auto saved = ports.call_log.save_call(r); !saved) {
      alarm("call log write for call " + to_string(r.id), std::move(saved).error());
    }
  }

  /// `ready_at`: when the lead may be claimed again (statuses other than
  /// dialing and answered); none: never.
  void update_queue(const CallRecord& r, QueueStatus status,
                    std::optional<WallTime> ready_at = std::nullopt) {
    if (!r.lead.valid()) return;
    QueueUpdate update;
    update.campaign = r.campaign;
    update.lead = r.lead;
    update.status = status;
    update.call = r.id;
    update.at = wall_now();
    update.owner = options.node;
    update.attempted = status == QueueStatus::dialing;
    update.ready_at = ready_at;
    if (auto done = ports.leads.update_queue(update); !done) {
      alarm("queue update for lead " + to_string(r.lead), std::move(done).error());
    }
  }

  bool advance(LiveCall& c, CallInput input) {
    const auto to = next_call_state(c.record.state, input);
    if (!to) return false;
    c.record.state = *to;
    return true;
  }

  Result<AgentRuntime*> agent_ready_to_dial(AgentId id) {
    auto a = agent(id);
    if (!a) return a;
    if (auto allowed = check(**a, AgentInput::call_assigned, "dial"); !allowed) {
      return std::move(allowed).error();
    }
    if (!campaign_of(**a).config.manual_dial_allowed) {
      return Error{Errc::refused_by_policy,
                   "campaign " + to_string((*a)->campaign) + " does not allow manual dialling"};
    }
    return a;
  }

  // A call-log row for a call of `campaign` to `target`, with a new id; the
  // agent is zero for a call the pacer places.
  CallRecord new_record(CampaignId campaign, AgentId agent_id, const DialTarget& target,
                        const std::optional<Lead>& lead) {
    CallRecord r;
    r.id = CallId{next_id()};
    r.campaign = campaign;
    r.agent = agent_id;
    r.lead = lead ? lead->id : LeadId{};
    r.carrier = target.carrier;
    r.number = target.number.e164;
    r.dialled = target.dialled;
    r.dial_string = target.dial_string;
    return r;
  }

  // The compliance gate, right before originate. A refusal is logged as a
  // call that was never placed and reschedules the lead.
  Result<void> check_compliance_for(const CampaignRuntime& campaign, AgentId agent_id,
                                    const DialTarget& target, const std::optional<Lead>& lead,
                                    std::uint32_t attempts) {
    const Campaign& config = campaign.config;
    std::string zone = lead ? lead->time_zone : std::string{};
    if (zone.empty()) zone = time_zone_for_number(target.number, options.number_time_zones.get());
    const ComplianceQuery query{config.id, target.number.e164, zone, attempts, wall_now()};
    Result<void> verdict =
        do_not_call == nullptr
            ? Result<void>(Error{Errc::unavailable, "no do-not-call list to check against"})
            : check_compliance(config.compliance, query, *do_not_call, ports.call_log);
    if (verdict) return verdict;
    const Error& e = verdict.error();
    if (e.code.category() != compliance_category()) return verdict;  // a store failure
    const auto rule = static_cast<ComplianceRule>(e.code.value());
    ++refused[static_cast<std::size_t>(rule)];
    CallRecord r = new_record(config.id, agent_id, target, lead);
    r.state = CallState::ended;
    r.outcome = CallOutcome::refused;
    r.created_at = r.ended_at = query.now;
    r.hung_up_by = HangupSide::dialer;
    r.hangup_reason = std::string("refused by compliance rule ") + to_string(rule) + ": " + e.detail;
    save(r);
    update_queue(r, QueueStatus::pending, compliance_retry_at(rule, config.compliance, query));
    return verdict;
  }

  // Calls already placed to a lead, from its queue row (0 when it has none).
  std::uint32_t attempts_of(const std::optional<Lead>& lead) {
    if (!lead) return 0;
    auto entry = ports.leads.queue_entry(lead->id);
    return entry ? entry->attempts : 0;
  }

  // Checks the call one last time and originates its customer leg. On
  // success the call is live (and returned); on failure nothing is live, the
  // refusal or the failed attempt is in the call log, and the error says why.
  Result<LiveCall*> originate_customer(CampaignRuntime& campaign, AgentId agent_id,
                                       const DialTarget& target, std::optional<Lead> lead,
                                       std::uint32_t attempts) {
    // The last checks, right before the dial string leaves the engine.
    if (auto verified = policy.verify(campaign.route, target); !verified) {
      return std::move(verified).error();
    }
    if (auto allowed = check_compliance_for(campaign, agent_id, target, lead, attempts); !allowed) {
      return std::move(allowed).error();
    }
    LiveCall c;
    c.lead_attempts = attempts + 1;
    c.record = new_record(campaign.config.id, agent_id, target, lead);
    c.record.created_at = wall_now();
    c.placed_at = ports.clock.steady_now();
    c.customer = ChannelId{next_id()};
    const OriginateRequest request{c.customer,          c.record.id,
                                   Leg::customer,       target.dial_string,
                                   campaign.config.caller_id, campaign.config.ring_timeout};
    if (auto sent = ports.call_control.originate(request); !sent) {
      // Nothing went out: the attempt is logged, the lead stays as it was.
      c.record.state = CallState::ended;
      c.record.outcome = CallOutcome::failed;
      c.record.ended_at = c.record.created_at;
      c.record.hung_up_by = HangupSide::dialer;
      c.record.hangup_reason = "originate refused: " + sent.error().message();
      save(c.record);
      return std::move(sent).error();
    }
    c.customer_up = true;
    c.lead = std::move(lead);
    const CallId id = c.record.id;
    channels.emplace(c.customer, ChannelRef{id, Leg::customer, {}});
    LiveCall& live = calls.emplace(id, std::move(c)).first->second;
    update_queue(live.record, QueueStatus::dialing);
    return &live;
  }

  Result<CallId> start_call(AgentRuntime& a, const DialTarget& target, std::optional<Lead> lead) {
    CampaignRuntime& campaign = campaign_of(a);
    auto placed = originate_customer(campaign, a.info.id, target, lead, attempts_of(lead));
    if (!placed) return std::move(placed).error();
    LiveCall& live = **placed;
    a.call = live.record.id;
    move(a, AgentInput::call_assigned, {}, StatusReason::call);
    publish_call(live);
    ports.events.publish(LeadPop{a.info.id, live.record.id, std::move(live.lead),
                                 campaign.config.script, live.record.number, target.prefix});
    live.lead.reset();
    return live.record.id;
  }

  // The customer answered and the call has its agent: join the agent's
  // persistent leg at once, or hold the customer in a bridge and ring the agent.
  void connect_agent(LiveCall& c) {
    const AgentRuntime& a = agents.at(c.record.agent);
    if (a.info.persistent_leg) {
      if (!a.phone_up) {
        alarm("connecting agent " + to_string(a.info.id) + " to call " + to_string(c.record.id),
              Error{Errc::unavailable, "the agent's phone is not connected"});
        end_call(c, HangupSide::dialer);
        return;
      }
      if (auto joined = ports.call_control.add_to_bridge(a.holding, c.customer); !joined) {
        alarm("bridging call " + to_string(c.record.id) + " to agent " + to_string(a.info.id),
              std::move(joined).error());
        end_call(c, HangupSide::dialer);
        return;
      }
      c.via_phone = true;
      mark_bridged(c);
      return;
    }
    const CampaignRuntime& campaign = campaign_of(a);
    const BridgeId bridge{next_id()};
    Result<void> step = ports.call_control.create_bridge(bridge);
    if (step) {
      c.bridge = bridge;
      step = ports.call_control.add_to_bridge(bridge, c.customer);
    }
    if (step) {
      const ChannelId leg{next_id()};
      step = ports.call_control.originate({leg, c.record.id, Leg::agent, a.info.endpoint,
                                           campaign.config.caller_id,
                                           options.agent_answer_timeout});
      if (step) {
        c.agent_leg = leg;
        c.agent_leg_up = true;
        channels.emplace(leg, ChannelRef{c.record.id, Leg::agent, {}});
      }
    }
    if (!step) {
      alarm("connecting agent " + to_string(a.info.id) + " to call " + to_string(c.record.id),
            std::move(step).error());
      end_call(c, HangupSide::dialer);
    }
  }

  // The agent hears the customer. bridged_at − answered_at is the
  // answer-to-agent-audio delay of the call log.
  void mark_bridged(LiveCall& c) {
    advance(c, CallInput::agent_connected);
    c.record.bridged_at = wall_now();
    c.bridged_steady = ports.clock.steady_now();
    publish_call(c);
  }

  // Asks the telephony to end the call; the customer's ChannelHungUp finishes it.
  void end_call(LiveCall& c, HangupSide by) {
    if (c.ending_by == HangupSide::none) c.ending_by = by;
    if (c.customer_up) hang_up(c.customer);
    end_agent_leg(c);
  }

  void end_agent_leg(LiveCall& c) {
    if (!c.agent_leg_up || c.agent_leg_ending) return;
    c.agent_leg_ending = true;
    hang_up(c.agent_leg);
  }

  void hang_up(ChannelId channel) {
    if (auto done = ports.call_control.hang_up(channel); !done) {
      alarm("hang up channel " + to_string(channel), std::move(done).error());
    }
  }

  void destroy_bridge(BridgeId bridge) {
    if (auto done = ports.call_control.destroy_bridge(bridge); !done) {
      alarm("destroy bridge " + to_string(bridge), std::move(done).error());
    }
  }

  void tear_down(LiveCall& c) {
    end_agent_leg(c);
    if (c.bridge.valid()) {
      destroy_bridge(c.bridge);
      c.bridge = {};
    }
  }

  void on_ringing(ChannelId channel) {
    LiveCall* c = customer_call(channel);
    if (c == nullptr || !advance(*c, CallInput::ringing)) return;
    c->record.ringing_at = wall_now();
    publish_call(*c);
  }

  void on_answered(ChannelId channel, bool machine) {
    auto ref = channels.find(channel);
    if (ref == channels.end()) return count_ignored();
    if (ref->second.phone_of.valid()) return on_phone_answered(ref->second.phone_of, channel);
    LiveCall& c = calls.at(ref->second.call);
    if (ref->second.leg == Leg::customer) return on_customer_answered(c, machine);
    // The agent picked up: join the customer, unless the call is already ending.
    if (c.ending_by != HangupSide::none || c.record.state != CallState::answered) {
      hang_up(channel);
      return;
    }
    if (auto joined = ports.call_control.add_to_bridge(c.bridge, channel); !joined) {
      alarm("bridging agent into call " + to_string(c.record.id), std::move(joined).error());
      end_call(c, HangupSide::dialer);
      return;
    }
    mark_bridged(c);
  }

  void on_customer_answered(LiveCall& c, bool machine) {
    if (!advance(c, CallInput::answered)) return;
    c.record.answered_at = wall_now();
    c.answered_steady = ports.clock.steady_now();
    CampaignRuntime& campaign = campaigns.at(c.record.campaign);
    if (c.automatic) forget_unanswered(campaign, c.record.id);
    if (machine) {
      // Never given to an agent: released at once, and the lead recycled.
      c.machine = true;
      observe(campaign, PacerEventKind::machine, c, seconds_between(c.placed_at, c.answered_steady));
      publish_call(c);
      end_call(c, HangupSide::dialer);
      return;
    }
    update_queue(c.record, QueueStatus::answered);
    publish_call(c);
    if (c.ending_by != HangupSide::none) return;  // the hangup under way ends it
    if (!c.automatic) {
      // Answered by a person, as the call log counts it (abandonment_by_day).
      count_answer(campaign, c, LiveCall::Counted::answered);
      connect_agent(c);
      return;
    }
    observe(campaign, PacerEventKind::live_answer, c,
            seconds_between(c.placed_at, c.answered_steady));
    if (AgentRuntime* a = longest_idle(campaign)) {
      assign(campaign, *a, c);
      return;
    }
    // No agent free: the customer waits, at most max_wait_for_agent.
    c.waiting = true;
    campaign.waiting.push_back(c.record.id);
    arm(TimerKind::answer_wait, c.record.id.value, 0,
        c.answered_steady + campaign.config.pacing.max_wait_for_agent);
  }

  // An answered automatic call goes to a free agent: the panel learns of it now.
  void assign(CampaignRuntime& campaign, AgentRuntime& a, LiveCall& c) {
    c.waiting = false;
    c.record.agent = a.info.id;
    a.call = c.record.id;
    move(a, AgentInput::call_assigned, {}, StatusReason::call);
    const SteadyTime now = ports.clock.steady_now();
    count_answer(campaign, c, LiveCall::Counted::answered);
    observe(campaign, PacerEventKind::connected, c, seconds_between(c.answered_steady, now));
    ports.events.publish(LeadPop{a.info.id, c.record.id, std::move(c.lead), campaign.config.script,
                                 c.record.number, effective_prefix(campaign)});
    c.lead.reset();
    connect_agent(c);
  }

  // The prefix the campaign's calls are dialled with (read-only on the panel).
  std::string effective_prefix(const CampaignRuntime& campaign) const {
    if (!campaign.route.campaign_prefix.empty()) return campaign.route.campaign_prefix;
    const Carrier* carrier = policy.find_carrier(campaign.route.carrier);
    return carrier != nullptr ? carrier->dial_prefix : std::string{};
  }

  // The free agent who has waited longest for a call, or null.
  AgentRuntime* longest_idle(CampaignRuntime& campaign) {
    AgentRuntime* best = nullptr;
    for (AgentRuntime* a : campaign.members) {
      if (!takes_calls(*a)) continue;
      if (best == nullptr || a->steady_since < best->steady_since) best = a;
    }
    return best;
  }

  static bool takes_calls(const AgentRuntime& a) {
    return a.status.state == AgentState::available && (!a.info.persistent_leg || a.phone_up);
  }

  // Waited too long: the safe-harbour message, then the dialer hangs up.
  void drop(CampaignRuntime& campaign, LiveCall& c) {
    c.waiting = false;
    c.dropping = true;
    c.ending_by = HangupSide::dialer;
    c.record.hangup_reason = "no agent free within " +
                             std::to_string(campaign.config.pacing.max_wait_for_agent.count()) +
                             " ms: safe-harbour message played";
    count_abandoned(campaign, c);
    if (auto played = ports.call_control.play(c.customer, campaign.config.pacing.safe_harbour_media);
        !played) {
      alarm("safe-harbour message for call " + to_string(c.record.id), std::move(played).error());
      hang_up(c.customer);
    }
  }

  // Replaces the campaign's abandonment from `days_back` days ago to today
  // with the call log's figures, plus this engine's counted calls that are
  // not in the log yet (a call is written when it ends). Loading a campaign
  // reads the whole window, so that a restarted engine does not forget the
  // drops the cap is measured over; reload_abandonment() reads again the two
  // days that engines sharing the store still add to.
  Result<void> load_abandonment(CampaignRuntime& campaign, int days_back) {
    AbandonmentMeter& meter = campaign.abandonment;
    const std::chrono::minutes offset = campaign.config.pacing.day_offset;
    const std::int64_t today = meter.day_of(wall_now());
    const std::int64_t first = today - days_back;
    const WallTime since = WallTime{} + std::chrono::days{first} - offset;
    auto stored = ports.call_log.abandonment_by_day(campaign.config.id, since, offset);
    if (!stored) return std::move(stored).error();
    std::vector<AbandonmentMeter::Counts> days(static_cast<std::size_t>(days_back) + 1);
    auto day_counts = [&](std::int64_t day) -> AbandonmentMeter::Counts* {
      return day >= first && day <= today ? &days[static_cast<std::size_t>(day - first)] : nullptr;
    };
    for (const AbandonmentDay& d : *stored) {
      if (auto* counts = day_counts(d.day)) *counts = {d.answered, d.abandoned};
    }
    for (const auto& [id, c] : calls) {
      if (c.record.campaign != campaign.config.id || c.counted == LiveCall::Counted::no ||
          c.record.state == CallState::ended || c.record.state == CallState::dispositioned) {
        continue;
      }
      if (auto* counts = day_counts(meter.day_of(c.record.answered_at))) {
        ++counts->answered;
        if (c.counted == LiveCall::Counted::abandoned) ++counts->abandoned;
      }
    }
    for (std::int64_t day = first; day <= today; ++day) meter.set_day(day, *day_counts(day));
    return ok();
  }

  Result<void> reload_abandonment() {
    Result<void> result = ok();
    for (auto& [id, campaign] : campaigns) {
      auto loaded = load_abandonment(campaign, 1);
      if (!loaded && result) result = std::move(loaded);  // the first error
    }
    return result;
  }

  void count_answer(CampaignRuntime& campaign, LiveCall& c, LiveCall::Counted as) {
    campaign.abandonment.record(c.record.answered_at, as == LiveCall::Counted::abandoned);
    c.counted = as;
  }

  void count_abandoned(CampaignRuntime& campaign, LiveCall& c) {
    count_answer(campaign, c, LiveCall::Counted::abandoned);
    observe(campaign, PacerEventKind::dropped, c,
            seconds_between(c.answered_steady, ports.clock.steady_now()));
  }

  void on_playback_finished(ChannelId channel) {
    LiveCall* c = customer_call(channel);
    if (c != nullptr && c->dropping && c->customer_up) hang_up(channel);
  }

  void observe(CampaignRuntime& campaign, PacerEventKind kind, const LiveCall& c, double value) {
    if (!campaign.pacer) return;
    campaign.pacer->observe({kind, seconds(ports.clock.steady_now()), c.record.id.value,
                             c.record.agent.value, value});
  }

  void forget_unanswered(CampaignRuntime& campaign, CallId id) {
    auto& u = campaign.unanswered;
    auto it = std::find_if(u.begin(), u.end(), [id](const auto& x) { return x.id == id; });
    if (it != u.end()) {
      *it = u.back();
      u.pop_back();
    }
  }

  /// `lost_in_gap`: the channel was found gone after the telephony link came
  /// back, so nobody saw how it ended.
  void on_gone(ChannelId channel, int cause, DialStatus dial_status, std::string reason,
               bool lost_in_gap = false) {
    auto ref = channels.find(channel);
    if (ref == channels.end()) return count_ignored();
    const ChannelRef where = ref->second;
    channels.erase(ref);
    if (where.phone_of.valid()) return on_phone_gone(where.phone_of, channel);
    LiveCall& c = calls.at(where.call);
    if (where.leg == Leg::agent) {
      c.agent_leg_up = false;
      // The agent's phone hung up, or never answered: the customer cannot stay.
      if (c.customer_up) end_call(c, c.record.state == CallState::bridged ? HangupSide::agent
                                                                           : HangupSide::dialer);
      return;
    }
    c.customer_up = false;
    CallRecord& r = c.record;
    const CallState was = r.state;
    if (!advance(c, CallInput::hung_up)) return;
    CampaignRuntime& campaign = campaigns.at(r.campaign);
    const SteadyTime now = ports.clock.steady_now();
    r.hangup_cause = cause;
    if (!c.dropping) r.hangup_reason = reason.empty() ? cause_text(cause) : std::move(reason);
    r.ended_at = wall_now();
    if (was == CallState::originating || was == CallState::ringing) {
      // An unanswered call that ended unseen is neither busy nor failed: it
      // is lost, and its lead is tried again at once (recycle_at).
      r.outcome = c.ending_by != HangupSide::none ? CallOutcome::cancelled
                  : lost_in_gap && dial_status == DialStatus::none
                      ? CallOutcome::lost
                      : outcome_before_answer(dial_status, cause);
      if (c.automatic) forget_unanswered(campaign, r.id);
      // The pacer learns answer rates from outcomes; an unseen end teaches nothing.
      if (c.automatic && r.outcome != CallOutcome::lost) {
        observe(campaign,
                r.outcome == CallOutcome::no_answer ? PacerEventKind::no_answer
                                                    : PacerEventKind::failed,
                c, seconds_between(c.placed_at, now));
      }
    } else if (c.machine) {
      r.outcome = CallOutcome::machine;
    } else if (was == CallState::bridged) {
      r.outcome = CallOutcome::completed;
      observe(campaign, PacerEventKind::talk_end, c, seconds_between(c.bridged_steady, now));
    } else {
      r.outcome = CallOutcome::dropped;
      // Hung up while waiting for an agent: abandoned all the same.
      if (c.waiting) {
        c.waiting = false;
        std::erase(campaign.waiting, r.id);
        count_abandoned(campaign, c);
      }
    }
    r.hung_up_by = c.ending_by != HangupSide::none ? c.ending_by : HangupSide::customer;
    tear_down(c);
    save(r);
    update_queue(r, queue_status_for(r.outcome),
                 recycle_at(campaign.config.recycle, r.outcome, c.lead_attempts, r.ended_at));
    publish_call(c);
    // A line is free. Autodial replaces it at once: an idle agent is waiting
    // for exactly this call. Predictive keeps many lines per agent and its
    // pacer counts the lines in flight, so the next tick (at most one pacing
    // interval away, and always armed) is soon enough; pacing on each of
    // S4's ~11 freed lines a second took about a fifth of a simulated day.
    if (c.automatic && campaign.config.dial_mode == DialMode::autodial) pace_soon(campaign, now);
    if (!r.agent.valid()) {
      forget(c);
      calls.erase(r.id);
      return;
    }
    AgentRuntime& a = agents.at(r.agent);
    move(a, AgentInput::call_ended, {}, StatusReason::call);
  }

  LiveCall* customer_call(ChannelId channel) {
    auto ref = channels.find(channel);
    if (ref == channels.end()) {
      count_ignored();
      return nullptr;
    }
    if (ref->second.leg != Leg::customer) return nullptr;
    return &calls.at(ref->second.call);
  }

  void count_ignored() { ++ignored_events; }

  // ---- The agent's persistent leg ----

  Result<void> call_phone(AgentRuntime& a, const Campaign& campaign) {
    const ChannelId phone{next_id()};
    if (auto sent = ports.call_control.originate({phone, CallId{}, Leg::agent, a.info.endpoint,
                                                  campaign.caller_id, options.agent_answer_timeout});
        !sent) {
      return sent;
    }
    a.phone = phone;
    a.phone_up = false;
    channels.emplace(phone, ChannelRef{CallId{}, Leg::agent, a.info.id});
    return ok();
  }

  void on_phone_answered(AgentId id, ChannelId channel) {
    AgentRuntime& a = agents.at(id);
    if (a.phone != channel || a.status.state == AgentState::offline) {
      hang_up(channel);
      return;
    }
    const BridgeId holding{next_id()};
    Result<void> step = ports.call_control.create_bridge(holding);
    if (step) {
      a.holding = holding;
      step = ports.call_control.add_to_bridge(holding, channel);
    }
    if (!step) {
      alarm("holding bridge for agent " + to_string(id), std::move(step).error());
      hang_up(channel);
      return;
    }
    a.phone_up = true;
    if (a.status.state == AgentState::available) pace_soon(campaign_of(a), ports.clock.steady_now());
  }

  // The phone hung up (or never answered). An agent who is free is logged
  // out, so the panel shows it; one on a call ends it and is logged out after
  // the disposition.
  void on_phone_gone(AgentId id, ChannelId channel) {
    AgentRuntime& a = agents.at(id);
    if (a.phone != channel) return;
    a.phone = {};
    a.phone_up = false;
    if (a.holding.valid()) {
      destroy_bridge(a.holding);
      a.holding = {};
    }
    if (a.status.state == AgentState::offline) return;
    alarm("agent " + to_string(id) + "'s phone",
          Error{Errc::unavailable, "the agent's phone hung up or did not answer"});
    if (a.status.state == AgentState::busy) {
      if (auto it = calls.find(a.call); it != calls.end()) end_call(it->second, HangupSide::agent);
      return;
    }
    if (a.status.state != AgentState::wrapup) log_out_phone_lost(a);
  }

  void log_out_phone_lost(AgentRuntime& a) {
    leave_campaign(a);
    move(a, AgentInput::log_out, {}, StatusReason::phone_lost);
    a.campaign = {};
  }

  void leave_campaign(AgentRuntime& a) {
    std::erase(campaign_of(a).members, &a);
    if (a.phone.valid()) {
      hang_up(a.phone);
      a.phone = {};  // its ChannelHungUp then finds nobody to tell
    }
    if (a.holding.valid()) {
      destroy_bridge(a.holding);
      a.holding = {};
    }
    a.phone_up = false;
  }

  // Closes the agent's call in wrap-up with a disposition and moves the agent on.
  void close_call(AgentRuntime& a, std::string code, std::string notes, bool automatic,
                  AgentInput input, std::string next_break, StatusReason reason) {
    auto it = calls.find(a.call);
    if (it != calls.end()) {
      LiveCall& c = it->second;
      advance(c, CallInput::dispositioned);
      const DispositionCode* d = campaign_of(a).config.find_disposition(code);
      if (d != nullptr && d->do_not_call) add_to_do_not_call(c.record);
      c.record.disposition = std::move(code);
      c.record.notes = std::move(notes);
      c.record.auto_disposition = automatic;
      c.record.dispositioned_at = wall_now();
      save(c.record);
      publish_call(c);
      forget(c);
      calls.erase(it);
    }
    a.call = {};
    move(a, input, std::move(next_break), reason);
    if (a.info.persistent_leg && !a.phone.valid()) log_out_phone_lost(a);
  }

  // The person asked not to be called: their number goes on the campaign's list.
  void add_to_do_not_call(const CallRecord& r) {
    if (do_not_call == nullptr) {
      alarm("do-not-call disposition for call " + to_string(r.id),
            Error{Errc::unavailable, "no do-not-call list"});
      return;
    }
    if (auto added = do_not_call->add_do_not_call(r.number, r.campaign); !added) {
      alarm("do-not-call disposition for call " + to_string(r.id), std::move(added).error());
    }
  }

  void forget(const LiveCall& c) {
    channels.erase(c.customer);
    if (c.agent_leg.valid()) channels.erase(c.agent_leg);
  }

  // ---- Pacing (autodial and predictive campaigns) ----

  // Saves a checked campaign. Its pacer is built first, so a policy that
  // cannot be built refuses the save. Agents are told when what their panel
  // shows changed; a campaign leaving autodial or predictive gives its
  // hopper's leads back.
  Result<void> apply_campaign(const Campaign& config, Route route) {
    std::unique_ptr<Pacer> pacer;
    auto existing = campaigns.find(config.id);
    const bool same_policy = existing != campaigns.end() && existing->second.pacer &&
                             existing->second.config.dial_mode == config.dial_mode &&
                             existing->second.config.pacing.policy == config.pacing.policy;
    if (config.dial_mode != DialMode::manual && !same_policy) {
      auto built = build_pacer(config);
      if (!built) return std::move(built).error();
      pacer = std::move(built).value();
    }
    if (existing == campaigns.end()) {
      CampaignRuntime runtime;
      runtime.config = config;
      runtime.route = std::move(route);
      runtime.abandonment = AbandonmentMeter(config.pacing.day_offset);
      runtime.pacer = std::move(pacer);
      CampaignRuntime& added = campaigns.emplace(config.id, std::move(runtime)).first->second;
      if (auto loaded = load_abandonment(added, AbandonmentMeter::kDays - 1); !loaded) {
        alarm("abandonment figures of campaign " + to_string(config.id) + " (counting from zero)",
              std::move(loaded).error());
      }
      return ok();
    }
    CampaignRuntime& c = existing->second;
    const Campaign before = std::move(c.config);
    const std::string prefix_before = effective_prefix(c);
    c.config = config;
    c.route = std::move(route);
    if (pacer) c.pacer = std::move(pacer);
    if (config.dial_mode == DialMode::manual) c.pacer.reset();
    const bool hopper_changed = before.hopper_size != config.hopper_size ||
                                before.lead_order != config.lead_order ||
                                lead_attempt_cap(before) != lead_attempt_cap(config) ||
                                before.compliance.calling_hours.start !=
                                    config.compliance.calling_hours.start ||
                                before.compliance.calling_hours.end != config.compliance.calling_hours.end;
    if (c.hopper && (!c.automatic() || hopper_changed)) {
      if (auto released = c.hopper->release_all(ports.leads); !released) {
        alarm("releasing the hopper of campaign " + to_string(config.id), std::move(released).error());
      }
      c.hopper.reset();
    }
    if (panel_view_changed(before, config) || prefix_before != effective_prefix(c)) {
      ports.events.publish(CampaignChanged{config.id, config.dial_mode, config.manual_dial_allowed,
                                           effective_prefix(c)});
    }
    if (c.automatic()) pace_soon(c, ports.clock.steady_now());
    return ok();
  }

  // What an agent's panel shows of a campaign.
  static bool panel_view_changed(const Campaign& a, const Campaign& b) {
    return a.dial_mode != b.dial_mode || a.manual_dial_allowed != b.manual_dial_allowed ||
           a.name != b.name || a.script != b.script || a.break_types != b.break_types ||
           a.dispositions != b.dispositions;
  }

  Result<std::unique_ptr<Pacer>> build_pacer(const Campaign& config) {
    if (config.dial_mode == DialMode::autodial) return make_pacer("progressive");
    if (options.pacer_factory) {
      auto built = options.pacer_factory(config);
      if (built && !*built) return Error{Errc::invalid_argument, "the pacer factory built no pacer"};
      return built;
    }
    return make_pacer(config.pacing.policy);
  }

  // Asks for a pacing pass at `at` unless one is due earlier.
  void pace_soon(CampaignRuntime& campaign, SteadyTime at) {
    if (!campaign.automatic()) return;
    if (campaign.next_pace && *campaign.next_pace <= at) return;
    campaign.next_pace = at;
    arm(TimerKind::pacing, campaign.config.id.value, ++campaign.pacing_generation, at);
  }

  void pace(CampaignRuntime& campaign) {
    campaign.next_pace.reset();
    if (!campaign.automatic() || campaign.members.empty()) return;  // the next log-in restarts it
    const SteadyTime now = ports.clock.steady_now();
    const WallTime wall = wall_now();
    // Calls already answered go first, to the agents who have waited longest.
    while (!campaign.waiting.empty()) {
      AgentRuntime* a = longest_idle(campaign);
      if (a == nullptr) break;
      const CallId id = campaign.waiting.front();
      campaign.waiting.pop_front();
      auto it = calls.find(id);
      if (it != calls.end() && it->second.waiting) assign(campaign, *a, it->second);
    }
    if (ensure_hopper(campaign, wall)) {
      const std::size_t wanted = campaign.pacer->decide(snapshot_of(campaign, now, wall));
      place_calls(campaign, wanted, wall);
    }
    SteadyTime next = now + options.pacing_interval;
    if (auto wake = campaign.pacer->wakeup_at(seconds(now))) {
      const auto at = SteadyTime{std::chrono::duration_cast<SteadyTime::duration>(
          std::chrono::duration<double>(*wake))};
      if (at > now && at < next) next = at;
    }
    pace_soon(campaign, next);
  }

  // The hopper exists, its leases are renewed, and it is refilled when low.
  // False when the store cannot be reached (alarmed once per outage).
  bool ensure_hopper(CampaignRuntime& campaign, WallTime now) {
    const Campaign& config = campaign.config;
    if (!campaign.hopper) {
      HopperOptions o;
      o.campaign = config.id;
      o.owner = options.node;
      o.capacity = hopper_capacity(campaign);
      o.order = config.lead_order;
      o.max_attempts = lead_attempt_cap(config);
      o.calling_hours = config.compliance.calling_hours;
      auto created = Hopper::create(std::move(o));
      if (!created) {
        alarm("hopper of campaign " + to_string(config.id), std::move(created).error());
        return false;
      }
      campaign.hopper.emplace(std::move(created).value());
    }
    if (config.hopper_size == 0) {
      // Automatic: follow the pace, without churning on small changes.
      const std::size_t wanted = hopper_capacity(campaign);
      const std::size_t held = campaign.hopper->options().capacity;
      if (wanted > held + held / 4 || wanted + wanted / 4 < held) {
        (void)campaign.hopper->set_capacity(wanted);
      }
    }
    Result<void> step = campaign.hopper->renew(ports.leads, now);
    if (step) {
      auto added = campaign.hopper->refill(ports.leads, now);
      if (!added) step = std::move(added).error();
      else if (*added > 0) campaign.reported_empty = false;
    }
    if (!step) {
      if (!campaign.store_failing) alarm("hopper of campaign " + to_string(config.id), step.error());
      campaign.store_failing = true;
      return !campaign.hopper->empty();
    }
    campaign.store_failing = false;
    return true;
  }

  // The campaign's hopper_size, or for an automatic hopper (0): working
  // agents × dial level × calls per line per minute × kAutoHopperMinutes.
  std::size_t hopper_capacity(const CampaignRuntime& campaign) const {
    const Campaign& config = campaign.config;
    if (config.hopper_size != 0) return config.hopper_size;
    std::size_t working = 0;
    std::size_t talking = 0;
    for (const AgentRuntime* member : campaign.members) {
      const AgentRuntime& a = *member;
      if (takes_calls(a) || a.status.state == AgentState::wrapup) ++working;
      if (a.status.state == AgentState::busy) ++working, ++talking;
    }
    const double in_flight =
        static_cast<double>(campaign.unanswered.size() + campaign.waiting.size() + talking);
    const double level =
        working == 0 ? 1.0 : std::max(1.0, in_flight / static_cast<double>(working));
    const double per_line_per_minute =
        60.0 / static_cast<double>(std::max<std::int64_t>(1, config.ring_timeout.count()));
    const double size = static_cast<double>(std::max<std::size_t>(1, working)) * level *
                        per_line_per_minute * kAutoHopperMinutes;
    return std::clamp(static_cast<std::size_t>(std::ceil(size)), kMinAutoHopper,
                      std::size_t{100000});
  }

  static std::uint32_t lead_attempt_cap(const Campaign& c) {
    const std::uint32_t a = c.compliance.max_attempts_per_lead;
    const std::uint32_t b = c.recycle.max_attempts;
    if (a == 0) return b;
    return b == 0 ? a : std::min(a, b);
  }

  const PacerSnapshot& snapshot_of(CampaignRuntime& campaign, SteadyTime now, WallTime wall) {
    PacerSnapshot& s = campaign.snapshot;
    s.now_s = seconds(now);
    const auto local = wall.time_since_epoch() + campaign.config.pacing.day_offset;
    s.time_of_day_s = std::chrono::duration<double>(
                          local - std::chrono::floor<std::chrono::days>(local))
                          .count();
    s.idle_s.clear();
    s.talking_s.clear();
    s.wrapup_s.clear();
    s.ringing_s.clear();
    s.waiting_s.clear();
    s.on_break = 0;
    for (const AgentRuntime* member : campaign.members) {
      const AgentRuntime& a = *member;
      const double elapsed = seconds_between(a.steady_since, now);
      if (takes_calls(a)) {
        s.idle_s.push_back(elapsed);
      } else if (a.status.state == AgentState::busy) {
        s.talking_s.push_back(elapsed);
      } else if (a.status.state == AgentState::wrapup) {
        s.wrapup_s.push_back(elapsed);
      } else {
        ++s.on_break;
      }
    }
    for (const auto& u : campaign.unanswered) {
      s.ringing_s.push_back(seconds_between(u.placed_at, now));
    }
    for (CallId id : campaign.waiting) {
      s.waiting_s.push_back(seconds_between(calls.at(id).answered_steady, now));
    }
    s.dialable = campaign.hopper ? campaign.hopper->size() : 0;
    s.abandon_cap = campaign.config.pacing.abandon_cap;
    s.max_wait_s = std::chrono::duration<double>(campaign.config.pacing.max_wait_for_agent).count();
    const auto today = campaign.abandonment.today(wall);
    const auto month = campaign.abandonment.last_days(wall, 30);
    s.placed_today = campaign.placed.day == day_number(campaign, wall) ? campaign.placed.count : 0;
    s.answered_today = today.answered;
    s.dropped_today = today.abandoned;
    s.answered_30d = month.answered;
    s.dropped_30d = month.abandoned;
    return s;
  }

  static std::int64_t day_number(const CampaignRuntime& campaign, WallTime t) {
    return AbandonmentMeter::day_of(t, campaign.config.pacing.day_offset);
  }

  // Places up to `wanted` calls from the hopper. Leads the gate refuses are
  // logged and rescheduled, and the next lead is tried in their place.
  void place_calls(CampaignRuntime& campaign, std::size_t wanted, WallTime now) {
    // No agent working (all on a break or logged out): nobody could take a call.
    if (wanted == 0 || campaign.snapshot.agents_working() == 0) return;
    std::size_t placed = 0;
    while (placed < wanted) {
      auto next = campaign.hopper->take();
      if (!next) {
        if (!campaign.reported_empty) ports.events.publish(HopperEmpty{campaign.config.id, now});
        campaign.reported_empty = true;
        return;
      }
      auto result = place_one(campaign, std::move(*next), now);
      if (!result) return;  // the telephony or the store is failing: try again next tick
      if (*result) ++placed;
    }
  }

  // True: placed; false: refused (logged, rescheduled); error: stop dialing.
  Result<bool> place_one(CampaignRuntime& campaign, ClaimedLead claimed, WallTime now) {
    const LeadId lead_id = claimed.lead.id;
    auto target = policy.plan_number(campaign.route, claimed.lead.phone);
    if (!target) {
      // A lead whose number this route cannot dial is final: invalid.
      CallRecord r;
      r.id = CallId{next_id()};
      r.campaign = campaign.config.id;
      r.lead = lead_id;
      r.carrier = campaign.route.carrier;
      r.number = claimed.lead.phone.e164;
      r.state = CallState::ended;
      r.outcome = CallOutcome::invalid_number;
      r.created_at = r.ended_at = now;
      r.hung_up_by = HangupSide::dialer;
      r.hangup_reason = "not dialled: " + target.error().message();
      save(r);
      update_queue(r, QueueStatus::invalid_number);
      return false;
    }
    auto placed =
        originate_customer(campaign, AgentId{}, *target, std::move(claimed.lead), claimed.attempts);
    if (!placed) {
      const Error& e = placed.error();
      if (e.code.category() == compliance_category()) return false;
      // Not placed, not the lead's fault: it goes back to the queue as it was.
      const LeadId ids[] = {lead_id};
      if (auto released = ports.leads.release_leads(options.node, ids); !released) {
        alarm("release lead " + to_string(lead_id), std::move(released).error());
      }
      if (!campaign.store_failing) alarm("dialing for campaign " + to_string(campaign.config.id), e);
      return std::move(placed).error();
    }
    LiveCall& c = **placed;
    c.automatic = true;
    campaign.unanswered.push_back({c.record.id, c.placed_at});
    const std::int64_t day = day_number(campaign, now);
    if (campaign.placed.day != day) campaign.placed = {day, 0};
    ++campaign.placed.count;
    observe(campaign, PacerEventKind::placed, c, 0);
    publish_call(c);
    return true;
  }

  // ---- Timers ----

  void fire(const Timer& t) {
    if (is_stale(t)) return;
    switch (t.kind) {
      case TimerKind::pacing: return pace(campaigns.at(CampaignId{t.subject}));
      case TimerKind::answer_wait: {
        LiveCall& c = calls.at(CallId{t.subject});
        CampaignRuntime& campaign = campaigns.at(c.record.campaign);
        std::erase(campaign.waiting, c.record.id);
        return drop(campaign, c);
      }
      case TimerKind::wrapup: {
        AgentRuntime& a = agents.at(AgentId{t.subject});
        const Campaign& campaign = campaign_of(a).config;
        const bool to_break = !campaign.break_after_wrapup_timeout.empty();
        return close_call(a, campaign.wrapup_timeout_disposition, {}, true,
                          to_break ? AgentInput::wrapup_timed_out_to_break
                                   : AgentInput::wrapup_timed_out,
                          campaign.break_after_wrapup_timeout, StatusReason::wrapup_timeout);
      }
      case TimerKind::busy_reset: return reset_if_stuck(agents.at(AgentId{t.subject}));
    }
  }

  // Busy for the reset period: a call in conversation is fine and is checked
  // again later; anything else (a call that never progressed, a hangup never
  // confirmed, no call at all) is stuck, and the agent is freed.
  void reset_if_stuck(AgentRuntime& a) {
    auto it = calls.find(a.call);
    if (it != calls.end()) {
      LiveCall& c = it->second;
      if (c.record.state == CallState::bridged && c.ending_by == HangupSide::none && c.customer_up) {
        arm_agent(TimerKind::busy_reset, a, options.busy_reset_after);
        return;
      }
      end_call(c, HangupSide::dialer);
      tear_down(c);
      CallRecord& r = c.record;
      r.state = CallState::ended;
      r.outcome = CallOutcome::lost;
      r.ended_at = wall_now();
      r.hung_up_by = HangupSide::dialer;
      r.hangup_reason = "no live call while the agent was busy: reset by the dialer";
      r.disposition = "RESET";
      r.auto_disposition = true;
      save(r);
      update_queue(r, queue_status_for(r.outcome), r.ended_at);  // lost: try again
      publish_call(c);
      forget(c);
      calls.erase(it);
    }
    a.call = {};
    move(a, AgentInput::busy_reset, {}, StatusReason::busy_reset);
  }
};

Engine::Engine(EnginePorts ports, EngineOptions options)
    : impl_(std::make_unique<Impl>(ports, options)) {}

Engine::~Engine() = default;

Result<void> Engine::save_carrier(const Carrier& carrier) {
  // A carrier's new prefix must still agree with every campaign routed through it.
  for (const auto& [id, campaign] : impl_->campaigns) {
    const Campaign& c = campaign.config;
    if (c.carrier == carrier.id && !c.dial_prefix.empty() && c.dial_prefix != carrier.dial_prefix) {
      return Error{DialRule::campaign_prefix_mismatch,
                   "campaign " + to_string(id) + " uses prefix \"" + c.dial_prefix +
                       "\" on this carrier; the carrier's prefix cannot become \"" +
                       carrier.dial_prefix + "\""};
    }
  }
  return impl_->policy.save_carrier(carrier);
}

Result<void> Engine::save_campaign(const Campaign& campaign) {
  if (auto valid = validate_campaign(campaign); !valid) return valid;
  for (const auto& [id, other] : impl_->campaigns) {
    if (id != campaign.id && other.config.name == campaign.name) {
      return Error{Errc::conflict, "another campaign is named \"" + campaign.name + "\""};
    }
  }
  Route route{campaign.carrier, campaign.dial_prefix, campaign.number_plan};
  if (auto valid = impl_->policy.validate_route(route); !valid) return valid;
  return impl_->apply_campaign(campaign, std::move(route));
}

Result<void> Engine::save_agent(const Agent& agent) {
  if (!agent.id.valid()) return Error{Errc::invalid_argument, "agent id must be non-zero"};
  if (agent.login.empty() || agent.login.size() > 64) {
    return Error{Errc::invalid_argument, "agent login must be 1-64 characters"};
  }
  if (!is_valid_endpoint(agent.endpoint)) {
    return Error{Errc::invalid_argument,
                 "agent endpoint must look like Tech/resource (e.g. PJSIP/agent100)"};
  }
  for (const auto& [id, other] : impl_->agents) {
    if (id != agent.id && other.info.login == agent.login) {
      return Error{Errc::conflict, "login \"" + agent.login + "\" is taken"};
    }
  }
  auto [it, inserted] = impl_->agents.try_emplace(agent.id);
  it->second.info = agent;
  return ok();
}

const Campaign* Engine::find_campaign(CampaignId id) const {
  auto it = impl_->campaigns.find(id);
  return it == impl_->campaigns.end() ? nullptr : &it->second.config;
}

const Carrier* Engine::find_carrier(CarrierId id) const { return impl_->policy.find_carrier(id); }

const Agent* Engine::find_agent(AgentId id) const {
  auto it = impl_->agents.find(id);
  return it == impl_->agents.end() ? nullptr : &it->second.info;
}

Result<void> Engine::log_in(AgentId id, CampaignId campaign) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  if (auto allowed = impl_->check(**a, AgentInput::log_in, "log in"); !allowed) return allowed;
  if (!impl_->campaigns.contains(campaign)) {
    return Error{Errc::not_found, "no campaign " + to_string(campaign)};
  }
  AgentRuntime& agent = **a;
  CampaignRuntime& runtime = impl_->campaigns.at(campaign);
  if (agent.info.persistent_leg) {
    if (auto called = impl_->call_phone(agent, runtime.config); !called) return called;
  }
  agent.campaign = campaign;
  runtime.members.push_back(&agent);
  impl_->move(agent, AgentInput::log_in, {}, StatusReason::command);
  return ok();
}

Result<void> Engine::log_out(AgentId id) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  if (auto allowed = impl_->check(**a, AgentInput::log_out, "log out"); !allowed) return allowed;
  impl_->leave_campaign(**a);
  impl_->move(**a, AgentInput::log_out, {}, StatusReason::command);
  (*a)->campaign = {};
  return ok();
}

Result<void> Engine::set_available(AgentId id) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  if (auto allowed = impl_->check(**a, AgentInput::resume, "become available"); !allowed) return allowed;
  impl_->move(**a, AgentInput::resume, {}, StatusReason::command);
  return ok();
}

Result<void> Engine::take_break(AgentId id, std::string_view break_type) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  AgentRuntime& agent = **a;
  if (auto allowed = impl_->check(agent, AgentInput::take_break, "take a break"); !allowed) return allowed;
  if (!impl_->campaign_of(agent).config.has_break_type(break_type)) {
    return Error{Errc::invalid_argument,
                 "\"" + std::string(break_type) + "\" is not a break type of this campaign"};
  }
  if (agent.status.state == AgentState::on_break && agent.status.break_type == break_type) {
    return Error{Errc::invalid_transition, "agent is already on break \"" +
                                               std::string(break_type) + "\""};
  }
  impl_->move(agent, AgentInput::take_break, std::string(break_type), StatusReason::command);
  return ok();
}

Result<CallId> Engine::dial_number(AgentId id, std::string_view number) {
  auto a = impl_->agent_ready_to_dial(id);
  if (!a) return std::move(a).error();
  AgentRuntime& agent = **a;
  const CampaignRuntime& campaign = impl_->campaign_of(agent);
  auto target = impl_->policy.plan_typed(campaign.route, number);
  if (!target) return std::move(target).error();
  // Screen pop for a typed number: the lead whose number ends the same way.
  std::optional<Lead> lead;
  auto found = impl_->ports.leads.find_lead_by_phone(last_ten_digits(target->number.e164),
                                                     agent.campaign);
  if (found) {
    lead = std::move(found).value();
  } else if (found.error().code != Errc::not_found) {
    impl_->alarm("lead lookup for a manual dial", std::move(found).error());
  }
  return impl_->start_call(agent, *target, std::move(lead));
}

Result<CallId> Engine::dial_lead(AgentId id, LeadId lead_id) {
  auto a = impl_->agent_ready_to_dial(id);
  if (!a) return std::move(a).error();
  AgentRuntime& agent = **a;
  auto lead = impl_->ports.leads.find_lead(lead_id);
  if (!lead) return std::move(lead).error();
  if (lead->campaign != agent.campaign) {
    return Error{Errc::invalid_argument, "lead " + to_string(lead_id) +
                                             " belongs to another campaign than the agent's"};
  }
  auto target = impl_->policy.plan_number(impl_->campaign_of(agent).route, lead->phone);
  if (!target) return std::move(target).error();
  return impl_->start_call(agent, *target, std::move(lead).value());
}

Result<void> Engine::hang_up(AgentId id) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  auto it = impl_->calls.find((*a)->call);
  if ((*a)->status.state != AgentState::busy || it == impl_->calls.end()) {
    return Error{Errc::invalid_transition,
                 "agent " + to_string(id) + " has no call to hang up (" + to_string((*a)->status) +
                     ")"};
  }
  impl_->end_call(it->second, HangupSide::agent);
  return ok();
}

Result<void> Engine::submit_disposition(AgentId id, const Disposition& d) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  AgentRuntime& agent = **a;
  const AgentInput input = d.next_break.empty() ? AgentInput::disposed : AgentInput::disposed_to_break;
  if (auto allowed = impl_->check(agent, input, "submit a disposition"); !allowed) return allowed;
  const Campaign& campaign = impl_->campaign_of(agent).config;
  if (campaign.find_disposition(d.code) == nullptr) {
    return Error{Errc::invalid_argument,
                 "\"" + d.code + "\" is not a disposition code of this campaign"};
  }
  if (!d.next_break.empty() && !campaign.has_break_type(d.next_break)) {
    return Error{Errc::invalid_argument,
                 "\"" + d.next_break + "\" is not a break type of this campaign"};
  }
  if (d.notes.size() > kMaxDispositionNotes) {
    return Error{Errc::invalid_argument, "notes are longer than " +
                                             std::to_string(kMaxDispositionNotes) + " bytes"};
  }
  impl_->close_call(agent, d.code, d.notes, false, input, d.next_break, StatusReason::disposition);
  return ok();
}

void Engine::on_call_event(const CallEvent& event) {
  struct Visitor {
    Impl& impl;
    void operator()(const ChannelRinging& e) const { impl.on_ringing(e.channel); }
    void operator()(const ChannelAnswered& e) const { impl.on_answered(e.channel, e.machine); }
    void operator()(const ChannelHungUp& e) const {
      const bool lost = e.source == HangupSource::lost_in_gap;
      impl.on_gone(e.channel, e.cause, e.dial_status,
                   lost ? "lost while the telephony link was down" : std::string{}, lost);
    }
    void operator()(const OriginateFailed& e) const {
      impl.on_gone(e.channel, q850::unknown, DialStatus::chanunavail,
                   "originate failed: " + e.error.message());
    }
    void operator()(const PlaybackFinished& e) const { impl.on_playback_finished(e.channel); }
  };
  std::visit(Visitor{*impl_}, event);
}

std::optional<SteadyTime> Engine::next_deadline() const {
  if (impl_->timers.empty()) return std::nullopt;
  return impl_->timers.top().due;
}

void Engine::on_timer() {
  const SteadyTime now = impl_->ports.clock.steady_now();
  while (!impl_->timers.empty() && impl_->timers.top().due <= now) {
    const Timer t = impl_->timers.top();
    impl_->timers.pop();
    impl_->fire(t);
  }
}

std::optional<AgentView> Engine::agent(AgentId id) const {
  auto it = impl_->agents.find(id);
  if (it == impl_->agents.end()) return std::nullopt;
  const AgentRuntime& a = it->second;
  return AgentView{a.info.id, a.status, a.campaign, a.call, a.since};
}

const CallRecord* Engine::find_call(CallId id) const {
  auto it = impl_->calls.find(id);
  return it == impl_->calls.end() ? nullptr : &it->second.record;
}

std::size_t Engine::live_call_count() const { return impl_->calls.size(); }

std::uint64_t Engine::ignored_event_count() const { return impl_->ignored_events; }

Result<void> Engine::reload_abandonment() {
  return impl_->reload_abandonment();
}

std::optional<CampaignStats> Engine::campaign_stats(CampaignId id) const {
  auto it = impl_->campaigns.find(id);
  if (it == impl_->campaigns.end()) return std::nullopt;
  const CampaignRuntime& c = it->second;
  const WallTime now = impl_->wall_now();
  CampaignStats s;
  s.agents_logged_in = c.members.size();
  s.hopper_depth = c.hopper ? c.hopper->size() : 0;
  s.hopper_exhausted = c.reported_empty;
  s.ringing = c.unanswered.size();
  s.waiting = c.waiting.size();
  s.placed_today = c.placed.day == Impl::day_number(c, now) ? c.placed.count : 0;
  s.today = c.abandonment.today(now);
  s.last_30_days = c.abandonment.last_days(now, 30);
  s.pacer = c.pacer ? c.pacer->name() : std::string{};
  return s;
}

std::uint64_t Engine::refused_count(ComplianceRule rule) const {
  const auto i = static_cast<std::size_t>(rule);
  return i < impl_->refused.size() ? impl_->refused[i] : 0;
}

}  // namespace dialer
