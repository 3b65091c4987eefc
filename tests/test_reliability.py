"""No silent wrong answers, no stale results, saved runs that replay (issue 13).

Fault tests kill a checkpointed sweep with SIGKILL (serially and with local processes),
resume it and compare with an uninterrupted run; stale-result tests edit a sweep's
function and rerun into the same checkpoint; replay tests save, load and rerun a game.
"""

import contextlib
import copy
import importlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorelab import (
    GameConfig,
    SimulationResult,
    confidence_intervals,
    contributions,
    decompose,
    load,
    one_hop_mean,
    personalised_pagerank,
    propagate,
    simulate,
    sweep,
    worst_neighbour,
)
from scorelab import experiments
from scorelab.fairness import replicate_intervals
from scorelab.metrics import gini, score_assortativity
from scorelab.scoring import ScoringPolicy
from scorelab.society import homophilous_sbm

ROOT = Path(__file__).resolve().parents[1]

JOB = """
import os, time
from pathlib import Path

def job(mean, log, rng):
    Path(log, f"{os.getpid()}-{uuid4()}").touch()
    time.sleep(DELAY)
    return {"draw": mean + rng.normal(), "value": VALUE}

def uuid4():
    import uuid
    return uuid.uuid4().hex
"""


def _job_module(folder, *, value=1.0, delay=0.0):
    """Write a module holding a sweep function to ``folder`` and import it afresh."""
    name = f"sweep_job_{uuid.uuid4().hex[:8]}"
    _write_job(folder, name, value=value, delay=delay)
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


def _reload(module, folder):
    """The module read again from its edited file (not from a bytecode cache of the same
    second and size)."""
    shutil.rmtree(Path(folder, "__pycache__"), ignore_errors=True)
    importlib.invalidate_caches()
    sys.path.insert(0, str(folder))
    try:
        return importlib.reload(module)
    finally:
        sys.path.remove(str(folder))


def _write_job(folder, name, *, value, delay):
    path = Path(folder, f"{name}.py")
    path.write_text(JOB.replace("DELAY", repr(delay)).replace("VALUE", repr(value)))
    return path


# --------------------------------------------------------------------------- stale results


