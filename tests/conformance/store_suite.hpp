// The storage conformance suite: one body of tests that every implementation
// of the storage ports passes — the memory store, SQLite and PostgreSQL — so
// the engine cannot tell them apart.
//
// A test file includes this header once and invokes the suite with a fixture:
//
//   struct MyFixture {
//     static constexpr const char* kName = "my store";
//     LeadStore& leads();  DoNotCallStore& do_not_call();  CallLogStore& call_log();
//     /// Makes every write acknowledged so far visible to reads (stores that
//     /// write on a background thread wait for it here).
//     void flush();
//     /// A second, independent handle on the same data (a new connection for
//     /// SQL stores), for the concurrency case.
//     std::shared_ptr<LeadStore> another_connection();
//   };
//   TEST_CASE_TEMPLATE_INVOKE(store_conformance, MyFixture);
//
// Each case constructs a fresh fixture: an empty store.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dialer/store.hpp"

namespace dialer::conformance {

using namespace std::chrono_literals;

inline const WallTime kT0 = WallTime{std::chrono::seconds{1767603600}};  // 2026-01-05 09:00 UTC
inline constexpr CampaignId kCampaignA{1};
inline constexpr CampaignId kCampaignB{2};

inline Lead make_lead(std::uint64_t id, CampaignId campaign, std::string e164,
                      std::string time_zone = "America/New_York", std::int32_t priority = 0) {
  Lead lead;
  lead.id = LeadId{id};
  lead.campaign = campaign;
  lead.phone = {std::move(e164), "US"};
  lead.time_zone = std::move(time_zone);
  lead.fields = {{"first_name", "Lead " + std::to_string(id)}};
  lead.priority = priority;
  return lead;
}

/// "+1415555" followed by a 4-digit serial.
inline std::string number(std::uint64_t n) {
  std::string digits = std::to_string(1000 + n % 9000);
  return "+1415555" + digits;
}

inline std::vector<Lead> leads_of(CampaignId campaign, std::uint64_t first, std::uint64_t count) {
  std::vector<Lead> out;
  for (std::uint64_t i = first; i < first + count; ++i) out.push_back(make_lead(i, campaign, number(i)));
  return out;
}

inline ClaimRequest claim(CampaignId campaign, std::string owner, std::size_t limit, WallTime now) {
  ClaimRequest r;
  r.campaign = campaign;
  r.owner = std::move(owner);
  r.limit = limit;
  r.now = now;
  r.lease = 60s;
  return r;
}

inline std::vector<LeadId> ids_of(const std::vector<ClaimedLead>& claimed) {
  std::vector<LeadId> out;
  for (const auto& c : claimed) out.push_back(c.lead.id);
  return out;
}

inline QueueUpdate update(LeadId lead, QueueStatus status, WallTime at, std::string owner) {
  QueueUpdate u;
  u.campaign = kCampaignA;
  u.lead = lead;
  u.status = status;
  u.at = at;
  u.owner = std::move(owner);
  return u;
}

}  // namespace dialer::conformance

