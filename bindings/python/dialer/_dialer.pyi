"""Stubs of the extension module dialer._dialer (hand-written; keep in step
with bindings/python/src/bind_*.cpp).

Ids are ints (0: none). Durations are timedelta (numbers of seconds are
accepted). Wall times are naive datetimes in UTC, None until they happen.
Steady times are timedelta since the steady clock's epoch. Attributes holding
lists are copies; attributes holding another value class are references into
their owner.
"""

import datetime
import os
from typing import IO, Callable, ClassVar, Self, final

from . import q850 as q850
from . import testing as testing
from . import sim as sim

_Duration = datetime.timedelta | float

# ---- pybind11 enums -------------------------------------------------------

class _Enum:
    """Common shape of the enums (not a runtime class): str() is the library's
    to_string name; compare members with ==, not `is`."""

    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

# ---- value classes ---------------------------------------------------------

class _Value:
    """Common shape of the value classes (not a runtime class): keyword (or
    positional, in field order) constructor with the C++ defaults, ==,
    repr, copy, and __match_args__ = the field names."""

    __match_args__: ClassVar[tuple[str, ...]]
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: dict[int, object]) -> Self: ...

# ---- error.hpp --------------------------------------------------------------

class Errc(_Enum):
    __members__: ClassVar[dict[str, Errc]]
    invalid_transition: ClassVar[Errc]
    not_found: ClassVar[Errc]
    conflict: ClassVar[Errc]
    unavailable: ClassVar[Errc]
    timeout: ClassVar[Errc]
    invalid_argument: ClassVar[Errc]
    protocol_error: ClassVar[Errc]
    storage_error: ClassVar[Errc]
    refused_by_policy: ClassVar[Errc]

class DialerError(Exception):
    """Base of every dialer error.

    code: the Errc or DialRule name ("invalid_transition", "other_carrier_prefix");
    detail: for people; category: "dialer" or "dialer.dial_rule";
    rule: the DialRule name for policy refusals, else None.
    str(exc) is "<code>: <detail>".
    """

    code: str | None
    detail: str
    category: str | None
    rule: str | None
    def __init__(self, detail: str = "", code: str | Errc | DialRule | None = None) -> None: ...

class InvalidTransition(DialerError):
    code: str

class NotFound(DialerError):
    code: str

class Conflict(DialerError):
    code: str

class Unavailable(DialerError):
    code: str

class Timeout(DialerError):
    code: str

class InvalidArgument(DialerError):
    code: str

class ProtocolError(DialerError):
    code: str

class StorageError(DialerError):
    code: str

class PolicyViolation(DialerError):
    """Errc.refused_by_policy (rule None) or any DialRule (rule = its name)."""

    code: str

class Error:
    """A failure as a value (Alarm.error, OriginateFailed.error, failure plans)."""

    detail: str
    def __init__(self, code: Errc | DialRule | str, detail: str = "") -> None: ...
    @property
    def code(self) -> str: ...
    @property
    def category(self) -> str: ...
    def message(self) -> str: ...
    def is_policy_refusal(self) -> bool: ...
    def to_exception(self) -> DialerError: ...
    def __eq__(self, other: object) -> bool: ...

# ---- clock.hpp ----------------------------------------------------------------

class Clock:
    def steady_now(self) -> datetime.timedelta: ...
    def wall_now(self) -> datetime.datetime: ...

@final
class SystemClock(Clock):
    def __init__(self) -> None: ...

# ---- phone_number.hpp ---------------------------------------------------------

class NumberFormat(_Enum):
    __members__: ClassVar[dict[str, NumberFormat]]
    e164: ClassVar[NumberFormat]
    national: ClassVar[NumberFormat]
    from_region: ClassVar[NumberFormat]
    @staticmethod
    def from_string(text: str) -> NumberFormat: ...

class NumberPlan(_Value):
    region: str
    allowed_regions: list[str]
    require_valid: bool
    def __init__(self, region: str = "US", allowed_regions: list[str] = ...,
                 require_valid: bool = True) -> None: ...

class PhoneNumber(_Value):
    e164: str
    region: str
    def __init__(self, e164: str = "", region: str = "") -> None: ...

MAX_NUMBER_INPUT_LENGTH: int

def normalize_number(raw: str, plan: NumberPlan = ...) -> PhoneNumber: ...
def check_plan(number: PhoneNumber, plan: NumberPlan) -> None: ...
def format_for_dialing(number: PhoneNumber, format: NumberFormat, plan: NumberPlan) -> str: ...
def last_ten_digits(number: str) -> str: ...

# ---- carrier.hpp --------------------------------------------------------------

class Carrier(_Value):
    id: int
    name: str
    dial_prefix: str
    dial_template: str
    number_format: NumberFormat
    def __init__(self, id: int = 0, name: str = "", dial_prefix: str = "",
                 dial_template: str = "PJSIP/{dial}@trunk",
                 number_format: NumberFormat = ...) -> None: ...

# ---- dial_prefix.hpp ----------------------------------------------------------

