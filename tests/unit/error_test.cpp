#include <doctest/doctest.h>

#include "dialer/dial_prefix.hpp"
#include "dialer/error.hpp"
#include "dialer/ids.hpp"

using namespace dialer;

TEST_SUITE("error") {
  TEST_CASE("a result holds a value or an error, never both") {
    Result<int> good = 7;
    CHECK(good.has_value());
    CHECK(*good == 7);

    Result<int> bad = Error{Errc::not_found, "agent 9"};
    CHECK_FALSE(bad);
    CHECK(bad.error().code == Errc::not_found);
    CHECK(bad.error().message() == "not_found: agent 9");
    CHECK_THROWS_AS(bad.value(), BadResultAccess);
  }

  TEST_CASE("void results report failure the same way") {
    Result<void> fine = ok();
    CHECK(fine);
    Result<void> failed = Error{Errc::invalid_transition, "on break"};
    CHECK_FALSE(failed);
    CHECK_THROWS_AS(failed.value(), BadResultAccess);
  }

  TEST_CASE("dial rules are policy refusals, engine codes are not") {
    CHECK(is_policy_refusal(make_error_code(DialRule::other_carrier_prefix)));
    CHECK(is_policy_refusal(make_error_code(Errc::refused_by_policy)));
    CHECK_FALSE(is_policy_refusal(make_error_code(Errc::not_found)));
    CHECK(std::string(make_error_code(DialRule::ambiguous_prefix).category().name()) ==
          "dialer.dial_rule");
  }

  TEST_CASE("ids parse from decimal text only") {
    CHECK(parse_id<AgentId>("42") == AgentId{42});
    CHECK_FALSE(parse_id<AgentId>("0"));
    CHECK_FALSE(parse_id<AgentId>("-1"));
    CHECK_FALSE(parse_id<AgentId>("4 2"));
    CHECK_FALSE(parse_id<AgentId>("99999999999999999999999"));
    CHECK(to_string(LeadId{5}) == "5");
  }
}

TEST_SUITE("error") {
  TEST_CASE("error codes and rules are read back from their names") {
    Errc e{};
    REQUIRE(from_string("storage_error", e));
    CHECK(e == Errc::storage_error);
    CHECK_FALSE(from_string("no_such_code", e));
    DialRule r{};
    REQUIRE(from_string("other_carrier_prefix", r));
    CHECK(r == DialRule::other_carrier_prefix);
    CHECK_FALSE(from_string("storage_error", r));
  }
}
