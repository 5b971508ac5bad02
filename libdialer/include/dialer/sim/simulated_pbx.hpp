// SimulatedPbx: a CallControl that plays the telephone network and the called
// people of a Scenario, on whatever clock it is given (a ManualClock for
// simulations, the real clock for a demo).
//
// Every customer originate is one attempt. The k-th attempt placed gets the
// k-th draw of a stream keyed by the seed (common random numbers): every
// pacing policy faces the same sequence of people, so policies differ only by
// what they do. An attempt is answered live with the scenario's rate at the
// time it is placed, after a lognormal ring; otherwise it fails fast (BUSY or
// CONGESTION), is answered by a machine (ChannelAnswered{machine} once
// detection is done), or rings out (NOANSWER, cause 19) at the scenario's
// timeout or the originate's, whichever is first. Agent legs answer at once.
// Each attempt also carries the conversation it would have with an agent
// (talk, wrap-up, a break afterwards), which the simulated agents use.
//
// Like the engine it never calls back synchronously: events are queued with
// the instant they happen, and the host delivers them (next_deadline() and
// deliver_due()). Commands on channels that are gone succeed and do nothing.
//
// Threading: one thread, the engine's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialer/call_control.hpp"
#include "dialer/clock.hpp"
#include "dialer/sim/scenario.hpp"

namespace dialer {
class Engine;
}

namespace dialer::sim {

enum class AttemptOutcome { live, fast_fail, machine, no_answer };

const char* to_string(AttemptOutcome o) noexcept;

/// What one customer attempt will do, drawn in advance.
struct Attempt {
  /// 0 for the first attempt placed, 1 for the next, ...
  std::uint64_t index = 0;
  /// As drawn, before the originate's timeout is applied (see resolve()).
  AttemptOutcome outcome = AttemptOutcome::no_answer;
  /// Seconds after dialling: the live answer, the fast failure, the machine's
  /// pickup, or the scenario's no-answer timeout.
  double at_s = 0;
  /// A fast failure's dial status and Q.850 cause (BUSY/17 or CONGESTION/34).
  DialStatus fail_status = DialStatus::none;
  int fail_cause = 0;
  /// The conversation, if an agent takes the call.
  double talk_s = 0;
  double wrapup_s = 0;
  /// The agent takes a break after this call's wrap-up, of this length.
  bool break_after = false;
  double break_s = 0;
};

/// What the network reports for an attempt, and when.
struct AttemptTiming {
  /// live, machine (answered), fast_fail or no_answer (ended).
  AttemptOutcome outcome = AttemptOutcome::no_answer;
  /// Seconds after dialling of the answer (live, machine: after detection) or
  /// of the end (fast_fail, no_answer).
  double at_s = 0;
};

/// Applies an originate's timeout to a drawn attempt: a live answer or a
/// machine pickup at or after it becomes a no answer at the timeout.
AttemptTiming resolve(const Attempt& attempt, const Scenario& scenario, double originate_timeout_s);

/// The k-th attempt of the stream of `seed`, placed `placed_at_s` seconds into
/// the day (the live-answer rate depends on it). A pure function.
Attempt draw_attempt(const Scenario& scenario, std::uint64_t seed, std::uint64_t k,
                     double placed_at_s);

struct PbxOptions {
  std::uint64_t seed = 1;
  /// The ChannelRinging of a customer leg comes this long after originate
  /// (or with the outcome, if that is sooner).
  double ringing_after_s = 0.5;
  /// How long a play() lasts before PlaybackFinished (the safe-harbour message).
  double playback_s = 0.0;
};

/// Counts since the start, for metrics and tests.
struct PbxCounters {
  std::uint64_t placed = 0;
  std::uint64_t live_answered = 0;
  std::uint64_t machines = 0;
  std::uint64_t fast_failed = 0;
  std::uint64_t no_answer = 0;
  /// Live-answered customers joined to a bridge that holds an agent leg.
  std::uint64_t connected = 0;
  /// Live-answered customers that ended without ever reaching an agent.
  std::uint64_t abandoned = 0;
  std::uint64_t playbacks = 0;
  std::uint64_t agent_legs = 0;
  /// Customers that ended during their conversation, by their own hang-up.
  std::uint64_t customer_hangups = 0;
  /// Commands refused (unknown bridge, channel not up, ...).
  std::uint64_t refused_commands = 0;
};

class SimulatedPbx final : public CallControl {
 public:
  /// The day starts at clock.steady_now(). Requires: `scenario` is valid and
  /// `clock` outlives this object.
  SimulatedPbx(Scenario scenario, const Clock& clock, PbxOptions options = {});

  Result<void> originate(const OriginateRequest& request) override;
  Result<void> answer(ChannelId channel) override;
  Result<void> hang_up(ChannelId channel, int cause = q850::normal_clearing) override;
  Result<void> create_bridge(BridgeId bridge) override;
  Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) override;
  Result<void> destroy_bridge(BridgeId bridge) override;
  Result<void> play(ChannelId channel, std::string_view media) override;

