"""A catalogue of bad input for every public entry point.

Each case names the entry point, the call, the exception it must raise and the parameter
its message must name. Every message is also scanned for NumPy reprs (``np.int64(3)``):
values print as plain numbers and labels.
"""

import re
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from scorelab import (
    GameConfig,
    confidence_intervals,
    contributions,
    decompose,
    one_hop_mean,
    personalised_pagerank,
    propagate,
    simulate,
    studies,
    sweep,
    worst_neighbour,
)
from scorelab.dating import draw_slates, simulate_generations
from scorelab.fairness import replicate_intervals
from scorelab.lending import CreditPopulation, draw_borrowers, load_fico
from scorelab.metrics import gini, score_assortativity
from scorelab.models import holme_newman, voter_model
from scorelab.scoring import ScoringPolicy
from scorelab.society import barabasi_albert, draw_citizens, erdos_renyi, homophilous_sbm
from scorelab.unfriending import tie_values

NUMPY_REPR = re.compile(r"\bnp\.[a-z_]+[0-9]*\(|numpy\.[a-z]+[0-9]*\(")

SOCIETY = homophilous_sbm(60, rng=1)
PATH = nx.path_graph(4)
RELABELLED = nx.relabel_nodes(nx.path_graph(3), {0: "a", 1: "b", 2: "c"})
OWN = [500.0, 600.0, 700.0, 800.0]


def draw(mean, rng):
    return {"draw": mean + rng.normal()}


def returns_grid_key(mean, rng):
    return {"mean": 1.0}


def fails_at_two(mean, rng):
    if mean == 2:
        raise RuntimeError("boom")
    return {"draw": 1.0}


def _multi():
    G = nx.Graph()
    G.add_edge(0, 1, weight=1.0)
    G.add_edge(1, 2)  # no weight
    return G


def _population():
    cdf = pd.DataFrame({"a": [0.5, 1.0], "b": [0.3, 1.0]}, index=[400.0, 700.0])
    repay = pd.DataFrame({"a": [0.6, 0.9], "b": [0.5, 0.8]}, index=[400.0, 700.0])
    return cdf, repay


