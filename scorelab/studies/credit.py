"""The credit gate over many rounds, with and without guilt by association (notebook 06).

Notebooks hold no model logic: each scenario here draws borrowers from the FICO tables (or
any :class:`scorelab.lending.CreditPopulation`), runs the lending loop and returns the
numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorelab.defaults import HOMOPHILY, MEAN_DEGREE
from scorelab._validation import check_integer, check_probability, check_real, check_rng
from scorelab.findings import finding, findings_frame
from scorelab.lending import LOOPS, CreditPopulation, draw_borrowers, load_fico, simulate_lending
from scorelab.society import homophilous_sbm

__all__ = ["lending_rounds", "credit_gap", "association_errors", "paired_effects",
           "reproduction_checks", "findings", "RESTS_ON", "FINDINGS"]

NOTEBOOK = "06-credit-delayed-impact"

#: The headline findings of notebook 06: id -> (rule, group or None for the gap, metric,
#: statement). Each is a paired difference, with association minus without, at one alpha.
FINDINGS = {
    "credit.max-profit-refuses-more-black-repayers": (
        "max_profit", "Black", "refused_repayers",
        "Under maximum profit, association changes the share of the Black group refused "
        "although they would repay (per round)."),
    "credit.max-profit-refuses-fewer-white-repayers": (
        "max_profit", "White", "refused_repayers",
        "Under maximum profit, association changes the share of the White group refused "
        "although they would repay (per round)."),
    "credit.max-profit-black-profit": (
        "max_profit", "Black", "profit",
        "Under maximum profit, association changes the lender's profit per Black member "
        "and round."),
    "credit.max-profit-white-profit": (
        "max_profit", "White", "profit",
        "Under maximum profit, association changes the lender's profit per White member "
        "and round."),
    "credit.parity-approves-more-black-defaulters": (
        "demographic_parity", "Black", "approved_defaulters",
        "Under demographic parity, association changes the share of the Black group "
        "approved who then default (per round)."),
    "credit.parity-black-profit": (
        "demographic_parity", "Black", "profit",
        "Under demographic parity, association changes the lender's profit per Black member "
        "and round."),
    "credit.max-profit-gap-change": (
        "max_profit", None, "gap",
        "Under maximum profit, association changes the final gap of mean own scores, "
        "White minus Black (points)."),
    "credit.equal-opportunity-gap-change": (
        "equal_opportunity", None, "gap",
        "Under equal opportunity, association changes the final gap of mean own scores, "
        "White minus Black (points)."),
    "credit.parity-gap-change": (
        "demographic_parity", None, "gap",
        "Under demographic parity, association changes the final gap of mean own scores, "
        "White minus Black (points)."),
}

# What each finding rests on, read from notebook 09's sensitivity table through the output
# that measures the same quantity: the change of the groups' own-score gap (under each
# lender) reads the credit loop's; the lender's errors and profits by group read the
# lender model's paired association-minus-none contrast of the same rule, group and metric.
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

_LENDER_OUTPUTS = {
    "credit.max-profit-refuses-more-black-repayers": "lender.max_profit_refused_repayers_black",
    "credit.max-profit-refuses-fewer-white-repayers": "lender.max_profit_refused_repayers_white",
    "credit.max-profit-black-profit": "lender.max_profit_profit_black",
    "credit.max-profit-white-profit": "lender.max_profit_profit_white",
    "credit.parity-approves-more-black-defaulters": "lender.parity_approved_defaulters_black",
    "credit.parity-black-profit": "lender.parity_profit_black",
}

RESTS_ON = {
    finding_id: "; ".join(rests_on_entry(
        "credit.gap_change" if finding_id.endswith("-gap-change") else
        _LENDER_OUTPUTS[finding_id]))
    for finding_id in FINDINGS
}


def _population(population):
    if population is None:
        population = load_fico()
    if not isinstance(population, CreditPopulation):
        raise TypeError(f"population must be a CreditPopulation, got {type(population).__name__}")
    if len(population.groups) != 2:
        raise ValueError(f"the credit studies compare exactly two groups (reference first), got "
                         f"{population.groups}; use population.select([...])")
    return population


def lending_rounds(rule="max_profit", *, n_borrowers=2000, n_rounds=10, population=None,
                   terms=None, rng=None):
    """Each group's mean score and lending over rounds under one rule: one replicate.

    Draws ``n_borrowers`` from ``population`` (default :func:`scorelab.lending.load_fico`,
    White and Black) and runs :func:`scorelab.lending.simulate_lending` without
    association.

    Parameters
    ----------
    rule : str, default "max_profit"
        The lender's rule (:data:`scorelab.lending.RULES`).
    n_borrowers : int, default 2000
        Borrowers drawn from ``population``.
    n_rounds : int, default 10
        Lending rounds.
    population : CreditPopulation, optional
        Exactly two groups, the reference first; default the FICO tables, White and
        Black.
    terms : LoanTerms, optional
        Gains, losses and score changes of a loan (default ``LoanTerms()``).
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7).

    Returns
    -------
    pandas.DataFrame
        The run's ``history`` plus ``gap``: the reference (first) group's mean score minus
        the other's, repeated on both groups' rows of a round.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> rows = lending_rounds(n_borrowers=100, n_rounds=2, population=population, rng=1)
    >>> rows["round"].tolist()
    [0, 0, 1, 1, 2, 2]
    """
    population = _population(population)
    draw_rng, loop_rng = np.random.default_rng(check_rng(rng)).spawn(2)
    borrowers = draw_borrowers(population, n_borrowers, rng=draw_rng)
    run = simulate_lending(borrowers, population, rule=rule, n_rounds=n_rounds, terms=terms,
                           rng=loop_rng)
    reference, other = population.groups
    history = run.history.copy()
    history["gap"] = history["round"].map(run.gap(reference, other))
    history["group"] = history["group"].astype(str)
    return history


def _tied_borrowers(population, n_borrowers, homophily, mean_degree, rng):
    """A homophilous society in the population's shares, its borrowers, and the loop's seed."""
    society_rng, draw_rng, loop_rng = np.random.default_rng(check_rng(rng)).spawn(3)
    society = homophilous_sbm(
        n_borrowers,
        group_shares=tuple(population.shares),
        group_names=tuple(population.groups),
        mean_degree=mean_degree,
        homophily=homophily,
        rng=society_rng,
    )
    borrowers = draw_borrowers(population, groups=society.groups, rng=draw_rng)
    return society, borrowers, loop_rng.bit_generator.seed_seq


def _check_setting(alpha, n_borrowers, homophily, mean_degree, population, loop="sound"):
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, got {loop!r}")
    return (check_probability("alpha", alpha),
            check_integer("n_borrowers", n_borrowers, minimum=2),
            check_probability("homophily", homophily),
            check_real("mean_degree", mean_degree, minimum=0.0),
            _population(population))


def credit_gap(
    alpha=0.0,
    *,
    rule="max_profit",
    n_borrowers=2000,
    n_rounds=10,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    loop="sound",
    population=None,
    terms=None,
    rng=None,
):
    """The score gap between two groups over rounds of lending with association ``alpha``.

    Builds a homophilous society (:func:`scorelab.society.homophilous_sbm`) whose groups
    have the population's shares, draws every citizen's own score from their group's
    distribution, and runs :func:`scorelab.lending.simulate_lending` with ``rule``: the
    lender sees the displayed scores (association of weight ``alpha`` over the society's
    ties), repayment follows the own scores. With ``alpha = 0`` this is the
    no-association baseline on the same kind of society.

    Parameters
    ----------
    alpha : float, default 0.0
        Association weight in [0, 1].
    rule : str, default "max_profit"
        The lender's rule (:data:`scorelab.lending.RULES`).
    n_borrowers : int, default 2000
        Borrowers drawn from ``population``.
    n_rounds : int, default 10
        Lending rounds.
    homophily : float, default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Homophily of the ties.
    mean_degree : float, default 10 (:data:`scorelab.defaults.MEAN_DEGREE`)
        Mean number of ties per borrower.
    loop : {"sound", "legacy"}, default "sound"
        The lending loop (:func:`scorelab.lending.simulate_lending`); ``"legacy"``
        reproduces scorelab 0.1.
    population : CreditPopulation, optional
        Exactly two groups, the reference first; default the FICO tables, White and
        Black.
    terms : LoanTerms, optional
        Gains, losses and score changes of a loan (default ``LoanTerms()``).
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7).

    Returns
    -------
    pandas.DataFrame
        One row per round (0 = start): ``round``, ``gap`` (reference mean own score minus
        the other group's), ``displayed_gap`` (the same for the displayed scores),
        ``mean_<group>`` (own scores) for both groups and ``selection_rate_<group>`` for
        both (NaN at round 0).

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> rows = credit_gap(0.3, n_borrowers=200, n_rounds=2, population=population, rng=1)
    >>> list(rows.columns)
    ['round', 'gap', 'displayed_gap', 'mean_a', 'mean_b', 'selection_rate_a', 'selection_rate_b']
    """
    alpha, n_borrowers, homophily, mean_degree, population = _check_setting(
        alpha, n_borrowers, homophily, mean_degree, population, loop)
    society, borrowers, loop_seed = _tied_borrowers(population, n_borrowers, homophily,
                                                    mean_degree, rng)
    run = simulate_lending(borrowers, population, rule=rule, n_rounds=n_rounds, terms=terms,
                           society=society, alpha=alpha, loop=loop, rng=loop_seed)
    reference, other = population.groups
    wide = run.history.pivot(index="round", columns="group",
                             values=["mean_score", "mean_displayed", "selection_rate"])
    rows = pd.DataFrame({"round": wide.index.to_numpy(),
                         "gap": run.gap(reference, other).to_numpy(),
                         "displayed_gap": (wide[("mean_displayed", reference)]
                                           - wide[("mean_displayed", other)]).to_numpy()})
    for group in (reference, other):
        rows[f"mean_{group}"] = wide[("mean_score", group)].to_numpy()
    for group in (reference, other):
        rows[f"selection_rate_{group}"] = wide[("selection_rate", group)].to_numpy()
    return rows


#: The lender's outcomes that :func:`association_errors` compares with the counterfactual.
ERROR_METRICS = ("refused_repayers", "approved_defaulters", "profit", "final_mean_score")


def association_errors(
    alpha,
    *,
    rule="max_profit",
    n_borrowers=2000,
    n_rounds=10,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    population=None,
    terms=None,
    rng=None,
):
    """What association does to the lender's errors, by group, against no association.

    Runs the sound lending loop (:func:`scorelab.lending.simulate_lending`) twice on the
    same society, borrowers and random draws: with association ``alpha`` and without
    (the counterfactual ``alpha = 0``), so that differences are paired by seed.

    Parameters
    ----------
    alpha : float
        Association weight in [0, 1].
    rule, n_borrowers, n_rounds, homophily, mean_degree, population, terms, rng
        As in :func:`credit_gap`.

    Returns
    -------
    pandas.DataFrame
        One row per group. For each metric of :data:`ERROR_METRICS` three columns: the
        value with association (``<metric>``), without (``<metric>_counterfactual``) and
        the paired difference (``<metric>_difference``). ``refused_repayers``: would-be
        repayers refused, ``approved_defaulters``: defaulters approved, both as shares of
        the group per round, averaged over the rounds; ``profit``: the lender's profit per
        member of the group per round; ``final_mean_score``: the group's mean own score
        after the last round. Also ``refused_for_ties`` and ``approved_for_ties`` (the
        shares whose decision their own score would have reversed, per round, with
        association) and ``gap_difference``: the change of the final gap between the
        groups (reference minus other), repeated on both rows.

    Notes
    -----
    Paired by construction: both runs take the same uniform draws, so at ``alpha = 0``
    every difference is exactly 0 (checked in ``tests/test_lending.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> errors = association_errors(0.0, n_borrowers=200, n_rounds=2, population=population,
    ...                             rng=1)
    >>> errors[["group", "refused_repayers_difference", "profit_difference"]].values.tolist()
    [['a', 0.0, 0.0], ['b', 0.0, 0.0]]
    """
    alpha, n_borrowers, homophily, mean_degree, population = _check_setting(
        alpha, n_borrowers, homophily, mean_degree, population)
    society, borrowers, loop_seed = _tied_borrowers(population, n_borrowers, homophily,
                                                    mean_degree, rng)
    summaries = {}
    for name, weight in (("with", alpha), ("without", 0.0)):
        run = simulate_lending(borrowers, population, rule=rule, n_rounds=n_rounds,
                               terms=terms, society=society, alpha=weight, rng=loop_seed)
        rounds = run.history[run.history["round"] > 0].groupby("group", observed=True)
        summary = rounds[["refused_repayers", "approved_defaulters", "profit",
                          "refused_for_ties", "approved_for_ties"]].mean()
        summary["final_mean_score"] = run.history[run.history["round"] == n_rounds] \
            .set_index("group")["mean_score"]
        summaries[name] = summary
    with_, without = summaries["with"], summaries["without"]
    rows = pd.DataFrame({"group": [str(g) for g in population.groups]})
    for metric in ERROR_METRICS:
        rows[metric] = with_[metric].to_numpy()
        rows[f"{metric}_counterfactual"] = without[metric].to_numpy()
        rows[f"{metric}_difference"] = rows[metric] - rows[f"{metric}_counterfactual"]
    rows["refused_for_ties"] = with_["refused_for_ties"].to_numpy()
    rows["approved_for_ties"] = with_["approved_for_ties"].to_numpy()
    change = rows["final_mean_score_difference"].to_numpy()
    rows["gap_difference"] = change[0] - change[1]
    return rows


def paired_effects(errors, *, by=("rule", "alpha"), level=0.95):
    """Effects of association beside their counterfactual, with intervals over replicates.

    Parameters
    ----------
    errors : pandas.DataFrame
        Rows of :func:`association_errors` over replicates, e.g. from
        :func:`scorelab.experiments.sweep`, with the swept columns ``by``.
    by : sequence of str, default ("rule", "alpha")
        The swept parameters.
    level : float, default 0.95
        Confidence level of the Student-t intervals of the paired differences.

    Returns
    -------
    pandas.DataFrame
        Indexed (sorted) by ``by``, ``group`` and ``metric`` (those of
        :data:`ERROR_METRICS` and ``gap``): ``with`` (mean over replicates with association), ``without`` (the
        counterfactual), ``difference`` (mean paired difference) with its interval
        ``low``/``high``, ``n`` (replicates), and ``for_ties`` (for ``refused_repayers``
        and ``approved_defaulters``: the part whose decision the own score would have
        reversed). The ``gap`` rows carry only the difference (under the reference group).

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.experiments import sweep
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> runs = sweep(association_errors, {"alpha": [0.3]}, n_replicates=3, rng=1,
    ...              fixed=dict(n_borrowers=200, n_rounds=2, population=population))
    >>> table = paired_effects(runs, by=["alpha"])
    >>> list(table.index.names), list(table.columns)
    (['alpha', 'group', 'metric'], ['with', 'without', 'difference', 'low', 'high', 'n', 'for_ties'])
    """
    from scorelab.experiments import confidence_intervals

    by = list(by)
    keys = by + ["group"]
    columns = [f"{m}_difference" for m in ERROR_METRICS] + ["gap_difference"]
    intervals = confidence_intervals(errors, keys, columns, level=level)
    intervals["metric"] = intervals["metric"].str.removesuffix("_difference")
    table = intervals.set_index(keys + ["metric"])[["mean", "low", "high", "n"]] \
        .rename(columns={"mean": "difference"})
    means = errors.groupby(keys, sort=False).mean(numeric_only=True)
    long = {}
    for name, suffix in (("with", ""), ("without", "_counterfactual")):
        part = means[[f"{m}{suffix}" for m in ERROR_METRICS]]
        part.columns = list(ERROR_METRICS)
        long[name] = part.stack()
    ties = means[["refused_for_ties", "approved_for_ties"]]
    ties.columns = ["refused_repayers", "approved_defaulters"]
    long["for_ties"] = ties.stack()
    values = pd.DataFrame(long)
    values.index = values.index.set_names(keys + ["metric"])
    table = values[["with", "without"]].join(table, how="right").join(values[["for_ties"]])
    reference = str(errors["group"].iloc[0])
    gap = table.index.get_level_values("metric") == "gap"
    other_rows = gap & (table.index.get_level_values("group") != reference)
    columns = ["with", "without", "difference", "low", "high", "n", "for_ties"]
    return table[~other_rows][columns].sort_index()


def reproduction_checks(one_step, by_loss=None, *, loss=None, cautious_loss=None):
    """Liu et al. (2018)'s one-step results, as named checks (a reproduction, not findings).

    Parameters
    ----------
    one_step : pandas.DataFrame
        :func:`scorelab.lending.compare_rules` on the FICO tables (groups White and
        Black), loss/gain -4/+1.
    by_loss : pandas.DataFrame, optional
        The Black group's rows of :func:`scorelab.lending.compare_rules` indexed by
        ``loss`` and ``rule``, with ``loss`` and ``cautious_loss`` among its losses.
    loss, cautious_loss : float, optional
        The two losses of ``by_loss``.

    Returns
    -------
    dict of str to bool
        Each check of the paper's one-step comparison: the constraints hold exactly
        (parity: equal selection rates; equal opportunity: equal true-positive rates);
        demographic parity causes active harm to the Black group while equal
        opportunity and maximum profit improve it; with ``by_loss``, no rule harms the
        Black group at the cautious loss. The notebook asserts every one.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.lending import CreditPopulation, compare_rules
    >>> pmf = pd.DataFrame({"White": [0.2, 0.8], "Black": [0.6, 0.4]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"White": [0.5, 0.95], "Black": [0.5, 0.95]},
    ...                      index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"White": 5, "Black": 1}))
    >>> checks = reproduction_checks(compare_rules(population))
    >>> checks["demographic parity: equal selection rates"], len(checks)
    (True, 5)
    """
    black = one_step.xs("Black", level="group")
    checks = {
        "demographic parity: equal selection rates":
            bool(np.ptp(one_step.loc["demographic_parity", "selection_rate"]) < 1e-9),
        "equal opportunity: equal true-positive rates":
            bool(np.ptp(one_step.loc["equal_opportunity", "true_positive_rate"]) < 1e-9),
        "demographic parity harms the Black group (delta mu < 0)":
            bool(black.loc["demographic_parity", "delta_mu"] < 0),
        "equal opportunity improves the Black group (delta mu > 0)":
            bool(black.loc["equal_opportunity", "delta_mu"] > 0),
        "maximum profit improves the Black group (delta mu > 0)":
            bool(black.loc["max_profit", "delta_mu"] > 0),
    }
    if by_loss is not None:
        checks[f"loss {cautious_loss}: no rule harms the Black group"] = bool(
            (by_loss.loc[cautious_loss, "delta_mu"] > 0).all())
        checks[f"loss {loss}: demographic parity harms the Black group"] = bool(
            by_loss.loc[(loss, "demographic_parity"), "delta_mu"] < 0)
    return checks


def findings(errors, *, alpha, n_borrowers, seed, scale="default"):
    """The findings register of notebook 06: association's effects, paired by seed.

    Parameters
    ----------
    errors : pandas.DataFrame
        A sweep of :func:`association_errors` over ``rule`` and ``alpha`` (column
        ``replicate``), holding every rule of :data:`FINDINGS` at ``alpha``.
    alpha : float
        The association weight the findings are read at (e.g. the largest swept).
    n_borrowers : int
        Borrowers per replicate.
    seed : int
        The notebook's root seed.
    scale : {"default", "full"}, default "default"

    Returns
    -------
    pandas.DataFrame
        A validated register (:func:`scorelab.findings.findings_frame`), one row per
        entry of :data:`FINDINGS` in its order: the mean paired difference (with minus
        without association, same society, borrowers and draws) with its 95 % Student-t
        interval over replicates; ``rests_on`` from :data:`RESTS_ON`.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.experiments import sweep
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"White": [0.3, 0.7], "Black": [0.6, 0.4]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"White": [0.5, 0.9], "Black": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"White": 3, "Black": 1}))
    >>> errors = sweep(association_errors, {"rule": ["max_profit", "demographic_parity",
    ...                "equal_opportunity"], "alpha": [0.3]}, n_replicates=2, rng=1,
    ...                fixed=dict(n_borrowers=200, n_rounds=2, population=population))
    >>> register = findings(errors, alpha=0.3, n_borrowers=200, seed=1)
    >>> register["id"].tolist() == list(FINDINGS)
    True
    """
    if "replicate" not in errors.columns:
        raise ValueError("errors must be a sweep of association_errors (column 'replicate')")
    at = errors[np.isclose(errors["alpha"], alpha)]
    if at.empty:
        raise ValueError(f"errors holds no runs at alpha = {alpha}")
    rows = []
    for finding_id, (rule, group, metric, statement) in FINDINGS.items():
        runs = at[at["rule"] == rule]
        if runs.empty:
            raise ValueError(f"errors holds no runs of rule {rule!r} at alpha = {alpha}")
        if group is None:  # the gap's change is repeated on both rows of a replicate
            runs = runs.drop_duplicates("replicate").sort_values("replicate")
            values, counterfactual = runs["gap_difference"], np.zeros(len(runs))
        else:
            runs = runs[runs["group"] == group].sort_values("replicate")
            values, counterfactual = runs[metric], runs[f"{metric}_counterfactual"]
        rows.append(finding(
            finding_id, values.to_numpy(float), counterfactual=np.asarray(counterfactual, float),
            notebook=NOTEBOOK, statement=f"{statement} Association weight {alpha}.",
            n_citizens=n_borrowers, seed=seed, scale=scale,
            rests_on=RESTS_ON[finding_id].split("; ")))
    return findings_frame(rows)