class DialRule(_Enum):
    __members__: ClassVar[dict[str, DialRule]]
    prefix_invalid_character: ClassVar[DialRule]
    prefix_too_long: ClassVar[DialRule]
    carrier_prefix_duplicate: ClassVar[DialRule]
    carrier_prefix_overlap: ClassVar[DialRule]
    carrier_name_invalid: ClassVar[DialRule]
    campaign_prefix_mismatch: ClassVar[DialRule]
    template_invalid: ClassVar[DialRule]
    unknown_carrier: ClassVar[DialRule]
    number_empty: ClassVar[DialRule]
    number_invalid_character: ClassVar[DialRule]
    number_too_long: ClassVar[DialRule]
    number_unparseable: ClassVar[DialRule]
    number_not_valid: ClassVar[DialRule]
    region_not_allowed: ClassVar[DialRule]
    other_carrier_prefix: ClassVar[DialRule]
    ambiguous_prefix: ClassVar[DialRule]
    dial_string_mismatch: ClassVar[DialRule]

MAX_DIAL_PREFIX_LENGTH: int
MAX_DIAL_DIGITS: int

def validate_prefix(prefix: str) -> None: ...
def validate_dial_template(dial_template: str) -> None: ...

class DialTarget(_Value):
    number: PhoneNumber
    prefix: str
    dialled: str
    dial_string: str
    carrier: int
    def __init__(self, number: PhoneNumber = ..., prefix: str = "", dialled: str = "",
                 dial_string: str = "", carrier: int = 0) -> None: ...

class Route(_Value):
    carrier: int
    campaign_prefix: str
    plan: NumberPlan
    def __init__(self, carrier: int = 0, campaign_prefix: str = "",
                 plan: NumberPlan = ...) -> None: ...

class DialPolicy:
    def __init__(self) -> None: ...
    def save_carrier(self, carrier: Carrier) -> None: ...
    def remove_carrier(self, id: int) -> None: ...
    def find_carrier(self, id: int) -> Carrier | None: ...
    def carriers(self) -> list[Carrier]: ...
    def validate_route(self, route: Route) -> None: ...
    def plan_typed(self, route: Route, typed: str) -> DialTarget: ...
    def plan_number(self, route: Route, number: PhoneNumber) -> DialTarget: ...
    def verify(self, route: Route, target: DialTarget) -> None: ...

# ---- campaign.hpp -------------------------------------------------------------

class DialMode(_Enum):
    __members__: ClassVar[dict[str, DialMode]]
    manual: ClassVar[DialMode]
    autodial: ClassVar[DialMode]
    predictive: ClassVar[DialMode]
    @staticmethod
    def from_string(text: str) -> DialMode: ...

class DispositionCode(_Value):
    code: str
    label: str
    do_not_call: bool
    def __init__(self, code: str = "", label: str = "", do_not_call: bool = False) -> None: ...

DEFAULT_WRAPUP_TIMEOUT: datetime.timedelta
MAX_DISPOSITION_NOTES: int

class PacingSettings(_Value):
    policy: str
    abandon_cap: float
    max_wait_for_agent: datetime.timedelta
    safe_harbour_media: str
    day_offset: datetime.timedelta
    def __init__(self, policy: str = "predictive", abandon_cap: float = 0.03,
                 max_wait_for_agent: _Duration = ..., safe_harbour_media: str = "",
                 day_offset: _Duration = ...) -> None: ...

class Campaign(_Value):
    id: int
    name: str
    dial_mode: DialMode
    carrier: int
    dial_prefix: str
    number_plan: NumberPlan
    manual_dial_allowed: bool
    wrapup_timeout: datetime.timedelta | None
    wrapup_timeout_disposition: str
    break_after_wrapup_timeout: str
    hopper_size: int
    ring_timeout: datetime.timedelta
    caller_id: str
    break_types: list[str]
    dispositions: list[DispositionCode]
    script: str
    compliance: ComplianceRules
    recycle: RecyclePolicy
    lead_order: LeadOrder
    pacing: PacingSettings
    def __init__(self, id: int = 0, name: str = "", dial_mode: DialMode = ...,
                 carrier: int = 0, dial_prefix: str = "", number_plan: NumberPlan = ...,
                 manual_dial_allowed: bool = True,
                 wrapup_timeout: _Duration | None = ...,
                 wrapup_timeout_disposition: str = "TIMEOUT",
                 break_after_wrapup_timeout: str = "", hopper_size: int = 500,
                 ring_timeout: _Duration = ..., caller_id: str = "",
                 break_types: list[str] = ..., dispositions: list[DispositionCode] = ...,
                 script: str = "", compliance: ComplianceRules = ...,
                 recycle: RecyclePolicy = ..., lead_order: LeadOrder = ...,
                 pacing: PacingSettings = ...) -> None: ...
    def effective_wrapup_timeout(self) -> datetime.timedelta: ...
    def has_break_type(self, type: str) -> bool: ...
    def find_disposition(self, code: str) -> DispositionCode | None: ...

def validate_campaign(campaign: Campaign) -> None: ...

# ---- agent.hpp ----------------------------------------------------------------

