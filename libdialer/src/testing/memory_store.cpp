#include "dialer/testing/memory_store.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>
#include <utility>

#include "../internal/enum_names.hpp"
#include "dialer/abandonment.hpp"
#include "dialer/phone_number.hpp"

namespace dialer::testing {
namespace {

constexpr internal::NameTable<StoreOp, 15> kOpNames{{
    {StoreOp::find_lead, "find_lead"},
    {StoreOp::find_lead_by_phone, "find_lead_by_phone"},
    {StoreOp::add_leads, "add_leads"},
    {StoreOp::claim_leads, "claim_leads"},
    {StoreOp::renew_leases, "renew_leases"},
    {StoreOp::release_leads, "release_leads"},
    {StoreOp::update_queue, "update_queue"},
    {StoreOp::queue_entry, "queue_entry"},
    {StoreOp::add_do_not_call, "add_do_not_call"},
    {StoreOp::is_do_not_call, "is_do_not_call"},
    {StoreOp::save_call, "save_call"},
    {StoreOp::find_call, "find_call"},
    {StoreOp::count_calls_to, "count_calls_to"},
    {StoreOp::max_call_id, "max_call_id"},
    {StoreOp::abandonment_by_day, "abandonment_by_day"},
}};

// dialing and answered are the statuses of a call in progress: the dialer
// keeps its lease and the row its ready time.
bool in_progress(QueueStatus s) { return s == QueueStatus::dialing || s == QueueStatus::answered; }

bool lease_live(const QueueEntry& e, WallTime now) {
  return !e.lease_owner.empty() && e.lease_until > now;
}

}  // namespace

const char* to_string(StoreOp op) noexcept { return internal::name_of(kOpNames, op); }
bool from_string(std::string_view s, StoreOp& out) noexcept {
  return internal::parse_name(kOpNames, s, out);
}

namespace {

constexpr std::size_t kMaxQueueLanes = 16;

// Claim order; the generation only orders a live entry among stale ones.
template <class Key>
bool comes_before(const Key& a, const Key& b) {
  if (a.at != b.at) return a.at < b.at;
  if (a.lead != b.lead) return a.lead.value < b.lead.value;
  return a.generation < b.generation;
}

// The order lanes keep: claim order, or time alone (see QueueIndex).
template <class Index, class Key>
bool lane_before(const Index& index, const Key& a, const Key& b) {
  return index.by_time_only ? a.at < b.at : comes_before(a, b);
}

// The lane holding the earliest key; requires: some lane.
template <class Index>
auto& earliest_lane(Index& index) {
  auto* best = &index.lanes.front();
  for (auto& lane : index.lanes) {
    if (lane_before(index, lane.front(), best->front())) best = &lane;
  }
  return *best;
}

// Adds a key to the lane whose last key is the latest one not after it
// (every lane stays sorted); a key before every lane's last starts a lane.
template <class Index, class Key>
void add_key(Index& index, const Key& key) {
  decltype(&index.lanes.front()) chosen = nullptr;
  for (auto& lane : index.lanes) {
    if (!lane_before(index, key, lane.back()) &&
        (chosen == nullptr || lane_before(index, chosen->back(), lane.back()))) {
      chosen = &lane;
    }
  }
  if (chosen == nullptr) chosen = &index.lanes.emplace_back();
  chosen->push_back(key);
  ++index.entries;
}

}  // namespace

MemoryStore::Row* MemoryStore::Rows::find(LeadId id) {
  return const_cast<Row*>(std::as_const(*this).find(id));
}

const MemoryStore::Row* MemoryStore::Rows::find(LeadId id) const {
  if (id.value >= 1 && id.value <= dense_.size()) return &dense_[id.value - 1];
  auto it = other_.find(id);
  return it == other_.end() ? nullptr : &it->second;
}

std::pair<MemoryStore::Row*, bool> MemoryStore::Rows::try_emplace(LeadId id) {
  if (Row* row = find(id)) return {row, false};
  // The next id in sequence joins the deque (every id before it is there);
  // it cannot be in the map, which find() has just searched.
  if (id.value == dense_.size() + 1) return {&dense_.emplace_back(), true};
  return {&other_.try_emplace(id).first->second, true};
}

bool MemoryStore::is_current(const QueueKey& key) const {
  const Row* row = rows_.find(key.lead);
  return row != nullptr && row->queue_generation == key.generation;
}

// Drops the stale entries; too many lanes (keys that came far out of
// order) are merged back into one.
void MemoryStore::sweep(QueueIndex& index) {
  auto stale = [this](const QueueKey& k) { return !is_current(k); };
  if (index.lanes.size() > kMaxQueueLanes) {
    std::vector<QueueKey> all;
    all.reserve(index.entries);
    for (auto& lane : index.lanes) {
      std::copy_if(lane.begin(), lane.end(), std::back_inserter(all),
                   [&](const QueueKey& k) { return !stale(k); });
    }
    std::sort(all.begin(), all.end(),
              [](const QueueKey& a, const QueueKey& b) { return comes_before(a, b); });
    index.lanes.clear();
    if (!all.empty()) index.lanes.emplace_back(all.begin(), all.end());
  } else {
    for (auto& lane : index.lanes) std::erase_if(lane, stale);
    std::erase_if(index.lanes, [](const auto& lane) { return lane.empty(); });
  }
  index.entries = 0;
  for (const auto& lane : index.lanes) index.entries += lane.size();
}

void MemoryStore::index_queue(Row& row) {
  const QueueEntry& e = row.entry;
  QueueIndex* index = nullptr;
  WallTime at;
  CampaignQueue& q = queues_[e.campaign];
  if (!e.lease_owner.empty()) {
    index = &q.leased;
    at = e.lease_until;
  } else if (e.ready_at) {
    index = &q.ready;
    at = *e.ready_at;
  } else {
    return;
  }
  ++row.queue_generation;
  ++index->live;
  add_key(*index, QueueKey{at, e.lead, row.queue_generation});
  if (index->entries > 2 * index->live + 64 || index->lanes.size() > kMaxQueueLanes) {
    sweep(*index);
  }
}

void MemoryStore::unindex_queue(Row& row) {
  const QueueEntry& e = row.entry;
  CampaignQueue& q = queues_[e.campaign];
  if (!e.lease_owner.empty()) {
    --q.leased.live;
  } else if (e.ready_at) {
    --q.ready.live;
  } else {
    return;
  }
  ++row.queue_generation;  // its entry, wherever it sits, is stale now
}

Result<void> MemoryStore::maybe_fail(StoreOp op) {
  auto [first, last] = failures_.equal_range(op);
  for (auto it = first; it != last; ++it) {
    if (--it->second.first == 0) {
      Error e = std::move(it->second.second);
      failures_.erase(it);
      return e;
    }
  }
  return ok();
}

void MemoryStore::fail_nth(StoreOp op, std::size_t nth, Error error) {
  std::lock_guard lock(mutex_);
  failures_.emplace(op, std::make_pair(nth == 0 ? 1 : nth, std::move(error)));
}

void MemoryStore::keep_history(bool on) {
  std::lock_guard lock(mutex_);
  keep_history_ = on;
}

void MemoryStore::index(const Lead& lead) {
  if (!phone_index_built_) return;
  by_last_ten_.emplace(last_ten_digits(lead.phone.e164), lead.id);
}

void MemoryStore::unindex(const Lead& lead) {
  if (!phone_index_built_) return;
  auto [first, last] = by_last_ten_.equal_range(last_ten_digits(lead.phone.e164));
  for (auto it = first; it != last; ++it) {
    if (it->second == lead.id) {
      by_last_ten_.erase(it);
      return;
    }
  }
}

bool MemoryStore::on_do_not_call(const std::string& e164, CampaignId campaign) const {
  if (do_not_call_.empty()) return false;  // no key to build for an empty list
  return do_not_call_.contains({e164, CampaignId{}}) || do_not_call_.contains({e164, campaign});
}

Result<void> MemoryStore::add_lead(const Lead& lead) {
  // Ready since the epoch's first second: claimable at any time.
  auto added = add_leads(std::span<const Lead>(&lead, 1), WallTime{std::chrono::seconds{1}});
  if (!added) return std::move(added).error();
  return ok();
}

Result<std::vector<LeadId>> MemoryStore::add_leads(std::span<const Lead> leads, WallTime now) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::add_leads); !failed) return std::move(failed).error();
  for (const Lead& lead : leads) {
    if (lead.phone.e164.empty()) return Error{Errc::invalid_argument, "a lead has no number"};
    if (!lead.campaign.valid()) return Error{Errc::invalid_argument, "a lead has no campaign"};
  }
  std::vector<LeadId> ids;
  ids.reserve(leads.size());
  for (const Lead& given : leads) {
    const LeadId id = given.id.valid() ? given.id : LeadId{last_lead_id_ + 1};
    last_lead_id_ = std::max(last_lead_id_, id.value);
    // The lead is copied once, into its row (a simulated day adds 325,000).
    auto [found, added] = rows_.try_emplace(id);
    Row& row = *found;
    if (added) {  // a new queue row, ready now
      row.entry.lead = id;
      row.entry.ready_at = now;
    } else {  // replaced: the queue row keeps its status, attempts and times
      unindex(row.lead);
      unindex_queue(row);
    }
    row.lead = given;
    row.lead.id = id;
    row.entry.campaign = given.campaign;
    index(row.lead);
    index_queue(row);
    ids.push_back(id);
  }
  return ids;
}

