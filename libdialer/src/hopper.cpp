#include "dialer/hopper.hpp"

#include <algorithm>
#include <vector>

namespace dialer {

Result<Hopper> Hopper::create(HopperOptions o) {
  if (!o.campaign.valid()) return Error{Errc::invalid_argument, "a hopper needs a campaign"};
  if (o.owner.empty()) return Error{Errc::invalid_argument, "a hopper needs an owner name"};
  if (o.capacity == 0) return Error{Errc::invalid_argument, "hopper capacity must be positive"};
  if (o.refill_below == 0) o.refill_below = std::max<std::size_t>(1, o.capacity / 2);
  if (o.refill_below > o.capacity) {
    return Error{Errc::invalid_argument, "refill_below cannot exceed the hopper's capacity"};
  }
  if (o.lease < std::chrono::seconds{3}) {
    return Error{Errc::invalid_argument, "a hopper lease must be at least 3 seconds"};
  }
  if (o.calling_hours) {
    if (auto valid = validate_calling_hours(*o.calling_hours); !valid) return valid.error();
  }
  return Hopper(std::move(o));
}

Result<std::size_t> Hopper::refill(LeadStore& store, WallTime now) {
  if (leads_.size() >= options_.refill_below) return std::size_t{0};
  ClaimRequest request;
  request.campaign = options_.campaign;
  request.owner = options_.owner;
  request.limit = options_.capacity - leads_.size();
  request.now = now;
  request.lease = options_.lease;
  request.order = options_.order;
  request.max_attempts = options_.max_attempts;
  if (options_.calling_hours) {
    request.time_zones = zones_within_calling_hours(all_time_zones(), now, *options_.calling_hours);
  }
  auto claimed = store.claim_leads(request);
  if (!claimed) return std::move(claimed).error();
  exhausted_ = claimed->empty();
  if (leads_.empty()) renewed_at_ = now;
  for (ClaimedLead& lead : *claimed) leads_.push_back(std::move(lead));
  return claimed->size();
}

std::optional<ClaimedLead> Hopper::take() {
  if (leads_.empty()) return std::nullopt;
  ClaimedLead lead = std::move(leads_.front());
  leads_.pop_front();
  return lead;
}

Result<void> Hopper::renew(LeadStore& store, WallTime now) {
  if (leads_.empty() || now - renewed_at_ < options_.lease / 3) return ok();
  std::vector<LeadId> ids;
  ids.reserve(leads_.size());
  for (const ClaimedLead& l : leads_) ids.push_back(l.lead.id);
  const WallTime until = now + options_.lease;
  auto renewed = store.renew_leases(options_.owner, ids, until);
  if (!renewed) return std::move(renewed).error();
  renewed_at_ = now;
  if (*renewed == ids.size()) {
    for (ClaimedLead& l : leads_) l.lease_until = until;
    return ok();
  }
  // Some leases were lost (this dialer stalled past their expiry and another
  // took them): find out which, and never dial those.
  std::deque<ClaimedLead> kept;
  for (ClaimedLead& l : leads_) {
    auto entry = store.queue_entry(l.lead.id);
    if (entry && entry->lease_owner == options_.owner) {
      l.lease_until = entry->lease_until;
      kept.push_back(std::move(l));
    }
  }
  leads_ = std::move(kept);
  return ok();
}

Result<void> Hopper::set_capacity(std::size_t capacity) {
  if (capacity == 0) return Error{Errc::invalid_argument, "hopper capacity must be positive"};
  options_.capacity = capacity;
  options_.refill_below = std::max<std::size_t>(1, capacity / 2);
  return ok();
}

Result<void> Hopper::release_all(LeadStore& store) {
  std::vector<LeadId> ids;
  ids.reserve(leads_.size());
  for (const ClaimedLead& l : leads_) ids.push_back(l.lead.id);
  if (auto released = store.release_leads(options_.owner, ids); !released) return released;
  leads_.clear();
  return ok();
}

}  // namespace dialer
