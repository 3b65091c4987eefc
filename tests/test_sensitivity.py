"""Global sensitivity analysis, checked against functions whose indices are known in closed form."""

import math

import distributed
import numpy as np
import pandas as pd
import pytest

import scorelab
from scorelab.global_sensitivity import influential, sensitivity

# Functions run in other processes (n_jobs > 1, Dask) are module-level so that they pickle.
ISHIGAMI_BOUNDS = {name: (-math.pi, math.pi) for name in ("x1", "x2", "x3")}


def ishigami(x1, x2, x3, rng, a=7.0, b=0.1):
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def ishigami_indices(a, b):
    """First-order and total indices of the Ishigami function (Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return [v1 / total, v2 / total, 0.0], [(v1 + v13) / total, v2 / total, v13 / total]


COEFFICIENTS = {"u": 2.0, "v": -1.0, "w": 0.5}
LINEAR_BOUNDS = {"u": (0.0, 1.0), "v": (-2.0, 2.0), "w": (10.0, 13.0)}


def linear(u, v, w, rng):
    return {"y": COEFFICIENTS["u"] * u + COEFFICIENTS["v"] * v + COEFFICIENTS["w"] * w}


def noisy_pair(u, v, w, rng):
    """Two outputs, one of them with noise from the run's own stream."""
    return {"signal": u + v * w, "noisy": u + rng.normal(scale=0.1)}


def inert_third(u, v, w, rng):
    return {"y": 5.0 * u + v**2}


CALLS = {"n": 0, "fail_after": None}


def counted(u, v, w, rng):
    CALLS["n"] += 1
    if CALLS["fail_after"] is not None and CALLS["n"] > CALLS["fail_after"]:
        raise RuntimeError("simulated interruption")
    return noisy_pair(u, v, w, rng)


