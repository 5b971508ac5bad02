"""Enums, value classes, ids, times and the state machine tables."""

import copy
import datetime as dt
import itertools

import pytest

import dialer
from dialer import testing

ENUMS_WITH_FROM_STRING = [dialer.NumberFormat, dialer.DialMode, dialer.AgentState,
                          dialer.CallState, dialer.CallOutcome, dialer.QueueStatus,
                          dialer.DialStatus]
ENUMS = ENUMS_WITH_FROM_STRING + [dialer.Errc, dialer.DialRule, dialer.AgentInput,
                                  dialer.CallInput, dialer.HangupSide, dialer.Leg,
                                  dialer.StatusReason, testing.CommandKind]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_str_is_the_library_name(enum) -> None:
    for name, member in enum.__members__.items():
        text = str(member)
        assert text != "unknown"
        if enum in ENUMS_WITH_FROM_STRING:
            assert enum.from_string(text) == member
        if (enum, name) not in {(dialer.AgentState, "on_break")}:
            assert text == name


def test_enum_names_follow_the_cpp_enumerators() -> None:
    assert str(dialer.AgentState.on_break) == "break"
    # ==, not is: pybind11 enum values are not singletons.
    assert dialer.AgentState.from_string("break") == dialer.AgentState.on_break
    assert dialer.DialStatus.from_string("NOANSWER") == dialer.DialStatus.noanswer
    with pytest.raises(ValueError):
        dialer.AgentState.from_string("on_break")
    assert set(testing.StoreOp.__members__) == {
        "find_lead", "find_lead_by_phone", "add_leads", "claim_leads", "renew_leases",
        "release_leads", "update_queue", "queue_entry", "add_do_not_call", "is_do_not_call",
        "save_call", "find_call", "count_calls_to", "max_call_id", "abandonment_by_day"}
    assert testing.StoreOp.from_string("claim_leads") == testing.StoreOp.claim_leads
    assert dialer.LeadOrder.from_string("priority_first") == dialer.LeadOrder.priority_first


def test_agent_transition_table() -> None:
    rows = dialer.agent_transitions()
    assert len(rows) == 13
    assert (dialer.AgentState.wrapup, dialer.AgentInput.disposed_to_break,
            dialer.AgentState.on_break) in rows
    table = {(f, i): t for f, i, t in rows}
    for state, inp in itertools.product(dialer.AgentState.__members__.values(),
                                        dialer.AgentInput.__members__.values()):
        assert dialer.next_agent_state(state, inp) == table.get((state, inp))


def test_call_transition_table() -> None:
    rows = dialer.call_transitions()
    assert len(rows) == 9
    table = {(f, i): t for f, i, t in rows}
    for state, inp in itertools.product(dialer.CallState.__members__.values(),
                                        dialer.CallInput.__members__.values()):
        assert dialer.next_call_state(state, inp) == table.get((state, inp))


def test_outcomes_and_causes() -> None:
    assert dialer.queue_status_for(dialer.CallOutcome.completed) == dialer.QueueStatus.completed
    assert dialer.queue_status_for(dialer.CallOutcome.cancelled) == dialer.QueueStatus.pending
    assert dialer.outcome_before_answer(dialer.DialStatus.busy, 0) == dialer.CallOutcome.busy
    assert dialer.outcome_before_answer(dialer.DialStatus.none, dialer.q850.user_busy) == \
        dialer.CallOutcome.busy
    assert dialer.cause_text(dialer.q850.user_busy) == "User busy"
    assert dialer.cause_text(999) == "Unknown"


def test_value_classes_take_keywords_with_cpp_defaults() -> None:
    c = dialer.Campaign(id=3, name="Spring")
    assert c.dial_mode == dialer.DialMode.manual
    assert c.wrapup_timeout == dt.timedelta(seconds=120)
    assert c.effective_wrapup_timeout() == dt.timedelta(seconds=120)
    assert c.number_plan == dialer.NumberPlan(region="US")
    assert c.break_types == ["lunch", "coffee", "training"]
    assert c.find_disposition("DNC").do_not_call is True
    assert c.find_disposition("nope") is None
    assert c.has_break_type("lunch")
    dialer.validate_campaign(c)

    c.wrapup_timeout = None
    assert c.effective_wrapup_timeout() == dialer.DEFAULT_WRAPUP_TIMEOUT == dt.timedelta(minutes=5)
    c.ring_timeout = 45.0  # seconds as a number work too
    assert c.ring_timeout == dt.timedelta(seconds=45)
    c.ring_timeout = 50
    assert c.ring_timeout == dt.timedelta(seconds=50)
    c.wrapup_timeout = 90
    assert c.wrapup_timeout == dt.timedelta(seconds=90)
    with pytest.raises(TypeError):
        c.ring_timeout = "45"
    with pytest.raises(TypeError):
        c.ring_timeout = True


