// What the SQLite and PostgreSQL stores share and that is not SQL: how values
// are written into columns (instants, lists, lead fields), how connection
// strings are redacted, and the write queue that takes the engine's per-call
// writes off its thread. Header-only, so that each store target stays a
// single library with no shared private archive; never installed.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "dialer/call.hpp"
#include "dialer/campaign.hpp"
#include "dialer/clock.hpp"
#include "dialer/error.hpp"
#include "dialer/lead.hpp"
#include "dialer/phone_number.hpp"
#include "dialer/queue.hpp"
#include "dialer/recycle.hpp"

namespace dialer::internal {

// ---- Values in columns ----

// Instants are stored as nanoseconds since the Unix epoch in a 64-bit integer:
// exact for every WallTime this platform holds, and an integer index range
// scan for the claim query.
inline std::int64_t to_ns(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
inline WallTime from_ns(std::int64_t ns) {
  return WallTime{std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds{ns})};
}

/// The ORDER BY of a claim: the same SQL in both dialects (queue alias q,
/// lead alias l). Lead id last, so the order never depends on the plan.
inline const char* claim_order_by(LeadOrder order) {
  switch (order) {
    case LeadOrder::fewest_attempts_first: return " ORDER BY q.attempts, q.ready_at_ns, q.lead_id";
    case LeadOrder::priority_first: return " ORDER BY l.priority DESC, q.ready_at_ns, q.lead_id";
    case LeadOrder::oldest_first: break;
  }
  return " ORDER BY q.ready_at_ns, q.lead_id";
}

inline std::int64_t to_db(std::uint64_t id) { return static_cast<std::int64_t>(id); }
inline std::uint64_t from_db(std::int64_t v) { return static_cast<std::uint64_t>(v); }

// Lists (lead fields, break types, dispositions) are kept in one text column
// as netstrings, "<length>:<bytes>" one after another: any byte may appear in
// an item, and a column is read back without a second query.
inline void append_netstring(std::string& out, std::string_view item) {
  out += std::to_string(item.size());
  out += ':';
  out += item;
}

inline std::string encode_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) append_netstring(out, item);
  return out;
}

inline std::optional<std::vector<std::string>> decode_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 19) return std::nullopt;
    std::size_t n = 0;
    for (std::size_t i = 0; i < colon; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      n = n * 10 + static_cast<std::size_t>(text[i] - '0');
    }
    if (text.size() - colon - 1 < n) return std::nullopt;
    out.emplace_back(text.substr(colon + 1, n));
    text.remove_prefix(colon + 1 + n);
  }
  return out;
}

/// Names and values alternate, as one list. Written straight into `out`: an
/// import encodes a row's fields per lead, so no intermediate list is built.
inline void encode_fields_to(std::string& out,
                             const std::vector<std::pair<std::string, std::string>>& fields) {
  out.clear();
  for (const auto& [name, value] : fields) {
    append_netstring(out, name);
    append_netstring(out, value);
  }
}

inline std::string encode_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  encode_fields_to(out, fields);
  return out;
}

inline std::optional<std::vector<std::pair<std::string, std::string>>> decode_fields(
    std::string_view text) {
  auto flat = decode_list(text);
  if (!flat || flat->size() % 2 != 0) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(flat->size() / 2);
  for (std::size_t i = 0; i < flat->size(); i += 2) {
    out.emplace_back(std::move((*flat)[i]), std::move((*flat)[i + 1]));
  }
  return out;
}

inline std::string encode_dispositions(const std::vector<DispositionCode>& codes) {
  std::vector<std::string> flat;
  for (const auto& c : codes) {
    flat.push_back(c.code);
    flat.push_back(c.label);
    flat.push_back(c.do_not_call ? "1" : "0");
  }
  return encode_list(flat);
}

inline std::optional<std::vector<DispositionCode>> decode_dispositions(std::string_view text) {
  auto flat = decode_list(text);
  if (!flat || flat->size() % 3 != 0) return std::nullopt;
  std::vector<DispositionCode> out;
  for (std::size_t i = 0; i < flat->size(); i += 3) {
    out.push_back({std::move((*flat)[i]), std::move((*flat)[i + 1]), (*flat)[i + 2] == "1"});
  }
  return out;
}

