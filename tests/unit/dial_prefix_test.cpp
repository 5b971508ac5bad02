// The dial-prefix policy: a table of typed numbers on several routes (each row
// a dial string or the one rule that refuses), carrier and route configuration,
// and the last check of a planned target before originate.
#include "dialer/dial_prefix.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "dialer/carrier.hpp"
#include "dialer/phone_number.hpp"

using namespace dialer;

namespace {

constexpr CarrierId kTrunkA{1};
constexpr CarrierId kTrunkB{2};
constexpr CarrierId kLocal{3};
constexpr CarrierId kIntl{4};
constexpr CarrierId kLegacy{5};

Carrier make_carrier(CarrierId id, std::string name, std::string prefix, std::string tmpl,
                     NumberFormat format = NumberFormat::e164) {
  Carrier c;
  c.id = id;
  c.name = std::move(name);
  c.dial_prefix = std::move(prefix);
  c.dial_template = std::move(tmpl);
  c.number_format = format;
  return c;
}

NumberPlan plan(std::string region, std::vector<std::string> allowed = {},
                bool require_valid = true) {
  NumberPlan p;
  p.region = std::move(region);
  p.allowed_regions = std::move(allowed);
  p.require_valid = require_valid;
  return p;
}

Route route(CarrierId carrier, NumberPlan p, std::string campaign_prefix = "") {
  Route r;
  r.carrier = carrier;
  r.campaign_prefix = std::move(campaign_prefix);
  r.plan = std::move(p);
  return r;
}

const NumberPlan kUs = plan("US");
const NumberPlan kUsIntl = plan("US", {"GB", "CA"});
const NumberPlan kUsLoose = plan("US", {}, false);
const NumberPlan kAt = plan("AT");
const NumberPlan kAtLoose = plan("AT", {}, false);

// Five carriers whose prefixes are pairwise prefix-free: "9", "8", "77", "66", "1".
DialPolicy make_policy() {
  DialPolicy p;
  REQUIRE(p.save_carrier(make_carrier(kTrunkA, "trunk-a", "9", "PJSIP/{dial}@trunk-a")));
  REQUIRE(p.save_carrier(make_carrier(kTrunkB, "trunk-b", "8", "PJSIP/{dial}@trunk-b")));
  REQUIRE(p.save_carrier(
      make_carrier(kLocal, "local", "77", "Local/{dial}@customers", NumberFormat::national)));
  REQUIRE(p.save_carrier(
      make_carrier(kIntl, "intl-gw", "66", "SIP/{dial}@intl-gw", NumberFormat::from_region)));
  REQUIRE(p.save_carrier(make_carrier(kLegacy, "legacy", "1", "IAX2/{dial}@legacy")));
  return p;
}

using Expected = std::variant<std::string, DialRule>;

struct Row {
  const char* description;
  Route route;
  std::string typed;
  Expected expected;  // the dial string, or the rule that refuses
};

// A refusal's detail is a short sentence without raw control bytes.
void check_detail_is_safe(const Error& e) {
  CHECK_FALSE(e.detail.empty());
  CHECK(e.detail.size() < 400);
  const bool printable = std::all_of(e.detail.begin(), e.detail.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0x20 && b < 0x7F;
  });
  CHECK(printable);
}