def test_an_edited_function_does_not_reuse_its_old_results(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    module = _job_module(tmp_path)
    grid = {"mean": [0.0, 1.0]}
    first = sweep(module.job, grid, fixed={"log": str(log)}, rng=3, checkpoint=tmp_path / "c")
    assert (first["value"] == 1.0).all()
    # the user fixes a bug in the function and reruns the notebook into the same checkpoint
    _write_job(tmp_path, module.__name__, value=2.0, delay=0.0)
    edited = _reload(module, tmp_path)
    with pytest.raises(ValueError, match="func's code .* has changed .* may be stale"):
        sweep(edited.job, grid, fixed={"log": str(log)}, rng=3, checkpoint=tmp_path / "c")
    shutil.rmtree(tmp_path / "c")
    fresh = sweep(edited.job, grid, fixed={"log": str(log)}, rng=3, checkpoint=tmp_path / "c")
    assert (fresh["value"] == 2.0).all()


def test_a_helper_of_the_function_counts_as_its_code(tmp_path):
    source = "def helper():\n    return 1.0\n\ndef job(mean, rng):\n    return {'v': helper()}\n"
    name = f"helper_job_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(source)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
        sweep(module.job, {"mean": [0.0]}, rng=1, checkpoint=tmp_path / "c")
    finally:
        sys.path.remove(str(tmp_path))
    (tmp_path / f"{name}.py").write_text(source.replace("return 1.0", "return 2.0"))
    module = _reload(module, tmp_path)
    with pytest.raises(ValueError, match="func's code"):
        sweep(module.job, {"mean": [0.0]}, rng=1, checkpoint=tmp_path / "c")


def draw(mean, scale, rng):
    return {"draw": mean + scale * rng.normal()}


def test_a_changed_scorelab_does_not_reuse_old_results(tmp_path, monkeypatch):
    sweep(draw, {"mean": [0.0]}, fixed={"scale": 1.0}, rng=1, checkpoint=tmp_path)
    monkeypatch.setattr(experiments, "_scorelab_source_digest", lambda: "0" * 64)
    with pytest.raises(ValueError, match="scorelab's source has changed"):
        sweep(draw, {"mean": [0.0]}, fixed={"scale": 1.0}, rng=1, checkpoint=tmp_path)


def test_the_description_records_version_commit_and_code(tmp_path):
    sweep(draw, {"mean": [0.0]}, fixed={"scale": 1.0}, rng=1, checkpoint=tmp_path)
    description = json.loads((tmp_path / "_sweep.json").read_text())
    assert len(description["func_code"]) == 64
    assert len(description["scorelab"]["source_sha256"]) == 64
    provenance = description["provenance"]
    assert provenance["scorelab_version"] and "dirty" in provenance
    assert provenance["commit"] is None or len(provenance["commit"]) == 40


def test_a_fixed_value_that_cannot_be_recorded_is_refused(tmp_path):
    unpicklable = {"lock": __import__("threading").Lock()}
    with pytest.raises(ValueError, match=r"fixed\['scale'\] must be recordable"):
        sweep(draw, {"mean": [0.0]}, fixed={"scale": unpicklable}, rng=1, checkpoint=tmp_path)
    # without a checkpoint nothing needs recording
    with pytest.raises(TypeError):  # the lock is no number: the run itself fails
        sweep(draw, {"mean": [0.0]}, fixed={"scale": unpicklable}, rng=1)


def test_a_run_file_from_another_sweep_is_refused(tmp_path):
    sweep(draw, {"mean": [0.0, 1.0]}, fixed={"scale": 1.0}, rng=1, checkpoint=tmp_path / "a")
    sweep(draw, {"mean": [0.0, 1.0]}, fixed={"scale": 2.0}, rng=1, checkpoint=tmp_path / "b")
    foreign = tmp_path / "a" / "run-000001.parquet"
    shutil.copy(tmp_path / "b" / "run-000001.parquet", foreign)
    with pytest.raises(ValueError, match="run-000001.parquet.* of sweep .* not run 1 of this"):
        sweep(draw, {"mean": [0.0, 1.0]}, fixed={"scale": 1.0}, rng=1, checkpoint=tmp_path / "a")
    # a run file renamed to another run's place
    shutil.copy(tmp_path / "b" / "run-000000.parquet", tmp_path / "b" / "run-000001.parquet")
    with pytest.raises(ValueError, match="is run 0, not run 1"):
        sweep(draw, {"mean": [0.0, 1.0]}, fixed={"scale": 2.0}, rng=1, checkpoint=tmp_path / "b")


def test_a_corrupt_run_file_is_named_with_the_way_out(tmp_path):
    arguments = {"func": draw, "grid": {"mean": [0.0, 1.0]}, "fixed": {"scale": 1.0}, "rng": 1}
    expected = sweep(**arguments)
    sweep(**arguments, checkpoint=tmp_path)
    corrupt = tmp_path / "run-000001.parquet"
    corrupt.write_bytes(b"not parquet at all")
    with pytest.raises(ValueError, match="run-000001.parquet' cannot be read.*delete it"):
        sweep(**arguments, checkpoint=tmp_path)
    corrupt.unlink()
    pd.testing.assert_frame_equal(sweep(**arguments, checkpoint=tmp_path), expected)


# --------------------------------------------------------------------------- killed sweeps


GRID = [float(k) for k in range(10)]


def _children(pid):
    """The processes ``pid`` started (empty where /proc does not list them)."""
    found = set()
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found |= {int(child) for child in path.read_text().split()}
    return found


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ended, not yet reaped) is not running
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@pytest.mark.parametrize("n_jobs", [1, 2], ids=["serial", "processes"])
def test_a_killed_sweep_resumes_to_the_uninterrupted_frame(n_jobs, tmp_path):
    name = f"killed_job_{uuid.uuid4().hex[:8]}"
    _write_job(tmp_path, name, value=1.0, delay=0.1)
    log, store = tmp_path / "log", tmp_path / "checkpoint"
    log.mkdir()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from {name} import job
        from scorelab import sweep
        sweep(job, {{"mean": {GRID!r}}},
              fixed={{"log": {str(log)!r}}}, rng=7, n_jobs={n_jobs},
              checkpoint={str(store)!r})
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(list(store.glob("run-*.parquet"))) < 2:
            assert child.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        children = _children(child.pid)
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    saved = len(list(store.glob("run-*.parquet")))
    assert 2 <= saved < len(GRID)
    workers = ({int(path.name.split("-")[0]) for path in log.iterdir()} | children) - {child.pid}
    assert len(workers) == (0 if n_jobs == 1 else 2)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its parent"

    sys.path.insert(0, str(tmp_path))
    try:
        job = importlib.import_module(name).job
    finally:
        sys.path.remove(str(tmp_path))
    arguments = {"func": job, "grid": {"mean": GRID}, "fixed": {"log": str(log)}, "rng": 7}
    before = len(list(log.iterdir()))
    resumed = sweep(**arguments, checkpoint=store)
    assert len(list(log.iterdir())) - before == len(GRID) - saved  # only the missing ran
    pd.testing.assert_frame_equal(resumed, sweep(**arguments))


