"""Lending rules and delayed impact checked against hand solutions, slow references and the paper.

References used:

- two-point score distributions whose thresholds, selection rates and mean score changes
  are solved by hand below (the arithmetic is in the comments);
- slow per-score Python loops for the outcome curve and the lending probabilities;
- brute-force search over selection / true-positive rates for the constrained optima;
- Liu, Dean, Rolf, Simchowitz & Hardt (2018), "Delayed impact of fair machine learning",
  ICML, on the FICO TransRisk tables (Black and White, loss/gain -4/+1, +75 / -150).

What is reproduced from the paper (tests marked ``fico``), and with what tolerance:

- the group shares the authors' FICO notebook prints, Black 0.12066905 and White
  0.87933095 (from the totals table; tolerance 1e-8);
- the break-even repayment probability 0.8 of loss/gain -4/+1 (exact);
- the finding of the paper's FICO figure: with loss/gain -4, demographic parity puts the
  Black group in the active-harm region (expected mean score change < 0) while maximum
  profit and equal opportunity improve its mean score; with -10 (the figure's second
  panel) demographic parity no longer harms it (signs, no tolerance needed);
- the ordering of the Black group's selection rates in that figure's outcome curve,
  maximum profit < equal opportunity < demographic parity, with demographic parity
  beyond the harm threshold.

The paper does not print the selection rates themselves; the values pinned in
``test_fico_one_step_numbers`` (to 1e-3) are this implementation's, so that a change is
noticed, and they do not depend on how the 0-100 scale is mapped to 300-850.
"""

import numpy as np
import pandas as pd
import pytest

from scorelab.lending import (
    RULES,
    CreditPopulation,
    LoanTerms,
    compare_rules,
    draw_borrowers,
    fico_dir,
    impact_regions,
    lending_outcomes,
    lending_policy,
    load_fico,
    outcome_curve,
    simulate_lending,
)
from scorelab.association import propagate
from scorelab.society import from_edges, homophilous_sbm
from scorelab.experiments import sweep
from scorelab.studies.credit import association_errors, credit_gap, lending_rounds, paired_effects


# --------------------------------------------------------------------------- fixtures


def two_point(sizes=(1.0, 1.0)):
    """Group a: half at 400, half at 700; group b: 20 % at 400, 80 % at 700.

    Repayment 0.5 at 400 and 0.9 at 700 in both groups. With the default terms
    (gain 1, loss -4): profit per loan -1.5 at 400 and +0.5 at 700; expected score
    change at 700: 0.9 * 75 - 0.1 * 150 = 52.5; at 400 the default is clipped at 300:
    0.5 * 75 - 0.5 * 100 = -12.5.
    """
    scores = [400.0, 700.0]
    pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=scores)
    repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=scores)
    return CreditPopulation(pmf, repay, pd.Series({"a": sizes[0], "b": sizes[1]}))


def random_population(rng, n_scores=25, n_groups=3):
    scores = np.sort(rng.choice(np.arange(300.0, 851.0), n_scores, replace=False))
    pmf = rng.dirichlet(np.full(n_scores, 0.7), size=n_groups).T
    pmf[rng.random(pmf.shape) < 0.15] = 0.0  # scores some groups do not occupy
    pmf /= pmf.sum(axis=0)
    # repayment increases with the score, with a group-specific curve
    base = np.sort(rng.uniform(0.05, 0.99, (n_scores, n_groups)), axis=0)
    labels = [f"g{k}" for k in range(n_groups)]
    return CreditPopulation(
        pd.DataFrame(pmf, index=scores, columns=labels),
        pd.DataFrame(base, index=scores, columns=labels),
        pd.Series(rng.uniform(0.5, 5.0, n_groups), index=labels),
    )


@pytest.fixture(scope="module")
def fico():
    folder = fico_dir()
    if not (folder / "transrisk_cdf_by_race_ssa.csv").is_file():
        pytest.skip(f"FICO TransRisk tables not found at {folder} (set SCORELAB_FICO_DIR)")
    return load_fico(folder)


# --------------------------------------------------------------------------- slow references


def slow_policy(pmf, rate):
    """Serve ``rate`` of a group from its highest score down, one score at a time."""
    tau = np.zeros(len(pmf))
    left = rate
    for j in range(len(pmf) - 1, -1, -1):
        if pmf[j] == 0:
            tau[j] = 1.0 if left > 0 else 0.0
            continue
        take = min(pmf[j], max(left, 0.0))
        tau[j] = take / pmf[j]
        left -= take
    return tau


