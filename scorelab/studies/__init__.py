"""Scenarios the notebooks study, as functions a sweep can call (one module per notebook).

Notebooks hold no model logic: each scenario builds a society, runs the model and returns
the numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from scorelab.studies.credit import credit_gap, lending_rounds
from scorelab.studies.guilt import guilt_by_association, minority_status_penalty, scored_society

__all__ = [
    "credit_gap",
    "guilt_by_association",
    "lending_rounds",
    "minority_status_penalty",
    "scored_society",
]
