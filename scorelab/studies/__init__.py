"""Scenarios the notebooks study, as functions a sweep can call (one module per notebook).

Notebooks hold no model logic: each scenario builds a society, runs the model and returns
the numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from scorelab.studies.censorship import censorship_run
from scorelab.studies.credit import credit_gap, lending_rounds
from scorelab.studies.feedback import (
    classify_regime,
    feedback_game,
    feedback_run,
    feedback_trajectory,
)
from scorelab.studies.fairness import (
    INTERVENTIONS,
    diverse_behaviour_run,
    diverse_behaviour_ties,
    fairness_run,
    interventions_run,
    rank_interventions,
)
from scorelab.studies.guilt import guilt_by_association, minority_status_penalty, scored_society
from scorelab.studies.rollout import rollout_run, rollout_summary

__all__ = [
    "INTERVENTIONS",
    "censorship_run",
    "classify_regime",
    "feedback_game",
    "feedback_run",
    "feedback_trajectory",
    "credit_gap",
    "diverse_behaviour_run",
    "diverse_behaviour_ties",
    "fairness_run",
    "interventions_run",
    "rank_interventions",
    "rollout_run",
    "rollout_summary",
    "guilt_by_association",
    "lending_rounds",
    "minority_status_penalty",
    "scored_society",
]
