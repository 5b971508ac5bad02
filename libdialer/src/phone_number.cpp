// Phone numbers via libphonenumber. Input is screened here before the library
// sees it, because libphonenumber converts letters and non-ASCII digits.
#include "dialer/phone_number.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dialer/dial_prefix.hpp"
#include "internal/number_text.hpp"

namespace dialer {

namespace {

namespace pn = i18n::phonenumbers;
using pn::PhoneNumberUtil;

/// More digits than any dialable number has (E.164 allows 15; IDD and trunk
/// prefixes add a few). Checked before libphonenumber sees the input.
constexpr std::size_t kMaxNumberDigits = 20;
/// libphonenumber's region for a number its data cannot place.
constexpr const char* kUnknownRegion = "ZZ";
/// Longest echo of an input in an error detail.
constexpr std::size_t kMaxQuotedLength = 40;

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

// One byte as it appears in a detail: printable ASCII as is, backslash
// doubled, anything else (controls, NUL, UTF-8 bytes) as \xNN.
std::string escape_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (c == '\\') return "\\\\";
  if (byte >= 0x20 && byte < 0x7F) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(byte));
  return buf;
}

std::string digits_only(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_ascii_digit(c)) out.push_back(c);
  }
  return out;
}

bool region_allowed(const std::string& region, const NumberPlan& plan) {
  if (region == plan.region) return true;
  return std::find(plan.allowed_regions.begin(), plan.allowed_regions.end(), region) !=
         plan.allowed_regions.end();
}

std::string plan_regions(const NumberPlan& plan) {
  std::string out = plan.region;
  for (const auto& r : plan.allowed_regions) {
    if (r == plan.region) continue;
    out += ", ";
    out += r;
  }
  return out;
}

// The region of a number the numbering data cannot place (possible but not
// valid, so GetRegionCodeForNumber says "ZZ"): the plan's region if it shares
// the country code (a possible-only +1 number in a CA plan is a CA number),
// else an allowed region that does, else the main region of the country code.
std::string region_for_unplaced(const PhoneNumberUtil& util, const pn::PhoneNumber& number,
                                const NumberPlan& plan) {
  std::list<std::string> regions;
  util.GetRegionCodesForCountryCallingCode(number.country_code(), &regions);
  auto has = [&](const std::string& r) {
    return std::find(regions.begin(), regions.end(), r) != regions.end();
  };
  if (has(plan.region)) return plan.region;
  for (const auto& r : plan.allowed_regions) {
    if (has(r)) return r;
  }
  std::string main_region;
  util.GetRegionCodeForCountryCode(number.country_code(), &main_region);
  return main_region;
}

// '+' and 1 to 20 ASCII digits: the shape normalize_number stores.
bool is_e164_form(std::string_view e) {
  return e.size() >= 2 && e.size() <= 1 + kMaxNumberDigits && e[0] == '+' &&
         std::all_of(e.begin() + 1, e.end(), is_ascii_digit);
}

Error not_e164(const PhoneNumber& number) {
  return Error{
      DialRule::number_unparseable,
      "stored number " + internal::quote_for_detail(number.e164) + " is not in E.164 form"};
}

Result<pn::PhoneNumber> parse_e164(const PhoneNumber& number) {
  if (!is_e164_form(number.e164)) return not_e164(number);
  pn::PhoneNumber parsed;
  if (PhoneNumberUtil::GetInstance()->Parse(number.e164, kUnknownRegion, &parsed) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return not_e164(number);
  }
  return parsed;
}

}  // namespace