Result<Lead> MemoryStore::find_lead(LeadId id) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::find_lead); !failed) return std::move(failed).error();
  const Row* row = rows_.find(id);
  if (row == nullptr) return Error{Errc::not_found, "no lead " + to_string(id)};
  return row->lead;
}

Result<std::vector<Lead>> MemoryStore::search_leads(const LeadSearch& search) {
  std::lock_guard lock(mutex_);
  std::vector<const Lead*> found;
  rows_.for_each([&](const Row& row) {
    if (row.lead.id.value > search.after.value && lead_matches(row.lead, search)) {
      found.push_back(&row.lead);
    }
  });
  const std::size_t n = std::min({search.limit, kMaxLeadSearchResults, found.size()});
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(n), found.end(),
                    [](const Lead* a, const Lead* b) { return a->id.value < b->id.value; });
  std::vector<Lead> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(*found[i]);
  return out;
}

Result<Lead> MemoryStore::find_lead_by_phone(std::string_view last_ten, CampaignId campaign) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::find_lead_by_phone); !failed) {
    return std::move(failed).error();
  }
  if (!phone_index_built_) {
    phone_index_built_ = true;
    by_last_ten_.reserve(rows_.size());
    rows_.for_each([this](const Row& row) { index(row.lead); });
  }
  auto [first, last] = by_last_ten_.equal_range(std::string(last_ten));
  const Lead* best = nullptr;
  // The campaign's own lead first, then the lowest id: the answer never
  // depends on hash order.
  auto rank = [campaign](const Lead& l) { return std::make_tuple(l.campaign != campaign, l.id); };
  for (auto it = first; it != last; ++it) {
    const Lead& lead = rows_.find(it->second)->lead;
    if (best == nullptr || rank(lead) < rank(*best)) best = &lead;
  }
  if (best == nullptr) {
    return Error{Errc::not_found, "no lead with a number ending in " + std::string(last_ten)};
  }
  return *best;
}