// CallLogStore::abandonment_by_day, in the SQL both stores speak ($1..$3 in
// order, which SQLite binds by position too): $1 the day offset in ns, $2 the
// campaign, $3 the earliest answer (at least 1 ns: 0 is "never answered").
// Abandoned is what the engine's meter counts: dropped before any agent took
// the call (a customer who hangs up while the agent's leg is being connected
// has an agent, and counts as answered). The literal "answered_at_ns > 0"
// lets the planners use the partial index call_log_answers (schema 3), which
// they cannot infer from a parameter.
inline constexpr std::string_view kAbandonmentByDaySql =
    "SELECT (answered_at_ns + $1) / 86400000000000 AS day, COUNT(*),"
    " SUM(CASE WHEN outcome = 'dropped' AND agent_id = 0 THEN 1 ELSE 0 END)"
    " FROM call_log WHERE campaign_id = $2 AND answered_at_ns > 0 AND answered_at_ns >= $3"
    " AND outcome <> 'machine' GROUP BY day ORDER BY day";

// A campaign's recycling in one text column, readable in a SQL shell:
// "busy=1/300/0 no_answer=1/300/0 failed=1/900/0 dropped=1/3600/2
// machine=1/7200/0 max_attempts=5", each rule as recycle/delay_s/max_attempts.
// Empty (rows written before the column existed) reads as the defaults.
inline constexpr std::array<std::pair<const char*, RecycleRule RecyclePolicy::*>, 5> kRecycleRules{{
    {"busy", &RecyclePolicy::busy},
    {"no_answer", &RecyclePolicy::no_answer},
    {"failed", &RecyclePolicy::failed},
    {"dropped", &RecyclePolicy::dropped},
    {"machine", &RecyclePolicy::machine},
}};

inline std::string encode_recycle(const RecyclePolicy& policy) {
  std::string out;
  for (const auto& [name, member] : kRecycleRules) {
    const RecycleRule& r = policy.*member;
    out += name;
    out += '=' + std::to_string(r.recycle ? 1 : 0) + '/' + std::to_string(r.delay.count()) + '/' +
           std::to_string(r.max_attempts) + ' ';
  }
  return out + "max_attempts=" + std::to_string(policy.max_attempts);
}

inline std::optional<RecyclePolicy> decode_recycle(std::string_view text) {
  RecyclePolicy policy;
  auto number = [](std::string_view digits, auto& out) {
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc{} && end == digits.data() + digits.size();
  };
  while (!text.empty()) {
    const auto space = text.find(' ');
    const std::string_view item = text.substr(0, space);
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "max_attempts") {
      if (!number(value, policy.max_attempts)) return std::nullopt;
      continue;
    }
    const auto rule = std::find_if(kRecycleRules.begin(), kRecycleRules.end(),
                                   [&](const auto& r) { return key == r.first; });
    const auto slash1 = value.find('/'), slash2 = value.rfind('/');
    if (rule == kRecycleRules.end() || slash1 == slash2) return std::nullopt;
    RecycleRule& r = policy.*(rule->second);
    int recycle = 0;
    std::int64_t delay_s = 0;
    if (!number(value.substr(0, slash1), recycle) ||
        !number(value.substr(slash1 + 1, slash2 - slash1 - 1), delay_s) ||
        !number(value.substr(slash2 + 1), r.max_attempts)) {
      return std::nullopt;
    }
    r.recycle = recycle != 0;
    r.delay = std::chrono::seconds{delay_s};
  }
  return policy;
}

/// The enum value named `text`, or `fallback` (a column CHECK keeps other
/// names out, so the fallback is never taken on an honest database).
template <class E>
E enum_or(std::string_view text, E fallback) {
  E out = fallback;
  return from_string(text, out) ? out : fallback;
}

/// LeadStore::find_leads_by_phone from the leads whose last ten digits are
/// among `last_ten` (in any order): for each number, the lead
/// find_lead_by_phone would pick — one of `campaign` first, then the lowest id.
inline std::vector<std::optional<Lead>> pick_leads_by_phone(std::span<const std::string> last_ten,
                                                            std::vector<Lead> found,
                                                            CampaignId campaign) {
  auto better = [campaign](const Lead& a, const Lead& b) {
    const bool a_here = a.campaign == campaign;
    const bool b_here = b.campaign == campaign;
    if (a_here != b_here) return a_here;
    return a.id.value < b.id.value;
  };
  std::unordered_map<std::string, std::size_t> best;
  best.reserve(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    auto [it, added] = best.try_emplace(last_ten_digits(found[i].phone.e164), i);
    if (!added && better(found[i], found[it->second])) it->second = i;
  }
  std::vector<std::optional<Lead>> out;
  out.reserve(last_ten.size());
  for (const std::string& digits : last_ten) {
    auto it = best.find(digits);
    if (it == best.end()) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(found[it->second]);  // a copy: a number may be asked twice
    }
  }
  return out;
}

