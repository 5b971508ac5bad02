// Number normalisation with libphonenumber: what is accepted, what is refused
// before parsing, regions and plans, and the formats numbers are dialled in.
#include "dialer/phone_number.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "dialer/dial_prefix.hpp"

using namespace dialer;

namespace {

NumberPlan plan(std::string region, std::vector<std::string> allowed = {},
                bool require_valid = true) {
  NumberPlan p;
  p.region = std::move(region);
  p.allowed_regions = std::move(allowed);
  p.require_valid = require_valid;
  return p;
}

void check_refused(std::string_view raw, const NumberPlan& p, DialRule rule) {
  CAPTURE(raw);
  const auto r = normalize_number(raw, p);
  REQUIRE_FALSE(r);
  INFO("detail: ", r.error().detail);
  CHECK(r.error().code == rule);
}

}  // namespace

TEST_SUITE("phone_number") {
  TEST_CASE("a US number in any common writing normalises to one E.164 form") {
    const NumberPlan us = plan("US");
    for (const char* raw :
         {"4155550100", "415-555-0100", "(415) 555-0100", "415.555.0100", " 415 555 0100 ",
          "1 415 555 0100", "+1 415 555 0100", "+14155550100", " +1 (415) 555-0100"}) {
      CAPTURE(raw);
      const auto r = normalize_number(raw, us);
      REQUIRE(r);
      CHECK(r->e164 == "+14155550100");
      CHECK(r->region == "US");
    }
  }

  TEST_CASE("the region of a number comes from the numbering data") {
    const NumberPlan wide = plan("US", {"GB", "CA"});
    auto r = normalize_number("416 555 0123", wide);
    REQUIRE(r);
    CHECK(r->e164 == "+14165550123");
    CHECK(r->region == "CA");
    r = normalize_number("+44 20 7946 0000", wide);
    REQUIRE(r);
    CHECK(r->e164 == "+442079460000");
    CHECK(r->region == "GB");
    // The plan's region reads numbers without a country code.
    r = normalize_number("020 7946 0000", plan("GB"));
    REQUIRE(r);
    CHECK(r->e164 == "+442079460000");
  }

  TEST_CASE("numbers of regions outside the plan are refused") {
    check_refused("+44 20 7946 0000", plan("US"), DialRule::region_not_allowed);
    check_refused("416 555 0123", plan("US"), DialRule::region_not_allowed);
    check_refused("+1 416 555 0123", plan("US", {"GB"}), DialRule::region_not_allowed);
    // allowed_regions adds to the plan's own region.
    CHECK(normalize_number("4155550100", plan("US", {"GB"})));
  }

  TEST_CASE("letters, non-ASCII digits and dial-string syntax are refused, never converted") {
    const NumberPlan us = plan("US");
    for (std::string raw :
         {std::string("1-800-FLOWERS"),
          std::string("415555O100"),
          std::string("415 555 0100 x12"),
          std::string(
              "\xD9\xA4\xD9\xA1\xD9\xA5\xD9\xA5\xD9\xA5\xD9\xA5\xD9\xA0\xD9\xA1\xD9\xA0\xD9\xA0"),
          std::string("\xEF\xBC\x94\xEF\xBC\x91\xEF\xBC\x95 5550100"),
          std::string("tel:+14155550100"),
          std::string("sip:4155550100@evil"),
          std::string("4155550100/1"),
          std::string("4155550100&1"),
          std::string("4155550100;ext=1"),
          std::string("4155550100,1"),
          std::string("*674155550100"),
          std::string("#4155550100"),
          std::string("4155550100\r\n"),
          std::string("41555\0 50100", 11),
          std::string("++14155550100"),
          std::string("(+1) 415 555 0100"),
          std::string("4155550100+"),
          std::string("\t4155550100"),
          std::string("\xC2\xA0"
                      "4155550100")}) {
      check_refused(raw, us, DialRule::number_invalid_character);
    }
  }

  TEST_CASE("empty, overlong and digit-heavy input is refused before parsing") {
    const NumberPlan us = plan("US");
    check_refused("", us, DialRule::number_empty);
    check_refused("    ", us, DialRule::number_empty);
    check_refused("\n", us, DialRule::number_empty);
    // 40 characters pass the length screen, 41 do not.
    const std::string forty = "415 555 0100" + std::string(28, ' ');
    REQUIRE(forty.size() == kMaxNumberInputLength);
    CHECK(normalize_number(forty, us));
    check_refused(forty + " ", us, DialRule::number_too_long);
    check_refused("415555010041555501001", us, DialRule::number_too_long);
    check_refused("+", us, DialRule::number_unparseable);
    check_refused("()-.", us, DialRule::number_unparseable);
  }

  TEST_CASE("strict plans need valid numbers, others a possible length") {
    const NumberPlan strict = plan("US");
    const NumberPlan loose = plan("US", {}, false);
    check_refused("555 555 0100", strict, DialRule::number_not_valid);
    auto r = normalize_number("555 555 0100", loose);
    REQUIRE(r);
    CHECK(r->e164 == "+15555550100");
    // The numbering data cannot place it ("ZZ"): the plan's region is used.
    CHECK(r->region == "US");

    check_refused("012 345 6780", strict, DialRule::number_not_valid);
    r = normalize_number("012 345 6780", loose);
    REQUIRE(r);
    CHECK(r->e164 == "+10123456780");

    // A possible-only +1 number in a Canadian plan belongs to that plan.
    r = normalize_number("555 555 0100", plan("CA", {}, false));
    REQUIRE(r);
    CHECK(r->region == "CA");

    // Seven digits are "possible, local only": no E.164 form, so refused.
    check_refused("555-0100", loose, DialRule::number_not_valid);
    check_refused("12", loose, DialRule::number_not_valid);
    check_refused("911", loose, DialRule::number_not_valid);
    check_refused("12345678901234567890", loose, DialRule::number_unparseable);
  }

  TEST_CASE("a plan whose region libphonenumber does not know reads only + numbers") {
    check_refused("4155550100", plan("us"), DialRule::number_unparseable);
    check_refused("4155550100", plan(""), DialRule::number_unparseable);
    // A '+' number still parses, then fails the (lower-case) region rule.
    check_refused("+14155550100", plan("us"), DialRule::region_not_allowed);
  }

  TEST_CASE("check_plan applies only the region rule") {
    const NumberPlan us = plan("US", {"CA"});
    CHECK(check_plan(PhoneNumber{"+14155550100", "US"}, us));
    CHECK(check_plan(PhoneNumber{"+14165550123", "CA"}, us));
    // Not parsed: a stored number is trusted for its form.
    CHECK(check_plan(PhoneNumber{"garbage", "US"}, us));
    const auto r = check_plan(PhoneNumber{"+442079460000", "GB"}, us);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::region_not_allowed);
    const auto zz = check_plan(PhoneNumber{"+10123456780", "ZZ"}, us);
    REQUIRE_FALSE(zz);
    CHECK(zz.error().code == DialRule::region_not_allowed);
  }

  TEST_CASE("numbers are written for dialling in each format") {
    const NumberPlan us = plan("US", {"GB"});
    const PhoneNumber sf{"+14155550100", "US"};
    const PhoneNumber london{"+442079460000", "GB"};

    CHECK(format_for_dialing(sf, NumberFormat::e164, us).value() == "14155550100");
    CHECK(format_for_dialing(london, NumberFormat::e164, us).value() == "442079460000");

    CHECK(format_for_dialing(sf, NumberFormat::national, us).value() == "4155550100");
    CHECK(format_for_dialing(london, NumberFormat::national, plan("GB")).value() == "02079460000");
    const auto across = format_for_dialing(london, NumberFormat::national, us);
    REQUIRE_FALSE(across);
    CHECK(across.error().code == DialRule::region_not_allowed);

    CHECK(format_for_dialing(sf, NumberFormat::from_region, us).value() == "14155550100");
    CHECK(format_for_dialing(london, NumberFormat::from_region, us).value() == "011442079460000");
    CHECK(format_for_dialing(sf, NumberFormat::from_region, plan("GB")).value() == "0014155550100");
    CHECK(format_for_dialing(london, NumberFormat::from_region, plan("GB")).value() ==
          "02079460000");
  }

  TEST_CASE("from-region format refuses regions without a single international prefix") {
    // libphonenumber writes "+44 ..." for Brazil (carrier-selected IDD); dialling
    // its digits would drop the international prefix.
    const auto r = format_for_dialing(PhoneNumber{"+442079460000", "GB"}, NumberFormat::from_region,
                                      plan("BR"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == DialRule::number_unparseable);
  }

  TEST_CASE("a stored number not in E.164 form cannot be formatted") {
    const NumberPlan us = plan("US");
    for (auto f : {NumberFormat::e164, NumberFormat::national, NumberFormat::from_region}) {
      for (const char* bad : {"", "+", "14155550100", "+1 415 555 0100", "+1415555010x"}) {
        CAPTURE(bad);
        CAPTURE(to_string(f));
        const auto r = format_for_dialing(PhoneNumber{bad, "US"}, f, us);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == DialRule::number_unparseable);
      }
    }
  }

  TEST_CASE("the last ten digits ignore everything but ASCII digits") {
    CHECK(last_ten_digits("+1 (415) 555-0100") == "4155550100");
    CHECK(last_ten_digits("+442079460000") == "2079460000");
    CHECK(last_ten_digits("555-0100") == "5550100");
    CHECK(last_ten_digits("") == "");
    CHECK(last_ten_digits("\xD9\xA4"
                          "12") == "12");
  }
}