Result<std::vector<ClaimedLead>> MemoryStore::claim_leads(const ClaimRequest& r) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::claim_leads); !failed) return std::move(failed).error();
  if (r.owner.empty()) return Error{Errc::invalid_argument, "a claim needs an owner"};
  std::vector<Row*> candidates;
  // The zone list may hold every zone there is (calling hours cover the whole
  // day) and neighbouring rows mostly share a zone: the last zone's answer is
  // kept rather than searching the list for every row.
  std::optional<std::string_view> last_zone;
  bool last_zone_allowed = false;
  auto zone_allowed = [&](const std::string& zone) {
    if (last_zone != zone) {
      last_zone = zone;
      last_zone_allowed =
          std::find(r.time_zones->begin(), r.time_zones->end(), zone) != r.time_zones->end();
    }
    return last_zone_allowed;
  };
  auto consider = [&](Row& row) {
    const QueueEntry& e = row.entry;
    if (!e.ready_at || *e.ready_at > r.now || lease_live(e, r.now)) return;
    if (r.max_attempts != 0 && e.attempts >= r.max_attempts) return;
    if (on_do_not_call(row.lead.phone.e164, r.campaign)) return;
    if (r.time_zones && !zone_allowed(row.lead.time_zone)) return;
    candidates.push_back(&row);
  };
  CampaignQueue& queue = queues_[r.campaign];
  // Due entries are taken off the lanes' fronts in claim order; the live
  // ones go back (at the front: nothing left comes before them) before any
  // row moves.
  std::vector<QueueKey> taken;
  auto take_due = [&](QueueIndex& index) -> Row* {
    while (!index.lanes.empty()) {
      auto& lane = earliest_lane(index);
      if (lane.front().at > r.now) return nullptr;
      const QueueKey key = lane.front();
      lane.pop_front();
      --index.entries;
      if (lane.empty()) index.lanes.erase(index.lanes.begin() + (&lane - index.lanes.data()));
      Row* row = rows_.find(key.lead);
      if (row == nullptr || row->queue_generation != key.generation) continue;
      taken.push_back(key);
      return row;
    }
    return nullptr;
  };
  auto put_back = [&](QueueIndex& index) {
    if (taken.empty()) return;
    if (index.lanes.empty()) index.lanes.emplace_back();
    auto& lane = index.lanes.front();
    for (auto k = taken.rbegin(); k != taken.rend(); ++k) lane.push_front(*k);
    index.entries += taken.size();
    taken.clear();
  };
  // Leases that ran out make their rows claimable again.
  while (Row* row = take_due(queue.leased)) consider(*row);
  put_back(queue.leased);
  const std::size_t expired = candidates.size();
  while (true) {
    // In ready order, the first `limit` rows that pass are the oldest.
    if (r.order == LeadOrder::oldest_first && candidates.size() - expired >= r.limit) break;
    Row* row = take_due(queue.ready);
    if (row == nullptr) break;
    consider(*row);
  }
  put_back(queue.ready);
  auto key = [order = r.order](const Row* row) {
    const QueueEntry& e = row->entry;
    switch (order) {
      case LeadOrder::fewest_attempts_first:
        return std::make_tuple(std::int64_t{e.attempts}, *e.ready_at, e.lead);
      case LeadOrder::priority_first:
        return std::make_tuple(-std::int64_t{row->lead.priority}, *e.ready_at, e.lead);
      case LeadOrder::oldest_first: break;
    }
    return std::make_tuple(std::int64_t{0}, *e.ready_at, e.lead);
  };
  const std::size_t n = std::min(r.limit, candidates.size());
  const auto before = [&](const Row* a, const Row* b) { return key(a) < key(b); };
  // Oldest first, the rows were taken in claim order already (no two rows
  // share a key): the heap sort of a sorted list would change nothing.
  if (!std::is_sorted(candidates.begin(), candidates.end(), before)) {
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n),
                      candidates.end(), before);
  }
  std::vector<ClaimedLead> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    QueueEntry& e = candidates[i]->entry;
    unindex_queue(*candidates[i]);
    e.lease_owner = r.owner;
    e.lease_until = r.now + r.lease;
    index_queue(*candidates[i]);
    out.push_back({candidates[i]->lead, e.attempts, e.lease_until});
  }
  return out;
}

