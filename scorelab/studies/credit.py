"""The credit gate over many rounds, with and without guilt by association (notebook 06).

Notebooks hold no model logic: each scenario here draws borrowers from the FICO tables (or
any :class:`scorelab.lending.CreditPopulation`), runs the lending loop and returns the
numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_probability, check_real
from scorelab.lending import CreditPopulation, draw_borrowers, load_fico, simulate_lending
from scorelab.society import homophilous_sbm

__all__ = ["lending_rounds", "credit_gap"]


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
    draw_rng, loop_rng = np.random.default_rng(rng).spawn(2)
    borrowers = draw_borrowers(population, n_borrowers, rng=draw_rng)
    run = simulate_lending(borrowers, population, rule=rule, n_rounds=n_rounds, terms=terms,
                           rng=loop_rng)
    reference, other = population.groups
    history = run.history.copy()
    history["gap"] = history["round"].map(run.gap(reference, other))
    history["group"] = history["group"].astype(str)
    return history


def credit_gap(
    alpha=0.0,
    *,
    rule="max_profit",
    n_borrowers=2000,
    n_rounds=10,
    homophily=0.8,
    mean_degree=10.0,
    population=None,
    terms=None,
    rng=None,
):
    """The score gap between two groups over rounds of lending with association ``alpha``.

    Builds a homophilous society (:func:`scorelab.society.homophilous_sbm`) whose groups
    have the population's shares, draws every citizen's score from their group's
    distribution, and runs :func:`scorelab.lending.simulate_lending` with ``rule`` and,
    after every round, association of weight ``alpha`` over the society's ties. With
    ``alpha = 0`` this is the no-association baseline on the same kind of society.

    Parameters
    ----------
    alpha : float, default 0.0
        Association weight in [0, 1].
    rule : str, default "max_profit"
        The lender's rule (:data:`scorelab.lending.RULES`).
    n_borrowers : int, default 2000
    n_rounds : int, default 10
    homophily : float, default 0.8
        Homophily of the ties.
    mean_degree : float, default 10.0
    population : CreditPopulation, optional
        Exactly two groups, the reference first; default the FICO tables, White and
        Black.
    terms : LoanTerms, optional
    rng : seed or Generator

    Returns
    -------
    pandas.DataFrame
        One row per round (0 = start): ``round``, ``gap`` (reference mean minus the other
        group's mean), ``mean_<group>`` for both groups and ``selection_rate_<group>`` for
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
    ['round', 'gap', 'mean_a', 'mean_b', 'selection_rate_a', 'selection_rate_b']
    """
    alpha = check_probability("alpha", alpha)
    n_borrowers = check_integer("n_borrowers", n_borrowers, minimum=2)
    homophily = check_probability("homophily", homophily)
    mean_degree = check_real("mean_degree", mean_degree, minimum=0.0)
    population = _population(population)
    society_rng, draw_rng, loop_rng = np.random.default_rng(rng).spawn(3)
    society = homophilous_sbm(
        n_borrowers,
        group_shares=tuple(population.shares),
        group_names=tuple(population.groups),
        mean_degree=mean_degree,
        homophily=homophily,
        rng=society_rng,
    )
    borrowers = draw_borrowers(population, groups=society.groups, rng=draw_rng)
    run = simulate_lending(borrowers, population, rule=rule, n_rounds=n_rounds, terms=terms,
                           society=society, alpha=alpha, rng=loop_rng)
    reference, other = population.groups
    wide = run.history.pivot(index="round", columns="group",
                             values=["mean_score", "selection_rate"])
    rows = pd.DataFrame({"round": wide.index.to_numpy(),
                         "gap": run.gap(reference, other).to_numpy()})
    for group in (reference, other):
        rows[f"mean_{group}"] = wide[("mean_score", group)].to_numpy()
    for group in (reference, other):
        rows[f"selection_rate_{group}"] = wide[("selection_rate", group)].to_numpy()
    return rows
