#include "metrics.hpp"

#include <cstdio>

namespace dialerd {

void LatencyHistogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) ++buckets_[i];
  }
  ++count_;
  sum_ += seconds;
}

void LatencyHistogram::render(std::string& out, const std::string& name,
                              const std::string& labels) const {
  char buf[64];
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%g", kBounds[i]);
    out += name + "_bucket{" + labels + ",le=\"" + buf + "\"} " + std::to_string(buckets_[i]) + "\n";
  }
  out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(count_) + "\n";
  std::snprintf(buf, sizeof buf, "%.6f", sum_);
  out += name + "_sum{" + labels + "} " + buf + "\n";
  out += name + "_count{" + labels + "} " + std::to_string(count_) + "\n";
}

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace dialerd
