"""Tests of the dating study (notebook 07): its numbers on hand-made frames, and the breeder's
equation ``R = h^2 i(p)`` under truncation selection (Falconer & Mackay 1996) on a real run."""

import numpy as np
import pandas as pd
import pytest

from scorelab.dating import selection_intensity
from scorelab.studies.dating import (
    attention_shares,
    disposition_shift,
    fair_ranking_trade_off,
    generations_sweep,
    match_rates,
    overall_measures,
    realised_response,
    realised_response_summary,
    truncation_response,
)

RANKINGS = ["score", "random"]


def tidy(rows):
    """The rows ``(..., by, level, value)`` as :func:`simulate_generations` frames them: a
    decile level in the typed ``decile`` column (``group`` "all"), a group's in ``group``."""
    frame = pd.DataFrame(rows, columns=["ranking", "replicate", "generation", "measure", "by",
                                        "level", "value"])
    levels = frame.pop("level")
    is_decile = frame["by"] == "score_decile"
    frame.insert(5, "group", levels.where(~is_decile, "all").astype("str"))
    frame.insert(6, "decile", pd.array([int(level) if decile else None
                                        for level, decile in zip(levels, is_decile)],
                                       dtype="Int64"))
    return frame


def market_frame():
    """Two rankings x two replicates x generations 0 and 1, with hand-set values."""
    rows = []
    for ranking, top in (("score", 0.45), ("random", 0.1)):
        for replicate in (0, 1):
            bump = 0.01 * replicate
            for generation in (0, 1):
                # exposure: deciles 9 and 10 get `top` each, the rest share what is left
                rest = (1 - 2 * top) / 8
                rows += [(ranking, replicate, generation, "exposure_share", "score_decile",
                          str(d), top if d >= 9 else rest) for d in range(1, 11)]
                minority = (0.1 if ranking == "score" else 0.2) + bump
                rows += [(ranking, replicate, generation, "exposure_share", "group", "minority",
                          minority),
                         (ranking, replicate, generation, "exposure_share", "group", "majority",
                          1 - minority)]
                rate = (0.3 if ranking == "score" else 0.5) + bump + 0.1 * generation
                rows += [(ranking, replicate, generation, "match_rate", "all", "all", rate),
                         (ranking, replicate, generation, "match_rate", "group", "majority",
                          rate + 0.05), (ranking, replicate, generation, "match_rate", "group",
                                         "minority", rate - 0.05 * (ranking == "score"))]
                shift = (0.2 if ranking == "score" else 0.0) * generation + bump
                rows += [(ranking, replicate, generation, "disposition_mean", "all", "all",
                          0.5 + shift),
                         (ranking, replicate, generation, "liability_mean", "all", "all",
                          2 * shift),
                         (ranking, replicate, generation, "liability_sd", "all", "all", 1.0),
                         (ranking, replicate, generation, "selection_differential", "all",
                          "all", 0.6 if ranking == "score" else 0.0),
                         (ranking, replicate, generation, "group_share", "group", "minority",
                          0.2 - 0.1 * generation * (ranking == "score"))]
    return tidy(rows)


def test_attention_and_match_numbers_on_a_hand_made_frame():
    runs = market_frame()
    shares = attention_shares(runs, RANKINGS)
    assert shares.index.tolist() == RANKINGS
    assert shares.top_fifth.tolist() == pytest.approx([0.9, 0.2])
    assert shares.minority.tolist() == pytest.approx([0.105, 0.205])
    matching = match_rates(runs, RANKINGS)
    # mean over generations (0 and +0.1) and replicates (0 and +0.01)
    assert matching.match_rate.tolist() == pytest.approx([0.355, 0.555])
    assert matching.group_gap.tolist() == pytest.approx([0.1, 0.05])
    overall = overall_measures(runs)
    assert len(overall) == 2 * 2 * 2
    assert {"ranking", "replicate", "generation", "match_rate"} <= set(overall.columns)


def test_disposition_shift_and_realised_response_on_a_hand_made_frame():
    runs = market_frame()
    shown = disposition_shift(runs, 1)
    assert shown.loc[("disposition_shift", "score"), "mean"] == pytest.approx(0.2)
    assert shown.loc[("disposition_shift", "random"), "mean"] == pytest.approx(0.0, abs=1e-12)
    assert shown.loc[("minority_share_end", "score"), "mean"] == pytest.approx(0.1)
    # predicted = h^2 x the selection differentials of the generations before: 0, then 0.6 h^2
    cumulative = realised_response(runs, 0.5, rankings=["score"])
    predicted = cumulative[cumulative.source == "predicted"].groupby("generation")
    assert predicted.liability_shift.mean().tolist() == pytest.approx([0.0, 0.3])
    observed = cumulative[cumulative.source == "observed"].groupby("generation")
    assert observed.liability_shift.mean().tolist() == pytest.approx([0.0, 0.4])


def test_realised_response_summary_inverts_the_selection_intensity():
    runs = market_frame()
    mixture = runs[runs.ranking == "score"].assign(ranking="mixture")
    last, s_over_sigma, fraction = realised_response_summary(
        pd.concat([runs, mixture], ignore_index=True), 0.5, n_generations=1,
        grid=np.linspace(0.02, 1.0, 400))
    assert last.ratio.tolist() == pytest.approx([0.4 / 0.3, 0.4 / 0.3])
    assert s_over_sigma == pytest.approx(0.6)
    assert selection_intensity(fraction) == pytest.approx(0.6, rel=0.01)


