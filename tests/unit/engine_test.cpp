// The engine's behaviour: agent commands, the call lifecycle, outcomes,
// wrap-up and busy resets on virtual time, screen pops, and what happens when
// a port fails.
#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dialer/dial_prefix.hpp"
#include "engine_fixture.hpp"

using namespace dialer;
using namespace dialer::test;
using namespace std::chrono_literals;

namespace {

std::vector<AgentState> states_of(const std::vector<StatusUpdate>& updates, AgentId agent) {
  std::vector<AgentState> out;
  for (const auto& u : updates) {
    if (u.agent == agent) out.push_back(u.status.state);
  }
  return out;
}

// A text form of every event, to compare two runs.
std::string describe(const Event& e) {
  std::ostringstream out;
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, StatusUpdate>) {
          out << "status " << v.agent.value << " " << to_string(v.status) << " "
              << to_string(v.reason) << " " << v.at.time_since_epoch().count();
        } else if constexpr (std::is_same_v<T, CallUpdate>) {
          out << "call " << v.call.value << " " << to_string(v.state) << " "
              << to_string(v.outcome) << " " << v.at.time_since_epoch().count();
        } else if constexpr (std::is_same_v<T, LeadPop>) {
          out << "pop " << v.call.value << " " << (v.lead ? v.lead->id.value : 0) << " "
              << v.number;
        } else if constexpr (std::is_same_v<T, CampaignChanged>) {
          out << "campaign " << v.campaign.value << " " << to_string(v.dial_mode);
        } else if constexpr (std::is_same_v<T, HopperEmpty>) {
          out << "hopper-empty " << v.campaign.value << " " << v.at.time_since_epoch().count();
        } else {
          out << "alarm " << v.what;
        }
      },
      e);
  return out.str();
}

}  // namespace

TEST_SUITE("engine: agent commands") {
  TEST_CASE("logging in makes the agent available and tells the panel at once") {
    EngineFixture f;
    CHECK(f.state() == AgentState::offline);
    f.log_in();
    CHECK(f.state() == AgentState::available);
    CHECK(f.engine.agent(kAlice)->campaign == kSales);
    const auto updates = f.sink.all<StatusUpdate>();
    REQUIRE(updates.size() == 1);
    CHECK(updates[0].status.state == AgentState::available);
    CHECK(updates[0].previous.state == AgentState::offline);
    CHECK(updates[0].reason == StatusReason::command);
    CHECK(updates[0].at == f.clock.wall_now());
  }

  TEST_CASE("an agent takes a configured break, changes it, comes back, and logs out") {
    EngineFixture f;
    f.log_in();
    REQUIRE(f.engine.take_break(kAlice, "lunch"));
    CHECK(f.status() == AgentStatus{AgentState::on_break, "lunch"});
    REQUIRE(f.engine.take_break(kAlice, "coffee"));
    CHECK(f.status() == AgentStatus{AgentState::on_break, "coffee"});
    REQUIRE(f.engine.set_available(kAlice));
    CHECK(f.state() == AgentState::available);
    REQUIRE(f.engine.log_out(kAlice));
    CHECK(f.state() == AgentState::offline);
    CHECK_FALSE(f.engine.agent(kAlice)->campaign.valid());
    CHECK(f.sink.last_status(kAlice) == AgentStatus{AgentState::offline, ""});
    CHECK(f.sink.all<StatusUpdate>().size() == 5);
  }

  TEST_CASE("every command refused in a state changes nothing and says why") {
    // For each state, the commands the agent table allows there; every other
    // command must come back invalid_transition with no effect at all.
    using Command = std::function<Result<void>(EngineFixture&)>;
    struct Named {
      const char* name;
      Command run;
    };
    const std::vector<Named> commands = {
        {"log_in", [](EngineFixture& f) { return f.engine.log_in(kAlice, kSales); }},
        {"log_out", [](EngineFixture& f) { return f.engine.log_out(kAlice); }},
        {"set_available", [](EngineFixture& f) { return f.engine.set_available(kAlice); }},
        {"take_break", [](EngineFixture& f) { return f.engine.take_break(kAlice, "training"); }},
        {"dial_number",
         [](EngineFixture& f) -> Result<void> {
           auto r = f.engine.dial_number(kAlice, "2125551230");
           if (!r) return std::move(r).error();
           return ok();
         }},
        {"dial_lead",
         [](EngineFixture& f) -> Result<void> {
           auto r = f.engine.dial_lead(kAlice, kLeadBen);
           if (!r) return std::move(r).error();
           return ok();
         }},
        {"hang_up", [](EngineFixture& f) { return f.engine.hang_up(kAlice); }},
        {"submit_disposition",
         [](EngineFixture& f) { return f.engine.submit_disposition(kAlice, {"SALE", "", ""}); }},
    };
    struct Setup {
      AgentState state;
      std::function<void(EngineFixture&)> reach;
      std::set<std::string> allowed;
    };
    const std::vector<Setup> setups = {
        {AgentState::offline, [](EngineFixture&) {}, {"log_in"}},
        {AgentState::available, [](EngineFixture& f) { f.log_in(); },
         {"log_out", "take_break", "dial_number", "dial_lead"}},
        {AgentState::on_break,
         [](EngineFixture& f) {
           f.log_in();
           REQUIRE(f.engine.take_break(kAlice, "lunch"));
         },
         {"log_out", "set_available", "take_break"}},
        {AgentState::busy, [](EngineFixture& f) { f.call_ann(); }, {"hang_up"}},
        {AgentState::wrapup, [](EngineFixture& f) { f.finished_call(); }, {"submit_disposition"}},
    };
    for (const Setup& setup : setups) {
      for (const Named& command : commands) {
        CAPTURE(to_string(setup.state));
        CAPTURE(command.name);
        EngineFixture f;
        setup.reach(f);
        REQUIRE(f.state() == setup.state);
        const AgentStatus before = f.status();
        const auto events_before = f.sink.events().size();
        const auto commands_before = f.calls.commands().size();
        const auto calls_before = f.store.call_count();
        const Result<void> result = command.run(f);
        if (setup.allowed.contains(command.name)) {
          CHECK(result.has_value());
          continue;
        }
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == Errc::invalid_transition);
        CHECK_FALSE(result.error().detail.empty());
        CHECK(f.status() == before);
        CHECK(f.sink.events().size() == events_before);
        CHECK(f.calls.commands().size() == commands_before);
        CHECK(f.store.call_count() == calls_before);
      }
    }
  }

  TEST_CASE("a refused break type or unknown agent changes nothing") {
    EngineFixture f;
    f.log_in();
    const auto r = f.engine.take_break(kAlice, "nap");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(f.state() == AgentState::available);
    CHECK(f.engine.log_in(AgentId{99}, kSales).error().code == Errc::not_found);
    CHECK(f.engine.log_in(kBob, CampaignId{99}).error().code == Errc::not_found);
    CHECK(f.state(kBob) == AgentState::offline);
    CHECK(f.engine.take_break(kAlice, "lunch"));
    CHECK(f.engine.take_break(kAlice, "lunch").error().code == Errc::invalid_transition);
  }
}