TEST_CASE_TEMPLATE_DEFINE("storage conformance", F, store_conformance) {
  using namespace dialer;
  using namespace dialer::conformance;
  using namespace std::chrono_literals;
  F f;
  LeadStore& leads = f.leads();
  INFO("store: ", F::kName);

  SUBCASE("added leads are found by id and by the last 10 digits of their number") {
    auto ids = leads.add_leads(leads_of(kCampaignA, 1, 3), kT0);
    REQUIRE(ids);
    CHECK(*ids == std::vector<LeadId>{LeadId{1}, LeadId{2}, LeadId{3}});
    const Lead two = leads.find_lead(LeadId{2}).value();
    CHECK(two.phone.e164 == number(2));
    CHECK(two.phone.region == "US");
    CHECK(two.time_zone == "America/New_York");
    CHECK(two.field("first_name") == "Lead 2");
    CHECK(leads.find_lead_by_phone(number(3).substr(2), kCampaignA)->id == LeadId{3});
    CHECK(leads.find_lead(LeadId{99}).error().code == Errc::not_found);
    CHECK(leads.find_lead_by_phone("9999999999", kCampaignA).error().code == Errc::not_found);
  }

  SUBCASE("a lead with id zero gets a new id") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 5, 1), kT0));
    Lead fresh = make_lead(0, kCampaignA, number(6));
    auto ids = leads.add_leads(std::vector<Lead>{fresh}, kT0);
    REQUIRE(ids);
    REQUIRE(ids->size() == 1);
    CHECK((*ids)[0].valid());
    CHECK((*ids)[0] != LeadId{5});
    CHECK(leads.find_lead((*ids)[0])->phone.e164 == number(6));
  }

  SUBCASE("the last-10-digit match prefers the campaign's own lead, then the lowest id") {
    REQUIRE(leads.add_leads(std::vector<Lead>{make_lead(7, kCampaignB, "+14155550100"),
                                              make_lead(8, kCampaignA, "+14155550100"),
                                              make_lead(9, kCampaignA, "+14155550100")},
                            kT0));
    CHECK(leads.find_lead_by_phone("4155550100", kCampaignA)->id == LeadId{8});
    CHECK(leads.find_lead_by_phone("4155550100", kCampaignB)->id == LeadId{7});
    CHECK(leads.find_lead_by_phone("4155550100", CampaignId{3})->id == LeadId{7});
  }

  SUBCASE("a batch lookup by number answers each number as the single lookup does") {
    REQUIRE(leads.add_leads(std::vector<Lead>{make_lead(7, kCampaignB, "+14155550100"),
                                              make_lead(8, kCampaignA, "+14155550100"),
                                              make_lead(9, kCampaignA, "+14155550100"),
                                              make_lead(10, kCampaignB, "+14155550101"),
                                              make_lead(11, kCampaignA, "+442079460000")},
                            kT0));
    const std::vector<std::string> asked{"4155550100", "9999999999", "4155550101",
                                         "2079460000", "4155550100", "41555501'0", ""};
    auto found = leads.find_leads_by_phone(asked, kCampaignA);
    REQUIRE(found);
    REQUIRE(found->size() == asked.size());
    for (std::size_t i = 0; i < asked.size(); ++i) {
      INFO("number ", asked[i]);
      auto single = leads.find_lead_by_phone(asked[i], kCampaignA);
      REQUIRE(((*found)[i].has_value() == single.has_value()));
      if (single) {
        CHECK((*found)[i]->id == single->id);
        CHECK((*found)[i]->phone == single->phone);
        CHECK((*found)[i]->fields == single->fields);
      }
    }
    CHECK((*found)[0]->id == LeadId{8});
    CHECK((*found)[2]->id == LeadId{10});  // another campaign's, as find_lead_by_phone
    CHECK((*found)[3]->id == LeadId{11});
    CHECK(leads.find_leads_by_phone(std::vector<std::string>{}, kCampaignA)->empty());
  }

  SUBCASE("a search finds a campaign's leads by digits of their number or text of a field value, in id order") {
    auto named = [](std::uint64_t id, CampaignId campaign, std::string e164,
                    std::vector<std::pair<std::string, std::string>> fields) {
      Lead lead = make_lead(id, campaign, std::move(e164));
      lead.fields = std::move(fields);
      return lead;
    };
    REQUIRE(leads.add_leads(
        std::vector<Lead>{named(1, kCampaignA, "+14155550101", {{"first_name", "Ada"}, {"city", "Oakland"}}),
                          named(2, kCampaignA, "+14155550102", {{"first_name", "Bob"}, {"note", "half%_off\\x"}}),
                          named(3, kCampaignB, "+14155550103", {{"first_name", "Ada"}}),
                          named(4, kCampaignA, "+12125550104", {{"first_name", "ADAM"}, {"Ada", "key only"}}),
                          named(5, kCampaignA, "+12125550105", {{"first_name", "Eve"}})},
        kT0));
    auto ids = [&](std::string text, std::size_t limit = 50, LeadId after = {}) {
      auto found = leads.search_leads(LeadSearch{kCampaignA, std::move(text), limit, after});
      REQUIRE(found);
      std::vector<std::uint64_t> out;
      for (const Lead& l : *found) {
        CHECK(l.campaign == kCampaignA);
        out.push_back(l.id.value);
      }
      return out;
    };
    using V = std::vector<std::uint64_t>;
    CHECK(ids("ada") == V{1, 4});              // any case, values only (lead 4's key "Ada" is no match), campaign A only
    CHECK(ids("(415) 555-01") == V{1, 2});     // the digits, anywhere in the number
    CHECK(ids("0105") == V{5});
    CHECK(ids("oakland") == V{1});
    CHECK(ids("half%_OFF\\x") == V{2});      // %, _ and \ are literal
    CHECK(ids("%") == V{2});
    CHECK(ids("_") == V{2});                 // in a value; "first_name" is a name
    CHECK(ids("a_a").empty());               // not a wildcard, which would match "Ada"
    CHECK(ids("") == V{1, 2, 4, 5});
    CHECK(ids("", 2) == V{1, 2});
    CHECK(ids("", 2, LeadId{2}) == V{4, 5});   // the next page
    CHECK(ids("", 0).empty());
    CHECK(ids("nobody").empty());
    auto other = leads.search_leads(LeadSearch{CampaignId{99}, "ada", 50, {}});
    REQUIRE(other);
    CHECK(other->empty());
    auto full = leads.search_leads(LeadSearch{kCampaignA, "oak", 10, {}});
    REQUIRE(full);
    REQUIRE(full->size() == 1);
    CHECK(full->front().fields == std::vector<std::pair<std::string, std::string>>{{"first_name", "Ada"},
                                                                                   {"city", "Oakland"}});
  }

  SUBCASE("a search returns at most its limit even when many leads match and others are skipped") {
    std::vector<Lead> many = leads_of(kCampaignA, 1, 900);
    for (Lead& l : many) {
      // Every third lead has the word only as a field name: the store's
      // filter lets it through and the check must drop it.
      if (l.id.value % 3 == 0) l.fields = {{"match", "no"}};
      else l.fields = {{"status", "match"}};
    }
    REQUIRE(leads.add_leads(many, kT0));
    auto found = leads.search_leads(LeadSearch{kCampaignA, "MATCH", 1000, {}});
    REQUIRE(found);
    CHECK(found->size() == kMaxLeadSearchResults);
    for (const Lead& l : *found) CHECK(l.id.value % 3 != 0);
    CHECK(found->back().id.value == 749);  // the 500th id not divisible by 3
  }

  SUBCASE("new and replacing leads in one batch: ids in order, the later row of an id wins") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 2), kT0));
    std::vector<Lead> batch{make_lead(0, kCampaignA, number(10)), make_lead(2, kCampaignB, number(11)),
                            make_lead(0, kCampaignA, number(12)), make_lead(4, kCampaignA, number(13))};
    auto ids = leads.add_leads(batch, kT0 + 1s);
    REQUIRE(ids);
    CHECK(*ids == std::vector<LeadId>{LeadId{3}, LeadId{2}, LeadId{4}, LeadId{4}});
    CHECK(leads.find_lead(LeadId{3})->phone.e164 == number(10));
    CHECK(leads.find_lead(LeadId{2})->campaign == kCampaignB);
    CHECK(leads.find_lead(LeadId{4})->phone.e164 == number(13));
    f.flush();
    CHECK(leads.queue_entry(LeadId{2})->campaign == kCampaignB);
    CHECK(leads.queue_entry(LeadId{2})->ready_at == kT0);  // its queue row is kept
    CHECK(leads.queue_entry(LeadId{4})->ready_at == kT0 + 1s);
  }

  SUBCASE("a large batch naming an id twice keeps the later row, as if added one by one") {
    // 150 rows over ids 1..40: stores that write many rows per statement
    // meet an id again inside one statement and across statements.
    std::vector<Lead> batch;
    for (std::uint64_t k = 0; k < 150; ++k) batch.push_back(make_lead(k % 40 + 1, kCampaignA, number(k)));
    auto ids = leads.add_leads(batch, kT0);
    REQUIRE(ids);
    REQUIRE(ids->size() == 150);
    CHECK((*ids)[41] == LeadId{2});
    for (std::uint64_t id = 1; id <= 40; ++id) {
      const std::uint64_t last_row = id - 1 + 40 * ((149 - (id - 1)) / 40);
      CHECK(leads.find_lead(LeadId{id})->phone.e164 == number(last_row));
    }
    CHECK(leads.find_lead(LeadId{41}).error().code == Errc::not_found);
    f.flush();
    CHECK(leads.queue_entry(LeadId{40})->status == QueueStatus::pending);
  }

  SUBCASE("adding leads is all or nothing") {
    std::vector<Lead> batch = leads_of(kCampaignA, 1, 2);
    batch.push_back(make_lead(3, kCampaignA, ""));  // no number
    CHECK(leads.add_leads(batch, kT0).error().code == Errc::invalid_argument);
    CHECK(leads.find_lead(LeadId{1}).error().code == Errc::not_found);
  }

  SUBCASE("replacing a lead keeps its queue row") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 1), kT0));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "a", 1, kT0)));
    QueueUpdate u = update(LeadId{1}, QueueStatus::dialing, kT0, "a");
    u.attempted = true;
    REQUIRE(leads.update_queue(u));
    Lead changed = make_lead(1, kCampaignA, number(1));
    changed.fields = {{"first_name", "Renamed"}};
    REQUIRE(leads.add_leads(std::vector<Lead>{changed}, kT0 + 1h));
    CHECK(leads.find_lead(LeadId{1})->field("first_name") == "Renamed");
    const QueueEntry e = leads.queue_entry(LeadId{1}).value();
    CHECK(e.status == QueueStatus::dialing);
    CHECK(e.attempts == 1);
  }

  SUBCASE("new leads are pending and ready when added") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 1), kT0));
    const QueueEntry e = leads.queue_entry(LeadId{1}).value();
    CHECK(e.campaign == kCampaignA);
    CHECK(e.status == QueueStatus::pending);
    CHECK(e.attempts == 0);
    CHECK(e.ready_at == kT0);
    CHECK(e.lease_owner.empty());
    CHECK(leads.queue_entry(LeadId{2}).error().code == Errc::not_found);
  }

  SUBCASE("a claim takes ready leads of its campaign only, up to its limit, and leases them") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 5), kT0));
    REQUIRE(leads.add_leads(leads_of(kCampaignB, 10, 5), kT0));
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 20, 2), kT0 + 1h));  // not ready yet
    auto first = leads.claim_leads(claim(kCampaignA, "node-a", 3, kT0));
    REQUIRE(first);
    CHECK(ids_of(*first) == std::vector<LeadId>{LeadId{1}, LeadId{2}, LeadId{3}});
    CHECK((*first)[0].lease_until == kT0 + 60s);
    CHECK((*first)[0].lead.phone.e164 == number(1));
    const QueueEntry e = leads.queue_entry(LeadId{1}).value();
    CHECK(e.lease_owner == "node-a");
    CHECK(e.lease_until == kT0 + 60s);
    // Another dialer gets the rest, never a leased lead.
    auto second = leads.claim_leads(claim(kCampaignA, "node-b", 10, kT0 + 1s));
    REQUIRE(second);
    CHECK(ids_of(*second) == std::vector<LeadId>{LeadId{4}, LeadId{5}});
    CHECK(leads.claim_leads(claim(kCampaignA, "node-c", 10, kT0 + 2s))->empty());
    CHECK(leads.claim_leads(claim(kCampaignA, "", 10, kT0)).error().code ==
          Errc::invalid_argument);
  }

  SUBCASE("an expired lease is claimed by another dialer") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 2), kT0));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "dead-node", 2, kT0)));
    QueueUpdate u = update(LeadId{1}, QueueStatus::dialing, kT0 + 1s, "dead-node");
    u.attempted = true;
    REQUIRE(leads.update_queue(u));  // died mid-call
    CHECK(leads.claim_leads(claim(kCampaignA, "node-b", 10, kT0 + 59s))->empty());
    auto after = leads.claim_leads(claim(kCampaignA, "node-b", 10, kT0 + 61s));
    REQUIRE(after);
    CHECK(ids_of(*after) == std::vector<LeadId>{LeadId{1}, LeadId{2}});
    CHECK((*after)[0].attempts == 1);
    // The dead node's late update is refused: node-b holds a live lease now.
    CHECK(leads.update_queue(update(LeadId{1}, QueueStatus::completed, kT0 + 62s, "dead-node"))
              .error()
              .code == Errc::conflict);
    CHECK(leads.queue_entry(LeadId{1})->lease_owner == "node-b");
  }

  SUBCASE("renewing extends only the owner's leases") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 3), kT0));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "a", 2, kT0)));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "b", 1, kT0)));
    const std::vector<LeadId> all{LeadId{1}, LeadId{2}, LeadId{3}, LeadId{42}};
    CHECK(leads.renew_leases("a", all, kT0 + 10min).value() == 2);
    CHECK(leads.queue_entry(LeadId{1})->lease_until == kT0 + 10min);
    CHECK(leads.queue_entry(LeadId{3})->lease_until == kT0 + 60s);
    CHECK(leads.claim_leads(claim(kCampaignA, "c", 10, kT0 + 5min)).value().size() == 1);
  }

  SUBCASE("released leads are claimable at once and not counted as attempts") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 2), kT0));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "a", 2, kT0)));
    const std::vector<LeadId> one{LeadId{1}};
    REQUIRE(leads.release_leads("b", one));  // not b's: nothing happens
    CHECK(leads.queue_entry(LeadId{1})->lease_owner == "a");
    REQUIRE(leads.release_leads("a", one));
    auto again = leads.claim_leads(claim(kCampaignA, "b", 10, kT0 + 1s));
    REQUIRE(again);
    CHECK(ids_of(*again) == std::vector<LeadId>{LeadId{1}});
    CHECK((*again)[0].attempts == 0);
  }

  SUBCASE("a final outcome is never claimed again; a recycled one comes back at its time") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 2), kT0));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "a", 2, kT0)));
    for (LeadId id : {LeadId{1}, LeadId{2}}) {
      QueueUpdate dial = update(id, QueueStatus::dialing, kT0, "a");
      dial.attempted = true;
      dial.call = CallId{100 + id.value};
      REQUIRE(leads.update_queue(dial));
      // Dialing keeps the lease.
      CHECK(leads.queue_entry(id)->lease_owner == "a");
    }
    REQUIRE(leads.update_queue(update(LeadId{1}, QueueStatus::completed, kT0 + 1min, "a")));
    QueueUpdate busy = update(LeadId{2}, QueueStatus::busy, kT0 + 1min, "a");
    busy.ready_at = kT0 + 6min;
    REQUIRE(leads.update_queue(busy));
    const QueueEntry e = leads.queue_entry(LeadId{2}).value();
    CHECK(e.status == QueueStatus::busy);
    CHECK(e.ready_at == kT0 + 6min);
    CHECK(e.lease_owner.empty());
    CHECK(e.attempts == 1);
    CHECK(e.last_call == CallId{102});
    CHECK_FALSE(leads.queue_entry(LeadId{1})->ready_at.has_value());
    CHECK(leads.claim_leads(claim(kCampaignA, "b", 10, kT0 + 5min))->empty());
    auto back = leads.claim_leads(claim(kCampaignA, "b", 10, kT0 + 6min));
    REQUIRE(back);
    CHECK(ids_of(*back) == std::vector<LeadId>{LeadId{2}});
    CHECK((*back)[0].attempts == 1);
    // A day later only the recycled lead (its lease long expired) is claimable.
    CHECK(ids_of(leads.claim_leads(claim(kCampaignA, "c", 10, kT0 + 30h)).value()) ==
          std::vector<LeadId>{LeadId{2}});
  }

  SUBCASE("updating an unknown lead is not_found") {
    CHECK(leads.update_queue(update(LeadId{5}, QueueStatus::busy, kT0, "a")).error().code ==
          Errc::not_found);
  }

  SUBCASE("leads at the attempt cap are not claimed") {
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 2), kT0));
    REQUIRE(leads.claim_leads(claim(kCampaignA, "a", 1, kT0)));
    QueueUpdate u = update(LeadId{1}, QueueStatus::dialing, kT0, "a");
    u.attempted = true;
    REQUIRE(leads.update_queue(u));
    u = update(LeadId{1}, QueueStatus::no_answer, kT0, "a");
    u.ready_at = kT0;
    REQUIRE(leads.update_queue(u));
    ClaimRequest capped = claim(kCampaignA, "b", 10, kT0 + 1s);
    capped.max_attempts = 1;
    CHECK(ids_of(leads.claim_leads(capped).value()) == std::vector<LeadId>{LeadId{2}});
  }

  SUBCASE("leads on a do-not-call list are not claimed") {
    DoNotCallStore& dnc = f.do_not_call();
    REQUIRE(leads.add_leads(leads_of(kCampaignA, 1, 3), kT0));
    REQUIRE(dnc.add_do_not_call(number(1), CampaignId{}));  // global
    REQUIRE(dnc.add_do_not_call(number(2), kCampaignB));    // another campaign's list
    REQUIRE(dnc.add_do_not_call(number(1), CampaignId{}));  // twice is fine
    CHECK(dnc.is_do_not_call(number(1), kCampaignA).value());
    CHECK_FALSE(dnc.is_do_not_call(number(2), kCampaignA).value());
    CHECK(dnc.is_do_not_call(number(2), kCampaignB).value());
    CHECK(ids_of(leads.claim_leads(claim(kCampaignA, "a", 10, kT0)).value()) ==
          std::vector<LeadId>{LeadId{2}, LeadId{3}});
  }

  SUBCASE("a claim limited to time zones skips other zones and leads with none") {
    REQUIRE(leads.add_leads(std::vector<Lead>{make_lead(1, kCampaignA, number(1), "America/New_York"),
                                              make_lead(2, kCampaignA, number(2), "America/Los_Angeles"),
                                              make_lead(3, kCampaignA, number(3), "")},
                            kT0));
    ClaimRequest r = claim(kCampaignA, "a", 10, kT0);
    r.time_zones = std::vector<std::string>{"America/New_York", "Europe/London"};
    CHECK(ids_of(leads.claim_leads(r).value()) == std::vector<LeadId>{LeadId{1}});
    r.time_zones = std::vector<std::string>{};
    CHECK(leads.claim_leads(r)->empty());
  }

  SUBCASE("claims follow the campaign's lead order") {
    REQUIRE(leads.add_leads(std::vector<Lead>{make_lead(1, kCampaignA, number(1), "", 0)}, kT0 + 3s));
    REQUIRE(leads.add_leads(std::vector<Lead>{make_lead(2, kCampaignA, number(2), "", 5)}, kT0 + 1s));
    REQUIRE(leads.add_leads(std::vector<Lead>{make_lead(3, kCampaignA, number(3), "", 9)}, kT0 + 2s));
    // Lead 2 has been tried once and is ready again at +1s.
    REQUIRE(leads.claim_leads(claim(kCampaignA, "x", 1, kT0 + 1s)));
    QueueUpdate u = update(LeadId{2}, QueueStatus::dialing, kT0 + 1s, "x");
    u.attempted = true;
    REQUIRE(leads.update_queue(u));
    u = update(LeadId{2}, QueueStatus::no_answer, kT0 + 1s, "x");
    u.ready_at = kT0 + 1s;
    REQUIRE(leads.update_queue(u));
    const WallTime now = kT0 + 10s;
    ClaimRequest r = claim(kCampaignA, "a", 3, now);
    SUBCASE("oldest first") {
      r.order = LeadOrder::oldest_first;
      CHECK(ids_of(leads.claim_leads(r).value()) ==
            std::vector<LeadId>{LeadId{2}, LeadId{3}, LeadId{1}});
    }
    SUBCASE("fewest attempts first") {
      r.order = LeadOrder::fewest_attempts_first;
      CHECK(ids_of(leads.claim_leads(r).value()) ==
            std::vector<LeadId>{LeadId{3}, LeadId{1}, LeadId{2}});
    }
    SUBCASE("priority first") {
      r.order = LeadOrder::priority_first;
      CHECK(ids_of(leads.claim_leads(r).value()) ==
            std::vector<LeadId>{LeadId{3}, LeadId{2}, LeadId{1}});
    }
  }

  SUBCASE("the call log keeps every field, replaces by id, and counts calls to a number") {
    CallLogStore& log = f.call_log();
    CHECK(log.max_call_id().value() == 0);
    CallRecord r;
    r.id = CallId{7};
    r.campaign = kCampaignA;
    r.agent = AgentId{3};
    r.lead = LeadId{1};
    r.carrier = CarrierId{2};
    r.number = "+14155550100";
    r.dialled = "914155550100";
    r.dial_string = "PJSIP/914155550100@trunk";
    r.state = CallState::ended;
    r.outcome = CallOutcome::busy;
    r.created_at = kT0;
    r.ringing_at = kT0 + 1s;
    r.answered_at = kT0 + 2s;
    r.bridged_at = kT0 + 3s;
    r.ended_at = kT0 + 4s;
    r.hangup_cause = 17;
    r.hangup_reason = "User busy";
    r.hung_up_by = HangupSide::customer;
    REQUIRE(log.save_call(r));
    r.state = CallState::dispositioned;
    r.disposition = "B";
    r.notes = "line busy twice";
    r.dispositioned_at = kT0 + 30s;
    r.auto_disposition = true;
    REQUIRE(log.save_call(r));
    CallRecord other = r;
    other.id = CallId{9};
    other.created_at = kT0 + 1h;
    REQUIRE(log.save_call(other));
    f.flush();
    const CallRecord back = log.find_call(CallId{7}).value();
    CHECK(back.campaign == r.campaign);
    CHECK(back.agent == r.agent);
    CHECK(back.lead == r.lead);
    CHECK(back.carrier == r.carrier);
    CHECK(back.number == r.number);
    CHECK(back.dialled == r.dialled);
    CHECK(back.dial_string == r.dial_string);
    CHECK(back.state == CallState::dispositioned);
    CHECK(back.outcome == CallOutcome::busy);
    CHECK(back.created_at == r.created_at);
    CHECK(back.ringing_at == r.ringing_at);
    CHECK(back.answered_at == r.answered_at);
    CHECK(back.bridged_at == r.bridged_at);
    CHECK(back.ended_at == r.ended_at);
    CHECK(back.dispositioned_at == r.dispositioned_at);
    CHECK(back.hangup_cause == 17);
    CHECK(back.hangup_reason == "User busy");
    CHECK(back.hung_up_by == HangupSide::customer);
    CHECK(back.disposition == "B");
    CHECK(back.notes == "line busy twice");
    CHECK(back.auto_disposition);
    CHECK(log.find_call(CallId{8}).error().code == Errc::not_found);
    CHECK(log.count_calls_to("+14155550100", kT0).value() == 2);
    CHECK(log.count_calls_to("+14155550100", kT0 + 1s).value() == 1);
    CHECK(log.count_calls_to("+12125551230", kT0).value() == 0);
    CHECK(log.max_call_id().value() == 9);
  }

  SUBCASE("abandonment by day counts a campaign's live answers and drops per shifted day") {
    CallLogStore& log = f.call_log();
    auto call = [&](std::uint64_t id, CampaignId campaign, WallTime answered, CallOutcome outcome,
                    AgentId agent = {}) {
      CallRecord r;
      r.id = CallId{id};
      r.campaign = campaign;
      r.agent = agent;
      r.number = "+14155550100";
      r.state = CallState::ended;
      r.outcome = outcome;
      r.created_at = answered == WallTime{} ? kT0 : answered - 10s;
      r.answered_at = answered;
      REQUIRE(log.save_call(r));
    };
    // kT0 is Monday 09:00 UTC.
    call(1, kCampaignA, kT0, CallOutcome::completed);
    call(2, kCampaignA, kT0 + 1min, CallOutcome::dropped);
    call(3, kCampaignA, kT0 + 2min, CallOutcome::machine);    // not a person
    call(4, kCampaignA, kT0 + 16h, CallOutcome::completed);   // Tuesday 01:00 UTC
    call(5, kCampaignB, kT0, CallOutcome::dropped);           // another campaign
    call(6, kCampaignA, WallTime{}, CallOutcome::no_answer);  // never answered
    call(7, kCampaignA, kT0 - 72h, CallOutcome::dropped);     // Friday
    // Taken by an agent, then the customer hung up before the agent's leg
    // came up: answered, not abandoned (as the engine's meter counts it).
    call(8, kCampaignA, kT0 + 3min, CallOutcome::dropped, AgentId{7});
    f.flush();
    const std::int64_t monday =
        std::chrono::floor<std::chrono::days>(kT0.time_since_epoch()).count();
    using Days = std::vector<AbandonmentDay>;
    CHECK(log.abandonment_by_day(kCampaignA, kT0 - 1h, 0min).value() ==
          Days{{monday, 3, 1}, {monday + 1, 1, 0}});
    // On New York's winter time (5 h west), Tuesday 01:00 UTC is still Monday.
    CHECK(log.abandonment_by_day(kCampaignA, kT0 - 1h, -300min).value() == Days{{monday, 4, 1}});
    CHECK(log.abandonment_by_day(kCampaignA, kT0 - 96h, 0min).value() ==
          Days{{monday - 3, 1, 1}, {monday, 3, 1}, {monday + 1, 1, 0}});
    CHECK(log.abandonment_by_day(kCampaignB, WallTime{}, 0min).value() == Days{{monday, 1, 1}});
    CHECK(log.abandonment_by_day(CampaignId{99}, WallTime{}, 0min).value().empty());
  }

  SUBCASE("SQL metacharacters and odd text in every field are stored as given") {
    const std::string nasty = "Robert'); DROP TABLE leads;-- \"%_\\ \xC3\xA9\t\n";
    Lead lead = make_lead(1, kCampaignA, "+14155550100", nasty);
    lead.fields = {{nasty, nasty}, {"notes", std::string(10000, 'x')}};
    REQUIRE(leads.add_leads(std::vector<Lead>{lead}, kT0));
    const Lead back = leads.find_lead(LeadId{1}).value();
    CHECK(back.time_zone == nasty);
    CHECK(back.fields == lead.fields);
    CHECK_FALSE(f.do_not_call().is_do_not_call(nasty, kCampaignA).value());
    CHECK(leads.claim_leads(claim(kCampaignA, nasty, 1, kT0)).value().size() == 1);
    CHECK(leads.queue_entry(LeadId{1})->lease_owner == nasty);
    CallRecord r;
    r.id = CallId{1};
    r.number = nasty;
    r.notes = nasty;
    r.disposition = nasty;
    r.hangup_reason = nasty;
    REQUIRE(f.call_log().save_call(r));
    f.flush();
    CHECK(f.call_log().find_call(CallId{1})->notes == nasty);
    CHECK(f.call_log().count_calls_to(nasty, WallTime{}).value() == 1);
  }

  SUBCASE("concurrent claimers never get the same lead, and together get every lead") {
    constexpr std::uint64_t kLeads = 2000;
    std::vector<Lead> batch;
    for (std::uint64_t i = 1; i <= kLeads; ++i) {
      batch.push_back(make_lead(i, kCampaignA, "+1212555" + std::to_string(1000000 + i).substr(1)));
    }
    REQUIRE(leads.add_leads(batch, kT0));
    constexpr int kThreads = 4;
    std::vector<std::vector<LeadId>> got(kThreads);
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::shared_ptr<LeadStore> mine = f.another_connection();
        for (;;) {
          auto batch_claimed =
              mine->claim_leads(claim(kCampaignA, "node-" + std::to_string(t), 25, kT0));
          if (!batch_claimed) {
            failed = true;
            return;
          }
          if (batch_claimed->empty()) return;
          for (const auto& c : *batch_claimed) got[static_cast<std::size_t>(t)].push_back(c.lead.id);
        }
      });
    }
    for (auto& th : threads) th.join();
    REQUIRE_FALSE(failed.load());
    std::set<LeadId> unique;
    std::size_t total = 0;
    for (const auto& g : got) {
      total += g.size();
      unique.insert(g.begin(), g.end());
    }
    CHECK(total == kLeads);
    CHECK(unique.size() == kLeads);
  }
}
