#include "dialer/sim/simulation.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <variant>

#include "dialer/engine.hpp"
#include "dialer/event_sink.hpp"
#include "dialer/pacer.hpp"
#include "dialer/sim/oracle_pacer.hpp"
#include "dialer/sim/simulated_agents.hpp"
#include "dialer/sim/simulated_pbx.hpp"
#include "dialer/testing/manual_clock.hpp"
#include "dialer/testing/memory_store.hpp"
#include "pacer/predictive.hpp"

namespace dialer::sim {
namespace {

constexpr CarrierId kCarrier{1};
constexpr CampaignId kCampaign{1};
// Monday 2026-01-05 09:00 UTC: the campaign's day (day_offset 0) starts at
// 09:00, as VICIdial's time-of-day rules expect a working day to.
constexpr std::chrono::seconds kDayStart{1767603600};
// Generated leads live in one zone; calling hours cover the whole day. (A
// name of at most 15 characters stays inside std::string's own buffer: leads
// are copied several times on their way to a call.)
constexpr const char* kLeadZone = "America/Chicago";

// Counts what the engine itself reports.
class MetricsSink final : public EventSink {
 public:
  void publish(const Event& event) noexcept override {
    if (const auto* c = std::get_if<CallUpdate>(&event)) {
      if (c->state == CallState::ended && c->outcome == CallOutcome::dropped) ++dropped;
    } else if (std::holds_alternative<HopperEmpty>(event)) {
      ++hopper_empty;
    } else if (const auto* a = std::get_if<Alarm>(&event)) {
      ++alarms;
      if (first_alarm.empty()) first_alarm = a->what + ": " + a->error.message();
    }
  }
  std::uint64_t dropped = 0;
  std::uint64_t hopper_empty = 0;
  std::uint64_t alarms = 0;
  std::string first_alarm;
};

// Distinct, well-formed Chicago numbers: +1 312 200-0000 upwards, then the
// next area code.
// (Written into one buffer: a simulated day generates 330,000 numbers, and
// joining temporary strings cost about 1% of it.)
PhoneNumber generated_number(std::uint64_t k) {
  static constexpr const char* kAreas[] = {"312", "773", "872", "630", "708", "847"};
  constexpr std::uint64_t kPerArea = 8000000;
  const std::uint64_t area = (k / kPerArea) % std::size(kAreas);
  char text[24] = {'+', '1'};
  std::memcpy(text + 2, kAreas[area], 3);
  const auto end = std::to_chars(text + 5, std::end(text), 2000000 + k % kPerArea).ptr;
  return PhoneNumber{std::string(text, end), "US"};
}

double worst_hour(const std::vector<double>& answers, std::vector<double> dropped, double day_s) {
  std::sort(dropped.begin(), dropped.end());
  auto count_in = [](const std::vector<double>& v, double from, double to) {
    return static_cast<double>(std::lower_bound(v.begin(), v.end(), to) -
                               std::lower_bound(v.begin(), v.end(), from));
  };
  const double window = std::min(3600.0, day_s);
  double worst = 0;
  for (double from = 0; from + window <= day_s + 1e-9; from += 60.0) {
    const double a = count_in(answers, from, from + window);
    if (a > 0) worst = std::max(worst, count_in(dropped, from, from + window) / a);
  }
  return worst;
}

// The predictive pacer told part of what the oracle knows: "predictive+agents"
// (when every agent will be free), "predictive+calls" (which calls already
// placed will be answered live, and when) or both. Not dialers: references
// that measure what each kind of knowledge is worth.
constexpr std::array<std::string_view, 3> kInformedPolicies{"predictive+agents", "predictive+calls",
                                                            "predictive+agents+calls"};

bool is_informed(std::string_view policy) {
  return std::find(kInformedPolicies.begin(), kInformedPolicies.end(), policy) !=
         kInformedPolicies.end();
}

std::unique_ptr<Pacer> make_informed(std::string_view policy, const SimulatedPbx& pbx,
                                     const SimulatedAgents& agents) {
  const bool knows_agents = policy.find("+agents") != std::string_view::npos;
  const bool knows_calls = policy.find("+calls") != std::string_view::npos;
  pacing::PredictiveOptions options;
  options.foresight = [&pbx, &agents, knows_agents, knows_calls] {
    const auto from_now = [now = pbx.now_s()](std::vector<double> times) {
      for (double& t : times) t = std::max(0.0, t - now);
      return times;
    };
    pacing::Foresight f;
    if (knows_agents) f.agents_free_in_s = from_now(agents.release_times());
    if (knows_calls) f.live_answers_in_s = from_now(pbx.pending_live_answers());
    return f;
  };
  return pacing::make_predictive(options);
}

}  // namespace

std::vector<std::string> simulation_policies() {
  std::vector<std::string> policies = pacer_policies();
  policies.emplace_back("oracle");
  policies.insert(policies.end(), kInformedPolicies.begin(), kInformedPolicies.end());
  return policies;
}

struct Simulation::Impl {
  Impl(const Scenario& s, std::string_view policy_spec, std::uint64_t seed_value,
       const SimulationOptions& o)
      : scenario(s),
        policy(policy_spec),
        seed(seed_value),
        options(o),
        clock(WallTime{kDayStart}),
        pbx(s, clock, PbxOptions{seed_value, 0.5, o.safe_harbour_s}),
        agents(pbx, clock, AgentsOptions{seed_value, "SALE", "coffee"}),
        ring_timeout(o.ring_timeout.value_or(std::chrono::seconds{
            std::clamp<long>(std::lround(std::ceil(s.no_answer_timeout_s)), 1L, 300L)})),
        engine(EnginePorts{clock, pbx, store, store, sink}, engine_options(*this)),
        start(clock.steady_now()) {
    store.keep_history(o.keep_call_log);
  }