def test_fair_ranking_trade_off():
    summary = pd.DataFrame({"match_rate": [0.3, 0.5, 0.45],
                            "disposition_shift": [0.4, 0.01, 0.02]},
                           index=["score", "random", "fair"])
    fair = fair_ranking_trade_off(summary)
    assert fair["best"] == "random"
    assert fair["cost"] == pytest.approx(0.1)
    assert fair["gain"] == pytest.approx(0.5)
    assert fair["saving"] == pytest.approx(0.95)


def test_truncation_response_meets_the_breeders_equation():
    replicates, summary = truncation_response([0.2, 0.5], size=10_000, heritability=0.5,
                                              n_replicates=2, rng=5)
    assert replicates.shape == (4, 5)
    assert summary.intensity.tolist() == pytest.approx(
        [selection_intensity(0.2), selection_intensity(0.5)])
    assert summary.predicted.tolist() == pytest.approx(0.5 * summary.intensity)
    # the visible are a truncation sample: S = i(p) sigma_P; one generation moves by h^2 S
    assert ((summary.selection - summary.intensity).abs() < 0.05 * summary.intensity).all()
    assert ((summary.observed - summary.predicted).abs() < 0.1 * summary.predicted).all()
    with pytest.raises(ValueError, match="heritability must be <= 1"):
        truncation_response([0.5], size=100, heritability=1.5, n_replicates=1)


def test_score_ranking_sees_the_top_and_selects_random_ranking_does_not():
    runs = generations_sweep(["score", "random"], n_citizens=1500, n_generations=2,
                             n_replicates=2, heritability=0.5, homophily=0.6,
                             minority_wealth=0.5, rng=11)
    again = generations_sweep(["score", "random"], n_citizens=1500, n_generations=2,
                              n_replicates=2, heritability=0.5, homophily=0.6,
                              minority_wealth=0.5, rng=11)
    pd.testing.assert_frame_equal(runs, again)
    shares = attention_shares(runs, ["score", "random"])
    assert shares.top_fifth["score"] > 0.8
    assert shares.top_fifth["random"] == pytest.approx(0.2, abs=0.03)
    assert shares.minority["score"] < shares.minority["random"]
    matching = match_rates(runs, ["score", "random"])
    assert matching.match_rate["score"] < matching.match_rate["random"]
    shift = disposition_shift(runs, 2).loc["disposition_shift"]
    assert shift.loc["score", "mean"] > 0.05
    assert abs(shift.loc["random", "mean"]) < 0.03


@pytest.fixture(scope="module")
def paired_runs():
    return generations_sweep(["score", "mixture", "appeal", "random", "fair"], n_citizens=400,
                             n_generations=3, n_replicates=3, heritability=0.8, rng=5)


def test_generations_sweep_pairs_the_rankings_by_seed(paired_runs):
    founders = paired_runs[(paired_runs.generation == 0) & (paired_runs.by == "all")
                           & (paired_runs.measure == "disposition_mean")]
    # each replicate's founders are the same society under every ranking
    assert founders.groupby("replicate").value.nunique().eq(1).all()
    assert founders.value.nunique() == 3


def test_findings_register_is_valid_and_paired(paired_runs):
    from scorelab.findings import validate_findings
    from scorelab.studies.dating import FINDINGS, RESTS_ON, findings, per_replicate

    register = findings(paired_runs, n_generations=3, n_citizens=400, seed=5)
    validate_findings(register)
    assert register["id"].tolist() == list(FINDINGS) and set(RESTS_ON) == set(FINDINGS)
    table = per_replicate(paired_runs, 3)
    expected = (table.loc["score", "disposition_shift"]
                - table.loc["random", "disposition_shift"]).mean()
    by_id = register.set_index("id")
    assert by_id.loc["dating.score-vs-random-disposition-shift", "estimate"] == \
        pytest.approx(expected)
    assert by_id.loc["dating.score-vs-random-disposition-shift", "estimate"] > 0
    assert by_id.loc["dating.score-vs-random-minority-exposure", "estimate"] < 0


def test_contrast_can_come_out_otherwise(paired_runs):
    from scorelab.studies.dating import contrast_by_setting

    # a ranking against itself: exactly 0 and unresolved at every generation
    same = contrast_by_setting(paired_runs, n_generations=None, treated="random",
                               control="random")
    assert same["generation"].tolist() == [1, 2, 3]
    assert (same["difference"] == 0).all() and not same["resolved"].any()
    # without heritability the score ranking's selection is not passed on
    settings = pd.concat([
        generations_sweep(["score", "random"], n_citizens=400, n_generations=3,
                          n_replicates=3, heritability=h2, rng=5).assign(heritability=h2)
        for h2 in (0.0, 0.8)], ignore_index=True)
    contrast = contrast_by_setting(settings, n_generations=3, by=["heritability"]) \
        .set_index("heritability")
    assert abs(contrast.loc[0.0, "difference"]) < 0.3 * contrast.loc[0.8, "difference"]


def test_per_replicate_pairs_the_rankings_for_compare(paired_runs):
    from scipy import stats

    from scorelab import compare
    from scorelab.studies.dating import per_replicate

    table = per_replicate(paired_runs, 3).reset_index()
    assert (table["pair"] == table["replicate"]).all()
    shift = compare(table, "ranking", "disposition_shift", baseline="random")
    row = shift[shift["ranking"] == "score"].iloc[0]
    wide = table.pivot(index="replicate", columns="ranking", values="disposition_shift")
    d = wide["score"] - wide["random"]
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert row["mean"] == pytest.approx(d.mean())
    assert (row["low"], row["high"]) == pytest.approx((d.mean() - half, d.mean() + half))
