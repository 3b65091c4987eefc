"""Feedback-loop scenarios (notebook 02): baselines, monotone effects, regimes, bad input."""

import numpy as np
import pandas as pd
import pytest

from scorelab.dynamics import GameConfig
from scorelab.experiments import sweep
from scorelab.studies.feedback import (
    END_METRICS,
    REGIMES,
    classify_regime,
    feedback_game,
    feedback_run,
    feedback_trajectory,
)

SMALL = dict(n_citizens=300, n_steps=8, tail=3)


def test_same_seed_same_numbers_and_different_seed_differs():
    first = feedback_run(**SMALL, ostracism=0.3, rng=5)
    assert feedback_run(**SMALL, ostracism=0.3, rng=5) == first
    assert feedback_run(**SMALL, ostracism=0.3, rng=6) != first
    seed = np.random.default_rng(5)
    assert feedback_run(**SMALL, ostracism=0.3, rng=seed) != feedback_run(**SMALL, ostracism=0.3,
                                                                          rng=seed)


def test_no_ostracism_cuts_no_tie_and_keeps_the_initial_components():
    society, result = feedback_game(300, alpha=0.6, ostracism=0.0, n_steps=8, rng=2)
    assert result.wide()["ties_cut"].sum() == 0
    assert result.wide()["ties_added"].sum() == 0
    pd.testing.assert_frame_equal(result.society.ties.reset_index(drop=True),
                                  society.ties.reset_index(drop=True), check_dtype=False)
    row = feedback_run(**SMALL, alpha=0.6, ostracism=0.0, rng=2)
    assert row["ties_cut_total"] == 0
    assert row["components"] == row["components_initial"]
    assert row["largest_component_share"] == row["largest_component_share_initial"]
    assert row["ties"] == society.n_ties


def test_no_association_displays_the_own_score_and_equals_alpha_zero():
    _, result = feedback_game(300, association=False, alpha=0.7, ostracism=0.3,
                              n_steps=6, rng=3)
    citizens = result.society.citizens
    np.testing.assert_array_equal(citizens["displayed_score"], citizens["own_score"])
    assert feedback_run(**SMALL, association=False, ostracism=0.3, rng=3)["association_effect"] == 0
    # alpha = 0 is the same baseline, run for run
    off = feedback_trajectory(300, association=False, ostracism=0.3, n_steps=6, rng=3)
    zero = feedback_trajectory(300, alpha=0.0, ostracism=0.3, n_steps=6, rng=3)
    pd.testing.assert_frame_equal(off, zero)


def test_association_effect_is_positive_with_association():
    assert feedback_run(**SMALL, alpha=0.5, ostracism=0.0, rng=4)[
        "association_effect"] > 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_more_ostracism_cuts_more_ties_fragments_and_sorts_more(seed):
    low = feedback_run(**SMALL, alpha=0.3, ostracism=0.05, rng=seed)
    high = feedback_run(**SMALL, alpha=0.3, ostracism=0.6, rng=seed)
    assert high["ties_cut_total"] > low["ties_cut_total"] > 0
    assert high["largest_component_share"] < low["largest_component_share"]
    assert high["isolated_share"] > low["isolated_share"]
    assert high["score_assortativity"] > low["score_assortativity"]


@pytest.mark.parametrize("seed", [0, 1])
def test_association_compresses_displayed_scores(seed):
    none = feedback_run(**SMALL, alpha=0.0, ostracism=0.0, rng=seed)
    strong = feedback_run(**SMALL, alpha=0.8, ostracism=0.0, rng=seed)
    assert strong["gini_displayed"] < 0.5 * none["gini_displayed"]


