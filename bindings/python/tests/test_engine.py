"""The engine driven from Python: a full call, timers on virtual time, refusals,
and ports implemented in Python."""

import datetime as dt
import gc
import sys

import pytest

import dialer
from dialer import testing
from dialer.testing import CommandKind

from conftest import (AGENT, CAMPAIGN, CARRIER, LEAD, OTHER_CARRIER, START, World, configure,
                      lead, time_zone_map)

S = dialer.AgentState


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


def test_full_call_lifecycle(world: World) -> None:
    eng, cc, store, sink = world.engine, world.calls, world.store, world.sink

    eng.log_in(AGENT, CAMPAIGN)
    assert world.state() == S.available

    call = eng.dial_lead(AGENT, LEAD)
    assert isinstance(call, int) and call > 0
    assert world.state() == S.busy
    assert eng.agent(AGENT).call == call
    assert store.queue_status(LEAD) == dialer.QueueStatus.dialing

    # The customer leg went out through the carrier, with the prefix.
    customer = cc.last_originate(dialer.Leg.customer)
    assert customer.kind == CommandKind.originate
    assert customer.call == call
    assert customer.target == "PJSIP/914155550100@trunk"
    assert customer.timeout == seconds(30)

    # The lead card popped for the agent.
    [pop] = [e for e in sink.events() if isinstance(e, dialer.LeadPop)]
    assert pop.agent == AGENT and pop.call == call
    assert pop.lead is not None and pop.lead.id == LEAD
    assert pop.lead.field("name") == "Bob Smith"
    assert pop.number == "+14155550100"
    assert pop.dial_prefix == "9"
    assert pop.script == "Hello {name}"

    world.advance(2)
    eng.on_call_event(dialer.ChannelRinging(channel=customer.channel))
    assert eng.find_call(call).state == dialer.CallState.ringing

    world.advance(8)
    eng.on_call_event(dialer.ChannelAnswered(channel=customer.channel))
    assert eng.find_call(call).state == dialer.CallState.answered

    # Customer answered: held in a bridge while the agent's phone rings.
    [bridge] = cc.of_kind(CommandKind.create_bridge)
    agent_leg = cc.last_originate(dialer.Leg.agent)
    assert agent_leg.target == "PJSIP/agent100"
    assert agent_leg.call == call
    assert agent_leg.channel != customer.channel
    adds = cc.of_kind(CommandKind.add_to_bridge)
    assert [(c.bridge, c.channel) for c in adds] == [(bridge.bridge, customer.channel)]

    world.advance(3)
    eng.on_call_event(dialer.ChannelAnswered(channel=agent_leg.channel))
    live = eng.find_call(call)
    assert live.state == dialer.CallState.bridged
    adds = cc.of_kind(CommandKind.add_to_bridge)
    assert [(c.bridge, c.channel) for c in adds][-1] == (bridge.bridge, agent_leg.channel)

    # The customer hangs up after a minute of talk.
    world.advance(60)
    eng.on_call_event(dialer.ChannelHungUp(channel=customer.channel, cause=16))
    assert world.state() == S.wrapup
    assert [c.channel for c in cc.of_kind(CommandKind.hang_up)] == [agent_leg.channel]
    assert [c.bridge for c in cc.of_kind(CommandKind.destroy_bridge)] == [bridge.bridge]
    assert store.queue_status(LEAD) == dialer.QueueStatus.completed
    eng.on_call_event(dialer.ChannelHungUp(channel=agent_leg.channel, cause=16))
    assert eng.ignored_event_count() == 0

    world.advance(17)
    eng.submit_disposition(AGENT, dialer.Disposition(code="SALE", notes="Renewed for 2 years",
                                                     next_break="lunch"))
    view = eng.agent(AGENT)
    assert view.status == dialer.AgentStatus(state=S.on_break, break_type="lunch")
    assert str(view.status) == "break:lunch"
    assert view.call == 0
    assert eng.live_call_count() == 0
    assert eng.find_call(call) is None

    # The call log row.
    row = store.call(call)
    assert row is not None and store.call_count() == 1
    assert (row.campaign, row.agent, row.lead, row.carrier) == (CAMPAIGN, AGENT, LEAD, CARRIER)
    assert row.number == "+14155550100"
    assert row.dialled == "914155550100"
    assert row.dial_string == "PJSIP/914155550100@trunk"
    assert row.state == dialer.CallState.dispositioned
    assert row.outcome == dialer.CallOutcome.completed
    assert row.created_at == START
    assert row.ringing_at == START + seconds(2)
    assert row.answered_at == START + seconds(10)
    assert row.bridged_at == START + seconds(13)
    assert row.ended_at == START + seconds(73)
    assert row.dispositioned_at == START + seconds(90)
    assert row.hangup_cause == 16
    assert row.hangup_reason == dialer.cause_text(16) == "Normal Clearing"
    assert row.hung_up_by == dialer.HangupSide.customer
    assert row.disposition == "SALE"
    assert row.notes == "Renewed for 2 years"
    assert row.auto_disposition is False
    assert store.calls() == [row]

    # The queue row went dialing → answered → completed.
    assert store.queue_status(LEAD) == dialer.QueueStatus.completed
    history = store.queue_history(LEAD)
    assert [u.status for u in history] == [dialer.QueueStatus.dialing,
                                           dialer.QueueStatus.answered,
                                           dialer.QueueStatus.completed]
    assert all(u.call == call and u.campaign == CAMPAIGN for u in history)
    # answered when the customer picked up, completed when the call ended.
    assert [u.at for u in history] == [START, START + seconds(10), START + seconds(73)]

    # The panel saw every status change, at once and in order.
    updates = world.status_updates()
    assert [(str(u.previous), str(u.status), u.reason) for u in updates] == [
        ("offline", "available", dialer.StatusReason.command),
        ("available", "busy", dialer.StatusReason.call),
        ("busy", "wrapup", dialer.StatusReason.call),
        ("wrapup", "break:lunch", dialer.StatusReason.disposition),
    ]
    assert [u.at for u in updates] == [START, START, START + seconds(73), START + seconds(90)]
    assert sink.last_status(AGENT) == dialer.AgentStatus(state=S.on_break, break_type="lunch")
    calls = [(e.state, e.outcome) for e in sink.events() if isinstance(e, dialer.CallUpdate)]
    assert [state for state, _ in calls] == [dialer.CallState.originating,
                                             dialer.CallState.ringing,
                                             dialer.CallState.answered,
                                             dialer.CallState.bridged,
                                             dialer.CallState.ended,
                                             dialer.CallState.dispositioned]
    assert not [e for e in sink.events() if isinstance(e, dialer.Alarm)]