  static EngineOptions engine_options(Impl& self) {
    // The sinks are wired here, before the engine that publishes to them.
    self.sink.add(self.agents);
    self.sink.add(self.engine_events);
    EngineOptions e;
    e.node = "sim";
    e.pacing_interval = self.options.pacing_interval;
    e.pacer_factory = [&self](const Campaign&) -> Result<std::unique_ptr<Pacer>> {
      if (is_informed(self.policy)) return make_informed(self.policy, self.pbx, self.agents);
      if (self.policy == "oracle") {
        return std::unique_ptr<Pacer>(std::make_unique<OraclePacer>(
            self.pbx, self.agents, static_cast<double>(self.ring_timeout.count())));
      }
      return make_pacer(self.policy);
    };
    return e;
  }

  Result<void> configure() {
    if (auto saved = engine.save_carrier({kCarrier, "sim-pstn", "9", "PJSIP/{dial}@sim-pstn",
                                          NumberFormat::e164});
        !saved) {
      return saved;
    }
    Campaign campaign;
    campaign.id = kCampaign;
    campaign.name = scenario.name.empty() ? std::string("simulation") : scenario.name.substr(0, 64);
    campaign.dial_mode = policy == "progressive" ? DialMode::autodial : DialMode::predictive;
    campaign.carrier = kCarrier;
    campaign.number_plan.require_valid = false;
    campaign.manual_dial_allowed = false;
    // Agents always dispose in time; a timeout would only hide a bug.
    campaign.wrapup_timeout = std::chrono::seconds{24 * 3600};
    campaign.hopper_size = options.hopper_size;
    campaign.ring_timeout = ring_timeout;
    campaign.compliance.calling_hours =
        CallingHours{std::chrono::minutes{0}, std::chrono::minutes{24 * 60}};
    campaign.compliance.max_calls_per_number_per_day = 0;
    campaign.pacing.policy = policy;
    campaign.pacing.abandon_cap = scenario.abandon_cap;
    campaign.pacing.max_wait_for_agent =
        std::chrono::milliseconds{std::llround(scenario.max_wait_for_agent_s * 1000.0)};
    campaign.pacing.safe_harbour_media = "sound:safe-harbour";
    if (auto saved = engine.save_campaign(campaign); !saved) return saved;

    for (std::size_t i = 1; i <= scenario.agents; ++i) {
      Agent a;
      a.id = AgentId{i};
      a.login = "sim" + std::to_string(i);
      a.name = "Simulated agent " + std::to_string(i);
      a.endpoint = "PJSIP/sim" + std::to_string(i);
      a.persistent_leg = true;
      if (auto saved = engine.save_agent(a); !saved) return saved;
    }
    return top_up();
  }

