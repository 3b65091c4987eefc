"""Notebook 09: what the headline outputs of the game, the dating market, the credit loop,
guilt by association, the feedback loops, the opt-in rollout and the hiding rules rest on.

Each model is wrapped as a function of its parameters that returns its headline outputs
(:func:`game_outputs`, :func:`dating_outputs`, :func:`credit_outputs`,
:func:`guilt_outputs` for notebook 01's quantities, :func:`rollout_outputs` for notebook
03's, :func:`feedback_outputs` for notebook 02's, :func:`censorship_outputs` and
:func:`chosen_hiding_outputs` for notebook 04's); :data:`MODELS` holds their parameter boxes. :func:`screen` runs Morris's elementary-effects screening
over a whole box, :func:`sobol_on` Sobol' indices over the few parameters the screening
kept (:func:`few_that_matter`), and :func:`rests_on_table` names, for each output, the
parameters it rests on (:func:`scorelab.global_sensitivity.influential`). The table the
notebook computes at full scale is committed as ``scorelab/studies/data/rests_on.csv`` (a
copy of ``results/09-sensitivity/rests_on.csv``); :func:`rests_on` reads it, and the
studies of notebooks 01-08 fill their ``RESTS_ON`` from it with :func:`rests_on_entry`,
each finding through the output that measures the same quantity, or marked
:data:`NOT_COVERED` when no output does (:func:`studies_rests_on` gathers them)::

    from scorelab.studies.sensitivity import rests_on_entry
    RESTS_ON = {"guilt.minority-gap-change": rests_on_entry("game.minority_gap")}

:func:`findings` turns three pre-registered directions (one for each of the game, the
dating market and the credit loop) into rows of the findings register: the paired effect of moving one parameter from the low to the high end
of its range, the other parameters drawn uniformly from their boxes.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_real, check_rng
from scorelab.dating import DatingMarket, Founders, simulate_generations
from scorelab.dynamics import (
    ALL_GATES,
    DEFAULT_STAKES,
    DEFAULT_THRESHOLDS,
    DEFAULT_TIE_VALUES,
    GameConfig,
    simulate,
)
from scorelab.findings import finding, findings_frame
from scorelab.global_sensitivity import influential, sensitivity
from scorelab.lending import LoanTerms
from scorelab.scoring import ScoringPolicy
from scorelab.society import GroupProfile
from scorelab.studies.common import two_group_society

__all__ = [
    "MODELS",
    "NOT_IN_MODEL",
    "game_outputs",
    "dating_outputs",
    "credit_outputs",
    "guilt_outputs",
    "rollout_outputs",
    "feedback_outputs",
    "censorship_outputs",
    "chosen_hiding_outputs",
    "PENALTY_HOMOPHILY_GRID",
    "screen",
    "few_that_matter",
    "sobol_on",
    "rests_on_table",
    "rests_on",
    "rests_on_entry",
    "NOT_COVERED",
    "NONE_STANDS_OUT",
    "PENDING",
    "STUDIES",
    "studies_rests_on",
    "findings",
]

NOTEBOOK = "09-sensitivity"
_GAME_MEASURES = ["mean_displayed[group]", "access_credit[group]", "largest_component_share",
                  "score_assortativity", "expression_gap", "ties", "private_approval",
                  "expressed_approval", "pluralistic_ignorance", "hidden_share",
                  *(f"cuts_{source}_{kind}" for source in ("strategic", "social")
                    for kind in DEFAULT_TIE_VALUES),
                  *(f"ties_{kind}" for kind in DEFAULT_TIE_VALUES)]

MODELS = {
    "game": {
        "alpha": (0.0, 0.6),
        "memory": (0.5, 0.95),
        "ostracism": (0.0, 0.2),
        "gap_scale": (25.0, 200.0),
        "triadic_share": (0.0, 1.0),
        "standard_inertia": (0.0, 0.9),
        "incentive": (0.0, 0.3),
        "peer_pressure": (0.0, 0.6),
        "threshold_shift": (-100.0, 100.0),
        "gated": (0.0, 5.0),
        "stake_scale": (0.0, 30.0),
        "strategic_rate": (0.0, 0.4),
        "tie_value_scale": (0.25, 4.0),
        "rationality": (0.5, 8.0),
        "internalisation": (0.0, 0.3),
        "authenticity": (0.25, 4.0),
        "detection": (0.0, 0.6),
    },
    "dating": {
        "heritability": (0.1, 0.8),
        "cultural_transmission": (0.0, 0.2),
        "score_weight": (0.0, 2.0),
        "visible_fraction": (0.2, 1.0),
        "generations": (1.0, 5.0),
        "alpha": (0.0, 0.6),
    },
    "credit": {
        "alpha": (0.0, 0.6),
        "gain": (0.5, 2.0),
        "loss": (-8.0, -1.0),
        "repay_change": (25.0, 125.0),
        "default_change": (-250.0, -50.0),
    },
    "guilt": {
        "alpha": (0.0, 0.6),
        "homophily": (0.0, 0.95),
        "minority_wealth": (0.3, 1.0),
        "minority_share": (0.05, 0.45),
        "mean_degree": (4.0, 30.0),
    },
    "rollout": {
        "selectivity": (0.0, 8.0),
        "join_rate": (0.05, 0.2),
        "mandatory_step": (3.0, 12.0),
        "standard_inertia": (0.0, 0.95),
        "memory": (0.5, 0.95),
        "alpha": (0.0, 0.6),
        "incentive": (0.0, 0.3),
        "minority_wealth": (0.3, 1.0),
    },
    "feedback": {
        "alpha": (0.0, 0.9),
        "ostracism": (0.01, 1.0),
        "gap_scale": (25.0, 200.0),
        "memory": (0.5, 0.95),
        "homophily": (0.5, 0.9),
        "mean_degree": (6.0, 14.0),
    },
    "censorship": {
        "censorship": (0.0, 1.0),
        "visibility": (0.0, 1.0),
        "detection": (0.0, 1.0),
        "responsiveness": (0.1, 1.0),
        "minority_disposition": (0.3, 0.6),
        "homophily": (0.5, 0.9),
    },
    "chosen_hiding": {
        "stake_scale": (0.0, 30.0),
        "rationality": (0.5, 8.0),
        "authenticity": (0.25, 4.0),
        "detection": (0.0, 0.6),
        "fear_rate": (0.0, 1.0),
        "minority_disposition": (0.3, 0.6),
    },
}
"""Each model's parameter box ``{name: (low, high)}``; the defaults of the code lie inside.

``alpha`` is the association weight (the policy's weight on one's ties). The game runs
issue 9's derived mechanisms: the compliance incentive derived from the stakes
(``incentive_rule="stakes"``), strategic unfriending, norm drift and chosen
self-censorship (``censorship_rule="choice"``). ``gated`` is how many gates are at stake,
in the order of their stakes (rounded: 0 nothing, 1 shop rewards, then credit, travel,
utilities, 5 up to food); ``threshold_shift`` moves every gate's threshold (shop 750,
credit 650, travel 550, utilities 450, food 400) by the same number of points, the fixed
credit threshold among them; ``stake_scale`` multiplies every gate's stake (shop 0.5,
credit 1, travel 2, utilities 4, food 8) and ``tie_value_scale`` every tie kind's value
(family 6, friend 3, neighbour 1.5, colleague 1); ``generations`` is rounded to an
integer.