def test_run_summarises_the_trajectory_of_the_same_run():
    row = feedback_run(**SMALL, ostracism=0.2, rng=7)
    steps = feedback_trajectory(300, ostracism=0.2, n_steps=8, rng=7)
    assert steps["step"].tolist() == list(range(9))  # the start, then 8 steps
    assert set(END_METRICS) <= set(steps.columns)
    for metric in END_METRICS:
        assert row[metric] == pytest.approx(steps[metric].tail(3).mean())
    assert row["ties_cut_total"] == steps["ties_cut"].sum()
    assert row["regime"] == classify_regime(row["largest_component_share"],
                                            row["score_assortativity"])


def test_run_reports_every_documented_number():
    row = feedback_run(**SMALL, ostracism=0.2, rng=8)
    extra = {"ties_cut_total", "ties_cut_share", "components_initial",
             "largest_component_share_initial", "isolated_share", "association_effect",
             "expressed_behaviour_diversity", "ties_added_total", "unreplaced_share", "regime"}
    assert set(row) == set(END_METRICS) | extra
    assert row["regime"] in REGIMES
    assert all(isinstance(value, float) for key, value in row.items() if key != "regime")
    assert 0 <= row["expressed_behaviour_diversity"] <= np.log2(10)


def test_config_keeps_other_parameters_and_replaces_the_swept_ones():
    base = GameConfig(peer_pressure=0.0, ostracism=0.9, association=False)
    _, result = feedback_game(100, alpha=0.2, ostracism=0.1, config=base,
                              n_steps=2, rng=1)
    assert result.config.peer_pressure == 0.0
    assert result.config.ostracism == 0.1
    assert result.config.association is True
    assert result.config.policy.alpha == 0.2
    assert base.ostracism == 0.9  # not modified


def test_sweep_over_the_scenario_gives_regimes():
    frame = sweep(feedback_run, {"ostracism": [0.0, 1.0]}, n_replicates=2, rng=1,
                  fixed=dict(n_citizens=150, n_steps=4, tail=2))
    assert frame["regime"].isin(REGIMES).all()
    assert (frame.loc[frame.ostracism == 0, "ties_cut_total"] == 0).all()


@pytest.mark.parametrize(
    ("share", "assortativity", "expected"),
    [
        (1.0, 0.1, "converged"),
        (0.5, 0.5, "converged"),  # both thresholds are strict
        (0.499, 0.1, "collapsed"),
        (0.3, 0.9, "collapsed"),  # collapse comes first
        (0.9, 0.51, "polarised"),
        (0.9, float("nan"), "converged"),
    ],
)
def test_classify_regime_rules(share, assortativity, expected):
    assert classify_regime(share, assortativity) == expected


def test_classify_regime_on_arrays_and_with_other_thresholds():
    regimes = classify_regime([0.2, 0.8, 0.8], [0.0, 0.9, 0.3])
    assert regimes.tolist() == ["collapsed", "polarised", "converged"]
    assert classify_regime(0.8, 0.3, collapse_below=0.9, polarise_above=0.2) == "collapsed"
    assert classify_regime(0.95, 0.3, collapse_below=0.9, polarise_above=0.2) == "polarised"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(largest_component_share=1.2, score_assortativity=0.0), ValueError,
         "largest_component_share"),
        (dict(largest_component_share=float("nan"), score_assortativity=0.0), ValueError,
         "largest_component_share"),
        (dict(largest_component_share=0.5, score_assortativity=0.0, collapse_below=2.0),
         ValueError, "collapse_below"),
        (dict(largest_component_share=0.5, score_assortativity=0.0, polarise_above="high"),
         TypeError, "polarise_above"),
    ],
)
def test_classify_regime_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        classify_regime(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(n_citizens=1), ValueError, "n_citizens"),
        (dict(n_citizens=100.0), TypeError, "n_citizens"),
        (dict(alpha=1.5), ValueError, "alpha"),
        (dict(ostracism=-0.1), ValueError, "ostracism"),
        (dict(association="yes"), TypeError, "association"),
        (dict(n_steps=0), ValueError, "n_steps"),
        (dict(tail=0), ValueError, "tail"),
        (dict(n_steps=3, tail=4), ValueError, "tail must be <= n_steps"),
        (dict(config="default"), TypeError, "config"),
        (dict(homophily=2.0), ValueError, "homophily"),
    ],
)
def test_feedback_run_rejects_bad_input(kwargs, error, match):
    arguments = dict(n_citizens=50, n_steps=3, tail=1, rng=0) | kwargs
    with pytest.raises(error, match=match):
        feedback_run(**arguments)