TEST_SUITE("engine: call lifecycle") {
  TEST_CASE("a manual call to a lead goes originating, ringing, answered, bridged, ended, dispositioned") {
    EngineFixture f;
    f.log_in();
    const CallId call = f.engine.dial_lead(kAlice, kLeadAnn).value();

    // Originate to the customer, with the server-side prefix.
    const auto& originate = f.calls.last_originate(Leg::customer);
    CHECK(originate.target == "PJSIP/914155550100@trunk-a");
    CHECK(originate.call == call);
    CHECK(originate.timeout == 30s);
    CHECK(f.state() == AgentState::busy);
    CHECK(f.engine.find_call(call)->state == CallState::originating);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::dialing);

    f.clock.advance(2s);
    f.feed(ChannelRinging{f.customer()});
    CHECK(f.engine.find_call(call)->state == CallState::ringing);

    f.clock.advance(5s);
    f.feed(ChannelAnswered{f.customer()});
    CHECK(f.engine.find_call(call)->state == CallState::answered);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::answered);
    // The customer is held in a new bridge while the agent's phone rings.
    const auto bridges = f.calls.of_kind(CommandKind::create_bridge);
    REQUIRE(bridges.size() == 1);
    const auto adds = f.calls.of_kind(CommandKind::add_to_bridge);
    REQUIRE(adds.size() == 1);
    CHECK(adds[0].channel == f.customer());
    CHECK(f.calls.last_originate(Leg::agent).target == "PJSIP/agent100");

    f.clock.advance(1s);
    f.feed(ChannelAnswered{f.agent_leg()});
    CHECK(f.engine.find_call(call)->state == CallState::bridged);
    CHECK(f.calls.of_kind(CommandKind::add_to_bridge).back().channel == f.agent_leg());

    f.clock.advance(60s);
    f.feed(ChannelHungUp{f.customer(), q850::normal_clearing, DialStatus::answer});
    CHECK(f.state() == AgentState::wrapup);
    CHECK(f.engine.find_call(call)->state == CallState::ended);
    // The agent's leg and the bridge are cleaned up.
    CHECK(f.calls.of_kind(CommandKind::hang_up).back().channel == f.agent_leg());
    CHECK(f.calls.of_kind(CommandKind::destroy_bridge).back().bridge == bridges[0].bridge);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::completed);

    f.clock.advance(20s);
    REQUIRE(f.engine.submit_disposition(kAlice, {"SALE", "wants the blue one", "lunch"}));
    CHECK(f.status() == AgentStatus{AgentState::on_break, "lunch"});
    CHECK(f.engine.find_call(call) == nullptr);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::completed);

    const CallRecord row = f.store.call(call).value();
    CHECK(row.state == CallState::dispositioned);
    CHECK(row.outcome == CallOutcome::completed);
    CHECK(row.lead == kLeadAnn);
    CHECK(row.campaign == kSales);
    CHECK(row.agent == kAlice);
    CHECK(row.carrier == kTrunk);
    CHECK(row.number == "+14155550100");
    CHECK(row.dialled == "914155550100");
    CHECK(row.dial_string == "PJSIP/914155550100@trunk-a");
    CHECK(row.disposition == "SALE");
    CHECK(row.notes == "wants the blue one");
    CHECK_FALSE(row.auto_disposition);
    CHECK(row.hangup_cause == 16);
    CHECK(row.hangup_reason == "Normal Clearing");
    CHECK(row.hung_up_by == HangupSide::customer);
    CHECK(row.ringing_at - row.created_at == 2s);
    CHECK(row.answered_at - row.created_at == 7s);
    CHECK(row.bridged_at - row.created_at == 8s);
    CHECK(row.ended_at - row.created_at == 68s);
    CHECK(row.dispositioned_at - row.created_at == 88s);

    CHECK(states_of(f.sink.all<StatusUpdate>(), kAlice) ==
          std::vector<AgentState>{AgentState::available, AgentState::busy, AgentState::wrapup,
                                  AgentState::on_break});
    std::vector<CallState> call_states;
    for (const auto& u : f.sink.all<CallUpdate>()) call_states.push_back(u.state);
    CHECK(call_states == std::vector<CallState>{CallState::originating, CallState::ringing,
                                                CallState::answered, CallState::bridged,
                                                CallState::ended, CallState::dispositioned});
  }

  TEST_CASE("the agent's hangup ends both legs and destroys the bridge") {
    EngineFixture f;
    const CallId call = f.call_ann();
    const ChannelId customer = f.customer();
    const ChannelId agent_leg = f.agent_leg();
    REQUIRE(f.engine.hang_up(kAlice));
    std::set<ChannelId> hung_up;
    for (const auto& c : f.calls.of_kind(CommandKind::hang_up)) hung_up.insert(c.channel);
    CHECK(hung_up == std::set<ChannelId>{customer, agent_leg});
    // Still busy until the telephony confirms the customer is gone.
    CHECK(f.state() == AgentState::busy);
    f.feed(ChannelHungUp{agent_leg, q850::normal_clearing, DialStatus::none});
    f.feed(ChannelHungUp{customer, q850::normal_clearing, DialStatus::answer});
    CHECK(f.state() == AgentState::wrapup);
    CHECK(f.calls.of_kind(CommandKind::destroy_bridge).size() == 1);
    const CallRecord row = f.store.call(call).value();
    CHECK(row.outcome == CallOutcome::completed);
    CHECK(row.hung_up_by == HangupSide::agent);
  }

  TEST_CASE("the agent's phone hanging up ends the customer's leg too") {
    EngineFixture f;
    const CallId call = f.call_ann();
    f.feed(ChannelHungUp{f.agent_leg(), q850::normal_clearing, DialStatus::none});
    CHECK(f.calls.of_kind(CommandKind::hang_up).back().channel == f.customer());
    f.feed(ChannelHungUp{f.customer(), q850::normal_clearing, DialStatus::answer});
    CHECK(f.state() == AgentState::wrapup);
    CHECK(f.store.call(call)->hung_up_by == HangupSide::agent);
  }

  TEST_CASE("hanging up while it rings cancels the call and the lead goes back to pending") {
    EngineFixture f;
    const CallId call = f.call_ann(CallState::ringing);
    REQUIRE(f.engine.hang_up(kAlice));
    f.feed(ChannelHungUp{f.customer(), q850::normal_clearing, DialStatus::noanswer});
    CHECK(f.state() == AgentState::wrapup);
    CHECK(f.store.call(call)->outcome == CallOutcome::cancelled);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::pending);
    CHECK(f.calls.of_kind(CommandKind::create_bridge).empty());
  }

  TEST_CASE("unanswered outcomes land in the call log, the queue, and put the agent in wrap-up") {
    struct Row {
      const char* name;
      int cause;
      DialStatus status;
      CallOutcome outcome;
      QueueStatus queue;
    };
    const Row rows[] = {
        {"busy", q850::user_busy, DialStatus::busy, CallOutcome::busy, QueueStatus::busy},
        {"busy in band", q850::unknown, DialStatus::busy, CallOutcome::busy, QueueStatus::busy},
        {"no answer at the originate timeout", q850::no_answer, DialStatus::none,
         CallOutcome::no_answer, QueueStatus::no_answer},
        {"congestion", q850::no_circuit_available, DialStatus::congestion, CallOutcome::failed,
         QueueStatus::failed},
        {"unallocated number", q850::unallocated_number, DialStatus::noanswer,
         CallOutcome::invalid_number, QueueStatus::invalid_number},
    };
    for (const Row& r : rows) {
      CAPTURE(r.name);
      EngineFixture f;
      f.log_in();
      const CallId call = f.engine.dial_lead(kAlice, kLeadAnn).value();
      f.feed(ChannelRinging{f.customer()});
      f.feed(ChannelHungUp{f.customer(), r.cause, r.status});
      CHECK(f.state() == AgentState::wrapup);
      const CallRecord row = f.store.call(call).value();
      CHECK(row.outcome == r.outcome);
      CHECK(row.hangup_cause == r.cause);
      CHECK(f.store.queue_status(kLeadAnn) == r.queue);
      CHECK(f.calls.of_kind(CommandKind::create_bridge).empty());
      REQUIRE(f.engine.submit_disposition(kAlice, {"B", "", ""}));
      CHECK(f.state() == AgentState::available);
      // A disposition does not turn a failed attempt into a completed one.
      CHECK(f.store.queue_status(kLeadAnn) == r.queue);
    }
  }

  TEST_CASE("an answered call whose agent never picks up is dropped") {
    EngineFixture f;
    const CallId call = f.call_ann(CallState::answered);
    f.feed(ChannelHungUp{f.agent_leg(), q850::no_answer, DialStatus::noanswer});
    CHECK(f.calls.of_kind(CommandKind::hang_up).back().channel == f.customer());
    f.feed(ChannelHungUp{f.customer(), q850::normal_clearing, DialStatus::answer});
    const CallRecord row = f.store.call(call).value();
    CHECK(row.outcome == CallOutcome::dropped);
    CHECK(row.hung_up_by == HangupSide::dialer);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::dropped);
    CHECK(f.state() == AgentState::wrapup);
  }

  TEST_CASE("an originate that fails after it was accepted ends the call as failed") {
    EngineFixture f;
    f.log_in();
    const CallId call = f.engine.dial_lead(kAlice, kLeadAnn).value();
    f.feed(OriginateFailed{f.customer(), Error{Errc::unavailable, "HTTP 500 Allocation failed"}});
    CHECK(f.state() == AgentState::wrapup);
    const CallRecord row = f.store.call(call).value();
    CHECK(row.outcome == CallOutcome::failed);
    CHECK(row.hangup_reason.find("Allocation failed") != std::string::npos);
  }

  TEST_CASE("events for unknown or finished channels are counted and change nothing") {
    EngineFixture f;
    f.finished_call();
    const auto events_before = f.sink.events().size();
    f.feed(ChannelHungUp{f.customer(), 16, DialStatus::none});  // a duplicate
    f.feed(ChannelRinging{ChannelId{4242}});
    f.feed(ChannelAnswered{ChannelId{4243}});
    CHECK(f.engine.ignored_event_count() == 3);
    CHECK(f.sink.events().size() == events_before);
    CHECK(f.state() == AgentState::wrapup);
  }

  TEST_CASE("a second agent's call is independent of the first") {
    EngineFixture f;
    f.call_ann();
    REQUIRE(f.engine.log_in(kBob, kSales));
    const CallId bob_call = f.engine.dial_lead(kBob, kLeadBen).value();
    CHECK(f.calls.last_originate(Leg::customer).target == "PJSIP/912125551230@trunk-a");
    CHECK(f.engine.live_call_count() == 2);
    CHECK(f.engine.agent(kBob)->call == bob_call);
    CHECK(f.state() == AgentState::busy);
  }
}

