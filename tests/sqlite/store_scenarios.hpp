// Scenarios both SQL stores run against a real database, with real processes
// killed by SIGKILL: concurrent claimers in several processes, lease expiry
// after a claimer dies, and crash safety of the queued writes. Each takes a
// factory whose open() returns a new store (a new connection) on the same
// database; the PostgreSQL tests include this file too.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dialer/store.hpp"

namespace dialer::test {

using namespace std::chrono_literals;

inline std::string scenario_number(std::uint64_t i) {
  return "+1212" + std::to_string(5000000 + i % 4000000);
}

inline Lead make_lead_for_test(std::uint64_t i, CampaignId campaign) {
  Lead lead;
  lead.id = LeadId{i};
  lead.campaign = campaign;
  lead.phone = {scenario_number(i), "US"};
  lead.time_zone = "America/New_York";
  lead.fields = {{"first_name", "Lead " + std::to_string(i)}};
  return lead;
}

template <class Store>
void add_numbered_leads(Store& store, std::uint64_t count, WallTime ready) {
  std::vector<Lead> batch;
  batch.reserve(count);
  for (std::uint64_t i = 1; i <= count; ++i) batch.push_back(make_lead_for_test(i, CampaignId{1}));
  auto added = store.add_leads(batch, ready);
  REQUIRE_MESSAGE(added, (added ? "" : added.error().message()));
}

/// Runs `body` in a child process; returns its pid. The child never returns
/// into the test framework: it leaves with _exit (0 on success).
template <class Body>
pid_t spawn(Body body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  return pid;
}

inline int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline std::uint64_t test_seed() {
  if (const char* s = std::getenv("DIALER_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

/// `processes` × `threads` claimers (each its own store) drain `leads` leads;
/// every lead must be claimed exactly once.
template <class Factory>
void claim_everything_once(Factory& factory, int processes, int threads, std::uint64_t leads,
                           const std::string& dir) {
  {
    auto store = factory.open();
    add_numbered_leads(*store, leads, WallTime{1s});
  }
  const WallTime now = std::chrono::system_clock::now();
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    children.push_back(spawn([&, p] {
      std::vector<std::thread> workers;
      std::vector<int> failed(static_cast<std::size_t>(threads), 0);
      for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
          auto store = factory.open();
          std::ofstream out(dir + "/claimed-" + std::to_string(p) + "-" + std::to_string(t));
          ClaimRequest r;
          r.campaign = CampaignId{1};
          r.owner = "node-" + std::to_string(p) + "-" + std::to_string(t);
          r.limit = 500;
          r.now = now;
          r.lease = 3600s;
          for (;;) {
            auto got = store->claim_leads(r);
            if (!got) {
              std::fprintf(stderr, "claim failed: %s\n", got.error().message().c_str());
              failed[static_cast<std::size_t>(t)] = 1;
              return;
            }
            if (got->empty()) return;
            for (const auto& c : *got) out << c.lead.id.value << '\n';
          }
        });
      }
      for (auto& w : workers) w.join();
      for (int f : failed) {
        if (f != 0) return 1;
      }
      return 0;
    }));
  }
  for (pid_t c : children) CHECK(wait_for(c) == 0);
  std::set<std::uint64_t> unique;
  std::uint64_t total = 0;
  for (int p = 0; p < processes; ++p) {
    for (int t = 0; t < threads; ++t) {
      std::ifstream in(dir + "/claimed-" + std::to_string(p) + "-" + std::to_string(t));
      std::uint64_t id = 0;
      while (in >> id) {
        ++total;
        unique.insert(id);
      }
    }
  }
  CHECK(total == leads);
  CHECK(unique.size() == leads);
  if (!unique.empty()) {
    CHECK(*unique.begin() == 1);
    CHECK(*unique.rbegin() == leads);
  }
}

