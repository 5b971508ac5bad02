// The agents' WebSocket connections, by agent: engine events are routed to
// every connection of the agent they concern (an agent may have several tabs
// open), each message numbered with its connection's own sequence.
//
// Used from the server's thread only, like the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>

#include "dialer/ids.hpp"

namespace dialerd {

/// One agent panel connection, as the hub sees it.
class PanelConnection {
 public:
  virtual ~PanelConnection() = default;
  /// Queues a text frame; never blocks, never throws.
  virtual void send_text(std::string text) = 0;
  /// Closes the connection (e.g. the agent was deleted).
  virtual void close() = 0;
  /// The next server sequence number of this connection (1, 2, ...).
  std::uint64_t next_seq() { return ++seq_; }

 private:
  std::uint64_t seq_ = 0;
};

class AgentHub {
 public:
  void add(dialer::AgentId agent, const std::shared_ptr<PanelConnection>& c);
  void remove(dialer::AgentId agent, const PanelConnection* c);
  /// Stamps "v" and "seq" and sends to one connection.
  void send(PanelConnection& c, boost::json::object message);
  /// To every connection of the agent; returns how many.
  std::size_t send_to_agent(dialer::AgentId agent, const boost::json::object& message);
  void close_agent(dialer::AgentId agent);
  void close_all();
  std::size_t connection_count() const;
  std::uint64_t messages_sent() const { return sent_; }

 private:
  std::unordered_map<dialer::AgentId, std::vector<std::weak_ptr<PanelConnection>>> by_agent_;
  std::uint64_t sent_ = 0;
};

}  // namespace dialerd