namespace internal {

std::string quote_for_detail(std::string_view text) {
  std::string out = "\"";
  const std::size_t shown = std::min(text.size(), kMaxQuotedLength);
  for (std::size_t i = 0; i < shown; ++i) {
    const char c = text[i];
    out += c == '"' ? std::string("\\\"") : escape_char(c);
  }
  out += '"';
  if (shown < text.size()) out += "...";
  return out;
}

Result<std::string> screen_number_input(std::string_view raw) {
  if (std::all_of(raw.begin(), raw.end(), is_space)) {
    return Error{DialRule::number_empty, "the number is empty"};
  }
  if (raw.size() > kMaxNumberInputLength) {
    return Error{DialRule::number_too_long, "number " + quote_for_detail(raw) + " is longer than " +
                                                std::to_string(kMaxNumberInputLength) +
                                                " characters"};
  }
  std::string out;
  out.reserve(raw.size());
  std::size_t digits = 0;
  bool seen_non_space = false;
  for (char c : raw) {
    if (is_ascii_digit(c)) {
      out.push_back(c);
      ++digits;
    } else if (c == '+' && !seen_non_space) {
      out.push_back(c);
    } else if (!is_separator(c)) {
      // Letters (vanity numbers), non-ASCII digits, URIs and dial-string syntax
      // are refused here: libphonenumber would convert some of them silently.
      return Error{DialRule::number_invalid_character,
                   "number " + quote_for_detail(raw) + " has character '" + escape_char(c) +
                       "'; only digits, spaces, - . ( ) and a leading + are allowed"};
    }
    if (c != ' ') seen_non_space = true;
  }
  if (digits == 0) {
    return Error{DialRule::number_unparseable,
                 "number " + quote_for_detail(raw) + " has no digits"};
  }
  if (digits > kMaxNumberDigits) {
    return Error{DialRule::number_too_long, "number " + quote_for_detail(raw) + " has " +
                                                std::to_string(digits) + " digits, more than " +
                                                std::to_string(kMaxNumberDigits)};
  }
  return out;
}

}  // namespace internal

namespace {

// Parse costs about 23 µs, most of it regular expressions that find a number
// in free text, strip national prefixes and extensions. Input that is already
// canonical needs none of that: "+<country code><national number>", or ten
// NANP digits (optionally after a 1) under a NANP plan. Such input is built
// into a PhoneNumber directly; validity is still libphonenumber's to decide.
// Returns false, leaving `out` alone, for anything else.
bool read_canonical_digits(const PhoneNumberUtil& util, std::string_view screened,
                           const NumberPlan& plan, pn::PhoneNumber* out) {
  int country_code = 0;
  std::string_view national;
  if (screened.starts_with('+')) {
    const std::string_view digits = screened.substr(1);
    // Country codes are prefix-free: the first 1-3 digits that name one are it.
    for (std::size_t len = 1; len <= 3 && len < digits.size(); ++len) {
      const int cc = std::stoi(std::string(digits.substr(0, len)));
      std::string region;
      util.GetRegionCodeForCountryCode(cc, &region);
      if (region != kUnknownRegion) {
        country_code = cc;
        national = digits.substr(len);
        break;
      }
    }
  } else if (util.GetCountryCodeForRegion(plan.region) == 1) {
    if (screened.size() == 10 && screened[0] != '0' && screened[0] != '1') {
      national = screened;
    } else if (screened.size() == 11 && screened[0] == '1' && screened[1] != '0' &&
               screened[1] != '1') {
      national = screened.substr(1);
    }
    if (!national.empty()) country_code = 1;
  }
  // A national significant number has at most 17 digits (ITU-T E.164 and
  // libphonenumber's own limit).
  if (country_code == 0 || national.empty() || national.size() > 17) return false;
  out->set_country_code(country_code);
  // Leading zeros are part of the national number in some countries (Italy):
  // libphonenumber keeps them as a flag and a count, not in the integer.
  const std::size_t zeros = national.find_first_not_of('0');
  if (zeros == std::string_view::npos) return false;
  if (zeros > 0) {
    out->set_italian_leading_zero(true);
    if (zeros > 1) out->set_number_of_leading_zeros(static_cast<std::int32_t>(zeros));
  }
  out->set_national_number(std::stoull(std::string(national)));
  return true;
}

}  // namespace