class Agent(_Value):
    id: int
    login: str
    name: str
    endpoint: str
    persistent_leg: bool
    def __init__(self, id: int = 0, login: str = "", name: str = "",
                 endpoint: str = "", persistent_leg: bool = False) -> None: ...

class AgentState(_Enum):
    """str(AgentState.on_break) == "break"."""

    __members__: ClassVar[dict[str, AgentState]]
    offline: ClassVar[AgentState]
    available: ClassVar[AgentState]
    on_break: ClassVar[AgentState]
    busy: ClassVar[AgentState]
    wrapup: ClassVar[AgentState]
    @staticmethod
    def from_string(text: str) -> AgentState: ...

class AgentStatus(_Value):
    """str() is "available", "break:lunch", ..."""

    state: AgentState
    break_type: str
    def __init__(self, state: AgentState = ..., break_type: str = "") -> None: ...

class AgentInput(_Enum):
    __members__: ClassVar[dict[str, AgentInput]]
    log_in: ClassVar[AgentInput]
    log_out: ClassVar[AgentInput]
    resume: ClassVar[AgentInput]
    take_break: ClassVar[AgentInput]
    call_assigned: ClassVar[AgentInput]
    call_ended: ClassVar[AgentInput]
    disposed: ClassVar[AgentInput]
    disposed_to_break: ClassVar[AgentInput]
    wrapup_timed_out: ClassVar[AgentInput]
    wrapup_timed_out_to_break: ClassVar[AgentInput]
    busy_reset: ClassVar[AgentInput]

def next_agent_state(state: AgentState, input: AgentInput) -> AgentState | None: ...
def agent_transitions() -> list[tuple[AgentState, AgentInput, AgentState]]: ...

# ---- call.hpp -----------------------------------------------------------------

class CallState(_Enum):
    __members__: ClassVar[dict[str, CallState]]
    originating: ClassVar[CallState]
    ringing: ClassVar[CallState]
    answered: ClassVar[CallState]
    bridged: ClassVar[CallState]
    ended: ClassVar[CallState]
    dispositioned: ClassVar[CallState]
    @staticmethod
    def from_string(text: str) -> CallState: ...

class CallOutcome(_Enum):
    __members__: ClassVar[dict[str, CallOutcome]]
    none: ClassVar[CallOutcome]
    completed: ClassVar[CallOutcome]
    busy: ClassVar[CallOutcome]
    no_answer: ClassVar[CallOutcome]
    failed: ClassVar[CallOutcome]
    invalid_number: ClassVar[CallOutcome]
    dropped: ClassVar[CallOutcome]
    machine: ClassVar[CallOutcome]
    cancelled: ClassVar[CallOutcome]
    lost: ClassVar[CallOutcome]
    refused: ClassVar[CallOutcome]
    @staticmethod
    def from_string(text: str) -> CallOutcome: ...

class CallInput(_Enum):
    __members__: ClassVar[dict[str, CallInput]]
    ringing: ClassVar[CallInput]
    answered: ClassVar[CallInput]
    agent_connected: ClassVar[CallInput]
    hung_up: ClassVar[CallInput]
    dispositioned: ClassVar[CallInput]

def next_call_state(state: CallState, input: CallInput) -> CallState | None: ...
def call_transitions() -> list[tuple[CallState, CallInput, CallState]]: ...

class HangupSide(_Enum):
    __members__: ClassVar[dict[str, HangupSide]]
    none: ClassVar[HangupSide]
    customer: ClassVar[HangupSide]
    agent: ClassVar[HangupSide]
    dialer: ClassVar[HangupSide]

class CallRecord(_Value):
    """One row of the call log; instants are None until they happen."""

    id: int
    campaign: int
    agent: int
    lead: int
    carrier: int
    number: str
    dialled: str
    dial_string: str
    state: CallState
    outcome: CallOutcome
    created_at: datetime.datetime | None
    ringing_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    bridged_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    dispositioned_at: datetime.datetime | None
    hangup_cause: int
    hangup_reason: str
    hung_up_by: HangupSide
    disposition: str
    notes: str
    auto_disposition: bool
    def __init__(self, id: int = 0, campaign: int = 0, agent: int = 0, lead: int = 0,
                 carrier: int = 0, number: str = "", dialled: str = "", dial_string: str = "",
                 state: CallState = ..., outcome: CallOutcome = ...,
                 created_at: datetime.datetime | None = None,
                 ringing_at: datetime.datetime | None = None,
                 answered_at: datetime.datetime | None = None,
                 bridged_at: datetime.datetime | None = None,
                 ended_at: datetime.datetime | None = None,
                 dispositioned_at: datetime.datetime | None = None, hangup_cause: int = 0,
                 hangup_reason: str = "", hung_up_by: HangupSide = ..., disposition: str = "",
                 notes: str = "", auto_disposition: bool = False) -> None: ...

# ---- lead.hpp -----------------------------------------------------------------

