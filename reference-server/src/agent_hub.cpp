#include "agent_hub.hpp"

#include <algorithm>

namespace dialerd {

void AgentHub::add(dialer::AgentId agent, const std::shared_ptr<PanelConnection>& c) {
  by_agent_[agent].push_back(c);
}

void AgentHub::remove(dialer::AgentId agent, const PanelConnection* c) {
  auto it = by_agent_.find(agent);
  if (it == by_agent_.end()) return;
  std::erase_if(it->second, [c](const std::weak_ptr<PanelConnection>& w) {
    auto p = w.lock();
    return !p || p.get() == c;
  });
  if (it->second.empty()) by_agent_.erase(it);
}

void AgentHub::send(PanelConnection& c, boost::json::object message) {
  message["v"] = 1;
  message["seq"] = c.next_seq();
  c.send_text(boost::json::serialize(message));
  ++sent_;
}

std::size_t AgentHub::send_to_agent(dialer::AgentId agent, const boost::json::object& message) {
  auto it = by_agent_.find(agent);
  if (it == by_agent_.end()) return 0;
  std::size_t n = 0;
  // Copy first: a send may fail and remove the connection while we iterate.
  auto list = it->second;
  for (const auto& w : list) {
    if (auto c = w.lock()) {
      send(*c, message);
      ++n;
    }
  }
  return n;
}

void AgentHub::close_agent(dialer::AgentId agent) {
  auto it = by_agent_.find(agent);
  if (it == by_agent_.end()) return;
  auto list = it->second;
  for (const auto& w : list) {
    if (auto c = w.lock()) c->close();
  }
}

void AgentHub::close_all() {
  auto all = by_agent_;
  for (const auto& [agent, list] : all) {
    for (const auto& w : list) {
      if (auto c = w.lock()) c->close();
    }
  }
}

std::size_t AgentHub::connection_count() const {
  std::size_t n = 0;
  for (const auto& [agent, list] : by_agent_) n += list.size();
  return n;
}

}  // namespace dialerd
