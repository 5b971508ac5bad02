#include "json_model.hpp"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

namespace dialer::ari::detail {

namespace json = boost::json;

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  const json::string* s = v->if_string();
  return s != nullptr ? std::string(s->data(), s->size()) : std::string{};
}

bool read_channel(const json::value& v, Channel& out) {
  const json::object* o = v.if_object();
  if (o == nullptr) return false;
  const json::value* id = o->if_contains(field::id);
  if (id == nullptr || !id->is_string()) return false;
  out.id = std::string(id->get_string());
  out.name = string_at(*o, field::name);
  out.state = string_at(*o, field::state);
  if (const json::value* dp = o->if_contains(field::dialplan); dp != nullptr && dp->is_object()) {
    out.context = string_at(dp->get_object(), field::context);
    out.exten = string_at(dp->get_object(), field::exten);
  }
  out.variables.clear();
  if (const json::value* cv = o->if_contains(field::channelvars); cv != nullptr && cv->is_object()) {
    for (const auto& kv : cv->get_object()) {
      // channelvars values are strings; anything else is kept as empty.
      const json::string* s = kv.value().if_string();
      out.variables.emplace_back(std::string(kv.key()),
                                 s != nullptr ? std::string(*s) : std::string{});
    }
  }
  return true;
}

bool read_bridge(const json::value& v, Bridge& out) {
  const json::object* o = v.if_object();
  if (o == nullptr) return false;
  const json::value* id = o->if_contains(field::id);
  if (id == nullptr || !id->is_string()) return false;
  out.id = std::string(id->get_string());
  out.bridge_type = string_at(*o, field::bridge_type);
  out.channels.clear();
  if (const json::value* ch = o->if_contains(field::channels); ch != nullptr && ch->is_array()) {
    for (const json::value& c : ch->get_array()) {
      if (c.is_string()) out.channels.emplace_back(c.get_string());
    }
  }
  return true;
}

bool read_playback(const json::value& v, Playback& out) {
  const json::object* o = v.if_object();
  if (o == nullptr) return false;
  const json::value* id = o->if_contains(field::id);
  if (id == nullptr || !id->is_string()) return false;
  out.id = std::string(id->get_string());
  out.media_uri = string_at(*o, field::media_uri);
  out.target_uri = string_at(*o, field::target_uri);
  out.state = string_at(*o, field::state);
  return true;
}

}  // namespace dialer::ari::detail
