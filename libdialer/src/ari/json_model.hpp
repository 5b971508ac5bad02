// Reading ARI objects (Channel, Bridge, Playback) out of Boost.JSON values,
// shared by the event parser and the REST response parsers. Never installed.
//
// Every reader is total: a missing optional field leaves a default, a
// required field of the wrong type makes the reader return false. Nothing
// throws.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "dialer/ari/events.hpp"

namespace dialer::ari::detail {

// The field names, one constant each, so that fields_read() (checked against
// the spec by a test) lists exactly what the readers use.
namespace field {
inline constexpr std::string_view type = "type";
inline constexpr std::string_view application = "application";
inline constexpr std::string_view timestamp = "timestamp";
inline constexpr std::string_view asterisk_id = "asterisk_id";
inline constexpr std::string_view channel = "channel";
inline constexpr std::string_view args = "args";
inline constexpr std::string_view cause = "cause";
inline constexpr std::string_view cause_txt = "cause_txt";
inline constexpr std::string_view soft = "soft";
inline constexpr std::string_view peer = "peer";
inline constexpr std::string_view caller = "caller";
inline constexpr std::string_view dialstatus = "dialstatus";
inline constexpr std::string_view dialstring = "dialstring";
inline constexpr std::string_view bridge = "bridge";
inline constexpr std::string_view variable = "variable";
inline constexpr std::string_view value = "value";
inline constexpr std::string_view playback = "playback";
// Channel
inline constexpr std::string_view id = "id";
inline constexpr std::string_view name = "name";
inline constexpr std::string_view state = "state";
inline constexpr std::string_view dialplan = "dialplan";
inline constexpr std::string_view channelvars = "channelvars";
// CallerID-less DialplanCEP
inline constexpr std::string_view context = "context";
inline constexpr std::string_view exten = "exten";
// Bridge
inline constexpr std::string_view bridge_type = "bridge_type";
inline constexpr std::string_view channels = "channels";
// Playback
inline constexpr std::string_view media_uri = "media_uri";
inline constexpr std::string_view target_uri = "target_uri";
// AsteriskInfo
inline constexpr std::string_view system = "system";
inline constexpr std::string_view status = "status";
inline constexpr std::string_view entity_id = "entity_id";
inline constexpr std::string_view version = "version";
inline constexpr std::string_view startup_time = "startup_time";
// Application
inline constexpr std::string_view channel_ids = "channel_ids";
// Errors
inline constexpr std::string_view message = "message";
inline constexpr std::string_view error = "error";
}  // namespace field

/// The string at `key`, or "" when absent or not a string.
std::string string_at(const boost::json::object& o, std::string_view key);
/// Reads a Channel object; false when `v` is not an object or has no string id.
bool read_channel(const boost::json::value& v, Channel& out);
/// Reads a Bridge object; false when `v` is not an object or has no string id.
bool read_bridge(const boost::json::value& v, Bridge& out);
/// Reads a Playback object; false when `v` is not an object or has no string id.
bool read_playback(const boost::json::value& v, Playback& out);

}  // namespace dialer::ari::detail