class Lead(_Value):
    id: int
    campaign: int
    phone: PhoneNumber
    time_zone: str
    fields: list[tuple[str, str]]
    priority: int
    def __init__(self, id: int = 0, campaign: int = 0, phone: PhoneNumber = ...,
                 time_zone: str = "", fields: list[tuple[str, str]] = ...,
                 priority: int = 0) -> None: ...
    def field(self, name: str) -> str: ...

class QueueStatus(_Enum):
    __members__: ClassVar[dict[str, QueueStatus]]
    pending: ClassVar[QueueStatus]
    dialing: ClassVar[QueueStatus]
    answered: ClassVar[QueueStatus]
    completed: ClassVar[QueueStatus]
    busy: ClassVar[QueueStatus]
    no_answer: ClassVar[QueueStatus]
    failed: ClassVar[QueueStatus]
    invalid_number: ClassVar[QueueStatus]
    dropped: ClassVar[QueueStatus]
    machine: ClassVar[QueueStatus]
    @staticmethod
    def from_string(text: str) -> QueueStatus: ...

def queue_status_for(outcome: CallOutcome) -> QueueStatus: ...

class LeadOrder(_Enum):
    __members__: ClassVar[dict[str, LeadOrder]]
    oldest_first: ClassVar[LeadOrder]
    fewest_attempts_first: ClassVar[LeadOrder]
    priority_first: ClassVar[LeadOrder]
    @staticmethod
    def from_string(text: str) -> LeadOrder: ...

class QueueEntry(_Value):
    campaign: int
    lead: int
    status: QueueStatus
    attempts: int
    ready_at: datetime.datetime | None
    lease_owner: str
    lease_until: datetime.datetime | None
    last_call: int
    def __init__(self, campaign: int = 0, lead: int = 0, status: QueueStatus = ...,
                 attempts: int = 0, ready_at: datetime.datetime | None = None,
                 lease_owner: str = "", lease_until: datetime.datetime | None = None,
                 last_call: int = 0) -> None: ...

class QueueUpdate(_Value):
    campaign: int
    lead: int
    status: QueueStatus
    call: int
    at: datetime.datetime | None
    owner: str
    attempted: bool
    ready_at: datetime.datetime | None
    def __init__(self, campaign: int = 0, lead: int = 0, status: QueueStatus = ...,
                 call: int = 0, at: datetime.datetime | None = None, owner: str = "",
                 attempted: bool = False,
                 ready_at: datetime.datetime | None = None) -> None: ...

class ClaimRequest(_Value):
    campaign: int
    owner: str
    limit: int
    now: datetime.datetime | None
    lease: datetime.timedelta
    order: LeadOrder
    max_attempts: int
    time_zones: list[str] | None
    def __init__(self, campaign: int = 0, owner: str = "", limit: int = 100,
                 now: datetime.datetime | None = None, lease: _Duration = ...,
                 order: LeadOrder = ..., max_attempts: int = 0,
                 time_zones: list[str] | None = None) -> None: ...

class ClaimedLead(_Value):
    lead: Lead
    attempts: int
    lease_until: datetime.datetime | None
    def __init__(self, lead: Lead = ..., attempts: int = 0,
                 lease_until: datetime.datetime | None = None) -> None: ...

# ---- calling_hours.hpp, recycle.hpp, abandonment.hpp ----------------------------

class CallingHours(_Value):
    start: datetime.timedelta
    end: datetime.timedelta
    def __init__(self, start: _Duration = ..., end: _Duration = ...) -> None: ...

def validate_calling_hours(hours: CallingHours) -> None: ...
def is_known_time_zone(time_zone: str) -> bool: ...
def within_calling_hours(time_zone: str, now: datetime.datetime,
                         hours: CallingHours = ...) -> bool: ...
def next_calling_window(time_zone: str, now: datetime.datetime,
                        hours: CallingHours = ...) -> datetime.datetime: ...
def zones_within_calling_hours(zones: list[str], now: datetime.datetime,
                               hours: CallingHours = ...) -> list[str]: ...

class ComplianceRule(_Enum):
    __members__: ClassVar[dict[str, ComplianceRule]]
    do_not_call: ClassVar[ComplianceRule]
    outside_calling_hours: ClassVar[ComplianceRule]
    unknown_time_zone: ClassVar[ComplianceRule]
    lead_attempt_cap: ClassVar[ComplianceRule]
    daily_number_cap: ClassVar[ComplianceRule]
    @staticmethod
    def from_string(text: str) -> ComplianceRule: ...

class ComplianceRules(_Value):
    calling_hours: CallingHours
    max_attempts_per_lead: int
    max_calls_per_number_per_day: int
    def __init__(self, calling_hours: CallingHours = ..., max_attempts_per_lead: int = 0,
                 max_calls_per_number_per_day: int = 3) -> None: ...

class NumberTimeZoneMap:
    """Number prefix -> time zones (libphonenumber's map_data.txt format)."""

    @staticmethod
    def load(path: str) -> NumberTimeZoneMap: ...
    @staticmethod
    def parse(text: str) -> NumberTimeZoneMap: ...
    def zones_for(self, e164: str) -> list[str]: ...
    def __len__(self) -> int: ...

