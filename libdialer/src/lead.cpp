#include "dialer/lead.hpp"

namespace dialer {

std::string_view Lead::field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace dialer
