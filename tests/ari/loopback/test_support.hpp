// Ground truth for the loopback server's tests: Asterisk's spec files and the
// recorded captures in shared/ari, read at test time.
#pragma once

#include "raw_client.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dialer::testing::ari::support {

namespace json = boost::json;

inline std::string shared_dir() { return DIALER_ARI_SHARED_DIR; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path + " (is shared/ari next to the repository?)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<json::object> read_jsonl(const std::string& name) {
  std::istringstream in(read_file(shared_dir() + "/captures/" + name));
  std::vector<json::object> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line).as_object());
  return out;
}

inline std::string str(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

// The query string of a recorded request, with `overrides` applied.
inline std::string query_of(const json::object& recorded, const std::map<std::string, std::string>& overrides = {}) {
  std::map<std::string, std::string> q;
  for (const auto& kv : recorded.at("query").as_object()) q[std::string(kv.key())] = str(kv.value());
  for (const auto& [k, v] : overrides) q[k] = v;
  std::string out;
  for (const auto& [k, v] : q) out += (out.empty() ? "" : "&") + k + "=" + raw::enc(v);
  return out;
}

// The n-th recorded request with this method and path in <scenario>.http.jsonl.
inline json::object recorded_request(const std::string& scenario, const std::string& method, const std::string& path,
                                     int n = 0) {
  for (const auto& r : read_jsonl(scenario + ".http.jsonl"))
    if (str(r.at("method")) == method && str(r.at("path")) == path && n-- == 0) return r;
  throw std::runtime_error("no " + method + " " + path + " in " + scenario);
}

// A recorded REST body with what differs per run blanked out: creation times
// and the Local channel sequence number in names.
inline json::value comparable(json::value v) {
  static const std::regex local_seq("-[0-9a-f]{8};");
  if (v.is_object()) {
    for (auto& kv : v.as_object()) {
      if (kv.key() == "creationtime") kv.value() = "T";
      else if (kv.key() == "name" && kv.value().is_string())
        kv.value() = std::regex_replace(str(kv.value()), local_seq, std::string("-N;"));
      else kv.value() = comparable(kv.value());
    }
  } else if (v.is_array()) {
    for (auto& e : v.as_array()) e = comparable(e);
  }
  return v;
}

// One line per event about `channel` (Dial: its peer), with the fields that
// carry meaning. ChannelDialplan, ChannelCallerId, ChannelConnectedLine and
// ChannelCreated are left out: the loopback server does not emulate the first
// three, and the last only reaches subscribeAll sockets.
inline std::vector<std::string> channel_story(const std::vector<json::object>& events, const std::string& channel) {
  static const std::set<std::string> skipped = {"ChannelDialplan", "ChannelCallerId", "ChannelConnectedLine",
                                                "ChannelCreated"};
  static const std::regex local_seq("-[0-9a-f]{8};");
  std::vector<std::string> out;
  for (const auto& ev : events) {
    const std::string type = str(ev.at("type"));
    if (skipped.count(type) || raw::channel_id_of(ev) != channel) continue;
    std::string line = type;
    if (type == "Dial") line += "(" + str(ev.at("dialstatus")) + ")";
    if (type == "ChannelStateChange") line += "(" + str(ev.at("channel").at("state")) + ")";
    if (type == "ChannelVarset")
      line += "(" + str(ev.at("variable")) + "=" +
              std::regex_replace(str(ev.at("value")), local_seq, std::string("-N;")) + ")";
    if (type == "ChannelHangupRequest") {
      line += "(" + (ev.contains("cause") ? str(ev.at("cause")) : std::string("-"));
      if (ev.contains("soft")) line += ",soft";
      line += ")";
    }
    if (type == "ChannelDestroyed") line += "(" + str(ev.at("cause")) + " " + str(ev.at("cause_txt")) + ")";
    if (type == "StasisStart") line += json::serialize(ev.at("args"));
    if (type == "ChannelEnteredBridge" || type == "ChannelLeftBridge") line += "(" + str(ev.at("bridge").at("id")) + ")";
    out.push_back(line);
  }
  return out;
}

// Checks JSON against the Swagger 1.1 models of shared/ari/api-docs: every
// field is a property of its model, every required property is present, and
// values have the declared types (recursing into nested models and lists).
class Spec {
 public:
  Spec() {
    for (const char* file : {"asterisk", "channels", "bridges", "playbacks", "applications", "events", "endpoints",
                             "recordings", "sounds", "deviceStates", "mailboxes"}) {
      auto doc = json::parse(read_file(shared_dir() + "/api-docs/" + file + ".json")).as_object();
      for (const auto& kv : doc.at("models").as_object()) models_[std::string(kv.key())] = kv.value().as_object();
      for (const auto& api : doc.at("apis").as_array())
        for (const auto& op : api.at("operations").as_array())
          operations_.insert(str(op.at("httpMethod")) + " " + str(api.at("path")));
    }
  }

  const std::set<std::string>& operations() const { return operations_; }
  bool has_model(const std::string& name) const { return models_.count(name) != 0; }

  // Problems found in `v` as model `model`, each prefixed with `where`.
  std::vector<std::string> check(const std::string& model, const json::value& v, const std::string& where) const {
    std::vector<std::string> problems;
    check_value(model, v, where, problems);
    return problems;
  }

  // An event is a Message and an Event plus its own model's properties.
  std::vector<std::string> check_event(const json::object& ev) const {
    std::vector<std::string> problems;
    const std::string type = ev.contains("type") ? str(ev.at("type")) : "";
    const std::string where = type + "@" + str(ev.contains("timestamp") ? ev.at("timestamp") : json::value("?"));
    if (!has_model(type)) return {where + ": no event model '" + type + "' in events.json"};
    std::map<std::string, json::object> props;
    for (const char* m : {"Message", "Event"})
      for (const auto& kv : models_.at(m).at("properties").as_object())
        props[std::string(kv.key())] = kv.value().as_object();
    for (const auto& kv : models_.at(type).at("properties").as_object())
      props[std::string(kv.key())] = kv.value().as_object();
    check_props(props, ev, where, problems);
    return problems;
  }

 private:
  void check_props(const std::map<std::string, json::object>& props, const json::object& o, const std::string& where,
                   std::vector<std::string>& problems) const {
    for (const auto& kv : o) {
      const std::string key(kv.key());
      const auto p = props.find(key);
      if (p == props.end()) {
        problems.push_back(where + ": field '" + key + "' is not in the spec");
        continue;
      }
      check_value(str(p->second.at("type")), kv.value(), where + "." + key, problems);
    }
    for (const auto& [key, prop] : props)
      if (prop.contains("required") && prop.at("required").as_bool() && !o.contains(key))
        problems.push_back(where + ": required field '" + key + "' is missing");
  }

  void check_value(const std::string& type, const json::value& v, const std::string& where,
                   std::vector<std::string>& problems) const {
    auto expect = [&](bool ok) {
      if (!ok) problems.push_back(where + ": expected " + type + ", got " + json::serialize(v));
    };
    if (type.rfind("List[", 0) == 0) {
      expect(v.is_array());
      if (v.is_array()) {
        const std::string inner = type.substr(5, type.size() - 6);
        std::size_t i = 0;
        for (const auto& e : v.as_array()) check_value(inner, e, where + "[" + std::to_string(i++) + "]", problems);
      }
    } else if (type == "string" || type == "Date") {
      expect(v.is_string());
    } else if (type == "int" || type == "long") {
      expect(v.is_int64() || v.is_uint64());
    } else if (type == "double") {
      expect(v.is_number());
    } else if (type == "boolean") {
      expect(v.is_bool());
    } else if (type == "object" || type == "containers") {
      expect(v.is_object());
    } else if (has_model(type)) {
      expect(v.is_object());
      if (!v.is_object()) return;
      std::map<std::string, json::object> props;
      for (const auto& kv : models_.at(type).at("properties").as_object())
        props[std::string(kv.key())] = kv.value().as_object();
      check_props(props, v.as_object(), where, problems);
    } else {
      problems.push_back(where + ": unknown spec type " + type);
    }
  }

  std::map<std::string, json::object> models_;
  std::set<std::string> operations_;
};

inline const Spec& spec() {
  static const Spec s;
  return s;
}

}  // namespace dialer::testing::ari::support
