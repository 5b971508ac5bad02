// Autodial and predictive campaigns in the engine: the pacer decides how many
// calls to place, the hopper supplies the leads, answered calls go to the
// agent who has waited longest, and a call nobody can take within the wait
// limit hears the safe-harbour message and counts as abandoned.
#include <doctest/doctest.h>

#include <algorithm>

#include "engine_fixture.hpp"

namespace dialer::test {
namespace {

using namespace std::chrono_literals;

// A pacer that places a fixed number of calls at each tick while agents work,
// and remembers what it was told.
class FixedPacer final : public Pacer {
 public:
  explicit FixedPacer(std::size_t per_tick, std::vector<PacerEvent>* seen)
      : per_tick_(per_tick), seen_(seen) {}
  std::string name() const override { return "fixed"; }
  std::size_t decide(const PacerSnapshot& s) override {
    last = s;
    const std::size_t in_flight = s.ringing_s.size() + s.waiting_s.size();
    return in_flight >= per_tick_ ? 0 : per_tick_ - in_flight;
  }
  void observe(const PacerEvent& e) override {
    if (seen_ != nullptr) seen_->push_back(e);
  }
  PacerSnapshot last;

 private:
  std::size_t per_tick_;
  std::vector<PacerEvent>* seen_;
};

struct ModesFixture : EngineFixture {
  std::vector<PacerEvent> seen;
  std::size_t calls_in_flight = 2;

  // An engine whose predictive campaigns keep `calls_in_flight` calls out.
  Engine predictive{EnginePorts{clock, calls, store, store, sink}, predictive_options()};

  EngineOptions predictive_options() {
    EngineOptions o = options();
    o.pacer_factory = [this](const Campaign&) -> Result<std::unique_ptr<Pacer>> {
      return std::unique_ptr<Pacer>(std::make_unique<FixedPacer>(calls_in_flight, &seen));
    };
    return o;
  }

  static Campaign autodial_campaign() {
    Campaign c = sales_campaign();
    c.dial_mode = DialMode::autodial;
    return c;
  }

  static Campaign predictive_campaign() {
    Campaign c = sales_campaign();
    c.dial_mode = DialMode::predictive;
    c.pacing.safe_harbour_media = "sound:safe-harbour";
    return c;
  }

  void set_up(Engine& e, const Campaign& c) {
    REQUIRE(e.save_carrier({kTrunk, "trunk-a", "9", "PJSIP/{dial}@trunk-a", NumberFormat::e164}));
    REQUIRE(e.save_campaign(c));
    REQUIRE(e.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100"}));
    REQUIRE(e.save_agent({kBob, "bob", "Bob", "Local/101@agents"}));
  }

  std::vector<testing::Command> customer_originates() const {
    std::vector<testing::Command> out;
    for (const auto& c : calls.of_kind(CommandKind::originate)) {
      if (c.leg == Leg::customer) out.push_back(c);
    }
    return out;
  }

  void run(Engine& e, std::chrono::nanoseconds d) { testing::advance(e, clock, d); }

  // A call of the sales campaign in the call log, as an earlier or another
  // engine on the same store wrote it.
  void log_answered_call(std::uint64_t id, WallTime answered, CallOutcome outcome) {
    CallRecord r;
    r.id = CallId{id};
    r.campaign = kSales;
    r.number = "+12125550100";
    r.state = CallState::ended;
    r.outcome = outcome;
    r.created_at = answered - 20s;
    r.answered_at = answered;
    REQUIRE(store.save_call(r));
  }

  const CallRecord& logged(CallId id) {
    static CallRecord record;
    record = store.find_call(id).value();
    return record;
  }
};

}  // namespace

TEST_SUITE("engine: autodial") {
  TEST_CASE_FIXTURE(ModesFixture, "nothing is dialled while no agent is logged in") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    advance(10s);
    CHECK(customer_originates().empty());
  }

