import copy
import importlib.util
import json
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import distributed
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scorelab import experiments
from scorelab.experiments import compare, confidence_intervals, sweep
from scorelab.studies import guilt_by_association, minority_status_penalty

# Functions run in other processes (n_jobs > 1, Dask) are module-level so that they pickle.


def draw_pair(mean, scale, rng):
    return {"a": mean + scale * rng.normal(), "b": rng.uniform()}


def mixed_results(mean, scale, rng):
    """Results of every common dtype; the first grid points finish last in parallel runs."""
    time.sleep(0.02 * (2.0 - mean))
    draw = mean + scale * rng.normal()
    return {"draw": draw, "count": int(rng.integers(10)), "positive": bool(draw > 0),
            "label": f"m{mean:g}"}


def citizen_rows(mean, scale, rng):
    """Several rows per run, under an index the sweep must drop."""
    return pd.DataFrame({"citizen": [3, 5], "score": mean + scale * rng.normal(size=2)},
                        index=[3, 5])


def graph_draw(mean, G, rng):
    return {"a": mean + G.number_of_nodes() * rng.normal()}


def logged_draw(mean, scale, log_dir, fail_flag, rng):
    """``draw_pair`` that leaves a file per finished call; fails at mean 2 while the flag exists."""
    time.sleep(0.01)
    if mean == 2.0 and os.path.exists(fail_flag):
        raise RuntimeError("simulated interruption")
    result = draw_pair(mean, scale, rng)
    run = rng.bit_generator.seed_seq.spawn_key[-1]  # the run's index in the sweep
    Path(log_dir, f"{run}-{uuid.uuid4().hex}").touch()
    return result


def logged_runs(log_dir):
    return Counter(int(path.name.split("-")[0]) for path in Path(log_dir).iterdir())


def run_files(directory):
    return {int(path.stem.split("-")[1]) for path in Path(directory).glob("run-*.parquet")}


def test_sweep_is_tidy_and_reproducible():
    frame = sweep(draw_pair, {"mean": [0.0, 5.0], "scale": [1.0, 2.0]}, n_replicates=3, rng=7)
    assert list(frame.columns) == ["mean", "scale", "replicate", "a", "b"]
    assert len(frame) == 12
    assert frame.equals(sweep(draw_pair, {"mean": [0.0, 5.0], "scale": [1.0, 2.0]},
                              n_replicates=3, rng=7))
    assert not frame.equals(sweep(draw_pair, {"mean": [0.0, 5.0], "scale": [1.0, 2.0]},
                                  n_replicates=3, rng=8))
    # independent streams: no two runs draw the same value
    assert frame["b"].nunique() == 12


GRID = {"mean": [0.0, 1.0, 2.0], "scale": [1.0, 3.0]}
GRID_ORDER = [[m, s, r] for m in GRID["mean"] for s in GRID["scale"] for r in range(2)]