@pytest.fixture(scope="module")
def phase_runs():
    return sweep(feedback_run, {"alpha": [0.0, 0.6], "ostracism": [0.0, 0.3, 1.0]},
                 n_replicates=3, rng=2, fixed=SMALL)


def test_regimes_by_point_share_the_replicates(phase_runs):
    from scorelab.studies.feedback import regimes_by_point

    shares = regimes_by_point(phase_runs)
    assert shares.columns.tolist() == list(REGIMES)
    assert len(shares) == 6
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    counts = phase_runs.groupby(["alpha", "ostracism"]).regime.value_counts()
    for (a, o, regime), count in counts.items():
        assert shares.loc[(a, o), regime] == pytest.approx(count / 3)
    # without ostracism nothing is cut, so nothing collapses
    assert (shares.xs(0.0, level="ostracism")["collapsed"] == 0).all()


def test_baselines_and_key_numbers_of_a_small_phase_diagram(phase_runs):
    from scorelab.experiments import confidence_intervals
    from scorelab.studies.feedback import feedback_baselines, feedback_key_numbers

    baselines = feedback_baselines(phase_runs)
    assert baselines["ties_cut"] == 0
    assert baselines["components_kept"] and baselines["largest_component_kept"]
    assert baselines["association_effect"] == 0
    metrics = ["largest_component_share", "isolation_low_scorers", "isolated_share",
               "score_assortativity", "gini_displayed", "gini_wealth",
               "expressed_behaviour_diversity"]
    summary = confidence_intervals(phase_runs, ["alpha", "ostracism"], metrics)
    numbers = feedback_key_numbers(summary, association_grid=[0.0, 0.6],
                                   ostracism_grid=[0.0, 0.3, 1.0])
    assert len(numbers) == 16 and numbers.columns.tolist() == ["mean", "low", "high"]
    assert numbers.index[0] == (0.0, 0.3, "largest_component_share")
    top = phase_runs[(phase_runs.alpha == 0) & (phase_runs.ostracism == 1.0)]
    mean = numbers["mean"]
    assert mean[0.0, 1.0, "isolation_low_scorers"] == pytest.approx(
        top.isolation_low_scorers.mean())
    # the claims notebook 02 makes beyond those it asserts: ostracism sorts scores along
    # ties and falls hardest on the low scorers; association compresses wealth
    assert mean[0.0, 1.0, "score_assortativity"] > mean[0.0, 0.0, "score_assortativity"]
    assert mean[0.0, 1.0, "isolation_low_scorers"] > mean[0.0, 1.0, "isolated_share"]
    assert mean[0.6, 0.0, "gini_wealth"] < mean[0.0, 0.0, "gini_wealth"]


def test_gap_scale_and_unreplaced_cuts_are_reported():
    narrow = feedback_run(**SMALL, ostracism=0.5, gap_scale=20.0, rng=3)
    wide = feedback_run(**SMALL, ostracism=0.5, gap_scale=2000.0, rng=3)
    # a larger gap scale makes cutting less likely at every score gap
    assert wide["ties_cut_total"] < narrow["ties_cut_total"]
    for row in (narrow, wide):
        assert row["unreplaced_share"] == pytest.approx(
            1 - row["ties_added_total"] / row["ties_cut_total"])
        assert 0 <= row["unreplaced_share"] <= 1
    assert np.isnan(feedback_run(**SMALL, ostracism=0.0, rng=3)["unreplaced_share"])
    with pytest.raises(ValueError, match="gap_scale"):
        feedback_run(**SMALL, gap_scale=0.0, rng=3)