def talk_and_hang_up(world: World) -> int:
    """Dials the lead, connects the agent and lets the customer hang up."""
    world.engine.log_in(AGENT, CAMPAIGN)
    call = world.engine.dial_lead(AGENT, LEAD)
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    world.engine.on_call_event(dialer.ChannelAnswered(customer))
    agent_leg = world.calls.last_originate(dialer.Leg.agent).channel
    world.engine.on_call_event(dialer.ChannelAnswered(agent_leg))
    world.engine.on_call_event(dialer.ChannelHungUp(customer, cause=dialer.q850.normal_clearing))
    assert world.state() == S.wrapup
    return call


def test_wrapup_times_out_on_virtual_time(world: World) -> None:
    assert world.engine.find_campaign(CAMPAIGN).wrapup_timeout == seconds(120)
    call = talk_and_hang_up(world)
    deadline = world.engine.next_deadline()
    assert deadline == world.clock.steady_now() + seconds(120)

    world.advance(119)
    assert world.state() == S.wrapup
    world.advance(1)
    assert world.state() == S.available

    row = world.store.call(call)
    assert row.disposition == "TIMEOUT"
    assert row.auto_disposition is True
    assert row.state == dialer.CallState.dispositioned
    assert row.dispositioned_at == START + seconds(120)
    last = world.status_updates()[-1]
    assert last.reason == dialer.StatusReason.wrapup_timeout
    assert last.status == dialer.AgentStatus(state=S.available)
    assert last.at == START + seconds(120)


def test_wrapup_timeout_can_send_the_agent_to_a_break() -> None:
    clock, cc, store, sink = (testing.ManualClock(), testing.ScriptedCallControl(),
                              testing.MemoryStore(), testing.RecordingSink())
    engine = dialer.Engine(clock, cc, store, store, sink)
    configure(engine, wrapup_timeout=None, break_after_wrapup_timeout="coffee",
              wrapup_timeout_disposition="AUTO")
    store.add_lead(lead())
    world = World(clock, cc, store, sink, engine)
    call = talk_and_hang_up(world)
    world.advance(dialer.DEFAULT_WRAPUP_TIMEOUT.total_seconds() - 1)
    assert world.state() == S.wrapup
    world.advance(1)
    assert engine.agent(AGENT).status == dialer.AgentStatus(state=S.on_break, break_type="coffee")
    assert store.call(call).disposition == "AUTO"


