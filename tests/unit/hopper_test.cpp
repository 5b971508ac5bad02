// The hopper: bounded, refilled ahead of need, leased, renewed, released.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "dialer/hopper.hpp"
#include "dialer/testing/memory_store.hpp"

using namespace dialer;
using namespace std::chrono_literals;

namespace {

const CampaignId kCampaign{1};
// Monday 2026-01-05 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles.
const WallTime kNow = WallTime{std::chrono::seconds{1767625200}};

void add_leads(testing::MemoryStore& store, int count, const std::string& zone = "America/New_York",
               std::uint64_t first = 1) {
  std::vector<Lead> leads;
  for (int i = 0; i < count; ++i) {
    Lead l;
    l.id = LeadId{first + static_cast<std::uint64_t>(i)};
    l.campaign = kCampaign;
    l.phone = {"+1212555" + std::to_string(1000 + first + static_cast<std::uint64_t>(i)), "US"};
    l.time_zone = zone;
    leads.push_back(l);
  }
  REQUIRE(store.add_leads(leads, kNow - 1h));
}

HopperOptions options(std::size_t capacity) {
  HopperOptions o;
  o.campaign = kCampaign;
  o.owner = "node-a";
  o.capacity = capacity;
  o.lease = 60s;
  return o;
}

}  // namespace

TEST_SUITE("hopper") {
  TEST_CASE("a refill claims up to capacity, and only when below the low-water mark") {
    testing::MemoryStore store;
    add_leads(store, 20);
    Hopper h = Hopper::create(options(10)).value();
    CHECK(h.refill(store, kNow).value() == 10);
    CHECK(h.size() == 10);
    CHECK(store.queue_entry(LeadId{1})->lease_owner == "node-a");
    // Above half full: no claim.
    for (int i = 0; i < 5; ++i) REQUIRE(h.take());
    CHECK(h.refill(store, kNow).value() == 0);
    REQUIRE(h.take());
    CHECK(h.refill(store, kNow).value() == 6);
    CHECK(h.size() == 10);
  }

  TEST_CASE("leads come out in claim order and an empty campaign is reported") {
    testing::MemoryStore store;
    add_leads(store, 3);
    Hopper h = Hopper::create(options(10)).value();
    REQUIRE(h.refill(store, kNow));
    CHECK_FALSE(h.exhausted());
    CHECK(h.take()->lead.id == LeadId{1});
    CHECK(h.take()->lead.id == LeadId{2});
    CHECK(h.take()->lead.id == LeadId{3});
    CHECK_FALSE(h.take());
    CHECK(h.refill(store, kNow).value() == 0);
    CHECK(h.exhausted());
  }

  TEST_CASE("with calling hours, only leads whose local time is inside are claimed") {
    testing::MemoryStore store;
    add_leads(store, 2, "America/New_York", 1);
    add_leads(store, 2, "America/Los_Angeles", 10);
    add_leads(store, 1, "", 20);
    HopperOptions o = options(10);
    o.calling_hours = CallingHours{};
    Hopper h = Hopper::create(o).value();
    CHECK(h.refill(store, kNow).value() == 2);
    CHECK(h.take()->lead.time_zone == "America/New_York");
    // Three hours later Los Angeles is at 10:00 too (and the first leases have
    // expired); the lead without a time zone is still never claimed.
    Hopper later = Hopper::create(o).value();
    CHECK(later.refill(store, kNow + 3h + 1min).value() == 4);
    int los_angeles = 0;
    while (auto l = later.take()) los_angeles += l->lead.time_zone == "America/Los_Angeles";
    CHECK(los_angeles == 2);
  }

  TEST_CASE("leases are renewed while held, and lost ones leave the hopper") {
    testing::MemoryStore store;
    add_leads(store, 4);
    Hopper h = Hopper::create(options(4)).value();
    REQUIRE(h.refill(store, kNow));
    REQUIRE(h.renew(store, kNow + 10s));  // too early: nothing to do
    CHECK(store.queue_entry(LeadId{1})->lease_until == kNow + 60s);
    REQUIRE(h.renew(store, kNow + 30s));
    CHECK(store.queue_entry(LeadId{1})->lease_until == kNow + 90s);
    // The dialer stalls past the lease; another claims two of the leads.
    ClaimRequest r;
    r.campaign = kCampaign;
    r.owner = "node-b";
    r.limit = 2;
    r.now = kNow + 2min;
    REQUIRE(store.claim_leads(r).value().size() == 2);
    REQUIRE(h.renew(store, kNow + 2min));
    CHECK(h.size() == 2);
    CHECK(h.take()->lead.id == LeadId{3});
  }

  TEST_CASE("releasing gives every held lead back at once") {
    testing::MemoryStore store;
    add_leads(store, 3);
    Hopper h = Hopper::create(options(3)).value();
    REQUIRE(h.refill(store, kNow));
    REQUIRE(h.release_all(store));
    CHECK(h.empty());
    ClaimRequest r;
    r.campaign = kCampaign;
    r.owner = "node-b";
    r.now = kNow;
    CHECK(store.claim_leads(r).value().size() == 3);
  }

  TEST_CASE("a failed claim leaves the hopper as it was") {
    testing::MemoryStore store;
    add_leads(store, 3);
    Hopper h = Hopper::create(options(3)).value();
    store.fail_nth(testing::StoreOp::claim_leads, 1, Error{Errc::storage_error, "locked"});
    CHECK(h.refill(store, kNow).error().code == Errc::storage_error);
    CHECK(h.empty());
    CHECK(h.refill(store, kNow).value() == 3);
  }

  TEST_CASE("bad options are refused") {
    HopperOptions o = options(10);
    o.owner.clear();
    CHECK(Hopper::create(o).error().code == Errc::invalid_argument);
    o = options(0);
    CHECK_FALSE(Hopper::create(o));
    o = options(10);
    o.refill_below = 11;
    CHECK_FALSE(Hopper::create(o));
    o = options(10);
    o.lease = 1s;
    CHECK_FALSE(Hopper::create(o));
    o = options(10);
    o.calling_hours = CallingHours{21h, 8h};
    CHECK_FALSE(Hopper::create(o));
    CHECK(Hopper::create(options(10))->options().refill_below == 5);
  }
}