namespace {

// ---------------------------------------------------------------------------
// The verdict cache.
//
// After a number is read, normalize_number asks libphonenumber three things:
// its region (GetRegionCodeForNumber), whether it is valid there
// (IsValidNumberForRegion) and whether its length is possible
// (IsPossibleNumberWithReason). Those answers are about 90 % of the cost of a
// canonical number, and they depend on nothing but the country calling code
// and the national significant number: on its length, and on which of the
// numbering data's patterns (the national_number_pattern of every number
// description, and leading_digits, of every region sharing that country
// code) match it in full. The patterns are libphonenumber's own, read from
// its compiled-in metadata.
//
// For one country code and length, the cache keeps a digit trie. A node is
// *decided* when every pattern gives the same answer for every way of
// completing its digits to the full length: "212 5" under +1 with 10 digits,
// where every pattern is either dead already or reduced to digits of any
// value. All numbers below a decided node get libphonenumber's answers for
// the first of them, which is computed by libphonenumber itself; the trie
// only proves that the answer cannot differ. The proof runs each pattern as
// a deterministic automaton over the digits 0-9 (built lazily from the
// pattern), so "all completions match" and "none do" are exact, not sampled.
// Anything the proof cannot handle (pattern syntax outside the small subset
// the numbering data uses, a country code without metadata, a full trie)
// goes through libphonenumber as before.
// ---------------------------------------------------------------------------

constexpr std::uint16_t kAllDigits = 0x3FF;
/// Longest national significant number the cache handles (E.164's limit).
constexpr std::size_t kMaxNsnDigits = 17;
/// Trie nodes, all country codes together (40 bytes each): beyond this,
/// numbers whose prefix is not cached yet go through libphonenumber.
constexpr std::size_t kMaxTrieNodes = 1u << 18;
/// Automaton states per pattern before the proof gives up on it.
constexpr std::size_t kMaxDfaStates = 1u << 16;

/// A pattern of the numbering data as a tree: digit sets, sequences,
/// alternatives and bounded or unbounded repetition.
struct RegexNode {
  enum class Kind { digits, sequence, alternatives, repeat } kind = Kind::sequence;
  std::uint16_t digits = 0;  // Kind::digits: bit d set for digit d
  int min = 0, max = 0;      // Kind::repeat; max < 0: unbounded
  std::vector<RegexNode> children;
};

/// Parses the subset of regular-expression syntax libphonenumber's data uses:
/// digits, \d, [...] with ranges, (?:...), |, ?, *, +, {n}, {n,m}. Anything
/// else (capture groups, anchors, classes such as \D) makes it give up.
class RegexParser {
 public:
  explicit RegexParser(std::string_view text) : text_(text) {}