def test_refused_command_raises_and_changes_nothing(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    before_events = len(world.sink.events())
    before = world.engine.agent(AGENT)

    with pytest.raises(dialer.InvalidTransition) as refused:
        world.engine.submit_disposition(AGENT, dialer.Disposition(code="SALE"))
    assert refused.value.code == "invalid_transition"
    assert refused.value.detail
    with pytest.raises(dialer.InvalidTransition):
        world.engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.InvalidTransition):
        world.engine.hang_up(AGENT)
    with pytest.raises(dialer.InvalidArgument):
        world.engine.take_break(AGENT, "nap")
    with pytest.raises(dialer.NotFound):
        world.engine.log_in(999, CAMPAIGN)
    with pytest.raises(dialer.NotFound):
        world.engine.dial_lead(AGENT, 12345)

    assert world.engine.agent(AGENT) == before
    assert len(world.sink.events()) == before_events
    assert world.calls.commands() == []
    assert world.store.queue_status(LEAD) == dialer.QueueStatus.pending


def test_disposition_is_checked(world: World) -> None:
    talk_and_hang_up(world)
    with pytest.raises(dialer.InvalidArgument):
        world.engine.submit_disposition(AGENT, dialer.Disposition(code="NOPE"))
    with pytest.raises(dialer.InvalidArgument):
        world.engine.submit_disposition(AGENT, dialer.Disposition(code="SALE", next_break="nap"))
    with pytest.raises(dialer.InvalidArgument):
        world.engine.submit_disposition(
            AGENT, dialer.Disposition(code="SALE", notes="x" * (dialer.MAX_DISPOSITION_NOTES + 1)))
    assert world.state() == S.wrapup
    world.engine.submit_disposition(AGENT, dialer.Disposition(code="NI"))
    assert world.state() == S.available


def test_policy_refusal_raises_policy_violation(world: World) -> None:
    world.engine.save_carrier(dialer.Carrier(id=OTHER_CARRIER, name="other", dial_prefix="8",
                                             dial_template="PJSIP/{dial}@other"))
    world.engine.log_in(AGENT, CAMPAIGN)

    with pytest.raises(dialer.PolicyViolation) as refused:
        world.engine.dial_number(AGENT, "8 415 555 0100")
    assert refused.value.code == "other_carrier_prefix"
    assert refused.value.rule == "other_carrier_prefix"
    assert refused.value.category == "dialer.dial_rule"
    assert isinstance(refused.value, dialer.DialerError)

    with pytest.raises(dialer.PolicyViolation) as refused:
        world.engine.dial_number(AGENT, "PJSIP/1234@evil")
    assert refused.value.rule == "number_invalid_character"

    # Nothing was dialled and the agent is still available.
    assert world.calls.commands() == []
    assert world.state() == S.available

    # Typing the route's own prefix dials it once, not twice.
    call = world.engine.dial_number(AGENT, "9 415 555 0100")
    assert world.calls.last_originate(dialer.Leg.customer).target == "PJSIP/914155550100@trunk"
    assert world.engine.find_call(call).lead == LEAD  # screen pop by the last ten digits


def test_manual_dial_not_allowed_is_a_policy_refusal() -> None:
    clock, cc, store, sink = (testing.ManualClock(), testing.ScriptedCallControl(),
                              testing.MemoryStore(), testing.RecordingSink())
    engine = dialer.Engine(clock, cc, store, store, sink)
    configure(engine, manual_dial_allowed=False)
    engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.PolicyViolation) as refused:
        engine.dial_number(AGENT, "4155550100")
    assert refused.value.code == "refused_by_policy"
    assert refused.value.rule is None
    assert refused.value.category == "dialer"


