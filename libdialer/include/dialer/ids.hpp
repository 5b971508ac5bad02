// Distinct id types for the things the dialer names, so that an agent id can
// never be passed where a lead id is meant. Ids are 64-bit integers: cheap to
// copy, hash and store. Adapters that need text (ARI channel ids, JSON) format
// them with `to_string` and parse with `parse_id`.
#pragma once

#include <charconv>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dialer {

template <class Tag>
struct Id {
  std::uint64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(std::uint64_t v) : value(v) {}
  /// Zero is never issued; it means "none".
  constexpr bool valid() const { return value != 0; }
  friend constexpr auto operator<=>(Id, Id) = default;
};

struct AgentTag;
struct CampaignTag;
struct CarrierTag;
struct LeadTag;
struct CallTag;
struct ChannelTag;
struct BridgeTag;

using AgentId = Id<AgentTag>;
using CampaignId = Id<CampaignTag>;
using CarrierId = Id<CarrierTag>;
using LeadId = Id<LeadTag>;
/// One customer contact attempt, and its row in the call log.
using CallId = Id<CallTag>;
/// One telephony leg (customer or agent), chosen by the engine before originate.
using ChannelId = Id<ChannelTag>;
using BridgeId = Id<BridgeTag>;

template <class Tag>
std::string to_string(Id<Tag> id) {
  return std::to_string(id.value);
}

/// Parses a decimal id; nullopt for anything else (sign, spaces, overflow, zero).
template <class IdType>
std::optional<IdType> parse_id(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v == 0) return std::nullopt;
  return IdType{v};
}

}  // namespace dialer

template <class Tag>
struct std::hash<dialer::Id<Tag>> {
  std::size_t operator()(dialer::Id<Tag> id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value);
  }
};