class RecycleRule(_Value):
    recycle: bool
    delay: datetime.timedelta
    max_attempts: int
    def __init__(self, recycle: bool = True, delay: _Duration = ...,
                 max_attempts: int = 0) -> None: ...

class RecyclePolicy(_Value):
    busy: RecycleRule
    no_answer: RecycleRule
    failed: RecycleRule
    dropped: RecycleRule
    machine: RecycleRule
    max_attempts: int
    def __init__(self, busy: RecycleRule = ..., no_answer: RecycleRule = ...,
                 failed: RecycleRule = ..., dropped: RecycleRule = ...,
                 machine: RecycleRule = ..., max_attempts: int = 5) -> None: ...

def validate_recycle_policy(policy: RecyclePolicy) -> None: ...
def recycle_at(policy: RecyclePolicy, outcome: CallOutcome, attempts: int,
               now: datetime.datetime) -> datetime.datetime | None: ...

class AbandonmentCounts:
    @property
    def answered(self) -> int: ...
    @property
    def abandoned(self) -> int: ...
    def rate(self) -> float: ...

class AbandonmentMeter:
    def __init__(self, day_offset: _Duration = ...) -> None: ...
    def record(self, at: datetime.datetime, abandoned: bool) -> None: ...
    def today(self, now: datetime.datetime) -> AbandonmentCounts: ...
    def last_days(self, now: datetime.datetime, days: int) -> AbandonmentCounts: ...

# ---- hopper.hpp -----------------------------------------------------------------

class HopperOptions(_Value):
    campaign: int
    owner: str
    capacity: int
    refill_below: int
    lease: datetime.timedelta
    order: LeadOrder
    max_attempts: int
    calling_hours: CallingHours | None
    def __init__(self, campaign: int = 0, owner: str = "dialer", capacity: int = 500,
                 refill_below: int = 0, lease: _Duration = ..., order: LeadOrder = ...,
                 max_attempts: int = 0, calling_hours: CallingHours | None = None) -> None: ...

class Hopper:
    def __init__(self, options: HopperOptions) -> None: ...
    def refill(self, store: LeadStore, now: datetime.datetime) -> int: ...
    def take(self) -> ClaimedLead | None: ...
    def __len__(self) -> int: ...
    @property
    def exhausted(self) -> bool: ...
    def renew(self, store: LeadStore, now: datetime.datetime) -> None: ...
    def release_all(self, store: LeadStore) -> None: ...
    @property
    def options(self) -> HopperOptions: ...

# ---- pacer.hpp ------------------------------------------------------------------

class PacerSnapshot(_Value):
    now_s: float
    time_of_day_s: float
    idle_s: list[float]
    talking_s: list[float]
    wrapup_s: list[float]
    on_break: int
    ringing_s: list[float]
    waiting_s: list[float]
    dialable: int
    abandon_cap: float
    max_wait_s: float
    placed_today: int
    answered_today: int
    dropped_today: int
    answered_30d: int
    dropped_30d: int
    def __init__(self, now_s: float = 0.0, time_of_day_s: float = 0.0,
                 idle_s: list[float] = ..., talking_s: list[float] = ...,
                 wrapup_s: list[float] = ..., on_break: int = 0,
                 ringing_s: list[float] = ..., waiting_s: list[float] = ...,
                 dialable: int = 0, abandon_cap: float = 0.03, max_wait_s: float = 2.0,
                 placed_today: int = 0, answered_today: int = 0, dropped_today: int = 0,
                 answered_30d: int = 0, dropped_30d: int = 0) -> None: ...
    def agents_working(self) -> int: ...

class PacerEventKind(_Enum):
    __members__: ClassVar[dict[str, PacerEventKind]]
    placed: ClassVar[PacerEventKind]
    live_answer: ClassVar[PacerEventKind]
    machine: ClassVar[PacerEventKind]
    no_answer: ClassVar[PacerEventKind]
    failed: ClassVar[PacerEventKind]
    connected: ClassVar[PacerEventKind]
    dropped: ClassVar[PacerEventKind]
    talk_end: ClassVar[PacerEventKind]
    wrapup_end: ClassVar[PacerEventKind]
    break_end: ClassVar[PacerEventKind]
    @staticmethod
    def from_string(text: str) -> PacerEventKind: ...

class PacerEvent(_Value):
    kind: PacerEventKind
    at_s: float
    call: int
    agent: int
    value_s: float
    def __init__(self, kind: PacerEventKind = ..., at_s: float = 0.0, call: int = 0,
                 agent: int = 0, value_s: float = 0.0) -> None: ...

class Pacer:
    def name(self) -> str: ...
    def decide(self, snapshot: PacerSnapshot) -> int: ...
    def observe(self, event: PacerEvent) -> None: ...
    def wakeup_at(self, now_s: float) -> float | None: ...

def make_pacer(spec: str) -> Pacer: ...
def pacer_policies() -> list[str]: ...

# ---- hangup_cause.hpp -----------------------------------------------------------

