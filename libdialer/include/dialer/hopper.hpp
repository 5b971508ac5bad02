// The hopper: a campaign's bounded queue of leads ready to dial, refilled from
// the store ahead of need so that an available agent never waits on storage.
//
// Leads in the hopper are leased to this dialer (queue.hpp): no other dialer
// can claim them while the lease lives, and the hopper renews the leases while
// it holds them. Refills claim only leads whose time zone is inside calling
// hours now, when the options say so; the compliance gate still checks each
// lead again just before it is dialled.
//
// Threading: used from the engine's thread; the store it is given may be
// shared with other threads and processes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "dialer/calling_hours.hpp"
#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/queue.hpp"
#include "dialer/store.hpp"

namespace dialer {

struct HopperOptions {
  CampaignId campaign;
  /// This dialer's lease owner name.
  std::string owner = "dialer";
  /// Leads held at most. Default 500.
  std::size_t capacity = 500;
  /// Refill when fewer than this many are held; 0 means capacity / 2.
  std::size_t refill_below = 0;
  /// Each claim's lease; renewed once a third of it has passed.
  std::chrono::seconds lease{600};
  LeadOrder order = LeadOrder::oldest_first;
  /// Leads with this many attempts are not claimed; 0: no cap.
  std::uint32_t max_attempts = 0;
  /// When set, only leads in time zones inside these hours are claimed.
  std::optional<CallingHours> calling_hours;
};

class Hopper {
 public:
  /// Errors: Errc::invalid_argument (zero campaign, empty owner, zero capacity,
  /// refill_below above capacity, a lease under 3 s).
  static Result<Hopper> create(HopperOptions options);

  /// Claims up to capacity when fewer than refill_below leads are held.
  /// Returns how many leads were added (0 when none was due or none was
  /// claimable: see exhausted()). Errors: those of LeadStore::claim_leads;
  /// the hopper is unchanged then.
  Result<std::size_t> refill(LeadStore& store, WallTime now);
  /// The next lead to dial, oldest claim first; nullopt when empty.
  std::optional<ClaimedLead> take();
  std::size_t size() const { return leads_.size(); }
  bool empty() const { return leads_.empty(); }
  /// The last refill that claimed found nothing: the campaign has run dry.
  bool exhausted() const { return exhausted_; }

  /// Renews the leases of held leads once a third of the lease has passed
  /// since the last renewal. Leads whose lease was lost (renewed by nobody:
  /// another dialer took them after it expired) are dropped from the hopper.
  /// Errors: those of LeadStore::renew_leases.
  Result<void> renew(LeadStore& store, WallTime now);
  /// Changes how many leads the hopper aims to hold (refill below half of
  /// it); leads already held are kept. Errors: Errc::invalid_argument for 0.
  Result<void> set_capacity(std::size_t capacity);
  /// Gives every held lead back (campaign stopped, shutting down).
  Result<void> release_all(LeadStore& store);

  const HopperOptions& options() const { return options_; }

 private:
  explicit Hopper(HopperOptions options) : options_(std::move(options)) {}

  HopperOptions options_;
  std::deque<ClaimedLead> leads_;
  WallTime renewed_at_{};
  bool exhausted_ = false;
};

}  // namespace dialer