def test_ishigami_matches_its_analytic_indices():
    assert scorelab.sensitivity is sensitivity
    first, total = ishigami_indices(7.0, 0.1)
    assert first == pytest.approx([0.3139, 0.4424, 0.0], abs=5e-4)  # the textbook values
    assert total == pytest.approx([0.5576, 0.4424, 0.2437], abs=5e-4)
    frame = sensitivity(ishigami, ISHIGAMI_BOUNDS, n=1024, rng=3)
    assert list(frame.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert frame["parameter"].tolist() == ["x1", "x2", "x3"]
    assert (frame["output"] == "y").all()
    np.testing.assert_allclose(frame["S1"], first, atol=0.05)
    np.testing.assert_allclose(frame["ST"], total, atol=0.05)
    # The bootstrap intervals are honest: each covers the truth at about twice its width.
    assert (abs(frame["S1"] - first) < 2 * frame["S1_conf"]).all()
    assert (abs(frame["ST"] - total) < 2 * frame["ST_conf"]).all()
    assert frame.attrs == {"method": "sobol", "n": 1024, "n_runs": 1024 * 5,
                           "bounds": {k: [-math.pi, math.pi] for k in ISHIGAMI_BOUNDS}}


def test_linear_model_indices_are_shares_of_variance():
    # y = sum a_i x_i with independent uniform x_i: S1_i = ST_i = a_i^2 var_i / sum_j a_j^2 var_j
    variance = {k: COEFFICIENTS[k] ** 2 * (high - low) ** 2 / 12
                for k, (low, high) in LINEAR_BOUNDS.items()}
    expected = np.array([variance[k] for k in LINEAR_BOUNDS]) / sum(variance.values())
    frame = sensitivity(linear, LINEAR_BOUNDS, n=512, rng=8)
    np.testing.assert_allclose(frame["S1"], expected, atol=0.03)
    np.testing.assert_allclose(frame["ST"], expected, atol=0.03)
    assert frame["S1"].sum() == pytest.approx(1.0, abs=0.05)  # additive: no interactions


def test_morris_ranks_parameters_and_finds_the_inert_one():
    frame = sensitivity(inert_third, LINEAR_BOUNDS, method="morris", n=40, rng=5)
    assert list(frame.columns) == ["output", "parameter", "mu_star", "mu_star_conf", "sigma"]
    mu_star = frame.set_index("parameter")["mu_star"]
    assert mu_star["w"] == 0.0 and frame.set_index("parameter").loc["w", "sigma"] == 0.0
    # u enters linearly: every elementary effect is 5 times its whole range.
    assert mu_star["u"] == pytest.approx(5.0)
    assert frame.set_index("parameter").loc["u", "sigma"] == pytest.approx(0.0, abs=1e-9)
    # v^2 on [-2, 2] is not linear: effects vary (sigma > 0) and |EE| averages between 0 and 16.
    assert 0 < mu_star["v"] < 16 and frame.set_index("parameter").loc["v", "sigma"] > 0
    assert frame.attrs["n_runs"] == 40 * 4


def test_influential_parameters_are_what_a_finding_rests_on():
    sobol = sensitivity(ishigami, ISHIGAMI_BOUNDS, n=512, rng=3)
    assert influential(sobol, "y") == ["x1", "x2", "x3"]  # ST 0.56, 0.44, 0.24
    assert influential(sobol, "y", threshold=0.35) == ["x1", "x2"]
    morris = sensitivity(inert_third, LINEAR_BOUNDS, method="morris", n=20, rng=5)
    mu_star = morris.set_index("parameter")["mu_star"]
    assert influential(morris, "y") == sorted(["u", "v"], key=mu_star.get, reverse=True)  # w inert
    with pytest.raises(ValueError, match=r"output 'z' is not in the frame; it has \['y'\]"):
        influential(morris, "z")
    with pytest.raises(ValueError, match="threshold must be < 1.0, got 1.0"):
        influential(morris, "y", threshold=1)
    with pytest.raises(TypeError, match="frame must be a DataFrame returned by"):
        influential({"output": "y"}, "y")


def noisy_inert(u, v, w, rng):
    """u matters; v and w are inert; the noise comes from a spawned child, as in studies."""
    [child] = rng.spawn(1)
    return {"y": 4.0 * u + child.normal(scale=0.5)}


@pytest.mark.parametrize("method, n", [("sobol", 64), ("morris", 10)])
def test_common_random_numbers_remove_the_noise_between_runs(method, n):
    independent = sensitivity(noisy_inert, LINEAR_BOUNDS, method=method, n=n, rng=3)
    common = sensitivity(noisy_inert, LINEAR_BOUNDS, method=method, n=n, rng=3,
                         common_random_numbers=True)
    column = "ST" if method == "sobol" else "mu_star"
    inert = ["v", "w"]
    assert (independent.set_index("parameter").loc[inert, column] > 0.01).all()
    np.testing.assert_allclose(common.set_index("parameter").loc[inert, column], 0.0, atol=1e-12)
    if method == "sobol":
        assert common.set_index("parameter").loc["u", "ST"] == pytest.approx(1.0, abs=0.05)
    else:
        assert common.set_index("parameter").loc["u", "mu_star"] == pytest.approx(4.0)
    pd.testing.assert_frame_equal(
        common, sensitivity(noisy_inert, LINEAR_BOUNDS, method=method, n=n, rng=3, n_jobs=2,
                            common_random_numbers=True))


def test_one_row_per_output_and_parameter_in_the_order_given():
    frame = sensitivity(noisy_pair, LINEAR_BOUNDS, n=16, rng=2)
    assert frame[["output", "parameter"]].values.tolist() == [
        [output, parameter] for output in ("signal", "noisy") for parameter in ("u", "v", "w")
    ]


def test_noise_lowers_first_order_and_sets_a_floor_under_total_indices():
    frame = sensitivity(noisy_pair, LINEAR_BOUNDS, n=256, rng=2)
    noisy = frame[frame["output"] == "noisy"].set_index("parameter")
    noise_share = 0.1**2 / (1 / 12 + 0.1**2)  # Var(u) = 1/12 on [0, 1]
    assert noisy.loc["u", "S1"] == pytest.approx(1 - noise_share, abs=0.15)
    assert abs(noisy.loc[["v", "w"], "S1"]).max() < 0.1
    # v and w are inert, yet their total index is the noise share, not 0.
    np.testing.assert_allclose(noisy.loc[["v", "w"], "ST"], noise_share, atol=0.04)


def test_same_seed_same_frame_and_other_seed_other_frame():
    first = sensitivity(noisy_pair, LINEAR_BOUNDS, n=32, rng=4)
    pd.testing.assert_frame_equal(first, sensitivity(noisy_pair, LINEAR_BOUNDS, n=32, rng=4))
    seed = np.random.SeedSequence(4)
    pd.testing.assert_frame_equal(first, sensitivity(noisy_pair, LINEAR_BOUNDS, n=32, rng=seed))
    assert not first.equals(sensitivity(noisy_pair, LINEAR_BOUNDS, n=32, rng=5))
    morris = sensitivity(noisy_pair, LINEAR_BOUNDS, method="morris", n=10, rng=4)
    pd.testing.assert_frame_equal(
        morris, sensitivity(noisy_pair, LINEAR_BOUNDS, method="morris", n=10, rng=4)
    )


@pytest.mark.parametrize("method, n", [("sobol", 32), ("morris", 12)])
def test_serial_and_processes_give_identical_frames(method, n):
    serial = sensitivity(noisy_pair, LINEAR_BOUNDS, method=method, n=n, rng=6)
    parallel = sensitivity(noisy_pair, LINEAR_BOUNDS, method=method, n=n, rng=6, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_fixed_parameters_reach_the_model():
    frame = sensitivity(ishigami, {"x1": (-math.pi, math.pi), "x2": (-math.pi, math.pi)},
                        fixed={"x3": 0.0, "b": 0.0}, n=256, rng=1)
    # Without the x3 term the Ishigami function is additive: S1 == ST, shares 1/(1+a^2/4).
    expected = np.array([0.5, 7.0**2 / 8]) / (0.5 + 7.0**2 / 8)
    np.testing.assert_allclose(frame["S1"], expected, atol=0.05)
    np.testing.assert_allclose(frame["ST"], expected, atol=0.05)


def test_checkpoint_resumes_an_interrupted_analysis(tmp_path, monkeypatch):
    arguments = {"func": counted, "bounds": LINEAR_BOUNDS, "n": 16, "rng": 9}
    runs = 16 * (len(LINEAR_BOUNDS) + 2)
    monkeypatch.setitem(CALLS, "fail_after", 30)
    with pytest.raises(RuntimeError, match="simulated interruption"):
        sensitivity(**arguments, checkpoint=tmp_path)
    assert len(list(tmp_path.glob("run-*.parquet"))) == 30
    monkeypatch.setitem(CALLS, "fail_after", None)
    monkeypatch.setitem(CALLS, "n", 0)
    resumed = sensitivity(**arguments, checkpoint=tmp_path)
    assert CALLS["n"] == runs - 30  # only the missing runs ran
    monkeypatch.setitem(CALLS, "n", 0)
    pd.testing.assert_frame_equal(resumed, sensitivity(**arguments))
    assert CALLS["n"] == runs
    # Other bounds make another design, which the checkpoint refuses to mix in.
    with pytest.raises(ValueError, match="holds a different sweep: fixed"):
        sensitivity(**(arguments | {"bounds": LINEAR_BOUNDS | {"u": (0.0, 2.0)}}),
                    checkpoint=tmp_path)
    with pytest.raises(ValueError, match="rng must be an int seed or a numpy.random.SeedSequence"):
        sensitivity(**(arguments | {"rng": np.random.default_rng(9)}), checkpoint=tmp_path)


def test_progress_bar_counts_model_runs(capsys):
    sensitivity(linear, LINEAR_BOUNDS, method="morris", n=3, rng=1, progress=True)
    assert "12/12" in capsys.readouterr().err


def flat(u, v, rng):
    return {"y": u, "flat": 1.0}


def test_constant_output_has_no_sobol_indices_and_zero_elementary_effects():
    with pytest.warns(RuntimeWarning, match=r"output 'flat' is constant \(1\) over the whole"):
        frame = sensitivity(flat, {"u": (0, 1), "v": (0, 1)}, n=16, rng=1)
    assert frame.loc[frame["output"] == "flat", "S1"].isna().all()
    assert frame.loc[frame["output"] == "y", "S1"].notna().all()
    morris = sensitivity(flat, {"u": (0, 1), "v": (0, 1)}, method="morris", n=4, rng=1)
    flat_rows = morris[morris["output"] == "flat"]
    assert (flat_rows[["mu_star", "mu_star_conf", "sigma"]] == 0).all().all()


def _missing_output(u, v, rng):
    return {"y": u} if u < 0.5 else {"y": u, "z": v}


def _text_output(u, v, rng):
    return {"y": "high"}


def _nan_output(u, v, rng):
    return {"y": float("nan")}


def _list_result(u, v, rng):
    return [u, v]


UNIT = {"u": (0, 1), "v": (0, 1)}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"func": "model"}, TypeError, "func must be callable, got str"),
        ({"method": "fast"}, ValueError, r"method must be one of \['morris', 'sobol'\], got 'fast'"),
        ({"n": 100}, ValueError, "n must be a power of two for method='sobol'.*got 100; e.g. 64 or 128"),
        ({"n": 1}, ValueError, "n must be >= 2, got 1"),
        ({"n": 2.5}, TypeError, r"n must be an integer, got 2.5 \(float\)"),
        ({"n": np.int64(1)}, ValueError, "n must be >= 2, got 1$"),
        ({"bounds": [(0, 1)]}, TypeError, "bounds must be a mapping of parameter -> .* got list"),
        ({"bounds": {}}, ValueError, "bounds must name at least one parameter"),
        ({"bounds": {"u": (1, 0)}}, ValueError, r"bounds\['u'\] must have low < high, got \(1.0, 0.0\)"),
        ({"bounds": {"u": (0, 0)}}, ValueError, r"bounds\['u'\] must have low < high"),
        ({"bounds": {"u": (0, math.inf)}}, ValueError, r"bounds\['u'\] must be finite, got \(0.0, inf\)"),
        ({"bounds": {"u": (0, 1, 2)}}, TypeError, r"bounds\['u'\] must be a pair \(low, high\) of reals, got \(0, 1, 2\)"),
        ({"bounds": {"u": "01"}}, TypeError, r"bounds\['u'\] must be a pair"),
        ({"bounds": {"u": (0, "1")}}, TypeError, r"bounds\['u'\] must be a pair"),
        ({"bounds": {"my param": (0, 1)}}, ValueError, "bounds keys must be parameter names"),
        ({"bounds": {"sample": (0, 1)}}, ValueError, "reserved name 'sample'"),
        ({"fixed": {"u": 1.0}}, ValueError, r"parameters \['u'\] are both in bounds and fixed"),
        ({"fixed": {"rng": 1}}, ValueError, r"fixed uses the reserved name\(s\) \['rng'\]"),
        ({"fixed": [1]}, TypeError, "fixed must be a mapping"),
        ({"func": _missing_output}, ValueError,
         r"func must return the same output names at every call; sample \d+ has no 'z'"),
        ({"func": _text_output}, TypeError, r"output 'y' must be a real number, got 'high' \(str\) at sample 0 \(u="),
        ({"func": _nan_output}, ValueError, r"output 'y' must be finite, got nan at sample 0"),
        ({"func": _list_result}, TypeError, "func must return a non-empty mapping .* it returned list"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be >= 1, got 0"),
        ({"common_random_numbers": 1}, TypeError, "common_random_numbers must be True or False"),
    ],
)
def test_bad_input_is_rejected_clearly(kwargs, error, match):
    arguments = {"func": linear_uv, "bounds": UNIT, "n": 8, "rng": 1} | kwargs
    with pytest.raises(error, match=match):
        sensitivity(**arguments)