/// A claimer dies (SIGKILL) holding leases of `lease` length, some of its
/// leads mid-call; once the leases run out (real clock) another claimer gets
/// every one of them and finishes them.
template <class Factory>
void leases_of_a_killed_claimer_expire(Factory& factory, std::chrono::seconds lease) {
  constexpr std::uint64_t kLeads = 200;
  constexpr std::size_t kVictimClaims = 50;
  {
    auto store = factory.open();
    add_numbered_leads(*store, kLeads, WallTime{1s});
  }
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t victim = spawn([&] {
    auto store = factory.open();
    ClaimRequest r;
    r.campaign = CampaignId{1};
    r.owner = "victim";
    r.limit = kVictimClaims;
    r.now = std::chrono::system_clock::now();
    r.lease = lease;
    auto got = store->claim_leads(r);
    if (!got || got->size() != kVictimClaims) return 1;
    // Ten calls placed before it dies: dialing keeps the lease.
    for (std::size_t i = 0; i < 10; ++i) {
      QueueUpdate u;
      u.campaign = CampaignId{1};
      u.lead = (*got)[i].lead.id;
      u.status = QueueStatus::dialing;
      u.attempted = true;
      u.at = std::chrono::system_clock::now();
      u.owner = "victim";
      if (!store->update_queue(u)) return 1;
    }
    if (!store->flush()) return 1;
    char ok = 'k';
    if (::write(ready[1], &ok, 1) != 1) return 1;
    for (;;) ::pause();  // killed mid-batch, 40 leads unattempted
  });
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::close(ready[0]);
  ::close(ready[1]);
  const auto killed_at = std::chrono::system_clock::now();
  ::kill(victim, SIGKILL);
  CHECK(wait_for(victim) == 128 + SIGKILL);

  auto store = factory.open();
  std::set<std::uint64_t> victims;
  for (std::uint64_t id = 1; id <= kLeads; ++id) {
    auto e = store->queue_entry(LeadId{id});
    REQUIRE(e);
    if (e->lease_owner == "victim") victims.insert(id);
  }
  REQUIRE(victims.size() == kVictimClaims);
  ClaimRequest r;
  r.campaign = CampaignId{1};
  r.owner = "survivor";
  r.limit = 1000;
  r.lease = 600s;
  r.now = std::chrono::system_clock::now();
  auto others = store->claim_leads(r);
  REQUIRE(others);
  CHECK(others->size() == kLeads - kVictimClaims);
  for (const auto& c : *others) CHECK_FALSE(victims.contains(c.lead.id.value));

  std::this_thread::sleep_until(killed_at + lease + 500ms);
  r.now = std::chrono::system_clock::now();
  auto reclaimed = store->claim_leads(r);
  REQUIRE(reclaimed);
  std::set<std::uint64_t> got;
  for (const auto& c : *reclaimed) got.insert(c.lead.id.value);
  CHECK(got == victims);
  std::uint64_t call = 1;
  for (const auto& c : *reclaimed) {
    QueueUpdate u;
    u.campaign = CampaignId{1};
    u.lead = c.lead.id;
    u.status = QueueStatus::dialing;
    u.attempted = true;
    u.call = CallId{call++};
    u.at = std::chrono::system_clock::now();
    u.owner = "survivor";
    REQUIRE(store->update_queue(u));
    u.status = QueueStatus::completed;
    u.attempted = false;
    REQUIRE(store->update_queue(u));
  }
  REQUIRE(store->flush());
  std::size_t twice = 0;
  for (std::uint64_t id : victims) {
    auto e = store->queue_entry(LeadId{id});
    REQUIRE(e);
    CHECK(e->status == QueueStatus::completed);
    CHECK(e->lease_owner.empty());
    if (e->attempts == 2) ++twice;
  }
  CHECK(twice == 10);  // the ten calls the victim placed still count
}

