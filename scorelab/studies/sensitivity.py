"""Notebook 09: what the headline outputs of the game, the dating market, the credit loop,
guilt by association, the feedback loops, the opt-in rollout, the hiding rules, notebook 05's
interventions and mis-scored customs, notebook 06's lender, notebook 07's rankings and
notebook 08's excess unfriending rest on.

Each model is wrapped as a function of its parameters that returns its headline outputs
(:func:`game_outputs`, :func:`dating_outputs`, :func:`credit_outputs`,
:func:`guilt_outputs` for notebook 01's quantities, :func:`rollout_outputs` for notebook
03's, :func:`feedback_outputs` for notebook 02's, :func:`censorship_outputs` and
:func:`chosen_hiding_outputs` for notebook 04's, :func:`interventions_outputs` and
:func:`customs_outputs` for notebook 05's, :func:`lender_outputs` for 06's,
:func:`dating_ranking_outputs` for 07's and :func:`stakes_outputs` for 08's);
:data:`MODELS` holds their parameter boxes. :func:`screen` runs Morris's elementary-effects screening
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
    "interventions_outputs",
    "customs_outputs",
    "lender_outputs",
    "dating_ranking_outputs",
    "DATING_RANKINGS",
    "stakes_outputs",
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
    "UNDETERMINED",
    "UNDETERMINED_ABOVE",
    "RATIONALITY_RANGE",
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
    "interventions": {
        "alpha": (0.1, 0.6),
        "homophily": (0.0, 0.95),
        "minority_wealth": (0.3, 0.6),
        "ostracism": (0.0, 0.2),
        "cap": (0.0, 0.1),
        "decay_memory": (0.3, 0.8),
        "appeal": (0.05, 0.5),
    },
    "customs": {
        "customary_share": (0.0, 1.0),
        "alpha": (0.0, 0.6),
        "homophily": (0.0, 0.95),
        "ostracism": (0.0, 0.2),
        "credit_threshold": (600.0, 700.0),
    },
    "lender": {
        "alpha": (0.0, 0.6),
        "homophily": (0.0, 0.95),
        "mean_degree": (4.0, 30.0),
        "loss": (-10.0, -1.0),
        "repay_change": (25.0, 125.0),
        "default_change": (-250.0, -50.0),
    },
    "dating_ranking": {
        "heritability": (0.1, 0.8),
        "homophily": (0.0, 0.95),
        "minority_wealth": (0.3, 1.0),
        "alpha": (0.0, 0.6),
        "score_weight": (0.0, 2.0),
        "slate_size": (5.0, 50.0),
    },
    "stakes": {
        "stake_scale": (1.0, 100.0),
        "strategic_rate": (0.0, 0.4),
        "rationality": (0.5, 8.0),
        "tie_value_scale": (0.25, 4.0),
        "alpha": (0.0, 0.6),
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

``interventions`` is notebook 05's comparison of interventions
(:func:`scorelab.studies.interventions.interventions_run`): the baseline's association
weight (from 0.1 so that every cap of the box, up to the study's 0.1, stays at or below
it) and ostracism (notebook 05: 0.1), the society's homophily and the minority's wealth
(notebook 05: 0.3; no richer than the shared default 0.6, since the ties' share of a gap
that vanishes with equal wealth is a ratio of noise), and each lever's size: the
association cap, the record memory under decay (0.8, the baseline's, is no decay at all)
and the share of disapproved acts struck by appeals. ``customs`` is notebook 05's mis-scored customs
(:func:`scorelab.studies.interventions.diverse_behaviour_run` and
:func:`~scorelab.studies.interventions.diverse_behaviour_ties`): the share of the
minority's customary acts scored as disapproved (notebook 05: 0.5 for the changes, 1 for
the ties), the association weight, homophily, ostracism and the credit threshold (650;
notebook 05 sweeps 600-700 for the interventions).

``lender`` is notebook 06's lender (:func:`scorelab.studies.credit.association_errors`):
the association weight (notebook 06 reads its findings at 0.4), the borrowers' society
(homophily: default 0.7, notebook 06's 0.8; mean degree) and the loan's terms (the
lender's loss on a default, -4 and notebook 06's cautious -10, and the borrowers' score
changes). ``dating_ranking`` is notebook 07's comparison of rankings
(:func:`scorelab.studies.dating.generations_sweep`): heritability, the society's homophily
(default 0.7, notebook 07's 0.6), the minority's wealth (0.6, notebook 07's 0.5), the
association weight, the score's weight in liking and the slate's size (rounded).
``stakes`` is notebook 08's strategic unfriending with everything gated
(:func:`scorelab.studies.norms.stakes_game` in both worlds): the stakes' scale (notebook
08's 10, and 100 where it reads the cuts by tie kind), the chance to reconsider a tie, the
logit's rationality (notebook 08's 4), the tie values' scale and the association weight.

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
    "interventions": ["the credit threshold (650; notebook 05 sweeps 600-700 itself) and the "
                      "disposition counted as qualified (0.6)",
                      "the minority's share (0.2) and the society's mean degree (10)",
                      "the game's other mechanisms, at GameConfig's defaults (no strategic "
                      "unfriending, norm drift or chosen self-censorship)",
                      "how the group-aware thresholds are chosen (equal opportunity, tuned "
                      "on a held-out society)"],
    "customs": ["the domain of the customs (consumption) and the minority's wealth (equal to "
                "the majority's)",
                "the minority's share (0.2: with a large minority and mixed ties hardly a "
                "majority member is left without a tie to it, the reference of "
                "reaches_associates) and the society's mean degree (10)",
                "the game's other mechanisms, at GameConfig's defaults (no strategic "
                "unfriending, norm drift or chosen self-censorship)"],
    "lender": ["the lender's gain on a repaid loan (1; the loss is varied, and the rules' "
               "thresholds depend on loss / gain only)",
               "the rules: the outputs read maximum profit and demographic parity only",
               "the population (the FICO tables, White and Black) and the rounds (n_rounds)"],
    "dating_ranking": ["the number of generations (n_generations, fixed; notebook 07 runs 12, "
                       "20 at full scale; the exposure and match-gap outputs read the founders)",
                       "the rest of the market: pool size, position bias, appeal and taste "
                       "(DatingMarket's defaults) and the share of couples formed on the site "
                       "(all)"],
    "stakes": ["what is gated (everything up to food, as the finding's runs)",
               "the order of tie values by kind (one scale factor on all of them)",
               "the society: notebook 08's (homophily 0.6, minority share 0.2, mean degree "
               "10)"],
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
    "interventions.ties_share": "share of the minority's displayed-score gap from its ties at "
                                "equal own record, baseline (exact decomposition)",
    "interventions.ties_share_segregation": "that share at homophily 0.9 minus at 0, paired on "
                                            "one seed",
    **{f"interventions.{lever}_opportunity_change":
       f"equal-opportunity gap (majority minus minority true-positive rate) under "
       f"{lever.replace('_', ' ')} minus the baseline's, same society and seed"
       for lever in ("association_cap", "no_association", "private_scores", "decay", "appeals",
                     "group_thresholds")},
    "customs.minority_displayed_change": "the minority's mean displayed score, mis-scored "
                                         "customs minus fair scoring (points)",
    "customs.minority_credit_change": "the minority's share with credit access, mis-scored "
                                      "customs minus fair scoring",
    "customs.reaches_associates": "change of what reaches majority members tied to the "
                                  "minority through their ties, minus that of the majority "
                                  "not tied (points)",
    "customs.cross_ties": "majority-minority ties at the last step (share of the start), "
                          "mis-scored customs minus fair scoring",
    "lender.max_profit_refused_repayers_black": "under maximum profit, share of the Black group "
                                                "refused although they would repay, per round, "
                                                "association minus none",
    "lender.max_profit_refused_repayers_white": "under maximum profit, share of the White group "
                                                "refused although they would repay, per round, "
                                                "association minus none",
    "lender.max_profit_profit_black": "under maximum profit, the lender's profit per Black member "
                                      "and round, association minus none",
    "lender.max_profit_profit_white": "under maximum profit, the lender's profit per White member "
                                      "and round, association minus none",
    "lender.parity_approved_defaulters_black": "under demographic parity, share of the Black "
                                               "group approved who then default, per round, "
                                               "association minus none",
    "lender.parity_profit_black": "under demographic parity, the lender's profit per Black member "
                                  "and round, association minus none",
    "dating_ranking.minority_exposure_vs_random": "the minority's share of all attention among "
                                                  "the founders, score ranking minus random (same "
                                                  "founders and stream)",
    "dating_ranking.minority_exposure_vs_appeal": "the minority's share of all attention among "
                                                  "the founders, score ranking minus appeal-only",
    "dating_ranking.match_rate_vs_random": "match rate (mean over generations), score ranking "
                                           "minus random",
    "dating_ranking.match_rate_vs_appeal": "match rate (mean over generations), score ranking "
                                           "minus appeal-only",
    "dating_ranking.minority_match_gap_vs_random": "founders' match rate, majority minus "
                                                   "minority, score ranking minus random",
    **{f"stakes.excess_cuts_{kind}": f"strategic cuts of {kind} ties per 1,000 {kind} ties "
                                     f"and step with everything gated, derived world minus "
                                     f"the baseline churn of its counterfactual (same seed)"
       for kind in DEFAULT_TIE_VALUES},
    "stakes.colleague_minus_family": ("excess of strategic cuts over the baseline churn per "
                                      "1,000 ties and step with everything gated, colleague "
                                      "ties minus family ties (the churn that tie values "
                                      "alone cause is taken out of both)"),
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
    "chosen_hiding.rationality_effect": "the chosen world's minority-minus-majority hidden "
                                        "share at rationality 8 minus at 0.5 (notebook 04's "
                                        "sweep ends; same seed)",
}
"""The headline outputs, ``<model>.<output>``, and what each measures."""


def _policy(alpha, **fields):
    """The scoring policy with association weight ``alpha``."""
    return ScoringPolicy(alpha=alpha, **fields)


def _replay_seed(rng):
    """One int seed drawn from ``rng`` (SPEC 7): every arm of a model's paired comparison
    passes it to its study function, so that each rebuilds the same society and streams (a
    SeedSequence or Generator passed on would advance between the arms)."""
    return int(np.random.default_rng(check_rng(rng)).integers(2**63))


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
    seed = _replay_seed(rng)
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
    seed = _replay_seed(rng)
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


def interventions_outputs(alpha=0.3, homophily=0.7, minority_wealth=0.6, ostracism=0.05,
                          cap=0.1, decay_memory=0.5, appeal=0.2, *, n_citizens=400,
                          n_steps=10, segregation=(0.0, 0.9), rng=None):
    """Notebook 05's intervention quantities at one point of the ``interventions`` box.

    One replicate of :func:`scorelab.studies.interventions.interventions_run` (the
    baseline and every intervention on the same two-group society and game stream; the
    group-aware thresholds tuned on a held-out society) and two of
    :func:`scorelab.studies.interventions.fairness_run` on that seed, at the lowest and the
    highest homophily of ``segregation``, read as notebook 05's
    :func:`~scorelab.studies.interventions.findings` reads them: each output is the
    replicate's value of one finding's quantity. The baseline is ``GameConfig`` with
    association weight ``alpha`` and ``ostracism``; the minority's share (0.2), the credit
    threshold (650), ``qualified`` (0.6) and the game's other parameters are the study's
    defaults. The segregation contrast does not use ``homophily``; it pairs the two
    homophilies on one seed where the notebook compares independent societies.

    Checked against: an intervention at its null is the baseline replayed on the same
    stream, so its change is exactly 0 (``cap = alpha``, ``decay_memory`` = the baseline's
    record memory 0.8); with ``alpha = cap = 0`` the ties' share, its segregation contrast
    and the no-association change are exactly 0 (``tests/test_studies_sensitivity.py``);
    and the outputs are the study's own measures, not re-derived.

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        The baseline's association weight (``ScoringPolicy.alpha``).
    homophily : float in [0, 1], default 0.7
        Share of ties kept within the own group.
    minority_wealth : float > 0, default 0.6
        The minority's median wealth (the majority's is 1).
    ostracism : float in [0, 1], default 0.05
        Social ostracism of the baseline (``GameConfig.ostracism``; notebook 05: 0.1).
    cap : float in [0, alpha], default 0.1
        Association weight under the "association cap".
    decay_memory : float in [0, 1), default 0.5
        Record memory under "decay" (the baseline's is 0.8).
    appeal : float in (0, 1], default 0.2
        Share of the recorded disapproved acts struck every step under "appeals".
    n_citizens : int, default 400
        Citizens of the society.
    n_steps : int, default 10
        Steps of every game (notebook 05's default scale; 15 at full scale).
    segregation : pair of float, default (0.0, 0.9)
        The fully mixed and the most segregated homophily (notebook 05's grid ends).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the societies and the games (SPEC 7); every run replays the same seed.

    Returns
    -------
    dict
        The interventions outputs of :data:`OUTPUTS` (without the ``interventions.``
        prefix): ``ties_share`` (the baseline's ``from_ties_share``),
        ``ties_share_segregation`` (``from_ties_share`` at the most segregated minus the
        fully mixed homophily) and, for each intervention but the baseline of
        :data:`scorelab.studies.interventions.INTERVENTIONS`,
        ``<intervention>_opportunity_change``: its ``equal_opportunity_gap`` minus the
        baseline's, named as its finding (``association_cap``, ``no_association``,
        ``private_scores``, ``decay``, ``appeals``, ``group_thresholds``).

    Examples
    --------
    >>> out = interventions_outputs(n_citizens=200, n_steps=2, rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS
    ...                       if o.startswith("interventions."))
    True
    >>> interventions_outputs(alpha=0.1, cap=0.1, n_citizens=200, n_steps=2,
    ...                       rng=1)["association_cap_opportunity_change"]
    0.0
    """
    from scorelab.studies.interventions import (INTERVENTIONS, _slug, fairness_run,
                                                interventions_run)

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    if np.ndim(segregation) != 1 or len(segregation) != 2:
        raise ValueError(f"segregation must be a pair of homophilies, got {segregation!r}")
    mixed, segregated = sorted(check_real("segregation", h, minimum=0.0, maximum=1.0)
                               for h in segregation)
    if mixed == segregated:
        raise ValueError(f"segregation must be two different homophilies, got {segregation!r}")
    seed = _replay_seed(rng)
    config = GameConfig(policy=_policy(alpha), ostracism=ostracism)
    society = dict(minority_wealth=minority_wealth, n_steps=n_steps, config=config)
    frame = interventions_run(n_citizens, homophily=homophily, cap=cap,
                              decay_memory=decay_memory, appeal=appeal, **society,
                              rng=seed).set_index("intervention")
    gap = frame["equal_opportunity_gap"]
    shares = [fairness_run(n_citizens, homophily=h, **society, rng=seed)["from_ties_share"]
              for h in (segregated, mixed)]
    return {
        "ties_share": float(frame.loc["baseline", "from_ties_share"]),
        "ties_share_segregation": float(shares[0] - shares[1]),
        **{f"{_slug(lever).replace('-', '_')}_opportunity_change":
           float(gap[lever] - gap["baseline"]) for lever in INTERVENTIONS[1:]},
    }


def customs_outputs(customary_share=0.5, alpha=0.3, homophily=0.7, ostracism=0.05,
                    credit_threshold=650.0, *, n_citizens=400, n_steps=10, tie_steps=20,
                    rng=None):
    """Notebook 05's mis-scored customs at one point of the ``customs`` box.

    :func:`scorelab.studies.interventions.diverse_behaviour_run` (``n_steps`` steps) and
    :func:`scorelab.studies.interventions.diverse_behaviour_ties` (``tie_steps`` steps) on
    one seed: a share ``customary_share`` of the minority's approved consumption acts
    scored as disapproved, against fair scoring of the same society and stream (equal
    wealth), read as notebook 05's :func:`~scorelab.studies.interventions.findings` reads
    them. The game is ``GameConfig`` with association weight ``alpha``, ``ostracism`` and
    the credit gate at ``credit_threshold``; its other parameters and the society's (a 20 %
    minority) are the study's defaults. Notebook 05 reads the changes at
    customary share 0.5 and the ties at 1.0; one ``customary_share`` serves both here.

    Checked against: with ``customary_share = 0`` both games are the same game, so every
    output is exactly 0; with ``alpha = 0`` nothing reaches anyone through their ties, so
    ``reaches_associates`` is exactly 0 (``tests/test_studies_sensitivity.py``); and the
    outputs are the study's own measures, not re-derived.

    Parameters
    ----------
    customary_share : float in [0, 1], default 0.5
        Share of the minority's approved consumption acts scored as disapproved.
    alpha : float in [0, 1], default 0.3
        Association weight (``ScoringPolicy.alpha``).
    homophily : float in [0, 1], default 0.7
        Share of ties kept within the own group.
    ostracism : float in [0, 1], default 0.05
        Social ostracism (``GameConfig.ostracism``; notebook 05: 0.1).
    credit_threshold : float, default 650.0
        Displayed score from which a citizen gets credit (on the score scale).
    n_citizens : int, default 400
        Citizens of the society.
    n_steps : int, default 10
        Steps of the games whose final states are compared (notebook 05's default scale).
    tie_steps : int, default 20
        Steps of the games whose ties between the groups are followed (notebook 05's).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the games (SPEC 7); both studies replay the same seed.

    Returns
    -------
    dict
        The customs outputs of :data:`OUTPUTS` (without the ``customs.`` prefix), each a
        relabelled minus fair scoring change: ``minority_displayed_change``,
        ``minority_credit_change``, ``reaches_associates`` (``from_ties_change`` of the
        majority tied to the minority minus that of the majority not tied) and
        ``cross_ties`` (majority-minority ties after ``tie_steps`` steps, as a share of the
        start). NaN where a group of citizens is empty (no majority member tied to the
        minority, or none untied), which :func:`scorelab.global_sensitivity.sensitivity`
        refuses, naming the sample.

    Examples
    --------
    >>> out = customs_outputs(n_citizens=200, n_steps=2, tie_steps=2, rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS if o.startswith("customs."))
    True
    >>> set(customs_outputs(customary_share=0.0, n_citizens=200, n_steps=2, tie_steps=2,
    ...                     rng=1).values())
    {0.0}
    """
    from scorelab.studies.interventions import diverse_behaviour_run, diverse_behaviour_ties

    n_citizens = check_integer("n_citizens", n_citizens, minimum=20)
    check_integer("n_steps", n_steps, minimum=1)
    check_integer("tie_steps", tie_steps, minimum=1)
    policy = _policy(alpha)
    credit_threshold = check_real("credit_threshold", credit_threshold,
                                  minimum=policy.score_min, maximum=policy.score_max)
    config = GameConfig(policy=policy, ostracism=ostracism,
                        thresholds=dict(GameConfig().thresholds) | {"credit": credit_threshold})
    seed = _replay_seed(rng)
    game = dict(homophily=homophily, customary_share=customary_share, config=config, rng=seed)
    who = diverse_behaviour_run(n_citizens, n_steps=n_steps, **game).set_index("who")
    ties = diverse_behaviour_ties(n_citizens, n_steps=tie_steps, **game)
    last = ties[ties["step"] == ties["step"].max()].set_index("scoring")["cross_ties"]
    return {
        "minority_displayed_change": float(who.loc["minority", "displayed_change"]),
        "minority_credit_change": float(who.loc["minority", "credit_change"]),
        "reaches_associates": float(who.loc["majority tied to minority", "from_ties_change"]
                                    - who.loc["majority not tied", "from_ties_change"]),
        "cross_ties": float(last["relabelled"] - last["fair"]),
    }


def lender_outputs(alpha=0.3, homophily=0.7, mean_degree=10.0, loss=-4.0, repay_change=75.0,
                   default_change=-150.0, *, n_borrowers=400, n_rounds=10, population=None,
                   rng=None):
    """Notebook 06's lender's errors and profits by group, association minus none.

    :func:`scorelab.studies.credit.association_errors` (the sound lending loop, run with
    association ``alpha`` and without it on the same society, borrowers and draws) under
    maximum profit and under demographic parity, both rules on the same seed. Each output
    is one of notebook 06's per-group findings' quantities
    (:data:`scorelab.studies.credit.FINDINGS`): the paired difference, with minus without
    association, of the lender's refused repayers, approved defaulters or profit, per
    member of the group and round, averaged over the rounds. The reference (first) group of
    ``population`` is read as ``white`` and the other as ``black``: the FICO tables' White
    and Black, the only population notebook 09 runs.

    Checked against: with ``alpha = 0`` both runs of each rule are the same run, so every
    output is exactly 0 (``tests/test_studies_sensitivity.py``); the outputs are
    ``association_errors``' own ``<metric>_difference`` columns, not re-derived.

    Parameters
    ----------
    alpha : float in [0, 1], default 0.3
        Association weight of the score the lender sees.
    homophily : float in [0, 1], default 0.7
        Share of the borrowers' ties within their group (notebook 06: 0.8).
    mean_degree : float >= 0, default 10.0
        Mean number of ties per borrower.
    loss : float, default -4.0
        The lender's gain from a default (``LoanTerms.loss``; notebook 06 also -10); the
        gain from a repaid loan is 1.
    repay_change, default_change : float, default 75.0 and -150.0
        Score change of a borrower who repays and who defaults (``LoanTerms``).
    n_borrowers : int, default 400
        Borrowers of the society.
    n_rounds : int, default 10
        Lending rounds (notebook 06: 20).
    population : CreditPopulation, optional
        Exactly two groups, the reference first; default the FICO tables (White, Black).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society, the borrowers and the loans (SPEC 7); both rules and both arms
        replay the same seed.

    Returns
    -------
    dict
        The lender outputs of :data:`OUTPUTS` (without the ``lender.`` prefix).

    Examples
    --------
    >>> import pandas as pd
    >>> from scorelab.lending import CreditPopulation
    >>> pmf = pd.DataFrame({"W": [0.3, 0.7], "B": [0.6, 0.4]}, index=[400.0, 700.0])
    >>> repay = pd.DataFrame({"W": [0.5, 0.95], "B": [0.5, 0.95]}, index=[400.0, 700.0])
    >>> population = CreditPopulation(pmf, repay, pd.Series({"W": 1, "B": 1}))
    >>> out = lender_outputs(alpha=0.0, n_borrowers=100, n_rounds=2, population=population,
    ...                      rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS if o.startswith("lender."))
    True
    >>> set(out.values())
    {0.0}
    """
    from scorelab.studies.credit import association_errors

    n_rounds = check_integer("n_rounds", n_rounds, minimum=1)
    terms = LoanTerms(loss=loss, repay_change=repay_change, default_change=default_change)
    seed = _replay_seed(rng)
    errors = {rule: association_errors(alpha, rule=rule, n_borrowers=n_borrowers,
                                       n_rounds=n_rounds, homophily=homophily,
                                       mean_degree=mean_degree, population=population,
                                       terms=terms, rng=seed)
              for rule in ("max_profit", "demographic_parity")}

    groups = [str(g) for g in errors["max_profit"]["group"]]
    if len(groups) != 2:
        raise ValueError(f"population must have two groups, got {groups!r}")
    # the FICO tables' groups by name, whatever their order; any other two-group population
    # is read in its order, the reference (first) group as "white"
    white, black = ((groups.index("White"), groups.index("Black"))
                    if {"White", "Black"} == set(groups) else (0, 1))

    def change(rule, metric, position):
        return float(errors[rule][f"{metric}_difference"].iloc[position])

    return {
        "max_profit_refused_repayers_black": change("max_profit", "refused_repayers", black),
        "max_profit_refused_repayers_white": change("max_profit", "refused_repayers", white),
        "max_profit_profit_black": change("max_profit", "profit", black),
        "max_profit_profit_white": change("max_profit", "profit", white),
        "parity_approved_defaulters_black": change("demographic_parity", "approved_defaulters",
                                                   black),
        "parity_profit_black": change("demographic_parity", "profit", black),
    }


DATING_RANKINGS = ("score", "random", "appeal")
"""The rankings :func:`dating_ranking_outputs` compares: the score ranking and its two
counterfactuals (notebook 07's random and appeal-only rankings)."""


def dating_ranking_outputs(heritability=0.5, homophily=0.7, minority_wealth=0.6, alpha=0.3,
                           score_weight=0.0, slate_size=20, *, n_citizens=400,
                           n_generations=2, market=None, rng=None):
    """Notebook 07's exposure and match contrasts: score ranking minus random and appeal.

    :func:`scorelab.studies.dating.generations_sweep` runs the rankings of
    :data:`DATING_RANKINGS` for one replicate (every ranking on the same founders and
    stream) and :func:`scorelab.studies.dating.per_replicate` reads the measures notebook
    07's findings compare (:data:`scorelab.studies.dating.FINDINGS`); each output is the
    score ranking's value minus a counterfactual ranking's. The founders' minority (20 %)
    has median wealth ``minority_wealth``; the market is ``market`` (default
    ``DatingMarket()``) with ``score_weight`` and ``round(slate_size)``; the displayed
    score has association weight ``alpha``.

    Checked against: when the slate shows the searcher's whole pool and every position is
    examined alike (``position_bias="uniform"``, ``pool_size <= slate_size``), the order of
    a slate changes nothing, so every output is exactly 0
    (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    heritability : float in [0, 1], default 0.5
        Heritability ``h^2`` of the disposition.
    homophily : float in [0, 1], default 0.7
        Share of ties within the own group in every generation (notebook 07: 0.6).
    minority_wealth : float > 0, default 0.6
        The founders' minority's median wealth (notebook 07: 0.5; the majority's is 1).
    alpha : float in [0, 1], default 0.3
        Association weight of the displayed score.
    score_weight : float, default 0.0
        ``DatingMarket.score_weight``: weight of the score in liking.
    slate_size : float, default 20
        ``DatingMarket.slate_size``, rounded: profiles a searcher is shown.
    n_citizens : int, default 400
        Citizens per generation.
    n_generations : int, default 2
        Generations of children; the match rate is the mean over generations
        ``0..n_generations`` (notebook 07: 12, full scale 20). The exposure and the match
        gap are the founders' and do not depend on it.
    market : DatingMarket, optional
        The market whose ``score_weight`` and ``slate_size`` the box sets; default
        ``DatingMarket()``.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the founders and the generations (SPEC 7); every ranking replays it.

    Returns
    -------
    dict
        The dating_ranking outputs of :data:`OUTPUTS` (without the prefix).

    Examples
    --------
    >>> out = dating_ranking_outputs(n_citizens=200, n_generations=1, rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS
    ...                       if o.startswith("dating_ranking."))
    True
    """
    import dataclasses

    from scorelab.studies.dating import generations_sweep, per_replicate

    n_generations = check_integer("n_generations", n_generations, minimum=0)
    slate = int(round(check_real("slate_size", slate_size, minimum=1.0)))
    market = DatingMarket() if market is None else market
    if not isinstance(market, DatingMarket):
        raise TypeError(f"market must be a DatingMarket, got {type(market).__name__}")
    market = dataclasses.replace(market, score_weight=score_weight, slate_size=slate)
    runs = generations_sweep(list(DATING_RANKINGS), n_citizens=n_citizens,
                             n_generations=n_generations, n_replicates=1,
                             heritability=heritability, homophily=homophily,
                             minority_wealth=minority_wealth, market=market,
                             policy=_policy(alpha), rng=rng)
    table = per_replicate(runs, n_generations).xs(0, level="replicate")

    def change(measure, control):
        return float(table.loc["score", measure] - table.loc[control, measure])

    return {
        "minority_exposure_vs_random": change("minority_exposure", "random"),
        "minority_exposure_vs_appeal": change("minority_exposure", "appeal"),
        "match_rate_vs_random": change("match_rate", "random"),
        "match_rate_vs_appeal": change("match_rate", "appeal"),
        "minority_match_gap_vs_random": change("minority_match_gap", "random"),
    }


def stakes_outputs(stake_scale=10.0, strategic_rate=0.2, rationality=4.0, tie_value_scale=1.0,
                   alpha=0.3, *, n_citizens=400, n_steps=8, rng=None):
    """Notebook 08's strategic cuts by tie kind in excess of the baseline churn.

    :func:`scorelab.studies.norms.stakes_game` with everything up to food gated, at
    ``stake_scale`` times the default stakes, in the derived world and in its counterfactual
    (:data:`scorelab.studies.norms.COUNTERFACTUAL`: no association, constant incentive,
    fixed hiding rule) on the same seed, as notebook 08 pairs them. The excess of a kind is
    the derived world's strategic cuts per 1,000 ties of that kind and step (second half
    of the run) minus the counterfactual's, which are the logit's baseline churn;
    ``colleague_minus_family`` is the colleague excess minus the family excess, the
    quantity of ``norms.colleague-minus-family-cuts`` (read there at stakes x100, a corner
    of the box). Tie values are ``DEFAULT_TIE_VALUES * tie_value_scale``; the game is
    ``GameConfig(ostracism=0)`` with association weight ``alpha`` otherwise, in notebook
    08's society (homophily 0.6).

    Checked against: with ``strategic_rate = 0`` no tie is reconsidered, so every output
    is exactly 0; the outputs equal the study's own paired runs
    (``tests/test_studies_sensitivity.py``).

    Parameters
    ----------
    stake_scale : float >= 0, default 10.0
        Factor on ``DEFAULT_STAKES`` (notebook 08: 10, and 1-100 in its sweep).
    strategic_rate : float in [0, 1], default 0.2
        Chance per step that each tie end is reconsidered.
    rationality : float >= 0, default 4.0
        Logit precision of cutting and hiding.
    tie_value_scale : float >= 0, default 1.0
        Factor on ``DEFAULT_TIE_VALUES`` (family 6, friend 3, neighbour 1.5, colleague 1).
    alpha : float in [0, 1], default 0.3
        Association weight (``ScoringPolicy.alpha``) of the derived world.
    n_citizens : int, default 400
        Citizens of the society.
    n_steps : int, default 8
        Steps of each game (notebook 08: 8, full scale 16).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the society and the game (SPEC 7); both worlds replay the same seed.

    Returns
    -------
    dict
        The stakes outputs of :data:`OUTPUTS` (without the ``stakes.`` prefix).

    Examples
    --------
    >>> out = stakes_outputs(strategic_rate=0.0, n_citizens=200, n_steps=4, rng=1)
    >>> sorted(out) == sorted(o.split(".", 1)[1] for o in OUTPUTS if o.startswith("stakes."))
    True
    >>> set(out.values())
    {0.0}
    """
    from scorelab.studies.norms import STAKE_LEVELS, stakes_game

    check_real("tie_value_scale", tie_value_scale, minimum=0.0)
    config = GameConfig(ostracism=0.0, alpha=alpha,
                        tie_values={k: v * tie_value_scale for k, v in DEFAULT_TIE_VALUES.items()})
    seed = _replay_seed(rng)
    worlds = {world: stakes_game(len(STAKE_LEVELS) - 1, world, stake_scale=stake_scale,
                                 n_citizens=n_citizens, n_steps=n_steps,
                                 strategic_rate=strategic_rate, rationality=rationality,
                                 config=config, rng=seed)
              for world in ("derived", "counterfactual")}
    excess = {kind: worlds["derived"][f"cuts_{kind}"] - worlds["counterfactual"][f"cuts_{kind}"]
              for kind in DEFAULT_TIE_VALUES}
    return {**{f"excess_cuts_{kind}": float(value) for kind, value in excess.items()},
            "colleague_minus_family": float(excess["colleague"] - excess["family"])}


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
    seed = _replay_seed(rng)
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
    seed = _replay_seed(rng)
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

    ``rationality_effect`` is the chosen world's hiding gap at the highest minus the lowest
    rationality of :data:`RATIONALITY_RANGE` (notebook 04's sweep), paired on the seed, the
    other parameters at the box point: the quantity of the finding that rationality
    concentrates hiding on the minority (the box's own ``rationality`` does not enter it).

    Checked against: with ``stake_scale = 0`` the chosen world is the no-stakes world, so
    ``adjusted_hiding_gap_effect`` is exactly 0, and every output equals the study's own
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
        ``hiding_gap``, ``adjusted_hiding_gap_effect`` and ``rationality_effect`` (see
        :data:`OUTPUTS`).

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
    seed = _replay_seed(rng)
    game = dict(stake_scale=stake_scale, rationality=rationality, authenticity=authenticity,
                detection=detection, fear_rate=fear_rate, visibility=1.0,
                minority_disposition=minority_disposition, n_citizens=n_citizens,
                n_steps=n_steps, rng=seed)
    chosen = chosen_hiding_run("choice", **game)
    position = {world: hiding_by_position_run(world, **game)["adjusted_hiding_gap"]
                for world in ("choice", "no stakes")}
    low, high = (chosen_hiding_run("choice", **(game | {"rationality": value}))["hiding_gap"]
                 for value in RATIONALITY_RANGE)
    return {"hiding_gap": chosen["hiding_gap"],
            "adjusted_hiding_gap_effect": position["choice"] - position["no stakes"],
            "rationality_effect": high - low}


RATIONALITY_RANGE = (0.5, 8.0)
"""The rationalities whose hiding gaps :func:`chosen_hiding_outputs`' ``rationality_effect``
compares (notebook 04's ``rationality_grid`` ends)."""


_FUNCTIONS = {"game": game_outputs, "dating": dating_outputs, "credit": credit_outputs,
              "guilt": guilt_outputs, "rollout": rollout_outputs,
              "interventions": interventions_outputs, "customs": customs_outputs,
              "lender": lender_outputs, "dating_ranking": dating_ranking_outputs,
              "stakes": stakes_outputs, "feedback": feedback_outputs,
              "censorship": censorship_outputs, "chosen_hiding": chosen_hiding_outputs}


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
    model : str
        One of :data:`MODELS`: "game", "dating", "credit", "guilt", "rollout", "interventions",
        "customs", "lender", "dating_ranking", "stakes", "feedback", "censorship" or
        "chosen_hiding": the box to screen.
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
    model : str
        One of :data:`MODELS`: "game", "dating", "credit", "guilt", "rollout", "interventions",
        "customs", "lender", "dating_ranking", "stakes", "feedback", "censorship" or
        "chosen_hiding".
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


UNDETERMINED_ABOVE = 0.25
"""Where no parameter stands out, the total Sobol' index that no parameter's interval may
reach above (at its high end) for the output to read "no parameter stands out"; above it the
output is undetermined at the sample's size (:func:`rests_on_table`)."""


def rests_on_table(morris, sobol, *, threshold=0.05, undetermined_above=UNDETERMINED_ABOVE):
    """For each output, the parameters it rests on.

    Where the output has Sobol' indices: the parameters whose total index clears
    ``threshold`` even at the low end of its interval, ``ST - ST_conf > threshold``
    (:func:`influential`), possibly none. Where it has none (no parameter was passed on
    from the screening): the Morris screening's influential parameters.

    When no parameter clears the threshold, the intervals say whether that is an answer:
    if every kept parameter's total index stays at or below ``undetermined_above`` even at
    the high end of its interval (``ST + ST_conf``), no parameter stands out (none can
    explain more than that share of the variance); if some interval reaches above it, the
    sample cannot tell, and the output is *undetermined* at this size (heavy-tailed outputs
    give total indices above 1 with intervals wider than the indices).

    Parameters
    ----------
    morris : pandas.DataFrame
        Morris frames of every model (:func:`screen`).
    sobol : pandas.DataFrame
        Sobol' frames of the models that got one (:func:`sobol_on`).
    threshold : float, default 0.05
        Total index an influential parameter must clear at the low end of its interval.
    undetermined_above : float, default :data:`UNDETERMINED_ABOVE`
        Where no parameter clears ``threshold``: the total index that an interval's high end
        must not exceed for "no parameter stands out"; above it the output is undetermined.

    Returns
    -------
    pandas.DataFrame
        One row per output: ``output``, ``rests_on`` (``"; "``-separated, most influential
        first, empty if no parameter clears the threshold), ``method`` (``"sobol"`` or
        ``"morris"``) and ``reading``: ``"stands out"`` (``rests_on`` names parameters),
        ``"none stands out"`` or ``"undetermined"`` (Sobol' only: an interval too wide).

    Examples
    --------
    >>> morris = pd.DataFrame({"output": ["y", "y", "z", "z"], "parameter": ["a", "b"] * 2,
    ...                        "mu_star": [1.0, 0.2, 0.0, 1.0],
    ...                        "mu_star_conf": [0.1, 0.05, 0.0, 0.1], "sigma": 0.1})
    >>> sobol = pd.DataFrame({"output": "y", "parameter": ["a"], "S1": [0.9],
    ...                       "S1_conf": [0.1], "ST": [0.9], "ST_conf": [0.1]})
    >>> rests_on_table(morris, sobol).values.tolist()
    [['y', 'a', 'sobol', 'stands out'], ['z', 'b', 'morris', 'stands out']]
    >>> wide = sobol.assign(ST=[0.3], ST_conf=[0.5])
    >>> rests_on_table(morris, wide).values.tolist()[0]
    ['y', '', 'sobol', 'undetermined']
    >>> rests_on_table(morris, wide.assign(ST=[0.02], ST_conf=[0.1])).values.tolist()[0]
    ['y', '', 'sobol', 'none stands out']
    """
    undetermined_above = check_real("undetermined_above", undetermined_above, minimum=0.0)
    rows = []
    for output in morris["output"].unique():
        if output in set(sobol["output"]):
            names, method = influential(sobol, output, threshold=threshold), "sobol"
            own = sobol[sobol["output"] == output]
            wide = bool(((own["ST"] + own["ST_conf"]) > undetermined_above).any())
        else:
            names, method = influential(morris, output, threshold=threshold), "morris"
            wide = False
        reading = "stands out" if names else "undetermined" if wide else "none stands out"
        rows.append({"output": output, "rests_on": "; ".join(names), "method": method,
                     "reading": reading})
    return pd.DataFrame(rows, columns=["output", "rests_on", "method", "reading"])


NOT_COVERED = "not covered by notebook 09"
"""The ``rests_on`` of a finding whose quantity no output of :data:`OUTPUTS` measures."""

NONE_STANDS_OUT = "no parameter of notebook 09 stands out"
"""The ``rests_on`` of a finding whose output no parameter moves beyond the noise, while
every parameter's total index stays at or below :data:`UNDETERMINED_ABOVE` even at the high
end of its interval."""

UNDETERMINED = "undetermined: notebook 09's intervals are too wide to tell"
"""The ``rests_on`` of a finding whose output no parameter moves beyond the noise, but whose
total indices' intervals reach above :data:`UNDETERMINED_ABOVE`: the sample cannot say what
it rests on (:func:`rests_on_table`'s ``reading`` "undetermined")."""

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
    _check_output(table, output)
    return _names(table, output)


def _check_output(table, output):
    if output not in set(table["output"]):
        raise ValueError(f"output must be one of {sorted(table['output'])}, got {output!r}")


def _names(table, output):
    """The parameters ``table`` names for ``output`` (none if it has no row)."""
    text = table.loc[table["output"] == output, "rests_on"]
    return [name for name in (text.iloc[0] if len(text) else "").split("; ") if name]


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
        :func:`rests_on` of ``output``; when that is empty, ``(UNDETERMINED,)`` where the
        table reads the output as undetermined, else ``(NONE_STANDS_OUT,)``;
        ``(NOT_COVERED,)`` when ``output`` is None; ``(PENDING,)`` when ``output`` is one
        of :data:`OUTPUTS` that the committed table does not hold yet.

    Examples
    --------
    >>> rests_on_entry(None)
    ('not covered by notebook 09',)
    >>> rests_on_entry("game.minority_gap") == (tuple(rests_on("game.minority_gap"))
    ...                                         or (NONE_STANDS_OUT,) or (UNDETERMINED,))
    True
    """
    if output is None:
        return (NOT_COVERED,)
    table = _table()
    if output in OUTPUTS and output not in set(table["output"]):
        return (PENDING,)
    _check_output(table, output)
    return _entry(table, output)


def _entry(table, output):
    """``output``'s entry in ``table``: its parameters, or what their absence says."""
    return tuple(_names(table, output)) or (_empty_reading(table, output),)


def _empty_reading(table, output):
    """What an empty ``rests_on`` of ``output`` in ``table`` says: :data:`UNDETERMINED` when
    the table's ``reading`` is "undetermined", else :data:`NONE_STANDS_OUT`."""
    if "reading" in table.columns:
        reading = table.loc[table["output"] == output, "reading"]
        if len(reading) and reading.iloc[0] == "undetermined":
            return UNDETERMINED
    return NONE_STANDS_OUT


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
        return list(_entry(table, output))
    try:
        return list(rests_on_entry(output))
    except (FileNotFoundError, ValueError):
        return []