def test_value_class_protocol() -> None:
    a = dialer.Agent(1, "ann", endpoint="PJSIP/agent100")
    assert a.login == "ann" and a.name == ""
    assert a == dialer.Agent(id=1, login="ann", endpoint="PJSIP/agent100")
    assert a != dialer.Agent(id=2, login="ann", endpoint="PJSIP/agent100")
    assert repr(a) == ("Agent(id=1, login='ann', name='', endpoint='PJSIP/agent100', "
                       "persistent_leg=False)")
    assert dialer.Agent.__match_args__ == ("id", "login", "name", "endpoint", "persistent_leg")
    b = copy.copy(a)
    b.name = "Ann"
    assert a.name == "" and copy.deepcopy(b) == b
    match dialer.ChannelHungUp(5, cause=17):
        case dialer.ChannelHungUp(channel, cause=17):
            assert channel == 5
        case _:
            pytest.fail("no match")
    with pytest.raises(TypeError):
        dialer.Agent(id=1, nickname="x")
    with pytest.raises(TypeError):
        dialer.Agent(1, id=1)
    with pytest.raises(TypeError):
        dialer.Agent(id="one")


def test_nested_classes_are_references_lists_are_copies() -> None:
    c = dialer.Campaign()
    c.number_plan.region = "GB"
    assert c.number_plan.region == "GB"
    c.break_types.append("nap")  # a copy
    assert "nap" not in c.break_types
    c.break_types = c.break_types + ["nap"]
    assert c.break_types[-1] == "nap"
    c.dispositions = [dialer.DispositionCode(code="OK", label="Done")]
    assert [d.code for d in c.dispositions] == ["OK"]


def test_ids_are_ints() -> None:
    r = dialer.CallRecord(id=2**64 - 1, agent=7)
    assert r.id == 2**64 - 1 and r.agent == 7 and r.lead == 0
    for bad in (-1, 1.5, True, "7", 2**64):
        with pytest.raises(TypeError):
            dialer.CallRecord(id=bad)


def test_wall_times_are_naive_utc_datetimes() -> None:
    r = dialer.CallRecord()
    assert r.created_at is None  # not happened yet
    r.created_at = dt.datetime(2026, 3, 1, 12, 30, 15, 250)
    assert r.created_at == dt.datetime(2026, 3, 1, 12, 30, 15, 250)
    paris = dt.timezone(dt.timedelta(hours=1))
    r.ended_at = dt.datetime(2026, 3, 1, 13, 30, tzinfo=paris)  # aware: converted to UTC
    assert r.ended_at == dt.datetime(2026, 3, 1, 12, 30)
    r.ended_at = dt.datetime(1960, 5, 4, 3, 2, 1, 999999)  # before the epoch
    assert r.ended_at == dt.datetime(1960, 5, 4, 3, 2, 1, 999999)
    r.ended_at = None
    assert r.ended_at is None
    with pytest.raises(TypeError):
        r.ended_at = "2026-03-01"


def test_events_and_telephony_values() -> None:
    update = dialer.StatusUpdate(agent=1, status=dialer.AgentStatus(dialer.AgentState.busy))
    assert update.previous == dialer.AgentStatus()
    assert str(update.previous) == "offline"
    assert update.reason == dialer.StatusReason.command
    pop = dialer.LeadPop(agent=1, call=2)
    assert pop.lead is None
    pop.lead = dialer.Lead(id=3, fields=[("name", "Bob")])
    assert pop.lead.field("name") == "Bob" and pop.lead.field("age") == ""
    hung = dialer.ChannelHungUp(channel=4)
    assert (hung.cause, hung.dial_status) == (0, dialer.DialStatus.none)
    request = dialer.OriginateRequest(channel=1, call=2, endpoint="PJSIP/x")
    assert request.leg == dialer.Leg.customer and request.timeout == dt.timedelta(seconds=30)
    options = dialer.EngineOptions()
    assert options.busy_reset_after == dialer.BUSY_RESET_AFTER == dt.timedelta(minutes=10)
    assert options.agent_answer_timeout == dt.timedelta(seconds=20)
    command = testing.Command()
    assert command.kind == testing.CommandKind.originate and command.timeout == dt.timedelta(0)


def test_package_layout() -> None:
    import dialer.q850
    import dialer.testing as t

    assert t is dialer.testing is dialer._dialer.testing
    assert dialer.q850.normal_clearing == 16
    assert dialer.__version__