# --------------------------------------------------------------------------- replay


@pytest.mark.parametrize(
    "rng",
    [None, 7, np.int64(7), np.random.SeedSequence(11, spawn_key=(2,)),
     np.random.default_rng(5), np.random.PCG64(9)],
    ids=["None", "int", "numpy-int", "SeedSequence", "Generator", "BitGenerator"],
)
def test_a_saved_run_replays_exactly(rng, tmp_path):
    society = homophilous_sbm(150, rng=2)
    config = GameConfig(mandatory_step=2, ostracism=0.2)
    result = simulate(society, config, n_steps=4, rng=rng, record=[0, 3])
    result.save(tmp_path)
    text = (tmp_path / "metadata.json").read_text()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in metadata.json"))
    saved = load(tmp_path)
    pd.testing.assert_frame_equal(SimulationResult.load(tmp_path).history, saved.history)
    pd.testing.assert_frame_equal(saved.history, result.history)
    pd.testing.assert_frame_equal(saved.panel, result.panel)
    pd.testing.assert_frame_equal(saved.start.citizens, society.citizens)
    pd.testing.assert_frame_equal(saved.start.ties, society.ties)
    assert saved.config == config
    again = saved.replay()
    pd.testing.assert_frame_equal(again.history, result.history)
    pd.testing.assert_frame_equal(again.panel, result.panel)
    pd.testing.assert_frame_equal(again.society.citizens, result.society.citizens)
    pd.testing.assert_frame_equal(again.society.ties, result.society.ties)


def test_saving_into_an_old_folder_leaves_no_file_of_the_old_run(tmp_path):
    society = homophilous_sbm(100, rng=2)
    simulate(society, n_steps=2, rng=1, record="all").save(tmp_path)
    assert (tmp_path / "panel.csv").is_file()
    (tmp_path / "notes.txt").write_text("mine")
    simulate(society, n_steps=3, rng=1).save(tmp_path)
    assert not (tmp_path / "panel.csv").exists()
    assert (tmp_path / "notes.txt").read_text() == "mine"  # not a run file: kept
    assert load(tmp_path).history["step"].unique().tolist() == [0, 1, 2, 3]
    assert not list(tmp_path.glob(".*tmp"))


