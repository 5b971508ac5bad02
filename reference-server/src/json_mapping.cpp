#include "json_mapping.hpp"

#include <date/date.h>

#include "dialer/compliance.hpp"
#include "dialer/dial_prefix.hpp"
#include "dialer/queue.hpp"

namespace dialerd {
namespace json = boost::json;
using dialer::Errc;
using dialer::Error;
using dialer::Result;

std::string format_time(dialer::WallTime t) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(t));
}

json::value time_json(dialer::WallTime t) {
  if (t == dialer::WallTime{}) return nullptr;
  return json::string(format_time(t));
}

namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string hhmm(std::chrono::minutes m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m.count() / 60),
                static_cast<int>(m.count() % 60));
  return buf;
}

json::object rule_json(const dialer::RecycleRule& r) {
  return {{"recycle", r.recycle}, {"delay", r.delay.count()}, {"max_attempts", r.max_attempts}};
}

// ---- Reading ----

Error bad(std::string_view field, std::string_view what) {
  return Error{Errc::invalid_argument, "field '" + std::string(field) + "' " + std::string(what)};
}

Result<std::string> as_string(const json::value& v, std::string_view field) {
  if (!v.is_string()) return bad(field, "must be a string");
  return std::string(v.as_string());
}

Result<bool> as_bool(const json::value& v, std::string_view field) {
  if (!v.is_bool()) return bad(field, "must be true or false");
  return v.as_bool();
}

