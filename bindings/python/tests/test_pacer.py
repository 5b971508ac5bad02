"""Pacing policies driven from a small Python loop."""
import pytest

import dialer


def test_policies_are_listed_and_built() -> None:
    policies = dialer.pacer_policies()
    assert {"progressive", "ratio:R", "vicidial-tapered", "predictive"} <= set(policies)
    assert dialer.make_pacer("ratio:2.5").name() == "ratio:2.5"
    assert dialer.make_pacer("predictive").name() == "predictive"


def test_bad_specs_raise_invalid_argument_naming_the_problem() -> None:
    with pytest.raises(dialer.InvalidArgument, match="unknown pacing policy"):
        dialer.make_pacer("aggressive")
    with pytest.raises(dialer.InvalidArgument, match="between 1 and 50"):
        dialer.make_pacer("ratio:60")
    with pytest.raises(dialer.InvalidArgument, match="must be a number"):
        dialer.make_pacer("ratio:lots")


def test_progressive_and_ratio_arithmetic_from_a_plain_snapshot() -> None:
    snap = dialer.PacerSnapshot(idle_s=[3.0, 1.0, 0.5], ringing_s=[2.0], dialable=100)
    assert snap.agents_working() == 3
    assert dialer.make_pacer("progressive").decide(snap) == 2
    assert dialer.make_pacer("ratio:2").decide(snap) == 5


def test_no_calls_without_working_agents() -> None:
    for spec in ("progressive", "ratio:3", "vicidial-tapered", "predictive"):
        pacer = dialer.make_pacer(spec)
        assert pacer.decide(dialer.PacerSnapshot(on_break=3, ringing_s=[1.0])) == 0


def test_event_kinds_have_the_library_names() -> None:
    kind = dialer.PacerEventKind.from_string("live_answer")
    assert kind == dialer.PacerEventKind.live_answer
    assert str(dialer.PacerEventKind.wrapup_end) == "wrapup_end"
    with pytest.raises(ValueError):
        dialer.PacerEventKind.from_string("hangup")


def test_predictive_driven_by_a_tiny_simulation_learns_and_backs_off() -> None:
    """Ten agents, a 10% answer rate: the pacer is told every outcome and
    asked every half second; it must over-dial (more calls than idle agents),
    and place fewer once the day's drops reach the cap."""
    pacer = dialer.make_pacer("predictive")
    ev = dialer.PacerEventKind
    call = 0
    now = 0.0
    ringing: dict[int, float] = {}
    for step in range(240):  # two minutes
        now = step * 0.5
        # Every call resolves 6 s after it was placed: one in ten live.
        for cid, placed in list(ringing.items()):
            if now - placed >= 6.0:
                kind = ev.live_answer if cid % 10 == 0 else ev.failed
                pacer.observe(dialer.PacerEvent(kind=kind, at_s=now, call=cid, value_s=6.0))
                del ringing[cid]
        snap = dialer.PacerSnapshot(now_s=now, idle_s=[1.0] * 5, talking_s=[30.0] * 5,
                                    ringing_s=[now - t for t in ringing.values()],
                                    dialable=1000)
        for _ in range(pacer.decide(snap)):
            call += 1
            ringing[call] = now
            pacer.observe(dialer.PacerEvent(kind=ev.placed, at_s=now, call=call))
    assert call > 40  # far more than one call per idle agent over two minutes

    assert pacer.decide(dialer.PacerSnapshot(now_s=now + 0.5, idle_s=[1.0] * 5,
                                             talking_s=[30.0] * 5, dialable=1000)) > 5

    # Two fresh pacers, one told the day's drops are at the cap: it places
    # fewer calls, and never fewer than one per idle agent.
    def day(dropped: int) -> dialer.PacerSnapshot:
        return dialer.PacerSnapshot(now_s=1.0, idle_s=[1.0] * 5, talking_s=[30.0] * 5,
                                    dialable=1000, placed_today=5000, answered_today=1000,
                                    dropped_today=dropped)
    n_calm = dialer.make_pacer("predictive").decide(day(5))
    n_over = dialer.make_pacer("predictive").decide(day(30))
    assert 5 <= n_over < n_calm


def test_vicidial_tapered_dials_on_its_own_schedule() -> None:
    pacer = dialer.make_pacer("vicidial-tapered")
    snap = dialer.PacerSnapshot(idle_s=[0.0] * 10, time_of_day_s=10 * 3600)
    placed = []
    for step in range(6):
        snap.now_s = step * 0.5
        placed.append(pacer.decide(snap))
    assert placed == [10, 0, 0, 0, 0, 10]
    assert pacer.wakeup_at(2.5) is not None