def test_the_seed_is_recorded_whatever_form_rng_takes():
    society = homophilous_sbm(60, rng=2)
    generator = np.random.default_rng(5)
    state = generator.bit_generator.state
    record = simulate(society, n_steps=1, rng=generator).replay_seed
    assert record["state"]["state"] == state["state"]
    assert simulate(society, n_steps=1, rng=np.int64(7)).replay_seed == {
        "entropy": 7, "spawn_key": [], "pool_size": 4}
    fresh = simulate(society, n_steps=1).replay_seed
    assert isinstance(fresh["entropy"], int) and fresh["entropy"] > 0


def test_a_game_near_alpha_one_with_rollout_converges():
    society = homophilous_sbm(200, rng=1)
    config = GameConfig(policy=ScoringPolicy(alpha=0.995), mandatory_step=3)
    history = simulate(society, config, n_steps=4, rng=1).wide()
    assert history["mean_displayed"].iloc[1:].notna().all()  # scored from the first step


def test_a_game_at_alpha_one_with_rollout_reaches_the_limit():
    # during the rollout only participants associate, in closed groups at alpha = 1 (some
    # of them pairs, whose DeGroot process oscillates): each ends at its consensus, the
    # limit of association weights approaching 1
    society = homophilous_sbm(200, rng=1)
    at_one, near = (simulate(society, GameConfig(policy=ScoringPolicy(alpha=w),
                                                 mandatory_step=3), n_steps=3, rng=1, record=[2])
                    for w in (1.0, 0.999))
    gap = (at_one.panel["displayed"] - near.panel["displayed"]).abs()
    assert 0 < gap.max() < 1.0  # points on the 350-950 scale, shrinking with 1 - weight


def test_a_too_small_iteration_limit_names_the_setting():
    society = homophilous_sbm(200, rng=1)
    config = GameConfig(policy=ScoringPolicy(alpha=0.99), mandatory_step=3,
                        association_max_iter=5)
    with pytest.raises(Exception, match=r"step 0 .*GameConfig\(association_max_iter"):
        simulate(society, config, n_steps=2, rng=1)


# --------------------------------------------------------------------------- frozen configs


def test_configs_built_from_one_dict_keep_their_own_values():
    shares = {"minority": {"speech": 0.1}}
    configs = []
    for share in (0.1, 0.2, 0.3):
        shares["minority"]["speech"] = share
        configs.append(GameConfig(mislabelled=shares))
    assert [c.mislabelled["minority"]["speech"] for c in configs] == [0.1, 0.2, 0.3]


def test_a_config_cannot_be_changed_after_validation():
    thresholds = {"credit": 650.0, "travel": 550.0, "utilities": {"a": 450.0, "b": 400.0}}
    config = GameConfig(thresholds=thresholds)
    thresholds["credit"] = -5.0
    assert config.thresholds["credit"] == 650.0
    with pytest.raises(TypeError):
        config.thresholds["credit"] = -5.0
    with pytest.raises(TypeError):
        config.thresholds["utilities"]["a"] = -5.0
    with pytest.raises(TypeError):
        config.mislabelled["a"] = {}
    assert pickle.loads(pickle.dumps(config)) == config
    assert GameConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert hash(config) == hash(GameConfig(thresholds=copy.deepcopy(
        {"credit": 650.0, "travel": 550.0, "utilities": {"a": 450.0, "b": 400.0}})))


# --------------------------------------------------------------------------- summaries


def test_a_baseline_without_a_value_keeps_its_interval():
    frame = pd.DataFrame({"intervention": [None, None, "cap", "cap"],
                          "cap": [np.nan, np.nan, 0.5, 0.5], "gap": [1.0, 3.0, 5.0, 7.0]})
    for by in ("intervention", "cap"):
        summary = confidence_intervals(frame, by, "gap")
        assert summary["mean"].tolist() == [2.0, 6.0] and summary["n"].tolist() == [2, 2]
        assert summary[by].isna().tolist() == [True, False]
        pd.testing.assert_frame_equal(replicate_intervals(frame, by, "gap"), summary)