// dialing and answered are the statuses of a call in progress: the dialer
// keeps its lease and the row its ready time (queue.hpp).
inline bool in_progress(QueueStatus s) {
  return s == QueueStatus::dialing || s == QueueStatus::answered;
}

// ---- Secrets ----

/// A libpq connection string with its password replaced by "***", in both
/// the URI form (postgresql://user:secret@host/db, ?password=secret) and the
/// keyword form (password=secret). Everything the stores report goes through
/// this or `scrub`.
inline std::string redact_dsn(std::string_view dsn) {
  std::string out(dsn);
  // URI userinfo: scheme://user:password@
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t end = out.find_first_of("/?#", start);
    const std::size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... as a URI query parameter or a keyword/value pair.
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    const std::size_t value = pos + 9;
    std::size_t end = value;
    if (end < out.size() && out[end] == '\'') {
      end = out.find('\'', end + 1);
      end = end == std::string::npos ? out.size() : end + 1;
    } else {
      end = out.find_first_of(" &#", value);
      if (end == std::string::npos) end = out.size();
    }
    out.replace(value, end - value, "***");
    pos = value + 3;
  }
  return out;
}

/// `text` with every occurrence of `secret` replaced by "***" (a server or
/// library message may quote the connection string back).
inline std::string scrub(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (std::size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos;) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

// ---- The write queue ----

/// One of the engine's per-call writes, waiting for the writer thread.
using PendingWrite = std::variant<CallRecord, QueueUpdate>;

inline std::string describe(const PendingWrite& w) {
  if (const auto* call = std::get_if<CallRecord>(&w)) return "save_call for call " + to_string(call->id);
  const auto& u = std::get<QueueUpdate>(w);
  return std::string("update_queue(") + to_string(u.status) + ") for lead " + to_string(u.lead);
}

/// A writer thread that applies queued writes in batches, one transaction per
/// batch, retrying transient failures with backoff and reporting every failure
/// through a callback. A write leaves the queue only when it is committed or
/// reported lost: nothing is dropped in silence.
class WriteQueue {
 public:
  enum class Status { ok, transient, permanent };
  struct Attempt {
    Status status = Status::ok;
    /// Why the transaction failed (transient or permanent).
    Error error;
    /// Writes the database refused one by one in a committed batch (an
    /// update_queue that lost its lease meanwhile): reported as lost.
    std::vector<Error> rejected;
  };
  /// Applies the writes in one transaction, all or nothing. May throw; a throw
  /// counts as a permanent failure.
  using Apply = std::function<Attempt(std::span<const PendingWrite>)>;
  using OnError = std::function<void(const Error& error, bool will_retry)>;

  struct Settings {
    std::size_t batch_size = 1000;
    std::size_t max_pending = 100000;
    std::chrono::milliseconds give_up_after{60000};
    std::chrono::milliseconds max_backoff{1000};
    OnError on_error;
  };

  /// The settings both stores' Options carry under the same names.
  template <class StoreOptions>
  static Settings settings_from(const StoreOptions& o) {
    Settings s;
    s.batch_size = std::max<std::size_t>(o.batch_size, 1);
    s.max_pending = std::max<std::size_t>(o.max_pending, 1);
    s.give_up_after = o.give_up_after;
    s.on_error = o.on_write_error;
    return s;
  }

  WriteQueue(Apply apply, Settings settings)
      : apply_(std::move(apply)), settings_(std::move(settings)) {
    thread_ = std::thread([this] { run(); });
  }
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;
  ~WriteQueue() { stop(); }

  /// Queues a write; blocks only while max_pending writes are already waiting
  /// (back-pressure rather than unbounded memory).
  void push(PendingWrite w) {
    std::unique_lock lock(mutex_);
    space_cv_.wait(lock, [&] { return pending_.size() < settings_.max_pending || stopping_; });
    pending_.push_back(std::move(w));
    ++pushed_;
    work_cv_.notify_one();
  }

  /// Waits until every write pushed before the call is committed or reported
  /// lost; does not consume the lost-write count.
  void drain() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = pushed_;
    done_cv_.wait(lock, [&] { return done_ >= target; });
  }

  /// drain(), then Errc::storage_error if any write was lost since the
  /// previous flush (each was also reported through on_error).
  Result<void> flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = pushed_;
    done_cv_.wait(lock, [&] { return done_ >= target; });
    if (lost_ == 0) return ok();
    Error e{Errc::storage_error, std::to_string(lost_) + " queued write(s) lost; last: " +
                                     last_lost_.detail};
    lost_ = 0;
    return e;
  }

  /// Drains the queue and joins the thread. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    space_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void report(const Error& e, bool will_retry) noexcept {
    if (!settings_.on_error) return;
    try {
      settings_.on_error(e, will_retry);
    } catch (...) {
      // The callback is the host's; its failure must not stop the writer.
    }
  }

 private:
  enum class Final { committed, failed, gave_up };

  void run() {
    for (;;) {
      std::vector<PendingWrite> batch;
      {
        std::unique_lock lock(mutex_);
        work_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;
        const std::size_t n = std::min(settings_.batch_size, pending_.size());
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
      space_cv_.notify_all();
      process(batch);
      {
        std::lock_guard lock(mutex_);
        done_ += batch.size();
      }
      done_cv_.notify_all();
    }
  }

  void process(const std::vector<PendingWrite>& batch) {
    Attempt a;
    const Final f = commit(batch, a);
    if (f == Final::committed) return report_rejected(a);
    if (f == Final::failed && batch.size() > 1) {
      // One bad write must not take the others with it: apply them one by
      // one to find it.
      for (const PendingWrite& w : batch) {
        Attempt single;
        if (commit(std::span<const PendingWrite>(&w, 1), single) == Final::committed) {
          report_rejected(single);
        } else {
          lose(w, single.error);
        }
      }
      return;
    }
    for (const PendingWrite& w : batch) lose(w, a.error);
  }

  Final commit(std::span<const PendingWrite> writes, Attempt& a) {
    const auto start = std::chrono::steady_clock::now();
    auto backoff = std::chrono::milliseconds{10};
    auto next_report = start;
    for (;;) {
      try {
        a = apply_(writes);
      } catch (const std::exception& e) {
        a = Attempt{Status::permanent, Error{Errc::storage_error, e.what()}, {}};
      } catch (...) {
        a = Attempt{Status::permanent, Error{Errc::storage_error, "unknown exception"}, {}};
      }
      if (a.status == Status::ok) return Final::committed;
      if (a.status == Status::permanent) return Final::failed;
      const auto now = std::chrono::steady_clock::now();
      if (now - start >= settings_.give_up_after) return Final::gave_up;
      if (now >= next_report) {
        // Transient (locked database, server restarting): said once, then
        // every few seconds while it lasts, so the host sees the outage.
        report(Error{a.error.code, std::to_string(writes.size()) +
                                       " queued write(s) waiting, will retry: " + a.error.detail},
               true);
        next_report = now + std::chrono::seconds{5};
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, settings_.max_backoff);
    }
  }

  void report_rejected(const Attempt& a) {
    for (const Error& e : a.rejected) {
      note_lost(e);
      report(e, false);
    }
  }

  void lose(const PendingWrite& w, const Error& why) {
    Error e{Errc::storage_error, describe(w) + " lost: " + why.detail};
    note_lost(e);
    report(e, false);
  }

  void note_lost(const Error& e) {
    std::lock_guard lock(mutex_);
    ++lost_;
    last_lost_ = e;
  }

  Apply apply_;
  Settings settings_;
  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  std::condition_variable done_cv_;
  std::deque<PendingWrite> pending_;
  std::uint64_t pushed_ = 0;
  std::uint64_t done_ = 0;
  std::uint64_t lost_ = 0;
  Error last_lost_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The leases this store handed out, as far as it knows: lets update_queue go
/// through the write queue when the store can prove the caller holds a live
/// lease (nobody else can have taken the lead), and run at once otherwise.
class LeaseBook {
 public:
  void granted(LeadId lead, const std::string& owner, WallTime until) {
    std::lock_guard lock(mutex_);
    if (leases_.size() > kMaxEntries) purge(until);
    leases_[lead] = {owner, until};
  }
  void renewed(LeadId lead, std::string_view owner, WallTime until) {
    std::lock_guard lock(mutex_);
    auto it = leases_.find(lead);
    if (it != leases_.end() && it->second.first == owner) it->second.second = until;
  }
  void ended(LeadId lead) {
    std::lock_guard lock(mutex_);
    leases_.erase(lead);
  }
  /// Whether `owner` holds a lease on `lead` that is live at `at`.
  bool holds(LeadId lead, std::string_view owner, WallTime at) const {
    std::lock_guard lock(mutex_);
    auto it = leases_.find(lead);
    return it != leases_.end() && !owner.empty() && it->second.first == owner &&
           it->second.second > at;
  }

 private:
  static constexpr std::size_t kMaxEntries = 1'000'000;
  void purge(WallTime now) {
    std::erase_if(leases_, [now](const auto& kv) { return kv.second.second <= now; });
  }
  mutable std::mutex mutex_;
  std::unordered_map<LeadId, std::pair<std::string, WallTime>> leases_;
};

}  // namespace dialer::internal
