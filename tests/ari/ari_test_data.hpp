// Where the ARI reference material lives (shared/ari: Asterisk's spec and the
// recordings), and small readers for it, for the ARI tests.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace dialer::ari::test {

inline std::filesystem::path shared_dir() { return DIALER_ARI_SHARED_DIR; }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read ", p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read ", p.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

/// Files of shared/ari/captures whose name ends with `suffix`, sorted.
inline std::vector<std::filesystem::path> captures(const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(shared_dir() / "captures")) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// One api-docs file, parsed.
inline boost::json::object spec(const std::string& file) {
  return boost::json::parse(read_file(shared_dir() / "api-docs" / file)).as_object();
}

}  // namespace dialer::ari::test