def slow_delta_mu(population, group, rate, terms):
    low, high = population.score_range
    pmf = population.pmf[group].to_numpy()
    repay = population.repay[group].to_numpy()
    tau = slow_policy(pmf, rate)
    total = 0.0
    for x, p, r, t in zip(population.scores, pmf, repay, tau):
        up = min(max(x + terms.repay_change, low), high) - x
        down = min(max(x + terms.default_change, low), high) - x
        total += p * t * (r * up + (1 - r) * down)
    return total


def total_profit(population, terms):
    """Lender's total profit as a function of the shares served from the top, per group."""
    pmf = population.pmf.to_numpy().T.tolist()
    repay = population.repay.to_numpy().T
    utility = (repay * terms.gain + (1 - repay) * terms.loss).tolist()
    shares = population.shares.tolist()

    def profit(rates):
        total = 0.0
        for g in range(len(shares)):
            tau = slow_policy(pmf[g], rates[g])
            total += shares[g] * sum(p * t * u for p, t, u in zip(pmf[g], tau, utility[g]))
        return total

    return profit


# --------------------------------------------------------------------------- parameters


def test_break_even_and_terms_validation():
    assert LoanTerms().break_even == 0.8
    assert LoanTerms(gain=2.0, loss=-2.0).break_even == 0.5
    with pytest.raises(ValueError, match="gain must be > 0"):
        LoanTerms(gain=0.0)
    with pytest.raises(ValueError, match="loss must be <= 0"):
        LoanTerms(loss=1.0)
    with pytest.raises(TypeError, match="repay_change must be a real number"):
        LoanTerms(repay_change="75")
    with pytest.raises(TypeError, match="terms must be a LoanTerms"):
        lending_policy(two_point(), terms={"loss": -4})


# --------------------------------------------------------------------------- bad input


def test_single_group_is_refused():
    pmf = pd.DataFrame({"a": [0.5, 0.5]}, index=[400.0, 700.0])
    with pytest.raises(ValueError, match="at least two groups.*pmf has 1"):
        CreditPopulation(pmf, pmf, pd.Series({"a": 1.0}))


def test_missing_group_labels_are_refused():
    pmf = pd.DataFrame([[0.5, 0.5], [0.5, 0.5]], index=[400.0, 700.0], columns=["a", np.nan])
    with pytest.raises(ValueError, match="missing \\(NaN\\) group label"):
        CreditPopulation(pmf, pmf, pd.Series({"a": 1.0}))
    population = two_point()
    with pytest.raises(ValueError, match="sizes has no entry for group\\(s\\) \\['b'\\]"):
        CreditPopulation(population.pmf, population.repay, pd.Series({"a": 1.0}))
    with pytest.raises(ValueError, match="1 missing group label"):
        draw_borrowers(population, groups=pd.Series(["a", None, "b"]), rng=0)
    with pytest.raises(ValueError, match="labels \\['c'\\] that are not groups"):
        draw_borrowers(population, groups=["a", "b", "c"], rng=0)


def test_empty_groups_are_refused():
    population = two_point()
    empty = population.pmf.assign(b=0.0)
    with pytest.raises(ValueError, match="group 'b' is empty"):
        CreditPopulation(empty, population.repay, population.sizes)
    with pytest.raises(ValueError, match="positive size; group\\(s\\) \\['b'\\]"):
        CreditPopulation(population.pmf, population.repay, pd.Series({"a": 3.0, "b": 0.0}))
    with pytest.raises(ValueError, match="no borrower in group\\(s\\) \\['b'\\]"):
        draw_borrowers(population, groups=["a", "a"], rng=0)
    cdf = pd.DataFrame({"a": [0.5, 1.0], "b": [0.0, 0.0]}, index=[400.0, 700.0])
    with pytest.raises(ValueError, match="group 'b' is empty: its cdf is 0"):
        CreditPopulation.from_cdf(cdf, population.repay, population.sizes)


def test_probabilities_outside_unit_interval_are_refused():
    population = two_point()
    repay = population.repay.copy()
    repay.loc[700.0, "b"] = 1.2
    with pytest.raises(ValueError, match="1.2 for group 'b' at score 700$"):
        CreditPopulation(population.pmf, repay, population.sizes)
    repay.loc[700.0, "b"] = np.nan
    with pytest.raises(ValueError, match="repay must be finite"):
        CreditPopulation(population.pmf, repay, population.sizes)
    with pytest.raises(ValueError, match="lending probabilities in \\[0, 1\\]"):
        lending_outcomes(population, lending_policy(population) * 2)
    with pytest.raises(ValueError, match="alpha must be <= 1"):
        simulate_lending(draw_borrowers(population, 10, rng=0), population, alpha=1.5)