  std::optional<RegexNode> parse() {
    RegexNode node = alternatives();
    if (failed_ || pos_ != text_.size()) return std::nullopt;
    return node;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  RegexNode alternatives() {
    RegexNode alt{RegexNode::Kind::alternatives, 0, 0, 0, {}};
    alt.children.push_back(sequence());
    while (!failed_ && !at_end() && peek() == '|') {
      ++pos_;
      alt.children.push_back(sequence());
    }
    if (alt.children.size() == 1) return std::move(alt.children.front());
    return alt;
  }

  RegexNode sequence() {
    RegexNode seq{RegexNode::Kind::sequence, 0, 0, 0, {}};
    while (!failed_ && !at_end() && peek() != '|' && peek() != ')') {
      RegexNode atom = this->atom();
      if (failed_) break;
      seq.children.push_back(quantified(std::move(atom)));
    }
    return seq;
  }

  RegexNode atom() {
    const char c = text_[pos_++];
    if (is_ascii_digit(c)) return digit_set(static_cast<std::uint16_t>(1u << (c - '0')));
    if (c == '\\' && !at_end() && peek() == 'd') {
      ++pos_;
      return digit_set(kAllDigits);
    }
    if (c == '[') return digit_class();
    if (c == '(' && text_.substr(pos_).starts_with("?:")) {
      pos_ += 2;
      RegexNode inner = alternatives();
      if (at_end() || peek() != ')') return fail();
      ++pos_;
      return inner;
    }
    return fail();
  }

  RegexNode digit_class() {
    std::uint16_t set = 0;
    while (!at_end() && peek() != ']') {
      const char lo = text_[pos_++];
      if (!is_ascii_digit(lo)) return fail();
      char hi = lo;
      if (pos_ + 1 < text_.size() && peek() == '-' && text_[pos_ + 1] != ']') {
        hi = text_[pos_ + 1];
        pos_ += 2;
        if (!is_ascii_digit(hi) || hi < lo) return fail();
      }
      for (char d = lo; d <= hi; ++d) set = static_cast<std::uint16_t>(set | (1u << (d - '0')));
    }
    if (at_end() || set == 0) return fail();
    ++pos_;  // ']'
    return digit_set(set);
  }

  RegexNode quantified(RegexNode atom) {
    int min = 1, max = 1;
    if (at_end()) return atom;
    const char c = peek();
    if (c == '?') {
      min = 0;
    } else if (c == '*') {
      min = 0;
      max = -1;
    } else if (c == '+') {
      max = -1;
    } else if (c == '{') {
      ++pos_;
      min = max = number();
      if (!at_end() && peek() == ',') {
        ++pos_;
        max = (!at_end() && peek() == '}') ? -1 : number();
      }
      if (failed_ || at_end() || peek() != '}' || (max >= 0 && max < min) || min > 64 || max > 64) {
        return fail();
      }
    } else {
      return atom;
    }
    ++pos_;
    RegexNode rep{RegexNode::Kind::repeat, 0, min, max, {}};
    rep.children.push_back(std::move(atom));
    return rep;
  }

  int number() {
    int value = 0;
    std::size_t digits = 0;
    while (!at_end() && is_ascii_digit(peek()) && digits < 3) {
      value = value * 10 + (peek() - '0');
      ++pos_;
      ++digits;
    }
    if (digits == 0) failed_ = true;
    return value;
  }

  static RegexNode digit_set(std::uint16_t set) {
    return RegexNode{RegexNode::Kind::digits, set, 0, 0, {}};
  }

  RegexNode fail() {
    failed_ = true;
    return {};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

/// Thompson automaton of one pattern: each state moves on a digit set to one
/// state, or silently to others.
struct Nfa {
  struct State {
    std::uint16_t digits = 0;
    int next = -1;
    std::vector<int> silent;
  };
  std::vector<State> states;
  int start = 0;
  int accept = 0;

  int add() {
    states.emplace_back();
    return static_cast<int>(states.size()) - 1;
  }
  void link(int from, int to) { states[static_cast<std::size_t>(from)].silent.push_back(to); }

  /// Builds `node`; returns its entry and exit states.
  std::pair<int, int> build(const RegexNode& node) {
    switch (node.kind) {
      case RegexNode::Kind::digits: {
        const int in = add(), out = add();
        states[static_cast<std::size_t>(in)].digits = node.digits;
        states[static_cast<std::size_t>(in)].next = out;
        return {in, out};
      }
      case RegexNode::Kind::sequence: {
        const int in = add();
        int at = in;
        for (const RegexNode& child : node.children) {
          const auto [a, b] = build(child);
          link(at, a);
          at = b;
        }
        return {in, at};
      }
      case RegexNode::Kind::alternatives: {
        const int in = add(), out = add();
        for (const RegexNode& child : node.children) {
          const auto [a, b] = build(child);
          link(in, a);
          link(b, out);
        }
        return {in, out};
      }
      case RegexNode::Kind::repeat: {
        const int in = add();
        int at = in;
        for (int i = 0; i < node.min; ++i) {
          const auto [a, b] = build(node.children.front());
          link(at, a);
          at = b;
        }
        const int out = add();
        if (node.max < 0) {
          const auto [a, b] = build(node.children.front());
          link(at, a);
          link(b, at);
          link(at, out);
          return {in, out};
        }
        for (int i = node.min; i < node.max; ++i) {
          const auto [a, b] = build(node.children.front());
          link(at, out);
          link(at, a);
          at = b;
        }
        link(at, out);
        return {in, out};
      }
    }
    return {add(), add()};
  }
};

/// What a pattern says about every completion of a prefix.
enum class Completion : std::int8_t { unknown = -1, none = 0, all = 1, mixed = 2 };

/// One pattern as a lazily built deterministic automaton over the digits,
/// answering "for a state and r more digits, do all, none or some of the
/// completions match in full?" exactly.
class PatternDfa {
 public:
  static std::optional<PatternDfa> compile(const RegexNode& node) {
    PatternDfa dfa;
    const auto [in, out] = dfa.nfa_.build(node);
    dfa.nfa_.start = in;
    dfa.nfa_.accept = out;
    dfa.intern({});  // state 0: no NFA state left, nothing can match
    std::vector<int> start{in};
    dfa.close(start);
    dfa.start_ = dfa.intern(std::move(start));
    return dfa;
  }

  int start() const { return start_; }

  /// The state after one more digit; -1 when the automaton grew too large.
  int step(int state, int digit) {
    auto& slot = sets_[static_cast<std::size_t>(state)].next[static_cast<std::size_t>(digit)];
    if (slot != -2) return slot;
    std::vector<int> moved;
    const auto bit = static_cast<std::uint16_t>(1u << digit);
    for (int s : sets_[static_cast<std::size_t>(state)].nfa_states) {
      const Nfa::State& st = nfa_.states[static_cast<std::size_t>(s)];
      if ((st.digits & bit) != 0) moved.push_back(st.next);
    }
    close(moved);
    const int id = intern(std::move(moved));
    sets_[static_cast<std::size_t>(state)].next[static_cast<std::size_t>(digit)] = id;
    return id;
  }

  /// Whether all, none or some of the strings of `remaining` digits lead
  /// from `state` to a full match; Completion::unknown when the automaton
  /// grew too large to tell.
  Completion completions(int state, std::size_t remaining) {
    if (state < 0) return Completion::unknown;
    if (state == 0) return Completion::none;
    Set& set = sets_[static_cast<std::size_t>(state)];
    if (remaining == 0) return set.accepting ? Completion::all : Completion::none;
    auto& memo = set.completions[remaining];
    if (memo != Completion::unknown) return memo;
    bool some_all = false, some_none = false;
    for (int d = 0; d < 10; ++d) {
      const int next = step(state, d);
      const Completion c = completions(next, remaining - 1);
      if (c == Completion::unknown) return Completion::unknown;
      if (c == Completion::mixed) return remember(state, remaining, Completion::mixed);
      (c == Completion::all ? some_all : some_none) = true;
      if (some_all && some_none) return remember(state, remaining, Completion::mixed);
    }
    return remember(state, remaining, some_all ? Completion::all : Completion::none);
  }

 private:
  struct Set {
    std::vector<int> nfa_states;  // sorted, closed under silent moves
    bool accepting = false;
    std::array<int, 10> next;  // -2: not computed yet
    std::array<Completion, kMaxNsnDigits + 1> completions;
  };

  Completion remember(int state, std::size_t remaining, Completion c) {
    sets_[static_cast<std::size_t>(state)].completions[remaining] = c;
    return c;
  }

  void close(std::vector<int>& states) const {
    std::vector<bool> seen(nfa_.states.size(), false);
    std::vector<int> todo = states;
    states.clear();
    while (!todo.empty()) {
      const int s = todo.back();
      todo.pop_back();
      if (seen[static_cast<std::size_t>(s)]) continue;
      seen[static_cast<std::size_t>(s)] = true;
      const Nfa::State& st = nfa_.states[static_cast<std::size_t>(s)];
      if (st.digits != 0 || s == nfa_.accept) states.push_back(s);
      for (int t : st.silent) todo.push_back(t);
    }
    std::sort(states.begin(), states.end());
  }

  int intern(std::vector<int> states) {
    if (auto it = ids_.find(states); it != ids_.end()) return it->second;
    if (sets_.size() >= kMaxDfaStates) return -1;
    Set set;
    set.accepting = std::binary_search(states.begin(), states.end(), nfa_.accept);
    set.nfa_states = states;
    set.next.fill(-2);
    set.completions.fill(Completion::unknown);
    const int id = static_cast<int>(sets_.size());
    sets_.push_back(std::move(set));
    ids_.emplace(std::move(states), id);
    return id;
  }

  Nfa nfa_;
  std::vector<Set> sets_;
  std::map<std::vector<int>, int> ids_;
  int start_ = 0;
};

/// libphonenumber's answers for one number.
struct Verdict {
  std::string region;
  bool valid = false;  // valid in `region` (false when the region is "ZZ")
  PhoneNumberUtil::ValidationResult possible = PhoneNumberUtil::INVALID_LENGTH;

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

Verdict ask_libphonenumber(const PhoneNumberUtil& util, const pn::PhoneNumber& number) {
  Verdict v;
  util.GetRegionCodeForNumber(number, &v.region);
  v.valid = v.region != kUnknownRegion && util.IsValidNumberForRegion(number, v.region);
  v.possible = util.IsPossibleNumberWithReason(number);
  return v;
}

}  // namespace
}  // namespace dialer

// The compiled-in numbering data (a serialised PhoneMetadataCollection), as
// libphonenumber itself loads it. Its header (metadata.h) is not installed,
// but libphonenumber.so exports both functions; should a build lack them,
// linking fails loudly rather than the cache silently changing results.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace dialer {
namespace {

class VerdictCache {
 public:
  static VerdictCache& instance() {
    static VerdictCache cache;
    return cache;
  }

  /// libphonenumber's verdict on `number`, from the cache when a decided
  /// prefix of it is there.
  Verdict verdict(const PhoneNumberUtil& util, const pn::PhoneNumber& number) {
    std::string nsn;
    util.GetNationalSignificantNumber(number, &nsn);
    if (nsn.empty() || nsn.size() > kMaxNsnDigits ||
        !std::all_of(nsn.begin(), nsn.end(), is_ascii_digit)) {
      return ask_libphonenumber(util, number);
    }
    const std::uint64_t root_key = key(number.country_code(), nsn.size());
    {
      std::shared_lock lock(mutex_);
      if (auto found = lookup(root_key, nsn)) return *found;
    }
    std::unique_lock lock(mutex_);
    if (auto found = lookup(root_key, nsn)) return *found;
    Verdict v = ask_libphonenumber(util, number);
    learn(number.country_code(), root_key, nsn, v);
    return v;
  }

 private:
  /// Child slot values: 0 not known yet; > 0 a node; < 0 -(verdict + 1).
  using Node = std::array<std::int32_t, 10>;

  struct Country {
    std::vector<PatternDfa> patterns;
  };

  static std::uint64_t key(std::int32_t country_code, std::size_t length) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(country_code)) << 8) | length;
  }

