"""Tests of the fairness study (notebook 05): runs, interventions, diverse behaviour."""

import numpy as np
import pandas as pd
import pytest

from scorelab.dynamics import GameConfig
from scorelab.studies.fairness import (
    INTERVENTIONS,
    diverse_behaviour_run,
    diverse_behaviour_ties,
    fairness_run,
    interventions_run,
    rank_interventions,
)


@pytest.fixture(scope="module")
def interventions():
    return interventions_run(300, n_steps=4, rng=7)


def test_fairness_run_is_reproducible_and_consistent():
    row = fairness_run(300, n_steps=3, rng=5)
    assert row == fairness_run(300, n_steps=3, rng=5)
    assert row["access_gap"] == pytest.approx(row["access_majority"] - row["access_minority"])
    low, high = sorted([row["access_majority"], row["access_minority"]])
    assert row["disparate_impact"] == pytest.approx(low / high)
    assert row["fnr_minority"] == pytest.approx(1 - row["tpr_minority"])


def test_interventions_share_society_and_stream(interventions):
    frame = interventions.set_index("intervention")
    assert list(frame.index) == list(INTERVENTIONS)
    base, aware = frame.loc["baseline"], frame.loc["group-aware thresholds"]
    # same run, only the gate differs
    assert base["displayed_gap"] == aware["displayed_gap"]
    assert abs(aware["equal_opportunity_gap"]) < abs(base["equal_opportunity_gap"]) + 1e-12
    # no association: displayed = own, and nothing comes from ties
    no = frame.loc["no association"]
    assert no["displayed_gap"] == pytest.approx(no["own_gap"])
    assert no["from_ties_share"] == 0
    # private scores: nobody cuts ties
    assert frame.loc["private scores", "degree_lost_majority"] == 0


def test_rank_interventions_pairs_within_replicates(interventions):
    frame = pd.concat([interventions.assign(replicate=0),
                       interventions.assign(replicate=1)], ignore_index=True)
    table = rank_interventions(frame)
    assert "baseline" not in table.index and table["rank"].tolist() == [1, 2, 3, 4, 5]
    base = interventions.set_index("intervention")
    expected = 1 - base.loc["no association", "access_gap"] / base.loc["baseline", "access_gap"]
    assert table.loc["no association", "access_gap_closed"] == pytest.approx(expected)
    assert table.loc["no association", "accuracy_change"] == pytest.approx(
        base.loc["no association", "accuracy"] - base.loc["baseline", "accuracy"])
    with pytest.raises(ValueError, match="no 'baseline'"):
        rank_interventions(frame[frame.intervention != "baseline"])


def test_diverse_behaviour_hits_the_minority_and_spreads_to_associates():
    table = diverse_behaviour_run(400, customary_share=0.8, rng=3).set_index("who")
    assert table["n"].sum() == 400
    assert table.loc["minority", "own_change"] < -20
    # the majority tied to the minority gains less from the lower standard than the rest
    tied, untied = table.loc["majority tied to minority"], table.loc["majority not tied"]
    assert tied["displayed_change"] < untied["displayed_change"]
    assert tied["from_ties_change"] < untied["from_ties_change"]
    fair = diverse_behaviour_run(400, customary_share=0.0, rng=3)
    np.testing.assert_allclose(fair[["own_change", "displayed_change"]], 0, atol=1e-9)


def test_diverse_behaviour_ties_replays_the_same_run():
    frame = diverse_behaviour_ties(300, horizons=(2, 4), rng=1,
                                   config=GameConfig(ostracism=0.3))
    assert frame["scoring"].tolist() == ["relabelled", "relabelled", "fair", "fair"]
    kept = frame.set_index(["scoring", "step"])["cross_ties_kept"]
    assert kept[("fair", 4)] <= kept[("fair", 2)] <= 1
    none = diverse_behaviour_ties(300, horizons=(3,), customary_share=0.0, rng=1)
    pd.testing.assert_frame_equal(
        none[none.scoring == "fair"].drop(columns="scoring").reset_index(drop=True),
        none[none.scoring == "relabelled"].drop(columns="scoring").reset_index(drop=True))


def test_bad_study_input_is_named():
    with pytest.raises(ValueError, match="minority_share must be <= 0.5"):
        fairness_run(300, minority_share=0.7, n_steps=1)
    with pytest.raises(ValueError, match="homophily must be <= 1"):
        fairness_run(300, homophily=1.5, n_steps=1)
    with pytest.raises(ValueError, match="gate must be one of"):
        fairness_run(300, gate="dating", n_steps=1)
    with pytest.raises(ValueError, match="cap must not exceed"):
        interventions_run(300, cap=0.5, n_steps=1)
    with pytest.raises(ValueError, match="customary_share must be <= 1"):
        diverse_behaviour_run(300, customary_share=2.0)
    with pytest.raises(ValueError, match="domain must be one of"):
        diverse_behaviour_run(300, domain="religion")