TEST_SUITE("phone_number") {
  TEST_CASE("a plan must name regions the numbering data knows, in upper case") {
    CHECK(validate_plan(NumberPlan{}));
    NumberPlan plan;
    plan.allowed_regions = {"GB", "CA"};
    CHECK(validate_plan(plan));
    for (const char* bad : {"us", "USA", "", "XX", "ZZ", "U$"}) {
      CAPTURE(bad);
      NumberPlan p;
      p.region = bad;
      const auto r = validate_plan(p);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == Errc::invalid_argument);
      NumberPlan q;
      q.allowed_regions = {bad};
      CHECK(validate_plan(q).error().code == Errc::invalid_argument);
    }
  }
}

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

TEST_SUITE("phone_number") {
  TEST_CASE("canonical input read without Parse agrees with libphonenumber's Parse") {
    // normalize_number builds "+<cc><number>" and ten NANP digits itself; the
    // answer must be exactly what the full parser would have given.
    namespace pn = i18n::phonenumbers;
    const pn::PhoneNumberUtil& util = *pn::PhoneNumberUtil::GetInstance();
    NumberPlan world;
    world.allowed_regions = {"GB", "IT", "DE", "FR", "AT", "IN", "JP", "AU", "BR", "CA"};
    auto allowed = [&world](const std::string& r) {
      return r == world.region || std::find(world.allowed_regions.begin(),
                                            world.allowed_regions.end(), r) !=
                                      world.allowed_regions.end();
    };
    const char* inputs[] = {
        "+14155550100", "+12125551230", "+442079460000", "+390669820000", "+3903123456",
        "+4930123456",  "+33142685300", "+4312345678",  "+914423456789", "+81312345678",
        "+61291234567", "+5511912345678", "+16135550100", "+80012345678", "+1415555",
        "+999123456",   "+1",            "+10123456789", "+4400000000",  "4155550100",
        "14155550100",  "0155550100",    "1155550100",   "+390000",      "+00044"};
    for (const std::string input : inputs) {
      CAPTURE(input);
      pn::PhoneNumber parsed;
      const bool parses = util.Parse(input, "US", &parsed) == pn::PhoneNumberUtil::NO_PARSING_ERROR;
      std::string region;
      if (parses) util.GetRegionCodeForNumber(parsed, &region);
      const bool valid = parses && util.IsValidNumber(parsed);
      const auto ours = normalize_number(input, world);
      if (!valid) {
        CHECK_FALSE(ours.has_value());
        continue;
      }
      std::string e164;
      util.Format(parsed, pn::PhoneNumberUtil::E164, &e164);
      if (!allowed(region)) {
        REQUIRE_FALSE(ours.has_value());
        CHECK(ours.error().code == DialRule::region_not_allowed);
        continue;
      }
      REQUIRE(ours.has_value());
      CHECK(ours->e164 == e164);
      CHECK(ours->region == region);
    }
  }
}