def test_sweep_serial_and_parallel_give_identical_frames_in_grid_order():
    serial = sweep(mixed_results, GRID, n_replicates=2, rng=3)
    assert serial[["mean", "scale", "replicate"]].values.tolist() == GRID_ORDER
    parallel = sweep(mixed_results, GRID, n_replicates=2, rng=3, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_sweep_accepts_frames_and_fixed_parameters():
    def rows(k, offset, rng):
        return pd.DataFrame({"i": range(k), "v": offset + rng.normal(size=k)})

    frame = sweep(rows, {"k": [1, 2]}, fixed={"offset": 10.0}, rng=1)
    assert frame["k"].tolist() == [1, 2, 2] and frame["i"].tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"grid": {}}, ValueError, "grid must be a non-empty mapping"),
        ({"grid": {"mean": []}}, ValueError, "non-empty sequence"),
        ({"grid": {"mean": [1.0]}, "n_replicates": 0}, ValueError, "n_replicates must be >= 1"),
        ({"grid": {"mean": [1.0]}, "fixed": {"mean": 2.0}}, ValueError, "both swept and fixed"),
        ({"grid": {"mean": [1.0]}, "client": "tcp://127.0.0.1:8786"}, TypeError,
         "client must be a dask.distributed.Client, got 'tcp://"),
        ({"grid": {"mean": [1.0]}, "checkpoint": 3}, TypeError,
         r"checkpoint must be a directory path \(str or os.PathLike\), got 3"),
        ({"grid": {"mean": [1.0]}, "checkpoint": "unused", "rng": None}, ValueError,
         "with checkpoint, rng must be an int seed or a numpy.random.SeedSequence"),
        ({"grid": {"mean": [1.0]}, "checkpoint": "unused", "rng": np.random.default_rng(5)},
         ValueError, "with checkpoint, rng must be an int seed .* got Generator"),
    ],
)
def test_sweep_bad_input(kwargs, error, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a failed check must not leave an "unused" directory around
    with pytest.raises(error, match=match):
        sweep(draw_pair, **kwargs)
    assert not (tmp_path / "unused").exists()


def test_sweep_rejects_results_it_cannot_tabulate():
    with pytest.raises(TypeError, match="func must return a mapping, Series or DataFrame; run 0"):
        sweep(lambda mean, rng: mean, {"mean": [1.0]}, rng=0)


def test_sweep_without_dask_asks_for_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "scorelab\[dask\]"'):
        sweep(draw_pair, {"mean": [1.0]}, client=object())


def test_experiments_module_loads_without_dask(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)  # as if neither were installed
    monkeypatch.setitem(sys.modules, "distributed", None)
    spec = importlib.util.spec_from_file_location("experiments_without_dask", experiments.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.sweep(draw_pair, {"mean": [0.0]}, fixed={"scale": 1.0}, rng=1).equals(
        sweep(draw_pair, {"mean": [0.0]}, fixed={"scale": 1.0}, rng=1))


@pytest.mark.parametrize("func", [mixed_results, citizen_rows])
def test_checkpoint_holds_one_parquet_file_per_run_and_a_description(func, tmp_path):
    plain = sweep(func, GRID, n_replicates=2, rng=5)
    stored = sweep(func, GRID, n_replicates=2, rng=5, checkpoint=tmp_path / "runs")
    pd.testing.assert_frame_equal(stored, plain)
    assert sorted(path.name for path in (tmp_path / "runs").iterdir()) == ["_sweep.json"] + [
        f"run-{k:06d}.parquet" for k in range(12)
    ]
    description = json.loads((tmp_path / "runs" / "_sweep.json").read_text())
    assert description["func"] == f"{func.__module__}.{func.__name__}"
    assert description["grid"] == GRID and description["fixed"] == {}
    assert description["n_replicates"] == 2
    assert description["seed"] == {"entropy": 5, "spawn_key": [], "pool_size": 4,
                                   "n_children_spawned": 0}
    # run 3 is (mean 0, scale 3, replicate 1): its file holds exactly its results
    rows = plain[plain[["mean", "scale", "replicate"]].eq([0.0, 3.0, 1]).all(axis=1)]
    results = rows.drop(columns=["mean", "scale", "replicate"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "runs" / "run-000003.parquet"),
                                  results)


def test_checkpoint_resumes_from_a_seed_sequence(tmp_path):
    grid = {"mean": [0.0, 1.0], "scale": [2.0]}
    first = sweep(draw_pair, grid, n_replicates=2, rng=np.random.SeedSequence(9),
                  checkpoint=str(tmp_path))
    (tmp_path / "run-000002.parquet").unlink()
    resumed = sweep(draw_pair, grid, n_replicates=2, rng=np.random.SeedSequence(9),
                    checkpoint=str(tmp_path))
    plain = sweep(draw_pair, grid, n_replicates=2, rng=9)
    pd.testing.assert_frame_equal(first, plain)
    pd.testing.assert_frame_equal(resumed, plain)


BASE = {"func": draw_pair, "grid": {"mean": [0.0, 1.0]}, "fixed": {"scale": 1.0},
        "n_replicates": 2, "rng": 5}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grid": {"mean": [0.0, 9.0]}}, "grid"),
        ({"grid": {"mean": [1.0, 0.0]}}, "grid"),
        ({"fixed": {"scale": 2.0}}, "fixed"),
        ({"n_replicates": 3}, "n_replicates"),
        ({"rng": 6}, "seed"),
        ({"rng": np.random.SeedSequence(5, spawn_key=(1,))}, "seed"),
        ({"func": lambda mean, scale, rng: {"a": 0.0}}, "func"),
    ],
)
def test_resuming_a_different_sweep_raises(change, field, tmp_path):
    sweep(**BASE, checkpoint=tmp_path)
    with pytest.raises(ValueError, match=f"holds a different sweep: {field} was"):
        sweep(**{**BASE, **change}, checkpoint=tmp_path)


