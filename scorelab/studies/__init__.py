"""Scenarios the notebooks study, as functions a sweep can call (one module per notebook).

Notebooks hold no model logic: each scenario builds a society, runs the model and returns
the numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from scorelab.studies.common import GROUPS, two_group_society
from scorelab.studies.censorship import censorship_run
from scorelab.studies.credit import credit_gap, lending_rounds
from scorelab.studies.dating import (
    generations_sweep,
    realised_response,
    truncation_response,
)
from scorelab.studies.feedback import (
    classify_regime,
    feedback_game,
    feedback_run,
    feedback_trajectory,
)
from scorelab.studies.guilt import guilt_by_association, minority_status_penalty, scored_society
from scorelab.studies.interventions import (
    INTERVENTIONS,
    diverse_behaviour_run,
    diverse_behaviour_ties,
    fairness_by_group,
    fairness_run,
    interventions_key_numbers,
    interventions_run,
    intervention_effects,
)
from scorelab.studies.rollout import rollout_key_numbers, rollout_run, rollout_summary

__all__ = [
    "GROUPS",
    "INTERVENTIONS",
    "censorship_run",
    "classify_regime",
    "feedback_game",
    "feedback_run",
    "feedback_trajectory",
    "credit_gap",
    "diverse_behaviour_run",
    "diverse_behaviour_ties",
    "fairness_by_group",
    "fairness_run",
    "generations_sweep",
    "interventions_key_numbers",
    "interventions_run",
    "intervention_effects",
    "realised_response",
    "rollout_key_numbers",
    "rollout_run",
    "rollout_summary",
    "truncation_response",
    "two_group_society",
    "guilt_by_association",
    "lending_rounds",
    "minority_status_penalty",
    "scored_society",
]