def linear_uv(u, v, rng):
    return {"y": u + 2 * v}


# Tests that need the Dask cluster come last, so that no process pool forks while its
# threads run.


def test_dask_gives_the_serial_frame(tmp_path):
    serial = sensitivity(noisy_pair, LINEAR_BOUNDS, n=16, rng=7)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                 dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sensitivity(noisy_pair, LINEAR_BOUNDS, n=16, rng=7, client=client,
                              checkpoint=tmp_path)
    pd.testing.assert_frame_equal(on_dask, serial)


def test_screening_a_study_of_the_package():
    from scorelab.studies import guilt_by_association

    frame = sensitivity(guilt_by_association, {"alpha": (0.0, 0.6), "homophily": (0.0, 0.9)},
                        method="morris", n=4, fixed={"n_citizens": 300}, rng=2,
                        common_random_numbers=True)
    mu_star = frame.set_index(["output", "parameter"])["mu_star"]
    # Own scores come from one's own acts, before association and whatever the ties: with
    # the same random numbers neither parameter moves the own-score gap ...
    assert mu_star["own_gap", "alpha"] == 0.0 and mu_star["own_gap", "homophily"] == 0.0
    # ... while association is what makes the displayed gap differ and the minority penalty.
    assert mu_star["minority_penalty", "alpha"] > 0
    assert mu_star["displayed_gap", "alpha"] > 0
    assert "alpha" in influential(frame, "minority_penalty")