namespace {

// A varied corpus for the verdict cache: many numbers share a prefix and
// differ in their tails (where a wrong cache entry would show), across
// NANP areas of several regions, UK, German, French, Italian and
// non-geographic numbers, every length from 1 to 20 digits, national and
// international writings, and input that is refused before or by parsing.
std::vector<std::string> verdict_corpus() {
  std::mt19937 rng(20261122);  // fixed: a failure names an input that repeats
  auto digits = [&rng](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  auto pick = [&rng](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  const std::vector<std::string> nanp_areas = {
      "212", "415", "305", "505", "907", "808", "416", "604", "867", "268", "876", "242",
      "787", "939", "671", "684", "721", "800", "888", "900", "500", "521", "523", "524",
      "533", "600", "622", "310", "311", "911", "011", "123", "999", "202", "345", "649"};
  const std::vector<std::string> uk_starts = {"20",   "121",  "131",  "1481", "1534", "1624", "7",
                                              "7911", "7700", "7624", "800",  "845",  "870",  "871",
                                              "3",    "5",    "9",    "1",    "2",    "0"};
  const std::vector<std::string> writings = {"", " ", "-", ".", "(", ")"};
  std::vector<std::string> out;
  for (int i = 0; i < 6000; ++i) {  // NANP
    const std::string national = pick(nanp_areas) + digits(rng() % 4 != 0 ? 7 : 3 + rng() % 6);
    switch (rng() % 6) {
      case 0: out.push_back(national); break;
      case 1: out.push_back("+1" + national); break;
      case 2: out.push_back("1" + national); break;
      case 3: out.push_back("001" + national); break;
      case 4: out.push_back("(" + national.substr(0, 3) + ") " + national.substr(3)); break;
      default:
        out.push_back("+1 " + national.substr(0, 3) + pick(writings) + national.substr(3));
        break;
    }
  }
  for (int i = 0; i < 3000; ++i) {  // UK, including Guernsey, Jersey, Isle of Man
    const std::string national = pick(uk_starts) + digits(4 + rng() % 8);
    switch (rng() % 4) {
      case 0: out.push_back("+44" + national); break;
      case 1: out.push_back("0" + national); break;
      case 2: out.push_back("0044 " + national); break;
      default: out.push_back("+44 (0)" + national); break;
    }
  }
  for (int i = 0; i < 3000; ++i) {  // DE, FR, IT, AT, non-geographic, anything
    const std::vector<std::string> codes = {"49", "33", "39", "43", "800", "882", "7", "61", "999"};
    const std::string cc = pick(codes);
    const std::string national = (rng() % 4 == 0 ? "0" : "") + digits(2 + rng() % 12);
    out.push_back((rng() % 2 == 0 ? "+" : "00") + cc + national);
    if (rng() % 3 == 0) out.push_back("0" + national);
  }
  for (int i = 0; i < 1000; ++i) out.push_back("+" + digits(1 + rng() % 20));  // any length
  for (int i = 0; i < 500; ++i) out.push_back(digits(1 + rng() % 22));
  for (const char* odd :
       {"415555010x", "+1 415 555 0100 ext 12", "415-555-0100 x5", "1-800-FLOWERS",
        "+44 20 7946 0000;ext=1", "", "   ", "+", "++14155550100", "+1+415", "４１５５５５０１００",
        "tel:+14155550100", "+1 (415) 555-0100#", "000000000000", "+0000", "+10000000000",
        "+4400000000000"}) {
    out.emplace_back(odd);
  }
  return out;
}

}  // namespace

TEST_SUITE("phone_number") {
  TEST_CASE("the verdict cache gives exactly libphonenumber's results on a large varied corpus") {
    const std::vector<NumberPlan> plans = {plan("US"),
                                           plan("US", {"CA", "JM", "AG", "PR", "GU"}),
                                           plan("US", {}, false),
                                           plan("CA", {"US"}, false),
                                           plan("GB", {"GG", "JE", "IM", "US"}),
                                           plan("GB", {}, false),
                                           plan("DE", {"FR", "IT", "AT"}),
                                           plan("FR", {}, false),
                                           plan("IT", {"001"}, false)};
    const auto corpus = verdict_corpus();
    // Each input under two plans, so every plan meets every kind of input.
    auto plan_of = [&](std::size_t i, int which) -> const NumberPlan& {
      return plans[which == 0 ? i % plans.size() : (i * 7 + 3) % plans.size()];
    };
    std::vector<Result<PhoneNumber>> reference;
    reference.reserve(corpus.size() * 2);
    for (std::size_t i = 0; i < corpus.size(); ++i) {
      for (int which : {0, 1})
        reference.push_back(normalize_number_uncached(corpus[i], plan_of(i, which)));
    }
    std::size_t compared = 0, accepted = 0;
    // Twice: the second pass runs on a cache the whole corpus has filled.
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < corpus.size(); ++i) {
        for (int which : {0, 1}) {
          const std::string& raw = corpus[i];
          const NumberPlan& p = plan_of(i, which);
          const auto cached = normalize_number(raw, p);
          const auto& expected = reference[i * 2 + static_cast<std::size_t>(which)];
          ++compared;
          if (cached.has_value() != expected.has_value() || (cached && *cached != *expected) ||
              (!cached && (cached.error().code != expected.error().code ||
                           cached.error().detail != expected.error().detail))) {
            CAPTURE(raw);
            CAPTURE(p.region);
            CAPTURE(p.require_valid);
            const std::string ours =
                cached ? cached->e164 + " " + cached->region : cached.error().message();
            const std::string theirs =
                expected ? expected->e164 + " " + expected->region : expected.error().message();
            const std::string both = "cached: " + ours + " | uncached: " + theirs;
            FAIL_CHECK(both);
          }
          if (expected) ++accepted;
        }
      }
    }
    CHECK(compared > 50'000);
    // The corpus is meant to exercise both outcomes in quantity.
    CHECK(accepted > compared / 10);
    CHECK(accepted < compared * 9 / 10);
  }
}
