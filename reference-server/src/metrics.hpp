// Counters the server keeps for /metrics, and the Prometheus text rendering.
// Gauges that the engine already knows (agents by state, hopper depth,
// abandonment) are read from it at scrape time instead of being mirrored.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace dialerd {

/// Request latencies in a fixed-bucket histogram per route pattern.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 10> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                  0.025,  0.05,  0.1,    0.5,   1.0};
  void observe(double seconds);
  /// Appends the _bucket/_sum/_count lines with the given labels.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::uint64_t, kBounds.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

struct ServerCounters {
  /// By "METHOD route status-class": "GET /api/v1/agents/{id}/state 2xx".
  std::map<std::string, std::uint64_t> requests;
  std::map<std::string, LatencyHistogram> latency;
  /// Calls that ended, by outcome; calls that reached each state.
  std::map<std::string, std::uint64_t> calls_ended;
  std::uint64_t originates = 0;
  std::uint64_t drops = 0;
  std::uint64_t ws_connections = 0;
  std::uint64_t ws_messages_out = 0;
  std::uint64_t ws_commands = 0;
  std::uint64_t logins_failed = 0;
  std::uint64_t alarms = 0;
};

/// Escapes a label value for the text format.
std::string label_value(const std::string& v);

}  // namespace dialerd