  TEST_CASE_FIXTURE(ModesFixture,
                    "one call per available agent, and the agent hears of it only when connected") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    log_in(kAlice);
    advance(1s);
    REQUIRE(customer_originates().size() == 1);
    CHECK(state(kAlice) == AgentState::available);
    CHECK(sink.all<LeadPop>().empty());
    advance(5s);
    CHECK(customer_originates().size() == 1);  // one agent: never a second call in flight

    const ChannelId customer = customer_originates().front().channel;
    feed(ChannelRinging{customer});
    feed(ChannelAnswered{customer});
    CHECK(state(kAlice) == AgentState::busy);
    REQUIRE(sink.all<LeadPop>().size() == 1);
    CHECK(sink.all<LeadPop>().front().agent == kAlice);
    CHECK(sink.all<LeadPop>().front().lead->id == kLeadAnn);  // oldest lead first
    CHECK(sink.all<LeadPop>().front().dial_prefix == "9");
    // Per-call agent leg: the agent's phone rings now.
    CHECK(calls.last_originate(Leg::agent).target == "PJSIP/agent100");
  }

  TEST_CASE_FIXTURE(ModesFixture, "agents on a break get no calls dialled for them") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    log_in(kAlice);
    REQUIRE(engine.take_break(kAlice, "lunch"));
    advance(10s);
    CHECK(customer_originates().empty());
    REQUIRE(engine.set_available(kAlice));
    advance(1s);
    CHECK(customer_originates().size() == 1);
  }

  TEST_CASE_FIXTURE(ModesFixture, "busy and no-answer leads are recycled, and the next lead dialled") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    log_in(kAlice);
    advance(1s);
    const auto first = customer_originates().back();
    feed(ChannelHungUp{first.channel, q850::user_busy, DialStatus::busy});
    advance(1s);
    REQUIRE(customer_originates().size() == 2);
    CHECK(logged(first.call).outcome == CallOutcome::busy);
    const QueueEntry ann = store.queue_entry(kLeadAnn).value();
    CHECK(ann.status == QueueStatus::busy);
    CHECK(ann.attempts == 1);
    REQUIRE(ann.ready_at);
    CHECK(*ann.ready_at == logged(first.call).ended_at + 5min);
    CHECK(store.queue_entry(kLeadBen).value().status == QueueStatus::dialing);
  }

  TEST_CASE_FIXTURE(ModesFixture, "autodial replaces a line that ends unanswered at once") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    log_in(kAlice);
    advance(1s);
    REQUIRE(customer_originates().size() == 1);
    feed(ChannelHungUp{customer_originates().back().channel, q850::no_user_response,
                       DialStatus::noanswer});
    advance(1ms);  // well before the next pacing tick
    CHECK(customer_originates().size() == 2);
  }

  TEST_CASE_FIXTURE(ModesFixture, "a recycled lead is dialled again once its delay has passed") {
    Campaign c = autodial_campaign();
    c.recycle.no_answer.delay = std::chrono::minutes{5};
    REQUIRE(engine.save_campaign(c));
    log_in(kAlice);
    advance(1s);
    const auto ann = customer_originates().back();
    feed(ChannelHungUp{ann.channel, q850::no_user_response, DialStatus::noanswer});
    advance(1s);
    const auto ben = customer_originates().back();
    feed(ChannelHungUp{ben.channel, q850::no_user_response, DialStatus::noanswer});
    // Both leads wait out their delay: nothing to dial meanwhile.
    advance(4min);
    CHECK(customer_originates().size() == 2);
    advance(1min + 2s);
    REQUIRE(customer_originates().size() == 3);
    CHECK(customer_originates().back().target == ann.target);
    CHECK(store.queue_entry(kLeadAnn).value().attempts == 2);
  }

  TEST_CASE_FIXTURE(ModesFixture, "an answering machine is released and never reaches an agent") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    log_in(kAlice);
    advance(1s);
    const auto call = customer_originates().back();
    feed(ChannelAnswered{call.channel, true});
    CHECK(state(kAlice) == AgentState::available);
    CHECK(calls.of_kind(CommandKind::hang_up).back().channel == call.channel);
    feed(ChannelHungUp{call.channel, q850::normal_clearing, DialStatus::answer});
    CHECK(logged(call.call).outcome == CallOutcome::machine);
    CHECK(store.queue_entry(kLeadAnn).value().status == QueueStatus::machine);
  }

  TEST_CASE_FIXTURE(ModesFixture, "a lead on the do-not-call list is refused, logged, and skipped") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    // The hopper claims no lead on the list; this one joins it after the claim.
    log_in(kBob);
    REQUIRE(engine.take_break(kBob, "lunch"));
    advance(1s);
    REQUIRE(store.add_do_not_call(us_number("4155550100").e164, kSales));
    log_in(kAlice);
    advance(1s);
    REQUIRE(customer_originates().size() == 1);
    CHECK(customer_originates().front().target == "PJSIP/912125551230@trunk-a");
    CHECK(engine.refused_count(ComplianceRule::do_not_call) == 1);
    const QueueEntry ann = store.queue_entry(kLeadAnn).value();
    CHECK(ann.status == QueueStatus::pending);
    CHECK_FALSE(ann.ready_at);  // never again
    CHECK(store.find_call(ann.last_call).value().outcome == CallOutcome::refused);
  }

  TEST_CASE_FIXTURE(ModesFixture, "an automatic hopper is sized from agents, pace and ring timeout") {
    Campaign c = autodial_campaign();
    c.hopper_size = 0;
    c.ring_timeout = std::chrono::seconds{20};
    REQUIRE(engine.save_campaign(c));
    for (std::uint64_t i = 10; i < 400; ++i) {
      const std::string digits = "41555" + std::to_string(10000 + i);
      REQUIRE(store.add_lead({LeadId{i}, kSales, us_number(digits.c_str()), "America/Los_Angeles", {}}));
    }
    log_in(kAlice);
    advance(1s);
    // One agent, level 1, 3 calls per line per minute, 3 minutes: 9, so the floor.
    CHECK(engine.campaign_stats(kSales)->hopper_depth == kMinAutoHopper - 1);
    for (std::uint64_t i = 3; i < 40; ++i) {
      REQUIRE(engine.save_agent({AgentId{i}, "agent" + std::to_string(i), "", "PJSIP/a" + std::to_string(i)}));
      REQUIRE(engine.log_in(AgentId{i}, kSales));
    }
    advance(1s);
    // 38 agents × 1 × 3 × 3 = 342 held, less the calls now ringing.
    const CampaignStats stats = engine.campaign_stats(kSales).value();
    CHECK(stats.ringing == 38);
    CHECK(stats.hopper_depth + stats.ringing >= 342);
  }

  TEST_CASE_FIXTURE(ModesFixture, "an empty hopper is reported once, not on every tick") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    log_in(kAlice);
    log_in(kBob);
    advance(1s);
    CHECK(customer_originates().size() == 2);
    REQUIRE(engine.save_agent({AgentId{3}, "cy", "Cy", "PJSIP/agent103"}));
    REQUIRE(engine.log_in(AgentId{3}, kSales));
    advance(10s);
    CHECK(sink.all<HopperEmpty>().size() == 1);
    CHECK(engine.campaign_stats(kSales)->hopper_exhausted);
  }

  TEST_CASE_FIXTURE(ModesFixture, "changing the mode is pushed to panels and gives the hopper back") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    CHECK(sink.all<CampaignChanged>().size() == 1);
    CHECK(sink.all<CampaignChanged>().back().dial_mode == DialMode::autodial);
    log_in(kAlice);
    REQUIRE(engine.take_break(kAlice, "lunch"));
    advance(1s);
    CHECK(store.queue_entry(kLeadAnn).value().lease_owner == "dialer");  // in the hopper
    REQUIRE(engine.save_campaign(sales_campaign()));
    CHECK(sink.all<CampaignChanged>().back().dial_mode == DialMode::manual);
    CHECK(sink.all<CampaignChanged>().back().dial_prefix == "9");
    CHECK(store.queue_entry(kLeadAnn).value().lease_owner.empty());
    Campaign rescripted = sales_campaign();
    rescripted.script = "Good morning {first_name}.";
    REQUIRE(engine.save_campaign(rescripted));
    CHECK(sink.all<CampaignChanged>().size() == 3);
    REQUIRE(engine.save_campaign(rescripted));  // nothing an agent sees changed
    CHECK(sink.all<CampaignChanged>().size() == 3);
    REQUIRE(engine.set_available(kAlice));
    advance(10s);
    CHECK(customer_originates().empty());
  }
}