def test_resume_compares_objects_in_fixed_by_content(tmp_path):
    first = sweep(graph_draw, {"mean": [0.0, 1.0]}, fixed={"G": nx.path_graph(3)}, rng=1,
                  checkpoint=tmp_path)
    # an equal graph built afresh (as in a new session) resumes; another graph does not
    again = sweep(graph_draw, {"mean": [0.0, 1.0]}, fixed={"G": nx.path_graph(3)}, rng=1,
                  checkpoint=tmp_path)
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(ValueError, match="holds a different sweep: fixed was"):
        sweep(graph_draw, {"mean": [0.0, 1.0]}, fixed={"G": nx.path_graph(4)}, rng=1,
              checkpoint=tmp_path)


def test_checkpoint_must_be_a_fresh_or_matching_directory(tmp_path):
    (tmp_path / "file").touch()
    with pytest.raises(ValueError, match="checkpoint must be a directory, got the file"):
        sweep(**BASE, checkpoint=tmp_path / "file")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "run-000000.parquet").touch()
    with pytest.raises(ValueError, match="holds run files but no _sweep.json"):
        sweep(**BASE, checkpoint=tmp_path / "old")


def test_progress_bar_counts_finished_runs(tmp_path, capsys):
    sweep(**BASE)
    assert capsys.readouterr().err == ""
    sweep(**BASE, checkpoint=tmp_path, progress=True)
    err = capsys.readouterr().err
    assert "sweep: 100%" in err and "4/4" in err and "3/4" not in err
    (tmp_path / "run-000001.parquet").unlink()
    sweep(**BASE, checkpoint=tmp_path, progress=True)
    err = capsys.readouterr().err
    assert "3/4" in err and "4/4" in err  # starts from the runs already finished


def test_confidence_intervals_summarise_a_sweep():
    frame = sweep(draw_pair, {"scale": [1.0, 2.0]}, fixed={"mean": 3.0}, n_replicates=6, rng=2)
    summary = confidence_intervals(frame, "scale", ["a", "b"], level=0.9)
    assert summary[["scale", "metric"]].values.tolist() == [
        [1.0, "a"], [2.0, "a"], [1.0, "b"], [2.0, "b"]]
    assert (summary["n"] == 6).all()
    draws = frame.loc[frame["scale"] == 2.0, "a"]
    half = stats.t.ppf(0.95, 5) * draws.std(ddof=1) / np.sqrt(6)
    row = summary.iloc[1]
    assert row["mean"] == pytest.approx(draws.mean())
    assert row["low"] == pytest.approx(draws.mean() - half)
    assert row["high"] == pytest.approx(draws.mean() + half)
    with pytest.raises(ValueError, match=r"by columns \['mean'\] share names"):
        confidence_intervals(sweep(draw_pair, {"mean": [0.0]}, fixed={"scale": 1.0},
                                   n_replicates=2, rng=2), "mean", "a")


def test_confidence_interval_closed_form():
    frame = pd.DataFrame({"g": ["x"] * 4, "v": [1.0, 2.0, 3.0, 4.0]})
    row = confidence_intervals(frame, "g", "v").iloc[0]
    half = 3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2  # t_{0.975, 3}
    assert row["mean"] == 2.5
    assert row["low"] == pytest.approx(2.5 - half) and row["high"] == pytest.approx(2.5 + half)
    with pytest.raises(ValueError, match="not in the frame"):
        confidence_intervals(frame, "g", "missing")