def test_findings_register_of_a_small_phase_diagram(phase_runs):
    from scorelab.findings import validate_findings
    from scorelab.studies.feedback import RESTS_ON, UNFRIENDING_IDS, findings

    gaps = sweep(feedback_run, {"gap_scale": [50.0, 200.0]}, n_replicates=3, rng=8,
                 fixed=dict(SMALL, alpha=0.3, ostracism=1.0))
    register = findings(phase_runs, gaps, gap_alpha=0.3, gap_ostracism=1.0,
                        n_citizens=300, seed=7)
    validate_findings(register)
    assert register.id.tolist() == [i for i in RESTS_ON if i not in UNFRIENDING_IDS]
    assert (register.notebook == "02-feedback-loops").all()
    assert (register.resolved == ((register.ci_low > 0) | (register.ci_high < 0))).all()
    table = register.set_index("id")
    top = phase_runs[(phase_runs.alpha == 0) & (phase_runs.ostracism == 1.0)]
    none = phase_runs[(phase_runs.alpha == 0) & (phase_runs.ostracism == 0.0)]
    assert table.estimate["feedback.ostracism-fragments"] == pytest.approx(
        top.largest_component_share.mean() - none.largest_component_share.mean())
    assert table.resolved["feedback.ostracism-fragments"]
    assert table.estimate["feedback.ostracism-fragments"] < 0
    assert table.resolved["feedback.association-compresses-scores"]
    assert table.estimate["feedback.association-compresses-scores"] < 0


def test_findings_come_out_otherwise_with_no_association_in_the_grid(phase_runs):
    from scorelab.studies.feedback import findings

    # a grid whose largest association weight is 0: association is its own baseline, so
    # its findings vanish (estimate 0, unresolved) while ostracism's remain
    no_association = phase_runs[phase_runs.alpha == 0.0]
    top = no_association[no_association.ostracism == 1.0]
    gaps = pd.concat([top.assign(gap_scale=50.0), top.assign(gap_scale=200.0)])
    table = findings(no_association, gaps, gap_alpha=0.0, gap_ostracism=1.0,
                     n_citizens=300, seed=7).set_index("id")
    for name in ("feedback.association-holds-network", "feedback.association-compresses-scores",
                 "feedback.fragmentation-vs-gap-scale"):
        assert not table.resolved[name] and table.estimate[name] == 0, name
    assert table.resolved["feedback.ostracism-fragments"]


def test_baselines_compare_the_largest_component_within_rounding():
    import pandas as pd

    from scorelab.studies.feedback import feedback_baselines

    share = 2999 / 3000
    tail_mean = float(np.mean([share] * 5))  # one ulp away from share
    runs = pd.DataFrame({
        "alpha": [0.0, 0.3], "ostracism": [0.0, 0.0],
        "ties_cut_total": [0.0, 0.0], "components": [2, 2], "components_initial": [2, 2],
        "largest_component_share": [tail_mean, share],
        "largest_component_share_initial": [share, share],
        "association_effect": [0.0, 4.0],
    })
    assert tail_mean != share
    assert feedback_baselines(runs)["largest_component_kept"]
    runs.loc[1, "largest_component_share"] = 0.9
    assert not feedback_baselines(runs)["largest_component_kept"]


# --- strategic versus social unfriending (issue 9) --------------------------------------

UNFRIEND = dict(n_citizens=300, n_steps=6)


@pytest.fixture(scope="module")
def unfriending_runs():
    from scorelab.studies.feedback import unfriending_sweep

    by_weight = unfriending_sweep([0.0, 0.6], [30.0], n_replicates=3, rng=11, **UNFRIEND)
    by_stakes = unfriending_sweep([0.6], [0.0, 30.0], n_replicates=3, rng=12, **UNFRIEND)
    return by_weight, by_stakes