TEST_SUITE("engine: dispositions") {
  TEST_CASE("a disposition with notes is persisted and the next status is honoured") {
    EngineFixture f;
    const CallId call = f.finished_call();
    REQUIRE(f.engine.submit_disposition(kAlice, {"CALLBK", "call after 5pm; ask for \"Ann\"", ""}));
    CHECK(f.state() == AgentState::available);
    CHECK(f.store.call(call)->disposition == "CALLBK");
    CHECK(f.store.call(call)->notes == "call after 5pm; ask for \"Ann\"");
  }

  TEST_CASE("a bad disposition is refused and the agent stays in wrap-up") {
    EngineFixture f;
    const CallId call = f.finished_call();
    const auto events_before = f.sink.events().size();
    CHECK(f.engine.submit_disposition(kAlice, {"XYZ", "", ""}).error().code ==
          Errc::invalid_argument);
    CHECK(f.engine.submit_disposition(kAlice, {"SALE", "", "nap"}).error().code ==
          Errc::invalid_argument);
    CHECK(f.engine.submit_disposition(kAlice, {"SALE", std::string(kMaxDispositionNotes + 1, 'x'),
                                               ""})
              .error()
              .code == Errc::invalid_argument);
    CHECK(f.state() == AgentState::wrapup);
    CHECK(f.sink.events().size() == events_before);
    CHECK(f.store.call(call)->disposition.empty());
  }
}