def test_minority_penalty_and_no_association_baseline():
    own = pd.Series([500.0, 700.0, 500.0, 700.0, 600.0])
    groups = pd.Series(["majority", "majority", "minority", "minority", "minority"])
    displayed = own - 30.0 * (groups == "minority")
    assert minority_status_penalty(displayed, own, groups) == pytest.approx(30.0)
    row = guilt_by_association(400, alpha=0.0, rng=2)
    assert row["minority_penalty"] == pytest.approx(0.0, abs=1e-9)
    assert row["effect_majority"] == 0.0 and row["displayed_gap"] == row["own_gap"]


# -- paired counterfactuals (issue 15) ----------------------------------------------------


def test_pairing_changes_no_single_run():
    """Each paired run is func called with its pair's stream, and nothing else changes."""
    grid = {"mean": [0.0, 1.0, 2.0], "scale": [1.0, 3.0]}
    paired = sweep(draw_pair, grid, n_replicates=2, rng=5, pair_over=["mean"])
    n_pairs = paired["pair"].nunique()
    assert n_pairs == 2 * 2  # one stream per replicate and value of the unpaired scale
    streams = np.random.default_rng(5).spawn(n_pairs)
    for row in paired.itertuples():
        direct = draw_pair(row.mean, row.scale, rng=copy.deepcopy(streams[row.pair]))
        assert (row.a, row.b) == (direct["a"], direct["b"])
    # the same stream across means: b (a uniform draw) is equal within each pair
    assert (paired.groupby("pair")["b"].nunique() == 1).all()
    # unpaired sweeps are untouched: run k still draws stream k, and no pair column
    unpaired = sweep(draw_pair, grid, n_replicates=2, rng=5)
    assert "pair" not in unpaired and unpaired.attrs["scorelab.sweep"]["pair_over"] == []
    streams = np.random.default_rng(5).spawn(len(unpaired))
    assert unpaired["a"].tolist() == [draw_pair(m, s, rng=streams[k])["a"] for k, (m, s) in
                                      enumerate(zip(unpaired["mean"], unpaired["scale"]))]
    assert paired.attrs["scorelab.sweep"] == {"parameters": ["mean", "scale"],
                                             "pair_over": ["mean"]}


def test_paired_sweep_is_identical_in_processes_on_resume(tmp_path):
    grid = {"mean": [0.0, 1.0], "scale": [1.0, 2.0]}
    serial = sweep(mixed_results, grid, n_replicates=2, rng=9, pair_over=["mean", "scale"])
    assert serial["pair"].tolist() == [0, 1] * 4
    parallel = sweep(mixed_results, grid, n_replicates=2, rng=9, pair_over=["mean", "scale"],
                     n_jobs=2)
    pd.testing.assert_frame_equal(parallel, serial)
    checkpointed = sweep(mixed_results, grid, n_replicates=2, rng=9,
                         pair_over=["mean", "scale"], checkpoint=tmp_path)
    again = sweep(mixed_results, grid, n_replicates=2, rng=9, pair_over=["mean", "scale"],
                  checkpoint=tmp_path)
    pd.testing.assert_frame_equal(checkpointed, serial)
    pd.testing.assert_frame_equal(again, serial)
    # other streams: the same directory refuses the unpaired sweep
    with pytest.raises(ValueError, match="different sweep"):
        sweep(mixed_results, grid, n_replicates=2, rng=9, checkpoint=tmp_path)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(pair_over=["sd"]), ValueError, r"pair_over names \['sd'\], which are not swept"),
    (dict(pair_over=[1]), TypeError, "pair_over must be a list of swept parameter names"),
    (dict(pair_over=["mean", "mean"]), ValueError, "names a parameter twice"),
])
def test_pair_over_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(draw_pair, {"mean": [0.0, 1.0]}, fixed={"scale": 1.0}, **kwargs)


