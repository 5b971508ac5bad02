#include "dialer/sim/simulated_pbx.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "dialer/engine.hpp"
#include "random.hpp"

namespace dialer::sim {

const char* to_string(AttemptOutcome o) noexcept {
  switch (o) {
    case AttemptOutcome::live: return "live";
    case AttemptOutcome::fast_fail: return "fast_fail";
    case AttemptOutcome::machine: return "machine";
    case AttemptOutcome::no_answer: return "no_answer";
  }
  return "?";
}

Attempt draw_attempt(const Scenario& s, std::uint64_t seed, std::uint64_t k, double placed_at_s) {
  // The order of draws is part of the format of a seed: every attempt takes
  // them in this order, whatever its outcome, and the one draw whose count
  // varies (the truncated ring time, by rejection) comes last.
  detail::Stream r(seed, detail::Domain::attempt, k);
  const double u_live = r.uniform();
  const double u_kind = r.uniform();
  const double u_busy = r.uniform();
  const double fail_at = r.uniform(s.fast_fail);
  const double pickup_at = r.uniform(s.machine_pickup);
  Attempt a;
  a.index = k;
  a.talk_s = r.lognormal(s.talk);
  a.wrapup_s = r.lognormal(s.wrapup);
  a.break_after = r.uniform() < s.break_after_call_prob;
  a.break_s = r.lognormal(s.break_length);
  const double ring = r.lognormal_below(s.ring_to_answer, s.no_answer_timeout_s);

  if (u_live < s.live_rate_at(placed_at_s)) {
    a.outcome = AttemptOutcome::live;
    a.at_s = ring;
  } else if (u_kind < s.fast_fail_share) {
    a.outcome = AttemptOutcome::fast_fail;
    a.at_s = fail_at;
    const bool busy = u_busy < 0.5;
    a.fail_status = busy ? DialStatus::busy : DialStatus::congestion;
    a.fail_cause = busy ? q850::user_busy : q850::no_circuit_available;
  } else if (u_kind < s.fast_fail_share + s.machine_share) {
    a.outcome = AttemptOutcome::machine;
    a.at_s = pickup_at;
  } else {
    a.outcome = AttemptOutcome::no_answer;
    a.at_s = s.no_answer_timeout_s;
  }
  return a;
}

AttemptTiming resolve(const Attempt& a, const Scenario& s, double originate_timeout_s) {
  const double timeout = std::min(s.no_answer_timeout_s, originate_timeout_s);
  switch (a.outcome) {
    case AttemptOutcome::live:
      if (a.at_s < timeout) return {AttemptOutcome::live, a.at_s};
      break;
    case AttemptOutcome::machine:
      if (a.at_s < timeout) return {AttemptOutcome::machine, a.at_s + s.amd_s};
      break;
    case AttemptOutcome::fast_fail:
      if (a.at_s < timeout) return {AttemptOutcome::fast_fail, a.at_s};
      break;
    case AttemptOutcome::no_answer: break;
  }
  return {AttemptOutcome::no_answer, timeout};
}

SimulatedPbx::SimulatedPbx(Scenario scenario, const Clock& clock, PbxOptions options)
    : scenario_(std::move(scenario)),
      clock_(clock),
      options_(options),
      start_(clock.steady_now()) {}

double SimulatedPbx::seconds_at(SteadyTime t) const {
  return std::chrono::duration<double>(t - start_).count();
}

SteadyTime SimulatedPbx::after(SteadyTime from, double seconds) const {
  return from + std::chrono::duration_cast<SteadyTime::duration>(
                    std::chrono::duration<double>(std::max(0.0, seconds)));
}

void SimulatedPbx::schedule(SteadyTime at, ChannelId channel, CallEvent event) {
  const auto it = channels_.find(channel);
  const std::uint32_t epoch = it == channels_.end() ? 0 : it->second.epoch;
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Queued{at, channel, epoch, std::move(event)});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = Queued{at, channel, epoch, std::move(event)};
  }
  queue_.push(Due{at, seq_++, slot});
}