def test_configuration_that_breaks_a_rule_is_refused(world: World) -> None:
    with pytest.raises(dialer.PolicyViolation) as refused:
        world.engine.save_carrier(dialer.Carrier(id=OTHER_CARRIER, name="other", dial_prefix="91"))
    assert refused.value.rule == "carrier_prefix_overlap"
    with pytest.raises(dialer.PolicyViolation) as refused:
        world.engine.save_campaign(dialer.Campaign(id=11, name="B", carrier=CARRIER,
                                                   dial_prefix="7"))
    assert refused.value.rule == "campaign_prefix_mismatch"
    with pytest.raises(dialer.PolicyViolation) as refused:
        world.engine.save_campaign(dialer.Campaign(id=11, name="B", carrier=42))
    assert refused.value.rule == "unknown_carrier"
    with pytest.raises(dialer.Conflict):
        world.engine.save_campaign(dialer.Campaign(id=11, name="Spring renewals", carrier=CARRIER))
    with pytest.raises(dialer.InvalidArgument):
        world.engine.save_agent(dialer.Agent(id=101, login="bob", endpoint="PJSIP/a&PJSIP/b"))
    with pytest.raises(dialer.Conflict):
        world.engine.save_agent(dialer.Agent(id=101, login="ann", endpoint="PJSIP/agent101"))
    assert world.engine.find_campaign(11) is None
    assert world.engine.find_agent(101) is None
    assert world.engine.find_carrier(OTHER_CARRIER) is None
    assert world.engine.find_carrier(CARRIER).dial_prefix == "9"
    assert world.engine.find_agent(AGENT).endpoint == "PJSIP/agent100"


