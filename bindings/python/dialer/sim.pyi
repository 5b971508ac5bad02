"""Stubs of dialer.sim (the extension's submodule dialer._dialer.sim): scenarios
and simulated days through the real engine. Hand-written; keep in step with
src/bind_sim.cpp."""

from typing import Any, final

@final
class Lognormal:
    mean_s: float
    cv: float
    def __init__(self, mean_s: float = ..., cv: float = ...) -> None: ...

@final
class UniformRange:
    min_s: float
    max_s: float
    def __init__(self, min_s: float = ..., max_s: float = ...) -> None: ...

@final
class RateStep:
    from_s: float
    rate: float
    def __init__(self, from_s: float = ..., rate: float = ...) -> None: ...

@final
class Scenario:
    name: str
    description: str
    agents: int
    hours: float
    live_answer_rate: float
    live_answer_rate_schedule: list[RateStep]
    ring_to_answer: Lognormal
    no_answer_timeout_s: float
    fast_fail_share: float
    machine_share: float
    fast_fail: UniformRange
    machine_pickup: UniformRange
    amd_s: float
    talk: Lognormal
    wrapup: Lognormal
    break_after_call_prob: float
    break_length: Lognormal
    max_wait_for_agent_s: float
    abandon_cap: float
    def __init__(self, **fields: Any) -> None: ...

def parse_scenario(text: str) -> Scenario: ...
def load_scenario(path: str) -> Scenario: ...
def validate_scenario(scenario: Scenario) -> None: ...
def policies() -> list[str]: ...

@final
class Metrics:
    @property
    def scenario(self) -> str: ...
    @property
    def policy(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def agents(self) -> int: ...
    @property
    def hours(self) -> float: ...
    @property
    def occupancy(self) -> float: ...
    @property
    def utilisation(self) -> float: ...
    @property
    def abandon_rate(self) -> float: ...
    @property
    def abandon_max_1h(self) -> float: ...
    @property
    def idle_per_call_s(self) -> float: ...
    @property
    def placed_per_agent_hour(self) -> float: ...
    @property
    def connected_per_agent_hour(self) -> float: ...
    @property
    def placed(self) -> int: ...
    @property
    def live_answered(self) -> int: ...
    @property
    def connected(self) -> int: ...
    @property
    def dropped(self) -> int: ...
    @property
    def first_problem(self) -> str: ...
    def as_dict(self) -> dict[str, float]: ...

def run(scenario: Scenario, policy: str = "predictive", seed: int = 1,
        ring_timeout_s: int | None = None) -> Metrics: ...
def run_seeds(scenario: Scenario, policy: str = "predictive", seeds: int = 5,
              first_seed: int = 1, ring_timeout_s: int | None = None) -> dict[str, Any]: ...