# (id, call, exception type, the parameter the message must name)
CASES = [
    # propagate and its variants
    ("propagate-duplicate-ids", lambda: propagate(PATH, pd.Series(OWN, index=[0, 1, 1, 3])),
     ValueError, "own"),
    ("propagate-dataframe-own", lambda: propagate(PATH, pd.DataFrame({"a": OWN, "b": OWN})),
     TypeError, "own"),
    ("propagate-2d-own", lambda: propagate(PATH, np.ones((4, 2))), ValueError, "own"),
    ("propagate-extra-ids", lambda: propagate(PATH, dict(enumerate(OWN + [1.0]))),
     ValueError, "own"),
    ("propagate-missing-ids", lambda: propagate(PATH, {0: 1.0}), ValueError, "own"),
    ("propagate-nan-own", lambda: propagate(PATH, np.array([1.0, np.nan, 1.0, 1.0])),
     ValueError, "own"),
    ("propagate-alpha-outside", lambda: propagate(PATH, OWN, alpha=np.array([0.1, 2.0, 0.1, 0.1])),
     ValueError, "alpha"),
    ("propagate-alpha-str", lambda: propagate(PATH, OWN, alpha="high"), TypeError, "alpha"),
    ("propagate-alpha-one-mixed", lambda: propagate(PATH, OWN, alpha=[0.5, 1.0, 1.0, 1.0],
                                                    method="iterate"), ValueError, "alpha"),
    ("propagate-misspelled-weight", lambda: propagate(PATH, OWN, weight="wieght"),
     ValueError, "wieght"),
    ("propagate-partial-weight", lambda: propagate(_multi(), [1.0, 2.0, 3.0]),
     ValueError, "weight"),
    ("propagate-tol", lambda: propagate(PATH, OWN, tol=0), ValueError, "tol"),
    ("propagate-max-iter", lambda: propagate(PATH, OWN, max_iter=2.5), TypeError, "max_iter"),
    ("propagate-method", lambda: propagate(PATH, OWN, method="fast"), ValueError, "method"),
    ("propagate-overflow", lambda: propagate(PATH, [1e308] * 4), OverflowError, "own scores"),
    ("propagate-negative-weight",
     lambda: propagate(np.array([[0.0, -1.0], [-1.0, 0.0]]), [1.0, 2.0]), ValueError, "G"),
    ("propagate-graph-type", lambda: propagate([[0, 1]], [1.0, 2.0]), TypeError, "G"),
    ("decompose-alpha-one", lambda: decompose(PATH, OWN, alpha=1.0), ValueError, "alpha"),
    ("decompose-batch", lambda: decompose(PATH, OWN, batch_size=0), ValueError, "batch_size"),
    ("contributions-citizen", lambda: contributions(PATH, OWN, np.int64(9)), ValueError,
     "citizen 9"),
    ("contributions-top", lambda: contributions(PATH, OWN, 1, top=0), ValueError, "top"),
    ("one-hop-own", lambda: one_hop_mean(PATH, [1.0, 2.0]), ValueError, "own"),
    ("worst-own-ids", lambda: worst_neighbour(RELABELLED, {"a": 1.0, "b": 2.0, "d": 3.0}),
     ValueError, "own"),
    ("pagerank-alpha", lambda: personalised_pagerank(PATH, OWN, alpha=1.0), ValueError, "alpha"),
    # the citizen game
    ("simulate-rng-str", lambda: simulate(SOCIETY, n_steps=1, rng="abc"), TypeError, "rng"),
    ("simulate-rng-float", lambda: simulate(SOCIETY, n_steps=1, rng=1.5), TypeError, "rng"),
    ("simulate-rng-negative", lambda: simulate(SOCIETY, n_steps=1, rng=-1), ValueError, "rng"),
    ("simulate-rng-bool", lambda: simulate(SOCIETY, n_steps=1, rng=True), TypeError, "rng"),
    ("simulate-record-int", lambda: simulate(SOCIETY, n_steps=2, record=5), TypeError, "record"),
    ("simulate-record-step", lambda: simulate(SOCIETY, n_steps=2, record=[np.int64(7)]),
     ValueError, "record step"),
    ("simulate-n-steps", lambda: simulate(SOCIETY, n_steps=0), ValueError, "n_steps"),
    ("simulate-society", lambda: simulate(PATH, n_steps=1), TypeError, "society"),
    ("simulate-config", lambda: simulate(SOCIETY, {"n_acts": 3}, n_steps=1), TypeError, "config"),
    ("simulate-threshold-group", lambda: simulate(SOCIETY, GameConfig(thresholds={
        "credit": {"majority": 600.0, "minority": 600.0, "minortiy": 600.0},
        "travel": 550.0, "utilities": 450.0}), n_steps=1), ValueError, "thresholds"),
    ("simulate-mislabelled-group", lambda: simulate(SOCIETY, GameConfig(
        mislabelled={"minortiy": {"speech": 0.5}}), n_steps=1), ValueError, "mislabelled"),
    ("gameconfig-threshold", lambda: GameConfig(thresholds={"credit": 5.0, "travel": 550.0,
                                                            "utilities": 450.0}),
     ValueError, "thresholds['credit']"),
    ("gameconfig-gates", lambda: GameConfig(thresholds={"credit": 650.0}), ValueError,
     "thresholds"),
    ("gameconfig-max-iter", lambda: GameConfig(association_max_iter=0), ValueError,
     "association_max_iter"),
    ("gameconfig-mislabelled-domain", lambda: GameConfig(mislabelled={"a": {"sport": 0.1}}),
     ValueError, "mislabelled"),
    ("gameconfig-n-acts", lambda: GameConfig(n_acts=np.float64(2.5)), TypeError, "n_acts"),
    ("policy-infinite-span", lambda: ScoringPolicy(score_min=-1e308, score_max=1e308),
     ValueError, "score_max - score_min"),
    ("policy-order", lambda: ScoringPolicy(score_min=900.0, score_max=400.0), ValueError,
     "score_min"),
    ("policy-weight", lambda: ScoringPolicy(alpha=np.float64(1.5)), ValueError,
     "alpha"),
    # sweeps
    ("sweep-grid-scalar", lambda: sweep(draw, {"mean": np.float64(5)}), ValueError,
     "grid['mean']"),
    ("sweep-grid-replicate", lambda: sweep(draw, {"replicate": [0, 1]}), ValueError,
     "replicate"),
    ("sweep-returns-grid-key", lambda: sweep(returns_grid_key, {"mean": [0.0]}), ValueError,
     "mean"),
    ("sweep-lambda-processes", lambda: sweep(lambda mean, rng: {"a": mean}, {"mean": [0, 1]},
                                             n_jobs=2), TypeError, "module level"),
    ("sweep-rng-str", lambda: sweep(draw, {"mean": [0.0]}, rng="abc"), TypeError, "rng"),
    ("sweep-fixed-type", lambda: sweep(draw, {"mean": [0.0]}, fixed=[1]), TypeError, "fixed"),
    ("sweep-n-jobs", lambda: sweep(draw, {"mean": [0.0]}, n_jobs=0), ValueError, "n_jobs"),
    ("intervals-by", lambda: confidence_intervals(pd.DataFrame({"a": [1.0]}), "h", "a"),
     ValueError, "by"),
    ("intervals-values", lambda: confidence_intervals(pd.DataFrame({"h": [1], "a": [1.0]}),
                                                      "h", "b"), ValueError, "values"),
    ("intervals-level", lambda: confidence_intervals(pd.DataFrame({"h": [1], "a": [1.0]}),
                                                     "h", "a", level=1.0), ValueError, "level"),
    ("intervals-frame", lambda: confidence_intervals([1, 2], "h"), TypeError, "frame"),
    ("replicate-intervals-empty", lambda: replicate_intervals(pd.DataFrame({"h": []}), "h"),
     ValueError, "frame"),
    # societies, metrics, models
    ("sbm-rng", lambda: homophilous_sbm(30, rng=1.5), TypeError, "rng"),
    ("sbm-n", lambda: homophilous_sbm(np.int64(-3)), ValueError, "n"),
    ("ba-rng", lambda: barabasi_albert(30, 2, rng="seed"), TypeError, "rng"),
    ("er-rng", lambda: erdos_renyi(30, 4.0, rng=True), TypeError, "rng"),
    ("citizens-rng", lambda: draw_citizens(["a", "b"], rng=-2), ValueError, "rng"),
    ("gini-nan", lambda: gini([1.0, np.nan]), ValueError, "values"),
    ("assortativity-ids", lambda: score_assortativity(PATH, {0: 1.0}), ValueError, "scores"),
    ("voter-rng", lambda: voter_model(PATH, [0, 1, 0, 1], rng=1.5), TypeError, "rng"),
    ("holme-newman-phi", lambda: holme_newman(10, 2, 2, np.float64(1.5)), ValueError, "phi"),
    # lending
    ("population-extra-group", lambda: CreditPopulation.from_cdf(
        *_population(), {"a": 1.0, "b": 1.0, "c": 1.0}), ValueError, "sizes"),
    ("generations-rng", lambda: simulate_generations(50, generations=1, ranking="score",
                                                     heritability=0.5, rng="abc"), TypeError, "rng"),
    ("slates-rng", lambda: draw_slates(pd.Series([1.0, 2.0, 3.0]), 2, rng=1.5), TypeError, "rng"),
    ("tie-values-rng", lambda: tie_values(np.array(["friend"]), {"friend": 1.0}, noise=1.0,
                                          rng=True), TypeError, "rng"),
    ("study-guilt-rng", lambda: studies.scored_society(50, rng="abc"), TypeError, "rng"),
    ("study-rollout-rng", lambda: studies.rollout_run(50, rng=1.5), TypeError, "rng"),
    ("study-censorship-rng", lambda: studies.censorship_run(50, rng=-1), ValueError, "rng"),
    ("study-feedback-rng", lambda: studies.feedback_run(50, rng=True), TypeError, "rng"),
    ("borrowers-rng", lambda: draw_borrowers(CreditPopulation.from_cdf(
        *_population(), {"a": 1.0, "b": 1.0}), 10, rng="x"), TypeError, "rng"),
]


