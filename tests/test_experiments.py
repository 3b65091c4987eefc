import numpy as np
import pandas as pd
import pytest

from scorelab.experiments import confidence_intervals, sweep
from scorelab.studies import guilt_by_association, minority_status_penalty


def draw_pair(mean, scale, rng):
    return {"a": mean + scale * rng.normal(), "b": rng.uniform()}


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


def test_sweep_serial_and_parallel_give_identical_frames():
    grid = {"mean": [0.0, 1.0, 2.0], "scale": [1.0]}
    serial = sweep(draw_pair, grid, n_replicates=2, rng=3)
    parallel = sweep(draw_pair, grid, n_replicates=2, rng=3, n_jobs=2)
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
    ],
)
def test_sweep_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(draw_pair, **kwargs)


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
