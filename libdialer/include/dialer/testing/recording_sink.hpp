// An EventSink that keeps every event, for tests and for hosts that poll.
#pragma once

#include <optional>
#include <vector>

#include "dialer/event_sink.hpp"

namespace dialer::testing {

class RecordingSink final : public EventSink {
 public:
  void publish(const Event& event) noexcept override { events_.push_back(event); }

  const std::vector<Event>& events() const { return events_; }
  void clear() { events_.clear(); }

  /// Every event of type T, in order.
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events_) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }

  /// The last status published for an agent, if any.
  std::optional<AgentStatus> last_status(AgentId agent) const {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (const auto* u = std::get_if<StatusUpdate>(&*it); u != nullptr && u->agent == agent) {
        return u->status;
      }
    }
    return std::nullopt;
  }

 private:
  std::vector<Event> events_;
};

}  // namespace dialer::testing