TEST_SUITE("engine: timers") {
  TEST_CASE("wrap-up ends after the campaign's default 120 s with an automatic disposition") {
    EngineFixture f;
    const CallId call = f.finished_call();
    f.advance(119s);
    CHECK(f.state() == AgentState::wrapup);
    f.advance(1s);
    CHECK(f.state() == AgentState::available);
    const CallRecord row = f.store.call(call).value();
    CHECK(row.disposition == "TIMEOUT");
    CHECK(row.auto_disposition);
    CHECK(row.dispositioned_at - row.ended_at == 120s);
    const auto updates = f.sink.all<StatusUpdate>();
    CHECK(updates.back().reason == StatusReason::wrapup_timeout);
  }

  TEST_CASE("wrap-up honours a campaign's own timeout and its after-timeout break") {
    EngineFixture f;
    Campaign c = sales_campaign();
    c.wrapup_timeout = 45s;
    c.break_after_wrapup_timeout = "training";
    REQUIRE(f.engine.save_campaign(c));
    f.finished_call();
    f.advance(44s);
    CHECK(f.state() == AgentState::wrapup);
    f.advance(1s);
    CHECK(f.status() == AgentStatus{AgentState::on_break, "training"});
  }

  TEST_CASE("wrap-up lasts 5 minutes where the campaign sets no timeout") {
    EngineFixture f;
    Campaign c = sales_campaign();
    c.wrapup_timeout = std::nullopt;
    REQUIRE(f.engine.save_campaign(c));
    f.finished_call();
    f.advance(299s);
    CHECK(f.state() == AgentState::wrapup);
    f.advance(1s);
    CHECK(f.state() == AgentState::available);
  }

  TEST_CASE("a disposition before the timeout cancels it") {
    EngineFixture f;
    const CallId call = f.finished_call();
    f.advance(60s);
    REQUIRE(f.engine.submit_disposition(kAlice, {"NI", "", ""}));
    // A second call goes to wrap-up 30 s later; the first call's timer must
    // not cut the second wrap-up short.
    REQUIRE(f.engine.dial_lead(kAlice, kLeadBen));
    f.feed(ChannelHungUp{f.customer(), q850::user_busy, DialStatus::busy});
    f.advance(61s);
    CHECK(f.state() == AgentState::wrapup);
    CHECK(f.store.call(call)->disposition == "NI");
    f.advance(59s);
    CHECK(f.state() == AgentState::available);
  }

  TEST_CASE("busy with a call that never progresses resets after 10 minutes") {
    EngineFixture f;
    f.log_in();
    const CallId call = f.engine.dial_lead(kAlice, kLeadAnn).value();
    // No telephony event ever arrives.
    f.advance(9min + 59s);
    CHECK(f.state() == AgentState::busy);
    f.advance(1s);
    CHECK(f.state() == AgentState::available);
    CHECK(f.sink.all<StatusUpdate>().back().reason == StatusReason::busy_reset);
    const CallRecord row = f.store.call(call).value();
    CHECK(row.outcome == CallOutcome::lost);
    CHECK(row.disposition == "RESET");
    CHECK(f.calls.of_kind(CommandKind::hang_up).back().channel == f.customer());
    // The lead is rescheduled, not lost.
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::pending);
    CHECK(f.engine.live_call_count() == 0);
    // A late hangup for the reset call is ignored.
    f.feed(ChannelHungUp{f.customer(), 16, DialStatus::none});
    CHECK(f.state() == AgentState::available);
  }

  TEST_CASE("busy with a hangup that is never confirmed resets after 10 minutes") {
    EngineFixture f;
    f.call_ann();
    f.advance(3min);
    REQUIRE(f.engine.hang_up(kAlice));
    f.advance(7min);
    CHECK(f.state() == AgentState::available);
  }

  TEST_CASE("a long conversation is not reset") {
    EngineFixture f;
    const CallId call = f.call_ann();
    f.advance(25min);
    CHECK(f.state() == AgentState::busy);
    CHECK(f.engine.find_call(call)->state == CallState::bridged);
    f.feed(ChannelHungUp{f.customer(), 16, DialStatus::answer});
    CHECK(f.state() == AgentState::wrapup);
  }

  TEST_CASE("the next deadline is the earliest live timer") {
    EngineFixture f;
    CHECK_FALSE(f.engine.next_deadline());
    f.log_in();
    REQUIRE(f.engine.dial_lead(kAlice, kLeadAnn));
    CHECK(f.engine.next_deadline() == f.clock.steady_now() + kBusyResetAfter);
  }
}

