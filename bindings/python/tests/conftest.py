"""Shared set-up: an engine on virtual time with the test doubles, one carrier
(prefix "9"), one campaign, one agent and one lead."""

import datetime as dt
from dataclasses import dataclass

import pytest

import dialer
from dialer import testing

CARRIER = 1
OTHER_CARRIER = 2
CAMPAIGN = 10
AGENT = 100
LEAD = 7
START = dt.datetime(2026, 1, 5, 17, 0, 0)  # ManualClock's default wall time (UTC)


@dataclass
class World:
    clock: testing.ManualClock
    calls: testing.ScriptedCallControl
    store: testing.MemoryStore
    sink: testing.RecordingSink
    engine: dialer.Engine

    def advance(self, seconds: float) -> None:
        testing.advance(self.engine, self.clock, dt.timedelta(seconds=seconds))

    def status_updates(self) -> list:
        return [e for e in self.sink.events() if isinstance(e, dialer.StatusUpdate)]

    def state(self, agent: int = AGENT) -> dialer.AgentState:
        view = self.engine.agent(agent)
        assert view is not None
        return view.status.state


def configure(engine: dialer.Engine, **campaign_fields) -> None:
    engine.save_carrier(dialer.Carrier(id=CARRIER, name="trunk", dial_prefix="9",
                                       dial_template="PJSIP/{dial}@trunk"))
    engine.save_campaign(dialer.Campaign(id=CAMPAIGN, name="Spring renewals", carrier=CARRIER,
                                         script="Hello {name}", **campaign_fields))
    engine.save_agent(dialer.Agent(id=AGENT, login="ann", name="Ann", endpoint="PJSIP/agent100"))


def time_zone_map() -> dialer.EngineOptions:
    """Engine options whose typed 415 and 650 numbers are in Los Angeles: the US
    has many time zones, and the compliance gate refuses a number whose zone is
    unknown."""
    return dialer.EngineOptions(number_time_zones=dialer.NumberTimeZoneMap.parse(
        "1415|America/Los_Angeles\n1650|America/Los_Angeles\n"))


def lead(lead_id: int = LEAD, number: str = "(415) 555-0100") -> dialer.Lead:
    return dialer.Lead(id=lead_id, campaign=CAMPAIGN, phone=dialer.normalize_number(number),
                       time_zone="America/Los_Angeles", fields=[("name", "Bob Smith")])


@pytest.fixture
def world() -> World:
    clock = testing.ManualClock()
    calls = testing.ScriptedCallControl()
    store = testing.MemoryStore()
    sink = testing.RecordingSink()
    engine = dialer.Engine(clock, calls, store, store, sink)
    configure(engine)
    store.add_lead(lead())
    return World(clock, calls, store, sink, engine)
