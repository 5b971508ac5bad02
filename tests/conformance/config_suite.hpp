// Conformance cases for the ConfigStore side of the SQL stores: every field of
// a campaign and an agent comes back as it was saved, so a restarted dialer,
// or another server sharing the database, runs the same campaign.
//
// A fixture adds `dialer::ConfigStore& config()` and `reopen()` (a new
// connection to the same database) to what store_suite.hpp asks for, then:
//   TEST_CASE_TEMPLATE_INVOKE(config_conformance, MyFixture);
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "dialer/agent.hpp"
#include "dialer/campaign.hpp"
#include "dialer/store.hpp"

TEST_CASE_TEMPLATE_DEFINE("config store conformance", F, config_conformance) {
  using namespace dialer;
  using namespace std::chrono_literals;
  F f;
  INFO("store: ", F::kName);

  SUBCASE("a campaign's compliance, recycling, lead order and pacing survive a reopen") {
    Campaign c;
    c.id = CampaignId{9};
    c.name = "Every setting";
    c.dial_mode = DialMode::predictive;
    c.compliance.calling_hours = {9h + 30min, 20h + 15min};
    c.compliance.max_attempts_per_lead = 7;
    c.compliance.max_calls_per_number_per_day = 2;
    c.recycle.busy = {false, 600s, 1};
    c.recycle.no_answer = {true, 120s, 4};
    c.recycle.failed = {true, 1800s, 0};
    c.recycle.dropped = {false, 60s, 3};
    c.recycle.machine = {true, 86400s, 6};
    c.recycle.max_attempts = 9;
    c.lead_order = LeadOrder::priority_first;
    c.pacing.policy = "ratio:2.5";
    c.pacing.abandon_cap = 0.025;
    c.pacing.max_wait_for_agent = 1500ms;
    c.pacing.safe_harbour_media = "sound:we-are-sorry";
    c.pacing.day_offset = -300min;
    REQUIRE(f.config().save_campaign(c));

    auto reopened = f.reopen();
    const auto all = reopened->load_campaigns().value();
    const auto it = std::find_if(all.begin(), all.end(), [](const Campaign& x) { return x.id == CampaignId{9}; });
    REQUIRE(it != all.end());
    const Campaign& back = *it;
    CHECK(back.compliance.calling_hours.start == 9h + 30min);
    CHECK(back.compliance.calling_hours.end == 20h + 15min);
    CHECK(back.compliance.max_attempts_per_lead == 7);
    CHECK(back.compliance.max_calls_per_number_per_day == 2);
    for (auto rule : {&RecyclePolicy::busy, &RecyclePolicy::no_answer, &RecyclePolicy::failed,
                      &RecyclePolicy::dropped, &RecyclePolicy::machine}) {
      CHECK(((back.recycle.*rule).recycle == (c.recycle.*rule).recycle));
      CHECK(((back.recycle.*rule).delay == (c.recycle.*rule).delay));
      CHECK(((back.recycle.*rule).max_attempts == (c.recycle.*rule).max_attempts));
    }
    CHECK(back.recycle.max_attempts == 9);
    CHECK(back.lead_order == LeadOrder::priority_first);
    CHECK(back.pacing.policy == "ratio:2.5");
    CHECK(back.pacing.abandon_cap == doctest::Approx(0.025));
    CHECK(back.pacing.max_wait_for_agent == 1500ms);
    CHECK(back.pacing.safe_harbour_media == "sound:we-are-sorry");
    CHECK(back.pacing.day_offset == -300min);
  }

  SUBCASE("a campaign saved with the defaults reads back with the defaults") {
    Campaign c;
    c.id = CampaignId{9};
    c.name = "Defaults";
    REQUIRE(f.config().save_campaign(c));
    const auto all = f.reopen()->load_campaigns().value();
    const auto it = std::find_if(all.begin(), all.end(), [](const Campaign& x) { return x.id == CampaignId{9}; });
    REQUIRE(it != all.end());
    const Campaign defaults;
    CHECK(it->compliance.calling_hours.start == defaults.compliance.calling_hours.start);
    CHECK(it->compliance.calling_hours.end == defaults.compliance.calling_hours.end);
    CHECK(it->recycle.dropped.max_attempts == defaults.recycle.dropped.max_attempts);
    CHECK(it->recycle.machine.delay == defaults.recycle.machine.delay);
    CHECK(it->lead_order == defaults.lead_order);
    CHECK(it->pacing.policy == defaults.pacing.policy);
    CHECK(it->pacing.max_wait_for_agent == defaults.pacing.max_wait_for_agent);
  }

  SUBCASE("an agent's persistent leg survives a reopen, and can be turned off again") {
    Agent a{AgentId{4}, "dora", "Dora", "PJSIP/104", true};
    REQUIRE(f.config().save_agent(a));
    auto dora = [&f]() {
      const auto all = f.reopen()->load_agents().value();
      const auto it = std::find_if(all.begin(), all.end(), [](const Agent& x) { return x.id == AgentId{4}; });
      REQUIRE(it != all.end());
      return *it;
    };
    CHECK(dora().persistent_leg);
    CHECK(dora().endpoint == "PJSIP/104");
    a.persistent_leg = false;
    REQUIRE(f.config().save_agent(a));
    CHECK_FALSE(dora().persistent_leg);
  }
}