def test_breaks_and_log_out(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    world.engine.take_break(AGENT, "coffee")
    assert world.engine.agent(AGENT).status == dialer.AgentStatus(state=S.on_break,
                                                                  break_type="coffee")
    world.engine.set_available(AGENT)
    world.engine.log_out(AGENT)
    view = world.engine.agent(AGENT)
    assert view.status.state == S.offline and view.campaign == 0
    assert world.engine.agent(999) is None


def test_agent_hang_up_ends_both_legs(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    call = world.engine.dial_lead(AGENT, LEAD)
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    world.engine.on_call_event(dialer.ChannelRinging(customer))
    world.engine.hang_up(AGENT)
    assert [c.channel for c in world.calls.of_kind(CommandKind.hang_up)] == [customer]
    world.engine.on_call_event(dialer.ChannelHungUp(customer, cause=16))
    row = world.store.call(call)
    assert row.outcome == dialer.CallOutcome.cancelled
    assert row.hung_up_by == dialer.HangupSide.agent
    assert world.store.queue_status(LEAD) == dialer.QueueStatus.pending
    assert world.state() == S.wrapup


def test_busy_and_no_answer_outcomes(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    call = world.engine.dial_lead(AGENT, LEAD)
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    world.engine.on_call_event(dialer.ChannelHungUp(customer, cause=0,
                                                    dial_status=dialer.DialStatus.busy))
    assert world.store.call(call).outcome == dialer.CallOutcome.busy
    assert world.store.queue_status(LEAD) == dialer.QueueStatus.busy


def test_a_ringing_call_lost_in_a_telephony_gap_is_lost_not_failed(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    call = world.engine.dial_lead(AGENT, LEAD)
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    world.engine.on_call_event(dialer.ChannelRinging(customer))
    world.engine.on_call_event(dialer.ChannelHungUp(customer, source=dialer.HangupSource.lost_in_gap))
    row = world.store.call(call)
    assert row.outcome == dialer.CallOutcome.lost
    assert row.hangup_reason == "lost while the telephony link was down"
    assert world.store.queue_status(LEAD) == dialer.QueueStatus.pending  # tried again
    assert str(dialer.HangupSource.lost_in_gap) == "lost_in_gap"


def test_originate_failed_event_ends_the_call(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    call = world.engine.dial_lead(AGENT, LEAD)
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    world.engine.on_call_event(dialer.OriginateFailed(
        channel=customer, error=dialer.Error(dialer.Errc.unavailable, "HTTP 503")))
    row = world.store.call(call)
    assert row.state == dialer.CallState.ended
    assert row.outcome == dialer.CallOutcome.failed
    assert "HTTP 503" in row.hangup_reason
    assert world.state() == S.wrapup


def test_events_for_unknown_channels_are_counted(world: World) -> None:
    world.engine.on_call_event(dialer.ChannelAnswered(424242))
    world.engine.on_call_event(dialer.ChannelHungUp(424243))
    assert world.engine.ignored_event_count() == 2


def test_busy_reset_frees_an_agent_whose_call_never_progressed(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    call = world.engine.dial_lead(AGENT, LEAD)
    world.advance(dialer.BUSY_RESET_AFTER.total_seconds())
    assert world.state() == S.available
    row = world.store.call(call)
    assert row.outcome == dialer.CallOutcome.lost
    assert row.disposition == "RESET"
    assert world.status_updates()[-1].reason == dialer.StatusReason.busy_reset


def test_scripted_call_control_failure_is_reported(world: World) -> None:
    world.engine.log_in(AGENT, CAMPAIGN)
    world.calls.fail_nth(CommandKind.originate, 1, dialer.Error("unavailable", "ARI stream down"))
    with pytest.raises(dialer.Unavailable) as refused:
        world.engine.dial_lead(AGENT, LEAD)
    assert refused.value.detail == "ARI stream down"
    assert world.state() == S.available
    assert world.store.queue_status(LEAD) == dialer.QueueStatus.pending
    # The next attempt goes through.
    world.engine.dial_lead(AGENT, LEAD)
    assert world.state() == S.busy


def test_store_failure_raises_an_alarm(world: World) -> None:
    world.store.fail_nth(testing.StoreOp.save_call, 1, dialer.Error("storage_error", "disk full"))
    talk_and_hang_up(world)
    [alarm] = [e for e in world.sink.events() if isinstance(e, dialer.Alarm)]
    assert alarm.error.code == "storage_error"
    assert alarm.error.detail == "disk full"
    assert "call log" in alarm.what


def test_abandonment_is_read_again_from_a_shared_call_log(world: World) -> None:
    # Another engine on the same store logs a drop; this one counts it once
    # it reads the call log again.
    before = world.engine.campaign_stats(CAMPAIGN).today
    answered = START.replace(tzinfo=dt.timezone.utc) - seconds(60)
    world.store.save_call(dialer.CallRecord(id=900, campaign=CAMPAIGN, number="+14155550100",
                                            state=dialer.CallState.ended,
                                            outcome=dialer.CallOutcome.dropped,
                                            created_at=answered - seconds(20), answered_at=answered))
    assert world.engine.campaign_stats(CAMPAIGN).today.abandoned == before.abandoned
    world.engine.reload_abandonment()
    today = world.engine.campaign_stats(CAMPAIGN).today
    assert (today.answered, today.abandoned) == (before.answered + 1, before.abandoned + 1)
    # A store that cannot answer raises, and the figures stay.
    world.store.fail_nth(testing.StoreOp.abandonment_by_day, 1, dialer.Error("storage_error", "locked"))
    with pytest.raises(dialer.StorageError):
        world.engine.reload_abandonment()
    assert world.engine.campaign_stats(CAMPAIGN).today.abandoned == before.abandoned + 1


def test_engine_keeps_its_ports_alive() -> None:
    def make() -> dialer.Engine:
        engine = dialer.Engine(testing.ManualClock(), testing.ScriptedCallControl(),
                               testing.MemoryStore(), testing.MemoryStore(),
                               testing.RecordingSink(), time_zone_map())
        configure(engine)
        return engine

    engine = make()
    gc.collect()
    engine.log_in(AGENT, CAMPAIGN)
    engine.dial_number(AGENT, "4155550100")
    assert engine.live_call_count() == 1


# ---- Ports implemented in Python ----


class CollectingSink(dialer.EventSink):
    def __init__(self) -> None:
        super().__init__()
        self.events: list = []

    def publish(self, event) -> None:
        self.events.append(event)


def test_python_event_sink_receives_events(world: World) -> None:
    sink = CollectingSink()
    engine = dialer.Engine(world.clock, world.calls, world.store, world.store, sink)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    engine.dial_lead(AGENT, LEAD)
    kinds = [type(e).__name__ for e in sink.events]
    assert kinds == ["StatusUpdate", "StatusUpdate", "CallUpdate", "LeadPop"]
    assert sink.events[0].status.state == S.available
    assert sink.events[3].lead.id == LEAD


def test_python_event_sink_in_a_fanout(world: World) -> None:
    mine = CollectingSink()
    recording = testing.RecordingSink()
    fanout = dialer.FanoutSink()
    fanout.add(recording)
    fanout.add(mine)
    engine = dialer.Engine(world.clock, world.calls, world.store, world.store, fanout)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    assert recording.events() == mine.events and len(mine.events) == 1


def test_python_event_sink_exception_is_reported_not_raised(world: World, monkeypatch) -> None:
    class Broken(dialer.EventSink):
        def publish(self, event) -> None:
            raise RuntimeError("panel gone")

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    engine = dialer.Engine(world.clock, world.calls, world.store, world.store, Broken())
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)  # does not raise
    assert engine.agent(AGENT).status.state == S.available
    assert len(reported) == 1
    assert isinstance(reported[0].exc_value, RuntimeError)
    assert str(reported[0].exc_value) == "panel gone"


class RecordingCallControl(dialer.CallControl):
    """A CallControl in Python that accepts everything and logs it."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list = []

    def originate(self, request):
        self.log.append(("originate", request.leg, request.endpoint, request.channel))

    def answer(self, channel):
        self.log.append(("answer", channel))

    def hang_up(self, channel, cause):
        self.log.append(("hang_up", channel, cause))

    def create_bridge(self, bridge):
        self.log.append(("create_bridge", bridge))

    def add_to_bridge(self, bridge, channel):
        self.log.append(("add_to_bridge", bridge, channel))

    def destroy_bridge(self, bridge):
        self.log.append(("destroy_bridge", bridge))

    def play(self, channel, media):
        self.log.append(("play", channel, media))


def test_python_call_control_drives_a_call(world: World) -> None:
    cc = RecordingCallControl()
    engine = dialer.Engine(world.clock, cc, world.store, world.store, world.sink)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    engine.dial_lead(AGENT, LEAD)
    _, leg, endpoint, customer = cc.log[0]
    assert (leg, endpoint) == (dialer.Leg.customer, "PJSIP/914155550100@trunk")
    engine.on_call_event(dialer.ChannelAnswered(customer))
    agent_leg = cc.log[-1][3]
    assert cc.log[-1][:3] == ("originate", dialer.Leg.agent, "PJSIP/agent100")
    engine.on_call_event(dialer.ChannelAnswered(agent_leg))
    engine.hang_up(AGENT)
    assert ("hang_up", customer, 16) in cc.log and ("hang_up", agent_leg, 16) in cc.log
    assert [entry[0] for entry in cc.log] == ["originate", "create_bridge", "add_to_bridge",
                                              "originate", "add_to_bridge", "hang_up", "hang_up"]


def test_python_call_control_that_raises_is_unavailable(world: World) -> None:
    class Down(RecordingCallControl):
        def originate(self, request):
            raise ConnectionError("ARI is down")

    engine = dialer.Engine(world.clock, Down(), world.store, world.store, world.sink)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.Unavailable) as refused:
        engine.dial_lead(AGENT, LEAD)
    assert refused.value.code == "unavailable"
    assert "ConnectionError: ARI is down" in refused.value.detail

    assert engine.agent(AGENT).status.state == S.available
    assert engine.live_call_count() == 0
    assert world.store.queue_status(LEAD) == dialer.QueueStatus.pending
    # The attempt is in the call log as failed, with the reason.
    [row] = world.store.calls()
    assert row.outcome == dialer.CallOutcome.failed
    assert row.hung_up_by == dialer.HangupSide.dialer
    assert "ARI is down" in row.hangup_reason


def test_python_call_control_keeps_the_code_of_a_dialer_error(world: World) -> None:
    class Busy(RecordingCallControl):
        def originate(self, request):
            raise dialer.Conflict(f"channel {request.channel} exists")

    engine = dialer.Engine(world.clock, Busy(), world.store, world.store, world.sink)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.Conflict) as refused:
        engine.dial_number(AGENT, "4155550100")
    assert refused.value.detail.endswith("exists")


def test_python_call_control_missing_method_is_an_error_not_a_crash(world: World) -> None:
    class Partial(dialer.CallControl):
        pass

    engine = dialer.Engine(world.clock, Partial(), world.store, world.store, world.sink)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.Unavailable) as refused:
        engine.dial_number(AGENT, "4155550100")
    assert "originate" in refused.value.detail


def test_failing_agent_leg_drops_the_customer(world: World) -> None:
    class NoAgentLeg(RecordingCallControl):
        def originate(self, request):
            if request.leg == dialer.Leg.agent:
                raise RuntimeError("agent phone unreachable")
            super().originate(request)

    cc = NoAgentLeg()
    engine = dialer.Engine(world.clock, cc, world.store, world.store, world.sink)
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    engine.dial_lead(AGENT, LEAD)
    customer = cc.log[0][3]
    engine.on_call_event(dialer.ChannelAnswered(customer))
    [alarm] = [e for e in world.sink.events() if isinstance(e, dialer.Alarm)]
    assert alarm.error.code == "unavailable"
    assert "agent phone unreachable" in alarm.error.detail
    assert ("hang_up", customer, 16) in cc.log


class DictStore(dialer.LeadStore, dialer.CallLogStore):
    """Both stores in Python, on dicts."""

    def __init__(self) -> None:
        dialer.LeadStore.__init__(self)
        dialer.CallLogStore.__init__(self)
        self.leads: dict = {}
        self.queue: dict = {}
        self.rows: dict = {}

    def find_lead(self, id):
        return self.leads.get(id)

    def find_lead_by_phone(self, last_ten, campaign):
        for found in self.leads.values():
            if dialer.last_ten_digits(found.phone.e164) == last_ten:
                return found
        raise dialer.NotFound(f"no lead ending in {last_ten}")

    def update_queue(self, update):
        self.queue[update.lead] = update.status

    def save_call(self, record):
        self.rows[record.id] = record

    def count_calls_to(self, e164, since):
        return sum(1 for r in self.rows.values() if r.number == e164 and r.created_at >= since)


def test_python_stores(world: World) -> None:
    store = DictStore()
    store.leads[LEAD] = lead()
    engine = dialer.Engine(world.clock, world.calls, store, store, world.sink, time_zone_map(),
                           do_not_call=testing.MemoryStore())
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)

    with pytest.raises(dialer.NotFound):  # find_lead returned None
        engine.dial_lead(AGENT, 99)

    call = engine.dial_lead(AGENT, LEAD)
    assert store.queue[LEAD] == dialer.QueueStatus.dialing
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    engine.on_call_event(dialer.ChannelHungUp(customer, cause=dialer.q850.no_answer))
    assert store.rows[call].outcome == dialer.CallOutcome.no_answer
    assert store.queue[LEAD] == dialer.QueueStatus.no_answer

    # A manual dial of a number with no lead: NotFound is not an alarm.
    engine.submit_disposition(AGENT, dialer.Disposition(code="NA"))
    engine.dial_number(AGENT, "+1 650 253 0000")
    assert not [e for e in world.sink.events() if isinstance(e, dialer.Alarm)]


def test_python_store_that_raises_is_a_storage_error(world: World) -> None:
    class Flaky(DictStore):
        def find_lead(self, id):
            raise OSError("database is locked")

        def save_call(self, record):
            raise OSError("disk full")

    store = Flaky()
    engine = dialer.Engine(world.clock, world.calls, store, store, world.sink, time_zone_map(),
                           do_not_call=testing.MemoryStore())
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.StorageError) as refused:
        engine.dial_lead(AGENT, LEAD)
    assert "database is locked" in refused.value.detail

    engine.dial_number(AGENT, "4155550100")
    customer = world.calls.last_originate(dialer.Leg.customer).channel
    engine.on_call_event(dialer.ChannelHungUp(customer, cause=17))
    alarms = [e for e in world.sink.events() if isinstance(e, dialer.Alarm)]
    assert [a.error.code for a in alarms] == ["storage_error"]
    assert "disk full" in alarms[0].error.detail


def test_python_store_returning_the_wrong_type(world: World) -> None:
    class Wrong(DictStore):
        def find_lead(self, id):
            return "not a lead"

    store = Wrong()
    engine = dialer.Engine(world.clock, world.calls, store, store, world.sink,
                           do_not_call=testing.MemoryStore())
    configure(engine)
    engine.log_in(AGENT, CAMPAIGN)
    with pytest.raises(dialer.StorageError):
        engine.dial_lead(AGENT, LEAD)


def test_memory_store_from_python() -> None:
    store = testing.MemoryStore()
    with pytest.raises(dialer.InvalidArgument):
        store.add_lead(dialer.Lead(id=0))
    store.add_lead(lead())
    assert store.find_lead(LEAD).phone.e164 == "+14155550100"
    assert store.find_lead_by_phone("4155550100", CAMPAIGN).id == LEAD
    with pytest.raises(dialer.NotFound):
        store.find_lead(8)
    store.fail_nth(testing.StoreOp.find_lead, 2, dialer.Error(dialer.Errc.timeout, "slow"))
    store.find_lead(LEAD)
    with pytest.raises(dialer.Timeout):
        store.find_lead(LEAD)
    store.update_queue(dialer.QueueUpdate(campaign=CAMPAIGN, lead=LEAD,
                                          status=dialer.QueueStatus.busy, call=3, at=START))
    assert store.queue_status(LEAD) == dialer.QueueStatus.busy
    assert store.queue_status(8) is None
    assert store.queue_history(LEAD)[0].at == START
    store.save_call(dialer.CallRecord(id=3, number="+14155550100"))
    assert store.call(3).number == "+14155550100" and store.call(4) is None
    store.keep_history(False)
    store.save_call(dialer.CallRecord(id=4))
    assert store.call_count() == 1


def test_scripted_call_control_from_python() -> None:
    cc = testing.ScriptedCallControl()
    with pytest.raises(IndexError):
        cc.last_originate(dialer.Leg.agent)
    cc.originate(dialer.OriginateRequest(channel=5, call=1, endpoint="PJSIP/x"))
    cc.fail_all(CommandKind.play, dialer.Error("unavailable"))
    with pytest.raises(dialer.Unavailable):
        cc.play(5, "sound:hello")
    with pytest.raises(dialer.Unavailable):
        cc.play(5, "sound:hello")
    cc.clear_failures()
    cc.play(5, "sound:hello")
    cc.hang_up(5)
    assert [c.kind for c in cc.commands()] == [CommandKind.originate, CommandKind.play,
                                               CommandKind.hang_up]
    assert cc.of_kind(CommandKind.play)[0].target == "sound:hello"
    assert cc.of_kind(CommandKind.hang_up)[0].cause == dialer.q850.normal_clearing
    cc.clear()
    assert cc.commands() == []
    testing.NullCallControl().originate(dialer.OriginateRequest())


def test_virtual_time_helpers() -> None:
    clock = testing.ManualClock()
    assert clock.wall_now() == START
    assert clock.steady_now() == dt.timedelta(hours=1)
    clock.advance(seconds(1.5))
    assert clock.wall_now() == START + seconds(1.5)
    clock.advance(2)  # a number of seconds works too
    assert clock.wall_now() == START + seconds(3.5)
    clock.advance_to(dt.timedelta(hours=2))
    assert clock.steady_now() == dt.timedelta(hours=2)
    with pytest.raises(ValueError):
        clock.advance(seconds(-1))
    with pytest.raises(ValueError):
        clock.advance_to(dt.timedelta(hours=1))
    assert testing.ManualClock(dt.datetime(2030, 1, 1)).wall_now() == dt.datetime(2030, 1, 1)
    assert isinstance(dialer.SystemClock().wall_now(), dt.datetime)


def test_cpp_implementations_cannot_be_subclassed() -> None:
    # Their methods are not virtual to Python: an override would never be called.
    for cls in (testing.ScriptedCallControl, testing.MemoryStore, testing.RecordingSink,
                testing.ManualClock, dialer.SystemClock):
        with pytest.raises(TypeError):
            type("Sub", (cls,), {})


def test_a_store_finds_leads_by_digits_or_field_text_in_id_order():
    store = testing.MemoryStore()
    store.add_lead(lead(1, "(415) 555-0100"))
    store.add_lead(lead(2, "(415) 555-0199"))
    other = dialer.Lead(id=3, campaign=99, phone=dialer.normalize_number("(415) 555-0100"),
                        time_zone="America/Los_Angeles", fields=[("name", "Bob Smith")])
    store.add_lead(other)
    assert [l.id for l in store.search_leads(CAMPAIGN, "smith")] == [1, 2]
    assert [l.id for l in store.search_leads(CAMPAIGN, "0199")] == [2]
    assert [l.id for l in store.search_leads(CAMPAIGN, "", limit=1, after=1)] == [2]
    assert store.search_leads(CAMPAIGN, "nobody") == []


def test_a_python_store_that_cannot_search_says_so():
    class Minimal(dialer.LeadStore):
        pass

    with pytest.raises(dialer.Unavailable, match="cannot search"):
        Minimal().search_leads(CAMPAIGN, "x")