# --------------------------------------------------------------------------- association


def test_multigraph_parallel_ties_add_their_weights():
    multi = nx.MultiGraph()
    multi.add_edges_from([(0, 1, {"weight": 1.0}), (0, 1, {"weight": 2.0}),
                          (1, 2, {"weight": 0.5})])
    simple = nx.Graph([(0, 1, {"weight": 3.0}), (1, 2, {"weight": 0.5})])
    own = [900.0, 500.0, 700.0]
    pd.testing.assert_series_equal(propagate(multi, own), propagate(simple, own))


def test_missing_weights_raise_with_the_attribute_and_a_count():
    G = nx.path_graph(4)
    G.edges[0, 1]["weight"] = 2.0
    with pytest.raises(ValueError, match=r"2 of 3 ties lack the weight attribute 'weight'"):
        propagate(G, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="3 of 3 ties lack the weight attribute 'wieght'"):
        propagate(nx.path_graph(4), [1.0, 2.0, 3.0, 4.0], weight="wieght")
    # an unweighted graph under the default name: every tie weighs 1, as documented
    unweighted = propagate(nx.path_graph(4), [1.0, 2.0, 3.0, 4.0])
    ones = propagate(nx.path_graph(4), [1.0, 2.0, 3.0, 4.0], weight=None)
    pd.testing.assert_series_equal(unweighted, ones)


@pytest.mark.parametrize("graph", ["path", "sbm"])
def test_alpha_one_beside_alpha_below_one_keeps_the_tolerance(graph):
    rng = np.random.default_rng(0)
    if graph == "path":  # the slowest case for the fixed point: ~n^2 steps
        G, n = nx.path_graph(400), 400
        alpha = np.ones(n)
        alpha[0] = 0.5
    else:
        n = 600
        G = homophilous_sbm(n, rng=1)
        alpha = np.where(rng.random(n) < 0.5, 1.0, 0.8)
    own = rng.uniform(350, 950, n)
    adjacency = nx.to_numpy_array(G) if graph == "path" else G.adjacency().toarray()
    W = adjacency / adjacency.sum(axis=1, keepdims=True)
    exact = np.linalg.solve(np.eye(n) - alpha[:, None] * W, (1 - alpha) * own)
    x = propagate(G, own, alpha=alpha, tol=1e-8)
    assert np.abs(x.to_numpy() - exact).max() <= 1e-8 * np.abs(own).max()
    with pytest.raises(ValueError, match=f"alpha is 1 for {int((alpha == 1).sum())} citizen"):
        propagate(G, own, alpha=alpha, method="iterate", max_iter=10**6)


def test_a_closed_group_at_alpha_one_ends_at_its_consensus():
    # a closed group at alpha = 1 ends at its consensus, which others then take as given:
    # the limit of alpha -> 1 for the group
    G = nx.DiGraph([(0, 1), (1, 0), (1, 2), (2, 1), (3, 0), (3, 4), (4, 3), (5, 4)])
    own = [1.0, 2.0, 3.0, 10.0, 20.0, 30.0]
    x = propagate(G, own, alpha=[1, 1, 1, 0.5, 0.5, 0.5])
    near = propagate(G, own, alpha=[1 - 1e-9] * 3 + [0.5] * 3, tol=1e-14, max_iter=10**6)
    assert np.allclose(x[:3], 2.0)  # degree-weighted mean of 1, 2, 3 (degrees 1, 2, 1)
    np.testing.assert_allclose(x.to_numpy(), near.to_numpy(), atol=1e-6)


