#include "dialer/engine.hpp"

#include <array>
#include <queue>
#include <unordered_map>
#include <utility>

#include "dialer/dial_prefix.hpp"
#include "dialer/hangup_cause.hpp"
#include "dialer/lead_import.hpp"

namespace dialer {
namespace {

enum class TimerKind : std::uint8_t { wrapup, busy_reset };

// Timers are kept in a heap and never removed: each carries the agent's status
// generation at arming time, and a timer whose agent has changed status since
// is stale and skipped when it comes due.
struct Timer {
  SteadyTime due;
  std::uint64_t seq;  // arming order: ties fire in the order they were armed
  TimerKind kind;
  AgentId agent;
  std::uint64_t generation;
};

struct FiresLater {
  bool operator()(const Timer& a, const Timer& b) const {
    return a.due != b.due ? a.due > b.due : a.seq > b.seq;
  }
};

struct AgentRuntime {
  Agent info;
  AgentStatus status;
  CampaignId campaign;
  CallId call;
  WallTime since{};
  std::uint64_t generation = 0;
};

struct CampaignRuntime {
  Campaign config;
  Route route;
};

struct LiveCall {
  CallRecord record;
  // Calls placed to the lead, this one included (for recycling).
  std::uint32_t lead_attempts = 0;
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
    AgentStatus previous = std::move(a.status);
    a.status.state = *to;
    a.status.break_type = *to == AgentState::on_break ? std::move(break_type) : std::string{};
    a.since = wall_now();
    ++a.generation;
    if (*to == AgentState::busy) {
      arm(TimerKind::busy_reset, a, options.busy_reset_after);
    } else if (*to == AgentState::wrapup) {
      arm(TimerKind::wrapup, a, campaign_of(a).config.effective_wrapup_timeout());
    }
    ports.events.publish(StatusUpdate{a.info.id, a.status, std::move(previous), reason, a.since});
  }

  void arm(TimerKind kind, const AgentRuntime& a, std::chrono::seconds after) {
    if (timers.size() > 2 * agents.size() + 64) drop_stale_timers();
    timers.push(Timer{ports.clock.steady_now() + after, ++timer_seq, kind, a.info.id, a.generation});
  }

  bool is_stale(const Timer& t) const {
    auto it = agents.find(t.agent);
    return it == agents.end() || it->second.generation != t.generation;
  }

