"""Stubs of dialer.testing (the extension's submodule dialer._dialer.testing):
the test doubles. Hand-written; keep in step with src/bind_testing.cpp."""

import datetime
from typing import ClassVar, final, overload

from ._dialer import (CallControl, CallLogStore, CallRecord, Clock, DoNotCallStore, Engine, Error, Event,
                      EventSink, AgentStatus, Leg, LeadStore, Lead, QueueStatus, QueueUpdate,
                      _Duration, _Enum, _Value)

@final
class ManualClock(Clock):
    """Moves only when told to. Starts at 2026-01-05 09:00:00 UTC (or `wall`)
    and at steady time 1 hour."""

    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, wall: datetime.datetime) -> None: ...
    def advance(self, d: _Duration) -> None:
        """Moves both readings forward; ValueError if d < 0. Fires no timers."""
    def advance_to(self, steady: datetime.timedelta) -> None: ...

def advance(engine: Engine, clock: ManualClock, d: _Duration) -> None:
    """Advances the engine's own clock by d, firing each timer at its deadline."""

@final
class RecordingSink(EventSink):
    def __init__(self) -> None: ...
    def events(self) -> list[Event]: ...
    def last_status(self, agent: int) -> AgentStatus | None: ...
    def clear(self) -> None: ...

class CommandKind(_Enum):
    __members__: ClassVar[dict[str, CommandKind]]
    originate: ClassVar[CommandKind]
    answer: ClassVar[CommandKind]
    hang_up: ClassVar[CommandKind]
    create_bridge: ClassVar[CommandKind]
    add_to_bridge: ClassVar[CommandKind]
    destroy_bridge: ClassVar[CommandKind]
    play: ClassVar[CommandKind]

class Command(_Value):
    kind: CommandKind
    channel: int
    bridge: int
    target: str
    leg: Leg
    call: int
    cause: int
    timeout: datetime.timedelta
    def __init__(self, kind: CommandKind = ..., channel: int = 0, bridge: int = 0,
                 target: str = "", leg: Leg = ..., call: int = 0, cause: int = 0,
                 timeout: _Duration = ...) -> None: ...

@final
class ScriptedCallControl(CallControl):
    def __init__(self) -> None: ...
    def fail_nth(self, kind: CommandKind, nth: int, error: Error) -> None: ...
    def fail_all(self, kind: CommandKind, error: Error) -> None: ...
    def clear_failures(self) -> None: ...
    def commands(self) -> list[Command]: ...
    def of_kind(self, kind: CommandKind) -> list[Command]: ...
    def last_originate(self, leg: Leg) -> Command:
        """IndexError if there is none."""
    def clear(self) -> None: ...

@final
class NullCallControl(CallControl):
    def __init__(self) -> None: ...

class StoreOp(_Enum):
    __members__: ClassVar[dict[str, StoreOp]]
    find_lead: ClassVar[StoreOp]
    find_lead_by_phone: ClassVar[StoreOp]
    add_leads: ClassVar[StoreOp]
    claim_leads: ClassVar[StoreOp]
    renew_leases: ClassVar[StoreOp]
    release_leads: ClassVar[StoreOp]
    update_queue: ClassVar[StoreOp]
    queue_entry: ClassVar[StoreOp]
    add_do_not_call: ClassVar[StoreOp]
    is_do_not_call: ClassVar[StoreOp]
    save_call: ClassVar[StoreOp]
    find_call: ClassVar[StoreOp]
    count_calls_to: ClassVar[StoreOp]
    max_call_id: ClassVar[StoreOp]
    abandonment_by_day: ClassVar[StoreOp]
    @staticmethod
    def from_string(text: str) -> StoreOp: ...

@final
class MemoryStore(LeadStore, DoNotCallStore, CallLogStore):
    def __init__(self) -> None: ...
    def add_lead(self, lead: Lead) -> None: ...
    def queue_status(self, lead: int) -> QueueStatus | None: ...
    def queue_history(self, lead: int) -> list[QueueUpdate]: ...
    def call(self, id: int) -> CallRecord | None: ...
    def calls(self) -> list[CallRecord]: ...
    def call_count(self) -> int: ...
    def fail_nth(self, op: StoreOp, nth: int, error: Error) -> None: ...
    def keep_history(self, on: bool) -> None: ...