Result<std::int64_t> as_int(const json::value& v, std::string_view field, std::int64_t min,
                            std::int64_t max) {
  std::int64_t n = 0;
  if (v.is_int64()) n = v.as_int64();
  else if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    n = static_cast<std::int64_t>(v.as_uint64());
  else if (v.is_double() && v.as_double() == static_cast<double>(static_cast<std::int64_t>(v.as_double())))
    n = static_cast<std::int64_t>(v.as_double());
  else return bad(field, "must be an integer");
  if (n < min || n > max) {
    return bad(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

Result<double> as_number(const json::value& v, std::string_view field) {
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return bad(field, "must be a number");
}

Result<std::vector<std::string>> as_strings(const json::value& v, std::string_view field) {
  if (!v.is_array()) return bad(field, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) {
    if (!e.is_string()) return bad(field, "must be an array of strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

Result<std::chrono::minutes> as_hhmm(const json::value& v, std::string_view field) {
  auto s = as_string(v, field);
  if (!s) return std::move(s).error();
  int h = 0, m = 0;
  char extra = 0;
  if (s->size() != 5 || std::sscanf(s->c_str(), "%2d:%2d%c", &h, &m, &extra) != 2 || h < 0 ||
      h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) {
    return bad(field, "must be a time of day \"HH:MM\"");
  }
  return std::chrono::minutes{h * 60 + m};
}

#define DIALERD_TRY(expr)                       \
  do {                                          \
    auto dialerd_r = (expr);                    \
    if (!dialerd_r) return std::move(dialerd_r).error(); \
  } while (0)

template <class T, class F>
Result<void> assign(T& field, Result<F> r) {
  if (!r) return std::move(r).error();
  field = static_cast<T>(*r);
  return {};
}

Result<void> read_rule(const json::value& v, std::string field, dialer::RecycleRule& r) {
  if (!v.is_object()) return bad(field, "must be an object");
  for (const auto& kv : v.as_object()) {
    std::string f = field + "." + std::string(kv.key());
    if (kv.key() == "recycle") DIALERD_TRY(assign(r.recycle, as_bool(kv.value(), f)));
    else if (kv.key() == "delay") {
      auto n = as_int(kv.value(), f, 0, 365LL * 86400);
      if (!n) return std::move(n).error();
      r.delay = std::chrono::seconds{*n};
    } else if (kv.key() == "max_attempts") DIALERD_TRY(assign(r.max_attempts, as_int(kv.value(), f, 0, 1000)));
    else return bad(f, "is not a known field");
  }
  return {};
}

}  // namespace

json::object campaign_json(const dialer::Campaign& c) {
  json::array dispositions;
  for (const auto& d : c.dispositions) {
    dispositions.push_back(json::object{{"code", d.code}, {"label", d.label}, {"do_not_call", d.do_not_call}});
  }
  json::object o;
  o["id"] = c.id.value;
  o["name"] = c.name;
  o["dial_mode"] = dialer::to_string(c.dial_mode);
  o["carrier"] = c.carrier.value;
  o["dial_prefix"] = c.dial_prefix;
  o["number_plan"] = json::object{{"region", c.number_plan.region},
                                  {"allowed_regions", strings(c.number_plan.allowed_regions)},
                                  {"require_valid", c.number_plan.require_valid}};
  o["manual_dial_allowed"] = c.manual_dial_allowed;
  if (c.wrapup_timeout) o["wrapup_timeout"] = c.wrapup_timeout->count();
  else o["wrapup_timeout"] = nullptr;
  o["wrapup_timeout_disposition"] = c.wrapup_timeout_disposition;
  o["break_after_wrapup_timeout"] = c.break_after_wrapup_timeout;
  o["hopper_size"] = c.hopper_size;
  o["ring_timeout"] = c.ring_timeout.count();
  o["caller_id"] = c.caller_id;
  o["break_types"] = strings(c.break_types);
  o["dispositions"] = std::move(dispositions);
  o["script"] = c.script;
  o["compliance"] = json::object{
      {"calling_hours", json::object{{"start", hhmm(c.compliance.calling_hours.start)},
                                     {"end", hhmm(c.compliance.calling_hours.end)}}},
      {"max_attempts_per_lead", c.compliance.max_attempts_per_lead},
      {"max_calls_per_number_per_day", c.compliance.max_calls_per_number_per_day}};
  o["recycle"] = json::object{{"busy", rule_json(c.recycle.busy)},
                              {"no_answer", rule_json(c.recycle.no_answer)},
                              {"failed", rule_json(c.recycle.failed)},
                              {"dropped", rule_json(c.recycle.dropped)},
                              {"machine", rule_json(c.recycle.machine)},
                              {"max_attempts", c.recycle.max_attempts}};
  o["lead_order"] = dialer::to_string(c.lead_order);
  o["pacing"] = json::object{
      {"policy", c.pacing.policy},
      {"abandon_cap", c.pacing.abandon_cap},
      {"max_wait_for_agent", static_cast<double>(c.pacing.max_wait_for_agent.count()) / 1000.0},
      {"safe_harbour_media", c.pacing.safe_harbour_media},
      {"day_offset_minutes", c.pacing.day_offset.count()}};
  return o;
}

json::object carrier_json(const dialer::Carrier& c) {
  return {{"id", c.id.value},
          {"name", c.name},
          {"dial_prefix", c.dial_prefix},
          {"dial_template", c.dial_template},
          {"number_format", dialer::to_string(c.number_format)}};
}

json::object agent_json(const dialer::Agent& a) {
  return {{"id", a.id.value},
          {"login", a.login},
          {"name", a.name},
          {"endpoint", a.endpoint},
          {"persistent_leg", a.persistent_leg}};
}

json::object call_json(const dialer::CallRecord& r) {
  json::object o;
  o["id"] = r.id.value;
  o["campaign"] = r.campaign.value;
  o["agent"] = r.agent.value;
  o["lead"] = r.lead.value;
  o["carrier"] = r.carrier.value;
  o["number"] = r.number;
  o["dialled"] = r.dialled;
  o["dial_string"] = r.dial_string;
  o["state"] = dialer::to_string(r.state);
  o["outcome"] = dialer::to_string(r.outcome);
  o["created_at"] = time_json(r.created_at);
  o["ringing_at"] = time_json(r.ringing_at);
  o["answered_at"] = time_json(r.answered_at);
  o["bridged_at"] = time_json(r.bridged_at);
  o["ended_at"] = time_json(r.ended_at);
  o["dispositioned_at"] = time_json(r.dispositioned_at);
  o["hangup_cause"] = r.hangup_cause;
  o["hangup_reason"] = r.hangup_reason;
  o["hung_up_by"] = dialer::to_string(r.hung_up_by);
  o["disposition"] = r.disposition;
  o["notes"] = r.notes;
  o["auto_disposition"] = r.auto_disposition;
  return o;
}

json::object lead_json(const dialer::Lead& l) {
  json::object fields;
  for (const auto& [k, v] : l.fields) fields[k] = v;
  return {{"id", l.id.value},
          {"campaign", l.campaign.value},
          {"phone", l.phone.e164},
          {"time_zone", l.time_zone},
          {"priority", l.priority},
          {"fields", std::move(fields)}};
}

Result<void> read_campaign(const json::object& in, dialer::Campaign& c) {
  for (const auto& kv : in) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    if (key == "id") continue;
    if (key == "name") DIALERD_TRY(assign(c.name, as_string(v, key)));
    else if (key == "dial_mode") {
      auto s = as_string(v, key);
      if (!s) return std::move(s).error();
      if (!dialer::from_string(*s, c.dial_mode)) return bad(key, "must be manual, autodial or predictive");
    } else if (key == "carrier") {
      auto n = as_int(v, key, 1, INT64_MAX);
      if (!n) return std::move(n).error();
      c.carrier = dialer::CarrierId{static_cast<std::uint64_t>(*n)};
    } else if (key == "dial_prefix") DIALERD_TRY(assign(c.dial_prefix, as_string(v, key)));
    else if (key == "number_plan") {
      if (!v.is_object()) return bad(key, "must be an object");
      for (const auto& p : v.as_object()) {
        std::string f = "number_plan." + std::string(p.key());
        if (p.key() == "region") DIALERD_TRY(assign(c.number_plan.region, as_string(p.value(), f)));
        else if (p.key() == "allowed_regions") DIALERD_TRY(assign(c.number_plan.allowed_regions, as_strings(p.value(), f)));
        else if (p.key() == "require_valid") DIALERD_TRY(assign(c.number_plan.require_valid, as_bool(p.value(), f)));
        else return bad(f, "is not a known field");
      }
    } else if (key == "manual_dial_allowed") DIALERD_TRY(assign(c.manual_dial_allowed, as_bool(v, key)));
    else if (key == "wrapup_timeout") {
      if (v.is_null()) {
        c.wrapup_timeout.reset();
      } else {
        auto n = as_int(v, key, 1, 86400);
        if (!n) return std::move(n).error();
        c.wrapup_timeout = std::chrono::seconds{*n};
      }
    } else if (key == "wrapup_timeout_disposition") DIALERD_TRY(assign(c.wrapup_timeout_disposition, as_string(v, key)));
    else if (key == "break_after_wrapup_timeout") DIALERD_TRY(assign(c.break_after_wrapup_timeout, as_string(v, key)));
    else if (key == "hopper_size") DIALERD_TRY(assign(c.hopper_size, as_int(v, key, 1, 100000)));
    else if (key == "ring_timeout") {
      auto n = as_int(v, key, 1, 300);
      if (!n) return std::move(n).error();
      c.ring_timeout = std::chrono::seconds{*n};
    } else if (key == "caller_id") DIALERD_TRY(assign(c.caller_id, as_string(v, key)));
    else if (key == "break_types") DIALERD_TRY(assign(c.break_types, as_strings(v, key)));
    else if (key == "script") DIALERD_TRY(assign(c.script, as_string(v, key)));
    else if (key == "lead_order") {
      auto s = as_string(v, key);
      if (!s) return std::move(s).error();
      if (!dialer::from_string(*s, c.lead_order)) {
        return bad(key, "must be oldest_first, fewest_attempts_first or priority_first");
      }
    } else if (key == "dispositions") {
      if (!v.is_array()) return bad(key, "must be an array of {code, label, do_not_call}");
      std::vector<dialer::DispositionCode> list;
      for (const auto& e : v.as_array()) {
        if (!e.is_object()) return bad(key, "must be an array of {code, label, do_not_call}");
        dialer::DispositionCode d;
        for (const auto& p : e.as_object()) {
          std::string f = "dispositions[]." + std::string(p.key());
          if (p.key() == "code") DIALERD_TRY(assign(d.code, as_string(p.value(), f)));
          else if (p.key() == "label") DIALERD_TRY(assign(d.label, as_string(p.value(), f)));
          else if (p.key() == "do_not_call") DIALERD_TRY(assign(d.do_not_call, as_bool(p.value(), f)));
          else return bad(f, "is not a known field");
        }
        if (d.code.empty()) return bad("dispositions[].code", "must not be empty");
        list.push_back(std::move(d));
      }
      c.dispositions = std::move(list);
    } else if (key == "compliance") {
      if (!v.is_object()) return bad(key, "must be an object");
      for (const auto& p : v.as_object()) {
        std::string f = "compliance." + std::string(p.key());
        if (p.key() == "calling_hours") {
          if (!p.value().is_object()) return bad(f, "must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}");
          for (const auto& h : p.value().as_object()) {
            std::string g = f + "." + std::string(h.key());
            if (h.key() == "start") DIALERD_TRY(assign(c.compliance.calling_hours.start, as_hhmm(h.value(), g)));
            else if (h.key() == "end") DIALERD_TRY(assign(c.compliance.calling_hours.end, as_hhmm(h.value(), g)));
            else return bad(g, "is not a known field");
          }
        } else if (p.key() == "max_attempts_per_lead") {
          DIALERD_TRY(assign(c.compliance.max_attempts_per_lead, as_int(p.value(), f, 0, 1000)));
        } else if (p.key() == "max_calls_per_number_per_day") {
          DIALERD_TRY(assign(c.compliance.max_calls_per_number_per_day, as_int(p.value(), f, 0, 1000)));
        } else {
          return bad(f, "is not a known field");
        }
      }
    } else if (key == "recycle") {
      if (!v.is_object()) return bad(key, "must be an object");
      for (const auto& p : v.as_object()) {
        std::string f = "recycle." + std::string(p.key());
        if (p.key() == "busy") DIALERD_TRY(read_rule(p.value(), f, c.recycle.busy));
        else if (p.key() == "no_answer") DIALERD_TRY(read_rule(p.value(), f, c.recycle.no_answer));
        else if (p.key() == "failed") DIALERD_TRY(read_rule(p.value(), f, c.recycle.failed));
        else if (p.key() == "dropped") DIALERD_TRY(read_rule(p.value(), f, c.recycle.dropped));
        else if (p.key() == "machine") DIALERD_TRY(read_rule(p.value(), f, c.recycle.machine));
        else if (p.key() == "max_attempts") DIALERD_TRY(assign(c.recycle.max_attempts, as_int(p.value(), f, 0, 1000)));
        else return bad(f, "is not a known field");
      }
    } else if (key == "pacing") {
      if (!v.is_object()) return bad(key, "must be an object");
      for (const auto& p : v.as_object()) {
        std::string f = "pacing." + std::string(p.key());
        if (p.key() == "policy") DIALERD_TRY(assign(c.pacing.policy, as_string(p.value(), f)));
        else if (p.key() == "abandon_cap") {
          auto d = as_number(p.value(), f);
          if (!d) return std::move(d).error();
          if (!(*d >= 0.0 && *d <= 1.0)) return bad(f, "must be between 0 and 1");
          c.pacing.abandon_cap = *d;
        } else if (p.key() == "max_wait_for_agent") {
          auto d = as_number(p.value(), f);
          if (!d) return std::move(d).error();
          if (!(*d >= 0.0 && *d <= 60.0)) return bad(f, "must be between 0 and 60 seconds");
          c.pacing.max_wait_for_agent = std::chrono::milliseconds{static_cast<std::int64_t>(*d * 1000.0)};
        } else if (p.key() == "safe_harbour_media") DIALERD_TRY(assign(c.pacing.safe_harbour_media, as_string(p.value(), f)));
        else if (p.key() == "day_offset_minutes") {
          auto n = as_int(p.value(), f, -24 * 60, 24 * 60);
          if (!n) return std::move(n).error();
          c.pacing.day_offset = std::chrono::minutes{*n};
        } else return bad(f, "is not a known field");
      }
    } else {
      return bad(key, "is not a known field");
    }
  }
  return {};
}

Result<void> read_carrier(const json::object& in, dialer::Carrier& c) {
  for (const auto& kv : in) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    if (key == "id") continue;
    if (key == "name") DIALERD_TRY(assign(c.name, as_string(v, key)));
    else if (key == "dial_prefix") DIALERD_TRY(assign(c.dial_prefix, as_string(v, key)));
    else if (key == "dial_template") DIALERD_TRY(assign(c.dial_template, as_string(v, key)));
    else if (key == "number_format") {
      auto s = as_string(v, key);
      if (!s) return std::move(s).error();
      if (!dialer::from_string(*s, c.number_format)) return bad(key, "must be e164, national or from_region");
    } else {
      return bad(key, "is not a known field");
    }
  }
  return {};
}

Result<void> read_agent(const json::object& in, dialer::Agent& a) {
  for (const auto& kv : in) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    if (key == "id") continue;
    if (key == "login") DIALERD_TRY(assign(a.login, as_string(v, key)));
    else if (key == "name") DIALERD_TRY(assign(a.name, as_string(v, key)));
    else if (key == "endpoint") DIALERD_TRY(assign(a.endpoint, as_string(v, key)));
    else if (key == "persistent_leg") DIALERD_TRY(assign(a.persistent_leg, as_bool(v, key)));
    else return bad(key, "is not a known field");
  }
  return {};
}

std::string error_body(std::string_view code, std::string_view message) {
  return json::serialize(json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

std::string error_code_name(const dialer::Error& e) {
  const auto& cat = e.code.category();
  if (cat == dialer::dial_rule_category()) {
    return dialer::to_string(static_cast<dialer::DialRule>(e.code.value()));
  }
  if (cat == dialer::compliance_category()) {
    return dialer::to_string(static_cast<dialer::ComplianceRule>(e.code.value()));
  }
  if (cat == dialer::dialer_category()) return dialer::to_string(static_cast<dialer::Errc>(e.code.value()));
  return "internal";
}

}  // namespace dialerd