  std::optional<Verdict> lookup(std::uint64_t root_key, const std::string& nsn) const {
    const auto root = roots_.find(root_key);
    if (root == roots_.end()) return std::nullopt;
    std::int32_t at = root->second;
    for (char c : nsn) {
      if (at < 0) break;
      at = nodes_[static_cast<std::size_t>(at)][static_cast<std::size_t>(c - '0')];
      if (at == 0) return std::nullopt;
    }
    if (at >= 0) return std::nullopt;
    return verdicts_[static_cast<std::size_t>(-at - 1)];
  }

  /// The patterns every region of `country_code` matches numbers against;
  /// nullptr when one of them is outside what the proof handles.
  Country* country(std::int32_t country_code) {
    auto [it, inserted] = countries_.try_emplace(country_code);
    if (!inserted) return it->second.get();
    auto built = std::make_unique<Country>();
    bool ok = metadata_ != nullptr;
    bool any = false;
    auto add = [&](const std::string& pattern, bool prefix_match) {
      if (pattern.empty()) return;  // libphonenumber: an empty pattern matches nothing
      auto node = RegexParser(pattern).parse();
      if (!node) {
        ok = false;
        return;
      }
      if (prefix_match) {  // leading_digits is matched at the start only
        RegexNode any_tail{RegexNode::Kind::repeat, 0, 0, -1, {}};
        any_tail.children.push_back(RegexNode{RegexNode::Kind::digits, kAllDigits, 0, 0, {}});
        RegexNode seq{RegexNode::Kind::sequence, 0, 0, 0, {}};
        seq.children.push_back(std::move(*node));
        seq.children.push_back(std::move(any_tail));
        node = std::move(seq);
      }
      auto dfa = PatternDfa::compile(*node);
      if (!dfa) {
        ok = false;
        return;
      }
      built->patterns.push_back(std::move(*dfa));
    };
    if (ok) {
      for (const pn::PhoneMetadata& m : metadata_->metadata()) {
        if (m.country_code() != country_code) continue;
        any = true;
        for (const pn::PhoneNumberDesc* desc :
             {&m.general_desc(), &m.fixed_line(), &m.mobile(), &m.toll_free(), &m.premium_rate(),
              &m.shared_cost(), &m.personal_number(), &m.voip(), &m.pager(), &m.uan(),
              &m.emergency(), &m.voicemail(), &m.short_code(), &m.standard_rate(),
              &m.carrier_specific(), &m.sms_services(), &m.no_international_dialling()}) {
          add(desc->national_number_pattern(), false);
        }
        add(m.leading_digits(), true);
      }
    }
    if (ok && any) it->second = std::move(built);
    return it->second.get();
  }