TEST_SUITE("engine: screen pop") {
  TEST_CASE("dialling a lead pops that lead with the campaign's script") {
    EngineFixture f;
    f.log_in();
    const CallId call = f.engine.dial_lead(kAlice, kLeadAnn).value();
    const auto pops = f.sink.all<LeadPop>();
    REQUIRE(pops.size() == 1);
    CHECK(pops[0].call == call);
    REQUIRE(pops[0].lead);
    CHECK(pops[0].lead->id == kLeadAnn);
    CHECK(pops[0].lead->field("first_name") == "Ann");
    CHECK(pops[0].script == "Hello {first_name}, this is Acme.");
    CHECK(pops[0].dial_prefix == "9");
    CHECK(pops[0].number == "+14155550100");
  }

  TEST_CASE("a typed number pops the lead with the same last 10 digits") {
    EngineFixture f;
    f.log_in();
    const CallId call = f.engine.dial_number(kAlice, "+1 (212) 555-1230").value();
    const auto pops = f.sink.all<LeadPop>();
    REQUIRE(pops.size() == 1);
    REQUIRE(pops[0].lead);
    CHECK(pops[0].lead->id == kLeadBen);
    CHECK(f.store.call(call) == std::nullopt);  // written when the call ends
    CHECK(f.engine.find_call(call)->lead == kLeadBen);
    CHECK(f.store.queue_status(kLeadBen) == QueueStatus::dialing);
  }

  TEST_CASE("a typed number pops a lead added or renumbered after an earlier lookup") {
    // The in-memory store builds its number index at the first lookup by
    // number and keeps it from then on.
    EngineFixture f;
    f.log_in();
    REQUIRE(f.engine.dial_number(kAlice, "901-555-1234"));
    REQUIRE_FALSE(f.sink.all<LeadPop>()[0].lead);
    const LeadId dee{40};
    REQUIRE(f.store.add_lead({dee, kSales, us_number("9015551234"), "America/Chicago", {}}));
    CHECK(f.store.find_lead_by_phone("9015551234", kSales)->id == dee);
    REQUIRE(f.store.add_lead({dee, kSales, us_number("9015550000"), "America/Chicago", {}}));
    CHECK(f.store.find_lead_by_phone("9015551234", kSales).error().code == Errc::not_found);
    CHECK(f.store.find_lead_by_phone("9015550000", kSales)->id == dee);
  }

  TEST_CASE("a typed number that matches no lead pops an empty card with the script") {
    EngineFixture f;
    f.log_in();
    REQUIRE(f.engine.dial_number(kAlice, "901-555-1234"));
    const auto pops = f.sink.all<LeadPop>();
    REQUIRE(pops.size() == 1);
    CHECK_FALSE(pops[0].lead);
    CHECK(pops[0].script == "Hello {first_name}, this is Acme.");
  }

  TEST_CASE("the last-10-digit match prefers the agent's own campaign") {
    EngineFixture f;
    REQUIRE(f.store.add_lead({LeadId{10}, kRenewals, us_number("4155550100"), "", {}}));
    f.log_in();
    REQUIRE(f.engine.dial_number(kAlice, "4155550100"));
    CHECK(f.sink.all<LeadPop>()[0].lead->id == kLeadAnn);
  }

  TEST_CASE("a lead of another campaign cannot be dialled") {
    EngineFixture f;
    f.log_in();
    CHECK(f.engine.dial_lead(kAlice, kLeadOtherCampaign).error().code == Errc::invalid_argument);
    CHECK(f.engine.dial_lead(kAlice, LeadId{77}).error().code == Errc::not_found);
    CHECK(f.state() == AgentState::available);
  }
}

