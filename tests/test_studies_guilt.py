"""Tests of the guilt-by-association study (notebook 01): the per-citizen decomposition, its
group means and bins against direct pandas computations, and the cited key numbers."""

import numpy as np
import pandas as pd
import pytest

from scorelab.association import propagate
from scorelab.experiments import sweep
from scorelab.findings import validate_findings
from scorelab.studies.guilt import (
    RESTS_ON,
    decomposition_by_citizen,
    decomposition_by_group,
    decomposition_checks,
    findings,
    guilt_by_association,
    homophily_slopes,
    scored_society,
    tie_slope,
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
    assert checks["median_own_weight"] == pytest.approx(
        (parts.from_own / parts.own_score).median())
    # the own weight M_ii is 1 - alpha plus the echo through one's ties (1 without ties)
    assert 0.7 <= parts.own_weight.min() and parts.own_weight.max() <= 1.0
    # the parts in points add up to the displayed score's deviation from the mean own score
    np.testing.assert_allclose(parts.own_part + parts.others_part,
                               parts.displayed - parts.own_score.mean(), atol=1e-9)
    assert 0.0 < checks["own_variance_share"] < 1.0
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


def test_decomposition_in_points_does_not_move_with_the_scale_zero(scored):
    society, own, parts = scored
    shifted = decomposition_by_citizen(society, own + 1000.0, alpha=0.3)
    for column in ("own_part", "others_part", "association_effect", "own_weight"):
        np.testing.assert_allclose(shifted[column], parts[column], atol=1e-6)
    assert decomposition_checks(shifted)["own_variance_share"] == pytest.approx(
        decomposition_checks(parts)["own_variance_share"], abs=1e-9)
    # the old share from_own / displayed does move with the zero: why it was replaced
    assert not np.allclose(shifted.from_own / shifted.displayed, parts.from_own / parts.displayed,
                           atol=1e-3)


def test_tie_slope_recovers_a_known_slope_at_equal_own_score():
    rng = np.random.default_rng(3)
    own = rng.normal(600, 50, 300)
    ties = rng.uniform(0, 1, 300)
    effect = -12.0 * ties - 0.2 * (own - 600) + rng.normal(0, 0.01, 300)
    assert tie_slope(effect, own, ties, np.ones(300, bool)) == pytest.approx(-12.0, abs=0.01)
    assert np.isnan(tie_slope(effect, own, np.full(300, 0.5), np.ones(300, bool)))


def test_homophily_slopes_match_a_fit_per_replicate():
    runs = pd.DataFrame({"alpha": 0.3, "homophily": [0.0, 0.5, 1.0] * 2,
                         "replicate": [0] * 3 + [1] * 3,
                         "minority_penalty": [1.0, 2.0, 3.0, 0.0, 3.0, 6.0]})
    np.testing.assert_allclose(homophily_slopes(runs, alpha=0.3), [2.0, 6.0])
    with pytest.raises(ValueError, match="homophily"):
        homophily_slopes(runs[runs.homophily == 0.0], alpha=0.3)


@pytest.fixture(scope="module")
def small_sweep():
    return sweep(guilt_by_association, {"homophily": [0.0, 0.9], "alpha": [0.0, 0.6]},
                 n_replicates=5, rng=4, fixed=dict(n_citizens=1000, minority_wealth=0.4))


def test_findings_register_of_a_small_sweep(small_sweep):
    runs = small_sweep
    register = findings(runs, alpha=0.6, homophily=0.0, n_citizens=1000, seed=4)
    validate_findings(register)
    assert register.id.tolist() == list(RESTS_ON)  # stable ids, in a fixed order
    assert (register.notebook == "01-guilt-by-association").all()
    assert (register.resolved == ((register.ci_low > 0) | (register.ci_high < 0))).all()
    point = runs[(runs.alpha == 0.6) & (runs.homophily == 0.0)]
    estimates = register.set_index("id").estimate
    assert estimates["guilt.minority-gap-change"] == pytest.approx(
        (point.displayed_gap - point.own_gap).mean())
    assert estimates["guilt.association-penalty"] == pytest.approx(point.minority_penalty.mean())
    resolved = register.set_index("id").resolved
    # in a mixed society association pulls the poorer minority up towards its richer ties:
    # the gap narrows, and there is no resolved penalty at equal own score
    assert resolved["guilt.minority-gap-change"] and estimates["guilt.minority-gap-change"] < 0
    assert resolved["guilt.minority-mean-change"] and estimates["guilt.minority-mean-change"] > 0
    assert not resolved["guilt.association-penalty"]


def test_findings_come_out_otherwise_under_the_counterfactuals(small_sweep):
    # without association every finding is 0 and unresolved
    none = findings(small_sweep, alpha=0.0, homophily=0.9, n_citizens=1000, seed=4)
    assert not none.resolved.any()
    # in a segregated society the picture turns: a resolved penalty at equal own score,
    # and the gap no longer resolved as narrowing
    segregated = findings(small_sweep, alpha=0.6, homophily=0.9, n_citizens=1000,
                          seed=4).set_index("id")
    assert segregated.resolved["guilt.association-penalty"]
    assert segregated.estimate["guilt.association-penalty"] > 0
    assert not segregated.resolved["guilt.minority-gap-change"]
    with pytest.raises(ValueError, match="grid point"):
        findings(small_sweep, alpha=0.3, homophily=0.9, n_citizens=1000, seed=4)