  // Each agent has at most one timer that can still fire; dropping the rest
  // keeps the heap's size proportional to the number of agents.
  void drop_stale_timers() {
    std::vector<Timer> live;
    live.reserve(agents.size());
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

  // A call-log row for a call the agent is placing to `target`, with a new id.
  CallRecord new_record(const AgentRuntime& a, const DialTarget& target,
                        const std::optional<Lead>& lead) {
    CallRecord r;
    r.id = CallId{next_id()};
    r.campaign = a.campaign;
    r.agent = a.info.id;
    r.lead = lead ? lead->id : LeadId{};
    r.carrier = target.carrier;
    r.number = target.number.e164;
    r.dialled = target.dialled;
    r.dial_string = target.dial_string;
    return r;
  }

  // The compliance gate, right before originate. A refusal is logged as a
  // call that was never placed and reschedules the lead.
  Result<void> check_compliance_for(const AgentRuntime& a, const DialTarget& target,
                                    const std::optional<Lead>& lead, std::uint32_t attempts) {
    const Campaign& campaign = campaign_of(a).config;
    std::string zone = lead ? lead->time_zone : std::string{};
    if (zone.empty()) zone = time_zone_for_number(target.number, options.number_time_zones.get());
    const ComplianceQuery query{a.campaign, target.number.e164, zone, attempts, wall_now()};
    Result<void> verdict =
        do_not_call == nullptr
            ? Result<void>(Error{Errc::unavailable, "no do-not-call list to check against"})
            : check_compliance(campaign.compliance, query, *do_not_call, ports.call_log);
    if (verdict) return verdict;
    const Error& e = verdict.error();
    if (e.code.category() != compliance_category()) return verdict;  // a store failure
    const auto rule = static_cast<ComplianceRule>(e.code.value());
    ++refused[static_cast<std::size_t>(rule)];
    CallRecord r = new_record(a, target, lead);
    r.state = CallState::ended;
    r.outcome = CallOutcome::refused;
    r.created_at = r.ended_at = query.now;
    r.hung_up_by = HangupSide::dialer;
    r.hangup_reason = std::string("refused by compliance rule ") + to_string(rule) + ": " + e.detail;
    save(r);
    update_queue(r, QueueStatus::pending, compliance_retry_at(rule, campaign.compliance, query));
    return verdict;
  }

  // Calls already placed to a lead, from its queue row (0 when it has none).
  std::uint32_t attempts_of(const std::optional<Lead>& lead) {
    if (!lead) return 0;
    auto entry = ports.leads.queue_entry(lead->id);
    return entry ? entry->attempts : 0;
  }

  Result<CallId> start_call(AgentRuntime& a, const DialTarget& target, std::optional<Lead> lead) {
    const CampaignRuntime& campaign = campaign_of(a);
    // The last checks, right before the dial string leaves the engine.
    if (auto verified = policy.verify(campaign.route, target); !verified) {
      return std::move(verified).error();
    }
    const std::uint32_t attempts = attempts_of(lead);
    if (auto allowed = check_compliance_for(a, target, lead, attempts); !allowed) {
      return std::move(allowed).error();
    }
    LiveCall c;
    c.lead_attempts = attempts + 1;
    c.record = new_record(a, target, lead);
    c.record.created_at = wall_now();
    c.customer = ChannelId{next_id()};

    const OriginateRequest request{c.customer,          c.record.id,
                                   Leg::customer,       target.dial_string,
                                   campaign.config.caller_id, campaign.config.ring_timeout};
    if (auto sent = ports.call_control.originate(request); !sent) {
      // Nothing went out: the attempt is logged, the agent and the lead stay as
      // they were, and the agent is told why.
      c.record.state = CallState::ended;
      c.record.outcome = CallOutcome::failed;
      c.record.ended_at = c.record.created_at;
      c.record.hung_up_by = HangupSide::dialer;
      c.record.hangup_reason = "originate refused: " + sent.error().message();
      save(c.record);
      return std::move(sent).error();
    }
    c.customer_up = true;
    const CallId id = c.record.id;
    channels.emplace(c.customer, ChannelRef{id, Leg::customer});
    auto& live = calls.emplace(id, std::move(c)).first->second;
    a.call = id;
    move(a, AgentInput::call_assigned, {}, StatusReason::call);
    update_queue(live.record, QueueStatus::dialing);
    publish_call(live);
    ports.events.publish(LeadPop{a.info.id, id, std::move(lead), campaign.config.script,
                                 live.record.number, target.prefix});
    return id;
  }

  // The customer answered: hold them in a bridge and ring the agent.
  void connect_agent(LiveCall& c) {
    const AgentRuntime& a = agents.at(c.record.agent);
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
        channels.emplace(leg, ChannelRef{c.record.id, Leg::agent});
      }
    }
    if (!step) {
      alarm("connecting agent " + to_string(a.info.id) + " to call " + to_string(c.record.id),
            std::move(step).error());
      end_call(c, HangupSide::dialer);
    }
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

  void tear_down(LiveCall& c) {
    end_agent_leg(c);
    if (c.bridge.valid()) {
      if (auto done = ports.call_control.destroy_bridge(c.bridge); !done) {
        alarm("destroy bridge " + to_string(c.bridge), std::move(done).error());
      }
      c.bridge = {};
    }
  }

  void on_ringing(ChannelId channel) {
    LiveCall* c = customer_call(channel);
    if (c == nullptr || !advance(*c, CallInput::ringing)) return;
    c->record.ringing_at = wall_now();
    publish_call(*c);
  }