def test_paired_intervals_are_narrower_than_unpaired_on_a_known_case():
    """With association (alpha) the minority's displayed gap moves by a few points, while
    the own gap varies from society to society by more: pairing the two alphas on one
    society removes that variation."""
    grid = {"alpha": [0.0, 0.5]}
    fixed = {"n_citizens": 300}
    paired = sweep(guilt_by_association, grid, n_replicates=6, rng=4, fixed=fixed,
                   pair_over=["alpha"])
    unpaired = sweep(guilt_by_association, grid, n_replicates=6, rng=4, fixed=fixed)
    # paired: both alphas of a pair score one society; unpaired: each its own
    assert (paired.groupby("pair")["own_gap"].nunique() == 1).all()
    assert unpaired.groupby("replicate")["own_gap"].nunique().eq(2).all()
    with_pairs = compare(paired, "alpha", "displayed_gap", baseline=0.0).iloc[0]
    welch = compare(unpaired, "alpha", "displayed_gap", baseline=0.0, paired=False).iloc[0]
    assert with_pairs["high"] - with_pairs["low"] < 0.5 * (welch["high"] - welch["low"])
    # the paired estimate is the gap change guilt_by_association itself reports
    assert with_pairs["mean"] == pytest.approx(
        paired.loc[paired.alpha == 0.5, "gap_change"].mean())


def test_compare_matches_scipy():
    rng = np.random.default_rng(0)
    base = rng.normal(size=8)
    frame = pd.DataFrame({
        "arm": ["control"] * 8 + ["treated"] * 8 + ["other"] * 8,
        "pair": list(range(8)) * 3,
        "y": np.concatenate([base, base + 0.5 + 0.3 * rng.normal(size=8),
                             base - 1.0 + rng.normal(size=8)]),
    })
    table = compare(frame, "arm", "y", baseline="control", level=0.9)
    assert table["arm"].tolist() == ["treated", "other"]  # grid order, baseline left out
    for row in table.itertuples():
        treated = frame.loc[frame.arm == row.arm, "y"].to_numpy()
        expected = stats.ttest_rel(treated, base).confidence_interval(0.9)
        assert (row.low, row.high) == pytest.approx((expected.low, expected.high))
        assert row.mean == pytest.approx((treated - base).mean()) and row.n == 8
    welch = compare(frame, "arm", "y", baseline="control", paired=False)
    for row in welch.itertuples():
        treated = frame.loc[frame.arm == row.arm, "y"].to_numpy()
        expected = stats.ttest_ind(treated, base, equal_var=False).confidence_interval(0.95)
        assert (row.low, row.high) == pytest.approx((expected.low, expected.high))
        assert not row.paired and row.n_baseline == 8


def test_compare_refuses_to_pair_unpaired_runs():
    grid = {"shift": [0.0, 1.0], "spread": [1.0, 2.0]}
    unpaired = sweep(shifted, grid, n_replicates=3, rng=1)
    with pytest.raises(ValueError, match=r"not paired \(the frame has no 'pair' column\).*"
                                         r"paired=False"):
        compare(unpaired, "shift", "y", baseline=0.0)
    other = sweep(shifted, grid, n_replicates=3, rng=1, pair_over=["spread"])
    with pytest.raises(ValueError, match=r"paired over \['spread'\], not over 'shift'"):
        compare(other, "shift", "y", baseline=0.0)
    broken = sweep(shifted, grid, n_replicates=3, rng=1, pair_over=["shift"]).iloc[:-1]
    with pytest.raises(ValueError, match="lack a run"):
        compare(broken, "shift", "y", baseline=0.0)
    with pytest.raises(ValueError, match="several runs"):
        compare(sweep(shifted, grid, n_replicates=3, rng=1, pair_over=["shift", "spread"]),
                "shift", "y", baseline=0.0, within=[])
    with pytest.raises(ValueError, match="baseline 5.0 is not a value of 'spread'"):
        compare(other, "spread", "y", baseline=5.0)


def shifted(shift, spread, rng):
    return {"y": shift + spread * rng.normal(), "u": rng.uniform()}