  /// Finds the shortest decided prefix of `nsn` and stores `v` under it.
  void learn(std::int32_t country_code, std::uint64_t root_key, const std::string& nsn,
             const Verdict& v) {
    Country* c = country(country_code);
    if (c == nullptr) return;
    std::vector<int> states;
    states.reserve(c->patterns.size());
    for (PatternDfa& p : c->patterns) states.push_back(p.start());
    std::size_t depth = 0;
    for (;; ++depth) {
      const std::size_t remaining = nsn.size() - depth;
      bool decided = true;
      for (std::size_t i = 0; i < states.size() && decided; ++i) {
        const Completion comp = c->patterns[i].completions(states[i], remaining);
        if (comp == Completion::unknown) return;  // automaton too large: do not cache
        decided = comp != Completion::mixed;
      }
      if (decided) break;
      if (depth == nsn.size()) return;  // cannot happen: every full number is decided
      for (std::size_t i = 0; i < states.size(); ++i) {
        states[i] = c->patterns[i].step(states[i], nsn[depth] - '0');
      }
    }
    if (nodes_.size() + depth > kMaxTrieNodes) return;
    const std::int32_t leaf = -static_cast<std::int32_t>(intern(v)) - 1;
    if (depth == 0) {
      roots_[root_key] = leaf;
      return;
    }
    auto root = roots_.find(root_key);
    if (root == roots_.end()) root = roots_.emplace(root_key, new_node()).first;
    std::int32_t at = root->second;
    if (at < 0) return;  // decided already (another thread got here first)
    for (std::size_t i = 0; i + 1 < depth; ++i) {
      const auto digit = static_cast<std::size_t>(nsn[i] - '0');
      std::int32_t next = nodes_[static_cast<std::size_t>(at)][digit];
      if (next < 0) return;
      if (next == 0) {
        next = new_node();
        nodes_[static_cast<std::size_t>(at)][digit] = next;
      }
      at = next;
    }
    nodes_[static_cast<std::size_t>(at)][static_cast<std::size_t>(nsn[depth - 1] - '0')] = leaf;
  }

