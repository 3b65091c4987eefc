"""Fairness and interventions in the citizen game: gaps, remedies, "diverse behaviour" (nb 05).

Three scenarios, each returning tidy numbers a sweep can replicate:

- :func:`fairness_run` - a two-group society (a poorer minority with the *same*
  dispositions as the majority) plays the citizen game (:func:`scorelab.simulate`); the
  final state is measured with :mod:`scorelab.fairness`: score gaps, gate access,
  disparate impact, equal opportunity against latent disposition, calibration, the
  association penalty (exact decomposition) and ostracism, by group.
- :func:`interventions_run` - the same society and the same random stream under the
  baseline system and under each intervention of :data:`INTERVENTIONS`;
  :func:`intervention_effects` sets each beside the baseline as paired differences with
  their intervals (nothing is ranked: differences whose intervals include 0 are reported
  as unresolved).
- :func:`diverse_behaviour_run` and :func:`diverse_behaviour_ties` - a minority whose
  harmless customary acts the authority scores as disapproved (``GameConfig.mislabelled``),
  against fair scoring of the same society: who pays, and how fast the ties between the
  groups are cut.

How each intervention is expressed with the engine's switches; every one acts inside the
loop, so access feeds back into wealth and behaviour:

==========================  =================================================================
``baseline``                the given :class:`~scorelab.dynamics.GameConfig`
``association cap``         ``policy.alpha`` lowered to ``cap`` (default 0.1)
``no association``          ``association=False`` (displayed = own score)
``private scores``          ``public_scores=False`` (no ostracism, less public self-censorship)
``decay``                   ``policy.memory`` lowered to ``decay_memory`` (every old act, good
                            or bad, fades faster)
``appeals``                 ``appeal``: that share of the recorded disapproved acts is struck
                            every step
``group-aware thresholds``  per-group thresholds on the measured gate
                            (``GameConfig.thresholds[gate]`` a mapping), tuned on a held-out
                            society and game stream (the baseline there) so that every
                            group's qualified would pass at its overall rate (equal
                            opportunity), then judged on the evaluation society
==========================  =================================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from scorelab.defaults import HOMOPHILY, MINORITY_SHARE, MINORITY_WEALTH
from scorelab import fairness
from scorelab._validation import check_integer, check_probability, check_real, check_rng
from scorelab.association import decompose
from scorelab.dating import dating_exposure
from scorelab.dynamics import GATES, GameConfig, simulate
from scorelab.experiments import confidence_intervals
from scorelab.findings import finding, findings_frame
from scorelab.scoring import DOMAINS
from scorelab.society import GroupProfile
from scorelab.studies.common import two_group_society

__all__ = [
    "FINDINGS",
    "INTERVENTIONS",
    "RESTS_ON",
    "diverse_behaviour_run",
    "diverse_behaviour_ties",
    "fairness_by_group",
    "fairness_run",
    "findings",
    "intervention_effects",
    "interventions_key_numbers",
    "interventions_run",
]

INTERVENTIONS = ("baseline", "association cap", "no association", "private scores", "decay",
                 "appeals", "group-aware thresholds")
"""The systems :func:`interventions_run` compares, baseline first."""

_COSTS = ("accuracy", "access_rate", "false_positive_rate", "mean_wealth")

NOTEBOOK = "05-fairness"

#: Gaps whose change under each lever is a finding, with the short name in its id.
_LEVER_GAPS = {"access_gap": "access-gap", "equal_opportunity_gap": "opportunity-gap"}


def _slug(name):
    return name.replace(" ", "-").replace("group-aware-thresholds", "group-thresholds")


#: The findings of notebook 05, id -> statement, in register order.
FINDINGS = {
    "interventions.ties-share-of-minority-gap":
        "Share of the minority's displayed-score gap that comes from its ties at equal own "
        "record (exact decomposition; the conditional association penalty).",
    "interventions.association-displayed-gap-change":
        "Association changes the displayed-score gap between the groups, with minus without "
        "association on the same society and seed (points; group-level consequence).",
    "interventions.ties-share-segregation":
        "The share of the minority's gap from its ties, most segregated minus fully mixed "
        "ties (independent societies).",
    **{f"interventions.{_slug(lever)}-{short}-change":
       f"Intervention '{lever}' changes the {gap.replace('_', ' ')} (majority minus minority), "
       f"against the baseline on the same society and seed."
       for lever in INTERVENTIONS[1:] for gap, short in _LEVER_GAPS.items()},
    "interventions.customs-minority-displayed-change":
        "Mis-scoring the minority's customs changes its mean displayed score (points).",
    "interventions.customs-minority-credit-change":
        "Mis-scoring the minority's customs changes its share with credit access.",
    "interventions.customs-reaches-associates":
        "Mis-scoring the minority's customs changes what majority members tied to it get "
        "through their ties, minus the change for the rest of the majority (points).",
    "interventions.customs-cross-ties":
        "Mis-scoring the minority's customs changes the count of majority-minority ties at "
        "the last step (share of the start), relabelled minus fair scoring.",
}

# What each finding rests on, read from notebook 09's sensitivity table through the output
# that measures the same quantity: the ties' share of the gap, its segregation contrast and
# each lever's change of the equal-opportunity gap read the paired contrasts of the
# ``interventions`` model (the study's own runs), the mis-scored customs those of the
# ``customs`` model; a lever's change of the credit access gap reads the game's credit
# access gap and association's change of the displayed gap its minority gap (a finding
# about what a lever does to a quantity reads that quantity's output).
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

_OUTPUT_READ = {
    "interventions.ties-share-of-minority-gap": "interventions.ties_share",
    "interventions.association-displayed-gap-change": "game.minority_gap",
    "interventions.ties-share-segregation": "interventions.ties_share_segregation",
    **{f"interventions.{_slug(lever)}-{short}-change":
       "game.credit_access_gap" if gap == "access_gap" else
       f"interventions.{_slug(lever).replace('-', '_')}_opportunity_change"
       for lever in INTERVENTIONS[1:] for gap, short in _LEVER_GAPS.items()},
    **{f"interventions.customs-{name.replace('_', '-')}": f"customs.{name}"
       for name in ("minority_displayed_change", "minority_credit_change",
                    "reaches_associates", "cross_ties")},
}

RESTS_ON = {finding_id: "; ".join(rests_on_entry(_OUTPUT_READ[finding_id]))
            for finding_id in FINDINGS}


def _society(n_citizens, minority_share, homophily, minority_wealth, rng):
    n_citizens = check_integer("n_citizens", n_citizens, minimum=10)
    minority_share = check_real("minority_share", minority_share, minimum=0.0, maximum=0.5,
                                open_min=True)
    return two_group_society(
        n_citizens, minority_share=minority_share,
        homophily=check_probability("homophily", homophily),
        minority=GroupProfile(wealth_median=check_real("minority_wealth", minority_wealth,
                                                       minimum=0.0, open_min=True)),
        rng=rng,
    )


def _check_config(config):
    config = GameConfig() if config is None else config
    if not isinstance(config, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(config).__name__}")
    return config


def _gate_thresholds(config, gate, groups):
    """The gate's threshold per citizen (group-aware thresholds map groups)."""
    value = config.thresholds[gate]
    if isinstance(value, Mapping):
        return groups.map(value).to_numpy(dtype=float)
    return np.full(len(groups), float(value))


