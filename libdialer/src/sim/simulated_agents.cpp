#include "dialer/sim/simulated_agents.hpp"

#include <chrono>
#include <limits>
#include <variant>

#include "dialer/engine.hpp"
#include "dialer/sim/simulated_pbx.hpp"
#include "random.hpp"

namespace dialer::sim {

SimulatedAgents::SimulatedAgents(SimulatedPbx& pbx, const Clock& clock, AgentsOptions options)
    : pbx_(pbx), clock_(clock), options_(std::move(options)) {}

void SimulatedAgents::publish(const Event& event) noexcept {
  try {
    if (const auto* s = std::get_if<StatusUpdate>(&event)) on_status(*s);
    if (const auto* c = std::get_if<CallUpdate>(&event)) on_call(*c);
  } catch (...) {
    // Only allocation can throw here; the agent then simply misses a beat.
    ++stats_.refused_commands;
    stats_.last_refusal = "exception in publish";
  }
}

double SimulatedAgents::fallback_draw(SimAgent& a, AgentId id, int what) {
  detail::Stream r(options_.seed, detail::Domain::agent, (id.value << 24) ^ a.draws++);
  const Scenario& s = pbx_.scenario();
  switch (what) {
    case 0: return r.lognormal(s.talk);
    case 1: return r.lognormal(s.wrapup);
    default: return r.lognormal(s.break_length);
  }
}

void SimulatedAgents::start(SimAgent& a, AgentId id, Action action, double seconds) {
  const SteadyTime at = clock_.steady_now() + std::chrono::duration_cast<SteadyTime::duration>(
                                                  std::chrono::duration<double>(seconds));
  timers_.push(Timer{at, seq_++, id, ++a.token, action});
}

void SimulatedAgents::on_status(const StatusUpdate& u) {
  SimAgent& a = agents_[u.agent];
  const double now_s = pbx_.now_s();
  a.state = u.status.state;
  switch (u.status.state) {
    case AgentState::available:
      ++a.token;  // nothing pending any more
      a.available_since = clock_.steady_now();
      a.release_s = now_s;
      a.call = CallId{};
      a.talking = false;
      break;
    case AgentState::wrapup: {
      a.talking = false;
      if (a.wrapup_s <= 0) {
        // A call the agent never talked on (lost, hung up early): an ordinary
        // wrap-up, with no break.
        a.wrapup_s = fallback_draw(a, u.agent, 1);
        a.break_after = false;
      }
      a.release_s = now_s + a.wrapup_s + (a.break_after ? a.break_s : 0.0);
      start(a, u.agent, Action::dispose, a.wrapup_s);
      break;
    }
    case AgentState::on_break: {
      ++stats_.breaks;
      a.available_since.reset();
      double length = a.break_after && a.break_s > 0 ? a.break_s : fallback_draw(a, u.agent, 2);
      a.break_after = false;
      a.break_s = 0;
      a.release_s = now_s + length;
      start(a, u.agent, Action::resume, length);
      break;
    }
    case AgentState::busy:
      // Idle time runs on until the call is connected (on_call).
      if (!a.talking) {  // the bridged update may come first
        a.release_s = std::numeric_limits<double>::infinity();
        a.wrapup_s = 0;
      }
      break;
    case AgentState::offline:
      ++a.token;
      a.available_since.reset();
      break;
  }
}

void SimulatedAgents::on_call(const CallUpdate& u) {
  if (!u.agent.valid() || u.state != CallState::bridged) return;
  SimAgent& a = agents_[u.agent];
  if (a.talking && a.call == u.call) return;  // told twice
  a.call = u.call;
  a.talking = true;
  const SteadyTime now = clock_.steady_now();
  if (a.available_since) {
    stats_.idle_before_connect_s += std::chrono::duration<double>(now - *a.available_since).count();
    a.available_since.reset();
  }
  ++stats_.connects;
  double talk = 0;
  if (auto attempt = pbx_.attempt_of(u.call)) {
    talk = attempt->talk_s;
    a.wrapup_s = attempt->wrapup_s;
    a.break_after = attempt->break_after;
    a.break_s = attempt->break_s;
  } else {
    talk = fallback_draw(a, u.agent, 0);
    a.wrapup_s = fallback_draw(a, u.agent, 1);
    a.break_after = false;
  }
  a.release_s = pbx_.now_s() + talk + a.wrapup_s + (a.break_after ? a.break_s : 0.0);
  const SteadyTime end = now + std::chrono::duration_cast<SteadyTime::duration>(
                                   std::chrono::duration<double>(talk));
  if (auto hung = pbx_.customer_hangs_up(u.call, end); !hung) {
    ++stats_.refused_commands;
    stats_.last_refusal = hung.error().message();
  }
}

std::optional<SteadyTime> SimulatedAgents::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.top().at;
}

std::size_t SimulatedAgents::on_timer(Engine& engine) {
  std::size_t n = 0;
  const SteadyTime now = clock_.steady_now();
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer t = timers_.top();
    timers_.pop();
    auto it = agents_.find(t.agent);
    if (it == agents_.end() || it->second.token != t.token) continue;
    SimAgent& a = it->second;
    Result<void> done;
    if (t.action == Action::dispose) {
      Disposition d;
      d.code = options_.disposition;
      if (a.break_after) d.next_break = options_.break_type;
      ++stats_.dispositions;
      stats_.wrapup_s += a.wrapup_s;
      a.wrapup_s = 0;
      done = engine.submit_disposition(t.agent, d);
    } else {
      done = engine.set_available(t.agent);
    }
    if (!done) {
      ++stats_.refused_commands;
      stats_.last_refusal = done.error().message();
    }
    ++n;
  }
  return n;
}

std::vector<double> SimulatedAgents::release_times() const {
  std::vector<double> out;
  out.reserve(agents_.size());
  const double now_s = pbx_.now_s();
  for (const auto& [id, a] : agents_) {
    switch (a.state) {
      case AgentState::offline: break;
      case AgentState::available: out.push_back(now_s); break;
      case AgentState::busy:
        if (a.talking) out.push_back(a.release_s);
        break;
      case AgentState::wrapup:
      case AgentState::on_break: out.push_back(a.release_s); break;
    }
  }
  return out;
}

}  // namespace dialer::sim