std::vector<Row> typed_number_rows() {
  const std::string nul_injection("4155550100\0@evil", 16);
  return {
      // Ordinary numbers, written in the ways agents write them.
      {"a plain ten-digit number gets trunk-a's prefix", route(kTrunkA, kUs), "4155550100",
       "PJSIP/914155550100@trunk-a"},
      {"dashes are separators", route(kTrunkA, kUs), "415-555-0100", "PJSIP/914155550100@trunk-a"},
      {"brackets and a space are separators", route(kTrunkA, kUs), "(415) 555-0100",
       "PJSIP/914155550100@trunk-a"},
      {"dots are separators", route(kTrunkA, kUs), "415.555.0100", "PJSIP/914155550100@trunk-a"},
      {"leading and trailing spaces are ignored", route(kTrunkA, kUs), "  415 555 0100  ",
       "PJSIP/914155550100@trunk-a"},
      {"the national prefix 1 is read as such", route(kTrunkA, kUs), "1 212 555 1230",
       "PJSIP/912125551230@trunk-a"},
      {"a leading + US number", route(kTrunkA, kUs), "+1 202 555 0140",
       "PJSIP/912025550140@trunk-a"},
      {"a campaign prefix equal to the carrier's is the one dialled", route(kTrunkA, kUs, "9"),
       "901-555-1234", "PJSIP/919015551234@trunk-a"},
      {"trunk-b dials with its own prefix", route(kTrunkB, kUs), "2125551230",
       "PJSIP/812125551230@trunk-b"},

      // The agent typed the route's own prefix: it is dialled once.
      {"own prefix typed before the number is not doubled", route(kTrunkA, kUs), "9 415 555 0100",
       "PJSIP/914155550100@trunk-a"},
      {"own prefix typed before 1 and the number is not doubled", route(kTrunkA, kUs),
       "9 1 901 555 1234", "PJSIP/919015551234@trunk-a"},
      {"own prefix typed on trunk-b is not doubled", route(kTrunkB, kUs), "8 (212) 555-1230",
       "PJSIP/812125551230@trunk-b"},
      {"own two-digit prefix typed on the local route is not doubled", route(kLocal, kUs),
       "77 415 555 0100", "Local/774155550100@customers"},
      {"own prefix typed before an international call by IDD is not doubled",
       route(kTrunkA, kUsIntl), "9 011 44 20 7946 0000", "PJSIP/9442079460000@trunk-a"},
      {"own prefix typed twice is refused, not stripped twice", route(kTrunkA, kUs),
       "99 415 555 0100", DialRule::number_not_valid},
      {"the legacy route's prefix 1 reads the same number either way, so it is dialled",
       route(kLegacy, kUs), "1 415 555 0100", "IAX2/114155550100@legacy"},

      // Another carrier's prefix in front of a number: cross-route dialling.
      {"trunk-b's prefix typed on trunk-a's route is refused", route(kTrunkA, kUs),
       "8 415 555 0100", DialRule::other_carrier_prefix},
      {"the local route's prefix typed on trunk-a's route is refused", route(kTrunkA, kUs),
       "77 2125551230", DialRule::other_carrier_prefix},
      {"trunk-a's prefix typed on the local route is refused", route(kLocal, kUs), "9-415-555-0100",
       DialRule::other_carrier_prefix},
      {"the legacy prefix 1 before an IDD call on trunk-a is refused", route(kTrunkA, kUsIntl),
       "1 011 44 20 7946 0000", DialRule::other_carrier_prefix},
      {"libphonenumber reads 1 1 before a number as trunk 1 and country code 1",
       route(kTrunkA, kUs), "11 415 555 0100", "PJSIP/914155550100@trunk-a"},
      {"a number that merely starts with another carrier's prefix digit is dialled",
       route(kTrunkA, kUs), "1 415 555 0100", "PJSIP/914155550100@trunk-a"},
      {"a valid number starting with 8 is not read as trunk-b's prefix", route(kTrunkA, kUs),
       "801-555-1234", "PJSIP/918015551234@trunk-a"},

      // Ambiguity. In the US a prefix other than "1" can never be ambiguous:
      // national numbers are exactly 10 digits (11 with the trunk 1), so "9" + a
      // valid number is never valid itself, and "1" + a number is the same number.
      // Austria's variable-length numbering makes real cases.
      {"prefix 9 before an Austrian number that is also a valid number is ambiguous",
       route(kTrunkA, kAt), "9 01 234567", DialRule::ambiguous_prefix},
      {"prefix 9 before an Austrian number whose whole is invalid is stripped", route(kTrunkA, kAt),
       "9 0316 123456", "PJSIP/943316123456@trunk-a"},
      {"a non-strict Austrian plan finds the same digits ambiguous", route(kTrunkA, kAtLoose),
       "9 0316 123456", DialRule::ambiguous_prefix},
      {"a + number is never read for a prefix", route(kTrunkA, kAt), "+43 901 234567",
       "PJSIP/943901234567@trunk-a"},

      // Hostile or malformed input: refused, never converted.
      {"a vanity number with letters", route(kTrunkA, kUs), "1-800-FLOWERS",
       DialRule::number_invalid_character},
      {"a letter O for a zero", route(kTrunkA, kUs), "415555O100",
       DialRule::number_invalid_character},
      {"Arabic-Indic digits", route(kTrunkA, kUs),
       "\xD9\xA4\xD9\xA1\xD9\xA5\xD9\xA5\xD9\xA5\xD9\xA5\xD9\xA0\xD9\xA1\xD9\xA0\xD9\xA0",
       DialRule::number_invalid_character},
      {"full-width digits", route(kTrunkA, kUs),
       "\xEF\xBC\x94\xEF\xBC\x91\xEF\xBC\x95\xEF\xBC\x95\xEF\xBC\x95\xEF\xBC\x95\xEF\xBC\x90"
       "\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90",
       DialRule::number_invalid_character},
      {"input longer than 40 characters", route(kTrunkA, kUs),
       "415 555 0100                             1", DialRule::number_too_long},
      {"21 digits", route(kTrunkA, kUs), "415555010041555501001", DialRule::number_too_long},
      {"20 digits pass the screen but not the parser", route(kTrunkA, kUs), "12345678901234567890",
       DialRule::number_unparseable},
      {"an empty number", route(kTrunkA, kUs), "", DialRule::number_empty},
      {"a blank number", route(kTrunkA, kUs), "   ", DialRule::number_empty},
      {"a SIP URI", route(kTrunkA, kUs), "sip:4155550100@evil", DialRule::number_invalid_character},
      {"a second endpoint joined with &", route(kTrunkA, kUs), "123&Local/999@other",
       DialRule::number_invalid_character},
      {"a number with a host", route(kTrunkA, kUs), "4155550100@other",
       DialRule::number_invalid_character},
      {"a number with a parameter", route(kTrunkA, kUs), "4155550100;foo",
       DialRule::number_invalid_character},
      {"a number with a pause and extension", route(kTrunkA, kUs), "4155550100,1234",
       DialRule::number_invalid_character},
      {"a lone +", route(kTrunkA, kUs), "+", DialRule::number_unparseable},
      {"two leading +", route(kTrunkA, kUs), "++14155550100", DialRule::number_invalid_character},
      {"a + after the first digit", route(kTrunkA, kUs), "1+4155550100",
       DialRule::number_invalid_character},
      {"a star code before the number", route(kTrunkA, kUs), "*67 4155550100",
       DialRule::number_invalid_character},
      {"a hash code before the number", route(kTrunkA, kUs), "#31#4155550100",
       DialRule::number_invalid_character},
      {"an embedded NUL", route(kTrunkA, kUs), nul_injection, DialRule::number_invalid_character},
      {"a newline injection", route(kTrunkA, kUs), "4155550100\nChannel: SIP/evil",
       DialRule::number_invalid_character},
      {"a tab", route(kTrunkA, kUs), "415\t5550100", DialRule::number_invalid_character},
      {"separators and no digits", route(kTrunkA, kUs), "( ) - .", DialRule::number_unparseable},
      {"the prefix alone", route(kTrunkA, kUs), "9", DialRule::number_unparseable},
      {"the emergency number is not a dialable number", route(kTrunkA, kUs), "911",
       DialRule::number_not_valid},
      {"the prefix before the emergency number", route(kTrunkA, kUsLoose), "9 911",
       DialRule::number_not_valid},

      // Number plans and regions.
      {"a UK number on a US-only plan", route(kTrunkA, kUs), "+44 20 7946 0000",
       DialRule::region_not_allowed},
      {"a Canadian number on a US-only plan", route(kTrunkA, kUs), "416 555 0123",
       DialRule::region_not_allowed},
      {"a UK number with GB allowed is dialled in e164", route(kTrunkA, kUsIntl),
       "+44 20 7946 0000", "PJSIP/9442079460000@trunk-a"},
      {"a UK number by US IDD with GB allowed", route(kTrunkA, kUsIntl), "011 44 20 7946 0000",
       "PJSIP/9442079460000@trunk-a"},
      {"a Canadian number with CA allowed", route(kTrunkA, kUsIntl), "416 555 0123",
       "PJSIP/914165550123@trunk-a"},
      {"national format dials a US number without country code", route(kLocal, kUs),
       "+1 415 555 0100", "Local/774155550100@customers"},
      {"national format refuses a number of another region", route(kLocal, kUsIntl),
       "+44 20 7946 0000", DialRule::region_not_allowed},
      {"national format refuses a Canadian number from a US plan", route(kLocal, kUsIntl),
       "416 555 0123", DialRule::region_not_allowed},
      {"from-region format dials the UK by 011 from the US", route(kIntl, kUsIntl),
       "+44 20 7946 0000", "SIP/66011442079460000@intl-gw"},
      {"from-region format dials a US number with its 1", route(kIntl, kUsIntl), "2025550140",
       "SIP/6612025550140@intl-gw"},
      {"a strict plan refuses a possible but unassigned number", route(kTrunkA, kUs),
       "555 555 0100", DialRule::number_not_valid},
      {"a non-strict plan accepts a possible but unassigned number", route(kTrunkA, kUsLoose),
       "555 555 0100", "PJSIP/915555550100@trunk-a"},
      {"a non-strict plan accepts a possible number starting with 0", route(kTrunkA, kUsLoose),
       "012 345 6780", "PJSIP/910123456780@trunk-a"},
      {"a non-strict plan refuses a local-only seven-digit number", route(kTrunkA, kUsLoose),
       "555-0100", DialRule::number_not_valid},
      {"too few digits", route(kTrunkA, kUs), "12", DialRule::number_not_valid},

      // Routes that are wrong.
      {"an unknown carrier", route(CarrierId{99}, kUs), "4155550100", DialRule::unknown_carrier},
      {"a campaign prefix that disagrees with the carrier's is caught before originate",
       route(kTrunkA, kUs, "8"), "4155550100", DialRule::dial_string_mismatch},
  };
}

}  // namespace

