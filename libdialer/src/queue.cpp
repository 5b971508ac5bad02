#include "dialer/queue.hpp"

#include "internal/enum_names.hpp"

namespace dialer {
namespace {

constexpr internal::NameTable<QueueStatus, 10> kStatusNames{{
    {QueueStatus::pending, "pending"},
    {QueueStatus::dialing, "dialing"},
    {QueueStatus::answered, "answered"},
    {QueueStatus::completed, "completed"},
    {QueueStatus::busy, "busy"},
    {QueueStatus::no_answer, "no_answer"},
    {QueueStatus::failed, "failed"},
    {QueueStatus::invalid_number, "invalid_number"},
    {QueueStatus::dropped, "dropped"},
    {QueueStatus::machine, "machine"},
}};

constexpr internal::NameTable<LeadOrder, 3> kOrderNames{{
    {LeadOrder::oldest_first, "oldest_first"},
    {LeadOrder::fewest_attempts_first, "fewest_attempts_first"},
    {LeadOrder::priority_first, "priority_first"},
}};

}  // namespace

const char* to_string(QueueStatus s) noexcept { return internal::name_of(kStatusNames, s); }
bool from_string(std::string_view s, QueueStatus& out) noexcept {
  return internal::parse_name(kStatusNames, s, out);
}

const char* to_string(LeadOrder o) noexcept { return internal::name_of(kOrderNames, o); }
bool from_string(std::string_view s, LeadOrder& out) noexcept {
  return internal::parse_name(kOrderNames, s, out);
}

QueueStatus queue_status_for(CallOutcome outcome) noexcept {
  switch (outcome) {
    case CallOutcome::completed: return QueueStatus::completed;
    case CallOutcome::busy: return QueueStatus::busy;
    case CallOutcome::no_answer: return QueueStatus::no_answer;
    case CallOutcome::failed: return QueueStatus::failed;
    case CallOutcome::invalid_number: return QueueStatus::invalid_number;
    case CallOutcome::dropped: return QueueStatus::dropped;
    case CallOutcome::machine: return QueueStatus::machine;
    case CallOutcome::none:
    case CallOutcome::cancelled:
    case CallOutcome::lost:
    case CallOutcome::refused: return QueueStatus::pending;
  }
  return QueueStatus::pending;
}

}  // namespace dialer