  void on_answered(ChannelId channel) {
    auto ref = channels.find(channel);
    if (ref == channels.end()) return count_ignored();
    LiveCall& c = calls.at(ref->second.call);
    if (ref->second.leg == Leg::customer) {
      if (!advance(c, CallInput::answered)) return;
      c.record.answered_at = wall_now();
      update_queue(c.record, QueueStatus::answered);
      publish_call(c);
      // Answered just as the agent hung up: the hangup already under way ends it.
      if (c.ending_by == HangupSide::none) connect_agent(c);
      return;
    }
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
    advance(c, CallInput::agent_connected);
    c.record.bridged_at = wall_now();
    publish_call(c);
  }

  void on_gone(ChannelId channel, int cause, DialStatus dial_status, std::string reason) {
    auto ref = channels.find(channel);
    if (ref == channels.end()) return count_ignored();
    const ChannelRef where = ref->second;
    channels.erase(ref);
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
    r.hangup_cause = cause;
    r.hangup_reason = reason.empty() ? cause_text(cause) : std::move(reason);
    r.ended_at = wall_now();
    if (was == CallState::originating || was == CallState::ringing) {
      r.outcome = c.ending_by != HangupSide::none ? CallOutcome::cancelled
                                                  : outcome_before_answer(dial_status, cause);
    } else {
      r.outcome = was == CallState::bridged ? CallOutcome::completed : CallOutcome::dropped;
    }
    r.hung_up_by = c.ending_by != HangupSide::none ? c.ending_by : HangupSide::customer;
    tear_down(c);
    save(r);
    update_queue(r, queue_status_for(r.outcome),
                 recycle_at(campaign_of(agents.at(r.agent)).config.recycle, r.outcome,
                            c.lead_attempts, r.ended_at));
    publish_call(c);
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

  // ---- Timers ----

  void fire(const Timer& t) {
    if (is_stale(t)) return;
    AgentRuntime& a = agents.at(t.agent);
    if (t.kind == TimerKind::wrapup) {
      const Campaign& campaign = campaign_of(a).config;
      const bool to_break = !campaign.break_after_wrapup_timeout.empty();
      close_call(a, campaign.wrapup_timeout_disposition, {}, true,
                 to_break ? AgentInput::wrapup_timed_out_to_break : AgentInput::wrapup_timed_out,
                 campaign.break_after_wrapup_timeout, StatusReason::wrapup_timeout);
      return;
    }
    reset_if_stuck(a);
  }

  // Busy for the reset period: a call in conversation is fine and is checked
  // again later; anything else (a call that never progressed, a hangup never
  // confirmed, no call at all) is stuck, and the agent is freed.
  void reset_if_stuck(AgentRuntime& a) {
    auto it = calls.find(a.call);
    if (it != calls.end()) {
      LiveCall& c = it->second;
      if (c.record.state == CallState::bridged && c.ending_by == HangupSide::none && c.customer_up) {
        arm(TimerKind::busy_reset, a, options.busy_reset_after);
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
  impl_->campaigns.insert_or_assign(campaign.id, CampaignRuntime{campaign, std::move(route)});
  return ok();
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
  (*a)->campaign = campaign;
  impl_->move(**a, AgentInput::log_in, {}, StatusReason::command);
  return ok();
}

Result<void> Engine::log_out(AgentId id) {
  auto a = impl_->agent(id);
  if (!a) return std::move(a).error();
  if (auto allowed = impl_->check(**a, AgentInput::log_out, "log out"); !allowed) return allowed;
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
    void operator()(const ChannelAnswered& e) const { impl.on_answered(e.channel); }
    void operator()(const ChannelHungUp& e) const {
      impl.on_gone(e.channel, e.cause, e.dial_status, {});
    }
    void operator()(const OriginateFailed& e) const {
      impl.on_gone(e.channel, q850::unknown, DialStatus::chanunavail,
                   "originate failed: " + e.error.message());
    }
    void operator()(const PlaybackFinished&) const {}
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

std::uint64_t Engine::refused_count(ComplianceRule rule) const {
  const auto i = static_cast<std::size_t>(rule);
  return i < impl_->refused.size() ? impl_->refused[i] : 0;
}

}  // namespace dialer
