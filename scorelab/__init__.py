"""scorelab: a lab for studying social-scoring systems.

A stylised model of the "citizen game" an essay describes: public scores from approved and
disapproved acts, guilt (or approval) by association along social ties, and the feedback
loops, fairness questions and dating-visibility effects that follow. It is a research tool
for studying such a system, not a description of any real programme.

Start here: the README's recipes (docs/recipes.md) answer three questions in a few lines
each, every one against its counterfactual.

Map of the modules
------------------
The model
    ``scorelab.society``      citizens and their ties (two-group homophilous societies)
    ``scorelab.scoring``      acts, the authority's ScoringPolicy, own scores
    ``scorelab.association``  displayed scores: propagate (Friedkin-Johnsen), decompose
    ``scorelab.dynamics``     the citizen game: GameConfig, simulate, SimulationResult
    ``scorelab.unfriending``  what each tie costs a citizen's score (tie_effects)
    ``scorelab.models``       reference models: voter, Holme-Newman, threshold cascades
    ``scorelab.lending``      credit with delayed impact (Liu et al. 2018, FICO tables)
    ``scorelab.dating``       ranked dating markets and generations of offspring
Measuring and experimenting
    ``scorelab.defaults``     the shared two-group society, homophily, degree, alpha
    ``scorelab.experiments``  sweep (pair_over= for common random numbers), compare,
                              confidence_intervals
    ``scorelab.metrics``      network and score measures; ``scorelab.fairness`` gaps
    ``scorelab.findings``     the findings register: interval, sample, seed, null
    ``scorelab.global_sensitivity``  Morris and Sobol analyses (sensitivity)
    ``scorelab.reporting``, ``scorelab.plotting``, ``scorelab.explorer`` (interactive)
The studies behind the notebooks (``scorelab.studies``)
    00-explore                  ``scorelab.explorer`` (no study: an interactive tour)
    01-guilt-by-association     ``scorelab.studies.guilt``
    02-feedback-loops           ``scorelab.studies.feedback``
    03-rollout                  ``scorelab.studies.rollout``
    04-self-censorship          ``scorelab.studies.censorship``
    05-fairness                 ``scorelab.studies.interventions``
    06-credit-delayed-impact    ``scorelab.studies.credit``
    07-dating-visibility        ``scorelab.studies.dating``
    08-norms-and-stakes         ``scorelab.studies.norms``
    09-sensitivity              ``scorelab.studies.sensitivity``

Names: the association weight is ``alpha`` everywhere (``ScoringPolicy.alpha``,
``propagate(alpha=...)``, ``GameConfig(alpha=...)``); its old name ``association_weight``
still works, with a DeprecationWarning, for one release.
"""
from importlib import metadata as _metadata

from scorelab._validation import ConvergenceError
from scorelab.dating import (
    DatingMarket,
    MarketOutcome,
    citizen_exposure,
    draw_slates,
    exposure_disparity,
    group_exposure,
    match_market,
    position_weights,
    selection_intensity,
    simulate_generations,
)
from scorelab.dynamics import GameConfig, SimulationResult, load, simulate
from scorelab.experiments import compare, confidence_intervals, sweep
from scorelab.explorer import explore
from scorelab.global_sensitivity import sensitivity
from scorelab import fairness, findings, metrics
from scorelab.lending import (
    RULES,
    CreditPopulation,
    LendingRun,
    LoanTerms,
    compare_rules,
    draw_borrowers,
    fico_dir,
    impact_regions,
    lending_outcomes,
    lending_policy,
    load_fico,
    outcome_curve,
    simulate_lending,
)
from scorelab.models import HolmeNewmanResult, VoterResult, holme_newman, threshold_cascade, voter_model
from scorelab.association import (
    contributions,
    decompose,
    one_hop_mean,
    personalised_pagerank,
    propagate,
    worst_neighbour,
)
from scorelab.unfriending import tie_effects

try:
    # The installed distribution's version, which setuptools-scm derives from git tags.
    __version__ = _metadata.version("scorelab")
except _metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "ConvergenceError",
    "GameConfig",
    "SimulationResult",
    "simulate",
    "load",
    "compare",
    "confidence_intervals",
    "sweep",
    "sensitivity",
    "explore",
    "RULES",
    "CreditPopulation",
    "LendingRun",
    "LoanTerms",
    "compare_rules",
    "draw_borrowers",
    "fico_dir",
    "impact_regions",
    "lending_outcomes",
    "lending_policy",
    "load_fico",
    "outcome_curve",
    "simulate_lending",
    "HolmeNewmanResult",
    "VoterResult",
    "holme_newman",
    "fairness",
    "findings",
    "metrics",
    "threshold_cascade",
    "voter_model",
    "DatingMarket",
    "MarketOutcome",
    "citizen_exposure",
    "draw_slates",
    "exposure_disparity",
    "group_exposure",
    "match_market",
    "position_weights",
    "selection_intensity",
    "simulate_generations",
    "contributions",
    "decompose",
    "one_hop_mean",
    "personalised_pagerank",
    "propagate",
    "worst_neighbour",
    "tie_effects",
    "__version__",
]
