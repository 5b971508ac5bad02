#include "dialer/lead_search.hpp"

#include <algorithm>

namespace dialer {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

}  // namespace

std::string search_digits(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

bool lead_matches(const Lead& lead, const LeadSearch& search) {
  if (lead.campaign != search.campaign) return false;
  if (search.text.empty()) return true;
  const std::string digits = search_digits(search.text);
  if (!digits.empty() && lead.phone.e164.find(digits) != std::string::npos) return true;
  return std::any_of(lead.fields.begin(), lead.fields.end(), [&](const auto& field) {
    return contains_ignoring_case(field.second, search.text);
  });
}

}  // namespace dialer
