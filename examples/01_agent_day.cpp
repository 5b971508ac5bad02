// An agent's day on virtual time: log in, dial a lead, talk, hang up, leave a
// disposition, take a break, a number the compliance gate refuses, and a busy
// number. A tiny scripted
// telephone network answers the engine's commands the way Asterisk would,
// a few seconds later. Every command the engine issues and every event it
// publishes is printed.
//
//   $ ./01_agent_day
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dialer/dialer.hpp"
#include "dialer/lead_import.hpp"
#include "dialer/testing/manual_clock.hpp"
#include "dialer/testing/memory_store.hpp"

using namespace dialer;
using namespace std::chrono_literals;

namespace {

std::string clock_text(WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// A telephone network in miniature: it remembers what each channel will do and
// delivers the events when their time comes. Numbers ending in 5 are busy,
// everyone else answers after 6 s; agents answer at once.
class TinyNetwork final : public CallControl {
 public:
  explicit TinyNetwork(const Clock& clock) : clock_(clock) {}

  Result<void> originate(const OriginateRequest& r) override {
    say("originate " + r.endpoint + " (" + to_string(r.leg) + " leg)");
    const SteadyTime now = clock_.steady_now();
    if (r.leg == Leg::agent) {
      schedule(now + 1s, ChannelAnswered{r.channel});
    } else if (r.endpoint.find("5@") != std::string::npos) {
      schedule(now + 2s, ChannelRinging{r.channel});
      schedule(now + 4s, ChannelHungUp{r.channel, q850::user_busy, DialStatus::busy});
    } else {
      schedule(now + 2s, ChannelRinging{r.channel});
      schedule(now + 6s, ChannelAnswered{r.channel});
    }
    return ok();
  }
  Result<void> answer(ChannelId) override { return ok(); }
  Result<void> hang_up(ChannelId channel, int) override {
    say("hang up channel " + to_string(channel));
    schedule(clock_.steady_now(), ChannelHungUp{channel, q850::normal_clearing, DialStatus::answer});
    return ok();
  }
  Result<void> create_bridge(BridgeId bridge) override {
    say("create bridge " + to_string(bridge));
    return ok();
  }
  Result<void> add_to_bridge(BridgeId bridge, ChannelId channel) override {
    say("add channel " + to_string(channel) + " to bridge " + to_string(bridge));
    return ok();
  }
  Result<void> destroy_bridge(BridgeId bridge) override {
    say("destroy bridge " + to_string(bridge));
    return ok();
  }
  Result<void> play(ChannelId, std::string_view) override { return ok(); }

  /// Delivers every event due by now to the engine, in time order.
  void deliver(Engine& engine) {
    while (!pending_.empty() && pending_.begin()->first.first <= clock_.steady_now()) {
      const CallEvent event = pending_.begin()->second;
      pending_.erase(pending_.begin());
      engine.on_call_event(event);
    }
  }
  std::optional<SteadyTime> next_event() const {
    if (pending_.empty()) return std::nullopt;
    return pending_.begin()->first.first;
  }

 private:
  void say(const std::string& what) const {
    std::printf("%s   pbx   <- %s\n", clock_text(clock_.wall_now()).c_str(), what.c_str());
  }
  void schedule(SteadyTime at, CallEvent e) { pending_.emplace(std::make_pair(at, ++seq_), e); }

  const Clock& clock_;
  std::map<std::pair<SteadyTime, int>, CallEvent> pending_;
  int seq_ = 0;
};

// Prints what an agent's panel would be told.
class PrintingSink final : public EventSink {
 public:
  explicit PrintingSink(const Clock& clock) : clock_(clock) {}
  void publish(const Event& event) noexcept override {
    const std::string at = clock_text(clock_.wall_now());
    if (const auto* s = std::get_if<StatusUpdate>(&event)) {
      std::printf("%s   panel -> agent %s is %s (was %s, by %s)\n", at.c_str(),
                  to_string(s->agent).c_str(), to_string(s->status).c_str(),
                  to_string(s->previous).c_str(), to_string(s->reason));
    } else if (const auto* c = std::get_if<CallUpdate>(&event)) {
      std::printf("%s   panel -> call %s %s%s%s\n", at.c_str(), to_string(c->call).c_str(),
                  to_string(c->state), c->outcome == CallOutcome::none ? "" : ", outcome ",
                  c->outcome == CallOutcome::none ? "" : to_string(c->outcome));
    } else if (const auto* p = std::get_if<LeadPop>(&event)) {
      std::printf("%s   panel -> lead card: %s %s (%s), prefix %s, script \"%s\"\n", at.c_str(),
                  p->lead ? std::string(p->lead->field("first_name")).c_str() : "(no lead)",
                  p->lead ? std::string(p->lead->field("last_name")).c_str() : "",
                  p->number.c_str(), p->dial_prefix.c_str(), p->script.c_str());
    } else if (const auto* a = std::get_if<Alarm>(&event)) {
      std::printf("%s   ALARM  %s: %s\n", at.c_str(), a->what.c_str(), a->error.message().c_str());
    }
  }

 private:
  const Clock& clock_;
};

struct World {
  testing::ManualClock clock;
  TinyNetwork network{clock};
  testing::MemoryStore store;
  PrintingSink sink{clock};
  Engine engine{EnginePorts{clock, network, store, store, sink}, options()};

  // Typed numbers need a time zone for the calling-hours rule: the US has
  // several, so area codes are mapped (libphonenumber's map_data.txt format).
  static EngineOptions options() {
    EngineOptions o;
    o.number_time_zones = std::make_shared<NumberTimeZoneMap>(
        NumberTimeZoneMap::parse("1212|America/New_York\n1415|America/Los_Angeles\n").value());
    return o;
  }

  // Runs the world for `d`: network events and engine timers, in time order.
  void run_for(std::chrono::seconds d) {
    const SteadyTime until = clock.steady_now() + d;
    for (;;) {
      std::optional<SteadyTime> next = network.next_event();
      if (auto t = engine.next_deadline(); t && (!next || *t < *next)) next = t;
      if (!next || *next > until) break;
      if (*next > clock.steady_now()) clock.advance_to(*next);
      network.deliver(engine);
      engine.on_timer();
    }
    clock.advance_to(until);
  }

  static Result<void> done(const Result<CallId>& r) {
    if (r) return ok();
    return r.error();
  }

  void command(const char* what, const Result<void>& r) {
    std::printf("%s   agent:  %s%s%s\n", clock_text(clock.wall_now()).c_str(), what,
                r ? "" : " -> refused: ", r ? "" : r.error().message().c_str());
  }
};

}  // namespace

int main() {
  World w;
  const CarrierId trunk{1};
  const CampaignId sales{1};
  const AgentId alice{1};

  w.engine.save_carrier({trunk, "trunk-a", "9", "PJSIP/{dial}@trunk-a", NumberFormat::e164}).value();
  Campaign campaign;
  campaign.id = sales;
  campaign.name = "Spring sales";
  campaign.carrier = trunk;
  campaign.script = "Hi {first_name}! I'm calling from Acme about your order.";
  w.engine.save_campaign(campaign).value();
  w.engine.save_agent({alice, "alice", "Alice", "PJSIP/agent100"}).value();
  w.store.add_lead({LeadId{1}, sales, normalize_number("(415) 555-0100", {}).value(),
                    "America/Los_Angeles", {{"first_name", "Ann"}, {"last_name", "Lee"}}})
      .value();

  std::puts("-- Alice logs in and dials Ann");
  w.command("log in", w.engine.log_in(alice, sales));
  w.command("dial lead 1", World::done(w.engine.dial_lead(alice, LeadId{1})));
  w.run_for(40s);

  std::puts("-- Alice hangs up and leaves a disposition");
  w.command("hang up", w.engine.hang_up(alice));
  w.run_for(15s);
  w.command("disposition SALE, then lunch",
            w.engine.submit_disposition(alice, {"SALE", "ordered two", "lunch"}));
  w.command("dial a number while on break",
            World::done(w.engine.dial_number(alice, "2125551230")));

  std::puts("-- Back from lunch: a busy number, and wrap-up left to time out");
  w.run_for(30min);
  w.command("back to available", w.engine.set_available(alice));
  w.command("dial (305) 555-0199, whose time zone nothing tells",
            World::done(w.engine.dial_number(alice, "(305) 555-0199")));
  w.command("dial 9 (212) 555-1235 (prefix typed, dialled once)",
            World::done(w.engine.dial_number(alice, "9 (212) 555-1235")));
  w.run_for(3min);

  std::puts("-- The call log");
  for (const CallRecord& r : w.store.calls()) {
    std::printf("call %s: %s via %s, outcome %s, cause %d (%s), disposition %s%s, notes \"%s\"\n",
                to_string(r.id).c_str(), r.number.c_str(), r.dial_string.c_str(),
                to_string(r.outcome), r.hangup_cause, r.hangup_reason.c_str(),
                r.disposition.c_str(), r.auto_disposition ? " (automatic)" : "", r.notes.c_str());
  }
  return 0;
}