def _measure(society, result, config, *, qualified, gate):
    """Fairness metrics (minority against majority) of the final state of one run."""
    panel = result.panel
    first, last = panel[panel.step == panel.step.min()], panel[panel.step == panel.step.max()]
    citizens = society.citizens
    groups = citizens["group"]
    disposition = citizens["disposition"]
    own = last["own"].to_numpy()
    displayed = pd.Series(last["displayed"].to_numpy(), index=citizens.index)
    threshold = _gate_thresholds(config, gate, groups)
    access = displayed >= threshold
    gaps = fairness.score_gaps(pd.DataFrame({"own": own, "displayed": displayed.to_numpy()}),
                               groups, reference="majority")
    rates = fairness.access_by_group(access, groups)
    opportunity = fairness.equal_opportunity(access, disposition, groups, qualified=qualified)
    calibration = fairness.calibration_gap(displayed, disposition, groups, reference="majority")
    isolation = fairness.isolation_by_group(first["degree"].to_numpy(), last["degree"].to_numpy(),
                                            displayed, groups)
    alpha = config.policy.alpha if config.association else 0.0
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
        "threshold_majority": threshold[(groups == "majority").to_numpy()][0],
        "threshold_minority": threshold[(groups == "minority").to_numpy()][0],
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


def fairness_by_group(society, *, config=None, n_steps=15, qualified=0.6,
                      bins=(350, 500, 600, 700, 800, 950), rng=None):
    """One society's final state by group: scores, credit, equal opportunity, exposure.

    Plays the citizen game (:func:`scorelab.simulate`) on ``society`` and measures its
    last step with :mod:`scorelab.fairness` and :func:`scorelab.dating.dating_exposure`.

    Parameters
    ----------
    society : scorelab.society.Society
        E.g. :func:`scorelab.studies.two_group_society`.
    config : GameConfig, optional
        The game (default ``GameConfig()``); its credit threshold is the gate measured.
    n_steps : int, default 15
        Steps of the game.
    qualified : float, default 0.6
        Disposition from which a citizen counts as qualified (equal opportunity).
    bins : sequence of float, default (350, 500, 600, 700, 800, 950)
        Displayed-score bins of the calibration table.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        The game's randomness (SPEC 7).

    Returns
    -------
    by_group : pandas.DataFrame
        Indexed by group: the columns of :func:`scorelab.fairness.score_gaps` (own and
        displayed), :func:`scorelab.fairness.access_by_group` (credit),
        :func:`scorelab.fairness.equal_opportunity` and
        :func:`scorelab.dating.dating_exposure` (ranked by displayed score).
    calibration : pandas.DataFrame
        :func:`scorelab.fairness.calibration` of the displayed scores.
    displayed : pandas.Series
        The final displayed scores, indexed by citizen.

    Examples
    --------
    >>> from scorelab.studies import two_group_society
    >>> society = two_group_society(200, rng=1)
    >>> by_group, _, displayed = fairness_by_group(society, n_steps=2, rng=2)
    >>> by_group.index.tolist(), len(displayed)
    (['majority', 'minority'], 200)
    """
    config = _check_config(config)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    result = simulate(society, config, n_steps=n_steps, rng=rng, record=[n_steps - 1])
    final = result.panel.set_index("citizen")
    groups, disposition = society.citizens["group"], society.citizens["disposition"]
    credit = final["displayed"] >= config.thresholds["credit"]
    by_group = pd.concat([
        fairness.score_gaps(final[["own", "displayed"]], groups),
        fairness.access_by_group(credit, groups),
        fairness.equal_opportunity(credit, disposition, groups, qualified=qualified),
        dating_exposure(final["displayed"], groups),
    ], axis=1)
    calibration = fairness.calibration(final["displayed"], disposition, groups, bins=list(bins))
    return by_group, calibration, final["displayed"]