class DialStatus(_Enum):
    """from_string accepts Asterisk's spelling ("NOANSWER") and ours ("noanswer")."""

    __members__: ClassVar[dict[str, DialStatus]]
    none: ClassVar[DialStatus]
    answer: ClassVar[DialStatus]
    busy: ClassVar[DialStatus]
    noanswer: ClassVar[DialStatus]
    congestion: ClassVar[DialStatus]
    chanunavail: ClassVar[DialStatus]
    cancel: ClassVar[DialStatus]
    dontcall: ClassVar[DialStatus]
    @staticmethod
    def from_string(text: str) -> DialStatus: ...

def cause_text(cause: int) -> str: ...
def outcome_before_answer(status: DialStatus, cause: int) -> CallOutcome: ...

# ---- call_control.hpp -----------------------------------------------------------

class Leg(_Enum):
    __members__: ClassVar[dict[str, Leg]]
    customer: ClassVar[Leg]
    agent: ClassVar[Leg]

class OriginateRequest(_Value):
    channel: int
    call: int
    leg: Leg
    endpoint: str
    caller_id: str
    timeout: datetime.timedelta
    def __init__(self, channel: int = 0, call: int = 0, leg: Leg = ..., endpoint: str = "",
                 caller_id: str = "", timeout: _Duration = ...) -> None: ...

class CallControl:
    """Port for placing and ending calls; subclass it to implement it in Python.

    Override every method. Return None for success; raise to refuse (a
    DialerError keeps its code, any other exception reaches the engine as
    Errc.unavailable). Never call the engine from these methods.
    """

    def __init__(self) -> None: ...
    def originate(self, request: OriginateRequest) -> None: ...
    def answer(self, channel: int) -> None: ...
    def hang_up(self, channel: int, cause: int = 16) -> None: ...
    def create_bridge(self, bridge: int) -> None: ...
    def add_to_bridge(self, bridge: int, channel: int) -> None: ...
    def destroy_bridge(self, bridge: int) -> None: ...
    def play(self, channel: int, media: str) -> None: ...

class ChannelRinging(_Value):
    channel: int
    def __init__(self, channel: int = 0) -> None: ...

class ChannelAnswered(_Value):
    channel: int
    machine: bool
    def __init__(self, channel: int = 0, machine: bool = False) -> None: ...

class HangupSource(_Enum):
    __members__: ClassVar[dict[str, HangupSource]]
    reported: ClassVar[HangupSource]
    lost_in_gap: ClassVar[HangupSource]

class ChannelHungUp(_Value):
    channel: int
    cause: int
    dial_status: DialStatus
    source: HangupSource
    def __init__(self, channel: int = 0, cause: int = 0,
                 dial_status: DialStatus = ..., source: HangupSource = ...) -> None: ...

class OriginateFailed(_Value):
    channel: int
    error: Error
    def __init__(self, channel: int = 0, error: Error = ...) -> None: ...

class PlaybackFinished(_Value):
    channel: int
    def __init__(self, channel: int = 0) -> None: ...

CallEvent = (ChannelRinging | ChannelAnswered | ChannelHungUp | OriginateFailed
             | PlaybackFinished)

# ---- event_sink.hpp ---------------------------------------------------------------

class StatusReason(_Enum):
    __members__: ClassVar[dict[str, StatusReason]]
    command: ClassVar[StatusReason]
    call: ClassVar[StatusReason]
    disposition: ClassVar[StatusReason]
    wrapup_timeout: ClassVar[StatusReason]
    busy_reset: ClassVar[StatusReason]
    phone_lost: ClassVar[StatusReason]

class StatusUpdate(_Value):
    agent: int
    status: AgentStatus
    previous: AgentStatus
    reason: StatusReason
    at: datetime.datetime | None
    def __init__(self, agent: int = 0, status: AgentStatus = ..., previous: AgentStatus = ...,
                 reason: StatusReason = ..., at: datetime.datetime | None = None) -> None: ...

class CallUpdate(_Value):
    agent: int
    call: int
    state: CallState
    outcome: CallOutcome
    at: datetime.datetime | None
    def __init__(self, agent: int = 0, call: int = 0, state: CallState = ...,
                 outcome: CallOutcome = ..., at: datetime.datetime | None = None) -> None: ...

class LeadPop(_Value):
    agent: int
    call: int
    lead: Lead | None
    script: str
    number: str
    dial_prefix: str
    def __init__(self, agent: int = 0, call: int = 0, lead: Lead | None = None,
                 script: str = "", number: str = "", dial_prefix: str = "") -> None: ...

class Alarm(_Value):
    what: str
    error: Error
    def __init__(self, what: str = "", error: Error = ...) -> None: ...

class CampaignChanged(_Value):
    campaign: int
    dial_mode: DialMode
    manual_dial_allowed: bool
    dial_prefix: str
    def __init__(self, campaign: int = 0, dial_mode: DialMode = ...,
                 manual_dial_allowed: bool = True, dial_prefix: str = "") -> None: ...

class HopperEmpty(_Value):
    campaign: int
    at: datetime.datetime
    def __init__(self, campaign: int = 0, at: datetime.datetime = ...) -> None: ...