def test_score_tables_that_are_not_monotone_cdfs_are_refused():
    population = two_point()
    index = [400.0, 550.0, 700.0]
    repay = pd.DataFrame({"a": [0.5, 0.7, 0.9], "b": [0.5, 0.7, 0.9]}, index=index)
    falling = pd.DataFrame({"a": [0.2, 0.6, 1.0], "b": [0.3, 0.25, 1.0]}, index=index)
    with pytest.raises(ValueError, match="group 'b' is not a monotone CDF: it falls from "
                                         "0.3 to 0.25 at score 550$"):
        CreditPopulation.from_cdf(falling, repay, population.sizes)
    percent = pd.DataFrame({"a": [20.0, 60.0, 100.0], "b": [30.0, 60.0, 100.0]}, index=index)
    with pytest.raises(ValueError, match="shares, not percent"):
        CreditPopulation.from_cdf(percent, repay, population.sizes)
    short = pd.DataFrame({"a": [0.2, 0.6, 0.9], "b": [0.3, 0.6, 1.0]}, index=index)
    with pytest.raises(ValueError, match="group 'a' must end at 1"):
        CreditPopulation.from_cdf(short, repay, population.sizes)
    unsorted = falling.iloc[[1, 0, 2]]
    with pytest.raises(ValueError, match="strictly increasing; score 400 follows 550$"):
        CreditPopulation.from_cdf(unsorted, repay, population.sizes)
    with pytest.raises(ValueError, match="scores must lie in score_range"):
        CreditPopulation(population.pmf, population.repay, population.sizes,
                         score_range=(0.0, 100.0))
    negative = population.pmf.assign(a=[-0.5, 1.5])
    with pytest.raises(ValueError, match="group 'a' has -0.5 at score 400$"):
        CreditPopulation(negative, population.repay, population.sizes)


def test_other_bad_arguments():
    population = two_point()
    with pytest.raises(ValueError, match="rule must be one of"):
        lending_policy(population, "equal_odds")
    with pytest.raises(ValueError, match="either n_borrowers or groups"):
        draw_borrowers(population, rng=0)
    borrowers = draw_borrowers(population, 10, rng=0)
    with pytest.raises(TypeError, match="needs the borrowers' society"):
        simulate_lending(borrowers, population, alpha=0.3)
    with pytest.raises(ValueError, match="must lie in the score range"):
        simulate_lending(borrowers.assign(score=900.0), population)
    with pytest.raises(ValueError, match="selection_rates must lie in"):
        outcome_curve(population, "a", selection_rates=[0.5, 1.5])
    with pytest.raises(ValueError, match="group 'c' is not in the population"):
        outcome_curve(population, "c")
    hopeless = CreditPopulation(population.pmf, population.repay.assign(b=0.0), population.sizes)
    with pytest.raises(ValueError, match="group 'b' has repayment probability 0"):
        lending_policy(hopeless, "equal_opportunity")


# --------------------------------------------------------------------------- hand solutions


def test_two_point_max_profit_by_hand():
    table = compare_rules(two_point(), rules=["max_profit"]).loc["max_profit"]
    # lend at 700 only (repayment 0.9 >= 0.8; 0.5 < 0.8)
    assert table["selection_rate"].tolist() == [0.5, 0.8]
    assert table["threshold"].tolist() == [700.0, 700.0]
    np.testing.assert_allclose(table["delta_mu"], [0.5 * 52.5, 0.8 * 52.5])
    np.testing.assert_allclose(table["profit"], [0.5 * 0.5, 0.8 * 0.5])
    np.testing.assert_allclose(table["true_positive_rate"], [0.45 / 0.7, 0.72 / 0.82])


