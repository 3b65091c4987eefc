"""Fairness of the citizen game: gaps, interventions and "diverse behaviour" (notebook 05).

Three scenarios, each returning tidy numbers a sweep can replicate:

- :func:`fairness_run` - a two-group society (a poorer minority with the *same*
  dispositions as the majority) plays the citizen game (:func:`scorelab.simulate`); the
  final state is measured with :mod:`scorelab.fairness`: score gaps, gate access,
  disparate impact, equal opportunity against latent disposition, calibration, the
  association penalty (exact decomposition) and ostracism, by group.
- :func:`interventions_run` - the same society and the same random stream under the
  baseline system and under each intervention of :data:`INTERVENTIONS`;
  :func:`rank_interventions` ranks them by the gaps they close and what they cost.
- :func:`diverse_behaviour_run` and :func:`diverse_behaviour_ties` - a minority whose
  harmless customary acts the authority scores as disapproved.

How each intervention is expressed with the engine's existing switches (the engine itself
is not changed here):

========================  ===================================================================
``baseline``              the given :class:`~scorelab.dynamics.GameConfig`
``association cap``       ``policy.association_weight`` lowered to ``cap`` (default 0.1)
``no association``        ``association=False`` (displayed = own score)
``private scores``        ``public_scores=False`` (no ostracism, less public self-censorship)
``decay (appeals)``       ``policy.memory`` lowered to ``decay_memory`` (old acts fade faster,
                          as if appealed)
``group-aware thresholds``  the baseline run, gated post hoc with per-group thresholds that
                          equalise the qualified's access (equal opportunity); the thresholds
                          do not feed back into wealth during the run
========================  ===================================================================
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from scorelab import fairness
from scorelab._validation import check_integer, check_probability, check_real
from scorelab.association import decompose
from scorelab.dynamics import GATES, GameConfig, simulate
from scorelab.scoring import DOMAINS, ActRecord, ScoringPolicy, draw_acts, own_score
from scorelab.society import GroupProfile, homophilous_sbm

__all__ = [
    "INTERVENTIONS",
    "diverse_behaviour_run",
    "diverse_behaviour_ties",
    "fairness_run",
    "interventions_run",
    "rank_interventions",
]

INTERVENTIONS = ("baseline", "association cap", "no association", "private scores",
                 "decay (appeals)", "group-aware thresholds")
"""The systems :func:`interventions_run` compares, baseline first."""

_GROUPS = ("majority", "minority")
_COSTS = ("accuracy", "access_rate", "false_positive_rate", "mean_wealth")


def _society(n_citizens, minority_share, homophily, minority_wealth, rng):
    n_citizens = check_integer("n_citizens", n_citizens, minimum=10)
    minority_share = check_real("minority_share", minority_share, minimum=0.0, maximum=0.5,
                                open_min=True)
    return homophilous_sbm(
        n_citizens, group_shares=(1 - minority_share, minority_share), group_names=_GROUPS,
        homophily=check_probability("homophily", homophily),
        profiles={"minority": GroupProfile(
            wealth_median=check_real("minority_wealth", minority_wealth, minimum=0.0,
                                     open_min=True))},
        rng=rng,
    )


def _check_config(config):
    config = GameConfig() if config is None else config
    if not isinstance(config, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(config).__name__}")
    return config


def _measure(society, result, config, *, qualified, gate, thresholds=None):
    """Fairness metrics (minority against majority) of the final state of one run."""
    panel = result.panel
    first, last = panel[panel.step == panel.step.min()], panel[panel.step == panel.step.max()]
    citizens = society.citizens
    groups = citizens["group"]
    disposition = citizens["disposition"]
    own = last["own"].to_numpy()
    displayed = pd.Series(last["displayed"].to_numpy(), index=citizens.index)
    if thresholds is None:
        access = displayed >= config.thresholds[gate]
    else:
        access = displayed >= groups.map(thresholds).astype(float)
    gaps = fairness.score_gaps(pd.DataFrame({"own": own, "displayed": displayed.to_numpy()}),
                               groups, reference="majority")
    rates = fairness.access_by_group(access, groups)
    opportunity = fairness.equal_opportunity(access, disposition, groups, qualified=qualified)
    calibration = fairness.calibration_gap(displayed, disposition, groups, reference="majority")
    isolation = fairness.isolation_by_group(first["degree"].to_numpy(), last["degree"].to_numpy(),
                                            displayed, groups)
    alpha = config.policy.association_weight if config.association else 0.0
    row = {
        "own_gap": gaps.loc["minority", "own_gap"],
        "displayed_gap": gaps.loc["minority", "displayed_gap"],
        "access_majority": rates.loc["majority", "access_rate"],
        "access_minority": rates.loc["minority", "access_rate"],
        "access_gap": rates.loc["majority", "access_rate"] - rates.loc["minority", "access_rate"],
        "disparate_impact": rates["impact_ratio"].min(),
        "tpr_majority": opportunity.loc["majority", "true_positive_rate"],
        "tpr_minority": opportunity.loc["minority", "true_positive_rate"],
        "equal_opportunity_gap": (opportunity.loc["majority", "true_positive_rate"]
                                  - opportunity.loc["minority", "true_positive_rate"]),
        "fnr_minority": opportunity.loc["minority", "false_negative_rate"],
        "calibration_gap": calibration["minority"],
        "degree_lost_majority": isolation.loc["majority", "degree_lost_share"],
        "degree_lost_minority": isolation.loc["minority", "degree_lost_share"],
        "isolated_low_scorers_minority": isolation.loc["minority", "isolated_low_scorers"],
        "low_scorer_share_minority": isolation.loc["minority", "low_scorer_share"],
        # costs: how well the score still tracks behaviour, how many pass, who passes wrongly
        "accuracy": float(np.corrcoef(displayed, disposition)[0, 1]),
        "access_rate": float(access.mean()),
        "false_positive_rate": float((access & (disposition < qualified)).sum()
                                     / max((disposition < qualified).sum(), 1)),
        "mean_wealth": float(last["wealth"].mean()),
    }
    if alpha > 0:
        parts = decompose(result.society, pd.Series(own, index=citizens.index), alpha=alpha)
        penalty = fairness.association_penalty(parts, groups, reference="majority")
        row["from_ties_gap"] = penalty.loc["minority", "from_others_gap"]
        row["from_ties_share"] = penalty.loc["minority", "from_ties_share"]
        row["association_gap"] = penalty.loc["minority", "association_gap"]
    else:
        row.update(from_ties_gap=0.0, from_ties_share=0.0, association_gap=0.0)
    return {key: float(value) for key, value in row.items()}


def fairness_run(
    n_citizens=800,
    *,
    minority_share=0.2,
    homophily=0.7,
    minority_wealth=0.5,
    n_steps=15,
    config=None,
    qualified=0.6,
    gate="credit",
    rng=None,
):
    """Fairness of the citizen game's final state in a two-group society: one replicate.

    The minority is poorer (median wealth ``minority_wealth`` against 1) but has the same
    distribution of disposition as the majority, so every gap below is unfair by
    construction: it comes from poverty (approved financial acts are harder), from the
    gates' feedback on wealth, and from association along homophilous ties.

    Parameters
    ----------
    n_citizens : int, default 800
        Citizens (>= 10).
    minority_share : float in (0, 0.5], default 0.2
    homophily : float in [0, 1], default 0.7
    minority_wealth : float, default 0.5
    n_steps : int, default 15
        Steps of the citizen game.
    config : GameConfig, optional
        Default ``GameConfig()`` (mandatory from the start).
    qualified : float in [0, 1], default 0.6
        Disposition from which a citizen deserves access (equal opportunity).
    gate : {"credit", "travel", "utilities"}, default "credit"
        The gate measured.
    rng : seed or Generator
        The society and the game draw from two spawned streams.

    Returns
    -------
    dict
        Minority against majority (gaps = majority minus minority): ``own_gap``,
        ``displayed_gap``, ``access_majority``, ``access_minority``, ``access_gap``,
        ``disparate_impact`` (lower rate / higher), ``tpr_majority``, ``tpr_minority``,
        ``equal_opportunity_gap`` (TPR difference), ``fnr_minority`` (qualified minority
        members denied), ``calibration_gap`` (how much better the minority behaves at
        equal score), ``from_ties_gap``, ``from_ties_share`` and ``association_gap``
        (:func:`scorelab.fairness.association_penalty` of the final own scores on the
        final ties; 0 without association), ``degree_lost_<group>``,
        ``isolated_low_scorers_minority``, ``low_scorer_share_minority``; and the costs
        ``accuracy`` (correlation of displayed score and disposition), ``access_rate``,
        ``false_positive_rate`` (unqualified with access), ``mean_wealth``.

    Notes
    -----
    The decomposition re-propagates the final own scores over the ties as they stand
    after the last step's ostracism, so its displayed gap differs slightly from the
    engine's (``displayed_gap``), which gates read.

    Examples
    --------
    >>> row = fairness_run(300, n_steps=3, rng=1)
    >>> 0 <= row["disparate_impact"] <= 1
    True
    """
    config = _check_config(config)
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    qualified = check_probability("qualified", qualified)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    society_seed, game_seed = np.random.default_rng(rng).bit_generator.seed_seq.spawn(2)
    society = _society(n_citizens, minority_share, homophily, minority_wealth, society_seed)
    result = simulate(society, config, n_steps=n_steps, rng=game_seed, record=[0, n_steps - 1])
    return _measure(society, result, config, qualified=qualified, gate=gate)


def _intervention_configs(config, cap, decay_memory):
    policy = config.policy
    return {
        "baseline": config,
        "association cap": dataclasses.replace(
            config, policy=dataclasses.replace(policy, association_weight=cap)),
        "no association": dataclasses.replace(config, association=False),
        "private scores": dataclasses.replace(config, public_scores=False),
        "decay (appeals)": dataclasses.replace(
            config, policy=dataclasses.replace(policy, memory=decay_memory)),
    }


def interventions_run(
    n_citizens=800,
    *,
    minority_share=0.2,
    homophily=0.7,
    minority_wealth=0.5,
    n_steps=15,
    config=None,
    cap=0.1,
    decay_memory=0.5,
    qualified=0.6,
    gate="credit",
    rng=None,
):
    """Every intervention of :data:`INTERVENTIONS` on the same society and random stream.

    Parameters
    ----------
    n_citizens, minority_share, homophily, minority_wealth, n_steps, config, qualified, gate
        As in :func:`fairness_run`; ``config`` is the baseline system.
    cap : float in [0, 1], default 0.1
        Association weight under the cap (must not exceed the baseline's).
    decay_memory : float in [0, 1), default 0.5
        Record memory under "decay (appeals)" (the baseline's default is 0.8).
    rng : seed or Generator
        One society stream and one game stream, replayed for every system, so the
        comparison is paired.

    Returns
    -------
    pandas.DataFrame
        One row per intervention (column ``intervention``, in :data:`INTERVENTIONS` order)
        with the columns of :func:`fairness_run`. "group-aware thresholds" is the
        baseline run gated with :func:`scorelab.fairness.equal_opportunity_thresholds`
        at the baseline's overall true-positive rate.

    Examples
    --------
    >>> frame = interventions_run(300, n_steps=3, rng=1)
    >>> frame["intervention"].tolist() == list(INTERVENTIONS)
    True
    """
    config = _check_config(config)
    cap = check_probability("cap", cap)
    if cap > config.policy.association_weight:
        raise ValueError(f"cap must not exceed the baseline association weight "
                         f"{config.policy.association_weight}, got {cap}")
    decay_memory = check_real("decay_memory", decay_memory, minimum=0.0, maximum=1.0,
                              open_max=True)
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    qualified = check_probability("qualified", qualified)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    society_seed, game_seed = np.random.default_rng(rng).bit_generator.seed_seq.spawn(2)
    society = _society(n_citizens, minority_share, homophily, minority_wealth, society_seed)
    rows = {}
    results = {}
    for name, cfg in _intervention_configs(config, cap, decay_memory).items():
        results[name] = simulate(society, cfg, n_steps=n_steps, rng=game_seed,
                                 record=[0, n_steps - 1])
        rows[name] = _measure(society, results[name], cfg, qualified=qualified, gate=gate)
    # group-aware thresholds: the baseline's scores, gated so that the qualified of every
    # group pass at the baseline's overall rate
    base = results["baseline"].panel
    displayed = base.loc[base.step == n_steps - 1, "displayed"].to_numpy()
    citizens = society.citizens
    good = citizens["disposition"].to_numpy() >= qualified
    target = float((displayed[good] >= config.thresholds[gate]).mean()) if good.any() else 0.0
    thresholds = fairness.equal_opportunity_thresholds(
        displayed, citizens["disposition"], citizens["group"], target_rate=target,
        qualified=qualified)
    rows["group-aware thresholds"] = _measure(society, results["baseline"], config,
                                              qualified=qualified, gate=gate,
                                              thresholds=thresholds.to_dict())
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("intervention")
    return frame.reset_index()


def rank_interventions(frame, *, gaps=("access_gap", "equal_opportunity_gap", "displayed_gap"),
                       costs=_COSTS):
    """Rank interventions by the share of the baseline's gaps they close, with their costs.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of :func:`interventions_run`, possibly for several replicates (a
        ``replicate`` column, as :func:`scorelab.sweep` adds). Differences are paired
        within a replicate.
    gaps : sequence of str
        Gap columns; for each, ``<gap>_closed = 1 - mean(gap) / mean(baseline gap)`` (1:
        closed, 0: unchanged, negative: widened).
    costs : sequence of str
        Columns whose mean paired change against the baseline is reported as
        ``<cost>_change`` (a fall in ``accuracy`` is information lost; in ``access_rate``
        and ``mean_wealth``, a cost to citizens; a rise in ``false_positive_rate``,
        access to the unqualified).

    Returns
    -------
    pandas.DataFrame
        Indexed by intervention (baseline excluded), sorted by the mean of the
        ``_closed`` columns (best first), with a ``rank`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"intervention": ["baseline", "fix"], "access_gap": [0.2, 0.05],
    ...                       "accuracy": [0.8, 0.7]})
    >>> rank_interventions(frame, gaps=["access_gap"], costs=["accuracy"]).round(2).to_dict("index")
    {'fix': {'access_gap_closed': 0.75, 'accuracy_change': -0.1, 'rank': 1}}
    """
    if not isinstance(frame, pd.DataFrame) or "intervention" not in frame.columns:
        raise ValueError("frame must be the DataFrame of interventions_run (column "
                         "'intervention')")
    if "baseline" not in set(frame["intervention"]):
        raise ValueError("frame has no 'baseline' rows to compare against")
    gaps, costs = list(gaps), list(costs)
    missing = [c for c in gaps + costs if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame")
    keys = ["replicate"] if "replicate" in frame.columns else []
    means = frame.groupby("intervention", sort=False)[gaps].mean()
    table = pd.DataFrame(index=means.index.drop("baseline"))
    for gap in gaps:
        table[f"{gap}_closed"] = 1.0 - means[gap].drop("baseline") / means.loc["baseline", gap]
    if keys:
        baseline = frame[frame.intervention == "baseline"].set_index(keys)[costs]
        paired = frame.set_index(keys)[costs] - baseline
        change = paired.assign(intervention=frame.set_index(keys)["intervention"]).groupby(
            "intervention", sort=False).mean()
    else:
        change = frame.set_index("intervention")[costs] - frame.set_index(
            "intervention").loc["baseline", costs]
    for cost in costs:
        table[f"{cost}_change"] = change.loc[table.index, cost]
    closed = table[[f"{gap}_closed" for gap in gaps]].mean(axis=1)
    table = table.loc[closed.sort_values(ascending=False, kind="stable").index]
    table["rank"] = np.arange(1, len(table) + 1)
    return table.rename_axis("intervention")


# --------------------------------------------------------------------------------------
# Diverse behaviour
# --------------------------------------------------------------------------------------

_WHO = ("minority", "majority tied to minority", "majority not tied")


def _relabel(acts, member, share, domain):
    """``acts`` with ``share`` of ``member``'s approved acts in ``domain`` scored disapproved."""
    approved, disapproved = acts.approved.copy(), acts.disapproved.copy()
    moved = share * approved.loc[member, domain]
    approved.loc[member, domain] -= moved
    disapproved.loc[member, domain] += moved
    return ActRecord(approved, disapproved)


def diverse_behaviour_run(
    n_citizens=800,
    *,
    minority_share=0.2,
    homophily=0.7,
    customary_share=0.5,
    domain="consumption",
    alpha=0.3,
    n_acts=20,
    rng=None,
):
    """A group whose harmless customary acts are scored as disapproved: who pays for it.

    Both groups have the same dispositions and wealth. The acts of one period are drawn
    for everyone (:func:`scorelab.scoring.draw_acts`); then the authority scores a share
    ``customary_share`` of the minority's approved acts in ``domain`` (their customs) as
    disapproved. Own scores (relative standard) and displayed scores (association weight
    ``alpha``, exact decomposition) are computed with and without the relabelling, on the
    same acts and ties, so every difference is the relabelling's doing.

    Parameters
    ----------
    n_citizens : int, default 800
    minority_share : float in (0, 0.5], default 0.2
    homophily : float in [0, 1], default 0.7
    customary_share : float in [0, 1], default 0.5
        Share of the minority's approved acts in ``domain`` scored as disapproved.
    domain : str, default "consumption"
        One of :data:`scorelab.scoring.DOMAINS`.
    alpha : float in [0, 1), default 0.3
        Association weight.
    n_acts : int, default 20
        Acts per citizen and domain.
    rng : seed or Generator

    Returns
    -------
    pandas.DataFrame
        One row per ``who`` (a column: "minority", "majority tied to minority", "majority
        not tied"), with ``n`` and the mean changes (relabelled minus fair scoring):
        ``own_change``, ``displayed_change`` and ``from_ties_change`` (change of
        ``from_others`` in the exact decomposition: the penalty that reaches a citizen
        through their ties), and ``ties_to_minority`` (mean share of tie weight to the
        minority).

    Notes
    -----
    The engine (:func:`scorelab.simulate`) cannot score one group's acts differently
    from another's, so the exact measurement is made on the static pipeline
    (``draw_acts -> relabel -> own_score -> decompose``) of notebook 01, without
    feedback. :func:`diverse_behaviour_ties` approximates the dynamic consequence (how
    fast ties to the minority are cut).

    Examples
    --------
    >>> table = diverse_behaviour_run(300, rng=1).set_index("who")
    >>> bool(table.loc["minority", "own_change"] < 0)
    True
    """
    customary_share = check_probability("customary_share", customary_share)
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    alpha = check_real("alpha", alpha, minimum=0.0, maximum=1.0, open_max=True)
    society_seed, acts_seed = np.random.default_rng(rng).spawn(2)
    society = _society(n_citizens, minority_share, homophily, 1.0, society_seed)
    citizens = society.citizens
    minority = (citizens["group"] == "minority").to_numpy()
    acts = draw_acts(citizens, n_acts=check_integer("n_acts", n_acts, minimum=1), rng=acts_seed)
    policy = ScoringPolicy(association_weight=alpha)
    fair = decompose(society, own_score(acts, policy), alpha=alpha)
    labelled = decompose(
        society, own_score(_relabel(acts, citizens.index[minority], customary_share, domain),
                           policy), alpha=alpha)
    change = labelled - fair
    adjacency = society.adjacency()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    to_minority = np.divide(adjacency @ minority.astype(float), degree,
                            out=np.zeros(len(degree)), where=degree > 0)
    who = np.where(minority, _WHO[0], np.where(to_minority > 0, _WHO[1], _WHO[2]))
    frame = pd.DataFrame({"who": pd.Categorical(who, categories=_WHO),
                          "own_change": change["own_score"],
                          "displayed_change": change["displayed"],
                          "from_ties_change": change["from_others"],
                          "ties_to_minority": to_minority})
    table = frame.groupby("who", observed=False).agg(
        n=("own_change", "size"), own_change=("own_change", "mean"),
        displayed_change=("displayed_change", "mean"),
        from_ties_change=("from_ties_change", "mean"),
        ties_to_minority=("ties_to_minority", "mean"))
    return table.reset_index()


def diverse_behaviour_ties(
    n_citizens=800,
    *,
    minority_share=0.2,
    homophily=0.7,
    customary_share=0.5,
    horizons=(1, 5, 10, 20),
    config=None,
    rng=None,
):
    """How fast ties to a mis-scored minority are cut, against fair scoring (approximation).

    The engine cannot score one group's acts differently, so the relabelling of
    :func:`diverse_behaviour_run` is approximated by lowering the minority's disposition
    *as the game sees it* by the average effect of the relabelling on their approval
    rate, ``disposition * customary_share / 4`` (one of four equally weighted domains).
    This also makes their expressed acts look less approved to their ties (the public
    adopts the authority's labels) and, unfaithfully, their financial acts too, so the
    effect on wealth is overstated. Fair scoring (no shift) runs on the same society and
    random stream.

    Parameters
    ----------
    n_citizens, minority_share, homophily, customary_share
        As in :func:`diverse_behaviour_run` (equal wealth).
    horizons : sequence of int, default (1, 5, 10, 20)
        Steps after which the ties are inspected; each horizon replays the same run (the
        engine draws the same numbers at each step whatever ``n_steps``).
    config : GameConfig, optional
    rng : seed or Generator

    Returns
    -------
    pandas.DataFrame
        One row per ``scoring`` ("relabelled", "fair") and ``step``: the share of the
        initial ties still standing between the majority and the minority
        (``cross_ties_kept``) and within the majority (``majority_ties_kept``), and the
        mean displayed score of the majority citizens initially tied to the minority
        (``tied_majority_displayed``) and of the minority (``minority_displayed``).

    Examples
    --------
    >>> frame = diverse_behaviour_ties(300, horizons=(2,), rng=1)
    >>> frame["scoring"].tolist()
    ['relabelled', 'fair']
    """
    customary_share = check_probability("customary_share", customary_share)
    config = _check_config(config)
    horizons = sorted({check_integer("horizon", h, minimum=1) for h in horizons})
    if not horizons:
        raise ValueError("horizons must hold at least one step")
    society_seed, game_seed = np.random.default_rng(rng).bit_generator.seed_seq.spawn(2)
    society = _society(n_citizens, minority_share, homophily, 1.0, society_seed)
    citizens = society.citizens
    n = len(citizens)
    minority = (citizens["group"] == "minority").to_numpy()
    seen = citizens.copy()
    seen.loc[minority, "disposition"] *= 1.0 - customary_share / 4.0
    relabelled = dataclasses.replace(society, citizens=seen)
    ties = society.ties
    source, target = ties["source"].to_numpy(), ties["target"].to_numpy()
    keys = source.astype(np.int64) * n + target
    cross = minority[source] != minority[target]
    within = ~minority[source] & ~minority[target]
    tied = np.zeros(n, dtype=bool)
    tied[source[cross & ~minority[source]]] = True
    tied[target[cross & ~minority[target]]] = True
    rows = []
    for scoring, start in (("relabelled", relabelled), ("fair", society)):
        for horizon in horizons:
            result = simulate(start, config, n_steps=horizon, rng=game_seed, record=[horizon - 1])
            end = result.society.ties
            kept = np.isin(keys, end["source"].to_numpy().astype(np.int64) * n
                           + end["target"].to_numpy())
            displayed = result.panel["displayed"].to_numpy()
            rows.append({"scoring": scoring, "step": horizon,
                         "cross_ties_kept": kept[cross].mean() if cross.any() else np.nan,
                         "majority_ties_kept": kept[within].mean() if within.any() else np.nan,
                         "tied_majority_displayed": displayed[tied].mean() if tied.any()
                         else np.nan,
                         "minority_displayed": displayed[minority].mean()})
    return pd.DataFrame(rows)
