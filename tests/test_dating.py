"""Dating visibility checked against hand-worked values, closed forms and slow references.

References used: exposure of hand-worked rankings under each position-bias model; a slow
per-citizen exposure loop; the sequential greedy matching loop; the expected number of
mutual likes ``n_A n_B r^2`` of a market where everyone sees everyone; the breeder's
equation under truncation selection ``R = h^2 i(p) sigma_P`` (Falconer & Mackay 1996) with
a tolerance from the sampling variance at the chosen size; no response under random
ranking; a stationary liability variance without selection.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, ndtr

from scorelab.dating import (
    DatingMarket,
    Founders,
    citizen_exposure,
    dating_exposure,
    draw_slates,
    exposure_disparity,
    group_exposure,
    match_market,
    position_weights,
    selection_intensity,
    simulate_generations,
)
from scorelab.dating.market import _greedy_couples
from scorelab.dating.rankings import _examined
from scorelab.society import Society, homophilous_sbm

LOG3 = 1.0 / math.log2(3.0)


# --------------------------------------------------------------------------- exposure


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("log", [1.0, LOG3, 0.5, 1.0 / math.log2(5.0)]),
        ("reciprocal", [1.0, 0.5, 1.0 / 3.0, 0.25]),
        ("cascade", [1.0, 0.5, 0.25, 0.125]),
        ("uniform", [1.0, 1.0, 1.0, 1.0]),
    ],
)
def test_position_weights_by_hand(model, expected):
    np.testing.assert_allclose(position_weights(4, model, patience=0.5), expected)


# ranking [2, 0, 1] over groups a = {0, 2}, b = {1}: id 2 at rank 1, id 0 at 2, id 1 at 3
@pytest.mark.parametrize(
    ("model", "a", "b"),
    [
        ("log", (1.0 + LOG3) / 2, 0.5),
        ("reciprocal", (1.0 + 0.5) / 2, 1.0 / 3.0),
        ("cascade", (1.0 + 0.5) / 2, 0.25),
        ("uniform", 1.0, 1.0),
    ],
)
def test_group_exposure_by_hand(model, a, b):
    groups = pd.Series(["a", "b", "a"])
    got = group_exposure([2, 0, 1], groups, position_bias=model, patience=0.5)
    assert got.index.tolist() == ["a", "b"]
    np.testing.assert_allclose(got.to_numpy(), [a, b])


def test_group_exposure_averages_a_set_of_rankings():
    groups = pd.Series(["a", "b", "a", "b"], index=[10, 11, 12, 13])
    rankings = np.array([[10, 11], [13, 12]])  # ids 10, 13 first; 11, 12 second
    got = group_exposure(rankings, groups, position_bias="reciprocal")
    # per citizen: 10 -> 1/2, 11 -> 1/4, 12 -> 1/4, 13 -> 1/2 (mean over two rankings)
    np.testing.assert_allclose(got.to_numpy(), [(0.5 + 0.25) / 2, (0.25 + 0.5) / 2])
    ragged = group_exposure([[10, 11, 12], [13]], groups, position_bias="reciprocal")
    # 10 -> 1/2, 11 -> 1/4, 12 -> 1/6, 13 -> 1/2
    np.testing.assert_allclose(ragged.to_numpy(), [(0.5 + 1 / 6) / 2, (0.25 + 0.5) / 2])


def test_group_exposure_keeps_categories_and_absent_members():
    groups = pd.Series(pd.Categorical(["x", "x", "y"], categories=["y", "x", "z"]))
    got = group_exposure([0], groups, position_bias="uniform")
    assert got.index.tolist() == ["y", "x", "z"]
    np.testing.assert_allclose(got.to_numpy()[:2], [0.0, 0.5])
    assert np.isnan(got["z"])


def reference_exposure(rankings, ids, weights):
    """Slow, obvious per-citizen loop over rankings and positions."""
    total = dict.fromkeys(ids, 0.0)
    for ranking in rankings:
        for position, citizen in enumerate(ranking):
            total[citizen] += weights[position]
    return [total[citizen] / len(rankings) for citizen in ids]


@pytest.mark.parametrize("model", ["log", "reciprocal", "cascade"])
def test_citizen_exposure_matches_slow_reference(model):
    rng = np.random.default_rng(11)
    ids = np.arange(50) * 3 + 7
    rankings = np.array([rng.choice(ids, 12, replace=False) for _ in range(40)])
    weights = position_weights(12, model)
    got = citizen_exposure(rankings, ids, position_bias=model)
    np.testing.assert_allclose(got.to_numpy(), reference_exposure(rankings, ids, weights))
    assert got.index.tolist() == ids.tolist()


def test_exposure_disparity_by_hand():
    groups = pd.Series(["a", "a", "b", "b"])
    merit = pd.Series([1.0, 1.0, 1.0, 1.0])
    # reciprocal: a gets (1 + 1/2) / 2 = 0.75, b gets (1/3 + 1/4) / 2 = 7/24
    assert exposure_disparity([0, 1, 2, 3], groups, merit, position_bias="reciprocal") == (
        pytest.approx(0.75 / (7 / 24)))
    # b has twice the merit per head: exposure 0.75 vs 7/24 per merit 1 vs 2
    merit_b = pd.Series([1.0, 1.0, 2.0, 2.0])
    assert exposure_disparity([0, 1, 2, 3], groups, merit_b, position_bias="reciprocal") == (
        pytest.approx(0.75 / (7 / 48)))
    # alternating orders equalise exposure exactly
    assert exposure_disparity([[0, 2, 1, 3], [3, 1, 2, 0]], groups, merit) == 1.0
    assert exposure_disparity([0, 1], groups, merit) == math.inf


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ([0, 1, 0], "more than once"),
        ([[0, 1], [2, 2]], "citizen 2 more than once in ranking 1"),
        ([0, 9], "unknown citizen id"),
        (np.array([[0, 1], [5, 2]]), r"unknown citizen id\(s\), e.g. \[5\]"),
        ([], "empty"),
        (np.zeros((2, 2, 2), dtype=int), "one ranking"),
    ],
)
def test_bad_rankings_raise(ranking, message):
    groups = pd.Series(["a", "b", "a"])
    with pytest.raises(ValueError, match=message):
        group_exposure(ranking, groups)


def test_bad_exposure_options_raise():
    groups = pd.Series(["a", "b"])
    with pytest.raises(ValueError, match="position_bias must be one of"):
        group_exposure([0, 1], groups, position_bias="dcg")
    with pytest.raises(ValueError, match="patience must be <= 1"):
        position_weights(3, "cascade", patience=1.5)
    with pytest.raises(TypeError, match="groups must be a pandas Series"):
        group_exposure([0, 1], ["a", "b"])
    with pytest.raises(ValueError, match="merit has no value"):
        exposure_disparity([0, 1], groups, pd.Series([1.0]))
    with pytest.raises(ValueError, match="positive mean merit"):
        exposure_disparity([0, 1], groups, pd.Series([1.0, 0.0]))


def test_selection_intensity_closed_form():
    # i(p) = phi(z) / p with z the upper p-quantile; tabulated i(0.5) = 0.798, i(0.1) = 1.755
    assert selection_intensity(0.5) == pytest.approx(math.sqrt(2 / math.pi))
    assert selection_intensity(0.1) == pytest.approx(1.7550, abs=1e-4)
    assert selection_intensity(1.0) == 0.0
    with pytest.raises(ValueError, match="p must be > 0"):
        selection_intensity(0.0)


# --------------------------------------------------------------------------- dating_exposure


def test_dating_exposure_hand_worked():
    # ranked by score: citizen 0 (800), 2 (700), 3 (600), 1 (500); reciprocal attention
    # 1, 1/2, 1/3, 1/4 by position: a = (1 + 1/2) / 2, b = (1/3 + 1/4) / 2
    table = dating_exposure([800, 500, 700, 600], ["a", "b", "a", "b"],
                            position_bias="reciprocal")
    assert table["exposure"].tolist() == [pytest.approx(0.75), pytest.approx(7 / 24)]
    assert table.loc["b", "exposure_gap"] == pytest.approx(0.75 - 7 / 24)
    assert table.loc["b", "exposure_ratio"] == pytest.approx((7 / 24) / 0.75)
    # log model: 1, 1/log2(3), 1/2, 1/log2(5); the reference is the largest group
    table = dating_exposure([800, 500, 700, 600, 100], ["a", "b", "a", "b", "b"])
    b = (0.5 + 1 / np.log2(5) + 1 / np.log2(6)) / 3
    assert table.loc["b", "exposure"] == pytest.approx(b)
    assert table.loc["a", "exposure_ratio"] == pytest.approx((1 + 1 / np.log2(3)) / 2 / b)


def test_dating_exposure_ties_in_citizen_order_and_series_alignment():
    # equal scores: the earlier citizen comes first; a Series is ranked by its index labels
    scores = pd.Series([600.0, 600.0, 600.0], index=[10, 11, 12])
    groups = pd.Series(["b", "a", "a"], index=[12, 11, 10])
    table = dating_exposure(scores, groups, position_bias="reciprocal", reference="b")
    assert table["exposure"].tolist() == [pytest.approx((1 + 1 / 2) / 2), pytest.approx(1 / 3)]
    with pytest.raises(ValueError, match="position_bias must be one of"):
        dating_exposure([1.0, 2.0], ["a", "b"], position_bias="nope")
    with pytest.raises(ValueError, match="scores.*finite"):
        dating_exposure([1.0, np.nan], ["a", "b"])


# --------------------------------------------------------------------------- slates


def profiles_table(n_per_side, rng, *, score_gap=0.0):
    """Two sides; group 'high' (a third) scores ``score_gap`` higher on average."""
    n = 2 * n_per_side
    group = np.where(rng.random(n) < 1 / 3, "high", "low")
    return pd.DataFrame(
        {
            "side": np.repeat(["A", "B"], n_per_side),
            "score": 600 + score_gap * (group == "high") + 50 * rng.standard_normal(n),
            "appeal": rng.standard_normal(n),
            "group": pd.Categorical(group),
        },
        index=pd.RangeIndex(n, name="citizen") + 1000,
    )


def test_score_slates_are_the_top_of_the_pool():
    rng = np.random.default_rng(2)
    candidates = profiles_table(100, rng).iloc[:100]
    market = DatingMarket(slate_size=5, pool_size=100)  # the pool is everyone
    slates = draw_slates(candidates, 7, market=market, rng=3)
    best = candidates["score"].sort_values(ascending=False).index[:5].to_numpy()
    assert (slates == best).all()
    visible = draw_slates(candidates, 7, visible_fraction=0.3, ranking="random",
                          market=DatingMarket(slate_size=30), rng=3)
    assert np.unique(visible).size == 30  # ceil(0.3 * 100), all shown


def test_slates_never_repeat_and_random_pools_are_balanced():
    rng = np.random.default_rng(4)
    candidates = profiles_table(500, rng).iloc[:500]
    for ranking in ("score", "appeal", "mixture", "random", "fair", "appeal"):
        slates = draw_slates(candidates, 2000, ranking=ranking, visible_fraction=0.4, rng=5)
        assert slates.shape == (2000, 20)
        ordered = np.sort(slates, axis=1)
        assert (np.diff(ordered, axis=1) > 0).all(), ranking
        assert np.isin(slates, candidates.index).all()
    shown = np.bincount(draw_slates(candidates, 2000, ranking="random", rng=5).ravel() - 1000)
    assert shown.max() - shown.min() <= 1  # 2000 x 20 slots over 500 profiles: 80 each
    # merit so concentrated that the best profiles must be in every fair slate
    picky = DatingMarket(appeal_weight=8.0)
    slates = draw_slates(candidates, 300, ranking="fair", visible_fraction=0.05, market=picky,
                         rng=6)
    assert slates.shape == (300, 20)
    assert (np.diff(np.sort(slates, axis=1), axis=1) > 0).all()


def test_score_ranking_limits_exposure_to_the_top_fraction():
    rng = np.random.default_rng(6)
    candidates = profiles_table(1000, rng).iloc[:1000]
    slates = draw_slates(candidates, 500, visible_fraction=0.25, rng=7)
    top = candidates["score"].rank(ascending=False) <= 250
    assert set(np.unique(slates)) <= set(candidates.index[top])


def test_fair_ranking_equalises_exposure_per_merit():
    rng = np.random.default_rng(8)
    candidates = profiles_table(3000, rng, score_gap=80.0).iloc[:3000]
    market = DatingMarket()
    merit = pd.Series(expit(market.like_intercept + candidates["appeal"]), candidates.index)
    groups = candidates["group"]
    disparity = {
        ranking: exposure_disparity(draw_slates(candidates, 6000, ranking=ranking, rng=9),
                                    groups, merit)
        for ranking in ("score", "fair", "random")
    }
    assert disparity["score"] > 3.0  # the high-scoring third takes the attention
    assert disparity["fair"] < 1.05  # exposure proportional to merit, up to sampling
    assert disparity["fair"] < disparity["score"]
    # individually too: exposure / merit is flat across merit quintiles
    exposure = citizen_exposure(draw_slates(candidates, 6000, ranking="fair", rng=10),
                                candidates.index)
    ratio = (exposure / merit).groupby(pd.qcut(merit, 5), observed=True).mean()
    assert ratio.max() / ratio.min() < 1.05


# --------------------------------------------------------------------------- matching


def reference_greedy(first, second, order):
    """Sequential greedy matching: take pairs in order while both partners are single."""
    taken, chosen = set(), np.zeros(len(first), dtype=bool)
    for pair in order:
        a, b = ("first", first[pair]), ("second", second[pair])
        if a not in taken and b not in taken:
            taken.update((a, b))
            chosen[pair] = True
    return chosen


def test_greedy_couples_match_sequential_loop():
    rng = np.random.default_rng(12)
    for _ in range(20):
        n_pairs = rng.integers(1, 300)
        first = rng.integers(0, 40, n_pairs)
        second = 40 + rng.integers(0, 40, n_pairs)
        keys = np.unique(first * 100 + second)  # mutual likes are distinct pairs
        first, second = keys // 100, keys % 100
        seed = int(rng.integers(1000))
        order = np.random.default_rng(seed).permutation(len(first))
        got = _greedy_couples(first, second, 100, np.random.default_rng(seed))
        np.testing.assert_array_equal(got, reference_greedy(first, second, order))


@pytest.mark.parametrize("model", ["log", "cascade"])
def test_market_outcome_is_consistent(model):
    rng = np.random.default_rng(13)
    profiles = profiles_table(2000, rng)
    market = DatingMarket(position_bias=model, patience=0.7)
    outcome = match_market(profiles, ranking="score", visible_fraction=0.6, market=market,
                           rng=14)
    couples, mutual = outcome.couples, outcome.mutual_likes
    assert couples.columns.tolist() == ["A", "B"] == list(outcome.sides)
    assert couples["A"].is_unique and couples["B"].is_unique
    assert (profiles.loc[couples["A"], "side"] == "A").all()
    assert (profiles.loc[couples["B"], "side"] == "B").all()
    mutual_keys = set(zip(mutual["A"], mutual["B"]))
    assert set(zip(couples["A"], couples["B"])) <= mutual_keys
    hidden = outcome.visible.index[~outcome.visible]
    assert not np.isin(mutual.to_numpy(), hidden).any()
    assert outcome.visible.sum() == 2 * math.ceil(0.6 * 2000)
    # greedy matching is maximal: no mutual pair has both partners single
    single = ~outcome.matched
    assert not any(single[a] and single[b] for a, b in mutual_keys)
    # exposure is the slates' attention summed over searchers
    expected = sum(
        citizen_exposure(slates, profiles.index, position_bias=model, patience=0.7)
        * len(slates)
        for slates in outcome.slates.values()
    )
    np.testing.assert_allclose(outcome.exposure.to_numpy(), expected.to_numpy())


@pytest.mark.parametrize("model", ["log", "reciprocal", "cascade", "uniform"])
def test_examination_frequencies_follow_the_position_bias(model):
    # each of 20000 owners holds positions 0..9; the cascade stops once per owner
    market = DatingMarket(position_bias=model, patience=0.6)
    positions = np.tile(np.arange(10), 20_000)
    owners = np.repeat(np.arange(20_000), 10)
    seen = _examined(positions, owners, 20_000, market, np.random.default_rng(30))
    frequency = seen.reshape(20_000, 10).mean(axis=0)
    np.testing.assert_allclose(frequency, position_weights(10, model, patience=0.6), atol=0.015)
    if model == "cascade":  # examined positions are a prefix of the slate
        assert (np.diff(seen.reshape(20_000, 10).astype(int), axis=1) <= 0).all()


def test_mutual_likes_when_everyone_sees_everyone():
    # Constant like probability r, full slates, no position bias: every ordered pair is
    # examined, so a pair is mutual with probability r^2 (Su et al. 2022, both must like).
    market = DatingMarket(slate_size=40, pool_size=40, position_bias="uniform",
                          appeal_weight=0.0, taste_sd=0.0)
    r = expit(market.like_intercept)
    profiles = pd.DataFrame({"side": np.repeat([0, 1], 40), "score": 500.0, "appeal": 0.0})
    counts = [len(match_market(profiles, market=market, rng=seed).mutual_likes)
              for seed in range(20)]
    expected, sd = 1600 * r**2, math.sqrt(1600 * r**2 * (1 - r**2) / 20)
    assert abs(np.mean(counts) - expected) < 4 * sd


def test_inbox_replies_make_matches_without_mutual_browsing():
    # slates of one profile: pairs rarely browse each other, yet likes get answered
    rng = np.random.default_rng(15)
    profiles = profiles_table(500, rng)
    market = DatingMarket(slate_size=1, pool_size=1, position_bias="uniform",
                          like_intercept=5.0)  # nearly everyone likes everyone
    outcome = match_market(profiles, ranking="random", market=market, rng=16)
    assert len(outcome.mutual_likes) > 900  # ~ one per searcher on each side
    assert outcome.matched.mean() > 0.5


def test_market_reproducible():
    rng = np.random.default_rng(17)
    profiles = profiles_table(800, rng)
    one = match_market(profiles, ranking="appeal", rng=18)
    two = match_market(profiles, ranking="appeal", rng=18)
    pd.testing.assert_frame_equal(one.couples, two.couples)
    np.testing.assert_array_equal(one.slates["A"], two.slates["A"])


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda p: p.iloc[:0], ValueError, "profiles is empty"),
        (lambda p: p.assign(side="A"), ValueError, "exactly two sides"),
        (lambda p: p.drop(columns="appeal"), ValueError, r"lacks column\(s\) \['appeal'\]"),
        (lambda p: p.assign(score=np.nan), ValueError, "must be finite"),
        (lambda p: pd.concat([p, p.iloc[:1]]), ValueError, "unique citizen index"),
    ],
)
def test_bad_profiles_raise(change, error, message):
    profiles = profiles_table(10, np.random.default_rng(0))
    with pytest.raises(error, match=message):
        match_market(change(profiles))


def test_bad_market_options_raise():
    profiles = profiles_table(10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="ranking must be one of the policies"):
        match_market(profiles, ranking="height")
    with pytest.raises(ValueError, match="visible_fraction must be > 0"):
        match_market(profiles, visible_fraction=0.0)
    with pytest.raises(ValueError, match="visible_fraction must be <= 1"):
        match_market(profiles, visible_fraction=1.5)
    with pytest.raises(ValueError, match="slate_size must be >= 1"):
        DatingMarket(slate_size=0)
    with pytest.raises(TypeError, match="market must be a DatingMarket"):
        match_market(profiles, market={"slate_size": 3})


# --------------------------------------------------------------------------- generations


def normal_society(n, rng, *, mean=0.25, sd=0.5):
    """One group whose liabilities Phi^-1(disposition) are exactly normal."""
    society = homophilous_sbm(n, group_shares=(1.0,), group_names=("everyone",),
                              mean_degree=6.0, rng=rng)
    z = rng.normal(mean, sd, n)
    return Society(society.citizens.assign(disposition=ndtr(z)), society.ties)


def by_generation(frame, measure, by="all", group="all"):
    rows = frame[(frame.measure == measure) & (frame.by == by) & (frame.group == group)]
    return rows.set_index("generation")["value"]


# The breeder's equation needs matching among the visible to be blind to the trait: every
# visible profile is in the same number of slates, position does not matter, and likes
# depend on appeal only.
BLIND = DatingMarket(slate_size=20, pool_size=20, position_bias="uniform")


def response_sd(sigma, n, couples, n_visible, h2):
    """Sampling SD of the one-generation response R-hat = mean(children) - mean(parents).

    Children's own noise (1 - h^2/2) sigma^2 / n and their draw of couples
    h^2 sigma^2 / (2 n); which visible profiles couple, h^2 sigma^2 / (4 C); and the
    breeding values' scatter about h^2 z among the n_visible selected, h^2 sigma^2 / n_vis
    (bounds, summed as if independent).
    """
    variance = (1.0 / n + h2 / (4.0 * couples) + h2 / n_visible) * sigma**2
    return math.sqrt(variance)


@pytest.mark.parametrize(("h2", "p"), [(0.5, 0.2), (0.8, 0.5)])
def test_breeders_equation_under_truncation(h2, p):
    n = 20_000
    rng = np.random.default_rng(19)
    society = normal_society(n, rng)
    frame = simulate_generations(society, generations=1, ranking="liability",
                                 visible_fraction=p, heritability=h2, market=BLIND, rng=20)
    mean = by_generation(frame, "liability_mean")
    sigma = by_generation(frame, "liability_sd")[0]
    couples = by_generation(frame, "couples")[0]
    observed = mean[1] - mean[0]
    predicted = h2 * selection_intensity(p) * sigma
    tolerance = 4 * response_sd(sigma, n, couples, p * n, h2)
    assert abs(observed - predicted) < tolerance, (observed, predicted, tolerance)
    # and the realised selection differential is the truncation one, i(p) sigma
    selection = by_generation(frame, "selection_differential")[0]
    assert selection == pytest.approx(selection_intensity(p) * sigma, rel=0.05)


def test_cultural_transmission_adds_to_the_response():
    n, p, h2, c2 = 20_000, 0.3, 0.3, 0.3
    rng = np.random.default_rng(21)
    frame = simulate_generations(normal_society(n, rng), generations=1, ranking="liability",
                                 visible_fraction=p, heritability=h2,
                                 cultural_transmission=c2, market=BLIND, rng=22)
    mean = by_generation(frame, "liability_mean")
    sigma = by_generation(frame, "liability_sd")[0]
    couples = by_generation(frame, "couples")[0]
    predicted = (h2 + c2) * selection_intensity(p) * sigma
    tolerance = 4 * response_sd(sigma, n, couples, p * n, h2 + c2)
    assert abs(mean[1] - mean[0] - predicted) < tolerance


def test_random_ranking_does_not_select():
    n, h2 = 20_000, 1.0
    rng = np.random.default_rng(23)
    frame = simulate_generations(normal_society(n, rng), generations=1, ranking="random",
                                 visible_fraction=0.5, heritability=h2, rng=24)
    mean = by_generation(frame, "liability_mean")
    sigma = by_generation(frame, "liability_sd")[0]
    couples = by_generation(frame, "couples")[0]
    assert abs(mean[1] - mean[0]) < 4 * response_sd(sigma, n, couples, 0.5 * n, h2)
    assert abs(by_generation(frame, "selection_differential")[0]) < 4 * sigma * math.sqrt(
        1 / (2 * couples))


def test_score_ranking_selects_for_disposition_and_variance_is_stationary_without():
    n = 4000
    score = simulate_generations(n, generations=3, ranking="score", heritability=0.5, rng=25)
    random = simulate_generations(n, generations=3, ranking="random", heritability=0.5,
                                  rng=25)
    shift = by_generation(score, "disposition_mean")
    assert shift[3] - shift[0] > 0.05  # the essay's "selective breeding for compliance"
    assert (by_generation(score, "selection_differential") > 0).all()
    deciles = score[(score.measure == "exposure_share") & (score.generation == 0)
                    & (score.by == "score_decile")].set_index("decile")["value"]
    top, bottom = deciles[10], deciles[1]
    assert top > 10 * bottom
    # without selection the infinitesimal model keeps the liability variance
    spread = by_generation(random, "liability_sd")
    assert spread.iloc[1:].sub(spread[0]).abs().max() < 0.05 * spread[0]


def test_simulation_frame_and_reproducibility():
    one = simulate_generations(600, generations=2, ranking="mixture", heritability=0.4,
                               rng=np.random.default_rng(26))
    two = simulate_generations(600, generations=2, ranking="mixture", heritability=0.4,
                               rng=np.random.default_rng(26))
    pd.testing.assert_frame_equal(one, two)
    other = simulate_generations(600, generations=2, ranking="mixture", heritability=0.4,
                                 rng=27)
    assert not one["value"].equals(other["value"])
    assert one.columns.tolist() == ["generation", "measure", "by", "group", "decile", "value"]
    assert [str(t) for t in one.dtypes] == ["int64", "str", "str", "str", "Int64", "float64"]
    # deciles 1..10 in their own typed column, only where the rows are by score decile
    deciles = one[one.by == "score_decile"]
    assert deciles["decile"].drop_duplicates().tolist() == list(range(1, 11))
    assert (deciles["group"] == "all").all() and one.loc[one.by != "score_decile",
                                                           "decile"].isna().all()
    assert set(one.loc[one.by == "group", "group"]) == {"majority", "minority"}
    with pytest.raises(ValueError, match="group named 'all'"):
        simulate_generations(homophilous_sbm(40, group_names=("all", "other"), rng=1),
                             generations=1, ranking="score", heritability=0.4, rng=1)
    assert set(one.generation) == {0, 1, 2}
    shares = one[(one.measure == "exposure_share") & (one.by == "score_decile")]
    np.testing.assert_allclose(shares.groupby("generation")["value"].sum(), 1.0)
    group_share = one[one.measure == "group_share"].groupby("generation")["value"].sum()
    np.testing.assert_allclose(group_share, 1.0)
    assert one.attrs["parameters"]["market"]["slate_size"] == 20


def test_ranking_by_any_citizens_column():
    frame = simulate_generations(600, generations=1, ranking="wealth", heritability=0.5,
                                 rng=28)
    assert (frame.generation.unique() == [0, 1]).all()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"heritability": 1.5}, ValueError, "heritability must be <= 1"),
        ({"heritability": -0.1}, ValueError, "heritability must be >= 0"),
        ({"visible_fraction": 1.2}, ValueError, "visible_fraction must be <= 1"),
        ({"visible_fraction": -0.5}, ValueError, "visible_fraction must be >= 0"),
        ({"visible_fraction": 0.0}, ValueError, "market is empty"),
        ({"cultural_transmission": 0.8}, ValueError, "heritability \\+ cultural"),
        ({"ranking": "shoe_size"}, ValueError, "ranking must be one of the policies"),
        ({"generations": -1}, ValueError, "generations must be >= 0"),
        ({"founders": 3}, ValueError, "founders.size must be >= 4"),
        ({"founders": 10.0}, TypeError, "a Society or an int"),
        ({"market": "big"}, TypeError, "market must be a DatingMarket"),
    ],
)
def test_bad_simulation_input_raises(options, error, message):
    arguments = {"founders": 100, "generations": 1, "ranking": "score",
                 "heritability": 0.5} | options
    founders = arguments.pop("founders")
    with pytest.raises(error, match=message):
        simulate_generations(founders, **arguments)


def test_a_generation_without_couples_raises():
    market = DatingMarket(like_intercept=-40.0)  # nobody likes anybody
    with pytest.raises(ValueError, match="formed no couple"):
        simulate_generations(200, generations=1, ranking="score", heritability=0.5,
                             market=market, rng=29)


def test_founders_config_round_trips_and_draws_the_same_society_as_by_hand():
    founders = Founders(600, mean_degree=8.0, homophily=0.7,
                        profiles={"minority": {"wealth_median": 0.5}})
    assert Founders(**founders.to_dict()) == founders
    assert founders.profiles["minority"].wealth_median == 0.5
    by_config = simulate_generations(founders, generations=1, ranking="score",
                                     heritability=0.5, rng=30)
    assert by_config.attrs["parameters"]["homophily"] == 0.7
    # an int is short for Founders(n); a Society drawn from the same stream gives the same run
    rng = np.random.default_rng(31)
    society = homophilous_sbm(600, mean_degree=10.0, homophily=0.5, rng=rng)
    by_hand = simulate_generations(society, generations=1, ranking="score", heritability=0.5,
                                   rng=rng)
    by_size = simulate_generations(600, generations=1, ranking="score", heritability=0.5,
                                   rng=31)
    pd.testing.assert_frame_equal(by_hand, by_size)
    assert not by_config["value"].equals(by_size["value"])
    with pytest.raises(TypeError, match="founders.profiles must map"):
        Founders(600, profiles=["minority"])
    with pytest.raises(ValueError, match="founders.homophily must be <= 1"):
        Founders(600, homophily=1.5)


def test_site_share_pairs_the_rest_off_at_random():
    from scorelab.dating import simulate_generations

    options = dict(generations=3, ranking="score", heritability=0.8, rng=4)
    default = simulate_generations(600, **options)
    # all couples through the site draws nothing more: the same frame as before
    pd.testing.assert_frame_equal(default, simulate_generations(600, site_share=1.0, **options))
    shifts = {}
    for share in (1.0, 0.05):
        frame = simulate_generations(600, site_share=share, **options)
        means = frame.query("measure == 'disposition_mean' and by == 'all'")["value"]
        shifts[share] = means.iloc[-1] - means.iloc[0]
        assert frame.query("measure == 'size'")["value"].eq(600).all()
    # when nearly every couple forms at random, the score ranking hardly selects
    assert shifts[0.05] < 0.5 * shifts[1.0]
    with pytest.raises(ValueError, match="site_share"):
        simulate_generations(600, site_share=0.0, **options)


def test_random_couples_avoid_the_kept_ones_and_join_the_two_sides():
    from scorelab.dating.generations import _mix_in_random_couples

    rng = np.random.default_rng(3)
    sides = np.repeat([0, 1], 50)
    couples = np.column_stack((np.arange(20), 50 + np.arange(20)))
    mixed = _mix_in_random_couples(couples, sides, 0.5, rng)
    assert len(mixed) == 20
    assert len(np.unique(mixed.ravel())) == 40  # nobody in two couples
    assert (sides[mixed[:, 0]] == 0).all() and (sides[mixed[:, 1]] == 1).all()