Result<void> SimulatedPbx::originate(const OriginateRequest& request) {
  if (!request.channel.valid()) return Error{Errc::invalid_argument, "originate without a channel id"};
  if (request.endpoint.empty()) return Error{Errc::invalid_argument, "originate without an endpoint"};
  if (channels_.contains(request.channel)) {
    return Error{Errc::conflict, "channel " + dialer::to_string(request.channel) + " already exists"};
  }
  const SteadyTime now = clock_.steady_now();
  Channel c;
  c.leg = request.leg;
  c.call = request.call;
  if (request.leg == Leg::agent) {
    // An agent's phone answers at once (auto-answer headset).
    ++counters_.agent_legs;
    channels_.emplace(request.channel, c);
    schedule(now, request.channel, ChannelAnswered{request.channel, false});
    return ok();
  }

  c.attempt = draw_attempt(scenario_, options_.seed, next_attempt_++, seconds_at(now));
  ++counters_.placed;
  c.placed_at = now;
  c.timeout_s = static_cast<double>(request.timeout.count());
  const AttemptTiming t = resolve(c.attempt, scenario_, c.timeout_s);
  if (t.outcome == AttemptOutcome::live) {
    c.live_at_s = seconds_at(now) + t.at_s;
    live_pending_.insert(request.channel);
  }
  channels_.emplace(request.channel, c);
  if (request.call.valid()) customer_of_[request.call] = request.channel;

  const ChannelId ch = request.channel;
  schedule(after(now, std::min(options_.ringing_after_s, t.at_s)), ch, ChannelRinging{ch});
  const SteadyTime at = after(now, t.at_s);
  switch (t.outcome) {
    case AttemptOutcome::live: schedule(at, ch, ChannelAnswered{ch, false}); break;
    case AttemptOutcome::machine: schedule(at, ch, ChannelAnswered{ch, true}); break;
    case AttemptOutcome::fast_fail:
      schedule(at, ch, ChannelHungUp{ch, c.attempt.fail_cause, c.attempt.fail_status});
      break;
    case AttemptOutcome::no_answer:
      schedule(at, ch, ChannelHungUp{ch, q850::no_answer, DialStatus::noanswer});
      break;
  }
  return ok();
}

Result<void> SimulatedPbx::answer(ChannelId channel) {
  // The simulated network places no inbound calls; answering a known channel
  // that is up already changes nothing.
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.ending) return ok();
  if (!it->second.up) {
    ++counters_.refused_commands;
    return Error{Errc::invalid_transition, "channel " + dialer::to_string(channel) + " is not inbound"};
  }
  return ok();
}

Result<void> SimulatedPbx::hang_up(ChannelId channel, int cause) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.ending) return ok();  // already gone
  Channel& c = it->second;
  ++c.epoch;  // whatever was scheduled for the channel no longer happens
  c.ending = true;
  live_pending_.erase(channel);
  const DialStatus status = c.up ? DialStatus::answer : DialStatus::cancel;
  schedule(clock_.steady_now(), channel, ChannelHungUp{channel, cause, status});
  return ok();
}

Result<void> SimulatedPbx::create_bridge(BridgeId bridge) {
  if (!bridge.valid()) return Error{Errc::invalid_argument, "bridge id 0"};
  if (bridges_.contains(bridge)) {
    ++counters_.refused_commands;
    return Error{Errc::conflict, "bridge " + dialer::to_string(bridge) + " already exists"};
  }
  bridges_.emplace(bridge, Bridge{});
  return ok();
}

void SimulatedPbx::leave(Channel& c, ChannelId id) {
  if (!c.bridge.valid()) return;
  if (auto b = bridges_.find(c.bridge); b != bridges_.end()) {
    auto& m = b->second.members;
    m.erase(std::remove(m.begin(), m.end(), id), m.end());
  }
  c.bridge = BridgeId{};
}

void SimulatedPbx::join(Channel& c, ChannelId id, BridgeId bridge) {
  leave(c, id);
  Bridge& b = bridges_.at(bridge);
  b.members.push_back(id);
  c.bridge = bridge;
  // A live customer and an agent in one bridge: they are talking.
  bool has_agent = false;
  for (ChannelId m : b.members) {
    const Channel& mc = channels_.at(m);
    if (mc.leg == Leg::agent && mc.up && !mc.ending) has_agent = true;
  }
  if (!has_agent) return;
  const SteadyTime now = clock_.steady_now();
  for (ChannelId m : b.members) {
    Channel& mc = channels_.at(m);
    if (mc.leg == Leg::customer && mc.live && !mc.connected && !mc.ending) {
      mc.connected = true;
      mc.connected_at = now;
      live_pending_.erase(m);
      ++counters_.connected;
    }
  }
}

Result<void> SimulatedPbx::add_to_bridge(BridgeId bridge, ChannelId channel) {
  if (!bridges_.contains(bridge)) {
    ++counters_.refused_commands;
    return Error{Errc::not_found, "no bridge " + dialer::to_string(bridge)};
  }
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.ending) {
    ++counters_.refused_commands;
    return Error{Errc::not_found, "no channel " + dialer::to_string(channel)};
  }
  if (!it->second.up) {
    ++counters_.refused_commands;
    return Error{Errc::invalid_transition,
                 "channel " + dialer::to_string(channel) + " is not answered"};
  }
  join(it->second, channel, bridge);
  return ok();
}

Result<void> SimulatedPbx::destroy_bridge(BridgeId bridge) {
  auto b = bridges_.find(bridge);
  if (b == bridges_.end()) return ok();
  for (ChannelId m : b->second.members) {
    if (auto c = channels_.find(m); c != channels_.end()) c->second.bridge = BridgeId{};
  }
  bridges_.erase(b);
  return ok();
}