@pytest.mark.parametrize(("call", "error", "names"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_bad_input_raises_a_plain_error_naming_the_parameter(call, error, names):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error) as info:
            call()
    message = str(info.value)
    assert names in message, message
    assert not NUMPY_REPR.search(message), message


def test_a_failing_run_names_its_grid_point_and_run():
    with pytest.raises(RuntimeError, match="boom") as info:
        sweep(fails_at_two, {"mean": [1, 2, 3]}, n_replicates=2, rng=0)
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "run 2" in notes and "mean=2" in notes and "replicate 0" in notes


def test_an_array_on_nodes_that_are_not_0_to_n_warns():
    with pytest.warns(UserWarning, match="own is an array but the citizens are not 0..2"):
        propagate(RELABELLED, [1.0, 2.0, 3.0])
    # a Series keyed by node says whose value is whose: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        propagate(RELABELLED, pd.Series({"c": 3.0, "a": 1.0, "b": 2.0}))


def _fico_folder(tmp_path, **broken):
    """A copy of a tiny FICO folder with the tables given in ``broken`` replaced."""
    tables = {
        "transrisk_cdf_by_race_ssa.csv": "Score,Non- Hispanic white,Black\n0,10.0,20.0\n"
                                         "50,60.0,70.0\n100,100.0,100.0\n",
        "transrisk_performance_by_race_ssa.csv": "Score,Non- Hispanic white,Black\n"
                                                 "0,90.0,95.0\n50,20.0,30.0\n100,1.0,2.0\n",
        "totals.csv": "Kind,Non- Hispanic white,Black\nSSA,100,20\n",
    }
    tables.update(broken)
    for name, text in tables.items():
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("broken", "what"),
    [
        ({"totals.csv": ""}, "cannot be read"),
        ({"transrisk_cdf_by_race_ssa.csv": b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00"},
         "cannot be read"),
        ({"transrisk_performance_by_race_ssa.csv": "Score,Non- Hispanic white,Black\n"
                                                   "0,90.0,95.0\n50,,30.0\n100,1.0,2.0\n"},
         "incomplete or not numeric"),
        ({"totals.csv": "Kind,Non- Hispanic white,Black\nAll,100,20\n"}, "no 'SSA' row"),
    ],
    ids=["empty", "binary", "incomplete", "no-sizes"],
)
def test_load_fico_names_the_damaged_table(broken, what, tmp_path):
    folder = _fico_folder(tmp_path, **broken)
    with pytest.raises(ValueError, match=what) as info:
        load_fico(folder)
    assert str(folder / next(iter(broken))) in str(info.value)


def test_load_fico_reads_the_tiny_tables(tmp_path):
    population = load_fico(_fico_folder(tmp_path))
    assert list(population.sizes.index) == ["White", "Black"]