def test_without_alpha_the_two_worlds_are_the_same_run(unfriending_runs):
    by_weight, _ = unfriending_runs
    zero = by_weight[by_weight.alpha == 0.0]
    derived = zero[zero.world == "derived"].drop(columns="world").reset_index(drop=True)
    counter = zero[zero.world == "counterfactual"].drop(columns="world").reset_index(drop=True)
    pd.testing.assert_frame_equal(derived, counter)
    # the baseline churn of the logit is not zero: low-value ties are dropped at no gain
    assert (zero.strategic > 0).any()


def test_unfriending_counts_each_kind_and_source(unfriending_runs):
    from scorelab.society import TIE_KINDS
    from scorelab.studies.feedback import unfriending_game

    row = unfriending_game(0.6, 30.0, "derived", rng=3, **UNFRIEND)
    for source in ("strategic", "social"):
        assert all(row[f"{source}_{k}"] >= 0 for k in TIE_KINDS)
    no_ostracism = unfriending_game(0.6, 30.0, "derived", ostracism=0.0, rng=3, **UNFRIEND)
    assert no_ostracism["social"] == 0
    no_strategy = unfriending_game(0.6, 30.0, "derived", strategic_rate=0.0, rng=3, **UNFRIEND)
    assert no_strategy["strategic"] == 0
    with pytest.raises(ValueError, match="world"):
        unfriending_game(0.6, 30.0, "other", **UNFRIEND)
    with pytest.raises(ValueError, match="stake_scale"):
        unfriending_game(0.6, -1.0, "derived", **UNFRIEND)


def test_unfriending_findings_and_their_counterfactuals(unfriending_runs, phase_runs):
    from scorelab.findings import validate_findings
    from scorelab.studies.feedback import UNFRIENDING_IDS, findings, unfriending_findings

    by_weight, by_stakes = unfriending_runs
    register = unfriending_findings(by_weight, by_stakes, n_citizens=300, seed=11)
    validate_findings(register)
    assert register.id.tolist() == list(UNFRIENDING_IDS)
    table = register.set_index("id")
    derived = by_weight[(by_weight.world == "derived") & (by_weight.alpha == 0.6)]
    counter = by_weight[(by_weight.world == "counterfactual")
                        & (by_weight.alpha == 0.6)]
    assert table.estimate["feedback.association-drives-strategic-cuts"] == pytest.approx(
        derived.strategic.mean() - counter.strategic.mean())
    assert table.resolved["feedback.stakes-drive-strategic-cuts"]
    assert table.estimate["feedback.stakes-drive-strategic-cuts"] > 0
    assert table.estimate["feedback.association-reduces-social-cuts"] < 0
    # the findings come out otherwise: with weight 0 as the largest weight the strategic
    # motive is exactly zero, so the association findings are 0 and unresolved
    zero = by_weight[by_weight.alpha == 0.0]
    table = unfriending_findings(zero, by_stakes, n_citizens=300, seed=11).set_index("id")
    for name in ("feedback.association-drives-strategic-cuts",
                 "feedback.association-reduces-social-cuts"):
        assert table.estimate[name] == 0 and not table.resolved[name], name
    # findings() appends the same rows, keeping the phase-diagram ids first
    gaps = pd.concat([phase_runs.assign(gap_scale=50.0), phase_runs.assign(gap_scale=200.0)])
    full = findings(phase_runs, gaps, gap_alpha=0.3, gap_ostracism=1.0,
                    n_citizens=300, seed=11, unfriending=unfriending_runs)
    assert full.id.tolist()[-3:] == list(UNFRIENDING_IDS)


def test_old_keyword_names_are_accepted_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="feedback_run\\(\\): 'association_weight'"):
        old = feedback_run(**SMALL, association_weight=0.6, ostracism=0.0, rng=2)
    assert old == feedback_run(**SMALL, alpha=0.6, ostracism=0.0, rng=2)
    with pytest.raises(TypeError, match="both 'alpha' and its deprecated name"):
        feedback_run(**SMALL, alpha=0.6, association_weight=0.6, rng=2)
