"""scorelab: a lab for studying social-scoring systems.

A stylised model of the "citizen game" an essay describes: public scores from approved and
disapproved acts, guilt (or approval) by association along social ties, and the feedback
loops, fairness questions and dating-visibility effects that follow. It is a research tool
for studying such a system, not a description of any real programme.
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