def fairness_run(
    n_citizens=800,
    *,
    minority_share=MINORITY_SHARE,
    homophily=HOMOPHILY,
    minority_wealth=MINORITY_WEALTH,
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
    minority_share : float in (0, 0.5], default 0.2 (:data:`scorelab.defaults.MINORITY_SHARE`)
        The minority's share of the citizens.
    homophily : float in [0, 1], default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Share of ties kept within the own group.
    minority_wealth : float, default 0.6 (:data:`scorelab.defaults.MINORITY_WEALTH`)
        The minority's median wealth, the majority's being 1.
    n_steps : int, default 15
        Steps of the citizen game.
    config : GameConfig, optional
        Default ``GameConfig()`` (mandatory from the start).
    qualified : float in [0, 1], default 0.6
        Disposition from which a citizen deserves access (equal opportunity).
    gate : {"credit", "travel", "utilities"}, default "credit"
        The gate measured.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.
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
        ``false_positive_rate`` (unqualified with access), ``mean_wealth``; and the gate's
        ``threshold_majority`` and ``threshold_minority`` (equal unless ``config`` sets
        group-aware thresholds).

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
    society_seed, game_seed = np.random.default_rng(check_rng(rng)).bit_generator.seed_seq.spawn(2)
    society = _society(n_citizens, minority_share, homophily, minority_wealth, society_seed)
    result = simulate(society, config, n_steps=n_steps, rng=game_seed, record=[0, n_steps - 1])
    return _measure(society, result, config, qualified=qualified, gate=gate)


def _intervention_configs(config, cap, decay_memory, appeal):
    policy = config.policy
    return {
        "baseline": config,
        "association cap": dataclasses.replace(
            config, policy=dataclasses.replace(policy, alpha=cap)),
        "no association": dataclasses.replace(config, association=False),
        "private scores": dataclasses.replace(config, public_scores=False),
        "decay": dataclasses.replace(
            config, policy=dataclasses.replace(policy, memory=decay_memory)),
        "appeals": dataclasses.replace(config, appeal=appeal),
    }


def _equal_opportunity_config(config, result, society, *, qualified, gate):
    """``config`` with group-aware thresholds on ``gate`` chosen from ``result``'s final scores.

    Every group's threshold lets its qualified pass at the run's overall true-positive
    rate (:func:`scorelab.fairness.equal_opportunity_thresholds`); a group without
    qualified members keeps the run's threshold, and thresholds stay on the score scale.
    """
    panel = result.panel
    displayed = panel.loc[panel.step == panel.step.max(), "displayed"].to_numpy()
    citizens = society.citizens
    current = _gate_thresholds(config, gate, citizens["group"])
    good = citizens["disposition"].to_numpy() >= qualified
    target = float((displayed[good] >= current[good]).mean()) if good.any() else 0.0
    chosen = fairness.equal_opportunity_thresholds(
        displayed, citizens["disposition"], citizens["group"], target_rate=target,
        qualified=qualified)
    fallback = pd.Series(current, index=citizens.index).groupby(citizens["group"],
                                                               observed=True).first()
    chosen = chosen.fillna(fallback).clip(config.policy.score_min, config.policy.score_max)
    thresholds = dict(config.thresholds)
    thresholds[gate] = {group: float(value) for group, value in chosen.items()}
    return dataclasses.replace(config, thresholds=thresholds)


def interventions_run(
    n_citizens=800,
    *,
    minority_share=MINORITY_SHARE,
    homophily=HOMOPHILY,
    minority_wealth=MINORITY_WEALTH,
    n_steps=15,
    config=None,
    cap=0.1,
    decay_memory=0.5,
    appeal=0.2,
    qualified=0.6,
    gate="credit",
    threshold=None,
    systems=INTERVENTIONS,
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
        Record memory under "decay" (the baseline's default is 0.8).
    appeal : float in [0, 1], default 0.2
        Share of the recorded disapproved acts struck every step under "appeals" (must
        exceed the baseline's).
    threshold : float, optional
        The ``gate``'s threshold of the baseline (and of every group-blind system);
        default: the one ``config`` sets (650 for credit).
    systems : sequence of str, default INTERVENTIONS
        The systems to play, from :data:`INTERVENTIONS`; "baseline" is always played.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.
        One society stream and one game stream, replayed for every system, so the
        comparison is paired; and a held-out society and stream on which the
        group-aware thresholds are tuned.

    Returns
    -------
    pandas.DataFrame
        One row per intervention (column ``intervention``, in :data:`INTERVENTIONS` order)
        with the columns of :func:`fairness_run`.

    Notes
    -----
    "group-aware thresholds" are tuned on held-out data: the baseline runs on a second
    society and game stream (spawned apart from the evaluation ones), per-group thresholds
    on ``gate`` are picked from its final displayed scores with
    :func:`scorelab.fairness.equal_opportunity_thresholds` (target: that run's overall
    true-positive rate), and the whole game is played with them from the first step on
    the evaluation society, where they are judged. Tuning and judging on the same seed
    would let the thresholds fit that run's noise.
    Access then feeds back into wealth and behaviour, so the final scores differ from the
    baseline's and equal opportunity holds only approximately at the end; the thresholds
    used are reported (``threshold_majority``, ``threshold_minority``).

    Examples
    --------
    >>> frame = interventions_run(300, n_steps=3, rng=1)
    >>> frame["intervention"].tolist() == list(INTERVENTIONS)
    True
    """
    config = _check_config(config)
    cap = check_probability("cap", cap)
    if cap > config.policy.alpha:
        raise ValueError(f"cap must not exceed the baseline association weight "
                         f"{config.policy.alpha}, got {cap}")
    decay_memory = check_real("decay_memory", decay_memory, minimum=0.0, maximum=1.0,
                              open_max=True)
    appeal = check_probability("appeal", appeal)
    if appeal <= config.appeal:
        raise ValueError(f"appeal must exceed the baseline's appeal {config.appeal}, got "
                         f"{appeal}")
    if gate not in GATES:
        raise ValueError(f"gate must be one of {GATES}, got {gate!r}")
    qualified = check_probability("qualified", qualified)
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    if isinstance(systems, str) or not all(name in INTERVENTIONS for name in systems):
        raise ValueError(f"systems must be a sequence of names from {INTERVENTIONS}, got "
                         f"{systems!r}")
    systems = [name for name in INTERVENTIONS if name == "baseline" or name in systems]
    if threshold is not None:
        threshold = check_real("threshold", threshold, minimum=config.policy.score_min,
                               maximum=config.policy.score_max)
        config = dataclasses.replace(config, thresholds={**config.thresholds, gate: threshold})
    # the first two streams are those of earlier versions; the last two are held out
    society_seed, game_seed, tuning_society_seed, tuning_game_seed = (
        np.random.default_rng(check_rng(rng)).bit_generator.seed_seq.spawn(4))
    society = _society(n_citizens, minority_share, homophily, minority_wealth, society_seed)
    configs = {name: cfg for name, cfg in
               _intervention_configs(config, cap, decay_memory, appeal).items()
               if name in systems}
    if "group-aware thresholds" in systems:
        tuning_society = _society(n_citizens, minority_share, homophily, minority_wealth,
                                  tuning_society_seed)
        tuning = simulate(tuning_society, config, n_steps=n_steps, rng=tuning_game_seed,
                          record=[n_steps - 1])
        configs["group-aware thresholds"] = _equal_opportunity_config(
            config, tuning, tuning_society, qualified=qualified, gate=gate)
    results = {name: simulate(society, cfg, n_steps=n_steps, rng=game_seed,
                              record=[0, n_steps - 1])
               for name, cfg in configs.items()}
    rows = {name: _measure(society, results[name], configs[name], qualified=qualified,
                           gate=gate) for name in systems}
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("intervention")
    return frame.reset_index()


def intervention_effects(frame, metrics=("access_gap", "equal_opportunity_gap", "displayed_gap",
                                         *_COSTS), *, level=0.95):
    """Each intervention beside the baseline: paired differences with their intervals.

    Nothing is ranked. Each difference (intervention minus baseline, replicate by
    replicate: the same society and stream) carries its Student-t interval over the
    replicates, and ``resolved`` says whether that interval excludes 0; an unresolved
    difference says nothing about the direction, and two interventions whose intervals
    overlap are not ordered.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of :func:`interventions_run` over replicates (columns ``intervention`` and
        ``replicate``, e.g. from :func:`scorelab.sweep`), at one setting.
    metrics : sequence of str
        Columns to compare (gaps: a negative difference narrows them; costs:
        ``accuracy``, ``access_rate``, ``false_positive_rate``, ``mean_wealth``).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``intervention`` (in :data:`INTERVENTIONS` order, baseline excluded)
        and ``metric``: ``baseline`` (mean), ``value`` (mean under the intervention),
        ``difference`` (mean paired difference), ``low``, ``high``, ``n`` (replicates)
        and ``resolved``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"intervention": ["baseline", "fix"] * 3,
    ...                       "replicate": [0, 0, 1, 1, 2, 2],
    ...                       "access_gap": [0.20, 0.05, 0.22, 0.06, 0.18, 0.05]})
    >>> table = intervention_effects(frame, ["access_gap"]).round(3)
    >>> table[["difference", "resolved"]].to_dict("index")
    {('fix', 'access_gap'): {'difference': -0.147, 'resolved': True}}
    """
    if not isinstance(frame, pd.DataFrame) or not {"intervention", "replicate"} <= set(
            frame.columns):
        raise ValueError("frame must be the DataFrame of replicated interventions_run rows "
                         "(columns 'intervention' and 'replicate')")
    if "baseline" not in set(frame["intervention"]):
        raise ValueError("frame has no 'baseline' rows to compare against")
    metrics = list(metrics)
    missing = [c for c in metrics if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the frame")
    indexed = frame.set_index(["intervention", "replicate"])[metrics]
    baseline = indexed.xs("baseline", level="intervention")
    others = indexed.drop(index="baseline", level="intervention")
    differences = (others - baseline.reindex(others.index, level="replicate")).reset_index()
    table = confidence_intervals(differences, "intervention", metrics, level=level)
    table = table.rename(columns={"mean": "difference"}).set_index(["intervention", "metric"])
    means = others.groupby(level="intervention").mean().stack()
    table["value"] = means.reindex(table.index)
    table["baseline"] = [baseline[m].mean() for m in table.index.get_level_values("metric")]
    table["resolved"] = (table["low"] > 0) | (table["high"] < 0)
    order = [name for name in INTERVENTIONS if name in table.index.get_level_values(0)]
    order += [n for n in table.index.get_level_values(0).unique() if n not in order]
    table = table.reindex(pd.MultiIndex.from_product([order, metrics],
                                                     names=["intervention", "metric"]))
    return table[["baseline", "value", "difference", "low", "high", "n", "resolved"]]


# --------------------------------------------------------------------------------------
# Diverse behaviour
# --------------------------------------------------------------------------------------

_WHO = ("minority", "majority tied to minority", "majority not tied")
_SCORINGS = ("relabelled", "fair")


def _diverse_games(n_citizens, minority_share, homophily, customary_share, domain, n_steps,
                   config, rng, record):
    """The society, and the game under relabelled and under fair scoring of its customs."""
    customary_share = check_probability("customary_share", customary_share)
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    config = _check_config(config)
    if config.mislabelled:
        raise ValueError(f"config must not mislabel acts itself (the study sets "
                         f"mislabelled), got {config.mislabelled!r}")
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    society_seed, game_seed = np.random.default_rng(check_rng(rng)).bit_generator.seed_seq.spawn(2)
    society = _society(n_citizens, minority_share, homophily, 1.0, society_seed)
    relabelled = dataclasses.replace(config,
                                     mislabelled={"minority": {domain: customary_share}})
    results = {scoring: simulate(society, cfg, n_steps=n_steps, rng=game_seed, record=record)
               for scoring, cfg in zip(_SCORINGS, (relabelled, config))}
    return society, results


def diverse_behaviour_run(
    n_citizens=800,
    *,
    minority_share=MINORITY_SHARE,
    homophily=HOMOPHILY,
    customary_share=0.5,
    domain="consumption",
    n_steps=15,
    config=None,
    rng=None,
):
    """A group whose harmless customary acts are scored as disapproved: who pays for it.

    Both groups have the same dispositions and wealth. The citizen game runs twice on the
    same society and seed: once with a share ``customary_share`` of the minority's
    approved acts in ``domain`` (their customs) recorded as disapproved
    (``GameConfig.mislabelled``), once with fair scoring. The final states are compared
    by who the citizens are: the minority, majority members with a tie to the minority
    at the start, and the rest of the majority.

    Parameters
    ----------
    n_citizens : int, default 800
        Citizens of the two-group society.
    minority_share : float in (0, 0.5], default 0.2 (:data:`scorelab.defaults.MINORITY_SHARE`)
        The minority's share of the citizens.
    homophily : float in [0, 1], default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Share of ties kept within the own group.
    customary_share : float in [0, 1], default 0.5
        Share of the minority's approved acts in ``domain`` scored as disapproved.
    domain : str, default "consumption"
        One of :data:`scorelab.scoring.DOMAINS`.
    n_steps : int, default 15
        Steps of the citizen game.
    config : GameConfig, optional
        The system (default ``GameConfig()``); it must not set ``mislabelled`` itself.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.

    Returns
    -------
    pandas.DataFrame
        One row per ``who`` ("minority", "majority tied to minority", "majority not
        tied"), with ``n`` and the mean changes of the final state (relabelled minus fair
        scoring): ``own_change``, ``displayed_change``, ``from_ties_change`` (change of
        ``from_others`` in the exact decomposition of the final own scores on the final
        ties: the part that reaches a citizen through their ties; 0 without
        association), ``credit_change`` (share with credit access), ``wealth_change``
        and ``degree_change`` (tie weight); and ``ties_to_minority`` (mean share of tie
        weight to the minority at the start).

    Notes
    -----
    The two games draw the same random numbers until the first mis-scored act; from then
    on the relabelled game's extra draws shift its stream, so the changes also hold act
    noise, which averages out over citizens and replicates. With ``customary_share = 0``
    the two games are identical and every change is 0. Under the relative standard the
    majority gains a little when the minority is marked down (the standard falls).

    Examples
    --------
    >>> table = diverse_behaviour_run(300, n_steps=3, rng=1).set_index("who")
    >>> bool(table.loc["minority", "own_change"] < 0)
    True
    """
    society, results = _diverse_games(n_citizens, minority_share, homophily, customary_share,
                                      domain, n_steps, config, rng, record=[0, n_steps - 1])
    citizens = society.citizens
    minority = (citizens["group"] == "minority").to_numpy()
    finals = {}
    for scoring, result in results.items():
        panel = result.panel
        last = panel[panel.step == n_steps - 1]
        own = pd.Series(last["own"].to_numpy(), index=citizens.index)
        cfg = result.config
        alpha = cfg.policy.alpha if cfg.association else 0.0
        from_ties = (decompose(result.society, own, alpha=alpha)["from_others"].to_numpy()
                     if alpha > 0 else np.zeros(len(own)))
        displayed = last["displayed"].to_numpy()
        finals[scoring] = pd.DataFrame({
            "own_change": own.to_numpy(), "displayed_change": displayed,
            "from_ties_change": from_ties,
            "credit_change": (displayed >= _gate_thresholds(cfg, "credit", citizens["group"]))
            .astype(float),
            "wealth_change": last["wealth"].to_numpy(), "degree_change": last["degree"].to_numpy(),
        })
    change = finals["relabelled"] - finals["fair"]
    adjacency = society.adjacency()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    to_minority = np.divide(adjacency @ minority.astype(float), degree,
                            out=np.zeros(len(degree)), where=degree > 0)
    who = np.where(minority, _WHO[0], np.where(to_minority > 0, _WHO[1], _WHO[2]))
    change["who"] = pd.Categorical(who, categories=_WHO)
    change["ties_to_minority"] = to_minority
    table = change.groupby("who", observed=False).mean()
    table.insert(0, "n", change.groupby("who", observed=False).size())
    return table.reset_index()


def diverse_behaviour_ties(
    n_citizens=800,
    *,
    minority_share=MINORITY_SHARE,
    homophily=HOMOPHILY,
    customary_share=0.5,
    domain="consumption",
    n_steps=20,
    config=None,
    rng=None,
):
    """How fast the ties between the groups are cut when one group's customs are mis-scored.

    The games of :func:`diverse_behaviour_run` (relabelled and fair scoring on the same
    society and seed), followed step by step through the engine's history.

    Parameters
    ----------
    n_citizens, minority_share, homophily, customary_share, domain, config
        As in :func:`diverse_behaviour_run` (equal wealth).
    n_steps : int, default 20
        Steps of the citizen game.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the game draw from children of it.

    Returns
    -------
    pandas.DataFrame
        One row per ``scoring`` ("relabelled", "fair") and ``step`` (0: the start; ``s``:
        the end of the ``s``-th step, after its rewiring; the game's history steps):
        ``cross_ties`` (ties between the minority and the majority, as a share
        of their number at the start; ties cut and ties newly formed both count, so this
        is the net change), ``ties`` (all ties, as a share of the start),
        ``minority_displayed`` and ``majority_displayed`` (mean displayed score),
        ``minority_credit`` (share of the minority with credit access) and
        ``minority_wealth`` (mean).

    Examples
    --------
    >>> frame = diverse_behaviour_ties(300, n_steps=2, rng=1)
    >>> frame["scoring"].tolist()
    ['relabelled', 'relabelled', 'relabelled', 'fair', 'fair', 'fair']
    >>> frame["step"].tolist()[:3], frame["cross_ties"].iloc[0]
    ([0, 1, 2], np.float64(1.0))
    """
    society, results = _diverse_games(n_citizens, minority_share, homophily, customary_share,
                                      domain, n_steps, config, rng, record=())
    minority = (society.citizens["group"] == "minority").to_numpy()
    ties = society.ties
    source, target = ties["source"].to_numpy(), ties["target"].to_numpy()
    cross = int((minority[source] != minority[target]).sum())
    frames = []
    for scoring, result in results.items():
        history = result.wide()
        frames.append(pd.DataFrame({
            "scoring": scoring,
            "step": history["step"],
            "cross_ties": history["cross_group_ties"] / cross if cross else np.nan,
            "ties": history["ties"] / len(ties),
            "minority_displayed": history["mean_displayed_minority"],
            "majority_displayed": history["mean_displayed_majority"],
            "minority_credit": history["access_credit_minority"],
            "minority_wealth": history["mean_wealth_minority"],
        }))
    return pd.concat(frames, ignore_index=True)


def interventions_key_numbers(sizes, diverse, ties, interventions, by_group, *, minority_share,
                              homophily_grid, customary_share, tie_steps):
    """The numbers notebook 05 cites, with their 95 % intervals across replicates.

    Parameters
    ----------
    sizes : pandas.DataFrame
        Intervals of :func:`fairness_run` swept over ``minority_share`` and ``homophily``
        (columns ``metric``, ``minority_share``, ``homophily``, ``mean``, ``low``, ``high``).
    diverse : pandas.DataFrame
        Intervals of :func:`diverse_behaviour_run` by ``customary_share`` and ``who``.
    ties : pandas.DataFrame
        Intervals of :func:`diverse_behaviour_ties` by ``scoring`` and ``step``.
    interventions : pandas.DataFrame
        Intervals of :func:`interventions_run` by ``intervention``.
    by_group : pandas.DataFrame
        The one-society table of :func:`fairness_by_group`.
    minority_share, customary_share : float
        The values of the sweeps to read.
    homophily_grid : sequence of float
        The swept homophily values (the lowest and highest are read).
    tie_steps : int
        Steps of the tie runs (the state after the last, step ``tie_steps``, is read).

    Returns
    -------
    pandas.DataFrame
        Indexed by the number's description, columns ``mean``, ``low`` and ``high`` (NaN
        for the one-society exposure ratio, which has no replicates).
    """
    mixed, segregated = min(homophily_grid), max(homophily_grid)
    sizes = sizes.set_index(["metric", "minority_share", "homophily"])
    at_share = diverse[diverse.customary_share == customary_share].set_index(["metric", "who"])
    last = ties[(ties.metric == "cross_ties") & (ties.step == tie_steps)].set_index("scoring")
    per_intervention = interventions.set_index(["metric", "intervention"])
    columns = ["mean", "low", "high"]

    def interval(frame, key):
        return tuple(frame.loc[key, columns])

    tied = at_share.loc[("from_ties_change", "majority tied to minority"), columns]
    not_tied = at_share.loc[("from_ties_change", "majority not tied"), columns]
    rows = {
        "share of minority gap from ties, homophily 0":
            interval(sizes, ("from_ties_share", minority_share, mixed)),
        f"share of minority gap from ties, homophily {segregated}":
            interval(sizes, ("from_ties_share", minority_share, segregated)),
        f"credit access gap, homophily {segregated}":
            interval(sizes, ("access_gap", minority_share, segregated)),
        "one society: minority dating exposure / majority's":
            (by_group.loc["minority", "exposure_ratio"], np.nan, np.nan),
        "baseline disparate-impact ratio":
            interval(per_intervention, ("disparate_impact", "baseline")),
        "baseline equal-opportunity gap":
            interval(per_intervention, ("equal_opportunity_gap", "baseline")),
        "diverse behaviour: minority displayed change (points)":
            interval(at_share, ("displayed_change", "minority")),
        "diverse behaviour: minority credit access change":
            interval(at_share, ("credit_change", "minority")),
        # a difference of two means: its interval is not the difference of the intervals
        "diverse behaviour: from-ties change, majority tied minus not tied (points)":
            (tied["mean"] - not_tied["mean"], np.nan, np.nan),
        f"cross-group ties at step {tie_steps} (share of start), relabelled":
            interval(last, "relabelled"),
        f"cross-group ties at step {tie_steps} (share of start), fair":
            interval(last, "fair"),
        "group-aware thresholds: equal-opportunity gap":
            interval(per_intervention, ("equal_opportunity_gap", "group-aware thresholds")),
        "group-aware thresholds: minority credit threshold":
            interval(per_intervention, ("threshold_minority", "group-aware thresholds")),
        "appeals: equal-opportunity gap":
            interval(per_intervention, ("equal_opportunity_gap", "appeals")),
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def findings(interventions, sizes, diverse, ties, *, minority_share, customary_share,
             n_citizens, seed, scale="default"):
    """The findings register of notebook 05.

    Parameters
    ----------
    interventions : pandas.DataFrame
        Replicates of :func:`interventions_run` (columns ``intervention``, ``replicate``)
        at one setting, with every system.
    sizes : pandas.DataFrame
        Replicates of :func:`fairness_run` swept over ``minority_share`` and
        ``homophily``; the lowest and highest homophily at ``minority_share`` are read.
    diverse : pandas.DataFrame
        Replicates of :func:`diverse_behaviour_run` swept over ``customary_share``.
    ties : pandas.DataFrame
        Replicates of :func:`diverse_behaviour_ties` (the last step is read).
    minority_share, customary_share : float
        The values of the sweeps to read.
    n_citizens : int
        Citizens per replicate.
    seed : int
        The notebook's root seed.
    scale : {"default", "full"}, default "default"

    Returns
    -------
    pandas.DataFrame
        A validated register, one row per entry of :data:`FINDINGS` in its order. Paired
        differences (same society and seed) where the runs are paired; the segregation
        finding compares independent societies (Welch's interval).
    """
    common = dict(notebook=NOTEBOOK, n_citizens=n_citizens, seed=seed, scale=scale)
    rows = []

    def add(finding_id, values, counterfactual=None, paired=True):
        rows.append(finding(finding_id, np.asarray(values, float),
                            counterfactual=None if counterfactual is None
                            else np.asarray(counterfactual, float),
                            paired=paired, statement=FINDINGS[finding_id],
                            rests_on=RESTS_ON[finding_id].split("; "), **common))

    by_system = interventions.set_index(["intervention", "replicate"]).sort_index()

    def system(name, column):
        return by_system.loc[name, column].sort_index().to_numpy(float)

    add("interventions.ties-share-of-minority-gap", system("baseline", "from_ties_share"))
    add("interventions.association-displayed-gap-change", system("baseline", "displayed_gap"),
        system("no association", "displayed_gap"))
    at_share = sizes[np.isclose(sizes["minority_share"], minority_share)]
    low, high = at_share["homophily"].min(), at_share["homophily"].max()
    add("interventions.ties-share-segregation",
        at_share.loc[at_share["homophily"] == high, "from_ties_share"],
        at_share.loc[at_share["homophily"] == low, "from_ties_share"], paired=False)
    for lever in INTERVENTIONS[1:]:
        for gap, short in _LEVER_GAPS.items():
            add(f"interventions.{_slug(lever)}-{short}-change", system(lever, gap),
                system("baseline", gap))
    customs = diverse[np.isclose(diverse["customary_share"], customary_share)]
    who = customs.set_index(["who", "replicate"]).sort_index()
    add("interventions.customs-minority-displayed-change",
        who.loc["minority", "displayed_change"])
    add("interventions.customs-minority-credit-change", who.loc["minority", "credit_change"])
    add("interventions.customs-reaches-associates",
        who.loc["majority tied to minority", "from_ties_change"],
        who.loc["majority not tied", "from_ties_change"])
    last = ties[ties["step"] == ties["step"].max()].set_index(["scoring", "replicate"])
    last = last.sort_index()
    add("interventions.customs-cross-ties", last.loc["relabelled", "cross_ties"],
        last.loc["fair", "cross_ties"])
    return findings_frame(rows)
