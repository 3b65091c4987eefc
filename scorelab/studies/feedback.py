"""Feedback loops between scores and the network: phase diagrams (notebook 02).

The citizen game (:func:`scorelab.dynamics.simulate`) closes the loop
score -> ostracism and rewiring -> network -> association -> score. The scenarios here run
it on a two-group homophilous society for one association weight and one ostracism rate,
summarise the end of the run and classify it as *converged*, *polarised* or *collapsed*,
so that a sweep over both parameters draws the phase diagram.

Notebooks hold no model logic: each scenario here builds a society, runs the model and
returns the numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from scorelab.defaults import HOMOPHILY, MEAN_DEGREE
from scorelab import metrics
from scorelab._validation import (
    check_integer,
    check_probability,
    check_real,
    check_rng,
    renamed_keywords,
)
from scorelab.dynamics import ALL_GATES, DEFAULT_STAKES, GameConfig, simulate
from scorelab.experiments import sweep
from scorelab.findings import findings_frame
from scorelab.society import TIE_KINDS
from scorelab.studies.common import finding_maker, two_group_society
from scorelab.studies.norms import dose_intervals

__all__ = [
    "END_METRICS",
    "NOTEBOOK",
    "REGIMES",
    "RESTS_ON",
    "classify_regime",
    "feedback_game",
    "feedback_run",
    "feedback_baselines",
    "feedback_key_numbers",
    "feedback_trajectory",
    "findings",
    "regimes_by_point",
    "unfriending_findings",
    "unfriending_game",
    "unfriending_intervals",
    "unfriending_sweep",
]

NOTEBOOK = "02-feedback-loops"

#: What each finding rests on, read from notebook 09's sensitivity table through the output
#: that measures the same quantity (a finding about what a lever does to a quantity reads
#: that quantity's output; notebook 09's ``feedback`` model runs :func:`feedback_run` and
#: gives the isolation of low scorers, the Gini and diversity contrasts on one seed and the
#: share of unreplaced cuts).
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

RESTS_ON = {
    "feedback.ostracism-fragments": rests_on_entry("game.largest_component_share"),
    "feedback.association-holds-network": rests_on_entry("game.largest_component_share"),
    "feedback.ostracism-isolates-low-scorers": rests_on_entry("feedback.low_scorer_isolation"),
    "feedback.ostracism-sorts-scores": rests_on_entry("game.score_assortativity"),
    "feedback.association-sorts-scores": rests_on_entry("game.score_assortativity"),
    "feedback.association-compresses-scores": rests_on_entry("feedback.displayed_gini_change"),
    "feedback.association-compresses-wealth": rests_on_entry("feedback.wealth_gini_change"),
    "feedback.ostracism-diversifies-behaviour": rests_on_entry(
        "feedback.behaviour_diversity_change"),
    "feedback.unreplaced-cuts": rests_on_entry("feedback.unreplaced_share"),
    "feedback.fragmentation-vs-gap-scale": rests_on_entry("game.largest_component_share"),
    "feedback.association-drives-strategic-cuts": rests_on_entry("game.strategic_cuts"),
    "feedback.stakes-drive-strategic-cuts": rests_on_entry("game.strategic_cuts"),
    "feedback.association-reduces-social-cuts": rests_on_entry("game.social_cuts"),
}

#: The ids :func:`unfriending_findings` adds (the rest come from :func:`findings`).
UNFRIENDING_IDS = ("feedback.association-drives-strategic-cuts",
                   "feedback.stakes-drive-strategic-cuts",
                   "feedback.association-reduces-social-cuts")

#: The regimes of :func:`classify_regime`, in the order of increasing damage.
REGIMES = ("converged", "polarised", "collapsed")

#: History columns that :func:`feedback_run` averages over the last steps of a run.
END_METRICS = (
    "largest_component_share",
    "components",
    "isolation_low_scorers",
    "score_assortativity",
    "gini_displayed",
    "gini_wealth",
    "behaviour_diversity",
    "mean_displayed",
    "access_credit",
    "ties",
)


def classify_regime(largest_component_share, score_assortativity, *, collapse_below=0.5,
                    polarise_above=0.5):
    """The regime of a society's network and scores: converged, polarised or collapsed.

    Parameters
    ----------
    largest_component_share : float or array_like
        Share of citizens in the largest connected component, in [0, 1].
    score_assortativity : float or array_like
        Correlation of displayed scores across ties (:func:`scorelab.metrics.score_assortativity`),
        in [-1, 1]; NaN (no ties, or constant scores) counts as not polarised.
    collapse_below : float, default 0.5
        The network has *collapsed* when its largest component holds less than this share.
    polarise_above : float, default 0.5
        A connected society is *polarised* when the score assortativity exceeds this.

    Returns
    -------
    str or numpy.ndarray of str
        ``"collapsed"``, ``"polarised"`` or ``"converged"`` (a string for scalar input).

    Raises
    ------
    ValueError
        A share outside [0, 1] or a threshold outside its range.

    Notes
    -----
    The rules are checked in order of damage:

    1. **collapsed** - ``largest_component_share < collapse_below``. With the default 0.5
       no connected part of the society holds a majority of its citizens: there is no
       longer one society in which scores circulate, but islands (the percolation sense of
       losing the giant component).
    2. **polarised** - else, ``score_assortativity > polarise_above``. With the default
       0.5 a citizen's tie partners' scores account for more than a quarter
       (``0.5 ** 2``) of the variance of their own across ties: high scorers keep to high
       scorers and low scorers to low ones, though the network still hangs together.
       Association alone (no ostracism) makes scores assortative by smoothing them along
       ties, but stays well below 0.5 in notebook 02's societies up to an association
       weight of 0.9 (about 0.06 at 0, 0.3 at 0.9); values above 0.5 there come from
       ostracism sorting the ties.
    3. **converged** - otherwise: a connected society whose scores are not sorted along
       its ties. The word means that the loop settles into such a state, not that ties
       stop changing: with ostracism > 0 ties keep being cut and replaced.

    Both thresholds are conventions; the notebook shows the underlying measures as well,
    so that a reader can draw the boundary elsewhere.

    Examples
    --------
    >>> classify_regime(0.98, 0.2)
    'converged'
    >>> classify_regime(0.9, 0.7)
    'polarised'
    >>> classify_regime([0.3, 0.9], [0.9, float("nan")]).tolist()
    ['collapsed', 'converged']
    """
    collapse_below = check_probability("collapse_below", collapse_below)
    polarise_above = check_real("polarise_above", polarise_above, minimum=-1.0, maximum=1.0)
    share = np.asarray(largest_component_share, dtype=float)
    assortativity = np.asarray(score_assortativity, dtype=float)
    if np.isnan(share).any() or ((share < 0) | (share > 1)).any():
        raise ValueError(
            f"largest_component_share must lie in [0, 1], got {largest_component_share!r}"
        )
    collapsed = share < collapse_below
    polarised = ~collapsed & (np.nan_to_num(assortativity, nan=-np.inf) > polarise_above)
    regime = np.where(collapsed, REGIMES[2], np.where(polarised, REGIMES[1], REGIMES[0]))
    return str(regime) if regime.ndim == 0 else regime


def _check_scenario(n_citizens, alpha, ostracism, association, n_steps, config,
                    gap_scale=None):
    check_integer("n_citizens", n_citizens, minimum=2)
    check_probability("alpha", alpha)
    check_probability("ostracism", ostracism)
    if not isinstance(association, bool):
        raise TypeError(f"association must be True or False, got {association!r}")
    check_integer("n_steps", n_steps, minimum=1)
    config = GameConfig() if config is None else config
    if not isinstance(config, GameConfig):
        raise TypeError(f"config must be a GameConfig or None, got {type(config).__name__}")
    policy = dataclasses.replace(config.policy, alpha=alpha)
    if gap_scale is not None:
        config = dataclasses.replace(config, gap_scale=gap_scale)  # validated by GameConfig
    return dataclasses.replace(config, policy=policy, ostracism=ostracism, association=association)


@renamed_keywords(association_weight="alpha")
def feedback_game(
    n_citizens=1500,
    *,
    alpha=0.3,
    ostracism=0.05,
    association=True,
    n_steps=25,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    config=None,
    record=(),
    gap_scale=None,
    rng=None,
):
    """Build a two-group society and run the citizen game on it.

    Parameters
    ----------
    n_citizens : int, default 1500
        Citizens (>= 2); 80 % majority, 20 % minority, same attribute distributions.
    alpha : float, default 0.3
        The scoring policy's association weight alpha, in [0, 1].
    ostracism : float, default 0.05
        ``GameConfig.ostracism``: the scale of the chance per step that the higher scorer
        of a tie cuts it, in [0, 1].
    association : bool, default True
        False gives the no-association baseline (displayed score = own score).
    n_steps : int, default 25
        Steps of the game (>= 1).
    homophily : float, default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Homophily of the initial ties (:func:`scorelab.society.homophilous_sbm`).
    mean_degree : float, default 10 (:data:`scorelab.defaults.MEAN_DEGREE`)
        Mean number of initial ties.
    config : GameConfig, optional
        Every other parameter of the game (default ``GameConfig()``); its association
        weight, ``ostracism`` and ``association`` are replaced by the arguments above.
    record : sequence of int or "all", default ()
        Steps at which to keep every citizen's state (:func:`scorelab.dynamics.simulate`).
    gap_scale : float, optional
        Replaces ``config.gap_scale`` (default 100 points): the score gap over which the
        chance to cut a tie approaches its maximum, ``1 - exp(-gap / gap_scale)``.
    rng : None, int or numpy.random.Generator
        Source of randomness (SPEC 7); split by ``spawn`` into the society's stream and
        the game's.

    Returns
    -------
    society : Society
        The initial society.
    result : SimulationResult
        The run (``result.society`` is the final society).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or out of range; the message names it.

    Examples
    --------
    >>> society, result = feedback_game(200, ostracism=0.0, n_steps=3, rng=1)
    >>> int(result.wide()["ties_cut"].sum()), result.society.n_ties == society.n_ties
    (0, True)
    """
    game = _check_scenario(n_citizens, alpha, ostracism, association, n_steps,
                           config, gap_scale)
    society_rng, game_rng = np.random.default_rng(check_rng(rng)).spawn(2)
    society = two_group_society(n_citizens, homophily=homophily, mean_degree=mean_degree,
                                rng=society_rng)
    return society, simulate(society, game, n_steps=n_steps, rng=game_rng, record=record)


@renamed_keywords(association_weight="alpha")
def feedback_run(
    n_citizens=1500,
    *,
    alpha=0.3,
    ostracism=0.05,
    association=True,
    n_steps=25,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    tail=5,
    config=None,
    gap_scale=None,
    rng=None,
):
    """The state a run of the citizen game ends in, and its regime: one replicate's numbers.

    Runs :func:`feedback_game` and reports, each averaged over the last ``tail`` steps
    (the state the loop has reached, with the step-to-step noise of the acts averaged
    out):

    - ``largest_component_share``, ``components``: fragmentation of the tie network
      (an isolated citizen is a component of their own);
    - ``isolation_low_scorers``: share of the lowest 10 % of displayed scores left
      without ties (:func:`scorelab.metrics.isolation_rate`);
    - ``score_assortativity``: correlation of displayed scores across ties;
    - ``gini_displayed``, ``gini_wealth``: inequality of scores and of wealth;
    - ``behaviour_diversity``: entropy (bits) of the citizens' per-domain approval
      profiles in a step (:func:`scorelab.metrics.behaviour_diversity`); with a few acts
      per domain and step it mostly measures the sampling noise of the acts;
    - ``expressed_behaviour_diversity``: entropy (bits, 10 bins) of each citizen's
      expressed approval rate averaged over the last ``tail`` steps: how different
      citizens' public behaviour is once the act-to-act noise is averaged out (0 when all
      behave alike, at most ``log2(10) = 3.32``);
    - ``mean_displayed``, ``access_credit``, ``ties``;

    and, for the whole run:

    - ``ties_cut_total``: ties cut by ostracism over the run, and ``ties_cut_share``, the
      same over the initial number of ties (the whole run's; the game history's measure
      of that name is one step's cuts over the ties at that step's start);
    - ``ties_added_total``: ties formed by rewiring over the run, and ``unreplaced_share``,
      ``1 - ties_added_total / ties_cut_total``, the share of cut ties the engine does not
      replace (a partner drawn as a friend of a friend who is the seeker or already a tie
      is dropped, not redrawn); NaN when no tie was cut;
    - ``components_initial``, ``largest_component_share_initial``: the initial society's
      fragmentation (:func:`scorelab.metrics.fragmentation`);
    - ``isolated_share``: share of all citizens without ties at the end (to compare with
      the isolation of low scorers);
    - ``association_effect``: mean ``|displayed - own|`` at the end, in points (0 with no
      association);
    - ``regime``: :func:`classify_regime` of the averaged largest component share and
      score assortativity, with its default thresholds.

    Parameters
    ----------
    n_citizens, alpha, ostracism, association, n_steps
        As in :func:`feedback_game`.
    homophily, mean_degree, config, gap_scale, rng
        As in :func:`feedback_game`.
    tail : int, default 5
        Steps at the end of the run to average over, in ``1..n_steps``.

    Returns
    -------
    dict
        Floats keyed by the names above, and the regime as a string.

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or out of range; the message names it.

    See Also
    --------
    feedback_trajectory : the same run step by step.
    scorelab.experiments.sweep : replicate it over a grid of parameters.

    Notes
    -----
    The loop studied is the second of DESIGN.md: score -> ostracism (the higher scorer
    cuts a tie with probability
    ``ostracism * (1 - cut_cost) * (1 - exp(-gap / gap_scale))``)
    and rewiring -> network -> association (Friedkin-Johnsen, weight alpha) -> score.
    It is the model of Holme & Newman [1]_ with the opinion replaced by a score: cutting
    ties to unlike others sorts the network by score and can break it into pieces, while
    association pulls tied citizens' scores together. Checked against its baselines in
    ``tests/test_studies_feedback.py``: ``ostracism=0`` cuts no tie and leaves the
    initial components as they were, ``association=False`` displays the own score, and
    so does ``alpha=0``, run for run.

    References
    ----------
    .. [1] P. Holme and M. E. J. Newman (2006), "Nonequilibrium phase transition in the
       coevolution of networks and opinions", Physical Review E 74:056108.
       https://doi.org/10.1103/PhysRevE.74.056108

    Examples
    --------
    >>> row = feedback_run(300, alpha=0.3, ostracism=0.0, n_steps=4, tail=2, rng=1)
    >>> row["ties_cut_total"], row["components"] == row["components_initial"], row["regime"]
    (0.0, True, 'converged')
    """
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    tail = check_integer("tail", tail, minimum=1)
    if tail > n_steps:
        raise ValueError(f"tail must be <= n_steps, got tail = {tail}, n_steps = {n_steps}")
    society, result = feedback_game(
        n_citizens, alpha=alpha, ostracism=ostracism,
        association=association, n_steps=n_steps, homophily=homophily,
        mean_degree=mean_degree, config=config, record=range(n_steps - tail, n_steps),
        gap_scale=gap_scale, rng=rng,
    )
    history = result.wide()
    # the last `tail` steps (the history's steps n_steps - tail + 1 .. n_steps)
    row = history[list(END_METRICS)].tail(tail).mean().to_dict()
    expressed = result.panel.groupby("citizen")["expressed_approval"].mean()
    initial = metrics.fragmentation(society)
    final = result.society.citizens
    row.update(
        ties_cut_total=history["ties_cut"].sum(),
        ties_cut_share=history["ties_cut"].sum() / max(society.n_ties, 1),
        ties_added_total=history["ties_added"].sum(),
        unreplaced_share=(1 - history["ties_added"].sum() / history["ties_cut"].sum()
                          if history["ties_cut"].sum() > 0 else np.nan),
        components_initial=initial.n_components,
        largest_component_share_initial=initial.largest_share,
        isolated_share=metrics.fragmentation(result.society).isolated_share,
        association_effect=(final["displayed_score"] - final["own_score"]).abs().mean(),
        expressed_behaviour_diversity=metrics.behaviour_diversity(expressed.to_numpy()),
    )
    row = {key: float(value) for key, value in row.items()}
    row["regime"] = classify_regime(row["largest_component_share"], row["score_assortativity"])
    return row


@renamed_keywords(association_weight="alpha")
def feedback_trajectory(
    n_citizens=1500,
    *,
    alpha=0.3,
    ostracism=0.05,
    association=True,
    n_steps=25,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    config=None,
    rng=None,
):
    """The run of :func:`feedback_run` step by step: one row per step, for a sweep.

    Parameters
    ----------
    n_citizens, alpha, ostracism, association, n_steps
        As in :func:`feedback_game`.
    homophily, mean_degree, config, rng
        As in :func:`feedback_game`.

    Returns
    -------
    pandas.DataFrame
        ``step`` (0, the starting state, to ``n_steps``) and the :data:`END_METRICS`
        columns of the history's wide view, plus ``ties_cut``. Passed to
        :func:`scorelab.experiments.sweep`, it gives one row per run and step.

    Examples
    --------
    >>> frame = feedback_trajectory(200, n_steps=3, rng=1)
    >>> frame["step"].tolist()
    [0, 1, 2, 3]
    """
    _, result = feedback_game(
        n_citizens, alpha=alpha, ostracism=ostracism,
        association=association, n_steps=n_steps, homophily=homophily,
        mean_degree=mean_degree, config=config, rng=rng,
    )
    wide = result.wide()
    return pd.DataFrame(wide[["step", *END_METRICS, "ties_cut"]])


def regimes_by_point(runs):
    """Share of the replicates at each grid point that end in each regime.

    Parameters
    ----------
    runs : pandas.DataFrame
        Runs of :func:`feedback_run` swept over ``alpha`` and ``ostracism``.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``alpha``, ``ostracism``), one column per regime of
        :data:`REGIMES` (in that order, 0 for a regime no replicate reached); rows sum to 1.

    Examples
    --------
    >>> runs = pd.DataFrame({"alpha": [0.0, 0.0, 0.5], "ostracism": [0.1] * 3,
    ...                      "regime": ["polarised", "collapsed", "converged"]})
    >>> regimes_by_point(runs).to_numpy().tolist()
    [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]
    """
    return (pd.crosstab([runs.alpha, runs.ostracism], runs.regime,
                        normalize="index")
            .reindex(columns=list(REGIMES), fill_value=0.0))


def feedback_baselines(runs):
    """The two controls of a phase diagram: no ostracism, and no association.

    Parameters
    ----------
    runs : pandas.DataFrame
        Runs of :func:`feedback_run` swept over ``alpha`` and ``ostracism``,
        both grids including 0.

    Returns
    -------
    dict
        Without ostracism: ``ties_cut`` (the most ties a run cut, 0 if none),
        ``components_kept`` and ``largest_component_kept`` (whether every run ends with the
        components and largest-component share it started with); without association:
        ``association_effect`` (the largest mean ``|displayed - own|`` of a run, 0 if the
        displayed score is the own score).
    """
    no_ostracism = runs[runs.ostracism == 0]
    no_association = runs[runs.alpha == 0]
    return {
        "ties_cut": no_ostracism.ties_cut_total.max(),
        "components_kept": bool((no_ostracism.components
                                 == no_ostracism.components_initial).all()),
        # the end value is a mean over the last steps: equal shares can differ by rounding
        "largest_component_kept": bool(np.allclose(
            no_ostracism.largest_component_share, no_ostracism.largest_component_share_initial,
            rtol=1e-12, atol=0.0)),
        "association_effect": no_association.association_effect.max(),
    }


def feedback_key_numbers(summary, *, association_grid, ostracism_grid):
    """The points of the phase diagram notebook 02 cites, with 95 % intervals.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``confidence_intervals(runs, ["alpha", "ostracism"], metrics)`` of a
        sweep of :func:`feedback_run`.
    association_grid, ostracism_grid : sequence of float
        The swept values; each grid includes 0 and ``ostracism_grid`` a positive rate.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``alpha``, ``ostracism``, ``metric``) with ``mean``,
        ``low`` and ``high``: the largest component without association at the lowest
        and highest positive ostracism rate and with the strongest association at the
        highest rate; isolation of low scorers and of citizens at large; score
        assortativity, the Gini of displayed scores and of wealth, and the diversity of
        expressed behaviour, at the corners that show each loop.
    """
    top_o, top_a = max(ostracism_grid), max(association_grid)
    low_o = min(rate for rate in ostracism_grid if rate > 0)
    cited = [
        (0.0, low_o, "largest_component_share"), (0.0, top_o, "largest_component_share"),
        (top_a, top_o, "largest_component_share"),
        (0.0, top_o, "isolation_low_scorers"), (0.0, top_o, "isolated_share"),
        (0.0, 0.0, "score_assortativity"), (top_a, 0.0, "score_assortativity"),
        (0.0, low_o, "score_assortativity"), (0.0, top_o, "score_assortativity"),
        (0.0, 0.0, "gini_displayed"), (top_a, 0.0, "gini_displayed"),
        (top_a, top_o, "gini_displayed"), (0.0, 0.0, "gini_wealth"), (top_a, 0.0, "gini_wealth"),
        (0.0, 0.0, "expressed_behaviour_diversity"), (0.0, top_o, "expressed_behaviour_diversity"),
    ]
    table = summary.set_index(["alpha", "ostracism", "metric"])
    return table.loc[cited, ["mean", "low", "high"]]


def _point(runs, **point):
    """One grid point's values of the runs, in replicate order."""
    chosen = runs
    for name, value in point.items():
        chosen = chosen[np.isclose(chosen[name], value)]
    if chosen.empty:
        raise ValueError(f"runs hold no grid point {point}")
    return chosen.sort_values("replicate")


