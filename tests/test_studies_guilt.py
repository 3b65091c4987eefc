"""Tests of the guilt-by-association study (notebook 01): the per-citizen decomposition, its
group means and bins against direct pandas computations, and the cited key numbers."""

import numpy as np
import pandas as pd
import pytest

from scorelab.association import propagate
from scorelab.experiments import confidence_intervals, sweep
from scorelab.studies.guilt import (
    decomposition_by_citizen,
    decomposition_by_group,
    decomposition_checks,
    guilt_by_association,
    guilt_key_numbers,
    scored_society,
    well_behaved_by_ties,
)


@pytest.fixture(scope="module")
def scored():
    society, own = scored_society(600, homophily=0.8, minority_wealth=0.4, rng=5)
    return society, own, decomposition_by_citizen(society, own, alpha=0.3)


def test_decomposition_adds_up_to_the_displayed_score(scored):
    society, own, parts = scored
    displayed = propagate(society, own, alpha=0.3)
    np.testing.assert_allclose(parts.displayed, displayed, rtol=1e-7)  # both solve to ~1e-6
    checks = decomposition_checks(parts)
    assert checks["residual"] < 1e-9
    assert checks["median_own_record_share"] == pytest.approx(
        (parts.from_own / parts.displayed).median())
    # the own record is most of the displayed score, but association moves it
    assert 0.5 < checks["median_own_record_share"] < 1.0
    assert checks["hurt_share"] == pytest.approx((displayed - own < -10).mean())


def test_ties_to_minority_and_well_behaved_are_read_from_the_society(scored):
    society, _, parts = scored
    citizens = society.citizens
    minority = (citizens["group"] == "minority").to_numpy()
    ties = society.ties
    # a citizen's share of tie weight to minority members, by hand from the tie list
    source, target = ties["source"].to_numpy(), ties["target"].to_numpy()
    weight = ties["weight"].to_numpy()
    ends = np.concatenate([source, target]), np.concatenate([target, source])
    total = np.bincount(ends[0], weights=np.tile(weight, 2), minlength=len(citizens))
    to_minority = np.bincount(ends[0], weights=np.tile(weight, 2) * minority[ends[1]],
                              minlength=len(citizens))
    tied = total > 0
    np.testing.assert_allclose(parts.ties_to_minority.to_numpy()[tied],
                               to_minority[tied] / total[tied], rtol=1e-9)
    median = citizens["disposition"].median()
    assert (parts.well_behaved == (citizens["disposition"] >= median)).all()


def test_group_means_and_bins_match_direct_computations(scored):
    _, _, parts = scored
    by_group = decomposition_by_group(parts)
    assert by_group.index.tolist() == ["majority", "minority"]
    minority = parts[parts.group == "minority"]
    assert by_group.loc["minority", "association_effect"] == pytest.approx(
        minority.association_effect.mean())
    position = well_behaved_by_ties(parts)
    assert position["count"].sum() == parts.well_behaved.sum()
    well = parts[parts.well_behaved]
    lowest = well[(well.group == "majority") & (well.ties_to_minority <= 0.2)]
    assert position.loc[("majority", pd.Interval(-0.01, 0.2)), "mean"] == pytest.approx(
        lowest.association_effect.mean())
    # well-behaved citizens of both groups lose to association in this poorer-minority society
    assert (well.groupby("group", observed=True).association_effect.mean() < 0).all()


def test_key_numbers_of_a_small_sweep(scored):
    _, _, parts = scored
    runs = sweep(guilt_by_association, {"homophily": [0.0, 0.9], "alpha": [0.0, 0.6]},
                 n_replicates=3, rng=4, fixed=dict(n_citizens=600, minority_wealth=0.4))
    summary = confidence_intervals(runs, ["alpha", "homophily"], ["minority_penalty"])
    numbers = guilt_key_numbers(parts, runs, summary, alpha_grid=[0.0, 0.6],
                                homophily_grid=[0.0, 0.9])
    assert numbers.index.tolist() == [
        "median own-record share of displayed score",
        "minority penalty, no association (baseline)",
        "minority penalty, alpha=0.6, homophily=0.0",
        "minority penalty, alpha=0.6, homophily=0.9",
    ]
    assert numbers["mean"].iloc[0] == pytest.approx(parts.own_record_share.median())
    assert numbers["mean"].iloc[1] < 1e-9  # no association, no penalty
    segregated = runs[(runs.alpha == 0.6) & (runs.homophily == 0.9)].minority_penalty
    assert numbers["mean"].iloc[3] == pytest.approx(segregated.mean())
    assert numbers["low"].iloc[3] < numbers["mean"].iloc[3] < numbers["high"].iloc[3]
    # segregation turns association into a penalty on the minority
    assert numbers["mean"].iloc[3] > numbers["mean"].iloc[2]