Result<std::size_t> MemoryStore::renew_leases(std::string_view owner,
                                              std::span<const LeadId> leads, WallTime until) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::renew_leases); !failed) return std::move(failed).error();
  std::size_t renewed = 0;
  for (LeadId id : leads) {
    Row* row = rows_.find(id);
    if (row == nullptr || row->entry.lease_owner != owner || owner.empty()) continue;
    unindex_queue(*row);
    row->entry.lease_until = until;
    index_queue(*row);
    ++renewed;
  }
  return renewed;
}

Result<void> MemoryStore::release_leads(std::string_view owner, std::span<const LeadId> leads) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::release_leads); !failed) return failed;
  for (LeadId id : leads) {
    Row* row = rows_.find(id);
    if (row == nullptr || row->entry.lease_owner != owner) continue;
    unindex_queue(*row);
    row->entry.lease_owner.clear();
    row->entry.lease_until = {};
    index_queue(*row);
  }
  return ok();
}

Result<void> MemoryStore::update_queue(const QueueUpdate& u) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::update_queue); !failed) return failed;
  Row* found = rows_.find(u.lead);
  if (found == nullptr) {
    return Error{Errc::not_found, "no queue row for lead " + to_string(u.lead)};
  }
  Row& row = *found;
  QueueEntry& e = row.entry;
  if (!u.owner.empty() && e.lease_owner != u.owner && lease_live(e, u.at)) {
    return Error{Errc::conflict, "lead " + to_string(u.lead) + " is held by " + e.lease_owner};
  }
  // A call in progress keeps the row's lease and ready time, and so its place
  // in the queue index: only the call's end moves the row. (Re-indexing it
  // for dialing and answered too cost two set operations per attempt.)
  const bool moves = !in_progress(u.status);
  if (moves) unindex_queue(row);
  e.status = u.status;
  if (u.call.valid()) e.last_call = u.call;
  if (u.attempted) ++e.attempts;
  if (moves) {
    e.ready_at = u.ready_at;
    e.lease_owner.clear();
    e.lease_until = {};
    index_queue(row);
  }
  if (keep_history_) history_[u.lead].push_back(u);
  return ok();
}

