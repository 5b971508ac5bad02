// A small world for engine tests: one carrier, two campaigns, three agents and
// a few leads, wired to the test doubles, on a manual clock.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "dialer/engine.hpp"
#include "dialer/lead_import.hpp"
#include "dialer/testing/manual_clock.hpp"
#include "dialer/testing/memory_store.hpp"
#include "dialer/testing/recording_sink.hpp"
#include "dialer/testing/scripted_call_control.hpp"
#include "dialer/testing/virtual_time.hpp"

namespace dialer::test {

using testing::CommandKind;

inline constexpr CarrierId kTrunk{1};
inline constexpr CarrierId kOtherTrunk{2};
inline constexpr CampaignId kSales{1};
inline constexpr CampaignId kRenewals{2};
inline constexpr AgentId kAlice{1};
inline constexpr AgentId kBob{2};
inline constexpr LeadId kLeadAnn{1};
inline constexpr LeadId kLeadBen{2};
inline constexpr LeadId kLeadOtherCampaign{3};

inline PhoneNumber us_number(const char* typed) {
  return normalize_number(typed, NumberPlan{}).value();
}

inline Campaign sales_campaign() {
  Campaign c;
  c.id = kSales;
  c.name = "Sales";
  c.carrier = kTrunk;
  c.script = "Hello {first_name}, this is Acme.";
  c.caller_id = "Acme <5551000>";
  return c;
}

struct EngineFixture {
  testing::ManualClock clock;
  testing::ScriptedCallControl calls;
  testing::MemoryStore store;
  testing::RecordingSink sink;
  Engine engine{EnginePorts{clock, calls, store, store, sink}, options()};

  // Typed numbers that match no lead take their time zone from this map.
  static EngineOptions options() {
    EngineOptions o;
    o.number_time_zones = std::make_shared<NumberTimeZoneMap>(
        NumberTimeZoneMap::parse("1202|America/New_York\n1212|America/New_York\n"
                                 "1415|America/Los_Angeles\n1901|America/Chicago\n")
            .value());
    return o;
  }

  EngineFixture() {
    REQUIRE(engine.save_carrier({kTrunk, "trunk-a", "9", "PJSIP/{dial}@trunk-a", NumberFormat::e164}));
    REQUIRE(engine.save_carrier({kOtherTrunk, "trunk-b", "8", "PJSIP/{dial}@trunk-b", NumberFormat::e164}));
    REQUIRE(engine.save_campaign(sales_campaign()));
    Campaign renewals = sales_campaign();
    renewals.id = kRenewals;
    renewals.name = "Renewals";
    renewals.carrier = kOtherTrunk;
    REQUIRE(engine.save_campaign(renewals));
    REQUIRE(engine.save_agent({kAlice, "alice", "Alice", "PJSIP/agent100"}));
    REQUIRE(engine.save_agent({kBob, "bob", "Bob", "Local/101@agents"}));
    REQUIRE(store.add_lead({kLeadAnn, kSales, us_number("4155550100"), "America/Los_Angeles",
                            {{"first_name", "Ann"}, {"last_name", "Lee"}}}));
    REQUIRE(store.add_lead({kLeadBen, kSales, us_number("2125551230"), "America/New_York",
                            {{"first_name", "Ben"}}}));
    REQUIRE(store.add_lead({kLeadOtherCampaign, kRenewals, us_number("2025550140"),
                            "America/New_York", {{"first_name", "Cy"}}}));
  }

  void log_in(AgentId agent = kAlice) { REQUIRE(engine.log_in(agent, kSales)); }

  AgentStatus status(AgentId agent = kAlice) const { return engine.agent(agent)->status; }
  AgentState state(AgentId agent = kAlice) const { return status(agent).state; }

  ChannelId customer() const { return calls.last_originate(Leg::customer).channel; }
  ChannelId agent_leg() const { return calls.last_originate(Leg::agent).channel; }

  void feed(const CallEvent& e) { engine.on_call_event(e); }

  /// Logs Alice in and takes a call to Ann up to `until` (ringing, answered or bridged).
  CallId call_ann(CallState until = CallState::bridged) {
    log_in();
    const CallId call = engine.dial_lead(kAlice, kLeadAnn).value();
    feed(ChannelRinging{customer()});
    if (until == CallState::ringing) return call;
    feed(ChannelAnswered{customer()});
    if (until == CallState::answered) return call;
    feed(ChannelAnswered{agent_leg()});
    return call;
  }

  /// A bridged call to Ann that the customer ends; Alice is then in wrap-up.
  CallId finished_call() {
    const CallId call = call_ann();
    feed(ChannelHungUp{customer(), q850::normal_clearing, DialStatus::answer});
    feed(ChannelHungUp{agent_leg(), q850::normal_clearing, DialStatus::none});
    return call;
  }

  void advance(std::chrono::nanoseconds d) { testing::advance(engine, clock, d); }
};

}  // namespace dialer::test