@renamed_keywords(gap_association_weight="gap_alpha")
def findings(runs, gap_runs, *, gap_alpha, gap_ostracism, n_citizens, seed,
             scale="default", unfriending=None):
    """Notebook 02's findings register: corners of the phase diagram against their baselines.

    Grid points of a :func:`scorelab.experiments.sweep` are independent societies, so a
    comparison of two points is unpaired (Welch's interval); a comparison within a run
    (low scorers' isolation against everyone's) is paired.

    Parameters
    ----------
    runs : pandas.DataFrame
        A sweep of :func:`feedback_run` over ``alpha`` and ``ostracism``, both
        grids including 0, at least 2 replicates per point.
    gap_runs : pandas.DataFrame
        A sweep of :func:`feedback_run` over ``gap_scale`` (at least 2 values) at
        association weight ``gap_alpha`` and ostracism ``gap_ostracism``.
    gap_alpha, gap_ostracism : float
        Where ``gap_runs`` ran (named in the finding's statement).
    n_citizens, seed : int
        Citizens per replicate and the root seed of ``runs``.
    scale : {"default", "full"}
    unfriending : tuple of two pandas.DataFrame, optional
        ``(by_weight, by_stakes)`` of :func:`unfriending_findings` (same ``n_citizens``
        and ``seed``): adds the rows of :data:`UNFRIENDING_IDS`.

    Returns
    -------
    pandas.DataFrame
        The validated register, one row per id of :data:`RESTS_ON` (those of
        :data:`UNFRIENDING_IDS` only with ``unfriending``), with ``a`` the largest
        association weight and ``o`` the largest ostracism rate of the grid:

        - ``ostracism-fragments``: largest-component share at (0, o) minus at (0, 0);
        - ``association-holds-network``: the same at (a, o) minus at (0, o);
        - ``ostracism-isolates-low-scorers``: at (0, o), the share of the lowest 10 % of
          scores without ties minus the share of all citizens without ties (paired);
        - ``ostracism-sorts-scores``: score assortativity at (0, o) minus at (0, 0);
        - ``association-sorts-scores``: the same at (a, 0) minus at (0, 0);
        - ``association-compresses-scores`` / ``-wealth``: Gini of displayed scores / of
          wealth at (a, 0) minus at (0, 0);
        - ``ostracism-diversifies-behaviour``: diversity of expressed behaviour at (0, o)
          minus at (0, 0);
        - ``unreplaced-cuts``: share of cut ties not replaced at (0, o);
        - ``fragmentation-vs-gap-scale``: in ``gap_runs``, largest-component share at the
          largest ``gap_scale`` minus at the smallest.

    Examples
    --------
    >>> from scorelab.experiments import sweep
    >>> kw = dict(n_citizens=150, n_steps=3, tail=1)
    >>> runs = sweep(feedback_run, {"alpha": [0.0, 0.6], "ostracism": [0.0, 1.0]},
    ...              n_replicates=2, rng=1, fixed=kw)
    >>> gaps = sweep(feedback_run, {"gap_scale": [50.0, 200.0]}, n_replicates=2, rng=2,
    ...              fixed=dict(kw, ostracism=1.0))
    >>> register = findings(runs, gaps, gap_alpha=0.3, gap_ostracism=1.0,
    ...                     n_citizens=150, seed=1)
    >>> register.id.tolist() == [i for i in RESTS_ON if i not in UNFRIENDING_IDS]
    True
    """
    top_a, top_o = runs["alpha"].max(), runs["ostracism"].max()
    base = _point(runs, alpha=0.0, ostracism=0.0)
    ostracised = _point(runs, alpha=0.0, ostracism=top_o)
    associated = _point(runs, alpha=top_a, ostracism=0.0)
    both = _point(runs, alpha=top_a, ostracism=top_o)
    gaps = sorted(gap_runs["gap_scale"].unique())
    if len(gaps) < 2:
        raise ValueError(f"gap_runs must hold at least 2 gap_scale values, got {gaps}")
    wide, narrow = _point(gap_runs, gap_scale=gaps[-1]), _point(gap_runs, gap_scale=gaps[0])
    row = finding_maker(NOTEBOOK, RESTS_ON, n_citizens=n_citizens, seed=seed, scale=scale)
    welch = dict(paired=False)
    o, a = f"ostracism {top_o:g}", f"association weight {top_a:g}"
    extra = ([] if unfriending is None else
             _unfriending_rows(*unfriending, n_citizens=n_citizens, seed=seed, scale=scale))
    return findings_frame([
        row("feedback.ostracism-fragments", ostracised["largest_component_share"],
            f"Share of citizens in the largest component, {o} minus none (no association).",
            counterfactual=base["largest_component_share"], **welch),
        row("feedback.association-holds-network", both["largest_component_share"],
            f"Share in the largest component at {o}, {a} minus no association.",
            counterfactual=ostracised["largest_component_share"], **welch),
        row("feedback.ostracism-isolates-low-scorers", ostracised["isolation_low_scorers"],
            f"At {o} (no association), share of the lowest 10 % of scores without ties "
            f"minus the share of all citizens without ties (paired within runs).",
            counterfactual=ostracised["isolated_share"]),
        row("feedback.ostracism-sorts-scores", ostracised["score_assortativity"],
            f"Score assortativity, {o} minus none (no association).",
            counterfactual=base["score_assortativity"], **welch),
        row("feedback.association-sorts-scores", associated["score_assortativity"],
            f"Score assortativity, {a} minus none (no ostracism).",
            counterfactual=base["score_assortativity"], **welch),
        row("feedback.association-compresses-scores", associated["gini_displayed"],
            f"Gini of displayed scores, {a} minus none (no ostracism).",
            counterfactual=base["gini_displayed"], **welch),
        row("feedback.association-compresses-wealth", associated["gini_wealth"],
            f"Gini of wealth, {a} minus none (no ostracism).",
            counterfactual=base["gini_wealth"], **welch),
        row("feedback.ostracism-diversifies-behaviour",
            ostracised["expressed_behaviour_diversity"],
            f"Diversity of expressed behaviour (bits), {o} minus none (no association).",
            counterfactual=base["expressed_behaviour_diversity"], **welch),
        row("feedback.unreplaced-cuts", ostracised["unreplaced_share"],
            f"Share of the ties cut over a run that the engine does not replace ({o}, no "
            f"association)."),
        row("feedback.fragmentation-vs-gap-scale", wide["largest_component_share"],
            f"Share in the largest component, gap_scale {gaps[-1]:g} minus {gaps[0]:g} "
            f"points (association weight {gap_alpha:g}, ostracism "
            f"{gap_ostracism:g}).", counterfactual=narrow["largest_component_share"], **welch),
        *extra,
    ])