Result<QueueEntry> MemoryStore::queue_entry(LeadId lead) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::queue_entry); !failed) return std::move(failed).error();
  const Row* row = rows_.find(lead);
  if (row == nullptr) return Error{Errc::not_found, "no queue row for lead " + to_string(lead)};
  return row->entry;
}

Result<void> MemoryStore::add_do_not_call(std::string_view e164, CampaignId campaign) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::add_do_not_call); !failed) return failed;
  if (e164.empty()) return Error{Errc::invalid_argument, "no number"};
  do_not_call_.emplace(std::string(e164), campaign);
  return ok();
}

Result<bool> MemoryStore::is_do_not_call(std::string_view e164, CampaignId campaign) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::is_do_not_call); !failed) return std::move(failed).error();
  return on_do_not_call(std::string(e164), campaign);
}

Result<void> MemoryStore::save_call(const CallRecord& record) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::save_call); !failed) return failed;
  if (keep_history_) calls_.insert_or_assign(record.id, record);
  return ok();
}

Result<CallRecord> MemoryStore::find_call(CallId id) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::find_call); !failed) return std::move(failed).error();
  auto it = calls_.find(id);
  if (it == calls_.end()) return Error{Errc::not_found, "no call " + to_string(id)};
  return it->second;
}

Result<std::uint32_t> MemoryStore::count_calls_to(std::string_view e164, WallTime since) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::count_calls_to); !failed) return std::move(failed).error();
  std::uint32_t n = 0;
  for (const auto& [id, record] : calls_) {
    if (record.number == e164 && record.created_at >= since) ++n;
  }
  return n;
}

Result<std::vector<AbandonmentDay>> MemoryStore::abandonment_by_day(
    CampaignId campaign, WallTime since, std::chrono::minutes day_offset) {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::abandonment_by_day); !failed)
    return std::move(failed).error();
  std::map<std::int64_t, AbandonmentDay> days;
  const WallTime earliest = std::max(since, WallTime{} + std::chrono::nanoseconds{1});
  for (const auto& [id, r] : calls_) {
    if (r.campaign != campaign || r.answered_at < earliest || r.outcome == CallOutcome::machine)
      continue;
    const std::int64_t day = AbandonmentMeter::day_of(r.answered_at, day_offset);
    AbandonmentDay& d = days[day];
    d.day = day;
    ++d.answered;
    if (r.outcome == CallOutcome::dropped && !r.agent.valid()) ++d.abandoned;
  }
  std::vector<AbandonmentDay> out;
  for (auto& [day, d] : days) out.push_back(d);
  return out;
}

Result<std::uint64_t> MemoryStore::max_call_id() {
  std::lock_guard lock(mutex_);
  if (auto failed = maybe_fail(StoreOp::max_call_id); !failed) return std::move(failed).error();
  return calls_.empty() ? std::uint64_t{0} : calls_.rbegin()->first.value;
}

std::optional<QueueStatus> MemoryStore::queue_status(LeadId lead) const {
  std::lock_guard lock(mutex_);
  const Row* row = rows_.find(lead);
  if (row == nullptr) return std::nullopt;
  return row->entry.status;
}

std::vector<QueueUpdate> MemoryStore::queue_history(LeadId lead) const {
  std::lock_guard lock(mutex_);
  auto it = history_.find(lead);
  return it == history_.end() ? std::vector<QueueUpdate>{} : it->second;
}

std::optional<CallRecord> MemoryStore::call(CallId id) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(id);
  if (it == calls_.end()) return std::nullopt;
  return it->second;
}

std::size_t MemoryStore::call_count() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

std::vector<CallRecord> MemoryStore::calls() const {
  std::lock_guard lock(mutex_);
  std::vector<CallRecord> out;
  out.reserve(calls_.size());
  for (const auto& [id, record] : calls_) out.push_back(record);
  return out;
}

}  // namespace dialer::testing