Event = StatusUpdate | CallUpdate | LeadPop | CampaignChanged | HopperEmpty | Alarm

class EventSink:
    """Where the engine publishes events; subclass it and override publish.

    publish must not raise (an exception is reported through
    sys.unraisablehook and dropped) and must not call the engine.
    """

    def __init__(self) -> None: ...
    def publish(self, event: Event) -> None: ...

@final
class FanoutSink(EventSink):
    def __init__(self) -> None: ...
    def add(self, sink: EventSink) -> None: ...

@final
class NullSink(EventSink):
    def __init__(self) -> None: ...

# ---- store.hpp ------------------------------------------------------------------

class LeadStore:
    """Port for leads and queue rows; subclass it to implement it in Python.

    find_lead/find_lead_by_phone return a Lead, or None (or raise NotFound)
    when there is none. Other exceptions reach the engine as StorageError
    (a DialerError keeps its code).
    """

    def __init__(self) -> None: ...
    def find_lead(self, id: int) -> Lead: ...
    def find_lead_by_phone(self, last_ten: str, campaign: int) -> Lead: ...
    def add_leads(self, leads: list[Lead], now: datetime.datetime) -> list[int]: ...
    def claim_leads(self, request: ClaimRequest) -> list[ClaimedLead]: ...
    def renew_leases(self, owner: str, leads: list[int], until: datetime.datetime) -> int: ...
    def release_leads(self, owner: str, leads: list[int]) -> None: ...
    def update_queue(self, update: QueueUpdate) -> None: ...
    def queue_entry(self, lead: int) -> QueueEntry: ...

class DoNotCallStore:
    """Port for the do-not-call lists (campaign 0: global); subclass it in Python."""

    def __init__(self) -> None: ...
    def add_do_not_call(self, e164: str, campaign: int) -> None: ...
    def is_do_not_call(self, e164: str, campaign: int) -> bool: ...

class CallLogStore:
    """Port for the call log; subclass it to implement it in Python."""

    def __init__(self) -> None: ...
    def save_call(self, record: CallRecord) -> None: ...
    def find_call(self, id: int) -> CallRecord: ...
    def count_calls_to(self, e164: str, since: datetime.datetime) -> int: ...
    def max_call_id(self) -> int: ...

# ---- engine.hpp -----------------------------------------------------------------

BUSY_RESET_AFTER: datetime.timedelta

class EngineOptions(_Value):
    node: str
    id_base: int
    busy_reset_after: datetime.timedelta
    number_time_zones: NumberTimeZoneMap | None
    agent_answer_timeout: datetime.timedelta
    pacing_interval: datetime.timedelta
    def __init__(self, node: str = "dialer", id_base: int = 0,
                 busy_reset_after: _Duration = ...,
                 number_time_zones: NumberTimeZoneMap | None = None,
                 agent_answer_timeout: _Duration = ...,
                 pacing_interval: _Duration = ...) -> None: ...

class CampaignStats(_Value):
    agents_logged_in: int
    hopper_depth: int
    hopper_exhausted: bool
    ringing: int
    waiting: int
    placed_today: int
    today: AbandonmentCounts
    last_30_days: AbandonmentCounts
    pacer: str
    def __init__(self, agents_logged_in: int = 0, hopper_depth: int = 0,
                 hopper_exhausted: bool = False, ringing: int = 0, waiting: int = 0,
                 placed_today: int = 0, today: AbandonmentCounts = ...,
                 last_30_days: AbandonmentCounts = ..., pacer: str = "") -> None: ...

class Disposition(_Value):
    code: str
    notes: str
    next_break: str
    def __init__(self, code: str = "", notes: str = "", next_break: str = "") -> None: ...

class AgentView(_Value):
    id: int
    status: AgentStatus
    campaign: int
    call: int
    since: datetime.datetime | None
    def __init__(self, id: int = 0, status: AgentStatus = ..., campaign: int = 0,
                 call: int = 0, since: datetime.datetime | None = None) -> None: ...

class Engine:
    """The dialer's deterministic core. Keeps its ports alive; use it from one
    thread at a time."""

    def __init__(self, clock: Clock, call_control: CallControl, lead_store: LeadStore,
                 call_log_store: CallLogStore, events: EventSink,
                 options: EngineOptions = ...,
                 do_not_call: DoNotCallStore | None = None) -> None: ...
    def save_carrier(self, carrier: Carrier) -> None: ...
    def save_campaign(self, campaign: Campaign) -> None: ...
    def save_agent(self, agent: Agent) -> None: ...
    def find_campaign(self, id: int) -> Campaign | None: ...
    def find_carrier(self, id: int) -> Carrier | None: ...
    def find_agent(self, id: int) -> Agent | None: ...
    def reload_abandonment(self) -> None: ...
    def log_in(self, agent: int, campaign: int) -> None: ...
    def log_out(self, agent: int) -> None: ...
    def set_available(self, agent: int) -> None: ...
    def take_break(self, agent: int, break_type: str) -> None: ...
    def dial_number(self, agent: int, number: str) -> int: ...
    def dial_lead(self, agent: int, lead: int) -> int: ...
    def hang_up(self, agent: int) -> None: ...
    def submit_disposition(self, agent: int, disposition: Disposition) -> None: ...
    def on_call_event(self, event: CallEvent) -> None: ...
    def next_deadline(self) -> datetime.timedelta | None: ...
    def on_timer(self) -> None: ...
    def agent(self, id: int) -> AgentView | None: ...
    def find_call(self, id: int) -> CallRecord | None: ...
    def live_call_count(self) -> int: ...
    def ignored_event_count(self) -> int: ...
    def campaign_stats(self, campaign: int) -> CampaignStats | None: ...
    def refused_count(self, rule: ComplianceRule) -> int: ...