TEST_SUITE("engine: dial-prefix policy") {
  TEST_CASE("a typed number with the route's prefix in front is not dialled with it twice") {
    EngineFixture f;
    f.log_in();
    REQUIRE(f.engine.dial_number(kAlice, "9 415 555 0100"));
    CHECK(f.calls.last_originate(Leg::customer).target == "PJSIP/914155550100@trunk-a");
  }

  TEST_CASE("a typed number with another carrier's prefix is refused and nothing happens") {
    EngineFixture f;
    f.log_in();
    const auto r = f.engine.dial_number(kAlice, "8 415 555 0100");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::other_carrier_prefix);
    CHECK(is_policy_refusal(r.error().code));
    CHECK(f.state() == AgentState::available);
    CHECK(f.calls.commands().empty());
  }

  TEST_CASE("injection through a typed number is refused") {
    EngineFixture f;
    f.log_in();
    for (const char* typed : {"123&Local/999@other", "4155550100@other", "sip:4155550100@x"}) {
      CAPTURE(typed);
      const auto r = f.engine.dial_number(kAlice, typed);
      REQUIRE_FALSE(r);
      CHECK(is_policy_refusal(r.error().code));
    }
    CHECK(f.calls.commands().empty());
  }

  TEST_CASE("manual dialling is refused where the campaign does not allow it") {
    EngineFixture f;
    Campaign c = sales_campaign();
    c.manual_dial_allowed = false;
    REQUIRE(f.engine.save_campaign(c));
    f.log_in();
    CHECK(f.engine.dial_number(kAlice, "4155550100").error().code == Errc::refused_by_policy);
    CHECK(f.engine.dial_lead(kAlice, kLeadAnn).error().code == Errc::refused_by_policy);
    CHECK(f.state() == AgentState::available);
  }

  TEST_CASE("configuration that breaks a prefix rule is refused when it is saved") {
    EngineFixture f;
    Campaign c = sales_campaign();
    c.dial_prefix = "8";  // trunk-a's prefix is 9
    CHECK(f.engine.save_campaign(c).error().code == DialRule::campaign_prefix_mismatch);
    c.dial_prefix = "9";
    REQUIRE(f.engine.save_campaign(c));
    // Now trunk-a may not change its prefix under the campaign.
    CHECK(f.engine.save_carrier({kTrunk, "trunk-a", "7", "PJSIP/{dial}@trunk-a", NumberFormat::e164})
              .error()
              .code == DialRule::campaign_prefix_mismatch);
    CHECK(f.engine.find_carrier(kTrunk)->dial_prefix == "9");
    CHECK(f.engine.save_carrier({CarrierId{3}, "trunk-c", "91", "PJSIP/{dial}@c", NumberFormat::e164})
              .error()
              .code == DialRule::carrier_prefix_overlap);
    c.carrier = CarrierId{42};
    CHECK(f.engine.save_campaign(c).error().code == DialRule::unknown_carrier);
    CHECK(f.engine.find_campaign(kSales)->carrier == kTrunk);
  }

  TEST_CASE("bad agents and campaigns are refused when saved") {
    EngineFixture f;
    CHECK(f.engine.save_agent({AgentId{9}, "eve", "Eve", "PJSIP/100&Local/evil"}).error().code ==
          Errc::invalid_argument);
    CHECK(f.engine.save_agent({AgentId{9}, "eve", "Eve", "agent100"}).error().code ==
          Errc::invalid_argument);
    CHECK(f.engine.save_agent({AgentId{9}, "alice", "Eve", "PJSIP/x"}).error().code ==
          Errc::conflict);
    CHECK(f.engine.find_agent(AgentId{9}) == nullptr);
    Campaign c = sales_campaign();
    c.id = CampaignId{9};
    CHECK(f.engine.save_campaign(c).error().code == Errc::conflict);  // name taken
    c.name = "Other";
    c.break_after_wrapup_timeout = "nap";
    CHECK(f.engine.save_campaign(c).error().code == Errc::invalid_argument);
    CHECK(f.engine.find_campaign(CampaignId{9}) == nullptr);
  }
}