  std::int32_t new_node() {
    nodes_.push_back(Node{});
    return static_cast<std::int32_t>(nodes_.size() - 1);
  }

  std::size_t intern(const Verdict& v) {
    const auto it = std::find(verdicts_.begin(), verdicts_.end(), v);
    if (it != verdicts_.end()) return static_cast<std::size_t>(it - verdicts_.begin());
    verdicts_.push_back(v);
    return verdicts_.size() - 1;
  }

  VerdictCache() {
    auto collection = std::make_unique<pn::PhoneMetadataCollection>();
    if (collection->ParseFromArray(pn::metadata_get(), pn::metadata_size())) {
      metadata_ = std::move(collection);
    }
    nodes_.reserve(1024);
    nodes_.push_back(Node{});  // index 0 is "no node"
  }

  std::shared_mutex mutex_;
  std::unique_ptr<pn::PhoneMetadataCollection> metadata_;
  std::unordered_map<std::int32_t, std::unique_ptr<Country>> countries_;
  std::unordered_map<std::uint64_t, std::int32_t> roots_;
  std::vector<Node> nodes_;
  std::vector<Verdict> verdicts_;
};

}  // namespace

Result<void> validate_plan(const NumberPlan& plan) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  // libphonenumber reads region codes in upper case only: under "us" every
  // national number fails to parse, so a lower-case code is refused here.
  auto known = [&util](const std::string& region) {
    return region.size() == 2 && std::all_of(region.begin(), region.end(),
                                             [](char c) { return c >= 'A' && c <= 'Z'; }) &&
           util.GetCountryCodeForRegion(region) != 0;
  };
  if (!known(plan.region)) {
    return Error{Errc::invalid_argument, "number plan region " + internal::quote_for_detail(plan.region) +
                                             " is not an upper-case region the numbering data knows"};
  }
  for (const std::string& region : plan.allowed_regions) {
    if (!known(region)) {
      return Error{Errc::invalid_argument, "allowed region " + internal::quote_for_detail(region) +
                                               " is not an upper-case region the numbering data knows"};
    }
  }
  return ok();
}

