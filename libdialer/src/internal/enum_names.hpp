// One table of names per public enum, read both ways, so that stores, JSON,
// logs and Python all spell a value the same way. Never installed.
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace dialer::internal {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

template <class E, std::size_t N>
const char* name_of(const NameTable<E, N>& table, E value) noexcept {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <class E, std::size_t N>
bool parse_name(const NameTable<E, N>& table, std::string_view text, E& out) noexcept {
  for (const auto& [v, name] : table) {
    if (text == name) {
      out = v;
      return true;
    }
  }
  return false;
}

}  // namespace dialer::internal