TEST_SUITE("engine: failing ports") {
  TEST_CASE("an originate the telephony refuses leaves the agent available and logs the attempt") {
    EngineFixture f;
    f.log_in();
    f.calls.fail_nth(CommandKind::originate, 1, Error{Errc::unavailable, "ARI event stream down"});
    const auto r = f.engine.dial_lead(kAlice, kLeadAnn);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::unavailable);
    CHECK(f.state() == AgentState::available);
    CHECK(f.store.queue_status(kLeadAnn) == QueueStatus::pending);
    REQUIRE(f.store.call_count() == 1);
    const CallRecord row = f.store.calls()[0];
    CHECK(row.outcome == CallOutcome::failed);
    CHECK(row.hangup_reason.find("ARI event stream down") != std::string::npos);
    CHECK(f.engine.live_call_count() == 0);
    // The next attempt works.
    CHECK(f.engine.dial_lead(kAlice, kLeadAnn));
  }

  TEST_CASE("each bridging step that fails drops the customer and raises an alarm") {
    for (CommandKind kind : {CommandKind::create_bridge, CommandKind::add_to_bridge}) {
      CAPTURE(testing::to_string(kind));
      EngineFixture f;
      f.calls.fail_nth(kind, 1, Error{Errc::unavailable, "Asterisk went away"});
      const CallId call = f.call_ann(CallState::answered);
      CHECK(f.sink.all<Alarm>().size() == 1);
      CHECK(f.calls.of_kind(CommandKind::hang_up).back().channel == f.customer());
      f.feed(ChannelHungUp{f.customer(), 16, DialStatus::answer});
      CHECK(f.store.call(call)->outcome == CallOutcome::dropped);
      CHECK(f.state() == AgentState::wrapup);
    }
  }

  TEST_CASE("the agent leg's originate failing drops the customer") {
    EngineFixture f;
    f.log_in();
    const CallId call = f.engine.dial_lead(kAlice, kLeadAnn).value();
    f.calls.fail_nth(CommandKind::originate, 1, Error{Errc::unavailable, "down"});
    f.feed(ChannelAnswered{f.customer()});
    CHECK(f.calls.of_kind(CommandKind::hang_up).back().channel == f.customer());
    f.feed(ChannelHungUp{f.customer(), 16, DialStatus::answer});
    CHECK(f.store.call(call)->outcome == CallOutcome::dropped);
    // The bridge created for the customer is destroyed.
    CHECK(f.calls.of_kind(CommandKind::destroy_bridge).size() == 1);
  }

  TEST_CASE("a call-log write that fails raises an alarm and the engine goes on") {
    EngineFixture f;
    f.store.fail_nth(testing::StoreOp::save_call, 1, Error{Errc::storage_error, "disk full"});
    f.finished_call();
    const auto alarms = f.sink.all<Alarm>();
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].error.code == Errc::storage_error);
    CHECK(f.state() == AgentState::wrapup);
    REQUIRE(f.engine.submit_disposition(kAlice, {"SALE", "", ""}));
    CHECK(f.store.call_count() == 1);  // the disposition's write carried the whole row
  }

  TEST_CASE("a lead lookup that fails on a typed number still dials, without a lead") {
    EngineFixture f;
    f.log_in();
    f.store.fail_nth(testing::StoreOp::find_lead_by_phone, 1, Error{Errc::storage_error, "locked"});
    REQUIRE(f.engine.dial_number(kAlice, "4155550100"));
    CHECK(f.sink.all<Alarm>().size() == 1);
    CHECK_FALSE(f.sink.all<LeadPop>()[0].lead);
  }
}

TEST_SUITE("engine: determinism") {
  TEST_CASE("the same inputs at the same times give the same outputs") {
    auto run = [] {
      EngineFixture f;
      f.call_ann();
      f.advance(30s);
      REQUIRE(f.engine.hang_up(kAlice));
      f.feed(ChannelHungUp{f.customer(), 16, DialStatus::answer});
      f.advance(200s);
      REQUIRE(f.engine.log_in(kBob, kSales));
      REQUIRE(f.engine.dial_number(kBob, "212 555 1230"));
      f.feed(ChannelHungUp{f.customer(), 17, DialStatus::busy});
      f.advance(11min);
      std::vector<std::string> lines;
      for (const auto& e : f.sink.events()) lines.push_back(describe(e));
      for (const auto& c : f.calls.commands()) {
        lines.push_back(std::string(testing::to_string(c.kind)) + " " +
                        std::to_string(c.channel.value) + " " + c.target);
      }
      return lines;
    };
    const auto first = run();
    CHECK(first.size() > 20);
    CHECK(run() == first);
  }
}

