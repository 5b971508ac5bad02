#include <doctest/doctest.h>

#include "dialer/hangup_cause.hpp"
#include "dialer/queue.hpp"

using namespace dialer;

TEST_SUITE("hangup cause") {
  TEST_CASE("the dial status decides before the cause") {
    // In-band busy/congestion leave cause 0 on the dialer's channel
    // (shared/ari/README.md point 10).
    CHECK(outcome_before_answer(DialStatus::busy, q850::unknown) == CallOutcome::busy);
    CHECK(outcome_before_answer(DialStatus::congestion, q850::unknown) == CallOutcome::failed);
    CHECK(outcome_before_answer(DialStatus::chanunavail, q850::unknown) == CallOutcome::failed);
  }

  TEST_CASE("NOANSWER with an unallocated number is an invalid number") {
    // Asterisk maps causes it does not know to NOANSWER (README point 9).
    CHECK(outcome_before_answer(DialStatus::noanswer, q850::unallocated_number) ==
          CallOutcome::invalid_number);
    CHECK(outcome_before_answer(DialStatus::noanswer, q850::normal_clearing) ==
          CallOutcome::no_answer);
  }

  TEST_CASE("without a final dial status the Q.850 cause decides") {
    struct Row {
      int cause;
      CallOutcome outcome;
    };
    const Row rows[] = {
        {q850::user_busy, CallOutcome::busy},
        {q850::call_rejected, CallOutcome::busy},
        {q850::no_user_response, CallOutcome::no_answer},
        {q850::no_answer, CallOutcome::no_answer},  // originate timeout (README point 11)
        {q850::subscriber_absent, CallOutcome::no_answer},
        {q850::unallocated_number, CallOutcome::invalid_number},
        {q850::no_route_to_destination, CallOutcome::invalid_number},
        {q850::invalid_number_format, CallOutcome::invalid_number},
        {q850::no_circuit_available, CallOutcome::failed},
        {q850::network_out_of_order, CallOutcome::failed},
        {q850::switching_equipment_congestion, CallOutcome::failed},
        {q850::unknown, CallOutcome::failed},
        {999, CallOutcome::failed},
    };
    for (const Row& r : rows) {
      CAPTURE(r.cause);
      CHECK(outcome_before_answer(DialStatus::none, r.cause) == r.outcome);
    }
  }

  TEST_CASE("Asterisk's dial status spellings are read") {
    DialStatus s{};
    REQUIRE(from_string("BUSY", s));
    CHECK(s == DialStatus::busy);
    REQUIRE(from_string("", s));
    CHECK(s == DialStatus::none);
    REQUIRE(from_string("congestion", s));
    CHECK(s == DialStatus::congestion);
    CHECK_FALSE(from_string("RINGING", s));  // not final: never an outcome
  }

  TEST_CASE("cause texts follow Asterisk's") {
    CHECK(std::string(cause_text(16)) == "Normal Clearing");
    CHECK(std::string(cause_text(17)) == "User busy");
    CHECK(std::string(cause_text(19)) == "User alerting, no answer");
    CHECK(std::string(cause_text(34)) == "Circuit/channel congestion");
    CHECK(std::string(cause_text(12345)) == "Unknown");
  }

  TEST_CASE("each outcome maps to a queue status; unattempted calls go back to pending") {
    CHECK(queue_status_for(CallOutcome::completed) == QueueStatus::completed);
    CHECK(queue_status_for(CallOutcome::busy) == QueueStatus::busy);
    CHECK(queue_status_for(CallOutcome::no_answer) == QueueStatus::no_answer);
    CHECK(queue_status_for(CallOutcome::failed) == QueueStatus::failed);
    CHECK(queue_status_for(CallOutcome::invalid_number) == QueueStatus::invalid_number);
    CHECK(queue_status_for(CallOutcome::dropped) == QueueStatus::dropped);
    CHECK(queue_status_for(CallOutcome::cancelled) == QueueStatus::pending);
    CHECK(queue_status_for(CallOutcome::lost) == QueueStatus::pending);
  }
}
