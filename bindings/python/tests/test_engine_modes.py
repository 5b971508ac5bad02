"""Autodial and predictive campaigns driven from Python: the engine paces on
virtual time, a call nobody can take is dropped to the safe-harbour message,
and the campaign's figures say so."""

import datetime as dt

import pytest

import dialer
from dialer.testing import CommandKind

from conftest import AGENT, CAMPAIGN, CARRIER, World, lead

S = dialer.AgentState


def customer_originates(world: World) -> list:
    return [c for c in world.calls.of_kind(CommandKind.originate) if c.leg == dialer.Leg.customer]


def predictive_campaign(policy: str = "ratio:2") -> dialer.Campaign:
    return dialer.Campaign(id=CAMPAIGN, name="Spring renewals", carrier=CARRIER,
                           dial_mode=dialer.DialMode.predictive,
                           pacing=dialer.PacingSettings(policy=policy,
                                                        safe_harbour_media="sound:safe-harbour"))


def test_autodial_places_one_call_per_available_agent(world: World) -> None:
    eng = world.engine
    world.store.add_lead(lead(8, "(415) 555-0101"))
    eng.save_campaign(dialer.Campaign(id=CAMPAIGN, name="Spring renewals", carrier=CARRIER,
                                      dial_mode=dialer.DialMode.autodial))
    world.advance(5)
    assert customer_originates(world) == []  # nobody logged in: nothing dialled

    eng.log_in(AGENT, CAMPAIGN)
    world.advance(1)
    [placed] = customer_originates(world)
    assert world.state() == S.available  # told only when connected
    eng.on_call_event(dialer.ChannelAnswered(channel=placed.channel))
    assert world.state() == S.busy
    stats = eng.campaign_stats(CAMPAIGN)
    assert stats is not None and stats.pacer == "progressive"
    assert stats.today.answered == 1 and stats.today.abandoned == 0


def test_predictive_needs_a_safe_harbour_message(world: World) -> None:
    campaign = predictive_campaign()
    campaign.pacing.safe_harbour_media = ""
    with pytest.raises(dialer.InvalidArgument, match="safe_harbour_media"):
        world.engine.save_campaign(campaign)


def test_answered_call_with_no_agent_is_dropped_after_two_seconds(world: World) -> None:
    eng, cc = world.engine, world.calls
    world.store.add_lead(lead(8, "(415) 555-0101"))
    try:
        eng.save_campaign(predictive_campaign())
    except dialer.InvalidArgument:
        pytest.skip("ratio pacer not built yet")
    eng.log_in(AGENT, CAMPAIGN)
    world.advance(1)
    first, second = customer_originates(world)
    eng.on_call_event(dialer.ChannelAnswered(channel=first.channel))
    eng.on_call_event(dialer.ChannelAnswered(channel=second.channel))
    assert eng.campaign_stats(CAMPAIGN).waiting == 1
    world.advance(2)
    [play] = cc.of_kind(CommandKind.play)
    assert play.channel == second.channel and play.target == "sound:safe-harbour"
    eng.on_call_event(dialer.PlaybackFinished(channel=second.channel))
    assert cc.of_kind(CommandKind.hang_up)[-1].channel == second.channel
    eng.on_call_event(dialer.ChannelHungUp(channel=second.channel, cause=16))
    record = world.store.find_call(second.call)
    assert record.outcome == dialer.CallOutcome.dropped
    stats = eng.campaign_stats(CAMPAIGN)
    assert (stats.today.answered, stats.today.abandoned) == (2, 1)
    assert stats.today.rate() == pytest.approx(0.5)


def test_campaign_changes_reach_the_sink(world: World) -> None:
    world.engine.save_campaign(dialer.Campaign(id=CAMPAIGN, name="Spring renewals",
                                               carrier=CARRIER,
                                               dial_mode=dialer.DialMode.autodial))
    [changed] = [e for e in world.sink.events() if isinstance(e, dialer.CampaignChanged)]
    assert changed.dial_mode == dialer.DialMode.autodial and changed.dial_prefix == "9"