TEST_SUITE("engine: compliance gate") {
  TEST_CASE("a lead on a do-not-call list is not dialled; the refusal is logged with its rule") {
    EngineFixture f;
    REQUIRE(f.store.add_do_not_call("+14155550100", CampaignId{}));
    f.log_in();
    const auto r = f.engine.dial_lead(kAlice, kLeadAnn);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ComplianceRule::do_not_call);
    CHECK(is_policy_refusal(r.error().code));
    CHECK(f.calls.commands().empty());
    CHECK(f.state() == AgentState::available);
    REQUIRE(f.store.call_count() == 1);
    const CallRecord row = f.store.calls()[0];
    CHECK(row.outcome == CallOutcome::refused);
    CHECK(row.lead == kLeadAnn);
    CHECK(row.hangup_reason.find("do_not_call") != std::string::npos);
    // Never called again, but not lost: the row is parked, not deleted.
    const QueueEntry e = f.store.queue_entry(kLeadAnn).value();
    CHECK(e.status == QueueStatus::pending);
    CHECK_FALSE(e.ready_at.has_value());
    CHECK(f.engine.refused_count(ComplianceRule::do_not_call) == 1);
  }

  TEST_CASE("outside the lead's calling hours the lead is rescheduled to the next window") {
    EngineFixture f;
    // 17:00 UTC is 02:00 in Tokyo; the window opens at 08:00 there (23:00 UTC).
    REQUIRE(f.store.add_lead({LeadId{20}, kSales, us_number("2125559876"), "Asia/Tokyo", {}}));
    f.log_in();
    CHECK(f.engine.dial_lead(kAlice, LeadId{20}).error().code ==
          ComplianceRule::outside_calling_hours);
    const QueueEntry e = f.store.queue_entry(LeadId{20}).value();
    REQUIRE(e.ready_at.has_value());
    CHECK(*e.ready_at == f.clock.wall_now() + 6h);
    CHECK(f.calls.commands().empty());
  }

  TEST_CASE("a typed number whose time zone cannot be told is not dialled") {
    EngineFixture f;
    f.log_in();
    // 305 (Miami) is not in the fixture's prefix map, and the US has many zones.
    CHECK(f.engine.dial_number(kAlice, "305 555 0199").error().code ==
          ComplianceRule::unknown_time_zone);
    // A lead's own zone is used first, the map for others.
    CHECK(f.engine.dial_number(kAlice, "901 555 1234"));
  }

  TEST_CASE("a number called its daily maximum is refused until a day has passed") {
    EngineFixture f;
    f.log_in();
    for (int i = 0; i < 3; ++i) {
      REQUIRE(f.engine.dial_number(kAlice, "901 555 1234"));
      f.feed(ChannelHungUp{f.customer(), q850::user_busy, DialStatus::busy});
      REQUIRE(f.engine.submit_disposition(kAlice, {"B", "", ""}));
    }
    CHECK(f.engine.dial_number(kAlice, "901 555 1234").error().code ==
          ComplianceRule::daily_number_cap);
    f.advance(24h + 1s);
    CHECK(f.engine.dial_number(kAlice, "901 555 1234"));
  }

  TEST_CASE("a lead at its attempt cap is not dialled") {
    EngineFixture f;
    Campaign c = sales_campaign();
    c.compliance.max_attempts_per_lead = 1;
    REQUIRE(f.engine.save_campaign(c));
    f.log_in();
    REQUIRE(f.engine.dial_lead(kAlice, kLeadAnn));
    f.feed(ChannelHungUp{f.customer(), q850::no_answer, DialStatus::none});
    REQUIRE(f.engine.submit_disposition(kAlice, {"NA", "", ""}));
    CHECK(f.engine.dial_lead(kAlice, kLeadAnn).error().code == ComplianceRule::lead_attempt_cap);
  }

  TEST_CASE("a do-not-call disposition puts the number on the campaign's list") {
    EngineFixture f;
    f.finished_call();
    REQUIRE(f.engine.submit_disposition(kAlice, {"DNC", "asked not to be called", ""}));
    CHECK(f.store.is_do_not_call("+14155550100", kSales).value());
    CHECK_FALSE(f.store.is_do_not_call("+14155550100", kRenewals).value());
    CHECK(f.engine.dial_number(kAlice, "415 555 0100").error().code == ComplianceRule::do_not_call);
  }

  TEST_CASE("busy and no-answer leads are recycled after the campaign's delay") {
    EngineFixture f;
    f.log_in();
    REQUIRE(f.engine.dial_lead(kAlice, kLeadAnn));
    const WallTime ended = f.clock.wall_now();
    f.feed(ChannelHungUp{f.customer(), q850::user_busy, DialStatus::busy});
    QueueEntry e = f.store.queue_entry(kLeadAnn).value();
    CHECK(e.status == QueueStatus::busy);
    CHECK(e.attempts == 1);
    REQUIRE(e.ready_at.has_value());
    CHECK(*e.ready_at == ended + 5min);
    // A completed call is final.
    REQUIRE(f.engine.submit_disposition(kAlice, {"B", "", ""}));
    REQUIRE(f.engine.dial_lead(kAlice, kLeadBen));
    f.feed(ChannelAnswered{f.customer()});
    f.feed(ChannelAnswered{f.agent_leg()});
    f.feed(ChannelHungUp{f.customer(), 16, DialStatus::answer});
    CHECK_FALSE(f.store.queue_entry(kLeadBen)->ready_at.has_value());
  }

  TEST_CASE("without a do-not-call list to check, nothing is dialled") {
    testing::ManualClock clock;
    testing::ScriptedCallControl calls;
    testing::RecordingSink sink;
    // A lead store that is not a DoNotCallStore, and no list given.
    struct LeadsOnly final : LeadStore {
      testing::MemoryStore inner;
      Result<Lead> find_lead(LeadId id) override { return inner.find_lead(id); }
      Result<Lead> find_lead_by_phone(std::string_view t, CampaignId c) override {
        return inner.find_lead_by_phone(t, c);
      }
      Result<std::vector<LeadId>> add_leads(std::span<const Lead> l, WallTime n) override {
        return inner.add_leads(l, n);
      }
      Result<std::vector<ClaimedLead>> claim_leads(const ClaimRequest& r) override {
        return inner.claim_leads(r);
      }
      Result<std::size_t> renew_leases(std::string_view o, std::span<const LeadId> l,
                                       WallTime u) override {
        return inner.renew_leases(o, l, u);
      }
      Result<void> release_leads(std::string_view o, std::span<const LeadId> l) override {
        return inner.release_leads(o, l);
      }
      Result<void> update_queue(const QueueUpdate& u) override { return inner.update_queue(u); }
      Result<QueueEntry> queue_entry(LeadId l) override { return inner.queue_entry(l); }
    } leads;
    testing::MemoryStore log;
    Engine engine{EnginePorts{clock, calls, leads, log, sink}};
    REQUIRE(engine.save_carrier({kTrunk, "trunk-a", "9", "PJSIP/{dial}@trunk-a", NumberFormat::e164}));
    REQUIRE(engine.save_campaign(sales_campaign()));
    REQUIRE(engine.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100"}));
    REQUIRE(leads.add_leads(std::vector<Lead>{{kLeadAnn, kSales, us_number("4155550100"),
                                               "America/Los_Angeles", {}}},
                            clock.wall_now()));
    REQUIRE(engine.log_in(kAlice, kSales));
    CHECK(engine.dial_lead(kAlice, kLeadAnn).error().code == Errc::unavailable);
    CHECK(calls.commands().empty());
  }
}