/// SIGKILLs a writer at `kills` random points during `calls` call-log writes
/// (each with its queue updates); after every restart the database opens,
/// every write acknowledged by flush() is there, and the queue rows agree
/// with the call log.
template <class Factory>
void acknowledged_writes_survive_sigkill(Factory& factory, std::uint64_t calls, int kills) {
  const std::uint64_t seed = test_seed();
  MESSAGE("crash-safety seed: ", seed, " (set DIALER_TEST_SEED to repeat)");
  std::mt19937_64 rng(seed);
  constexpr std::uint64_t kChunk = 100;
  const std::uint64_t leads = calls + static_cast<std::uint64_t>(kills + 1) * kChunk;
  const WallTime t0 = WallTime{std::chrono::seconds{1767603600}};
  {
    auto store = factory.open();
    add_numbered_leads(*store, leads, t0);
  }
  const std::string number = "+14155550100";
  // The writer: claims a chunk of leads, places a call to each (dialing,
  // call row, completed), flushes, then reports the last acknowledged id.
  auto writer = [&](int report_fd) {
    auto store = factory.open();
    auto first = store->max_call_id();
    if (!first) return 1;
    std::uint64_t id = *first + 1;
    const std::string owner = "writer-" + std::to_string(::getpid());
    while (id <= calls) {
      ClaimRequest r;
      r.campaign = CampaignId{1};
      r.owner = owner;
      r.limit = kChunk;
      r.now = t0 + 1s;
      r.lease = 600s;
      auto got = store->claim_leads(r);
      if (!got || got->empty()) return 3;
      for (const auto& c : *got) {
        if (id > calls) break;
        QueueUpdate u;
        u.campaign = CampaignId{1};
        u.lead = c.lead.id;
        u.status = QueueStatus::dialing;
        u.attempted = true;
        u.call = CallId{id};
        u.at = t0 + 2s;
        u.owner = owner;
        if (!store->update_queue(u)) return 4;
        CallRecord rec;
        rec.id = CallId{id};
        rec.campaign = CampaignId{1};
        rec.lead = c.lead.id;
        rec.number = number;
        rec.state = CallState::ended;
        rec.outcome = CallOutcome::completed;
        rec.created_at = t0;
        if (!store->save_call(rec)) return 5;
        u.status = QueueStatus::completed;
        u.attempted = false;
        if (!store->update_queue(u)) return 6;
        ++id;
      }
      if (!store->flush()) return 7;
      const std::uint64_t acked = id - 1;
      if (::write(report_fd, &acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) return 8;
    }
    return 0;
  };

  std::uint64_t acked = 0;
  for (int round = 0; round <= kills; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = spawn([&] {
      ::close(fds[0]);
      return writer(fds[1]);
    });
    ::close(fds[1]);
    const bool last = round == kills;
    // Kill after a random number of acknowledged chunks, then a random
    // few hundred microseconds into the next one (mid-batch).
    const std::uint64_t remaining_chunks = (calls - acked) / kChunk;
    const std::uint64_t chunks =
        last ? UINT64_MAX
             : std::uniform_int_distribution<std::uint64_t>(
                   0, std::max<std::uint64_t>(1, remaining_chunks / 4))(rng);
    std::uint64_t seen = 0;
    std::uint64_t report = 0;
    while (seen < chunks && ::read(fds[0], &report, sizeof report) == sizeof report) {
      acked = std::max(acked, report);
      ++seen;
    }
    if (!last) {
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
      ::kill(child, SIGKILL);
    }
    const int status = wait_for(child);
    while (::read(fds[0], &report, sizeof report) == sizeof report) acked = std::max(acked, report);
    ::close(fds[0]);
    if (last) CHECK(status == 0);

    // Restart: the database opens, every acknowledged call is there, and
    // the log is a prefix 1..max (writes commit in order).
    auto store = factory.open();
    const std::uint64_t max = store->max_call_id().value();
    INFO("round ", round, ", acknowledged ", acked, ", stored ", max);
    CHECK(max >= acked);
    CHECK(store->count_calls_to(number, t0).value() == max);
    if (acked > 0) CHECK(store->find_call(CallId{acked}));
  }
  // Queue rows agree with the call log.
  auto store = factory.open();
  CHECK(store->max_call_id().value() == calls);
  std::uint64_t completed = 0;
  for (std::uint64_t id = 1; id <= leads; ++id) {
    const QueueEntry e = store->queue_entry(LeadId{id}).value();
    INFO("lead ", id);
    switch (e.status) {
      case QueueStatus::completed: {
        ++completed;
        CHECK_FALSE(e.ready_at.has_value());
        CHECK(e.lease_owner.empty());
        CHECK(e.attempts == 1);
        auto call = store->find_call(e.last_call);
        REQUIRE(call);
        CHECK(call->lead == e.lead);
        break;
      }
      case QueueStatus::dialing:  // a call in progress when its writer died
        CHECK_FALSE(e.lease_owner.empty());
        CHECK(e.attempts == 1);
        break;
      case QueueStatus::pending:
        CHECK(e.attempts == 0);
        CHECK_FALSE(e.last_call.valid());
        break;
      default: FAIL("unexpected status ", to_string(e.status));
    }
  }
  CHECK(completed <= calls);
  CHECK(completed + static_cast<std::uint64_t>(kills) * 2 >= calls);  // at most a few lost per kill
}

}  // namespace dialer::test