TEST_SUITE("dial_prefix") {
  TEST_CASE("typed numbers are dialled through their route's prefix or refused by one rule") {
    const DialPolicy policy = make_policy();
    const auto rows = typed_number_rows();
    REQUIRE(rows.size() >= 40);
    for (const Row& row : rows) {
      INFO("row: ", row.description);
      CAPTURE(row.typed);
      const auto r = policy.plan_typed(row.route, row.typed);
      if (const auto* dial = std::get_if<std::string>(&row.expected)) {
        if (!r) INFO("refused: ", r.error().message());
        REQUIRE(r.has_value());
        CHECK(r->dial_string == *dial);
        CHECK(r->carrier == row.route.carrier);
        CHECK(r->dialled.starts_with(r->prefix));
        CHECK(policy.verify(row.route, *r));
      } else {
        const DialRule rule = std::get<DialRule>(row.expected);
        CAPTURE(to_string(rule));
        REQUIRE_FALSE(r.has_value());
        INFO("detail: ", r.error().detail);
        CHECK(r.error().code == rule);
        check_detail_is_safe(r.error());
      }
    }
  }

  TEST_CASE("every byte but digits and separators is refused inside a typed number") {
    const DialPolicy policy = make_policy();
    const Route a = route(kTrunkA, kUs);
    for (int b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      if (c >= '0' && c <= '9') continue;
      CAPTURE(b);
      const std::string typed = std::string("415555") + c + "0100";
      const auto r = policy.plan_typed(a, typed);
      if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
        REQUIRE(r);
        CHECK(r->dial_string == "PJSIP/914155550100@trunk-a");
      } else {
        REQUIRE_FALSE(r);
        CHECK(r.error().code == DialRule::number_invalid_character);
        check_detail_is_safe(r.error());
      }
    }
  }

  TEST_CASE("the refusal names the carrier whose prefix was typed") {
    const DialPolicy policy = make_policy();
    const auto r = policy.plan_typed(route(kTrunkA, kUs), "8 415 555 0100");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::other_carrier_prefix);
    CHECK(r.error().detail.find("trunk-b") != std::string::npos);
  }

  TEST_CASE("an ambiguous number names both readings") {
    const DialPolicy policy = make_policy();
    const auto r = policy.plan_typed(route(kTrunkA, kAt), "901234567");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::ambiguous_prefix);
    CHECK(r.error().detail.find("+43901234567") != std::string::npos);
    CHECK(r.error().detail.find("+431234567") != std::string::npos);
  }

  TEST_CASE("details escape control bytes and truncate long input") {
    const DialPolicy policy = make_policy();
    auto r = policy.plan_typed(route(kTrunkA, kUs), std::string("41\x01\x7f", 4));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::number_invalid_character);
    CHECK(r.error().detail.find("\\x01") != std::string::npos);

    r = policy.plan_typed(route(kTrunkA, kUs), std::string(500, 'x'));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::number_too_long);
    CHECK(r.error().detail.size() < 120);
  }

  TEST_CASE("a lead's stored number is planned without parsing it again") {
    const DialPolicy policy = make_policy();
    // Valid per numbering data or not, a stored e164 number is dialled as stored:
    // plan_number trusts normalisation done when the lead was imported.
    const PhoneNumber stored{"+15555550100", "US"};
    const auto r = policy.plan_number(route(kTrunkA, kUs), stored);
    REQUIRE(r);
    CHECK(r->prefix == "9");
    CHECK(r->dialled == "915555550100");
    CHECK(r->dial_string == "PJSIP/915555550100@trunk-a");
    CHECK(r->number == stored);
  }

  TEST_CASE("a lead's number outside the plan is refused") {
    const DialPolicy policy = make_policy();
    const auto r = policy.plan_number(route(kTrunkA, kUs), PhoneNumber{"+442079460000", "GB"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::region_not_allowed);
  }

  TEST_CASE("a lead's number that is not in E.164 form is refused") {
    const DialPolicy policy = make_policy();
    for (const char* bad : {"14155550100", "+1415555010a", "+", "+1 415 555 0100", ""}) {
      CAPTURE(bad);
      const auto r = policy.plan_number(route(kTrunkA, kUs), PhoneNumber{bad, "US"});
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::number_unparseable);
    }
  }

  TEST_CASE("a lead's number on an unknown carrier is refused") {
    const DialPolicy policy = make_policy();
    const auto r = policy.plan_number(route(CarrierId{42}, kUs), PhoneNumber{"+14155550100", "US"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::unknown_carrier);
  }

  TEST_CASE("dialled digits longer than the bound are refused before originate") {
    DialPolicy policy;
    REQUIRE(policy.save_carrier(make_carrier(kTrunkA, "long", "1234567890", "PJSIP/{dial}@t")));
    const NumberPlan any = plan("DE", {"001"});
    // +800 numbers are non-geographic (region "001"); 11 digits + 10 of prefix = 21 is fine.
    auto r = policy.plan_number(route(kTrunkA, any), PhoneNumber{"+80012345678", "001"});
    REQUIRE(r);
    CHECK(r->dialled.size() == 21);
    // A 15-digit number behind a 10-digit prefix is 25 digits, over kMaxDialDigits.
    r = policy.plan_number(route(kTrunkA, any), PhoneNumber{"+491234567890123", "DE"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::dial_string_mismatch);
  }

  TEST_CASE("verify refuses a target altered after planning") {
    const DialPolicy policy = make_policy();
    const Route a = route(kTrunkA, kUs);
    const auto planned = policy.plan_typed(a, "4155550100");
    REQUIRE(planned);
    REQUIRE(policy.verify(a, *planned));

    auto refused = [&](DialTarget t) {
      const auto r = policy.verify(a, t);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::dial_string_mismatch);
      check_detail_is_safe(r.error());
    };
    SUBCASE("dial string swapped for another route's") {
      DialTarget t = *planned;
      t.dial_string = "PJSIP/914155550100@trunk-b";
      refused(t);
    }
    SUBCASE("dial string of the local route") {
      DialTarget t = *planned;
      t.dial_string = "Local/914155550100@customers";
      refused(t);
    }
    SUBCASE("prefix doubled in the dialled digits and dial string") {
      DialTarget t = *planned;
      t.dialled = "9914155550100";
      t.dial_string = "PJSIP/9914155550100@trunk-a";
      refused(t);
    }
    SUBCASE("prefix doubled in the dial string only") {
      DialTarget t = *planned;
      t.dial_string = "PJSIP/9914155550100@trunk-a";
      refused(t);
    }
    SUBCASE("an extra endpoint appended with &") {
      DialTarget t = *planned;
      t.dial_string += "&Local/999@other";
      refused(t);
    }
    SUBCASE("another carrier's id") {
      DialTarget t = *planned;
      t.carrier = kTrunkB;
      refused(t);
    }
    SUBCASE("another prefix") {
      DialTarget t = *planned;
      t.prefix = "8";
      t.dialled = "814155550100";
      t.dial_string = "PJSIP/814155550100@trunk-a";
      refused(t);
    }
    SUBCASE("a non-digit in the dialled string") {
      DialTarget t = *planned;
      t.dialled = "9415555010#";
      t.dial_string = "PJSIP/9415555010#@trunk-a";
      refused(t);
    }
    SUBCASE("the prefix alone, with no number") {
      DialTarget t = *planned;
      t.dialled = "9";
      t.dial_string = "PJSIP/9@trunk-a";
      refused(t);
    }
    SUBCASE("another number in the dialled digits than the target's") {
      DialTarget t = *planned;
      t.dialled = "912125551230";
      t.dial_string = "PJSIP/912125551230@trunk-a";
      refused(t);
    }
    SUBCASE("a number of a region the plan does not allow") {
      DialTarget t = *planned;
      t.number = PhoneNumber{"+442079460000", "GB"};
      t.dialled = "9442079460000";
      t.dial_string = "PJSIP/9442079460000@trunk-a";
      refused(t);
    }
    SUBCASE("a route whose carrier was removed") {
      DialPolicy changed = policy;
      REQUIRE(changed.remove_carrier(kTrunkA));
      const auto r = changed.verify(a, *planned);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::dial_string_mismatch);
    }
    SUBCASE("a carrier whose prefix changed since planning") {
      DialPolicy changed = policy;
      REQUIRE(changed.save_carrier(make_carrier(kTrunkA, "trunk-a", "5", "PJSIP/{dial}@trunk-a")));
      const auto r = changed.verify(a, *planned);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::dial_string_mismatch);
    }
  }

  TEST_CASE("prefixes are digits, star and hash, at most ten long") {
    CHECK(validate_prefix(""));
    CHECK(validate_prefix("9"));
    CHECK(validate_prefix("*72#"));
    CHECK(validate_prefix("1234567890"));
    for (const char* bad : {"9a", "9 ", "+1", "9-1", "9,", "\xD9\xA9", "9&", "9\n"}) {
      CAPTURE(bad);
      const auto r = validate_prefix(bad);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::prefix_invalid_character);
    }
    const auto r = validate_prefix("12345678901");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::prefix_too_long);
    const auto with_name = validate_prefix("9a");
    REQUIRE_FALSE(with_name);
    CHECK(with_name.error().detail == "prefix \"9a\" has a character other than digits, * and #");
  }

  TEST_CASE("dial templates name a technology and hold exactly one {dial}") {
    for (const char* good : {"PJSIP/{dial}@trunk-a", "Local/{dial}@customers/n", "SIP/gw_1/{dial}",
                             "IAX2/user:pass@host/{dial}", "PJSIP/{dial}", "DAHDI/g1/{dial}",
                             "PJSIP/+{dial}@trunk.example.com"}) {
      CAPTURE(good);
      CHECK(validate_dial_template(good));
    }
    for (const char* bad : {"",
                            "PJSIP/@trunk",
                            "PJSIP/{dial}{dial}@t",
                            "PJSIP/{dial}@t/{dial}",
                            "PJSIP/{dial}@trunk a",
                            "PJSIP/{dial}@t&Local/1@x",
                            "{dial}@trunk",
                            "/{dial}@trunk",
                            "1PJSIP/{dial}",
                            "PJ SIP/{dial}",
                            "PJSIP{dial}",
                            "PJSIP/{dial}@t,30",
                            "PJSIP/{dial}@t;x",
                            "PJSIP/{dial}@t|x",
                            "PJSIP/{dial}@\"t\"",
                            "PJSIP/{dial}@t\n",
                            "PJSIP/{{dial}}@t",
                            "PJSIP/{dial@t",
                            "PJSIP/{DIAL}@t",
                            "PJSIP/{dial}@t}"}) {
      CAPTURE(bad);
      const auto r = validate_dial_template(bad);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::template_invalid);
      check_detail_is_safe(r.error());
    }
  }

  TEST_CASE("carrier prefixes are unique and none starts another") {
    DialPolicy policy;
    REQUIRE(policy.save_carrier(make_carrier(kTrunkA, "trunk-a", "9", "PJSIP/{dial}@a")));

    SUBCASE("an equal prefix is a duplicate") {
      const auto r = policy.save_carrier(make_carrier(kTrunkB, "trunk-b", "9", "PJSIP/{dial}@b"));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::carrier_prefix_duplicate);
      CHECK(r.error().detail.find("trunk-a") != std::string::npos);
    }
    SUBCASE("a longer prefix starting with an existing one overlaps") {
      const auto r = policy.save_carrier(make_carrier(kTrunkB, "trunk-b", "91", "PJSIP/{dial}@b"));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::carrier_prefix_overlap);
    }
    SUBCASE("a shorter prefix that starts an existing one overlaps") {
      DialPolicy p2;
      REQUIRE(p2.save_carrier(make_carrier(kTrunkA, "trunk-a", "91", "PJSIP/{dial}@a")));
      const auto r = p2.save_carrier(make_carrier(kTrunkB, "trunk-b", "9", "PJSIP/{dial}@b"));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::carrier_prefix_overlap);
    }
    SUBCASE("an empty prefix overlaps every other carrier's") {
      const auto r = policy.save_carrier(make_carrier(kTrunkB, "trunk-b", "", "PJSIP/{dial}@b"));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::carrier_prefix_overlap);
    }
    SUBCASE("no other carrier may join one with the empty prefix") {
      DialPolicy p2;
      REQUIRE(p2.save_carrier(make_carrier(kTrunkA, "only", "", "PJSIP/{dial}@a")));
      const auto r = p2.save_carrier(make_carrier(kTrunkB, "trunk-b", "8", "PJSIP/{dial}@b"));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::carrier_prefix_overlap);
    }
    SUBCASE("two empty prefixes are duplicates") {
      DialPolicy p2;
      REQUIRE(p2.save_carrier(make_carrier(kTrunkA, "only", "", "PJSIP/{dial}@a")));
      const auto r = p2.save_carrier(make_carrier(kTrunkB, "other", "", "PJSIP/{dial}@b"));
      REQUIRE_FALSE(r);
      CHECK(r.error().code == DialRule::carrier_prefix_duplicate);
    }
    SUBCASE("prefixes that differ in their first character do not overlap") {
      CHECK(policy.save_carrier(make_carrier(kTrunkB, "trunk-b", "19", "PJSIP/{dial}@b")));
      CHECK(policy.save_carrier(make_carrier(kLocal, "star", "*9", "PJSIP/{dial}@c")));
      CHECK(policy.carriers().size() == 3);
    }
  }

  TEST_CASE("a carrier's own prefix, name and template are checked when saved") {
    DialPolicy policy;
    REQUIRE(policy.save_carrier(make_carrier(kTrunkA, "trunk-a", "9", "PJSIP/{dial}@a")));
    struct Bad {
      const char* description;
      Carrier carrier;
      DialRule rule;
    };
    const std::vector<Bad> bad = {
        {"a letter in the prefix", make_carrier(kTrunkB, "b", "8a", "PJSIP/{dial}@b"),
         DialRule::prefix_invalid_character},
        {"a + in the prefix", make_carrier(kTrunkB, "b", "+8", "PJSIP/{dial}@b"),
         DialRule::prefix_invalid_character},
        {"an eleven-character prefix", make_carrier(kTrunkB, "b", "80000000000", "PJSIP/{dial}@b"),
         DialRule::prefix_too_long},
        {"a template without {dial}", make_carrier(kTrunkB, "b", "8", "PJSIP/8@b"),
         DialRule::template_invalid},
        {"a template with two {dial}", make_carrier(kTrunkB, "b", "8", "PJSIP/{dial}@{dial}"),
         DialRule::template_invalid},
        {"a template with a space", make_carrier(kTrunkB, "b", "8", "PJSIP/{dial} @b"),
         DialRule::template_invalid},
        {"a template with &", make_carrier(kTrunkB, "b", "8", "PJSIP/{dial}@b&PJSIP/1@c"),
         DialRule::template_invalid},
        {"a template without technology", make_carrier(kTrunkB, "b", "8", "{dial}@b"),
         DialRule::template_invalid},
        {"an empty name", make_carrier(kTrunkB, "", "8", "PJSIP/{dial}@b"),
         DialRule::carrier_name_invalid},
        {"a name of 65 characters",
         make_carrier(kTrunkB, std::string(65, 'n'), "8", "PJSIP/{dial}@b"),
         DialRule::carrier_name_invalid},
        {"a name with a newline", make_carrier(kTrunkB, "b\nc", "8", "PJSIP/{dial}@b"),
         DialRule::carrier_name_invalid},
        {"a name with a non-ASCII byte",
         make_carrier(kTrunkB, "tr\xC3\xBCnk", "8", "PJSIP/{dial}@b"),
         DialRule::carrier_name_invalid},
        {"another carrier's name", make_carrier(kTrunkB, "trunk-a", "8", "PJSIP/{dial}@b"),
         DialRule::carrier_name_invalid},
    };
    for (const Bad& b : bad) {
      INFO("case: ", b.description);
      const auto r = policy.save_carrier(b.carrier);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == b.rule);
      check_detail_is_safe(r.error());
    }
    CHECK(policy.save_carrier(make_carrier(kTrunkB, std::string(64, 'n'), "8", "PJSIP/{dial}@b")));
  }

  TEST_CASE("carrier id zero is refused because it means no carrier") {
    DialPolicy policy;
    const auto r = policy.save_carrier(make_carrier(CarrierId{}, "zero", "9", "PJSIP/{dial}@a"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(policy.carriers().empty());
  }

  TEST_CASE("a refused save changes nothing") {
    DialPolicy policy = make_policy();
    const std::vector<Carrier> before = policy.carriers();
    auto same = [&] {
      REQUIRE(policy.carriers().size() == before.size());
      for (std::size_t i = 0; i < before.size(); ++i) {
        CHECK(policy.carriers()[i].id == before[i].id);
        CHECK(policy.carriers()[i].name == before[i].name);
        CHECK(policy.carriers()[i].dial_prefix == before[i].dial_prefix);
        CHECK(policy.carriers()[i].dial_template == before[i].dial_template);
        CHECK(policy.carriers()[i].number_format == before[i].number_format);
      }
    };
    // A replacement of trunk-a that breaks a rule leaves trunk-a as it was.
    auto r = policy.save_carrier(make_carrier(kTrunkA, "trunk-a", "88", "PJSIP/{dial}@a"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::carrier_prefix_overlap);
    same();
    r = policy.save_carrier(make_carrier(kTrunkA, "trunk-a", "9", "PJSIP/{dial}@a;x"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::template_invalid);
    same();
    r = policy.save_carrier(make_carrier(CarrierId{9}, "new", "66", "PJSIP/{dial}@n"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::carrier_prefix_duplicate);
    same();
  }

  TEST_CASE("replacing a carrier by id updates it in place and re-checks the rules") {
    DialPolicy policy = make_policy();
    const std::size_t count = policy.carriers().size();
    // Same id, same prefix: not a clash with itself.
    REQUIRE(policy.save_carrier(make_carrier(kTrunkA, "trunk-a2", "9", "PJSIP/{dial}@trunk-a2",
                                             NumberFormat::from_region)));
    CHECK(policy.carriers().size() == count);
    REQUIRE(policy.find_carrier(kTrunkA) != nullptr);
    CHECK(policy.find_carrier(kTrunkA)->name == "trunk-a2");
    CHECK(policy.find_carrier(kTrunkA)->number_format == NumberFormat::from_region);
    // A new prefix is checked against the others.
    const auto clash =
        policy.save_carrier(make_carrier(kTrunkA, "trunk-a2", "7", "PJSIP/{dial}@x"));
    REQUIRE_FALSE(clash);
    CHECK(clash.error().code == DialRule::carrier_prefix_overlap);
    // A free prefix is taken and then used for calls.
    REQUIRE(policy.save_carrier(make_carrier(kTrunkA, "trunk-a2", "5", "PJSIP/{dial}@x")));
    const auto t = policy.plan_typed(route(kTrunkA, kUs), "4155550100");
    REQUIRE(t);
    CHECK(t->dial_string == "PJSIP/514155550100@x");
    // The old prefix 9 is free again.
    CHECK(policy.save_carrier(make_carrier(CarrierId{9}, "nine", "9", "PJSIP/{dial}@nine")));
  }

  TEST_CASE("removing a carrier frees its prefix and unknown ids are not found") {
    DialPolicy policy = make_policy();
    REQUIRE(policy.remove_carrier(kTrunkB));
    CHECK(policy.find_carrier(kTrunkB) == nullptr);
    const auto again = policy.remove_carrier(kTrunkB);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Errc::not_found);
    CHECK(policy.save_carrier(make_carrier(CarrierId{9}, "eight", "8", "PJSIP/{dial}@eight")));
  }

  TEST_CASE("a campaign route agrees with its carrier") {
    const DialPolicy policy = make_policy();
    CHECK(policy.validate_route(route(kTrunkA, kUs)));
    CHECK(policy.validate_route(route(kTrunkA, kUs, "9")));

    auto r = policy.validate_route(route(kTrunkA, kUs, "8"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::campaign_prefix_mismatch);
    r = policy.validate_route(route(kLocal, kUs, "7"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::campaign_prefix_mismatch);
    r = policy.validate_route(route(kTrunkA, kUs, "9x"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::prefix_invalid_character);
    r = policy.validate_route(route(kTrunkA, kUs, "99999999999"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::prefix_too_long);
    r = policy.validate_route(route(CarrierId{77}, kUs));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::unknown_carrier);
  }

  TEST_CASE("an empty campaign prefix means the carrier's applies") {
    const DialPolicy policy = make_policy();
    const auto t = policy.plan_number(route(kLocal, kUs), PhoneNumber{"+14155550100", "US"});
    REQUIRE(t);
    CHECK(t->prefix == "77");
    CHECK(t->dialled == "774155550100");
    CHECK(t->dial_string == "Local/774155550100@customers");
  }

  TEST_CASE("dial rules and number formats have stable names") {
    CHECK(std::string(dial_rule_category().name()) == "dialer.dial_rule");
    CHECK(make_error_code(DialRule::other_carrier_prefix).message() == "other_carrier_prefix");
    CHECK(std::string(to_string(DialRule::prefix_invalid_character)) == "prefix_invalid_character");
    CHECK(std::string(to_string(DialRule::dial_string_mismatch)) == "dial_string_mismatch");
    CHECK(is_policy_refusal(make_error_code(DialRule::region_not_allowed)));
    for (auto f : {NumberFormat::e164, NumberFormat::national, NumberFormat::from_region}) {
      NumberFormat back{};
      REQUIRE(from_string(to_string(f), back));
      CHECK(back == f);
    }
    NumberFormat untouched = NumberFormat::national;
    CHECK_FALSE(from_string("E164", untouched));
    CHECK_FALSE(from_string("", untouched));
    CHECK(untouched == NumberFormat::national);
  }
}
