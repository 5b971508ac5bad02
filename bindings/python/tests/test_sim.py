"""dialer.sim: scenarios and simulated days through the real engine, the same
numbers as the dialer-sim command."""

import json
import os
import subprocess
import threading

import pytest

import dialer
from dialer import sim

DATA = os.environ.get("DIALER_SIM_DATA", os.path.join(os.path.dirname(__file__), "../../../tests/sim/data"))
SHORT = os.path.join(DATA, "short.json")


def test_a_scenario_file_loads_with_every_field_and_can_be_changed():
    s = sim.load_scenario(SHORT)
    assert s.name == "short" and s.agents == 10 and s.hours == 1
    assert s.talk == sim.Lognormal(mean_s=120.0, cv=1.0)
    assert s.fast_fail == sim.UniformRange(min_s=1.0, max_s=6.0)
    assert s.fast_fail_share == 0.2 and s.machine_share == 0.3
    s.agents = 4
    s.live_answer_rate_schedule = [sim.RateStep(from_s=0, rate=0.3), sim.RateStep(from_s=1800, rate=0.1)]
    sim.validate_scenario(s)
    assert s.live_answer_rate_schedule[1].rate == 0.1


def test_bad_scenarios_are_refused_naming_the_field():
    with pytest.raises(dialer.InvalidArgument, match="talk_s"):
        sim.load_scenario(os.path.join(DATA, "bad_missing_talk.json"))
    with pytest.raises(dialer.NotFound):
        sim.load_scenario(os.path.join(DATA, "no-such-file.json"))
    with pytest.raises(dialer.InvalidArgument):
        sim.parse_scenario("{not json")
    s = sim.load_scenario(SHORT)
    s.agents = 0
    with pytest.raises(dialer.InvalidArgument, match="agents"):
        sim.run(s, "progressive")
    with pytest.raises(dialer.InvalidArgument, match="policy"):
        sim.run(sim.load_scenario(SHORT), "no-such-policy")


def test_a_day_is_deterministic_per_seed_and_seeds_differ():
    s = sim.load_scenario(SHORT)
    a, b, c = sim.run(s, "predictive", 3), sim.run(s, "predictive", 3), sim.run(s, "predictive", 4)
    keep = lambda m: {k: v for k, v in m.as_dict().items() if k not in ("wall_s", "speedup", "cpu_s", "cpu_speedup")}
    assert keep(a) == keep(b)
    assert keep(a) != keep(c)
    assert a.placed > 0 and 0 < a.occupancy < 1 and a.policy == "predictive" and a.seed == 3
    assert a.connected <= a.live_answered and a.first_problem == ""


@pytest.mark.skipif("DIALER_SIM" not in os.environ, reason="needs the dialer-sim binary (set DIALER_SIM)")
def test_the_same_numbers_as_the_dialer_sim_command():
    out = subprocess.run([os.environ["DIALER_SIM"], "--scenario", SHORT, "--policy", "ratio:2", "--seeds", "2",
                          "--json"], check=True, capture_output=True, text=True).stdout
    cli = json.loads(out)
    py = sim.run_seeds(sim.load_scenario(SHORT), "ratio:2", seeds=2)
    assert (py["scenario"], py["policy"], py["agents"], py["hours"]) == (cli["scenario"], cli["policy"],
                                                                         cli["agents"], cli["hours"])
    timing = ("wall_s", "speedup", "cpu_s", "cpu_speedup")
    for mine, theirs in zip(py["runs"], cli["runs"]):
        assert set(mine) == set(theirs)
        for key in theirs:
            if key not in timing:
                assert mine[key] == pytest.approx(theirs[key], rel=1e-9), key
    assert py["median"]["occupancy"] == pytest.approx(cli["median"]["occupancy"], rel=1e-9)


def test_capacity_planning_sweeps_agents_on_threads():
    # The GIL is released while a day runs, so days run side by side.
    base = sim.load_scenario(SHORT)
    results = {}

    def day(agents):
        s = sim.load_scenario(SHORT)
        s.agents = agents
        results[agents] = sim.run(s, "progressive", 1)

    threads = [threading.Thread(target=day, args=(n,)) for n in (2, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[2].agents == 2 and results[6].agents == 6
    assert results[6].connected > results[2].connected
    assert results[2].dropped == 0 and results[6].dropped == 0  # progressive never drops
    assert base.agents == 10  # each thread changed its own copy


def test_run_seeds_wants_at_least_one_seed():
    with pytest.raises(ValueError):
        sim.run_seeds(sim.load_scenario(SHORT), "progressive", seeds=0)


def test_the_informed_references_are_listed_and_run():
    listed = sim.policies()
    assert {"oracle", "predictive+agents", "predictive+calls", "predictive+agents+calls"} <= set(listed)
    m = sim.run(sim.load_scenario(SHORT), "predictive+agents+calls", 1)
    assert m.policy == "predictive+agents+calls"
    assert m.connected > 0


def test_a_shorter_ring_timeout_loses_the_later_live_answers():
    s = sim.load_scenario(SHORT)
    full, short = sim.run(s, "progressive", 3), sim.run(s, "progressive", 3, ring_timeout_s=5)
    assert short.live_answered / short.placed < 0.1 < full.live_answered / full.placed
    doc = sim.run_seeds(s, "progressive", seeds=1, first_seed=3, ring_timeout_s=5)
    assert doc["ring_timeout_s"] == 5
    assert doc["runs"][0]["placed"] == short.placed
    with pytest.raises(dialer.InvalidArgument, match="ring_timeout"):
        sim.run(s, "progressive", 3, ring_timeout_s=0)