def test_compare_keeps_grid_order_within_other_parameters():
    grid = {"spread": [3.0, 1.0], "shift": [2.0, 0.0, 1.0]}
    runs = sweep(shifted, grid, n_replicates=2, rng=2, pair_over=["shift"])
    table = compare(runs, "shift", ["y", "u"], baseline=0.0)
    assert table[["spread", "shift", "metric"]].values.tolist() == [
        [3.0, 2.0, "y"], [3.0, 2.0, "u"], [3.0, 1.0, "y"], [3.0, 1.0, "u"],
        [1.0, 2.0, "y"], [1.0, 2.0, "u"], [1.0, 1.0, "y"], [1.0, 1.0, "u"]]
    # paired, the shift is the whole difference: u exactly 0, y exactly the shift
    assert (table.loc[table.metric == "u", ["mean", "low", "high"]] == 0).all().all()
    assert np.allclose(table.loc[table.metric == "y", "mean"], table.loc[table.metric == "y",
                                                                          "shift"])
    with pytest.raises(ValueError, match=r"columns \['mean'\] share names"):
        compare(sweep(draw_pair, {"mean": [0.0, 1.0]}, n_replicates=2, rng=1,
                      fixed={"scale": 1.0}, pair_over=["mean"]), "mean", "a", baseline=0.0)


# Tests that need the Dask cluster come last, so that no process pool forks while its
# threads run.


@pytest.fixture(scope="module")
def dask_client():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("mode", ["serial", "processes", "dask"])
def test_interrupted_sweep_resumes_without_losing_or_repeating_runs(mode, tmp_path, request):
    where = {}
    if mode == "processes":
        where = {"n_jobs": 2}
    elif mode == "dask":
        where = {"client": request.getfixturevalue("dask_client")}
    log_dir, flag, store = tmp_path / "log", tmp_path / "fail", tmp_path / "checkpoint"
    log_dir.mkdir()
    flag.touch()
    arguments = {"func": logged_draw, "grid": {"mean": [0.0, 1.0, 2.0, 3.0], "scale": [1.0]},
                 "n_replicates": 2, "fixed": {"log_dir": str(log_dir), "fail_flag": str(flag)},
                 "rng": 11}
    with pytest.raises(RuntimeError, match="simulated interruption"):  # runs 4 and 5 fail
        sweep(**arguments, checkpoint=store, **where)
    first, saved = logged_runs(log_dir), run_files(store)
    assert saved <= set(first) and not saved & {4, 5}
    if mode == "serial":
        assert saved == {0, 1, 2, 3}
    if mode != "dask":  # Dask cancels the runs in flight, so these may run again
        assert saved == set(first)  # no finished run was lost
    flag.unlink()
    resumed = sweep(**arguments, checkpoint=store, **where)
    second = logged_runs(log_dir) - first
    assert not saved & set(second)  # no checkpointed run was repeated
    assert saved | set(second) == set(range(8))
    if mode != "dask":
        assert set((first + second).values()) == {1}
    pd.testing.assert_frame_equal(resumed, sweep(**arguments))


@pytest.mark.parametrize("func", [mixed_results, citizen_rows])
def test_dask_gives_the_serial_frame_in_grid_order(func, dask_client, tmp_path):
    serial = sweep(func, GRID, n_replicates=2, rng=3)
    on_dask = sweep(func, GRID, n_replicates=2, rng=3, client=dask_client)
    pd.testing.assert_frame_equal(on_dask, serial)
    checkpointed = sweep(func, GRID, n_replicates=2, rng=3, client=dask_client,
                         checkpoint=tmp_path)
    pd.testing.assert_frame_equal(checkpointed, serial)
    assert run_files(tmp_path) == set(range(12))
    paired = sweep(func, GRID, n_replicates=2, rng=3, pair_over=["mean"])
    pd.testing.assert_frame_equal(
        sweep(func, GRID, n_replicates=2, rng=3, pair_over=["mean"], client=dask_client),
        paired)


def test_dask_client_excludes_local_processes(dask_client):
    with pytest.raises(ValueError, match="either client .* or n_jobs > 1 .* got n_jobs = 2"):
        sweep(draw_pair, {"mean": [1.0]}, client=dask_client, n_jobs=2)
