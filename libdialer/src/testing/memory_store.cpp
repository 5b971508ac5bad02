#include "dialer/testing/memory_store.hpp"

#include "dialer/phone_number.hpp"

#include "../internal/enum_names.hpp"

namespace dialer::testing {
namespace {

constexpr internal::NameTable<StoreOp, 4> kOpNames{{
    {StoreOp::find_lead, "find_lead"},
    {StoreOp::find_lead_by_phone, "find_lead_by_phone"},
    {StoreOp::update_queue, "update_queue"},
    {StoreOp::save_call, "save_call"},
}};

}  // namespace

const char* to_string(StoreOp op) noexcept { return internal::name_of(kOpNames, op); }
bool from_string(std::string_view s, StoreOp& out) noexcept {
  return internal::parse_name(kOpNames, s, out);
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
  failures_.emplace(op, std::make_pair(nth, std::move(error)));
}

Result<void> MemoryStore::add_lead(const Lead& lead) {
  if (!lead.id.valid()) return Error{Errc::invalid_argument, "lead id must be non-zero"};
  if (lead.phone.e164.empty()) return Error{Errc::invalid_argument, "lead has no number"};
  if (auto old = leads_.find(lead.id); old != leads_.end()) {
    auto [first, last] = by_last_ten_.equal_range(last_ten_digits(old->second.phone.e164));
    for (auto it = first; it != last; ++it) {
      if (it->second == lead.id) {
        by_last_ten_.erase(it);
        break;
      }
    }
  }
  leads_.insert_or_assign(lead.id, lead);
  by_last_ten_.emplace(last_ten_digits(lead.phone.e164), lead.id);
  queue_.insert_or_assign(lead.id, QueueStatus::pending);
  return ok();
}

Result<Lead> MemoryStore::find_lead(LeadId id) {
  if (auto failed = maybe_fail(StoreOp::find_lead); !failed) return std::move(failed).error();
  auto it = leads_.find(id);
  if (it == leads_.end()) return Error{Errc::not_found, "no lead " + to_string(id)};
  return it->second;
}

Result<Lead> MemoryStore::find_lead_by_phone(std::string_view last_ten, CampaignId campaign) {
  if (auto failed = maybe_fail(StoreOp::find_lead_by_phone); !failed) {
    return std::move(failed).error();
  }
  auto [first, last] = by_last_ten_.equal_range(std::string(last_ten));
  const Lead* best = nullptr;
  for (auto it = first; it != last; ++it) {
    const Lead& lead = leads_.at(it->second);
    // Prefer the campaign's own lead; among equals, the lowest id, so the
    // answer does not depend on hash order.
    const bool better = best == nullptr || (lead.campaign == campaign) > (best->campaign == campaign) ||
                        ((lead.campaign == campaign) == (best->campaign == campaign) && lead.id < best->id);
    if (better) best = &lead;
  }
  if (best == nullptr) return Error{Errc::not_found, "no lead with a number ending in " + std::string(last_ten)};
  return *best;
}

Result<void> MemoryStore::update_queue(const QueueUpdate& update) {
  if (auto failed = maybe_fail(StoreOp::update_queue); !failed) return failed;
  auto it = queue_.find(update.lead);
  if (it == queue_.end()) return Error{Errc::not_found, "no queue row for lead " + to_string(update.lead)};
  it->second = update.status;
  if (keep_history_) history_[update.lead].push_back(update);
  return ok();
}

Result<void> MemoryStore::save_call(const CallRecord& record) {
  if (auto failed = maybe_fail(StoreOp::save_call); !failed) return failed;
  if (keep_history_) calls_.insert_or_assign(record.id, record);
  return ok();
}

std::optional<QueueStatus> MemoryStore::queue_status(LeadId lead) const {
  auto it = queue_.find(lead);
  if (it == queue_.end()) return std::nullopt;
  return it->second;
}

std::vector<QueueUpdate> MemoryStore::queue_history(LeadId lead) const {
  auto it = history_.find(lead);
  return it == history_.end() ? std::vector<QueueUpdate>{} : it->second;
}

std::optional<CallRecord> MemoryStore::call(CallId id) const {
  auto it = calls_.find(id);
  if (it == calls_.end()) return std::nullopt;
  return it->second;
}

std::vector<CallRecord> MemoryStore::calls() const {
  std::vector<CallRecord> out;
  out.reserve(calls_.size());
  for (const auto& [id, record] : calls_) out.push_back(record);
  return out;
}

}  // namespace dialer::testing