  // Leads: enough ahead of the attempts placed that the hopper never waits,
  // few enough that claims (which scan the store) stay cheap.
  Result<void> top_up() {
    const std::uint64_t wanted =
        pbx.counters().placed + 2 * options.hopper_size + options.lead_chunk;
    while (leads_added < wanted) {
      std::vector<Lead> chunk(options.lead_chunk);
      for (Lead& lead : chunk) {
        lead.campaign = kCampaign;
        lead.phone = generated_number(leads_added++);
        lead.time_zone = kLeadZone;
      }
      auto added = store.add_leads(chunk, clock.wall_now());
      if (!added) return std::move(added).error();
    }
    return ok();
  }

  Result<void> run_until(SteadyTime until) {
    std::uint64_t idle_rounds = 0;
    while (true) {
      if (auto topped = top_up(); !topped) return topped;
      std::optional<SteadyTime> next = engine.next_deadline();
      for (auto other : {pbx.next_deadline(), agents.next_deadline()}) {
        if (other && (!next || *other < *next)) next = other;
      }
      if (!next || *next > until) break;
      if (*next > clock.steady_now()) {
        clock.advance_to(*next);
        idle_rounds = 0;
      } else if (++idle_rounds > 1000000) {
        return Error{Errc::timeout, "the simulation stopped making progress at " +
                                        std::to_string(pbx.now_s()) + " s"};
      }
      pbx.deliver_due(engine);
      agents.on_timer(engine);
      engine.on_timer();
    }
    if (clock.steady_now() < until) clock.advance_to(until);
    return ok();
  }

  SimulationMetrics metrics() const {
    SimulationMetrics m;
    m.scenario = scenario.name;
    m.policy = policy;
    m.seed = seed;
    m.agents = scenario.agents;
    const double elapsed_s = pbx.now_s();
    m.hours = elapsed_s / 3600.0;
    const PbxCounters& c = pbx.counters();
    const AgentsStats& as = agents.stats();
    const double agent_seconds = static_cast<double>(scenario.agents) * elapsed_s;
    const double agent_hours = agent_seconds / 3600.0;
    auto per = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    const double talk = pbx.talk_seconds(clock.steady_now());
    m.occupancy = per(talk, agent_seconds);
    m.utilisation = std::min(1.0, per(talk + as.wrapup_s, agent_seconds));
    m.placed = c.placed;
    m.live_answered = c.live_answered;
    m.connected = c.connected;
    m.dropped = c.abandoned;
    m.machines = c.machines;
    m.fast_failed = c.fast_failed;
    m.no_answer = c.no_answer;
    m.safe_harbour_playbacks = c.playbacks;
    m.abandon_rate = per(static_cast<double>(c.abandoned), static_cast<double>(c.live_answered));
    m.abandon_max_1h = worst_hour(pbx.live_answer_times(), pbx.abandoned_answer_times(), elapsed_s);
    m.idle_per_call_s = per(as.idle_before_connect_s, static_cast<double>(as.connects));
    m.placed_per_agent_hour = per(static_cast<double>(c.placed), agent_hours);
    m.connected_per_agent_hour = per(static_cast<double>(c.connected), agent_hours);
    m.engine_dropped = engine_events.dropped;
    m.alarms = engine_events.alarms;
    m.hopper_empty = engine_events.hopper_empty;
    m.longest_wait_before_drop_s = pbx.longest_wait_before_drop_s();
    m.agent_commands_refused = as.refused_commands;
    m.ignored_events = engine.ignored_event_count();
    if (!engine_events.first_alarm.empty()) {
      m.first_problem = engine_events.first_alarm;
    } else if (!as.last_refusal.empty()) {
      m.first_problem = "agent command refused: " + as.last_refusal;
    }
    return m;
  }