namespace {

Result<PhoneNumber> normalize(std::string_view raw, const NumberPlan& plan, bool cached) {
  auto screened = internal::screen_number_input(raw);
  if (!screened) return std::move(screened).error();

  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  pn::PhoneNumber parsed;
  if (!read_canonical_digits(util, *screened, plan, &parsed) &&
      (util.Parse(*screened, plan.region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR ||
       parsed.has_extension())) {
    return Error{DialRule::number_unparseable, "number " + internal::quote_for_detail(raw) +
                                                   " cannot be read as a phone number of region " +
                                                   internal::quote_for_detail(plan.region)};
  }

  PhoneNumber out;
  util.Format(parsed, PhoneNumberUtil::E164, &out.e164);

  Verdict verdict;
  if (cached) {
    verdict = VerdictCache::instance().verdict(util, parsed);
    out.region = verdict.region;
  } else {
    util.GetRegionCodeForNumber(parsed, &out.region);
  }
  if (plan.require_valid) {
    // IsValidNumber would look the region up a second time (a fifth of a
    // typed dial's cost); with the region known, this is the same test.
    const bool valid = cached ? verdict.valid
                              : out.region != kUnknownRegion &&
                                    util.IsValidNumberForRegion(parsed, out.region);
    if (!valid) {
      return Error{DialRule::number_not_valid, "number " + internal::quote_for_detail(raw) + " (" +
                                                   out.e164 +
                                                   ") is not a valid number in the numbering data"};
    }
  } else if ((cached ? verdict.possible : util.IsPossibleNumberWithReason(parsed)) !=
             PhoneNumberUtil::IS_POSSIBLE) {
    // IS_POSSIBLE_LOCAL_ONLY (a 7-digit US number) is refused too: without its
    // area code it has no E.164 form to dial.
    return Error{DialRule::number_not_valid, "number " + internal::quote_for_detail(raw) + " (" +
                                                 out.e164 + ") does not have a possible length"};
  }

  if (out.region == kUnknownRegion && !plan.require_valid) {
    out.region = region_for_unplaced(util, parsed, plan);
  }
  if (!region_allowed(out.region, plan)) {
    return Error{DialRule::region_not_allowed, "number " + out.e164 + " is in region " +
                                                   out.region + ", which the plan (" +
                                                   plan_regions(plan) + ") does not allow"};
  }
  return out;
}

}  // namespace

Result<PhoneNumber> normalize_number(std::string_view raw, const NumberPlan& plan) {
  return normalize(raw, plan, true);
}

Result<PhoneNumber> normalize_number_uncached(std::string_view raw, const NumberPlan& plan) {
  return normalize(raw, plan, false);
}

Result<void> check_plan(const PhoneNumber& number, const NumberPlan& plan) {
  if (region_allowed(number.region, plan)) return ok();
  return Error{DialRule::region_not_allowed,
               "number " + internal::quote_for_detail(number.e164) + " is in region " +
                   internal::quote_for_detail(number.region) + ", which the plan (" +
                   plan_regions(plan) + ") does not allow"};
}

Result<std::string> format_for_dialing(const PhoneNumber& number, NumberFormat format,
                                       const NumberPlan& plan) {
  switch (format) {
    case NumberFormat::e164: {
      // The hot path: no libphonenumber call, only a shape check.
      if (!is_e164_form(number.e164)) return not_e164(number);
      return number.e164.substr(1);
    }
    case NumberFormat::national: {
      if (number.region != plan.region) {
        return Error{DialRule::region_not_allowed,
                     "number " + internal::quote_for_detail(number.e164) + " is in region " +
                         internal::quote_for_detail(number.region) +
                         "; only numbers of the plan's region " + plan.region +
                         " can be dialled in national format"};
      }
      auto parsed = parse_e164(number);
      if (!parsed) return std::move(parsed).error();
      std::string text;
      PhoneNumberUtil::GetInstance()->Format(*parsed, PhoneNumberUtil::NATIONAL, &text);
      std::string digits = digits_only(text);
      if (digits.empty()) {
        return Error{DialRule::number_unparseable,
                     "number " + number.e164 + " has no national form"};
      }
      return digits;
    }
    case NumberFormat::from_region: {
      auto parsed = parse_e164(number);
      if (!parsed) return std::move(parsed).error();
      std::string text;
      PhoneNumberUtil::GetInstance()->FormatOutOfCountryCallingNumber(*parsed, plan.region, &text);
      // libphonenumber falls back to "+..." when the calling region has no
      // single international prefix (BR, KR, SG, ...) or is unknown; dropping
      // the '+' would dial the country code as if it were a national number.
      std::string digits = digits_only(text);
      if (text.find('+') != std::string::npos || digits.empty()) {
        return Error{DialRule::number_unparseable,
                     "number " + number.e164 + " cannot be written as dialled from region " +
                         internal::quote_for_detail(plan.region) +
                         " (no single international prefix); use the e164 format"};
      }
      return digits;
    }
  }
  return Error{DialRule::number_unparseable,
               "unknown number format " + std::to_string(static_cast<int>(format))};
}

std::string last_ten_digits(std::string_view number) {
  std::string digits = digits_only(number);
  if (digits.size() > 10) digits.erase(0, digits.size() - 10);
  return digits;
}

}  // namespace dialer
