"""Tests of scorelab.fairness on hand-worked examples, against slow references, bad input."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from scorelab import decompose
from scorelab.experiments import confidence_intervals, sweep
from scorelab.fairness import (
    access_by_group,
    association_penalty,
    calibration,
    calibration_gap,
    disparate_impact,
    equal_opportunity,
    equal_opportunity_gap,
    equal_opportunity_thresholds,
    isolation_by_group,
    replicate_intervals,
    score_gaps,
)

GROUPS = ["a", "a", "a", "a", "b", "b", "b", "b"]


# -- scores and access ------------------------------------------------------------------


def test_score_gaps_hand_worked_and_reference_defaults_to_largest_group():
    scores = pd.DataFrame({"own": [600, 700, 800, 500, 400, 500],
                           "displayed": [620, 700, 780, 520, 430, 510]})
    groups = ["big", "big", "big", "big", "small", "small"]
    table = score_gaps(scores, groups)
    # big: own 650, displayed 655; small: own 450, displayed 470
    assert table.loc["big"].tolist() == [650.0, 0.0, 655.0, 0.0]
    assert table.loc["small"].tolist() == [450.0, 200.0, 470.0, 185.0]
    flipped = score_gaps(scores, groups, reference="small")
    assert flipped.loc["big", "own_gap"] == -200.0


def test_score_gaps_aligns_series_on_citizen_index():
    scores = pd.Series([500.0, 700.0, 600.0], index=[2, 0, 1], name="own")
    groups = pd.Series(["b", "a", "a"], index=[0, 1, 2])
    # citizen 0 (b) 700; citizens 1, 2 (a) 600 and 500
    assert score_gaps(scores, groups).loc["b", "own_mean"] == 700.0
    assert score_gaps(scores, groups).loc["b", "own_gap"] == -150.0


def test_access_by_group_and_four_fifths_rule():
    access = [True, True, True, True, True, True, True, False]
    table = access_by_group(access, GROUPS)
    assert table["access_rate"].tolist() == [1.0, 0.75]
    assert table["impact_ratio"].tolist() == [1.0, 0.75]
    assert table["adverse_impact"].tolist() == [False, True]
    assert disparate_impact(access, GROUPS) == 0.75
    assert not access_by_group(access, GROUPS, four_fifths=0.7)["adverse_impact"].any()
    # exactly four fifths is not adverse
    five = [True] * 5 + [True] * 4 + [False]
    assert disparate_impact(five, ["a"] * 5 + ["b"] * 5) == pytest.approx(0.8)
    assert not access_by_group(five, ["a"] * 5 + ["b"] * 5)["adverse_impact"].any()


def test_disparate_impact_without_any_access_is_nan():
    assert np.isnan(disparate_impact([False] * 4, ["a", "a", "b", "b"]))


def test_equal_opportunity_hand_worked():
    access = [True, False, True, True, True, False, False, True]
    disposition = [0.9, 0.8, 0.7, 0.2, 0.9, 0.6, 0.3, 0.1]
    table = equal_opportunity(access, disposition, GROUPS, qualified=0.6)
    # a: qualified 0, 1, 2 -> access 2 of 3; unqualified 3 -> access 1 of 1
    # b: qualified 4, 5 (0.6 counts) -> 1 of 2; unqualified 6, 7 -> 1 of 2
    assert table["n_qualified"].tolist() == [3, 2]
    np.testing.assert_allclose(table["true_positive_rate"], [2 / 3, 0.5])
    np.testing.assert_allclose(table["false_negative_rate"], [1 / 3, 0.5])
    np.testing.assert_allclose(table["false_positive_rate"], [1.0, 0.5])
    assert equal_opportunity_gap(access, disposition, GROUPS, qualified=0.6) == pytest.approx(
        1 / 6)


def test_equal_opportunity_group_without_qualified_is_nan():
    table = equal_opportunity([True, False, True, False], [0.9, 0.8, 0.1, 0.2],
                              ["a", "a", "b", "b"], qualified=0.5)
    assert table.loc["b", "n_qualified"] == 0 and np.isnan(table.loc["b", "true_positive_rate"])


def test_equal_opportunity_against_slow_reference():
    rng = np.random.default_rng(3)
    n = 300
    disposition = rng.random(n)
    access = rng.random(n) < disposition
    groups = rng.choice(["x", "y", "z"], n)
    table = equal_opportunity(access, disposition, groups, qualified=0.5)
    for g in "xyz":
        good = [i for i in range(n) if groups[i] == g and disposition[i] >= 0.5]
        bad = [i for i in range(n) if groups[i] == g and disposition[i] < 0.5]
        assert table.loc[g, "true_positive_rate"] == pytest.approx(
            sum(access[i] for i in good) / len(good))
        assert table.loc[g, "false_positive_rate"] == pytest.approx(
            sum(access[i] for i in bad) / len(bad))


def test_group_aware_thresholds_equalise_the_qualified_access():
    rng = np.random.default_rng(5)
    n = 2000
    groups = np.where(np.arange(n) < 1500, "majority", "minority")
    disposition = rng.beta(4.8, 3.2, n)
    scores = 350 + 600 * disposition - 60 * (groups == "minority") + rng.normal(0, 40, n)
    good = disposition >= 0.6
    blind = scores >= 650
    target = blind[good].mean()
    thresholds = equal_opportunity_thresholds(scores, disposition, groups, target_rate=target)
    assert thresholds["minority"] < thresholds["majority"]
    aware = scores >= pd.Series(groups).map(thresholds).to_numpy()
    tpr = equal_opportunity(aware, disposition, groups)["true_positive_rate"]
    assert tpr.max() - tpr.min() < 0.01
    assert tpr.min() >= target - 1e-12
    assert equal_opportunity_gap(blind, disposition, groups) > 0.1
    # edge: target 0 gives nobody access, target 1 lets every qualified member in
    assert np.isinf(equal_opportunity_thresholds(scores, disposition, groups,
                                                 target_rate=0.0)).all()
    everyone = equal_opportunity_thresholds(scores, disposition, groups, target_rate=1.0)
    assert everyone["minority"] == scores[good & (groups == "minority")].min()


def test_calibration_table_and_gap_hand_worked():
    scores = [400, 450, 800, 850, 420, 470, 820, 900]
    disposition = [0.2, 0.4, 0.7, 0.9, 0.4, 0.6, 0.8, 1.0]
    table = calibration(scores, disposition, GROUPS, bins=[350, 650, 950])
    assert table["group"].astype(str).tolist() == ["a", "a", "b", "b"]
    assert table["n"].tolist() == [2, 2, 2, 2]
    np.testing.assert_allclose(table["mean_disposition"], [0.3, 0.8, 0.5, 0.9])
    np.testing.assert_allclose(table["mean_score"], [425, 825, 445, 860])
    gap = calibration_gap(scores, disposition, GROUPS, bins=[350, 650, 950], reference="a")
    # b behaves 0.2 better in the low bin, 0.1 better in the high bin, 2 members each
    np.testing.assert_allclose(gap.tolist(), [0.0, 0.15])


def test_calibration_integer_bins_are_shared_by_the_groups():
    scores = [350, 950, 500, 600]
    table = calibration(scores, [0.1, 0.9, 0.3, 0.5], ["a", "a", "b", "b"], bins=2)
    assert table["score_bin"].nunique() == 2


# -- association and ostracism ------------------------------------------------------------


def test_association_penalty_adds_up_and_matches_hand_computation():
    G = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])
    own = pd.Series([800.0, 760.0, 700.0, 560.0, 520.0, 480.0])
    groups = pd.Series(["maj", "maj", "maj", "maj", "min", "min"])
    parts = decompose(G, own, alpha=0.4)
    table = association_penalty(parts, groups)
    row = table.loc["min"]
    maj, mino = groups == "maj", groups == "min"
    assert row["own_gap"] == pytest.approx(own[maj].mean() - own[mino].mean())
    assert row["displayed_gap"] == pytest.approx(
        parts.displayed[maj].mean() - parts.displayed[mino].mean())
    assert row["from_own_gap"] + row["from_others_gap"] == pytest.approx(row["displayed_gap"])
    assert row["association_gap"] == pytest.approx(row["displayed_gap"] - row["own_gap"])
    assert row["from_ties_share"] == pytest.approx(row["from_others_gap"] / row["displayed_gap"])
    assert np.isnan(table.loc["maj", "from_ties_share"])


def test_association_penalty_is_zero_without_association():
    G = nx.path_graph(4)
    parts = decompose(G, [800.0, 700.0, 500.0, 400.0], alpha=0.0)
    table = association_penalty(parts, ["a", "a", "b", "b"])
    assert table.loc["b", "from_others_gap"] == 0 and table.loc["b", "from_ties_share"] == 0


def test_isolation_by_group_hand_worked():
    before = [4, 4, 2, 2, 2, 2]
    after = [4, 2, 2, 0, 0, 1]
    scores = [900, 800, 700, 400, 380, 600]
    groups = ["a", "a", "a", "b", "b", "b"]
    table = isolation_by_group(before, after, scores, groups, quantile=0.34)
    # low scorers: at or below the 0.34-quantile ("lower": 2nd smallest = 400): 380 and 400
    assert table.loc["a", "degree_lost_share"] == pytest.approx(1 - 8 / 10)
    assert table.loc["b", "degree_lost_share"] == pytest.approx(1 - 1 / 6)
    assert table["low_scorer_share"].tolist() == [0.0, pytest.approx(2 / 3)]
    assert np.isnan(table.loc["a", "isolated_low_scorers"])
    assert table.loc["b", "isolated_low_scorers"] == 1.0
    assert table["mean_degree_after"].tolist() == [pytest.approx(8 / 3), pytest.approx(1 / 3)]


# -- replicates ------------------------------------------------------------------------------


def _tiny_run(shift, rng):
    access = rng.random(40) < np.r_[np.full(20, 0.8), np.full(20, 0.8 - shift)]
    groups = ["a"] * 20 + ["b"] * 20
    return {"disparate_impact": disparate_impact(access, groups),
            "label": "text", "flag": True}


def test_replicate_intervals_on_a_tiny_sweep_equals_confidence_intervals():
    frame = sweep(_tiny_run, {"shift": [0.0, 0.5]}, n_replicates=4, rng=2)
    summary = replicate_intervals(frame, "shift")
    assert summary["metric"].unique().tolist() == ["disparate_impact"]  # text, bool skipped
    pd.testing.assert_frame_equal(
        summary, confidence_intervals(frame, ["shift"], ["disparate_impact"]))
    assert (summary["n"] == 4).all()
    low, high = summary.set_index("shift").loc[0.5, ["low", "high"]]
    mean = frame.loc[frame["shift"] == 0.5, "disparate_impact"].mean()
    assert low < mean < high
    assert summary.set_index("shift").loc[0.5, "mean"] < summary.set_index("shift").loc[0.0, "mean"]


def test_replicate_intervals_hand_worked():
    frame = pd.DataFrame({"h": [0, 0, 0], "gap": [1.0, 2.0, 3.0], "replicate": [0, 1, 2]})
    row = replicate_intervals(frame, ["h"], "gap").iloc[0]
    # mean 2, sd 1, t(0.975, 2) = 4.303: half width 4.303 / sqrt(3) = 2.484
    assert row["mean"] == 2.0 and row["low"] == pytest.approx(2 - 2.4841, abs=1e-4)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda g: access_by_group([True, False, True], g),
    lambda g: score_gaps([1.0, 2.0, 3.0], g),
    lambda g: equal_opportunity([True, False, True], [0.1, 0.5, 0.9], g),
])
def test_single_group_is_refused(call):
    with pytest.raises(ValueError, match="at least two groups"):
        call(["a", "a", "a"])


def test_missing_and_empty_groups_are_named():
    with pytest.raises(ValueError, match="groups is missing"):
        access_by_group([True, False], None)
    with pytest.raises(ValueError, match="missing labels"):
        access_by_group([True, False, True], ["a", None, "b"])
    with pytest.raises(ValueError, match=r"\['c'\] have no members"):
        access_by_group([True, False], pd.Categorical(["a", "b"], categories=["a", "b", "c"]))
    with pytest.raises(ValueError, match="one label per citizen"):
        access_by_group([True, False, True], ["a", "b"])
    with pytest.raises(ValueError, match="groups is missing labels for 1"):
        score_gaps(pd.Series([1.0, 2.0], index=[0, 1]), pd.Series(["a"], index=[0]))


def test_probabilities_outside_the_unit_interval_are_named():
    with pytest.raises(ValueError, match=r"disposition must lie in \[0, 1\].*1.5"):
        equal_opportunity([True, False], [0.5, 1.5], ["a", "b"])
    with pytest.raises(ValueError, match=r"qualified must be <= 1"):
        equal_opportunity([True, False], [0.5, 0.5], ["a", "b"], qualified=1.2)
    with pytest.raises(ValueError, match=r"target_rate must be >= 0"):
        equal_opportunity_thresholds([1.0, 2.0], [0.5, 0.5], ["a", "b"], target_rate=-0.1)
    with pytest.raises(ValueError, match=r"four_fifths must be <= 1"):
        access_by_group([True, False], ["a", "b"], four_fifths=4 / 3)
    with pytest.raises(ValueError, match="disposition must lie"):
        calibration([400.0, 500.0], [-0.1, 0.5], ["a", "b"])


def test_other_bad_input():
    with pytest.raises(TypeError, match="access must be boolean"):
        access_by_group([1, 0], ["a", "b"])
    with pytest.raises(ValueError, match="scores.*finite"):
        score_gaps([1.0, np.nan], ["a", "b"])
    with pytest.raises(ValueError, match="reference must be one of"):
        score_gaps([1.0, 2.0], ["a", "b"], reference="c")
    with pytest.raises(ValueError, match="no citizens"):
        score_gaps(pd.Series([], dtype=float), [])
    with pytest.raises(ValueError, match="decomposition is missing column"):
        association_penalty(pd.DataFrame({"displayed": [1.0, 2.0]}), ["a", "b"])
    with pytest.raises(ValueError, match="degree_after must be >= 0"):
        isolation_by_group([1, 1], [1, -1], [1.0, 2.0], ["a", "b"])
    with pytest.raises(ValueError, match="do not cover"):
        calibration([300.0, 500.0], [0.1, 0.5], ["a", "b"], bins=[350, 950])
    with pytest.raises(ValueError, match=r"values columns \['nope'\]"):
        replicate_intervals(pd.DataFrame({"h": [0], "gap": [1.0]}), "h", ["nope"])
    with pytest.raises(ValueError, match="no numeric column"):
        replicate_intervals(pd.DataFrame({"h": [0], "label": ["x"]}), "h")