``guilt`` is notebook 01's scenario (:func:`scorelab.studies.guilt.guilt_by_association`):
the society (homophily, the minority's wealth and share, mean degree) and the association
weight; its boxes hold both the shared defaults (homophily 0.7, minority wealth 0.6) and
notebook 01's scenario (0.8, 0.4). ``rollout`` is notebook 03's opt-in rollout
(:func:`scorelab.studies.rollout.rollout_summary`): how selectively and how fast citizens
join, when it becomes mandatory (``mandatory_step``, rounded), how sticky the standard is
(``standard_inertia``; notebook 03's sticky standard is 0.9), the record's memory, the
association weight, the compliance incentive and the minority's wealth.

``feedback`` is notebook 02's phase diagram (:func:`scorelab.studies.feedback.feedback_run`):
the association weight up to notebook 02's 0.9, ostracism up to its 1 (from
0.01, so that every run cuts ties: the share of cut ties left unreplaced is undefined
without cuts), the gap scale of cutting, the
record's memory and the society's homophily and mean degree (shared defaults 0.7 and 10,
notebook 02's scenario 0.6 and 8). ``censorship`` is notebook 04's fixed hiding rule against
no hiding on one seed (:func:`scorelab.studies.censorship.hiding_effects`): the censorship
propensity, visibility, detection, the groups' mean responsiveness, the dissenting
minority's mean disposition and homophily (default 0.7, notebook 04's 0.6).
``chosen_hiding`` is notebook 04's chosen self-censorship
(:func:`scorelab.studies.censorship.chosen_hiding_run` and
:func:`~scorelab.studies.censorship.hiding_by_position_run`): the stake scale (notebook 04's
0-30, 3 and 10), the logit's rationality (its 0.5-8), authenticity, detection, the fear
rate and the minority's disposition."""

NOT_IN_MODEL = {
    "game": ["the fixed hiding rule's censorship rate (the box runs chosen self-censorship; "
             "notebook 04's fixed-rule findings are not covered)",
             "the order of tie values by kind (one scale factor on all of them; the ordering "
             "family > friend > neighbour > colleague is fixed)",
             "the society: homophily, the minority's share and wealth, mean degree"],
    "dating": ["the share of couples formed through the site (every couple forms there)"],
    "credit": [],
    "guilt": ["the record: acts per citizen and domain (20) and the scoring policy's domain "
              "weights and standard",
              "the association rule (the Friedkin-Johnsen equilibrium only; notebook 01 uses "
              "no other)"],
    "rollout": ["the game's other mechanisms, at GameConfig's defaults (no strategic "
                "unfriending, norm drift or chosen self-censorship; social ostracism 0.05)",
                "the society's homophily (0.7) and the minority's share (0.2)"],
    "feedback": ["the game's other mechanisms, at GameConfig's defaults (no strategic "
                 "unfriending or norm drift, the fixed hiding rule at 0.5, triadic share 0.5, "
                 "the credit, travel and utilities gates)",
                 "the minority's share (0.2) and the groups' profiles (equal)",
                 "ostracism below 0.01 (the unreplaced share is undefined without cuts; the "
                 "contrasts' counterfactual arms run at 0)"],
    "censorship": ["public scores (always public; private scores halve the hiding)",
                   "the minority's share (0.2) and the rest of the game, at GameConfig's "
                   "defaults"],
    "chosen_hiding": ["visibility (1: notebook 04's findings' point) and selective "
                      "presentation (off)",
                      "the society's homophily (notebook 04's 0.6) and the minority's share "
                      "(0.2)"],
}
"""Parameters issue 10 asks about that the boxes do not vary."""

OUTPUTS = {
    "game.minority_gap": "majority minus minority mean displayed score at the last step (points)",
    "game.credit_access_gap": "majority minus minority share with credit access at the last step",
    "game.largest_component_share": "share of citizens in the largest connected component",
    "game.score_assortativity": "correlation of displayed scores across ties",
    "game.expression_gap": "mean private minus expressed disapproval rate",
    "game.strategic_cuts": "strategic cuts per 1,000 ties and step, second half of the run",
    **{f"game.strategic_cuts_{kind}": f"strategic cuts of {kind} ties per 1,000 {kind} ties "
                                        f"and step, second half of the run"
       for kind in DEFAULT_TIE_VALUES},
    "game.social_cuts": "social-ostracism cuts per 1,000 ties and step, second half of the run",
    "game.private_approval_drift": "mean private approval, last step minus first",
    "game.pluralistic_ignorance": "share who privately approve but see most ties conform, "
                                  "last step",
    "game.hidden_share": "share of disapproved acts hidden, second half of the run",
    "game.expressed_approval": "mean share of acts shown as approved, last step",
    "dating.disposition_shift": "mean disposition, last generation minus founders",
    "dating.minority_share_change": "the minority's share of the last generation minus the "
                                    "founders'",
    "credit.gap_change": "change of the groups' mean own-score gap over the rounds (points)",
    "credit.selection_gap": "reference minus other group's selection rate in the last round",
    "guilt.gap_change": "displayed minus own group gap, majority minus minority mean (points; "
                        "negative: association narrows the gap)",
    "guilt.minority_mean_change": "the minority's mean displayed minus own score (points)",
    "guilt.association_penalty": "points a minority member displays below a majority member "
                                 "with the same own score",
    "guilt.penalty_homophily_slope": "slope of that penalty on homophily over notebook 01's "
                                     "grid 0-0.95 (points per unit homophily)",
    "guilt.well_behaved_minority_change": "mean displayed minus own score of minority members "
                                          "with disposition above the median (points)",
    "guilt.ties_to_minority_slope": "among well-behaved citizens at equal own score, the "
                                    "association effect per unit share of ties to the "
                                    "minority (points)",
    "rollout.self_selection": "mean disposition of early (opt-in) minus late joiners",
    "rollout.early_own_effect": "early joiners' own score on the last opt-in step, rollout "
                                "minus mandatory from the start (points)",
    "rollout.late_own_effect_switch": "late joiners' own score at the switch, rollout minus "
                                      "mandatory from the start (points)",
    "rollout.late_own_effect_after": "late joiners' own score 4 steps after the switch, "
                                     "rollout minus mandatory from the start (points)",
    "rollout.standard_effect_switch": "the standard's mean approval rate at the switch, "
                                      "rollout minus mandatory from the start",
    "rollout.inertia_deficit": "late joiners' own-score effect at the switch, at this "
                               "inertia minus re-measured (points; 0 at inertia 0)",
    "rollout.inertia_credit_effect": "late joiners' credit-access effect at the switch, at "
                                     "this inertia minus re-measured (share; 0 at inertia 0)",
    "feedback.low_scorer_isolation": "share of the lowest 10 % of displayed scores without "
                                     "ties minus the share of all citizens without ties",
    "feedback.displayed_gini_change": "Gini of displayed scores, at this association weight "
                                      "minus at 0 (same seed; 0 at weight 0)",
    "feedback.wealth_gini_change": "Gini of wealth, at this association weight minus at 0 "
                                   "(same seed; 0 at weight 0)",
    "feedback.behaviour_diversity_change": "diversity of expressed behaviour (bits), at this "
                                           "ostracism minus at 0 (same seed)",
    "feedback.unreplaced_share": "share of the ties cut over the run that the engine does "
                                 "not replace",
    "censorship.minority_score_change": "the dissenting minority's mean own score, fixed-rule "
                                        "hiding minus none (points, same seed)",
    "censorship.majority_score_change": "the majority's mean own score, fixed-rule hiding "
                                        "minus none (points, same seed)",
    "censorship.score_gap_change": "majority minus minority mean own score, fixed-rule hiding "
                                   "minus none (points, same seed)",
    "censorship.credit_gap_change": "majority minus minority credit access, fixed-rule hiding "
                                    "minus none (share, same seed)",
    "censorship.disposition_correlation_change": "correlation of own score and disposition, "
                                                 "fixed-rule hiding minus none (same seed)",
    "chosen_hiding.hiding_gap": "under chosen hiding, the minority's minus the majority's "
                                "share of disapproved acts hidden, second half of the run",
    "chosen_hiding.adjusted_hiding_gap_effect": "the same at equal position (nearest gate and "
                                                "distance bin), chosen minus no stakes "
                                                "(same seed; 0 at stake scale 0)",
}
"""The headline outputs, ``<model>.<output>``, and what each measures."""


def _policy(alpha, **fields):
    """The scoring policy with association weight ``alpha``."""
    return ScoringPolicy(alpha=alpha, **fields)


def _history(result):
    """The game's history after each step (steps 1, 2, ...), one row per step and one column
    per measure (:meth:`SimulationResult.wide` without the starting state, step 0): the
    outputs' first row is the state after the first step, as in the full-scale results."""
    wide = result.wide()
    return wide[wide["step"] >= 1].reset_index(drop=True)


def game_outputs(alpha=0.3, memory=0.8, ostracism=0.05, gap_scale=100.0, triadic_share=0.5,
                 standard_inertia=0.0, incentive=0.15, peer_pressure=0.3, threshold_shift=0.0,
                 gated=4.0, stake_scale=1.0, strategic_rate=0.2, tie_value_scale=1.0,
                 rationality=2.0, internalisation=0.1, authenticity=1.0, detection=0.3, *,
                 n_citizens=400, n_steps=15, rng=None):
    """The citizen game's headline outputs at one point of its parameter box.

    A two-group society (20 % minority with median wealth 0.6, homophily 0.7,
    :func:`scorelab.studies.common.two_group_society`) plays :func:`scorelab.simulate` for
    ``n_steps`` steps with issue 9's mechanisms on: the compliance incentive derived from
    the stakes, strategic unfriending (``strategic_rate``, ``rationality``, tie values
    ``DEFAULT_TIE_VALUES * tie_value_scale``), norm drift (``internalisation``) and chosen
    self-censorship (``authenticity``, ``detection``), beside social ostracism. The first
    ``round(gated)`` gates of :data:`scorelab.dynamics.ALL_GATES` are at stake, worth
    ``DEFAULT_STAKES * stake_scale``, at ``DEFAULT_THRESHOLDS + threshold_shift`` (kept on
    the score scale). ``alpha`` and ``memory`` are fields of the
    :class:`~scorelab.scoring.ScoringPolicy`.

    Checked against: with ``alpha = 0`` strategic cuts are the logit's baseline churn only
    (no tie moves a score), and with ``internalisation = 0`` private approval does not
    drift (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        Association weight (``ScoringPolicy.alpha``).
    memory : float in [0, 1), default 0.8
        Decay of the running record (``ScoringPolicy.memory``).
    ostracism : float in [0, 1], default 0.05
        Social ostracism: scale of the chance to cut a tie to a lower scorer per step.
    gap_scale : float, default 100.0
        Score gap (points) at which social cutting reaches 63 % of its maximum.
    triadic_share : float in [0, 1], default 0.5
        Share of new ties closing a triangle.
    standard_inertia : float in [0, 1), default 0.0
        How slowly the relative standard follows its reference.
    incentive : float, default 0.15
        Scale of the compliance incentive (derived from the stakes here).
    peer_pressure : float, default 0.3
        Weight of the gap between one's ties' expressed approval and one's own.
    threshold_shift : float, default 0.0
        Points added to every gate's threshold (clipped to the score scale).
    gated : float in [0, 5], default 4.0
        Number of gates at stake, ``round(gated)``: 0 nothing, then shop, credit, travel,
        utilities, food.
    stake_scale : float >= 0, default 1.0
        Factor on ``DEFAULT_STAKES``.
    strategic_rate : float in [0, 1], default 0.2
        Chance per step that each citizen reconsiders each tie (strategic unfriending).
    tie_value_scale : float >= 0, default 1.0
        Factor on ``DEFAULT_TIE_VALUES`` (what a tie of each kind is worth).
    rationality : float >= 0, default 2.0
        Logit precision of strategic cuts and of chosen self-censorship.
    internalisation : float in [0, 1], default 0.1
        Rate of norm drift of private approval.
    authenticity : float >= 0, default 1.0
        Cost of hiding an act (units of the stakes).
    detection : float in [0, 1], default 0.3
        Chance the authority detects a hidden act.
    n_citizens : int, default 400
        Citizens in the society.
    n_steps : int, default 15
        Steps of the game.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the game (SPEC 7).

    Returns
    -------
    dict
        The game outputs of :data:`OUTPUTS` (without the ``game.`` prefix).

    Examples
    --------
    >>> out = game_outputs(n_citizens=200, n_steps=3, rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS if o.startswith("game."))
    True
    """
    n_citizens = check_integer("n_citizens", n_citizens, minimum=10)
    n_steps = check_integer("n_steps", n_steps, minimum=2)
    level = int(round(check_real("gated", gated, minimum=0.0, maximum=len(ALL_GATES))))
    check_real("stake_scale", stake_scale, minimum=0.0)
    check_real("tie_value_scale", tie_value_scale, minimum=0.0)
    society_rng, game_rng = np.random.default_rng(check_rng(rng)).spawn(2)
    society = two_group_society(n_citizens, homophily=0.7,
                                minority=GroupProfile(wealth_median=0.6), rng=society_rng)
    gates = ALL_GATES[:level]
    policy = _policy(alpha, memory=memory)
    config = GameConfig(
        policy=policy, ostracism=ostracism, gap_scale=gap_scale,
        triadic_share=triadic_share, standard_inertia=standard_inertia, incentive=incentive,
        peer_pressure=peer_pressure, detection=detection, gates=gates,
        thresholds={g: float(np.clip(DEFAULT_THRESHOLDS[g] + threshold_shift,
                                     policy.score_min, policy.score_max)) for g in gates},
        stakes={g: DEFAULT_STAKES[g] * stake_scale for g in gates},
        incentive_rule="stakes", strategic_rate=strategic_rate, rationality=rationality,
        tie_values={k: v * tie_value_scale for k, v in DEFAULT_TIE_VALUES.items()},
        internalisation=internalisation, censorship_rule="choice", authenticity=authenticity,
    )
    history = _history(simulate(society, config, n_steps=n_steps, rng=game_rng,
                                measures=_GAME_MEASURES))
    first, last, late = history.iloc[0], history.iloc[-1], history.iloc[n_steps // 2:]

    def per_thousand_ties(source):
        cuts = sum(late[f"cuts_{source}_{kind}"] for kind in DEFAULT_TIE_VALUES)
        return (1000 * cuts / late["ties"].clip(lower=1)).mean()

    outputs = {
        "minority_gap": last["mean_displayed_majority"] - last["mean_displayed_minority"],
        "credit_access_gap": last["access_credit_majority"] - last["access_credit_minority"],
        "largest_component_share": last["largest_component_share"],
        # undefined (NaN) only when displayed scores are constant: no association at all
        "score_assortativity": np.nan_to_num(last["score_assortativity"]),
        "expression_gap": last["expression_gap"],
        "strategic_cuts": per_thousand_ties("strategic"),
        **{f"strategic_cuts_{kind}": (1000 * late[f"cuts_strategic_{kind}"]
                                      / late[f"ties_{kind}"].clip(lower=1)).mean()
           for kind in DEFAULT_TIE_VALUES},
        "social_cuts": per_thousand_ties("social"),
        "private_approval_drift": last["private_approval"] - first["private_approval"],
        "pluralistic_ignorance": last["pluralistic_ignorance"],
        # NaN when no act is disapproved: nothing to hide
        "hidden_share": np.nan_to_num(late["hidden_share"].mean()),
        "expressed_approval": last["expressed_approval"],
    }
    return {name: float(value) for name, value in outputs.items()}


def dating_outputs(heritability=0.5, cultural_transmission=0.0, score_weight=0.0,
                   visible_fraction=1.0, generations=3, alpha=0.3, *,
                   n_citizens=400, rng=None):
    """The dating market's headline outputs under a score ranking at one point of its box.

    :func:`scorelab.dating.simulate_generations` with ``ranking="score"`` (heritability
    ``h^2``, cultural transmission ``c^2``) on founders of
    ``n_citizens`` (20 % minority with median wealth 0.6), ``DatingMarket(score_weight=...)``
    and association weight ``alpha``; ``generations`` is rounded.

    Parameters
    ----------
    heritability : float in [0, 1], default 0.5
        Heritability ``h^2`` of the disposition.
    cultural_transmission : float in [0, 1], default 0.0
        Cultural transmission ``c^2`` (``h^2 + c^2 <= 1``).
    score_weight : float, default 0.0
        ``DatingMarket.score_weight``: weight of the score in partner choice.
    visible_fraction : float in [0, 1], default 1.0
        Share of the ranked candidates the site shows.
    generations : float, default 3
        Generations to simulate (rounded).
    alpha : float in [0, 1], default 0.3
        Association weight of the displayed score.
    n_citizens : int, default 400
        Founders.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the founders and the generations (SPEC 7).

    Returns
    -------
    dict
        ``disposition_shift`` and ``minority_share_change`` (see :data:`OUTPUTS`).

    Examples
    --------
    >>> sorted(dating_outputs(n_citizens=200, generations=1, rng=1))
    ['disposition_shift', 'minority_share_change']
    """
    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    generations = int(round(float(generations)))
    founders = Founders(n_citizens, profiles={"minority": GroupProfile(wealth_median=0.6)})
    frame = simulate_generations(
        founders, generations=generations, ranking="score", heritability=heritability,
        cultural_transmission=cultural_transmission,
        visible_fraction=visible_fraction, market=DatingMarket(score_weight=score_weight),
        policy=_policy(alpha), rng=rng)
    mean = frame.query("measure == 'disposition_mean' and by == 'all'").set_index("generation")
    share = frame.query("measure == 'group_share' and group == 'minority'").set_index(
        "generation")["value"]
    return {
        "disposition_shift": float(mean.loc[generations, "value"] - mean.loc[0, "value"]),
        # a minority that died out has no row: its share is 0
        "minority_share_change": float(share.get(generations, 0.0) - share.loc[0]),
    }


def credit_outputs(alpha=0.3, gain=1.0, loss=-4.0, repay_change=75.0, default_change=-150.0,
                   *, n_borrowers=400, n_rounds=5, population=None, rng=None):
    """The credit loop's headline outputs at one point of its box.

    :func:`scorelab.studies.credit.credit_gap` (the sound loop of
    :func:`scorelab.lending.simulate_lending`, max-profit lender, homophily 0.8) with
    association weight ``alpha`` and ``LoanTerms(gain, loss, repay_change, default_change)``;
    ``population`` defaults to the FICO tables (White and Black).

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        Association weight of the score the lender sees.
    gain, loss : float, default 1.0 and -4.0
        The lender's gain from a repaid loan and from a default (``LoanTerms``).
    repay_change, default_change : float, default 75.0 and -150.0
        Score change of a borrower who repays and who defaults (``LoanTerms``).
    n_borrowers : int, default 400
        Borrowers per group.
    n_rounds : int, default 5
        Lending rounds.
    population : optional
        The groups' score distributions and repayment curves; default the FICO tables.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the borrowers and the loans (SPEC 7).

    Returns
    -------
    dict
        ``gap_change`` and ``selection_gap`` (see :data:`OUTPUTS`).
    """
    from scorelab.studies.credit import credit_gap  # here: studies.credit reads rests_on

    terms = LoanTerms(gain=gain, loss=loss, repay_change=repay_change,
                      default_change=default_change)
    rows = credit_gap(alpha, n_borrowers=n_borrowers, n_rounds=n_rounds, loop="sound",
                      homophily=0.8, mean_degree=10.0, population=population, terms=terms,
                      rng=rng)  # notebook 06's society, as in the full-scale results
    rates = [c for c in rows.columns if c.startswith("selection_rate_")]
    last = rows.iloc[-1]
    return {"gap_change": float(last["gap"] - rows["gap"].iloc[0]),
            "selection_gap": float(last[rates[0]] - last[rates[1]])}


PENALTY_HOMOPHILY_GRID = (0.0, 0.2, 0.4, 0.6, 0.8, 0.95)
"""The homophily values over which :func:`guilt_outputs` fits the penalty's slope (notebook
01's ``homophily_grid``)."""


def guilt_outputs(alpha=0.3, homophily=0.7, minority_wealth=0.6, minority_share=0.2,
                  mean_degree=10.0, *, n_citizens=400, rng=None):
    """Notebook 01's quantities at one point of the ``guilt`` box.

    One replicate of :func:`scorelab.studies.guilt.guilt_by_association` (a two-group
    society, own scores from its acts, the Friedkin-Johnsen equilibrium at ``alpha``), read
    as notebook 01's :func:`~scorelab.studies.guilt.findings` reads it: each output is the
    replicate's value of one finding's quantity. The penalty's slope on homophily refits
    :func:`~scorelab.studies.guilt.homophily_slopes` over :data:`PENALTY_HOMOPHILY_GRID`
    (every grid point on the same seed, so the slope is paired); it does not use
    ``homophily``.

    Checked against: with ``alpha = 0`` displayed equals own score, so every output is 0
    (the no-association baseline; ``tests/test_studies_sensitivity.py``), and the outputs
    are the study's own measures, not re-derived.

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        Association weight.
    homophily : float in [0, 1], default 0.7
        Share of ties kept within the own group.
    minority_wealth : float > 0, default 0.6
        The minority's median wealth (the majority's is 1).
    minority_share : float in (0, 1), default 0.2
        The minority's share of the citizens.
    mean_degree : float, default 10.0
        Mean number of ties per citizen.
    n_citizens : int, default 400
        Citizens of the society.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the acts (SPEC 7); one seed serves every homophily of the
        slope's grid.

    Returns
    -------
    dict
        The guilt outputs of :data:`OUTPUTS` (without the ``guilt.`` prefix).

    Examples
    --------
    >>> out = guilt_outputs(n_citizens=200, rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS if o.startswith("guilt."))
    True
    >>> all(abs(v) < 1e-9 for v in guilt_outputs(alpha=0.0, n_citizens=200, rng=1).values())
    True
    """
    from scorelab.studies.guilt import guilt_by_association, homophily_slopes

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    # an int: every call below rebuilds the same society and acts from it
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    society = dict(minority_wealth=minority_wealth, minority_share=minority_share,
                   mean_degree=mean_degree)
    row = guilt_by_association(n_citizens, alpha=alpha, homophily=homophily, **society,
                               rng=seed)
    penalties = [guilt_by_association(n_citizens, alpha=alpha, homophily=h, **society,
                                      rng=seed)["minority_penalty"]
                 for h in PENALTY_HOMOPHILY_GRID]
    runs = pd.DataFrame({"alpha": alpha, "homophily": PENALTY_HOMOPHILY_GRID, "replicate": 0,
                         "minority_penalty": penalties})
    return {
        "gap_change": row["gap_change"],
        "minority_mean_change": row["effect_minority"],
        "association_penalty": row["minority_penalty"],
        "penalty_homophily_slope": float(homophily_slopes(runs, alpha=alpha)[0]),
        "well_behaved_minority_change": row["effect_well_behaved_minority"],
        "ties_to_minority_slope": row["loss_vs_ties_slope"],
    }


def rollout_outputs(selectivity=3.0, join_rate=0.1, mandatory_step=10, standard_inertia=0.0,
                    memory=0.8, alpha=0.3, incentive=0.15, minority_wealth=0.6, *,
                    n_citizens=400, after=4, rng=None):
    """Notebook 03's quantities at one point of the ``rollout`` box.

    :func:`scorelab.studies.rollout.rollout_summary` (an opt-in rollout that becomes
    mandatory at ``round(mandatory_step)``, against the same citizens in the system
    mandatory from the start, on the same stream) at ``standard_inertia``, and once more on
    the same seed with the re-measured standard (inertia 0) for the two contrasts notebook
    03 pairs by seed. The game's other parameters are ``GameConfig``'s defaults, with the
    policy's ``alpha`` and ``memory`` and the ``incentive`` from the box. Each output is
    the run's value of one of notebook 03's findings' quantities
    (:func:`scorelab.studies.rollout.findings`), at the box's inertia where the finding
    names the sticky standard and where it names the re-measured one alike: how much the
    inertia moves a re-measured finding is what its ``rests_on`` should tell.

    Checked against: with ``standard_inertia = 0`` both inertia contrasts are exactly 0
    (the same run twice); with ``selectivity = 0`` joining ignores disposition, so early
    and late joiners differ in it by chance only (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    selectivity : float >= 0, default 3.0
        Exponent on disposition in the chance of joining.
    join_rate : float in [0, 1], default 0.1
        Chance per step that a citizen of disposition 1 joins during the opt-in phase.
    mandatory_step : float, default 10
        Step of the switch, rounded (>= 1).
    standard_inertia : float in [0, 1), default 0.0
        How slowly the relative standard follows its reference.
    memory : float in [0, 1), default 0.8
        Decay of the running record (``ScoringPolicy.memory``).
    alpha : float in [0, 1], default 0.3
        Association weight (``ScoringPolicy.alpha``).
    incentive : float, default 0.15
        Shift of the approval probability per unit responsiveness once scored.
    minority_wealth : float > 0, default 0.6
        The minority's median wealth (the majority's is 1).
    n_citizens : int, default 400
        Citizens of the society.
    after : int, default 4
        Steps after the switch at which ``late_own_effect_after`` is read (notebook 03's).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the game (SPEC 7); both inertias replay the same seed.

    Returns
    -------
    dict
        The rollout outputs of :data:`OUTPUTS` (without the ``rollout.`` prefix). An output
        of a cohort nobody belongs to (no early or no late joiner, at a tiny
        ``n_citizens`` or the box's corners) is NaN, which
        :func:`scorelab.global_sensitivity.sensitivity` refuses, naming the sample.

    Examples
    --------
    >>> out = rollout_outputs(mandatory_step=3, after=1, n_citizens=200, rng=1)
    >>> out["self_selection"] > 0, out["inertia_deficit"]
    (True, 0.0)
    """
    from scorelab.studies.rollout import rollout_summary

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    step = int(round(check_real("mandatory_step", mandatory_step, minimum=1.0)))
    # an int: both inertias must replay the same society and stream
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    config = GameConfig(policy=_policy(alpha, memory=memory), incentive=incentive)

    def summary(inertia):
        return rollout_summary(n_citizens, mandatory_step=step, selectivity=selectivity,
                               join_rate=join_rate, after=after, standard_inertia=inertia,
                               minority_wealth=minority_wealth, config=config, rng=seed)

    row = summary(standard_inertia)
    remeasured = row if standard_inertia == 0 else summary(0.0)
    return {
        "self_selection": row["disposition_gap"],
        "early_own_effect": row["early_own_effect"],
        "late_own_effect_switch": row["late_own_effect_switch"],
        "late_own_effect_after": row["late_own_effect_after"],
        "standard_effect_switch": row["standard_effect_switch"],
        "inertia_deficit": row["late_own_effect_switch"] - remeasured["late_own_effect_switch"],
        "inertia_credit_effect": (row["late_credit_effect_switch"]
                                  - remeasured["late_credit_effect_switch"]),
    }


def feedback_outputs(alpha=0.3, ostracism=0.05, gap_scale=100.0, memory=0.8, homophily=0.7,
                     mean_degree=10.0, *, n_citizens=400, n_steps=20, tail=5, rng=None):
    """Notebook 02's uncovered quantities at one point of the ``feedback`` box.

    Runs :func:`scorelab.studies.feedback.feedback_run` (a two-group society, 20 %
    minority with equal profiles, the citizen game with social ostracism and association,
    the end state averaged over the last ``tail`` steps) at the box's point, and on the same
    seed (the same society and streams) with no association (``alpha = 0``) and with no
    ostracism (``ostracism = 0``), the counterfactuals notebook 02 compares with. The policy's
    record has ``memory``; the game's other parameters are ``GameConfig``'s defaults. Each
    output is the run's value of one of notebook 02's findings' quantities
    (:func:`scorelab.studies.feedback.findings`), at the box's point where the finding names
    one corner of the phase diagram (association 0.9 without ostracism, ostracism 1 without
    association): how much the other lever moves it is what its ``rests_on`` should tell.

    Checked against: with ``alpha = 0`` both Gini contrasts are exactly 0 and with
    ``ostracism = 0`` the diversity contrast is exactly 0 (the same run twice), and no tie
    is cut, so the unreplaced share is undefined (NaN); each output equals the difference of
    :func:`~scorelab.studies.feedback.feedback_run`'s own measures on the same seed
    (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        Association weight (``ScoringPolicy.alpha``).
    ostracism : float in [0, 1], default 0.05
        ``GameConfig.ostracism``: the scale of the chance per step that the higher scorer of
        a tie cuts it.
    gap_scale : float > 0, default 100.0
        Score gap (points) at which that chance reaches 63 % of its maximum.
    memory : float in [0, 1), default 0.8
        Decay of the running record (``ScoringPolicy.memory``).
    homophily : float in [0, 1], default 0.7
        Homophily of the initial ties (notebook 02's scenario: 0.6).
    mean_degree : float > 0, default 10.0
        Mean number of initial ties (notebook 02's scenario: 8).
    n_citizens : int, default 400
        Citizens of the society.
    n_steps : int, default 20
        Steps of the game (notebook 02's default size).
    tail : int, default 5
        Steps at the end of the run that the end state averages over.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the game (SPEC 7); every arm replays the same seed.

    Returns
    -------
    dict
        The feedback outputs of :data:`OUTPUTS` (without the ``feedback.`` prefix):
        ``low_scorer_isolation`` (share of the lowest 10 % of scores without ties minus the
        share of all citizens without ties), ``displayed_gini_change`` and
        ``wealth_gini_change`` (at ``alpha`` minus at 0), ``behaviour_diversity_change``
        (diversity of expressed behaviour, bits, at ``ostracism`` minus at 0) and
        ``unreplaced_share`` (share of the ties cut over the run that are not replaced).

    Examples
    --------
    >>> out = feedback_outputs(alpha=0.0, n_citizens=200, n_steps=4, tail=2, rng=1)
    >>> out["displayed_gini_change"], out["wealth_gini_change"]
    (0.0, 0.0)
    """
    from scorelab.studies.feedback import feedback_run

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    alpha = check_real("alpha", alpha, minimum=0.0, maximum=1.0)
    ostracism = check_real("ostracism", ostracism, minimum=0.0, maximum=1.0)
    check_real("gap_scale", gap_scale, minimum=0.0, open_min=True)
    check_real("homophily", homophily, minimum=0.0, maximum=1.0)
    check_real("mean_degree", mean_degree, minimum=0.0, open_min=True)
    # an int: every arm must replay the same society and stream
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    config = GameConfig(policy=_policy(alpha, memory=memory))
    runs = {}

    def run(weight, rate):
        if (weight, rate) not in runs:
            runs[weight, rate] = feedback_run(
                n_citizens, alpha=weight, ostracism=rate, n_steps=n_steps, tail=tail,
                homophily=homophily, mean_degree=mean_degree, config=config,
                gap_scale=gap_scale, rng=seed)
        return runs[weight, rate]

    row, unassociated, unostracised = run(alpha, ostracism), run(0.0, ostracism), run(alpha, 0.0)
    return {
        "low_scorer_isolation": row["isolation_low_scorers"] - row["isolated_share"],
        "displayed_gini_change": row["gini_displayed"] - unassociated["gini_displayed"],
        "wealth_gini_change": row["gini_wealth"] - unassociated["gini_wealth"],
        "behaviour_diversity_change": (row["expressed_behaviour_diversity"]
                                       - unostracised["expressed_behaviour_diversity"]),
        "unreplaced_share": row["unreplaced_share"],
    }


def censorship_outputs(censorship=1.0, visibility=1.0, detection=0.3, responsiveness=0.5,
                       minority_disposition=0.45, homophily=0.7, *, n_citizens=400, n_steps=8,
                       rng=None):
    """Notebook 04's fixed-rule quantities at one point of the ``censorship`` box.

    One replicate of :func:`scorelab.studies.censorship.hiding_effects`: the citizen game on
    notebook 04's two-group society (a dissenting minority of mean disposition
    ``minority_disposition`` against the majority's 0.6, both of mean ``responsiveness``),
    played with the fixed hiding rule (``censorship``, ``visibility``, ``detection``, public
    scores) and, on the same seed, without hiding (``censorship = 0``). Each output is the
    replicate's paired difference (hiding minus no hiding) of one of notebook 04's
    :data:`~scorelab.studies.censorship.FINDINGS`' measures.

    Checked against: with ``censorship = 0`` (or ``visibility = 0``) nothing is hidden and
    both runs are the same run, so every output is exactly 0; the outputs are
    :func:`~scorelab.studies.censorship.hiding_effects`' own differences on the same seed
    (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    censorship : float in [0, 1], default 1.0
        Propensity to hide disapproved acts (``GameConfig.censorship``; notebook 04's
        findings run at 1).
    visibility : float in [0, 1], default 1.0
        How visible acts are (``GameConfig.visibility``).
    detection : float in [0, 1], default 0.3
        Chance the authority detects a hidden act.
    responsiveness : float in [0, 1], default 0.5
        Mean responsiveness of both groups.
    minority_disposition : float in [0, 1], default 0.45
        The minority's mean disposition (the majority's is 0.6).
    homophily : float in [0, 1], default 0.7
        Homophily of the ties (notebook 04's scenario: 0.6).
    n_citizens : int, default 400
        Citizens of the society.
    n_steps : int, default 8
        Steps of the game (notebook 04's default size).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the game (SPEC 7); both runs replay the same seed.

    Returns
    -------
    dict
        The censorship outputs of :data:`OUTPUTS` (without the ``censorship.`` prefix),
        each hiding minus no hiding: ``minority_score_change`` and ``majority_score_change``
        (mean own score, points), ``score_gap_change`` (majority minus minority mean own
        score, points), ``credit_gap_change`` (credit access, majority minus minority) and
        ``disposition_correlation_change`` (correlation of own score and disposition).

    Examples
    --------
    >>> out = censorship_outputs(censorship=0.0, n_citizens=200, n_steps=2, rng=1)
    >>> sorted(set(out.values()))
    [0.0]
    """
    from scorelab.studies.censorship import hiding_effects

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    censorship = check_real("censorship", censorship, minimum=0.0, maximum=1.0)
    check_real("homophily", homophily, minimum=0.0, maximum=1.0)
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    row = hiding_effects(n_citizens, censorship=censorship, visibility=visibility,
                         detection=detection, public_scores=True,
                         responsiveness=responsiveness,
                         minority_disposition=minority_disposition, homophily=homophily,
                         n_steps=n_steps, rng=seed)

    def change(measure):
        return row[measure] - row[f"{measure}_counterfactual"]

    return {
        "minority_score_change": change("own_score_minority"),
        "majority_score_change": change("own_score_majority"),
        "score_gap_change": change("own_gap"),
        "credit_gap_change": change("credit_gap"),
        "disposition_correlation_change": change("score_disposition_correlation"),
    }


def chosen_hiding_outputs(stake_scale=10.0, rationality=2.0, authenticity=1.0, detection=0.3,
                          fear_rate=0.5, minority_disposition=0.45, *, n_citizens=400,
                          n_steps=12, rng=None):
    """Notebook 04's group differences of chosen hiding at one point of the
    ``chosen_hiding`` box.

    On notebook 04's society (a dissenting minority of mean disposition
    ``minority_disposition``, homophily
    :data:`~scorelab.studies.censorship.CHOSEN_HIDING_HOMOPHILY`) with every gate at stake
    (the stakes times ``stake_scale``), visibility 1 and chosen self-censorship, one seed
    runs :func:`scorelab.studies.censorship.chosen_hiding_run` in the ``"choice"`` world and
    :func:`~scorelab.studies.censorship.hiding_by_position_run` in the ``"choice"`` and
    ``"no stakes"`` worlds (the same society and streams). ``hiding_gap`` is the chosen
    world's minority-minus-majority hidden share (the quantity of the findings that hiding
    falls on the minority and that rationality concentrates it there; ``rationality`` is in
    the box), ``adjusted_hiding_gap_effect`` the same at equal position (nearest gate and
    distance bin), chosen minus no stakes, paired.

    Checked against: with ``stake_scale = 0`` the chosen world is the no-stakes world, so
    ``adjusted_hiding_gap_effect`` is exactly 0, and both outputs equal the study's own
    measures on the same seed (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    stake_scale : float >= 0, default 10.0
        Every gate (shop to food) worth ``dynamics.DEFAULT_STAKES`` times this (notebook
        04: 10 for the hiding gap, 3 for the position and dose sections).
    rationality : float >= 0, default 2.0
        Logit precision of the choice to hide.
    authenticity : float >= 0, default 1.0
        Cost of hiding an act (units of the stakes).
    detection : float in [0, 1], default 0.3
        Chance the authority detects a hidden act.
    fear_rate : float in [0, 1], default 0.5
        How fast fear follows the share of one's ties seen losing a gate.
    minority_disposition : float in [0, 1], default 0.45
        The minority's mean disposition (the majority's is 0.6).
    n_citizens : int, default 400
        Citizens of the society.
    n_steps : int, default 12
        Steps of the game (notebook 04's ``choice_steps``).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the game (SPEC 7); every run replays the same seed.

    Returns
    -------
    dict
        ``hiding_gap`` and ``adjusted_hiding_gap_effect`` (see :data:`OUTPUTS`).

    Examples
    --------
    >>> out = chosen_hiding_outputs(stake_scale=0.0, n_citizens=200, n_steps=4, rng=1)
    >>> out["adjusted_hiding_gap_effect"]
    0.0
    """
    from scorelab.studies.censorship import chosen_hiding_run, hiding_by_position_run

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    check_real("rationality", rationality, minimum=0.0)
    check_real("authenticity", authenticity, minimum=0.0)
    seed = int(np.random.default_rng(check_rng(rng)).integers(2**63))
    game = dict(stake_scale=stake_scale, rationality=rationality, authenticity=authenticity,
                detection=detection, fear_rate=fear_rate, visibility=1.0,
                minority_disposition=minority_disposition, n_citizens=n_citizens,
                n_steps=n_steps, rng=seed)
    chosen = chosen_hiding_run("choice", **game)
    position = {world: hiding_by_position_run(world, **game)["adjusted_hiding_gap"]
                for world in ("choice", "no stakes")}
    return {"hiding_gap": chosen["hiding_gap"],
            "adjusted_hiding_gap_effect": position["choice"] - position["no stakes"]}


_FUNCTIONS = {"game": game_outputs, "dating": dating_outputs, "credit": credit_outputs,
              "guilt": guilt_outputs, "rollout": rollout_outputs,
              "feedback": feedback_outputs, "censorship": censorship_outputs,
              "chosen_hiding": chosen_hiding_outputs}


def _model(model):
    if model not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
    return _FUNCTIONS[model]


def _prefixed(frame, model):
    frame = frame.copy()
    frame.insert(0, "model", model)
    frame["output"] = model + "." + frame["output"]
    return frame


def screen(model, *, trajectories, fixed=None, rng=None, n_jobs=1):
    """Morris screening of ``model`` over its whole box in :data:`MODELS`.

    Common random numbers: every run draws the same randomness, so an inert parameter gets
    exactly zero elementary effects (:func:`scorelab.global_sensitivity.sensitivity`).

    Parameters
    ----------
    model : {"game", "dating", "credit", "guilt", "rollout"}
        Which box of :data:`MODELS` to screen.
    trajectories : int
        Morris trajectories.
    fixed : mapping, optional
        Keyword arguments passed unchanged to the model's function (e.g. ``n_citizens``).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the design and the common random numbers of the runs.
    n_jobs : int, default 1
        Local processes for the runs (:func:`scorelab.sweep`).

    Returns
    -------
    pandas.DataFrame
        The Morris frame with a ``model`` column and outputs named ``<model>.<output>``.
    """
    frame = sensitivity(_model(model), MODELS[model], method="morris", n=trajectories,
                        fixed=fixed, rng=rng, n_jobs=n_jobs, common_random_numbers=True)
    return _prefixed(frame, model)


def few_that_matter(morris, *, at_most=4):
    """The parameters to pass on to Sobol': the most influential parameter of every output
    (in output order), then the second of every output, and so on, in the order
    :func:`influential` names them; at most ``at_most``.

    Going down the ranks of every output together keeps each output's leading parameters,
    rather than those of the outputs whose screening is noisiest.

    Parameters
    ----------
    morris : pandas.DataFrame
        A Morris frame (:func:`screen`): ``output``, ``parameter``, ``mu_star``,
        ``mu_star_conf``, ``sigma``.
    at_most : int, default 4
        Most parameters to return.

    Returns
    -------
    list of str
        Parameter names, most important first.

    Examples
    --------
    >>> frame = pd.DataFrame({"output": ["y"] * 3 + ["z"] * 3,
    ...                       "parameter": ["a", "b", "c"] * 2,
    ...                       "mu_star": [1.0, 0.0, 0.5, 0.0, 0.1, 0.0],
    ...                       "mu_star_conf": [0.1, 0.0, 0.1, 0.0, 0.01, 0.0],
    ...                       "sigma": [0.1, 0.0, 0.1, 0.0, 0.01, 0.0]})
    >>> few_that_matter(frame), few_that_matter(frame, at_most=2)
    (['a', 'b', 'c'], ['a', 'b'])
    """
    at_most = check_integer("at_most", at_most, minimum=1)
    named = [influential(morris, output) for output in morris["output"].unique()]
    chosen = [names[rank] for rank in range(max(map(len, named), default=0))
              for names in named if rank < len(names)]
    return list(dict.fromkeys(chosen))[:at_most]


def sobol_on(model, parameters, *, n, fixed=None, rng=None, n_jobs=1):
    """Sobol' indices of ``model`` over ``parameters`` (their boxes in :data:`MODELS`), the
    other parameters at the defaults of the model's function.

    Common random numbers, as in :func:`screen`: with independent runs the run-to-run
    noise would add its share of the variance to every total index and lift inert
    parameters over any threshold at small sizes. The indices then describe the model for
    one realisation of its randomness (``rng`` chooses it); rerun with another seed to see
    how much they move.

    Parameters
    ----------
    model : {"game", "dating", "credit", "guilt", "rollout"}
        Which model of :data:`MODELS`.
    parameters : sequence of str
        The parameters to vary (e.g. :func:`few_that_matter`'s choice).
    n : int
        Saltelli base sample size (a power of two).
    fixed : mapping, optional
        Keyword arguments passed unchanged to the model's function.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the design and the common random numbers of the runs.
    n_jobs : int, default 1
        Local processes for the runs (:func:`scorelab.sweep`).

    Returns
    -------
    pandas.DataFrame
        The Sobol' frame with a ``model`` column and outputs named ``<model>.<output>``.
    """
    func = _model(model)
    unknown = sorted(set(parameters) - set(MODELS[model]))
    if unknown or not parameters:
        raise ValueError(f"parameters must be a non-empty list of {sorted(MODELS[model])}, "
                         f"got {list(parameters)!r}")
    bounds = {name: MODELS[model][name] for name in parameters}
    frame = sensitivity(func, bounds, method="sobol", n=n, fixed=fixed, rng=rng, n_jobs=n_jobs,
                        common_random_numbers=True)
    return _prefixed(frame, model)


def rests_on_table(morris, sobol, *, threshold=0.05):
    """For each output, the parameters it rests on.

    Where the output has Sobol' indices: the parameters whose total index clears
    ``threshold`` even at the low end of its interval, ``ST - ST_conf > threshold``
    (:func:`influential`), possibly none. Where it has none (no parameter was passed on
    from the screening): the Morris screening's influential parameters.

    Parameters
    ----------
    morris : pandas.DataFrame
        Morris frames of every model (:func:`screen`).
    sobol : pandas.DataFrame
        Sobol' frames of the models that got one (:func:`sobol_on`).
    threshold : float, default 0.05
        Total index an influential parameter must clear at the low end of its interval.

    Returns
    -------
    pandas.DataFrame
        One row per output: ``output``, ``rests_on`` (``"; "``-separated, most influential
        first, empty if no parameter clears the threshold) and ``method`` (``"sobol"`` or
        ``"morris"``).

    Examples
    --------
    >>> morris = pd.DataFrame({"output": ["y", "y", "z", "z"], "parameter": ["a", "b"] * 2,
    ...                        "mu_star": [1.0, 0.2, 0.0, 1.0],
    ...                        "mu_star_conf": [0.1, 0.05, 0.0, 0.1], "sigma": 0.1})
    >>> sobol = pd.DataFrame({"output": "y", "parameter": ["a"], "S1": [0.9],
    ...                       "S1_conf": [0.1], "ST": [0.9], "ST_conf": [0.1]})
    >>> rests_on_table(morris, sobol).values.tolist()
    [['y', 'a', 'sobol'], ['z', 'b', 'morris']]
    """
    rows = []
    for output in morris["output"].unique():
        if output in set(sobol["output"]):
            names, method = influential(sobol, output, threshold=threshold), "sobol"
        else:
            names, method = influential(morris, output, threshold=threshold), "morris"
        rows.append({"output": output, "rests_on": "; ".join(names), "method": method})
    return pd.DataFrame(rows, columns=["output", "rests_on", "method"])


NOT_COVERED = "not covered by notebook 09"
"""The ``rests_on`` of a finding whose quantity no output of :data:`OUTPUTS` measures."""

NONE_STANDS_OUT = "no parameter of notebook 09 stands out"
"""The ``rests_on`` of a finding whose output no parameter moves beyond the noise."""

PENDING = "pending: not yet in notebook 09's committed full-scale table"
"""The ``rests_on`` of a finding whose output is in :data:`OUTPUTS` but was added after the
committed table was computed: ``make full`` (notebook 09 first) fills it in, and
``tests/test_results.py`` fails until it has."""


def _table():
    """The committed sensitivity table (``scorelab/studies/data/rests_on.csv``)."""
    return pd.read_csv(resources.files("scorelab.studies") / "data" / "rests_on.csv",
                       keep_default_na=False)


def rests_on(output):
    """The parameters ``output`` rests on, from the committed full-scale analysis.

    Reads ``scorelab/studies/data/rests_on.csv``, the copy of
    ``results/09-sensitivity/rests_on.csv`` that ``make full`` writes (tests/test_results.py
    checks that the two agree).

    Parameters
    ----------
    output : str
        One of :data:`OUTPUTS`, e.g. ``"game.minority_gap"``.

    Returns
    -------
    list of str
        Most influential first; empty when no parameter stands out of the noise.

    Examples
    --------
    >>> isinstance(rests_on("game.minority_gap"), list)
    True
    """
    table = _table()
    if output not in set(table["output"]):
        raise ValueError(f"output must be one of {sorted(table['output'])}, got {output!r}")
    text = table.loc[table["output"] == output, "rests_on"].iloc[0]
    return [name for name in text.split("; ") if name]


def rests_on_entry(output):
    """A finding's ``rests_on``, read from the sensitivity table: what the studies'
    ``RESTS_ON`` constants hold.

    Parameters
    ----------
    output : str or None
        The output of :data:`OUTPUTS` that measures the finding's quantity, or None when
        none does.

    Returns
    -------
    tuple of str
        :func:`rests_on` of ``output``; ``(NONE_STANDS_OUT,)`` when that is empty;
        ``(NOT_COVERED,)`` when ``output`` is None; ``(PENDING,)`` when ``output`` is one
        of :data:`OUTPUTS` that the committed table does not hold yet.

    Examples
    --------
    >>> rests_on_entry(None)
    ('not covered by notebook 09',)
    >>> rests_on_entry("game.minority_gap") == (tuple(rests_on("game.minority_gap"))
    ...                                         or (NONE_STANDS_OUT,))
    True
    """
    if output is None:
        return (NOT_COVERED,)
    if output in OUTPUTS and output not in set(_table()["output"]):
        return (PENDING,)
    return tuple(rests_on(output)) or (NONE_STANDS_OUT,)


STUDIES = ("guilt", "feedback", "rollout", "censorship", "interventions", "credit", "dating",
           "norms")
"""The study modules of notebooks 01-08, whose ``RESTS_ON`` is read from this table."""


def studies_rests_on():
    """Every finding of notebooks 01-08 with the ``rests_on`` its study module reads from
    the sensitivity table (its ``RESTS_ON`` constant, built with :func:`rests_on_entry`).

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``notebook``, ``id``, ``rests_on`` (``"; "``-separated) and
        ``covered`` (False where the finding is marked :data:`NOT_COVERED`; True where it
        is mapped to an output, :data:`PENDING` included).

    Examples
    --------
    >>> frame = studies_rests_on()
    >>> frame.columns.tolist(), frame["id"].is_unique
    (['notebook', 'id', 'rests_on', 'covered'], True)
    """
    from importlib import import_module

    rows = []
    for name in STUDIES:
        module = import_module(f"scorelab.studies.{name}")
        for finding_id, value in module.RESTS_ON.items():
            names = value.split("; ") if isinstance(value, str) else list(value)
            rows.append({"notebook": module.NOTEBOOK, "id": finding_id,
                         "rests_on": "; ".join(names), "covered": names != [NOT_COVERED]})
    return pd.DataFrame(rows, columns=["notebook", "id", "rests_on", "covered"])


FINDINGS = (
    ("sensitivity.game-gap-association-weight", "game", "minority_gap", "alpha",
     "Raising the association weight from 0 to 0.6, other game parameters drawn over their "
     "ranges, changes the minority's displayed-score gap (points)."),
    ("sensitivity.dating-minority-share-visible-fraction", "dating", "minority_share_change",
     "visible_fraction",
     "Showing every profile instead of the top 20 %, other dating parameters drawn over their "
     "ranges, changes how the minority's share of the population moves over the generations."),
    ("sensitivity.credit-gap-default-change", "credit", "gap_change", "default_change",
     "Making a default cost 50 instead of 250 points, other credit parameters drawn over "
     "their ranges, changes how much the groups' score gap moves (points)."),
)
"""The pre-registered directions :func:`findings` reports: (id, model, output, parameter,
statement)."""


def findings(*, replicates=16, sizes=None, scale="default", seed=9, population=None,
             table=None):
    """The notebook's findings register: one paired direction per model (:data:`FINDINGS`).

    For each replicate the other parameters of the model are drawn uniformly from their
    boxes, then the model runs twice on the same stream, with the parameter at the high
    and at the low end of its range; the finding is the mean paired difference (high minus
    low) with its Student-t interval.

    Parameters
    ----------
    replicates : int, default 16
        Pairs per finding.
    sizes : mapping, optional
        Keyword arguments of the size for each model, e.g. ``{"game": {"n_citizens": 400,
        "n_steps": 15}, "dating": {"n_citizens": 400}, "credit": {"n_borrowers": 400}}``
        (those are the defaults).
    scale : {"default", "full"}
    seed : int
        Root seed.
    population : CreditPopulation, optional
        For the credit loop (default the FICO tables).
    table : pandas.DataFrame, optional
        A :func:`rests_on_table` to fill the ``rests_on`` column from (the notebook passes
        the one it has just computed); default the committed table (:func:`rests_on`).

    Returns
    -------
    pandas.DataFrame
        The validated register.

    Examples
    --------
    >>> sizes = {"game": {"n_citizens": 100, "n_steps": 2}, "dating": {"n_citizens": 100},
    ...          "credit": {"n_borrowers": 100, "n_rounds": 2}}
    >>> import pandas as pd
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"a": [0.5, 0.5], "b": [0.2, 0.8]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"a": [0.5, 0.9], "b": [0.5, 0.9]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"a": 1, "b": 1}))
    >>> register = findings(replicates=2, sizes=sizes, population=population)
    >>> register["id"].tolist()[0]
    'sensitivity.game-gap-association-weight'
    """
    replicates = check_integer("replicates", replicates, minimum=2)
    seed = check_integer("seed", seed, minimum=0)
    sizes = {"game": {"n_citizens": 400, "n_steps": 15}, "dating": {"n_citizens": 400},
             "credit": {"n_borrowers": 400}} | dict(sizes or {})
    extra = {"credit": {"population": population}}
    streams = np.random.SeedSequence(seed).spawn(len(FINDINGS))
    rows = []
    for (id_, model, output, parameter, statement), stream in zip(FINDINGS, streams):
        func, box = _FUNCTIONS[model], MODELS[model]
        high, low = [], []
        for child in stream.spawn(replicates):
            # an int, not the SeedSequence: spawning inside a run would advance a shared
            # SeedSequence, and the second arm would not get the first arm's streams
            draw_rng = np.random.default_rng(child.spawn(1)[0])
            run_seed = int(child.generate_state(1, np.uint64)[0])
            point = {name: float(draw_rng.uniform(*bound)) for name, bound in box.items()}
            kwargs = sizes[model] | extra.get(model, {})
            for value, into in ((box[parameter][1], high), (box[parameter][0], low)):
                result = func(**(point | {parameter: value}), **kwargs,
                              rng=run_seed)
                into.append(result[output])
        size = kwargs.get("n_citizens", kwargs.get("n_borrowers"))
        rows.append(finding(id_, high, counterfactual=low, notebook=NOTEBOOK,
                            statement=statement, n_citizens=size, seed=seed, scale=scale,
                            rests_on=_rests_on_from(table, f"{model}.{output}")))
    return findings_frame(rows)


def _rests_on_from(table, output):
    if table is not None:
        text = table.loc[table["output"] == output, "rests_on"]
        names = [name for name in (text.iloc[0] if len(text) else "").split("; ") if name]
        return names or [NONE_STANDS_OUT]
    try:
        return list(rests_on_entry(output))
    except (FileNotFoundError, ValueError):
        return []