Result<void> SimulatedPbx::play(ChannelId channel, std::string_view media) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.ending) {
    ++counters_.refused_commands;
    return Error{Errc::not_found, "no channel " + dialer::to_string(channel)};
  }
  if (media.empty()) return Error{Errc::invalid_argument, "play without media"};
  ++counters_.playbacks;
  const Channel& c = it->second;
  if (c.leg == Leg::customer && c.live && !c.connected) {
    longest_unconnected_wait_s_ = std::max(
        longest_unconnected_wait_s_,
        std::chrono::duration<double>(clock_.steady_now() - c.answered_at).count());
  }
  if (played_.size() < 1000) played_.emplace_back(media);
  schedule(after(clock_.steady_now(), options_.playback_s), channel, PlaybackFinished{channel});
  return ok();
}

Result<void> SimulatedPbx::customer_hangs_up(CallId call, SteadyTime at) {
  auto it = customer_of_.find(call);
  if (it == customer_of_.end()) {
    return Error{Errc::not_found, "no customer leg for call " + dialer::to_string(call)};
  }
  const ChannelId ch = it->second;
  const Channel& c = channels_.at(ch);
  if (c.ending) return ok();
  schedule(std::max(at, clock_.steady_now()), ch,
           ChannelHungUp{ch, q850::normal_clearing, DialStatus::answer});
  return ok();
}

std::optional<SteadyTime> SimulatedPbx::next_deadline() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

void SimulatedPbx::finish(ChannelId id, Channel& c, SteadyTime at, bool far_end) {
  if (c.leg == Leg::customer) {
    if (c.connected) {
      talk_done_s_ += std::chrono::duration<double>(at - c.connected_at).count();
      if (far_end) ++counters_.customer_hangups;
    } else if (c.live) {
      ++counters_.abandoned;
      abandoned_times_.push_back(seconds_at(c.answered_at));
    }
    if (auto call = customer_of_.find(c.call); call != customer_of_.end() && call->second == id) {
      customer_of_.erase(call);
    }
  }
  leave(c, id);
  live_pending_.erase(id);
  channels_.erase(id);
}

bool SimulatedPbx::applies(const Queued& q) {
  auto it = channels_.find(q.channel);
  if (it == channels_.end() || it->second.epoch != q.epoch) return false;
  Channel& c = it->second;
  if (const auto* answered = std::get_if<ChannelAnswered>(&q.event)) {
    c.up = true;
    c.answered_at = q.at;
    if (c.leg == Leg::customer) {
      if (answered->machine) {
        ++counters_.machines;
      } else {
        c.live = true;
        ++counters_.live_answered;
        answer_times_.push_back(seconds_at(q.at));
      }
    }
  } else if (const auto* ended = std::get_if<ChannelHungUp>(&q.event)) {
    if (c.leg == Leg::customer && !c.up) {
      if (ended->dial_status == DialStatus::noanswer) ++counters_.no_answer;
      if (ended->dial_status == DialStatus::busy || ended->dial_status == DialStatus::congestion) {
        ++counters_.fast_failed;
      }
    }
    finish(q.channel, c, q.at, !c.ending);
  }
  return true;
}

std::optional<CallEvent> SimulatedPbx::pop_due(SteadyTime now) {
  while (!queue_.empty() && queue_.top().at <= now) {
    const std::uint32_t slot = queue_.top().slot;
    queue_.pop();
    Queued q = std::move(slots_[slot]);
    free_slots_.push_back(slot);
    if (applies(q)) return std::move(q.event);
  }
  return std::nullopt;
}

std::size_t SimulatedPbx::deliver_due(Engine& engine) {
  std::size_t n = 0;
  while (auto e = pop_due(clock_.steady_now())) {
    engine.on_call_event(*e);
    ++n;
  }
  return n;
}

std::optional<Attempt> SimulatedPbx::attempt_of(CallId call) const {
  auto it = customer_of_.find(call);
  if (it == customer_of_.end()) return std::nullopt;
  return channels_.at(it->second).attempt;
}

std::vector<double> SimulatedPbx::pending_live_answers() const {
  std::vector<double> out;
  out.reserve(live_pending_.size());
  for (ChannelId id : live_pending_) {
    const Channel& c = channels_.at(id);
    // Answered and waiting: since its answer; still ringing: its drawn answer.
    out.push_back(c.up ? seconds_at(c.answered_at) : c.live_at_s);
  }
  return out;
}

double SimulatedPbx::talk_seconds(SteadyTime until) const {
  double total = talk_done_s_;
  for (const auto& [id, c] : channels_) {
    if (c.leg == Leg::customer && c.connected && until > c.connected_at) {
      total += std::chrono::duration<double>(until - c.connected_at).count();
    }
  }
  return total;
}

}  // namespace dialer::sim