def test_two_point_demographic_parity_by_hand():
    # Equal sizes: total profit has slope (0.5 + 0.5) / 2 up to rate 0.5, then
    # (-1.5 + 0.5) / 2 < 0 up to 0.8: the optimum is 0.5 -> b is served 0.5 / 0.8 at 700.
    equal = compare_rules(two_point(), rules=["demographic_parity"]).loc["demographic_parity"]
    np.testing.assert_allclose(equal["selection_rate"], [0.5, 0.5])
    np.testing.assert_allclose(equal["lend_at_threshold"], [1.0, 0.625])
    np.testing.assert_allclose(equal["delta_mu"], [26.25, 0.5 * 52.5])
    # b four times larger: the slope between 0.5 and 0.8 is 0.2 * -1.5 + 0.8 * 0.5 = 0.1 > 0,
    # so the lender serves 0.8 of both groups: a gets 0.3 / 0.5 = 0.6 of its 400s too.
    big_b = compare_rules(two_point(sizes=(1.0, 4.0)),
                          rules=["demographic_parity"]).loc["demographic_parity"]
    np.testing.assert_allclose(big_b["selection_rate"], [0.8, 0.8])
    assert big_b.loc["a", "threshold"] == 400.0
    np.testing.assert_allclose(big_b.loc["a", "lend_at_threshold"], 0.6)
    np.testing.assert_allclose(big_b["delta_mu"], [26.25 + 0.3 * -12.5, 42.0])


def test_two_point_equal_opportunity_by_hand():
    # Would-be repayers: a 0.7 (0.45 of them at 700), b 0.82 (0.72 at 700). Up to
    # TPR 0.45 / 0.7 = 9 / 14 both groups lend at 700 only (profit rises); beyond it a lends
    # at 400 (slope 0.5 * (-1.5 * 1.4) + 0.5 * (0.5 * 0.82 / 0.9) < 0). So t* = 9 / 14,
    # selection a = 0.5, b = 9 / 14 * 0.82 / 0.9.
    table = compare_rules(two_point(), rules=["equal_opportunity"]).loc["equal_opportunity"]
    rate_b = 9 / 14 * 0.82 / 0.9
    np.testing.assert_allclose(table["true_positive_rate"], [9 / 14, 9 / 14])
    np.testing.assert_allclose(table["selection_rate"], [0.5, rate_b])
    np.testing.assert_allclose(table["delta_mu"], [26.25, rate_b * 52.5])