  Scenario scenario;
  std::string policy;
  std::uint64_t seed;
  SimulationOptions options;
  testing::ManualClock clock;
  testing::MemoryStore store;
  SimulatedPbx pbx;
  SimulatedAgents agents;
  MetricsSink engine_events;
  FanoutSink sink;
  std::chrono::seconds ring_timeout;
  Engine engine;
  SteadyTime start;
  std::uint64_t leads_added = 0;
};

Simulation::Simulation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulation::~Simulation() = default;

Result<std::unique_ptr<Simulation>> Simulation::create(const Scenario& scenario,
                                                       std::string_view policy, std::uint64_t seed,
                                                       const SimulationOptions& options) {
  if (auto valid = validate_scenario(scenario); !valid) return std::move(valid).error();
  if (policy != "oracle" && !is_informed(policy)) {
    if (auto pacer = make_pacer(policy); !pacer) return std::move(pacer).error();
  }
  if (options.hopper_size < 1 || options.hopper_size > 100000 || options.lead_chunk < 1 ||
      options.safe_harbour_s < 0 || options.pacing_interval.count() <= 0 ||
      (options.ring_timeout &&
       (options.ring_timeout->count() < 1 || options.ring_timeout->count() > 300))) {
    return Error{Errc::invalid_argument,
                 "simulation options: hopper_size 1..100000, lead_chunk > 0, safe_harbour_s >= 0, "
                 "pacing_interval > 0 and ring_timeout 1..300 s"};
  }
  auto impl = std::make_unique<Impl>(scenario, policy, seed, options);
  if (auto configured = impl->configure(); !configured) return std::move(configured).error();
  return std::unique_ptr<Simulation>(new Simulation(std::move(impl)));
}

Result<void> Simulation::log_in_all() {
  for (std::size_t i = 1; i <= impl_->scenario.agents; ++i) {
    if (auto in = impl_->engine.log_in(AgentId{i}, kCampaign); !in) return in;
  }
  return ok();
}

Result<void> Simulation::run_until(double day_s) {
  return impl_->run_until(impl_->start + std::chrono::duration_cast<SteadyTime::duration>(
                                             std::chrono::duration<double>(day_s)));
}

double Simulation::now_s() const { return impl_->pbx.now_s(); }
SimulationMetrics Simulation::metrics() const { return impl_->metrics(); }
Engine& Simulation::engine() { return impl_->engine; }
SimulatedPbx& Simulation::pbx() { return impl_->pbx; }
SimulatedAgents& Simulation::agents() { return impl_->agents; }
testing::MemoryStore& Simulation::store() { return impl_->store; }
testing::ManualClock& Simulation::clock() { return impl_->clock; }

Result<SimulationMetrics> run_simulation(const Scenario& scenario, std::string_view policy,
                                         std::uint64_t seed, const SimulationOptions& options) {
  const auto wall_started = std::chrono::steady_clock::now();
  const std::clock_t cpu_started = std::clock();
  auto sim = Simulation::create(scenario, policy, seed, options);
  if (!sim) return std::move(sim).error();
  if (auto in = (*sim)->log_in_all(); !in) return std::move(in).error();
  if (auto ran = (*sim)->run_until(scenario.day_s()); !ran) return std::move(ran).error();
  SimulationMetrics m = (*sim)->metrics();
  m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_started).count();
  m.speedup = m.wall_s > 0 ? scenario.day_s() / m.wall_s : 0.0;
  m.cpu_s = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
  m.cpu_speedup = m.cpu_s > 0 ? scenario.day_s() / m.cpu_s : 0.0;
  return m;
}

std::vector<std::pair<std::string, double>> metric_values(const SimulationMetrics& m) {
  auto n = [](std::uint64_t v) { return static_cast<double>(v); };
  return {
      {"occupancy", m.occupancy},
      {"abandon_rate", m.abandon_rate},
      {"abandon_max_1h", m.abandon_max_1h},
      {"idle_per_call_s", m.idle_per_call_s},
      {"placed_per_agent_hour", m.placed_per_agent_hour},
      {"connected_per_agent_hour", m.connected_per_agent_hour},
      {"utilisation", m.utilisation},
      {"placed", n(m.placed)},
      {"live_answered", n(m.live_answered)},
      {"connected", n(m.connected)},
      {"dropped", n(m.dropped)},
      {"machines", n(m.machines)},
      {"fast_failed", n(m.fast_failed)},
      {"no_answer", n(m.no_answer)},
      {"safe_harbour_playbacks", n(m.safe_harbour_playbacks)},
      {"engine_dropped", n(m.engine_dropped)},
      {"alarms", n(m.alarms)},
      {"agent_commands_refused", n(m.agent_commands_refused)},
      {"ignored_events", n(m.ignored_events)},
      {"hopper_empty", n(m.hopper_empty)},
      {"longest_wait_before_drop_s", m.longest_wait_before_drop_s},
      {"wall_s", m.wall_s},
      {"speedup", m.speedup},
      {"cpu_s", m.cpu_s},
      {"cpu_speedup", m.cpu_speedup},
  };
}

}  // namespace dialer::sim
