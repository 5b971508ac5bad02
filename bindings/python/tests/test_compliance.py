"""Calling hours, recycling, abandonment and the hopper, from Python."""
from datetime import datetime, timedelta

import dialer
from dialer import testing


def test_calling_hours_follow_the_lead_time_zone() -> None:
    # 13:00 UTC on 2026-01-05 is 08:00 in New York and 05:00 in Los Angeles.
    now = datetime(2026, 1, 5, 13, 0)
    assert dialer.within_calling_hours("America/New_York", now)
    assert not dialer.within_calling_hours("America/Los_Angeles", now)
    assert not dialer.within_calling_hours("", now)
    assert dialer.next_calling_window("America/Los_Angeles", now) == datetime(2026, 1, 5, 16, 0)
    assert dialer.zones_within_calling_hours(["America/New_York", "Asia/Tokyo"], now) == [
        "America/New_York"]


def test_unknown_time_zone_raises_invalid_argument() -> None:
    try:
        dialer.next_calling_window("Mars/Base", datetime(2026, 1, 5, 13, 0))
    except dialer.InvalidArgument as e:
        assert e.code == "invalid_argument"
    else:
        raise AssertionError("expected InvalidArgument")


def test_busy_recycles_after_five_minutes_and_invalid_numbers_never() -> None:
    now = datetime(2026, 1, 5, 15, 0)
    policy = dialer.RecyclePolicy()
    assert dialer.recycle_at(policy, dialer.CallOutcome.busy, 1, now) == now + timedelta(minutes=5)
    assert dialer.recycle_at(policy, dialer.CallOutcome.invalid_number, 1, now) is None
    policy.max_attempts = 1
    assert dialer.recycle_at(policy, dialer.CallOutcome.busy, 1, now) is None


def test_abandonment_meter_counts_the_day() -> None:
    meter = dialer.AbandonmentMeter()
    t = datetime(2026, 1, 5, 10, 0)
    for i in range(50):
        meter.record(t, i < 1)
    assert meter.today(t).answered == 50
    assert abs(meter.today(t).rate() - 0.02) < 1e-12
    assert meter.last_days(t + timedelta(days=40), 30).answered == 0


def test_hopper_claims_leases_and_releases() -> None:
    store = testing.MemoryStore()
    for i in range(1, 6):
        store.add_lead(dialer.Lead(id=i, campaign=1,
                                   phone=dialer.PhoneNumber(e164=f"+1212555{1000 + i}", region="US"),
                                   time_zone="America/New_York"))
    hopper = dialer.Hopper(dialer.HopperOptions(campaign=1, owner="py", capacity=3))
    now = datetime(2026, 1, 5, 15, 0)
    assert hopper.refill(store, now) == 3
    assert len(hopper) == 3
    assert hopper.take().lead.id == 1
    assert store.queue_entry(2).lease_owner == "py"
    hopper.release_all(store)
    assert len(hopper) == 0
    assert store.queue_entry(2).lease_owner == ""


def test_the_compliance_gate_raises_policy_violation_with_its_rule() -> None:
    from conftest import AGENT, CAMPAIGN, LEAD, configure, lead
    store = testing.MemoryStore()
    engine = dialer.Engine(testing.ManualClock(), testing.ScriptedCallControl(), store, store,
                           testing.RecordingSink())
    configure(engine)
    store.add_lead(lead())
    store.add_do_not_call("+14155550100", 0)
    engine.log_in(AGENT, CAMPAIGN)
    try:
        engine.dial_lead(AGENT, LEAD)
    except dialer.PolicyViolation as e:
        assert e.rule == "do_not_call"
        assert e.category == "dialer.compliance"
    else:
        raise AssertionError("expected PolicyViolation")
    assert engine.refused_count(dialer.ComplianceRule.do_not_call) == 1
    assert store.calls()[0].outcome == dialer.CallOutcome.refused