# ---- lead_import.hpp ------------------------------------------------------------

class ExistingLeads(_Enum):
    __members__: ClassVar[dict[str, ExistingLeads]]
    update: ClassVar[ExistingLeads]
    skip: ClassVar[ExistingLeads]
    @staticmethod
    def from_string(text: str) -> ExistingLeads: ...

class RowProblem(_Enum):
    __members__: ClassVar[dict[str, RowProblem]]
    wrong_column_count: ClassVar[RowProblem]
    missing_phone: ClassVar[RowProblem]
    bad_number: ClassVar[RowProblem]
    bad_time_zone: ClassVar[RowProblem]
    bad_priority: ClassVar[RowProblem]
    oversized_field: ClassVar[RowProblem]
    invalid_utf8: ClassVar[RowProblem]
    unterminated_quote: ClassVar[RowProblem]
    @staticmethod
    def from_string(text: str) -> RowProblem: ...

class ImportColumns(_Value):
    phone: str
    time_zone: str
    priority: str
    external_id: str
    def __init__(self, phone: str = "phone", time_zone: str = "", priority: str = "",
                 external_id: str = "") -> None: ...

class ImportProgress(_Value):
    rows_read: int
    bytes_read: int
    total_bytes: int
    def __init__(self, rows_read: int = 0, bytes_read: int = 0, total_bytes: int = 0) -> None: ...

class ImportOptions(_Value):
    campaign: int
    plan: NumberPlan
    columns: ImportColumns
    default_time_zone: str
    existing: ExistingLeads
    batch_size: int
    max_field_size: int
    threads: int
    max_listed: int
    progress: Callable[[ImportProgress], None] | None
    now: datetime.datetime | None
    number_time_zones: NumberTimeZoneMap | None
    def __init__(self, campaign: int = 0, plan: NumberPlan = ..., columns: ImportColumns = ...,
                 default_time_zone: str = "", existing: ExistingLeads = ...,
                 batch_size: int = 5000, max_field_size: int = 65536, threads: int = 0,
                 max_listed: int = 10000,
                 progress: Callable[[ImportProgress], None] | None = None,
                 now: datetime.datetime | None = None) -> None: ...

class BadRow(_Value):
    line: int
    problem: RowProblem
    column: str
    detail: str
    rule: str
    def __init__(self, line: int = 0, problem: RowProblem = ..., column: str = "",
                 detail: str = "", rule: str = "") -> None: ...

class DuplicateInFile(_Value):
    line: int
    first_line: int
    key: str
    value: str
    def __init__(self, line: int = 0, first_line: int = 0, key: str = "",
                 value: str = "") -> None: ...

class ExistingMatch(_Value):
    line: int
    lead: int
    key: str
    updated: bool
    def __init__(self, line: int = 0, lead: int = 0, key: str = "",
                 updated: bool = False) -> None: ...

class FlaggedCell(_Value):
    line: int
    column: str
    def __init__(self, line: int = 0, column: str = "") -> None: ...

class ImportReport(_Value):
    rows_read: int
    imported: int
    updated: int
    duplicates_in_file: int
    duplicates_existing: int
    bad_rows: int
    unknown_time_zone: int
    formula_cells: int
    bytes_read: int
    bad: list[BadRow]
    duplicates: list[DuplicateInFile]
    existing: list[ExistingMatch]
    unknown_time_zone_lines: list[int]
    formulas: list[FlaggedCell]
    truncated: bool
    stopped: Error | None
    def __init__(self, rows_read: int = 0, imported: int = 0, updated: int = 0,
                 duplicates_in_file: int = 0, duplicates_existing: int = 0, bad_rows: int = 0,
                 unknown_time_zone: int = 0, formula_cells: int = 0, bytes_read: int = 0,
                 bad: list[BadRow] = ..., duplicates: list[DuplicateInFile] = ...,
                 existing: list[ExistingMatch] = ..., unknown_time_zone_lines: list[int] = ...,
                 formulas: list[FlaggedCell] = ..., truncated: bool = False,
                 stopped: Error | None = None) -> None: ...
    def to_json(self) -> str: ...

def import_leads(store: LeadStore, source: str | os.PathLike[str] | IO[bytes] | IO[str],
                 options: ImportOptions) -> ImportReport: ...
def canonical_time_zone(name: str) -> str | None: ...