  // ---- The far end ----

  /// The customer of `call` hangs up at `at` (cause 16), unless the channel
  /// is gone or hung up by the dialer first. Errors: Errc::not_found (no live
  /// customer leg for the call).
  Result<void> customer_hangs_up(CallId call, SteadyTime at);

  // ---- Delivery ----

  /// When the next queued event is due; nullopt when none is queued.
  std::optional<SteadyTime> next_deadline() const;
  /// The next event due at or before `now`, taken off the queue (and applied
  /// to the PBX's own state); nullopt when none is due.
  std::optional<CallEvent> pop_due(SteadyTime now);
  /// Feeds every event due at the clock's time to the engine, including those
  /// the engine's reactions make due at once. Returns how many.
  std::size_t deliver_due(Engine& engine);

  // ---- What the simulation (and the oracle) may know ----

  const Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return options_.seed; }
  /// Seconds since the start of the day.
  double seconds_at(SteadyTime t) const;
  double now_s() const { return seconds_at(clock_.steady_now()); }
  /// The index the next customer originate will get.
  std::uint64_t next_attempt_index() const { return next_attempt_; }
  /// The attempt a call was placed as; nullopt for unknown or finished calls.
  std::optional<Attempt> attempt_of(CallId call) const;
  /// For each live customer not with an agent yet: when it is (or was)
  /// answered, in seconds of the day. Answered ones still waiting count with
  /// their answer time.
  std::vector<double> pending_live_answers() const;
  const PbxCounters& counters() const { return counters_; }
  /// Answer times (seconds of the day) of every live answer, in order, and of
  /// the live answers that were abandoned.
  const std::vector<double>& live_answer_times() const { return answer_times_; }
  const std::vector<double>& abandoned_answer_times() const { return abandoned_times_; }
  /// Talk seconds of finished conversations, and of those still going at
  /// `until` counted up to it.
  double talk_seconds(SteadyTime until) const;
  /// The longest a live-answered customer waited without an agent before a
  /// play() to it (the safe-harbour message) started; 0 when none.
  double longest_wait_before_drop_s() const { return longest_unconnected_wait_s_; }
  /// Channels currently known (not yet ended).
  std::size_t channel_count() const { return channels_.size(); }
  /// Media of every play(), in order (capped at 1000 entries).
  const std::vector<std::string>& played_media() const { return played_; }

 private:
  struct Channel {
    Leg leg = Leg::customer;
    CallId call;
    std::uint32_t epoch = 0;
    bool up = false;
    bool ending = false;
    bool live = false;
    bool connected = false;
    BridgeId bridge;
    SteadyTime placed_at{};
    SteadyTime answered_at{};
    SteadyTime connected_at{};
    double timeout_s = 0;
    /// Seconds of the day of the live answer to come; negative when none.
    double live_at_s = -1;
    Attempt attempt;
  };
  struct Bridge {
    std::vector<ChannelId> members;
  };
  /// An event due at `at` for a channel, unless the channel has moved on to
  /// another epoch (been ended or reused) by then.
  struct Queued {
    SteadyTime at;
    ChannelId channel;
    std::uint32_t epoch;
    CallEvent event;
  };
  /// The heap holds only what orders it and where the event waits: sifting
  /// moves 24 bytes, not an event with its strings.
  struct Due {
    SteadyTime at;
    std::uint64_t seq;
    std::uint32_t slot;
    bool operator>(const Due& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  void schedule(SteadyTime at, ChannelId channel, CallEvent event);
  SteadyTime after(SteadyTime from, double seconds) const;
  void join(Channel& c, ChannelId id, BridgeId bridge);
  void leave(Channel& c, ChannelId id);
  void finish(ChannelId id, Channel& c, SteadyTime at, bool far_end);
  bool applies(const Queued& q);

  Scenario scenario_;
  const Clock& clock_;
  PbxOptions options_;
  SteadyTime start_;
  std::uint64_t next_attempt_ = 0;
  std::uint64_t seq_ = 0;
  std::unordered_map<ChannelId, Channel> channels_;
  std::unordered_map<CallId, ChannelId> customer_of_;
  std::unordered_map<BridgeId, Bridge> bridges_;
  /// Customers answered (or to be answered) live and not with an agent yet:
  /// what pending_live_answers() reads, kept small rather than scanning
  /// every channel.
  std::unordered_set<ChannelId> live_pending_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue_;
  std::vector<Queued> slots_;
  std::vector<std::uint32_t> free_slots_;
  PbxCounters counters_;
  std::vector<double> answer_times_;
  std::vector<double> abandoned_times_;
  double talk_done_s_ = 0;
  double longest_unconnected_wait_s_ = 0;
  std::vector<std::string> played_;
};

}  // namespace dialer::sim