def test_personalised_pagerank_conserves_the_total_with_sinks():
    G = nx.DiGraph([(0, 1), (1, 2), (2, 0), (2, 3), (4, 3), (0, 5)])
    G.add_node(6)
    own = np.arange(1.0, 8.0) * 500
    x = personalised_pagerank(G, own, alpha=0.4, tol=1e-13)
    assert x.sum() == pytest.approx(own.sum(), rel=1e-10)
    # NetworkX's PageRank with each sink tied to itself, personalised by own, times the total
    looped = G.copy()
    looped.add_edges_from((n, n) for n in G if G.out_degree(n) == 0)
    reference = nx.pagerank(looped, alpha=0.4, personalization=dict(enumerate(own)), tol=1e-15)
    assert np.allclose(x.to_numpy(), np.array([reference[i] for i in G]) * own.sum(), rtol=1e-8)


@pytest.mark.parametrize("what", ["own", "weights"])
def test_overflow_is_reported_as_overflow(what):
    G = nx.path_graph(3)
    own = [1e308, 1e308, 1e308] if what == "own" else [1.0, 2.0, 3.0]
    if what == "weights":
        nx.set_edge_attributes(G, 1e308, "weight")
    with pytest.raises(OverflowError, match="overflows float64"):
        propagate(G, own)
    # large scores whose sums still fit are answered
    assert np.isfinite(propagate(nx.path_graph(3), [1e308, 1e308, 1.0])).all()


def test_scoring_policy_refuses_a_scale_of_infinite_span():
    with pytest.raises(ValueError, match="score_max - score_min must be a finite number"):
        ScoringPolicy(score_min=-1e308, score_max=1e308)


# --------------------------------------------------------------------------- no mutation


@st.composite
def graphs_and_scores(draw):
    n = draw(st.integers(2, 8))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.floats(0.1, 5.0)), min_size=1, max_size=20))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(edges)
    scores = pd.Series(draw(st.lists(st.floats(350, 950), min_size=n, max_size=n)))
    alpha = np.array(draw(st.lists(st.floats(0.0, 0.9), min_size=n, max_size=n)))
    return G, scores, alpha


def _snapshot(*values):
    return pickle.dumps(values)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs_and_scores())
def test_no_public_function_mutates_its_inputs(case):
    G, scores, alpha = case
    calls = [
        lambda: propagate(G, scores, alpha=alpha),
        lambda: propagate(G, scores.to_numpy(), alpha=alpha, method="iterate", x0=scores),
        lambda: decompose(G, scores, alpha=alpha),
        lambda: contributions(G, scores, 0, alpha=alpha),
        lambda: one_hop_mean(G, scores, alpha=alpha),
        lambda: worst_neighbour(G, scores, alpha=alpha),
        lambda: personalised_pagerank(G, scores, alpha=alpha),
        lambda: gini(scores),
        lambda: score_assortativity(G, scores),
        lambda: confidence_intervals(pd.DataFrame({"k": [0] * len(scores), "v": scores}), "k"),
    ]
    for call in calls:
        before = _snapshot(G.adj, dict(G.nodes), scores, alpha)
        call()
        assert _snapshot(G.adj, dict(G.nodes), scores, alpha) == before


def test_the_game_and_sweeps_do_not_mutate_their_inputs():
    society = homophilous_sbm(80, rng=3)
    thresholds = {"credit": 650.0, "travel": 550.0, "utilities": 450.0}
    config = GameConfig(thresholds=thresholds)
    citizens, ties = society.citizens.copy(), society.ties.copy()
    seed = np.random.SeedSequence(4)
    simulate(society, config, n_steps=2, rng=seed)
    pd.testing.assert_frame_equal(society.citizens, citizens)
    pd.testing.assert_frame_equal(society.ties, ties)
    assert seed.n_children_spawned == 0
    grid, fixed = {"mean": [0.0, 1.0]}, {"scale": np.array([1.0])}
    sweep(draw, grid, fixed=fixed, rng=1)
    assert grid == {"mean": [0.0, 1.0]} and fixed["scale"].tolist() == [1.0]