def test_outcome_curve_two_point_by_hand():
    curve = outcome_curve(two_point(), "a")
    np.testing.assert_allclose(curve["selection_rate"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(curve["delta_mu"], [0.0, 26.25, 26.25 - 6.25])
    np.testing.assert_allclose(curve["profit"], [0.0, 0.25, 0.25 - 0.75])
    halfway = outcome_curve(two_point(), "a", selection_rates=[0.25, 0.75])
    np.testing.assert_allclose(halfway["delta_mu"], [13.125, 26.25 - 3.125])
    assert halfway["score"].tolist() == [700.0, 400.0]


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_outcome_curve_equals_slow_loop_on_random_populations(seed):
    rng = np.random.default_rng(seed)
    population = random_population(rng)
    terms = LoanTerms(loss=-rng.uniform(1, 10), repay_change=rng.uniform(10, 100),
                      default_change=-rng.uniform(50, 300))
    rates = np.concatenate([[0.0, 1.0], rng.random(30)])
    for group in population.groups:
        fast = outcome_curve(population, group, terms=terms, selection_rates=rates)
        slow = [slow_delta_mu(population, group, r, terms) for r in rates]
        np.testing.assert_allclose(fast["delta_mu"], slow, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_constraints_hold_and_optimum_beats_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    population = random_population(rng)
    terms = LoanTerms(loss=-rng.uniform(0.5, 8))
    table = compare_rules(population, terms=terms)
    dp = table.loc["demographic_parity"]
    eo = table.loc["equal_opportunity"]
    assert np.ptp(dp["selection_rate"]) < 1e-9
    assert np.ptp(eo["true_positive_rate"]) < 1e-9
    shares = population.shares
    best = {rule: float((table.loc[rule, "profit"] * shares).sum()) for rule in RULES}
    # maximum profit is the unconstrained optimum
    assert best["max_profit"] >= max(best.values()) - 1e-12
    # no common selection rate on a fine grid beats the demographic-parity optimum
    profit = total_profit(population, terms)
    brute = max(profit([b] * 3) for b in np.linspace(0, 1, 1001))
    assert best["demographic_parity"] >= brute - 1e-12
    # nor does any common true-positive rate (each group's rate read off its curve)
    curves = {g: outcome_curve(population, g, terms=terms) for g in population.groups}
    brute = -np.inf
    for t in np.linspace(0, 1, 401):
        rates = [np.interp(t, curves[g]["true_positive_rate"], curves[g]["selection_rate"])
                 for g in population.groups]
        brute = max(brute, profit(rates))
    assert best["equal_opportunity"] >= brute - 1e-9


def test_policy_equals_slow_fill_from_top():
    rng = np.random.default_rng(7)
    population = random_population(rng)
    policy = lending_policy(population, "demographic_parity")
    rate = compare_rules(population).loc["demographic_parity", "selection_rate"].iloc[0]
    for group in population.groups:
        pmf = population.pmf[group].to_numpy()
        slow = slow_policy(pmf, rate)
        occupied = pmf > 0
        np.testing.assert_allclose(policy[group].to_numpy()[occupied], slow[occupied],
                                   atol=1e-9)


def test_impact_regions_bracket_the_outcome_curve():
    population = random_population(np.random.default_rng(3))
    for group in population.groups:
        regions = impact_regions(population, group)
        curve = outcome_curve(population, group)
        assert regions["best_delta_mu"] == pytest.approx(curve["delta_mu"].max())
        if np.isfinite(regions["harm_rate"]):
            at = outcome_curve(population, group, selection_rates=[regions["harm_rate"]])
            assert abs(at["delta_mu"].iloc[0]) < 1e-9
            assert regions["harm_rate"] > regions["best_rate"]


# --------------------------------------------------------------------------- FICO (paper)


def test_fico_tables_read_as_documented(fico):
    # published in the authors' FICO notebook: group_size_ratio [0.12066905 0.87933095]
    assert fico.shares["Black"] == pytest.approx(0.12066905, abs=1e-8)
    assert fico.shares["White"] == pytest.approx(0.87933095, abs=1e-8)
    assert fico.score_range == (300.0, 850.0)
    assert fico.scores[0] == 300.0 and fico.scores[-1] == 850.0
    assert len(fico.scores) == 198
    # the performance table is the BAD (default) rate: repayment = 1 - value / 100 rises
    # from ~0 at the lowest score to ~0.99 at the highest
    for group in ("White", "Black"):
        repay = fico.repay[group]
        assert repay.iloc[0] < 0.02 and repay.iloc[-1] > 0.99
        assert np.corrcoef(fico.scores, repay)[0, 1] > 0.8
    assert (fico.repay["White"] >= fico.repay["Black"] - 1e-12).mean() > 0.9


def test_fico_loader_options_and_errors(fico, tmp_path, monkeypatch):
    everyone = load_fico(fico_dir(), groups=None)
    assert everyone.groups == ["White", "Black", "Hispanic", "Asian"]
    raw = load_fico(fico_dir(), score_scale="transrisk")
    assert raw.score_range == (0.0, 100.0) and raw.scores[-1] == 100.0
    linear = load_fico(fico_dir(), score_scale="linear")
    np.testing.assert_allclose(linear.scores, 300 + 5.5 * raw.scores)
    with pytest.raises(ValueError, match="at least two groups"):
        load_fico(fico_dir(), groups=["Black"])
    with pytest.raises(ValueError, match="groups \\['Martian'\\] are not in the FICO tables"):
        load_fico(fico_dir(), groups=["Black", "Martian"])
    with pytest.raises(FileNotFoundError, match=f"not found in {tmp_path}.*SCORELAB_FICO_DIR"):
        load_fico(tmp_path)
    monkeypatch.setenv("SCORELAB_FICO_DIR", str(tmp_path))
    assert fico_dir() == tmp_path


def test_fico_one_step_reproduces_the_paper(fico):
    table = compare_rules(fico)  # loss/gain -4/+1, +75 / -150, clipped to 300-850
    black = table.xs("Black", level="group")
    # active harm under demographic parity, improvement under the other two rules
    assert black.loc["demographic_parity", "delta_mu"] < 0
    assert black.loc["max_profit", "delta_mu"] > 0
    assert black.loc["equal_opportunity", "delta_mu"] > 0
    # the Black group's selection rates: max profit < equal opportunity < demographic parity
    rates = black["selection_rate"]
    assert rates["max_profit"] < rates["equal_opportunity"] < rates["demographic_parity"]
    regions = impact_regions(fico, "Black")
    assert rates["demographic_parity"] > regions["harm_rate"] > rates["equal_opportunity"]
    # the White group gains under every rule
    assert (table.xs("White", level="group")["delta_mu"] > 0).all()
    # constraints hold exactly
    assert np.ptp(table.loc["demographic_parity", "selection_rate"]) < 1e-9
    assert np.ptp(table.loc["equal_opportunity", "true_positive_rate"]) < 1e-9
    # loss/gain -10: demographic parity no longer harms the Black group, nor do the others
    cautious = compare_rules(fico, terms=LoanTerms(loss=-10.0)).xs("Black", level="group")
    assert (cautious["delta_mu"] > 0).all()


def test_fico_one_step_numbers(fico):
    # this implementation's values (the paper shows them only in a figure), to 1e-3
    table = compare_rules(fico)
    rates = table["selection_rate"].unstack("group")
    np.testing.assert_allclose(rates.loc[list(RULES), "Black"], [0.168, 0.577, 0.356], atol=1e-3)
    np.testing.assert_allclose(rates.loc[list(RULES), "White"], [0.663, 0.577, 0.625], atol=1e-3)
    np.testing.assert_allclose(table.loc[("demographic_parity", "Black"), "delta_mu"], -17.28,
                               atol=1e-2)
    # selection is a function of score quantiles: mapping 0-100 onto 300-850 differently
    # changes the score changes' clipping, not the rules' choices or their signs
    linear = compare_rules(load_fico(fico_dir(), score_scale="linear"))
    np.testing.assert_allclose(linear["selection_rate"], table["selection_rate"], atol=1e-12)
    assert (np.sign(linear["delta_mu"]) == np.sign(table["delta_mu"])).all()


def test_fico_outcome_curve_slow_loop(fico):
    terms = LoanTerms()
    rates = np.linspace(0, 1, 41)
    fast = outcome_curve(fico, "Black", selection_rates=rates)
    slow = [slow_delta_mu(fico, "Black", r, terms) for r in rates]
    np.testing.assert_allclose(fast["delta_mu"], slow, atol=1e-9)
    knots = outcome_curve(fico, "Black")
    assert knots["selection_rate"].is_monotonic_increasing
    assert knots["selection_rate"].iloc[-1] == pytest.approx(1.0)


# --------------------------------------------------------------------------- many rounds


def test_simulation_is_reproducible_and_matches_one_step_expectation():
    population = two_point(sizes=(1.0, 4.0))
    borrowers = draw_borrowers(population, 100_000, rng=1)
    first = simulate_lending(borrowers, population, rule="demographic_parity", n_rounds=1,
                             rng=2)
    again = simulate_lending(borrowers, population, rule="demographic_parity", n_rounds=1,
                             rng=2)
    pd.testing.assert_frame_equal(first.history, again.history)
    # expected change on the sample's own distribution
    empirical = CreditPopulation(
        pd.crosstab(borrowers["score"], borrowers["group"], normalize="columns"),
        population.repay, population.sizes)
    expected = lending_outcomes(empirical, lending_policy(empirical, "demographic_parity"))
    means = first.history.pivot(index="round", columns="group", values="mean_score")
    realised = means.loc[1] - means.loc[0]
    counts = borrowers["group"].value_counts()
    for group in ("a", "b"):
        standard_error = 150.0 / np.sqrt(counts[group])
        assert abs(realised[group] - expected.loc[group, "delta_mu"]) < 4 * standard_error
        rate = first.history.query("round == 1").set_index("group").loc[group, "selection_rate"]
        assert abs(rate - expected.loc[group, "selection_rate"]) < 4 / np.sqrt(counts[group])


def test_max_profit_never_moves_those_below_the_threshold():
    population = two_point()
    borrowers = draw_borrowers(population, 500, rng=3)
    run = simulate_lending(borrowers, population, n_rounds=5, rng=4)
    low = borrowers["score"] == 400.0
    assert (run.scores.loc[low] == 400.0).all().all()
    assert run.scores.to_numpy().min() >= 300 and run.scores.to_numpy().max() <= 850


def test_association_baselines():
    population = two_point()
    society = homophilous_sbm(300, group_shares=(0.5, 0.5), group_names=("a", "b"),
                              homophily=0.5, rng=5)
    borrowers = draw_borrowers(population, groups=society.groups, rng=6)
    plain = simulate_lending(borrowers, population, n_rounds=3, rng=7)
    zero = simulate_lending(borrowers, population, n_rounds=3, society=society, alpha=0.0,
                            rng=7)
    pd.testing.assert_frame_equal(plain.history, zero.history)
    # without ties association changes nothing
    loners = from_edges(society.citizens, [], [])
    alone = simulate_lending(borrowers, population, n_rounds=3, society=loners, alpha=0.5,
                             rng=7)
    np.testing.assert_allclose(alone.scores.to_numpy(), plain.scores.to_numpy())
    # with ties scores are averaged: spread shrinks, the range is kept
    tied = simulate_lending(borrowers, population, n_rounds=3, society=society, alpha=0.5,
                            rng=7)
    assert tied.scores[3].std() < plain.scores[3].std()
    assert tied.scores.to_numpy().min() >= 300 and tied.scores.to_numpy().max() <= 850
    with pytest.raises(ValueError, match="disagree on the group"):
        simulate_lending(borrowers.assign(group=borrowers["group"].to_numpy()[::-1]),
                         population, society=society, alpha=0.5)


def test_study_functions_are_seeded():
    population = two_point()
    first = credit_gap(0.2, n_borrowers=300, n_rounds=3, population=population, rng=8)
    again = credit_gap(0.2, n_borrowers=300, n_rounds=3, population=population, rng=8)
    pd.testing.assert_frame_equal(first, again)
    assert first["gap"].iloc[0] == pytest.approx(first["mean_a"].iloc[0] - first["mean_b"].iloc[0])
    rows = lending_rounds("equal_opportunity", n_borrowers=300, n_rounds=2,
                          population=population, rng=9)
    assert set(rows["group"]) == {"a", "b"}
    with pytest.raises(ValueError, match="exactly two groups"):
        credit_gap(0.2, population=random_population(np.random.default_rng(0)))


# --------------------------------------------------------------------------- the sound loop


def pairs_society(population, n=200, rng=5):
    """Citizens tied in pairs (0-1, 2-3, ...): each even citizen's only tie is the next one."""
    society = homophilous_sbm(n, group_shares=(0.5, 0.5), group_names=tuple(population.groups),
                              homophily=0.5, rng=rng)
    return from_edges(society.citizens, np.arange(0, n, 2), np.arange(1, n, 2))


def test_sound_and_legacy_loops_agree_without_association():
    population = two_point()
    society = homophilous_sbm(300, group_shares=(0.5, 0.5), group_names=("a", "b"),
                              homophily=0.5, rng=5)
    borrowers = draw_borrowers(population, groups=society.groups, rng=6)
    for rule in RULES:
        sound = simulate_lending(borrowers, population, rule=rule, n_rounds=4, society=society,
                                 alpha=0.0, rng=7)
        legacy = simulate_lending(borrowers, population, rule=rule, n_rounds=4, society=society,
                                  alpha=0.0, loop="legacy", rng=7)
        pd.testing.assert_frame_equal(sound.history, legacy.history)
        pd.testing.assert_frame_equal(sound.scores, legacy.scores)
        pd.testing.assert_frame_equal(sound.displayed, sound.scores)
        attributed = sound.history[["refused_for_ties", "approved_for_ties"]].dropna()
        assert (attributed == 0).all().all()
        assert np.allclose(sound.history["profit"].dropna(), sound.history["profit_at_own"].dropna())
    with pytest.raises(ValueError, match="loop must be one of"):
        simulate_lending(borrowers, population, loop="old")


def test_repayment_depends_on_own_score_not_on_neighbours():
    population = two_point()
    society = pairs_society(population)
    even = society.citizens.index % 2 == 0
    high = draw_borrowers(population, groups=society.groups, rng=6).assign(score=700.0)
    low_partners = high.assign(score=np.where(even, 700.0, 400.0))
    runs = {name: simulate_lending(table, population, n_rounds=2, society=society, alpha=0.5,
                                   rng=7)
            for name, table in (("high", high), ("low", low_partners))}
    # the even citizens' own score is 700 in both; their partner's 700 or 400. Break-even
    # 0.8 is reached at 625: displayed 700 is lent to, displayed 600 is not.
    assert runs["high"].displayed.loc[even, 0].eq(700.0).all()
    np.testing.assert_allclose(runs["low"].displayed.loc[even, 0], 600.0)
    assert runs["high"].lent.loc[even, 1].all() and not runs["low"].lent.loc[even, 1].any()
    # same draws, same own score: the same repayment, whatever the partner's score
    pd.testing.assert_series_equal(runs["high"].repaid.loc[even, 1], runs["low"].repaid.loc[even, 1])
    row = runs["low"].history.query("round == 1").set_index("group")
    refused = (~runs["low"].lent.loc[even, 1] & runs["low"].repaid.loc[even, 1])
    by_group = refused.groupby(society.groups[even].to_numpy()).sum()
    members = society.groups.value_counts()
    for group in population.groups:
        assert row.loc[group, "refused_for_ties"] == pytest.approx(by_group[group] / members[group])
    assert row["refused_for_ties"].sum() > 0
    # in the legacy loop repayment follows the associated score: round 2 differs
    legacy = {name: simulate_lending(table, population, n_rounds=2, society=society, alpha=0.5,
                                     loop="legacy", rng=7)
              for name, table in (("high", high), ("low", low_partners))}
    assert (legacy["high"].repaid.loc[even, 2] != legacy["low"].repaid.loc[even, 2]).any()


def test_legacy_loop_is_the_old_rule():
    population = two_point()
    society = homophilous_sbm(300, group_shares=(0.5, 0.5), group_names=("a", "b"),
                              homophily=0.5, rng=5)
    borrowers = draw_borrowers(population, groups=society.groups, rng=6)
    run = simulate_lending(borrowers, population, n_rounds=3, society=society, alpha=0.5,
                           loop="legacy", rng=7)
    terms = LoanTerms()
    for round_ in (1, 2, 3):
        before = run.scores[round_ - 1].to_numpy()
        change = np.where(run.repaid[round_], terms.repay_change, terms.default_change)
        moved = np.where(run.lent[round_], np.clip(before + change, 300, 850), before)
        np.testing.assert_allclose(run.scores[round_], propagate(society, moved, alpha=0.5),
                                   atol=1e-6)


def test_sound_loop_does_not_drift_to_the_cap():
    population = two_point(sizes=(1.0, 1.0))
    society = homophilous_sbm(1000, group_shares=(0.5, 0.5), group_names=("a", "b"),
                              homophily=0.8, mean_degree=10.0, rng=8)
    borrowers = draw_borrowers(population, groups=society.groups, rng=9)

    def final(alpha, loop):
        run = simulate_lending(borrowers, population, n_rounds=15, society=society, alpha=alpha,
                               loop=loop, rng=10)
        return run.history.query("round == 15").set_index("group")["mean_score"], run.scores[15]

    (without, spread), (sound, sound_scores) = final(0.0, "sound"), final(0.4, "sound")
    legacy, legacy_scores = final(0.4, "legacy")
    # the artefact: both groups near the 850 cap, the spread gone, the gap closed
    assert (legacy > 820).all() and legacy_scores.std() < 0.25 * spread.std()
    # the sound loop keeps the groups where lending alone takes them
    assert (np.abs(sound - without) < 40).all() and (sound < 750).all()
    assert sound["b"] - sound["a"] > 100 and sound_scores.std() > 0.8 * spread.std()


def test_association_errors_are_paired_with_the_counterfactual():
    population = two_point()
    settings = dict(n_borrowers=400, n_rounds=4, population=population, homophily=0.8)
    none = association_errors(0.0, rng=11, **settings)
    differences = [c for c in none.columns if c.endswith("_difference")]
    assert (none[differences] == 0).all().all()
    assert (none[["refused_for_ties", "approved_for_ties"]] == 0).all().all()
    strong = association_errors(0.5, rng=11, **settings)
    assert strong.equals(association_errors(0.5, rng=11, **settings))
    # the counterfactual is the no-association run on the same society and draws
    pd.testing.assert_frame_equal(strong.filter(like="_counterfactual"),
                                  none.filter(like="_counterfactual"))
    baseline = credit_gap(0.0, rng=11, **settings).iloc[-1]
    assert strong["final_mean_score_counterfactual"].tolist() == pytest.approx(
        [baseline["mean_a"], baseline["mean_b"]])
    with_ties = credit_gap(0.5, rng=11, **settings).iloc[-1]
    assert strong["gap_difference"].iloc[0] == pytest.approx(
        with_ties["gap"] - baseline["gap"])
    # association makes errors the own scores would not: some repayers refused for ties
    assert strong["refused_for_ties"].sum() > 0
    assert (strong["refused_for_ties"] <= strong["refused_repayers"] + 1e-12).all()
    assert (strong["approved_for_ties"] <= strong["approved_defaulters"] + 1e-12).all()


def test_paired_effects_table():
    population = two_point()
    runs = sweep(association_errors, {"alpha": [0.0, 0.5]}, n_replicates=3, rng=12,
                 fixed=dict(n_borrowers=300, n_rounds=3, population=population))
    table = paired_effects(runs, by=["alpha"])
    metrics = table.loc[0.5].drop(index="gap", level="metric")
    np.testing.assert_allclose(metrics["difference"], metrics["with"] - metrics["without"],
                               atol=1e-9)
    assert (metrics["low"] <= metrics["difference"]).all()
    assert (metrics["difference"] <= metrics["high"]).all()
    assert (table.loc[0.0, "difference"] == 0).all()
    assert table.xs("gap", level="metric").index.get_level_values("group").tolist() == ["a", "a"]
    means = runs[runs["alpha"] == 0.5].groupby("group")["profit"].mean()
    assert table.loc[(0.5, "b", "profit"), "with"] == pytest.approx(means["b"])