# --------------------------------------------------------------------------------------
# Strategic versus social unfriending (issue 9)
# --------------------------------------------------------------------------------------

UNFRIENDING_WORLDS = ("derived", "counterfactual")
"""``"derived"``: association on, so dropping a tie changes the dropper's displayed score;
``"counterfactual"``: the same run without association (the strategic motive is exactly 0,
what remains is the logit's baseline churn)."""


@renamed_keywords(association_weight="alpha")
def unfriending_game(alpha, stake_scale, world, *, n_citizens=800, n_steps=12,
                     ostracism=0.05, strategic_rate=0.2, rationality=4.0,
                     homophily=HOMOPHILY, mean_degree=MEAN_DEGREE, rng=None):
    """One run with both cutting mechanisms on: cuts by source and tie kind.

    Strategic unfriending (``GameConfig.strategic_rate``) drops a tie when the score it
    costs, valued through the gates, outweighs the tie's value by kind (a logit of
    precision ``rationality``, ``dynamics.DEFAULT_TIE_VALUES``); social ostracism
    (``GameConfig.ostracism``) cuts ties across score gaps, blind to association.

    Parameters
    ----------
    alpha : float in [0, 1]
        The policy's association weight alpha (0: dropping a tie changes no score).
    stake_scale : float >= 0
        Every gate (shop to food) is at stake, worth ``dynamics.DEFAULT_STAKES`` times this.
    world : {"derived", "counterfactual"}
        See :data:`UNFRIENDING_WORLDS`.
    n_citizens, n_steps : int, default 800, 12
        Citizens (>= 20) and steps of the game (>= 2).
    ostracism : float in [0, 1], default 0.05
        ``GameConfig.ostracism``: the rate of social cuts across score gaps.
    strategic_rate : float in [0, 1], default 0.2
        Chance per step that each tie end is reconsidered.
    rationality : float >= 0, default 4
        Precision of the logit choice to drop a tie.
    homophily : float in [0, 1], default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Homophily of the two-group society (20 % minority, equal group profiles).
    mean_degree : float, default 10 (:data:`scorelab.defaults.MEAN_DEGREE`)
        Mean number of initial ties.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.

    Returns
    -------
    dict
        Means over the second half of the run, per 1,000 ties (of that kind) and step:
        ``strategic_<kind>`` and ``social_<kind>`` for each kind of
        :data:`scorelab.society.TIE_KINDS`, and ``strategic`` and ``social`` over all ties.

    Examples
    --------
    >>> row = unfriending_game(0.6, 10.0, "derived", n_citizens=200, n_steps=4, rng=1)
    >>> row["strategic"] >= 0 and row["social_family"] >= 0
    True
    """
    check_probability("alpha", alpha)
    check_real("stake_scale", stake_scale, minimum=0.0)
    if world not in UNFRIENDING_WORLDS:
        raise ValueError(f"world must be one of {UNFRIENDING_WORLDS}, got {world!r}")
    check_integer("n_citizens", n_citizens, minimum=20)
    check_integer("n_steps", n_steps, minimum=2)
    check_probability("ostracism", ostracism)
    check_probability("strategic_rate", strategic_rate)
    check_real("rationality", rationality, minimum=0.0)
    base = GameConfig(ostracism=ostracism, strategic_rate=strategic_rate,
                      rationality=rationality, gates=ALL_GATES, incentive_rule="stakes",
                      thresholds=None,
                      stakes={g: DEFAULT_STAKES[g] * stake_scale for g in ALL_GATES})
    config = _check_scenario(n_citizens, alpha, ostracism,
                             world == "derived", n_steps, base)
    society_rng, game_rng = np.random.default_rng(rng).spawn(2)
    society = two_group_society(n_citizens, homophily=check_probability("homophily", homophily),
                                mean_degree=check_real("mean_degree", mean_degree,
                                                       minimum=0.0, open_min=True),
                                rng=society_rng)
    wide = simulate(society, config, n_steps=n_steps, rng=game_rng).wide()
    late = wide[wide["step"] > n_steps // 2]  # the later half of the steps
    row = {}
    for source in ("strategic", "social"):
        total = sum(late[f"cuts_{source}_{k}"] for k in TIE_KINDS)
        row[source] = float((1000 * total / late["ties"].clip(lower=1)).mean())
        for kind in TIE_KINDS:
            row[f"{source}_{kind}"] = float(
                (1000 * late[f"cuts_{source}_{kind}"] / late[f"ties_{kind}"].clip(lower=1)).mean())
    return row


def _unfriending_pair(alpha, stake_scale, *, rng=None, **options):
    """Both worlds of :func:`unfriending_game` from one seed (same society and draws)."""
    seed = int(np.random.default_rng(rng).integers(2**63))
    return pd.DataFrame([{"world": world, **unfriending_game(
        alpha, stake_scale, world, rng=seed, **options)}
        for world in UNFRIENDING_WORLDS])


@renamed_keywords(association_weights="alphas")
def unfriending_sweep(alphas, stake_scales, *, n_replicates=6, rng=None,
                      n_jobs=1, **options):
    """:func:`unfriending_game` over a grid, both worlds per replicate from one seed.

    Parameters
    ----------
    alphas : sequence of float
        Association weights (``association_weights`` is the deprecated name).
    stake_scales : sequence of float
        Stake scales.
    n_replicates : int, default 6
        Replicates per grid point.
    rng : None, int or numpy.random.SeedSequence
        Root of the sweep's random streams (SPEC 7).
    n_jobs : int, default 1
        Local processes; the frame does not depend on it.
    **options
        Passed to :func:`unfriending_game` (``n_citizens``, ``n_steps``, ``homophily``,
        ...).

    Returns
    -------
    pandas.DataFrame
        The tidy frame of :func:`scorelab.experiments.sweep`: one row per ``alpha``,
        ``stake_scale``, ``replicate`` and ``world``, with the measures of
        :func:`unfriending_game`. The two worlds of a replicate share a seed, so their
        differences are paired.
    """
    return sweep(_unfriending_pair, {"alpha": list(alphas),
                                     "stake_scale": list(stake_scales)},
                 n_replicates=n_replicates, fixed=options, rng=rng, n_jobs=n_jobs)


def unfriending_intervals(frame, values, *, level=0.95):
    """Means and intervals per grid point and world, and of the paired difference derived
    minus counterfactual (``world = "difference"``).

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`unfriending_sweep`.
    values : sequence of str
        Measures to summarise.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        :func:`scorelab.experiments.confidence_intervals`' long format: ``alpha``,
        ``stake_scale``, ``world``, ``metric``, ``mean``, ``low``, ``high``, ``n``.
    """
    return dose_intervals(frame, values, by=("alpha", "stake_scale"), level=level)


def _unfriending_rows(by_weight, by_stakes, *, n_citizens, seed, scale="default"):
    """The rows of :data:`UNFRIENDING_IDS` (notebook 02's strategic-unfriending section).

    Parameters
    ----------
    by_weight : pandas.DataFrame
        :func:`unfriending_sweep` over association weights (largest used) at one stake scale.
    by_stakes : pandas.DataFrame
        :func:`unfriending_sweep` over stake scales (including 0 and a larger one) at one
        association weight.
    n_citizens, seed, scale
        As in :func:`findings`.

    Returns
    -------
    pandas.DataFrame
        ``association-drives-strategic-cuts``: strategic cuts per 1,000 ties and step at
        the largest weight, minus the same run without association (paired);
        ``stakes-drive-strategic-cuts``: strategic cuts at the largest stake scale minus
        at stake scale 0 (derived world; independent runs, Welch);
        ``association-reduces-social-cuts``: social cuts at the largest weight minus
        without association (paired).
    """
    top_a = by_weight["alpha"].max()
    stakes = sorted(by_stakes["stake_scale"].unique())
    if len(stakes) < 2:
        raise ValueError(f"by_stakes must hold at least 2 stake scales, got {stakes}")

    def pick(frame, world, **point):
        return _point(frame[frame["world"] == world], **point)

    derived = pick(by_weight, "derived", alpha=top_a)
    counter = pick(by_weight, "counterfactual", alpha=top_a)
    high = pick(by_stakes, "derived", stake_scale=stakes[-1])
    none = pick(by_stakes, "derived", stake_scale=stakes[0])
    weight = by_stakes["alpha"].iloc[0]
    scale_of = by_weight["stake_scale"].iloc[0]
    row = finding_maker(NOTEBOOK, RESTS_ON, n_citizens=n_citizens, seed=seed, scale=scale)
    return [
        row("feedback.association-drives-strategic-cuts", derived["strategic"].to_numpy(),
            f"Strategic cuts per 1,000 ties and step, association weight {top_a:g} minus the "
            f"same runs without association (stake scale {scale_of:g}, paired).",
            counterfactual=counter["strategic"].to_numpy()),
        row("feedback.stakes-drive-strategic-cuts", high["strategic"].to_numpy(),
            f"Strategic cuts per 1,000 ties and step, stake scale {stakes[-1]:g} minus "
            f"{stakes[0]:g} (association weight {weight:g}).",
            counterfactual=none["strategic"].to_numpy(), paired=False),
        row("feedback.association-reduces-social-cuts", derived["social"].to_numpy(),
            f"Social-ostracism cuts per 1,000 ties and step, association weight {top_a:g} "
            f"minus the same runs without association (paired).",
            counterfactual=counter["social"].to_numpy()),
    ]


def unfriending_findings(by_weight, by_stakes, *, n_citizens, seed, scale="default"):
    """The validated register of the rows of :data:`UNFRIENDING_IDS` alone.

    :func:`findings` appends the same rows when given ``unfriending=(by_weight,
    by_stakes)``.

    Parameters
    ----------
    by_weight : pandas.DataFrame
        :func:`unfriending_sweep` over association weights (largest used) at one stake
        scale.
    by_stakes : pandas.DataFrame
        :func:`unfriending_sweep` over stake scales (including 0 and a larger one) at one
        association weight.
    n_citizens : int
        Citizens per run.
    seed : int
        Root seed of the sweeps.
    scale : {"default", "full"}, default "default"
        The notebook's size or ``make full``'s.

    Returns
    -------
    pandas.DataFrame
        The findings register (:data:`scorelab.findings.COLUMNS`):
        ``association-drives-strategic-cuts`` (strategic cuts per 1,000 ties and step at
        the largest weight minus without association, paired),
        ``stakes-drive-strategic-cuts`` (at the largest stake scale minus at 0, derived
        world, Welch) and ``association-reduces-social-cuts`` (social cuts, paired).

    Examples
    --------
    >>> kw = dict(n_citizens=150, n_steps=4)
    >>> w = unfriending_sweep([0.0, 0.6], [10.0], n_replicates=2, rng=1, **kw)
    >>> s = unfriending_sweep([0.6], [0.0, 30.0], n_replicates=2, rng=2, **kw)
    >>> unfriending_findings(w, s, n_citizens=150, seed=1).id.tolist() == list(UNFRIENDING_IDS)
    True
    """
    return findings_frame(_unfriending_rows(by_weight, by_stakes, n_citizens=n_citizens,
                                            seed=seed, scale=scale))