TEST_SUITE("engine: persistent agent leg") {
  TEST_CASE_FIXTURE(ModesFixture,
                    "the phone is called at log-in and an answered customer joins it at once") {
    REQUIRE(engine.save_campaign(autodial_campaign()));
    REQUIRE(engine.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100", true}));
    log_in(kAlice);
    const auto phone = calls.last_originate(Leg::agent);
    CHECK(phone.target == "PJSIP/agent100");
    CHECK_FALSE(phone.call.valid());
    advance(5s);
    CHECK(customer_originates().empty());  // no call for a phone that is not up
    feed(ChannelAnswered{phone.channel});
    const BridgeId holding = calls.of_kind(CommandKind::create_bridge).back().bridge;
    advance(1s);
    REQUIRE(customer_originates().size() == 1);
    const auto customer = customer_originates().back();
    clock.advance(3s);
    feed(ChannelAnswered{customer.channel});
    const auto joined = calls.of_kind(CommandKind::add_to_bridge).back();
    CHECK(joined.bridge == holding);
    CHECK(joined.channel == customer.channel);
    const CallRecord* record = engine.find_call(customer.call);
    REQUIRE(record != nullptr);
    CHECK(record->state == CallState::bridged);
    CHECK(record->bridged_at == record->answered_at);  // no answer-to-audio delay
    // The customer hangs up; the phone stays up for the next call.
    feed(ChannelHungUp{customer.channel, q850::normal_clearing, DialStatus::answer});
    CHECK(state(kAlice) == AgentState::wrapup);
    CHECK(calls.of_kind(CommandKind::hang_up).empty());
    CHECK(calls.of_kind(CommandKind::destroy_bridge).empty());
  }

  TEST_CASE_FIXTURE(ModesFixture, "a phone that hangs up logs a free agent out") {
    REQUIRE(engine.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100", true}));
    log_in(kAlice);
    const ChannelId phone = calls.last_originate(Leg::agent).channel;
    feed(ChannelAnswered{phone});
    feed(ChannelHungUp{phone, q850::normal_clearing, DialStatus::none});
    CHECK(state(kAlice) == AgentState::offline);
    CHECK(sink.all<StatusUpdate>().back().reason == StatusReason::phone_lost);
    CHECK(calls.of_kind(CommandKind::destroy_bridge).size() == 1);
  }

  TEST_CASE_FIXTURE(ModesFixture, "a manual call with a persistent leg is bridged on answer") {
    REQUIRE(engine.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100", true}));
    log_in(kAlice);
    feed(ChannelAnswered{calls.last_originate(Leg::agent).channel});
    const CallId call = engine.dial_lead(kAlice, kLeadAnn).value();
    feed(ChannelAnswered{customer()});
    CHECK(engine.find_call(call)->state == CallState::bridged);
    REQUIRE(engine.hang_up(kAlice));
    // Only the customer leg is hung up; the phone stays.
    REQUIRE(calls.of_kind(CommandKind::hang_up).size() == 1);
    CHECK(calls.of_kind(CommandKind::hang_up).front().channel == customer());
  }

  TEST_CASE_FIXTURE(ModesFixture, "logging out hangs up the phone and its bridge") {
    REQUIRE(engine.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100", true}));
    log_in(kAlice);
    const ChannelId phone = calls.last_originate(Leg::agent).channel;
    feed(ChannelAnswered{phone});
    REQUIRE(engine.log_out(kAlice));
    CHECK(calls.of_kind(CommandKind::hang_up).back().channel == phone);
    CHECK(calls.of_kind(CommandKind::destroy_bridge).size() == 1);
    feed(ChannelHungUp{phone, q850::normal_clearing, DialStatus::none});
    CHECK(state(kAlice) == AgentState::offline);
  }
}

TEST_SUITE("engine: predictive") {
  TEST_CASE_FIXTURE(ModesFixture, "predictive mode is refused without a safe-harbour message") {
    Campaign c = predictive_campaign();
    c.pacing.safe_harbour_media.clear();
    const auto saved = engine.save_campaign(c);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().code == Errc::invalid_argument);
    CHECK(saved.error().detail.find("safe_harbour_media") != std::string::npos);
  }

  TEST_CASE_FIXTURE(ModesFixture, "an unknown pacing policy is refused when the campaign is saved") {
    Campaign c = predictive_campaign();
    c.pacing.policy = "psychic";
    const auto saved = engine.save_campaign(c);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().code == Errc::invalid_argument);
    CHECK(engine.find_campaign(kSales)->dial_mode == DialMode::manual);
  }

  TEST_CASE_FIXTURE(ModesFixture,
                    "an answered call with no free agent waits 2 s, hears the message, is dropped") {
    set_up(predictive, predictive_campaign());
    REQUIRE(predictive.log_in(kAlice, kSales));
    run(predictive, 1s);
    const auto placed = customer_originates();
    REQUIRE(placed.size() == 2);  // more calls than agents
    predictive.on_call_event(ChannelAnswered{placed[0].channel});
    CHECK(predictive.agent(kAlice)->status.state == AgentState::busy);
    predictive.on_call_event(ChannelAnswered{placed[1].channel});
    CHECK(predictive.campaign_stats(kSales)->waiting == 1);
    run(predictive, 1999ms);
    CHECK(calls.of_kind(CommandKind::play).empty());
    run(predictive, 1ms);
    REQUIRE(calls.of_kind(CommandKind::play).size() == 1);
    CHECK(calls.of_kind(CommandKind::play).front().channel == placed[1].channel);
    CHECK(calls.of_kind(CommandKind::play).front().target == "sound:safe-harbour");
    predictive.on_call_event(PlaybackFinished{placed[1].channel});
    CHECK(calls.of_kind(CommandKind::hang_up).back().channel == placed[1].channel);
    predictive.on_call_event(ChannelHungUp{placed[1].channel, q850::normal_clearing, DialStatus::answer});
    const CallRecord dropped = store.find_call(placed[1].call).value();
    CHECK(dropped.outcome == CallOutcome::dropped);
    CHECK(dropped.hung_up_by == HangupSide::dialer);
    CHECK_FALSE(dropped.agent.valid());
    const CampaignStats stats = predictive.campaign_stats(kSales).value();
    CHECK(stats.today.answered == 2);
    CHECK(stats.today.abandoned == 1);
    CHECK(stats.last_30_days.abandoned == 1);
    CHECK(store.queue_entry(dropped.lead).value().status == QueueStatus::dropped);
  }

  TEST_CASE_FIXTURE(
      ModesFixture,
      "a restarted engine starts the day's and the 30 days' abandonment from the call log") {
    const WallTime now = clock.wall_now();
    log_answered_call(900, now - 1h, CallOutcome::completed);
    log_answered_call(901, now - 1h, CallOutcome::dropped);
    log_answered_call(902, now - 50min, CallOutcome::machine);  // no person answered
    log_answered_call(903, now - 10 * 24h, CallOutcome::dropped);
    log_answered_call(904, now - 40 * 24h, CallOutcome::dropped);  // outside the 30 days
    set_up(predictive, predictive_campaign());
    CampaignStats stats = predictive.campaign_stats(kSales).value();
    CHECK(stats.today.answered == 2);
    CHECK(stats.today.abandoned == 1);
    CHECK(stats.last_30_days.answered == 3);
    CHECK(stats.last_30_days.abandoned == 2);
    // The engine goes on counting from there.
    REQUIRE(store.add_lead({LeadId{40}, kSales, us_number("2125550199"), "America/New_York", {}}));
    REQUIRE(predictive.log_in(kAlice, kSales));
    run(predictive, 1s);
    REQUIRE_FALSE(customer_originates().empty());
    const auto placed = customer_originates().front();
    predictive.on_call_event(ChannelAnswered{placed.channel});
    stats = predictive.campaign_stats(kSales).value();
    CHECK(stats.today.answered == 3);
    CHECK(stats.last_30_days.answered == 4);
  }

  TEST_CASE_FIXTURE(
      ModesFixture,
      "reloading abandonment adds other engines' logged calls and keeps this engine's live ones") {
    set_up(predictive, predictive_campaign());
    REQUIRE(store.add_lead({LeadId{40}, kSales, us_number("2125550199"), "America/New_York", {}}));
    REQUIRE(predictive.log_in(kAlice, kSales));
    run(predictive, 1s);
    REQUIRE_FALSE(customer_originates().empty());
    const auto placed = customer_originates().front();
    predictive.on_call_event(ChannelAnswered{placed.channel});  // Alice talks: not in the log yet
    REQUIRE(predictive.agent(kAlice)->status.state == AgentState::busy);

    // Another engine on the same store logs two answers today (one dropped)
    // and one yesterday.
    const WallTime now = clock.wall_now();
    log_answered_call(900, now - 1min, CallOutcome::completed);
    log_answered_call(901, now - 1min, CallOutcome::dropped);
    log_answered_call(902, now - 24h, CallOutcome::completed);
    CHECK(predictive.campaign_stats(kSales).value().today.answered == 1);

    REQUIRE(predictive.reload_abandonment());
    CampaignStats stats = predictive.campaign_stats(kSales).value();
    CHECK(stats.today.answered == 3);
    CHECK(stats.today.abandoned == 1);
    CHECK(stats.last_30_days.answered == 4);
    // Reading again counts nothing twice.
    REQUIRE(predictive.reload_abandonment());
    CHECK(predictive.campaign_stats(kSales).value().today.answered == 3);
    // Alice's call ends and is logged: still counted once.
    predictive.on_call_event(
        ChannelHungUp{placed.channel, q850::normal_clearing, DialStatus::answer});
    REQUIRE(predictive.reload_abandonment());
    CHECK(predictive.campaign_stats(kSales).value().today.answered == 3);

    // A store that cannot answer leaves the figures as they were.
    store.fail_nth(testing::StoreOp::abandonment_by_day, 1,
                   Error{Errc::storage_error, "disk I/O error"});
    CHECK_FALSE(predictive.reload_abandonment());
    CHECK(predictive.campaign_stats(kSales).value().today.answered == 3);
    CHECK(predictive.campaign_stats(kSales).value().today.abandoned == 1);
  }

  TEST_CASE_FIXTURE(ModesFixture,
                    "predictive mode replaces a line that ends unanswered at the next pacing tick") {
    set_up(predictive, predictive_campaign());
    REQUIRE(store.add_lead({LeadId{40}, kSales, us_number("2125550199"), "America/New_York", {}}));
    REQUIRE(predictive.log_in(kAlice, kSales));
    run(predictive, 1s);
    REQUIRE(customer_originates().size() == 2);
    predictive.on_call_event(ChannelHungUp{customer_originates().front().channel,
                                           q850::no_user_response, DialStatus::noanswer});
    run(predictive, 1ms);
    CHECK(customer_originates().size() == 2);  // not at once: the pacer counts lines at ticks
    run(predictive, 500ms);                    // one pacing interval
    CHECK(customer_originates().size() == 3);
  }

  TEST_CASE_FIXTURE(ModesFixture, "a waiting call goes to the first agent who frees up in time") {
    set_up(predictive, predictive_campaign());
    REQUIRE(predictive.log_in(kAlice, kSales));
    run(predictive, 1s);
    const auto placed = customer_originates();
    predictive.on_call_event(ChannelAnswered{placed[0].channel});
    predictive.on_call_event(ChannelAnswered{calls.last_originate(Leg::agent).channel});
    predictive.on_call_event(ChannelAnswered{placed[1].channel});  // waits
    predictive.on_call_event(ChannelHungUp{placed[0].channel, q850::normal_clearing, DialStatus::answer});
    REQUIRE(predictive.submit_disposition(kAlice, {"SALE", "", ""}));
    run(predictive, 1ms);
    CHECK(predictive.agent(kAlice)->call == placed[1].call);
    run(predictive, 5s);
    CHECK(calls.of_kind(CommandKind::play).empty());
    CHECK(predictive.campaign_stats(kSales)->today.abandoned == 0);
  }

  TEST_CASE_FIXTURE(ModesFixture, "the longest-idle agent gets the answered call") {
    calls_in_flight = 1;
    set_up(predictive, predictive_campaign());
    REQUIRE(predictive.log_in(kAlice, kSales));
    clock.advance(30s);
    REQUIRE(predictive.log_in(kBob, kSales));
    run(predictive, 1s);
    predictive.on_call_event(ChannelAnswered{customer_originates().front().channel});
    CHECK(predictive.agent(kAlice)->status.state == AgentState::busy);
    CHECK(predictive.agent(kBob)->status.state == AgentState::available);
  }

  TEST_CASE_FIXTURE(ModesFixture, "a customer who hangs up while waiting counts as abandoned") {
    calls_in_flight = 1;
    set_up(predictive, predictive_campaign());
    REQUIRE(predictive.log_in(kAlice, kSales));
    REQUIRE(predictive.take_break(kAlice, "coffee"));
    REQUIRE(predictive.save_agent({AgentId{3}, "cy", "Cy", "PJSIP/agent103"}));
    REQUIRE(predictive.log_in(AgentId{3}, kSales));
    run(predictive, 1s);
    const auto call = customer_originates().front();
    predictive.on_call_event(ChannelAnswered{call.channel});
    predictive.on_call_event(ChannelAnswered{calls.last_originate(Leg::agent).channel});
    run(predictive, 1s);
    const auto second = customer_originates().back();
    REQUIRE(second.channel != call.channel);
    predictive.on_call_event(ChannelAnswered{second.channel});
    predictive.on_call_event(ChannelHungUp{second.channel, q850::normal_clearing, DialStatus::answer});
    CHECK(predictive.campaign_stats(kSales)->today.abandoned == 1);
    CHECK(predictive.campaign_stats(kSales)->waiting == 0);
    run(predictive, 5s);
    CHECK(calls.of_kind(CommandKind::play).empty());  // nothing left to drop
  }

  TEST_CASE_FIXTURE(ModesFixture, "the pacer sees the live state and hears every outcome") {
    calls_in_flight = 1;
    set_up(predictive, predictive_campaign());
    REQUIRE(predictive.log_in(kAlice, kSales));
    run(predictive, 1s);
    REQUIRE(customer_originates().size() == 1);
    const auto call = customer_originates().front();
    clock.advance(4s);
    predictive.on_call_event(ChannelAnswered{call.channel});
    predictive.on_call_event(ChannelAnswered{calls.last_originate(Leg::agent).channel});
    clock.advance(60s);
    predictive.on_call_event(ChannelHungUp{call.channel, q850::normal_clearing, DialStatus::answer});
    clock.advance(7s);
    REQUIRE(predictive.submit_disposition(kAlice, {"NI", "", ""}));
    std::vector<PacerEventKind> kinds;
    for (const auto& e : seen) kinds.push_back(e.kind);
    const std::vector<PacerEventKind> expected{
        PacerEventKind::placed,   PacerEventKind::live_answer, PacerEventKind::connected,
        PacerEventKind::talk_end, PacerEventKind::wrapup_end};
    CHECK(std::vector(kinds.begin(), kinds.begin() + 5) == expected);
    CHECK(seen[1].value_s == doctest::Approx(5.0));  // placed at +0 s, answered at +5 s
    CHECK(seen[3].value_s == doctest::Approx(60.0));
    CHECK(seen[4].value_s == doctest::Approx(7.0));
    CHECK(seen[4].agent == kAlice.value);
  }
}

}  // namespace dialer::test
