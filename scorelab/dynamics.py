"""The citizen game: the score acting on people and people acting back on the score.

:func:`simulate` runs the feedback loops of the model description (``docs/model.md``)
step by step, vectorised over the whole population (no per-citizen Python loop). Each step:

1. **acts** - every participating citizen acts ``n_acts`` times in each domain; an act is
   approved with probability ``disposition + incentive * responsiveness + peer pressure``
   (clipped to [0, 1]), and in finance times ``wealth / (wealth + 0.5)``;
2. **self-censorship** - each disapproved act is hidden with probability
   ``censorship * responsiveness * visibility``; hidden acts vanish from the public record
   and reach the authority only if detected (``detection``). Private and expressed
   behaviour are kept apart (preference falsification, Kuran 1995);
3. **scoring** - the observed acts join a decaying record (``policy.memory``), scored
   against the standard set by the participants; association
   (:func:`scorelab.propagate`, warm-started) gives the public displayed score;
4. **gates** - credit, travel and utilities open above their thresholds and change wealth,
   which feeds back into acts (the poverty-trap loop);
5. **ostracism and rewiring** - the higher scorer of a tie cuts it with probability
   ``ostracism * (1 - cut_cost[kind]) * (1 - exp(-gap / gap_scale))``; the citizen who
   cut seeks one new tie, to a friend of a friend or to a higher scorer. A draw that lands
   on the seeker or on an existing pair is dropped, not redrawn, so about 10 % of cuts go
   unreplaced and ties thin out under sustained ostracism (reported as ``ties_added``);
6. **rollout** - before ``mandatory_step`` citizens join by choice, the more conforming
   first (probability ``join_rate * disposition ** selectivity``), and the standard is set
   by those who have joined; from ``mandatory_step`` on everyone is scored;
7. **drift** - private norms drift towards what one's ties are seen to approve and the
   authority's standard (``internalisation``), and fear follows the ties seen losing a
   privilege (chosen self-censorship).

Derived mechanisms (issue 9), each off by default so that the original rules give the
same frames bit for bit: what the score gates (``gates``, ordered by stakes, with a smooth
value ``V(x) = sum_g stake_g sigma((x - t_g) / softness)``), a compliance incentive derived
from ``V'`` (``incentive_rule="stakes"``), strategic unfriending weighing the first-order
:func:`scorelab.tie_effects` of each tie through ``V'`` against its value
(``strategic_rate``), norm drift (``internalisation``) and self-censorship as a choice with
fear and selective presentation (``censorship_rule="choice"``, ``selective``). Their
kernels are in :mod:`scorelab._mechanisms`; ``tests/test_dynamics_mechanisms.py`` checks
them against per-citizen references, DeGroot and Friedkin-Johnsen closed forms and their
counterfactuals.

Every mechanism can be switched off for its counterfactual: ``association=False``,
``ostracism=0``, ``public_scores=False`` (no peer sanctions: no ostracism, no public
self-censorship pressure), ``mandatory_step=0`` (no rollout).

Randomness: the per-citizen draws of acts and self-censorship come from one stream per
fixed block of citizens (drawn in threads, the same numbers for any number of threads);
joining, wealth shocks and rewiring draw from the run's generator, and the cut draw
takes only the ties that can be cut (:func:`bernoulli_positions`). Same seed, same frames.

References
----------
T. Kuran (1995), Private Truths, Public Lies, Harvard University Press.
Y. Wei, P. Yildirim, C. Van den Bulte and C. Dellarocas (2016), "Credit scoring with social
network data", Marketing Science 35(2):234-258. https://doi.org/10.1287/mksc.2015.0949
N. E. Friedkin and E. C. Johnsen (1999), "Social influence networks and opinion change",
Advances in Group Processes 16:1-29.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from tqdm import tqdm

from scorelab import _mechanisms as _mech
from scorelab import metrics
from scorelab._graph import (
    ParallelProduct,
    WeightMatrix,
    first_of_runs,
    thread_pool,
    trusted_input,
)
from scorelab._ties import DynamicTies
from scorelab._validation import (
    ConvergenceError,
    FrozenMapping,
    check_integer,
    check_probability,
    check_real,
    check_rng,
    shown,
    take_renamed,
)
from scorelab.association import _build_system, propagate
from scorelab.reporting import git_state, json_ready, versions, write_atomically, write_json
from scorelab.scoring import (
    DOMAINS,
    WEALTH_HALF,
    ScoringPolicy,
    approval_rates,
    decayed_counts,
    displayed_start,
    domain_chances,
    mislabel_acts,
    reference_standard,
    score_against,
)
from scorelab.society import TIE_KINDS, Society
from scorelab.unfriending import _first_order_effects, _Ties

__all__ = ["GameConfig", "SimulationResult", "simulate", "load", "association_iterations", "GATES",
           "ALL_GATES"]

GATES = ("credit", "travel", "utilities")
"""The gates of the original game (the default ``GameConfig.gates``)."""
ALL_GATES = ("shop", "credit", "travel", "utilities", "food")
"""Every gate a score can hold, in the order of their stakes (none is ``gates=()``)."""
DEFAULT_THRESHOLDS = {"shop": 750.0, "credit": 650.0, "travel": 550.0, "utilities": 450.0,
                      "food": 400.0}
DEFAULT_STAKES = {"shop": 0.5, "credit": 1.0, "travel": 2.0, "utilities": 4.0, "food": 8.0}
DEFAULT_TIE_VALUES = {"family": 6.0, "friend": 3.0, "neighbour": 1.5, "colleague": 1.0}
INCENTIVE_RULES = ("constant", "stakes")
CENSORSHIP_RULES = ("fixed", "choice")
_KINDS = list(TIE_KINDS)
_CUT_COST = np.array([TIE_KINDS[k].cut_cost for k in _KINDS])
_FRIEND = _KINDS.index("friend")


@dataclasses.dataclass(frozen=True)
class GameConfig:
    """Every parameter of the citizen game, validated at construction.

    Parameters
    ----------
    policy : ScoringPolicy
        Domain weights, scale, standard, association weight (alpha) and memory. The
        policy's fields may also be given directly: ``GameConfig(alpha=0.6)`` is
        ``GameConfig(policy=ScoringPolicy(alpha=0.6))``, and ``GameConfig(policy=p,
        alpha=0.6)`` (or ``dataclasses.replace(config, alpha=0.6)``) takes ``p`` with that
        alpha. They are stored in ``policy`` only (``config.policy.alpha``).
    n_acts : int, default 5
        Acts per citizen, domain and step.
    incentive : float, default 0.15
        Shift of the approval probability per unit responsiveness once scored.
    peer_pressure : float, default 0.3
        Weight of the gap between one's ties' expressed approval rate and one's own.
    association : bool, default True
        Displayed score = Friedkin-Johnsen association of own scores (else own score).
    association_tol : float in (0, 1), default 1e-6
        Tolerance of the association solve (:func:`scorelab.propagate`): every displayed
        score is guaranteed within ``association_tol * max |own score|`` of the exact
        solution, i.e. within ~0.001 points on the 350-950 scale, far below a step's
        changes (tens of points). ``propagate``'s own default, 1e-8, costs ~2-3 more
        sparse products per step.
    association_max_iter : int, optional
        Iteration limit of the association solve. Default: as many as the tolerance can
        need, from the contraction bound ``lambda ** k``
        (:func:`association_iterations`), so that a run with an association weight near
        1 (0.99 during a rollout, where the fixed point is used) converges instead of
        failing mid-run.
    public_scores : bool, default True
        Scores are public: ostracism and the public side of self-censorship act on them.
    censorship : float in [0, 1], default 0.5
        Propensity to hide disapproved acts (times responsiveness and visibility).
    visibility : float in [0, 1], default 1.0
        How visible acts are to the public and the authority.
    detection : float in [0, 1], default 0.3
        Chance the authority detects a hidden act.
    thresholds : mapping, default credit 650, travel 550, utilities 450
        Displayed score needed for each gate: one number, or a mapping of group to number
        (group-aware thresholds; every group of the society must be named).
    credit_return, travel_return : float, default 0.03, 0.01
        Log-wealth gain per step with access.
    utilities_loss : float, default 0.05
        Log-wealth loss per step without utilities.
    wealth_noise : float, default 0.02
        Standard deviation of the log-wealth shock.
    ostracism : float in [0, 1], default 0.05
        Scale of the chance to cut a tie to a lower scorer per step.
    gap_scale : float, default 100
        Score gap (points) at which cutting reaches 63 % of its maximum.
    triadic_share : float in [0, 1], default 0.5
        Share of new ties closing a triangle (the rest go to a higher scorer).
    mandatory_step : int, default 0
        Step at which participation becomes mandatory (0: from the start, no rollout).
    join_rate : float in [0, 1], default 0.1
        Chance per step that a citizen of disposition 1 joins during the opt-in phase.
    selectivity : float, default 3
        How strongly joining favours conformists (exponent on disposition).
    standard_inertia : float in [0, 1), default 0
        How slowly the relative standard follows its reference: each step
        ``m_t = inertia * m_{t-1} + (1 - inertia) * mean(reference rates)`` (likewise the
        spread). 0 re-measures it every step; near 1 the standard the early adopters set
        keeps applying after participation becomes mandatory.
    mislabelled : mapping, default {}
        ``{group: {domain: share}}``: that share of the group's approved acts in that domain
        is recorded as disapproved ("diverse behaviour": harmless customary acts the
        authority scores as disapproved).
    appeal : float in [0, 1], default 0
        Share of the recorded disapproved acts struck from every record each step (appeals).
    gates : sequence of str, default ("credit", "travel", "utilities")
        What the score gates, from :data:`ALL_GATES` (ordered by stakes: shop rewards,
        credit, travel, utilities, food); ``()`` gates nothing (bragging rights only). A
        gate not at stake is open to all.
    stakes : mapping, optional
        Value of passing each gate, in the units of tie values and of the cost of hiding;
        default shop 0.5, credit 1, travel 2, utilities 4, food 8. The value of a displayed
        score is ``V(x) = sum_g stake_g * sigma((x - threshold_g) / softness)``.
    softness : float > 0, default 25
        Width (points) of each gate's smooth step in ``V``.
    shop_return : float, default 0.005
        Log-wealth gain per step with shop rewards (when the shop gate is at stake).
    food_loss : float, default 0.1
        Log-wealth loss per step without food (when food is at stake; subsistence: wealth
        falls and with it the approved finance acts it allows).
    incentive_rule : {"constant", "stakes"}, default "constant"
        ``"constant"``: the original shift ``incentive * responsiveness``; ``"stakes"``:
        ``incentive * 4 softness V'(x)`` (the value of a point where one stands, 1 at the
        threshold of a gate of stake 1), times responsiveness.
    strategic_rate : float in [0, 1], default 0
        Strategic unfriending: chance per step that each citizen reconsiders each tie
        (0: off). A reconsidered tie is cut with the logit chance
        ``sigma(rationality * (V'(x_i) dx_ij - tie_values[kind]))``, ``dx_ij`` its
        first-order :func:`scorelab.tie_effects` effect.
    rationality : float >= 0, default 2
        Logit precision of strategic cuts and of chosen self-censorship.
    tie_values : mapping, default family 6, friend 3, neighbour 1.5, colleague 1
        Value of keeping a tie, by kind (units of the stakes).
    max_cuts : int >= 1, default 1
        Most ties a citizen cuts strategically per step.
    internalisation : float in [0, 1], default 0
        Rate at which private approval (per domain, and of customary acts) drifts towards
        what one sees one's ties express and the authority's standard (0: fixed
        dispositions, the original rule).
    authority_pull : float in [0, 1], default 0.3
        Weight of the authority's standard in norm drift (participants only).
    norm_anchor : float in [0, 1], default 0
        Weight of one's starting disposition in norm drift (Friedkin-Johnsen stubbornness).
    censorship_rule : {"fixed", "choice"}, default "fixed"
        ``"fixed"``: hide with chance ``censorship * responsiveness * visibility``;
        ``"choice"``: hide with the logit chance ``sigma(rationality * (loss -
        authenticity))``, ``loss = (1 + fear) V'(x) penalty_d max(visibility - detection,
        0)``.
    authenticity : float >= 0, default 1
        Cost of hiding an act (units of the stakes).
    fear_rate : float in [0, 1], default 0.5
        How fast fear follows the share of one's ties seen losing a privilege.
    selective : bool, default False
        Selective presentation: ties who privately approve of disapproved acts (private
        approval below 1/2) see one's hidden acts; others and the score do not.

    Notes
    -----
    During the opt-in phase the authority records everyone's acts but scores only the
    participants; citizens who have not joined are not gated (they keep every access).

    ``thresholds`` and ``mislabelled`` are copied into read-only mappings at construction:
    changing the dict a config was built from does not change the config, and the config
    cannot be changed past its checks. Configs pickle, hash and compare by value, and
    ``GameConfig.from_dict(config.to_dict()) == config``.
    """

    policy: ScoringPolicy = dataclasses.field(default_factory=ScoringPolicy)
    n_acts: int = 5
    incentive: float = 0.15
    peer_pressure: float = 0.3
    association: bool = True
    association_tol: float = 1e-6
    association_max_iter: int | None = None
    public_scores: bool = True
    censorship: float = 0.5
    visibility: float = 1.0
    detection: float = 0.3
    thresholds: Mapping | None = None
    credit_return: float = 0.03
    travel_return: float = 0.01
    utilities_loss: float = 0.05
    wealth_noise: float = 0.02
    ostracism: float = 0.05
    gap_scale: float = 100.0
    triadic_share: float = 0.5
    mandatory_step: int = 0
    join_rate: float = 0.1
    selectivity: float = 3.0
    standard_inertia: float = 0.0
    mislabelled: Mapping = dataclasses.field(default_factory=dict)
    appeal: float = 0.0
    gates: tuple = GATES
    stakes: Mapping | None = None
    softness: float = 25.0
    shop_return: float = 0.005
    food_loss: float = 0.1
    incentive_rule: str = "constant"
    strategic_rate: float = 0.0
    rationality: float = 2.0
    tie_values: Mapping = dataclasses.field(default_factory=lambda: dict(DEFAULT_TIE_VALUES))
    max_cuts: int = 1
    internalisation: float = 0.0
    authority_pull: float = 0.3
    norm_anchor: float = 0.0
    censorship_rule: str = "fixed"
    authenticity: float = 1.0
    fear_rate: float = 0.5
    selective: bool = False

    def __post_init__(self):
        if not isinstance(self.policy, ScoringPolicy):
            raise TypeError(f"policy must be a ScoringPolicy, got {type(self.policy).__name__}")
        check_integer("n_acts", self.n_acts, minimum=1)
        check_real("incentive", self.incentive, minimum=-1.0, maximum=1.0)
        check_real("peer_pressure", self.peer_pressure, minimum=0.0, maximum=1.0)
        check_real("association_tol", self.association_tol, minimum=0.0, maximum=1.0,
                   open_min=True, open_max=True)
        if self.association_max_iter is not None:
            check_integer("association_max_iter", self.association_max_iter, minimum=1)
        for name in ("association", "public_scores"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        for name in ("censorship", "visibility", "detection", "ostracism", "triadic_share",
                     "join_rate"):
            check_probability(name, getattr(self, name))
        if isinstance(self.gates, str) or not isinstance(self.gates, (tuple, list)):
            raise TypeError(f"gates must be a sequence of gate names from {ALL_GATES}, got "
                            f"{self.gates!r}")
        gates = tuple(self.gates)
        if not set(gates) <= set(ALL_GATES) or len(set(gates)) != len(gates):
            raise ValueError(f"gates must name distinct gates of {ALL_GATES}, got {gates!r}")
        # kept in the order of their stakes (shop < credit < travel < utilities < food)
        gates = tuple(g for g in ALL_GATES if g in gates)
        object.__setattr__(self, "gates", gates)
        if self.thresholds is None:
            object.__setattr__(self, "thresholds", {g: DEFAULT_THRESHOLDS[g] for g in gates})
        if not isinstance(self.thresholds, Mapping) or set(self.thresholds) != set(gates):
            raise ValueError(
                f"thresholds must map exactly the gates {gates} to scores, "
                f"got {shown(self.thresholds)}"
            )
        lo, hi = self.policy.score_min, self.policy.score_max
        checked = {}
        for gate in gates:
            value = self.thresholds[gate]
            if isinstance(value, Mapping):
                if not value:
                    raise ValueError(f"thresholds[{gate!r}] names no group")
                checked[gate] = FrozenMapping({
                    group: check_real(f"thresholds[{gate!r}][{group!r}]", v, minimum=lo, maximum=hi)
                    for group, v in value.items()
                })
            else:
                checked[gate] = check_real(f"thresholds[{gate!r}]", value, minimum=lo, maximum=hi)
        # Copied and frozen: a later change to the caller's dict must not reach the config
        # (configs built in a loop over one dict would all hold its last value) nor bypass
        # these checks.
        object.__setattr__(self, "thresholds", FrozenMapping(checked))
        if not isinstance(self.mislabelled, Mapping):
            raise TypeError(f"mislabelled must be a mapping group -> {{domain: share}}, "
                            f"got {shown(self.mislabelled)}")
        for group, shares in self.mislabelled.items():
            if not isinstance(shares, Mapping) or not set(shares) <= set(DOMAINS):
                raise ValueError(f"mislabelled[{group!r}] must map domains of {DOMAINS} to "
                                 f"shares, got {shown(shares)}")
            for domain, share in shares.items():
                check_probability(f"mislabelled[{group!r}][{domain!r}]", share)
        object.__setattr__(self, "mislabelled", FrozenMapping(
            {group: FrozenMapping(shares) for group, shares in self.mislabelled.items()}))
        check_probability("appeal", self.appeal)
        for name in ("credit_return", "travel_return", "utilities_loss"):
            check_real(name, getattr(self, name), minimum=-1.0, maximum=1.0)
        check_real("wealth_noise", self.wealth_noise, minimum=0.0)
        check_real("gap_scale", self.gap_scale, minimum=0.0, open_min=True)
        check_integer("mandatory_step", self.mandatory_step, minimum=0)
        check_real("selectivity", self.selectivity, minimum=0.0)
        check_real("standard_inertia", self.standard_inertia, minimum=0.0, maximum=1.0,
                   open_max=True)
        self._check_mechanisms(gates)

    def _check_mechanisms(self, gates):
        """Validate the derived mechanisms' parameters (stakes, unfriending, norms, hiding)."""
        stakes = self.stakes
        if stakes is None:
            stakes = {g: DEFAULT_STAKES[g] for g in gates}
        if not isinstance(stakes, Mapping) or set(stakes) != set(gates):
            raise ValueError(f"stakes must map exactly the gates {gates} to values, got "
                             f"{stakes!r}")
        object.__setattr__(self, "stakes", FrozenMapping(
            {g: check_real(f"stakes[{g!r}]", stakes[g], minimum=0.0) for g in gates}))
        check_real("softness", self.softness, minimum=0.0, open_min=True)
        check_real("shop_return", self.shop_return, minimum=-1.0, maximum=1.0)
        check_real("food_loss", self.food_loss, minimum=-1.0, maximum=1.0)
        for name, options in (("incentive_rule", INCENTIVE_RULES),
                              ("censorship_rule", CENSORSHIP_RULES)):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {options}, got {getattr(self, name)!r}")
        for name in ("strategic_rate", "internalisation", "authority_pull", "norm_anchor",
                     "fear_rate"):
            check_probability(name, getattr(self, name))
        if self.authority_pull + self.norm_anchor > 1:
            raise ValueError(f"authority_pull + norm_anchor must be at most 1, got "
                             f"{self.authority_pull} + {self.norm_anchor}")
        check_real("rationality", self.rationality, minimum=0.0)
        check_real("authenticity", self.authenticity, minimum=0.0)
        check_integer("max_cuts", self.max_cuts, minimum=1)
        if not isinstance(self.tie_values, Mapping) or set(self.tie_values) != set(TIE_KINDS):
            raise ValueError(f"tie_values must map exactly the tie kinds {list(TIE_KINDS)} "
                             f"to values, got {self.tie_values!r}")
        object.__setattr__(self, "tie_values", FrozenMapping(
            {k: check_real(f"tie_values[{k!r}]", self.tie_values[k]) for k in TIE_KINDS}))
        if not isinstance(self.selective, bool):
            raise TypeError(f"selective must be True or False, got {self.selective!r}")

    @property
    def mechanisms_on(self):
        """Whether any derived mechanism departs from the original rules (then the history
        adds :data:`scorelab.metrics.MECHANISM_MEASURES`)."""
        return (self.gates != GATES or self.incentive_rule != "constant"
                or self.strategic_rate > 0 or self.internalisation > 0
                or self.censorship_rule != "fixed" or self.selective)

    def to_dict(self):
        """JSON-friendly parameters, saved with every result; ``from_dict`` rebuilds them
        (also those saved before the rename of ``association_weight`` to ``alpha``)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["policy"] = self.policy.to_dict()
        values["thresholds"] = {g: (dict(v) if isinstance(v, Mapping) else v)
                                for g, v in self.thresholds.items()}
        values["mislabelled"] = {g: dict(s) for g, s in self.mislabelled.items()}
        values["gates"] = list(self.gates)
        values["stakes"] = dict(self.stakes)
        values["tie_values"] = dict(self.tie_values)
        return values

    @classmethod
    def from_dict(cls, values):
        """The config whose :meth:`to_dict` is ``values`` (e.g. read back from JSON)."""
        if not isinstance(values, Mapping):
            raise TypeError(f"values must be a mapping, got {type(values).__name__}")
        known = {f.name for f in dataclasses.fields(cls)} | _POLICY_FIELDS
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"values names unknown GameConfig fields {unknown}")
        values = dict(values)
        if "policy" in values:
            values["policy"] = ScoringPolicy(**values["policy"])
        if "gates" in values:
            values["gates"] = tuple(values["gates"])
        return cls(**values)


_POLICY_FIELDS = frozenset(f.name for f in dataclasses.fields(ScoringPolicy)) | {
    "association_weight"}


def _accept_policy_fields(init):
    """Wrap ``GameConfig.__init__``: the scoring policy's fields may be given directly."""
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        direct = {name: kwargs.pop(name) for name in list(kwargs) if name in _POLICY_FIELDS}
        if direct:
            policy = kwargs.get("policy", ScoringPolicy())
            if not isinstance(policy, ScoringPolicy):
                raise TypeError(f"policy must be a ScoringPolicy, got {type(policy).__name__}")
            take_renamed(direct, "GameConfig", stacklevel=4)
            kwargs["policy"] = dataclasses.replace(policy, **direct)
        init(self, *args, **kwargs)

    return __init__


GameConfig.__init__ = _accept_policy_fields(GameConfig.__init__)


def association_iterations(config):
    """Iterations of the association fixed point that the tolerance can need.

    The fixed point contracts the error by ``lambda`` per step, and starts within twice
    the score range of the answer; it stops once a step changes no score by more than
    ``tol * max|s| * (1 - lambda)``. So ``k >= log(tol * (1 - lambda) / 4) / log(lambda)``
    steps always suffice (1,970 at ``lambda = 0.99`` and ``tol = 1e-6``); never fewer than
    :func:`scorelab.propagate`'s default 1,000. At ``lambda = 1`` (DeGroot) no bound
    exists; 100,000 steps are allowed.
    """
    if config.association_max_iter is not None:
        return config.association_max_iter
    lam = config.policy.alpha
    if lam >= 1:
        return 100_000
    if lam <= 0:
        return 1000
    needed = math.log(config.association_tol * (1.0 - lam) / 4.0) / math.log(lam)
    return max(1000, math.ceil(needed) + 10)


_RESULT_FORMAT = "scorelab.simulation/2"
# Format 1 (scorelab before issue 15) saved a wide history, its first row after the first
# step; format 2 saves the long history (step, measure, group, value) from step 0.
_OLD_FORMATS = ("scorelab.simulation/1",)
# Every file SimulationResult.save writes; saving again first removes them all, so that a
# folder never mixes two runs (an old panel.csv beside a new history).
_RESULT_FILES = ("metadata.json", "history.csv", "panel.csv", "start-citizens.parquet",
                 "start-ties.parquet", "final-citizens.parquet", "final-ties.parquet")


@dataclasses.dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    history : pandas.DataFrame
        Long and tidy: one row per measured step and value, columns ``step`` (int: 0 is
        the starting state, before any step; ``s >= 1`` the state at the end of the
        ``s``-th step), ``measure`` (str), ``group`` (str: ``"all"`` for the whole
        population, else the group's label) and ``value`` (float). Measured at step 0,
        every ``history_every`` steps and at the last step. The measures are
        :data:`scorelab.metrics.GAME_MEASURES` (plus
        :data:`scorelab.metrics.MECHANISM_MEASURES` with the mechanisms on) unless
        ``measures`` chose others; each is defined in the table below (also
        :func:`scorelab.metrics.history_table` and ``docs/history.md``). :meth:`wide`
        gives one column per measure and group.
    panel : pandas.DataFrame or None
        Per-citizen state at the recorded steps (columns ``step``, ``citizen``, ...).
        Its ``step`` is the engine's step index as ``record`` names it: ``step == k``
        is the state at the end of the ``(k + 1)``-th step, the history's step ``k + 1``.
    society : Society
        The final society (citizens with their final wealth, scores and participation; the
        rewired ties).
    config : GameConfig
    n_steps : int
    seed : object
        The ``rng`` argument as given.
    versions : dict
    start : Society or None
        The starting society, so that the run can be replayed (:meth:`replay`).
    replay_seed : dict or None
        The random state the run started from, whatever form ``rng`` took: the root
        ``SeedSequence`` (``entropy``, ``spawn_key``, ``pool_size``), or for a
        ``Generator`` the state of its bit generator.
    options : dict
        The other arguments of :func:`simulate` that shape the result (``record``,
        ``history_every``).

    Notes
    -----
    The history's measures (``groups``: ``all`` gives a row of group ``"all"``, ``group``
    one row per group; "weighted": tie weights enter):

__HISTORY_TABLE__
    """

    history: pd.DataFrame
    panel: pd.DataFrame | None
    society: Society
    config: GameConfig
    n_steps: int
    seed: object
    versions: dict
    start: Society | None = None
    replay_seed: dict | None = None
    options: dict = dataclasses.field(default_factory=dict)

    def wide(self):
        """The history as one row per measured step and one column per measure and group.

        Returns
        -------
        pandas.DataFrame
            Column ``step``, then the whole-population measures (named as the measure),
            then the per-group ones group by group, named ``<measure>_<group>``
            (:func:`scorelab.metrics.wide_history`): no brackets in any name.

        Examples
        --------
        >>> from scorelab.society import homophilous_sbm
        >>> result = simulate(homophilous_sbm(200, rng=1), n_steps=2, rng=3)
        >>> wide = result.wide()
        >>> wide["step"].tolist(), wide.loc[0, "ties_cut"]
        ([0, 1, 2], np.float64(0.0))
        >>> "access_credit_minority" in wide
        True
        """
        return metrics.wide_history(self.history)

    def metadata(self):
        """Parameters, replayable seed, versions and git commit as strict-JSON data."""
        return json_ready({"format": _RESULT_FORMAT, "config": self.config.to_dict(),
                           "n_steps": self.n_steps, "seed": self.replay_seed,
                           "options": self.options, "versions": self.versions,
                           "git": git_state()})

    def save(self, folder):
        """Write the run to ``folder``, from which :func:`load` reads it back and replays it.

        Files: ``history.csv``, ``panel.csv`` (if any), the starting and final societies
        (``start-*.parquet``, ``final-*.parquet``) and ``metadata.json`` (config, replayable
        seed, options, versions, git commit; strict JSON). The files of an earlier run in
        ``folder`` are removed first; each file is written to a temporary file and renamed,
        and ``metadata.json`` last, so a folder with it holds one whole run.
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"folder must be a directory, got the file {str(folder)!r}")
        metadata = self.metadata()  # checked before anything is removed
        folder.mkdir(parents=True, exist_ok=True)
        for name in _RESULT_FILES:
            (folder / name).unlink(missing_ok=True)
        write_atomically(folder / "history.csv",
                         lambda path: self.history.to_csv(path, index=False))
        if self.panel is not None:
            write_atomically(folder / "panel.csv",
                             lambda path: self.panel.to_csv(path, index=False))
        for prefix, society in (("start", self.start), ("final", self.society)):
            if society is None:
                continue
            write_atomically(folder / f"{prefix}-citizens.parquet", society.citizens.to_parquet)
            write_atomically(folder / f"{prefix}-ties.parquet", society.ties.to_parquet)
        write_json(folder / "metadata.json", metadata)
        return folder

    @classmethod
    def load(cls, folder):
        """Read a run saved by :meth:`save`; the same as :func:`scorelab.load`."""
        return load(folder)

    def replay(self, *, measures=None, progress=False):
        """Run the same game again from the saved start and seed: the same frames.

        Parameters
        ----------
        measures : optional
            Needed only where the run recorded custom measure functions, which cannot be
            saved: pass the same ones again (see :func:`scorelab.metrics.game_measures`).

        Raises
        ------
        ValueError
            The result holds no starting society or no replayable seed, or it recorded
            custom measures and ``measures`` is not given.
        """
        if self.start is None or self.replay_seed is None:
            raise ValueError("this result cannot be replayed: it holds no starting society "
                             "or no replayable seed (results from scorelab before 0.1)")
        options = dict(self.options)
        custom = options.pop("custom_measures", None)
        if custom is not None and measures is None:
            raise ValueError(f"this run recorded custom measures {custom}, whose functions "
                             f"cannot be saved: pass them again as replay(measures=...)")
        if measures is not None:
            options["measures"] = measures
        return simulate(self.start, self.config, n_steps=self.n_steps,
                        rng=_generator_from(self.replay_seed), progress=progress, **options)


def load(folder):
    """Read a run saved by :meth:`SimulationResult.save`.

    ``load(folder).replay()`` runs it again; its frames equal the saved ones.

    Raises
    ------
    FileNotFoundError
        ``folder`` holds no ``metadata.json``.
    ValueError
        A file is damaged or from another format; the message names it.

    Examples
    --------
    >>> import tempfile
    >>> from scorelab.society import homophilous_sbm
    >>> result = simulate(homophilous_sbm(200, rng=1), n_steps=2, rng=3)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = load(result.save(folder))
    >>> saved.replay().history.equals(result.history)
    True
    """
    folder = Path(folder)
    meta_path = folder / "metadata.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"no saved run in {str(folder)!r}: metadata.json is missing")
    try:
        meta = json.loads(meta_path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{str(meta_path)!r} is not valid JSON ({exc})") from None
    if isinstance(meta, dict) and meta.get("format") in _OLD_FORMATS:
        raise ValueError(
            f"{str(folder)!r} holds a run saved in the format {meta['format']!r}, whose "
            f"history is wide (bracketed per-group columns, no starting state); this "
            f"scorelab reads {_RESULT_FORMAT!r} (a long history from step 0). The engine "
            f"gives the same values: rerun it with simulate(start, "
            f"GameConfig.from_dict(metadata['config']), n_steps=..., rng=...) from its "
            f"start-*.parquet files and metadata.json, or load it with the scorelab that "
            f"saved it ({meta.get('versions', {}).get('scorelab', 'unknown version')})")
    if not isinstance(meta, dict) or meta.get("format") != _RESULT_FORMAT:
        raise ValueError(f"{str(meta_path)!r} is not a saved scorelab run of format "
                         f"{_RESULT_FORMAT!r}")

    def read(name, reader, required=True):
        path = folder / name
        if not path.is_file():
            if required:
                raise ValueError(f"the saved run in {str(folder)!r} lacks {name}")
            return None
        try:
            return reader(path)
        except Exception as exc:  # pandas and pyarrow raise several types
            raise ValueError(
                f"{str(path)!r} cannot be read ({type(exc).__name__}: {exc})") from None

    def society(prefix):
        citizens = read(f"{prefix}-citizens.parquet", pd.read_parquet, required=False)
        ties = read(f"{prefix}-ties.parquet", pd.read_parquet, required=False)
        return None if citizens is None or ties is None else Society(citizens=citizens, ties=ties)

    return SimulationResult(
        history=read("history.csv", _read_history),
        panel=read("panel.csv", pd.read_csv, required=False),
        society=society("final"),
        config=GameConfig.from_dict(meta["config"]),
        n_steps=meta["n_steps"],
        seed=meta["seed"],
        versions=meta.get("versions", {}),
        start=society("start"),
        replay_seed=meta["seed"],
        options={key: (list(value) if isinstance(value, list) else value)
                 for key, value in meta.get("options", {}).items()},
    )


def _read_history(path):
    """A saved long history, with its types (a group named "1" stays the string "1")."""
    history = pd.read_csv(path, dtype={"measure": "str", "group": "str"},
                          keep_default_na=False, na_values={"value": ["", "NaN", "nan"]})
    if list(history.columns) != list(metrics.HISTORY_COLUMNS):
        raise ValueError(f"columns {list(history.columns)}, expected "
                         f"{list(metrics.HISTORY_COLUMNS)}")
    return history.astype({"step": "int64", "value": "float64"})


def _seed_record(rng):
    """The generator a run draws from and a JSON record from which to rebuild it exactly."""
    if isinstance(rng, np.random.Generator | np.random.BitGenerator):
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        return generator, json_ready(generator)
    seed = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
    return np.random.default_rng(seed), json_ready(seed)


def _generator_from(record):
    """The generator recorded by :func:`_seed_record`, in the state it had then."""
    if "state" in record:
        bit_generator = getattr(np.random, record["bit_generator"])()
        bit_generator.state = record["state"]
        return np.random.Generator(bit_generator)
    return np.random.default_rng(np.random.SeedSequence(
        record["entropy"], spawn_key=tuple(record["spawn_key"]), pool_size=record["pool_size"]))


class _State:
    """The mutable whole-population state of one run (arrays, not DataFrames)."""

    def __init__(self, society, config, rng):
        citizens = society.citizens
        self.n = society.n_citizens
        self.config = config
        self.rng = rng
        self.streams = _Streams(self.n, rng)
        self.groups = citizens["group"]
        self.disposition = citizens["disposition"].to_numpy(dtype=float)
        self.responsiveness = citizens["responsiveness"].to_numpy(dtype=float)
        self.wealth = citizens["wealth"].to_numpy(dtype=float).copy()
        ties = society.ties
        # ties are sorted by (source, target): the upper entries of the CSR in order
        self.ties = DynamicTies(self.n, ties["source"].to_numpy(), ties["target"].to_numpy(),
                                ties["kind"].cat.codes.to_numpy(),
                                ties["weight"].to_numpy(dtype=float), new_kind=_FRIEND)
        self.participant = np.zeros(self.n, dtype=bool)
        self.approved = np.zeros((self.n, len(DOMAINS)))
        self.disapproved = np.zeros((self.n, len(DOMAINS)))
        self.expressed_rate = self.disposition.copy()
        self.own = np.full(self.n, np.nan)
        self.displayed = np.full(self.n, np.nan)
        # every gate, open to all unless it is at stake
        self.access = {g: np.ones(self.n, dtype=bool) for g in ALL_GATES}
        self.standard = (np.nan, np.nan)  # mean and spread of the reference's approval rate
        self.threshold = {g: self._per_citizen(config.thresholds[g], f"thresholds[{g!r}]")
                          for g in config.gates}
        labels = set(self.groups.cat.categories)
        unknown = set(config.mislabelled) - labels
        if unknown:
            raise ValueError(f"mislabelled names groups {sorted(unknown, key=str)} that the "
                             f"society does not have ({sorted(labels, key=str)})")
        self.mislabel = np.zeros((self.n, len(DOMAINS)))
        for group, shares in config.mislabelled.items():
            member = (self.groups == group).to_numpy()
            for domain, share in shares.items():
                self.mislabel[member, DOMAINS.index(domain)] = share
        self.ties_cut = 0
        self.ties_added = 0
        self._update_degree()
        self._init_mechanisms()

    def _init_mechanisms(self):
        """State of the derived mechanisms (all inert under the original rules)."""
        cfg, n = self.config, self.n
        self.group_code = self.groups.cat.codes.to_numpy()
        self.n_groups = len(self.groups.cat.categories)
        self.cut_counts = {kind: np.zeros((len(_KINDS), self.n_groups), dtype=np.int64)
                           for kind in ("strategic", "social")}
        self.incentive_shift = None  # per citizen, when derived from the stakes
        self.chance = None  # this step's approval chances (citizens x domains)
        self.hide_chance = None  # this step's chance of hiding a disapproved act
        self.actual_rate = self.disposition.copy()  # approval rate as done (selective)
        # private norms per domain drift only with internalisation > 0
        self.norm = None
        self.custom = None
        if cfg.internalisation > 0:
            self.norm = np.repeat(self.disposition[:, None], len(DOMAINS), axis=1)
            self.norm0 = self.norm.copy()
            if cfg.mislabelled:
                self.practises = self.mislabel.sum(axis=1) > 0
                self.custom = self.practises.astype(float)
        self.fear = np.zeros(n) if cfg.censorship_rule == "choice" else None
        self._stakes = [cfg.stakes[g] for g in cfg.gates]
        self._tie_values = np.array([cfg.tie_values[k] for k in _KINDS])

    def value_slope(self, rows=None):
        """``V'(x)`` per citizen at the current displayed score (0 where not scored).

        With ``rows`` (sorted citizen ids, repeats allowed), only those citizens' entries
        are computed; the others are 0.
        """
        cfg = self.config
        if rows is None:
            return _mech.value_slope(self.displayed, [self.threshold[g] for g in cfg.gates],
                                     self._stakes, cfg.softness)
        rows = rows[first_of_runs(rows)]
        slope = np.zeros(self.n)
        slope[rows] = _mech.value_slope(self.displayed[rows],
                                        [self.threshold[g][rows] for g in cfg.gates],
                                        self._stakes, cfg.softness)
        return slope

    def sees_actual(self):
        """Who sees one's ties' hidden acts (selective presentation): those who privately
        approve of disapproved acts, i.e. whose private approval is below one half."""
        if not self.config.selective:
            return None
        private = self.disposition if self.norm is None else self.norm.mean(axis=1)
        return private < 0.5

    def _per_citizen(self, value, name):
        """A gate threshold as one value per citizen (group-aware thresholds map groups)."""
        if not isinstance(value, Mapping):
            return np.full(self.n, value)
        missing = set(self.groups.cat.categories) - set(value)
        if missing:
            raise ValueError(f"{name} must give every group a threshold; missing "
                             f"{sorted(missing, key=str)}")
        return self.groups.map(value).to_numpy(dtype=float)

    # -- ties ---------------------------------------------------------------------------
    @property
    def matrix(self):
        return self.ties.matrix

    def _update_degree(self):
        self.degree = np.asarray(self.matrix.sum(axis=1)).ravel()

    def neighbour_mean(self, values):
        total = ParallelProduct(self.matrix)(values)
        return np.divide(total, self.degree, out=values.copy(), where=self.degree > 0)

    # -- the six stages -------------------------------------------------------------------
    def join(self, step):
        cfg = self.config
        if step >= cfg.mandatory_step:
            self.participant[:] = True
            return
        chance = cfg.join_rate * self.disposition ** cfg.selectivity
        self.participant |= self.rng.random(self.n) < chance

    def act(self):
        cfg = self.config
        incentive = cfg.incentive
        if cfg.incentive_rule == "stakes":
            incentive = self.derived_incentive()
        if cfg.selective:
            seen = _mech.seen_by(ParallelProduct(self.matrix), self.degree, self.expressed_rate,
                                 self.actual_rate, self.sees_actual())
        else:
            seen = self.neighbour_mean(self.expressed_rate)
        if self.norm is None:
            chance = approval_chance(
                self.disposition, self.responsiveness, self.participant, self.expressed_rate,
                seen, self.wealth, incentive=incentive, peer_pressure=cfg.peer_pressure,
            )
        else:
            shift = incentive * self.responsiveness * self.participant
            shift = shift + cfg.peer_pressure * (seen - self.expressed_rate)
            chance = np.clip(self.norm + shift[:, None], 0.0, 1.0)
            # what one is seen to approve: one's willingness, before what wealth allows
            self.willing = chance.copy()
            chance[:, DOMAINS.index("finance")] *= self.wealth / (self.wealth + WEALTH_HALF)
        self.chance = chance
        approved = np.empty(chance.shape)

        def draw(gen, a, b):
            approved[a:b] = gen.binomial(cfg.n_acts, chance[a:b])

        self.streams.run(draw)
        return approved, cfg.n_acts - approved

    def derived_incentive(self):
        """The compliance incentive from the stakes: ``incentive * 4 softness V'(x)``.

        ``4 softness V'(x) = sum_g stake_g 4 sigma_g (1 - sigma_g)``: each gate adds its
        stake times a bump that is 1 at its threshold and fades away from it, so a citizen
        at a threshold of stake 1 feels the constant rule's ``incentive``. Last step's
        displayed score is where one stands; before one's first score, the middle of the
        scale.
        """
        cfg = self.config
        policy = cfg.policy
        middle = 0.5 * (policy.score_min + policy.score_max)
        where = np.where(np.isnan(self.displayed), middle, self.displayed)
        slope = _mech.value_slope(where, [self.threshold[g] for g in cfg.gates],
                                  self._stakes, cfg.softness)
        self.incentive_shift = cfg.incentive * 4.0 * cfg.softness * slope
        return self.incentive_shift

    def hiding_chance(self):
        """Chance of hiding a disapproved act, per citizen (fixed rule) or per citizen and
        domain (chosen).

        ``"fixed"``: ``censorship * responsiveness * visibility * (0.5 + 0.5 public)``.
        ``"choice"``: ``sigma(rationality * (loss - authenticity))`` with the expected
        value lost by showing the act ``loss = (1 + fear) V'(x) * penalty_d *
        max(visibility - detection, 0)`` (:func:`scorelab._mechanisms.act_penalty`):
        shown, the act is recorded with probability ``visibility``; hidden, only if
        detected. Preference falsification as a choice (Kuran 1995) with fear of
        punishment (Daymude, Axelrod & Forrest 2025); checked in
        ``tests/test_dynamics_mechanisms.py`` (penalty against a finite difference of the
        score; no value at stake or detection as sure as visibility give the logit's
        baseline; hiding rises with the stakes).
        """
        cfg = self.config
        if cfg.censorship_rule == "fixed":
            public = 1.0 if cfg.public_scores else 0.0
            hide = cfg.censorship * self.responsiveness * cfg.visibility * (0.5 + 0.5 * public)
            return hide * self.participant
        if not self.participant.any() or np.isnan(self.displayed).all():
            return np.zeros((self.n, len(DOMAINS)))
        policy = cfg.policy
        weight = 1.0 - (policy.alpha if cfg.association else 0.0)
        penalty = _mech.act_penalty(self.approved, self.disapproved, policy, self.standard,
                                    np.full(self.n, weight))
        exposure = max(cfg.visibility - cfg.detection, 0.0)
        loss = ((1.0 + self.fear) * self.value_slope() * exposure)[:, None] * penalty
        hide = _mech.hide_chance(loss, cfg.authenticity, cfg.rationality)
        return hide * self.participant[:, None]

    def censor(self, disapproved):
        cfg = self.config
        hide = self.hiding_chance()
        self.hide_chance = hide
        if hide.ndim == 1:
            hide = hide[:, None]
        counts = disapproved.astype(np.int64)
        hidden, observed = np.empty(disapproved.shape), np.empty(disapproved.shape)

        def draw(gen, a, b):
            hid = gen.binomial(counts[a:b], hide[a:b])
            detected = gen.binomial(hid, cfg.detection)
            shown = counts[a:b] - hid
            if cfg.visibility < 1:
                # with low visibility the authority also misses unhidden acts
                shown = gen.binomial(shown, cfg.visibility)
            hidden[a:b] = hid
            observed[a:b] = shown + detected

        self.streams.run(draw)
        expressed = disapproved - hidden
        # what the public sees of each citizen: the peer pressure of the next step
        self.expressed_rate = 1.0 - expressed.sum(axis=1) / (cfg.n_acts * len(DOMAINS))
        if cfg.selective:
            self.actual_rate = 1.0 - disapproved.sum(axis=1) / (cfg.n_acts * len(DOMAINS))
        return expressed, observed, hidden

    def score(self, approved, observed_disapproved):
        cfg = self.config
        policy = cfg.policy
        if cfg.mislabelled:
            shares = self.mislabel if self.custom is None else self.mislabel * self.custom[:, None]
            approved, observed_disapproved = mislabel_acts(approved, observed_disapproved,
                                                           shares, self.rng)
        self.approved = decayed_counts(self.approved, approved, policy.memory)
        self.disapproved = decayed_counts(self.disapproved, observed_disapproved, policy.memory,
                                          appeal=cfg.appeal)
        rate = approval_rates(self.approved, self.disapproved, policy)
        if not self.participant.any():  # nobody has joined yet: no standard, no scores
            self.own = self.displayed = np.full(self.n, np.nan)
            return
        self.standard = reference_standard(rate, policy, self.participant,
                                           previous=self.standard, inertia=cfg.standard_inertia)
        own = np.where(self.participant, score_against(rate, policy, *self.standard), np.nan)
        previous_own, self.own = self.own, own
        if not cfg.association:
            self.displayed = own
            return
        lam = np.where(self.participant, policy.alpha, 0.0)
        ties = WeightMatrix(self.matrix, pd.RangeIndex(self.n, name="citizen"), symmetric=True,
                            degree=self.degree, loopless=True)
        if not self.participant.all():
            # only participants' scores are public, so only they associate
            masked = self.matrix.multiply(self.participant[None, :].astype(float)).tocsr()
            ties = WeightMatrix(masked, ties.nodes, symmetric=False)
        start = displayed_start(own, previous_own, self.displayed, lam)
        with trusted_input():  # arrays built here, checked once at simulate's entry
            displayed = propagate(ties, np.nan_to_num(own), alpha=lam, x0=np.nan_to_num(start),
                                  tol=cfg.association_tol, max_iter=association_iterations(cfg))
        self.displayed = np.where(self.participant, displayed.to_numpy(), np.nan)

    def gate(self):
        cfg = self.config
        if self.fear is not None:
            before = {gate: self.access[gate] for gate in cfg.gates}
        for gate in cfg.gates:
            # non-participants are not gated during the opt-in phase
            self.access[gate] = ~self.participant | (
                np.nan_to_num(self.displayed, nan=-np.inf) >= self.threshold[gate]
            )
        if self.fear is not None:
            self.lost_access = np.zeros(self.n, dtype=bool)
            for gate in cfg.gates:
                self.lost_access |= before[gate] & ~self.access[gate]
        shock = cfg.wealth_noise * self.rng.standard_normal(self.n)
        self.wealth = self.wealth * np.exp(wealth_growth(self.access, cfg) + shock)

    def rewire(self):
        """Strategic and social cuts, decided on the ties at the start of the step, and the
        cutters' new ties, applied in one edit of the tie matrix."""
        cfg = self.config
        self.ties_cut = self.ties_added = 0
        for counts in self.cut_counts.values():
            counts.fill(0)
        plans = []
        if cfg.strategic_rate > 0:
            plans.append(("strategic", self.strategic_cuts()))
        plans.append(("social", self.social_cuts()))
        plans = [(name, plan) for name, plan in plans if plan is not None]
        if not plans:
            return
        if len(plans) == 1:
            name, (u, v, position, slots, kinds, cutters, fresh_source, fresh_target) = plans[0]
        else:
            u, v, position, slots, kinds, cutters, fresh_source, fresh_target, name = \
                self._merge_plans(plans)
        self.ties.edit(u, v, position, fresh_source, fresh_target, TIE_KINDS["friend"].weight,
                       cut_slots=slots)
        self._update_degree()
        self.ties_cut += len(u)
        self.ties_added += len(fresh_source)
        if isinstance(name, str):
            self._count_cuts(name, kinds, cutters)
        else:
            for code, label in enumerate(self.cut_counts):
                mine = name == code
                self._count_cuts(label, kinds[mine], cutters[mine])

    def _count_cuts(self, label, kinds, cutters):
        """Add the cuts to ``cut_counts[label]`` (tie kind x cutter's group)."""
        counts = self.cut_counts[label]
        counts += np.bincount(kinds.astype(np.int64) * self.n_groups + self.group_code[cutters],
                              minlength=counts.size).reshape(counts.shape)

    def _merge_plans(self, plans):
        """One list of cuts (a tie both mechanisms chose is cut once, as a strategic cut)
        and one list of distinct new pairs; each cut is labelled by its mechanism's place
        in ``cut_counts``."""
        codes = {label: code for code, label in enumerate(self.cut_counts)}
        labels = np.concatenate([np.full(len(plan[0]), codes[name], dtype=np.int8)
                                 for name, plan in plans])
        u, v, position, slots, kinds, cutters = (
            np.concatenate([plan[k] for _, plan in plans]) for k in range(6))
        keys = u * self.n + v
        order = np.argsort(keys, kind="stable")
        keep = np.sort(order[first_of_runs(keys[order])])
        fresh = np.concatenate([plan[6] * self.n + plan[7] for _, plan in plans])
        fresh = np.sort(fresh)
        fresh = fresh[first_of_runs(fresh)]  # np.unique, without its slow hash path
        fresh_source, fresh_target = np.divmod(fresh, self.n)
        return (u[keep], v[keep], position[keep], slots[keep], kinds[keep], cutters[keep],
                fresh_source, fresh_target, labels[keep])

    def social_cuts(self):
        """Ostracism: the ties cut by the higher scorer (``cut_chance``) and the cutters'
        new ties, or None; nothing is edited here."""
        cfg = self.config
        n_ties = self.ties.n_ties
        if cfg.ostracism == 0 or not cfg.public_scores or not n_ties:
            return None
        x = self.displayed
        # A tie is cut with probability chance <= bound = ostracism * (1 - cheapest cut
        # cost). Drawing u ~ U(0, 1) per tie and cutting when u < chance is the same as
        # taking each tie as a candidate with probability bound (u < bound), and then
        # cutting when u < chance, u being uniform on [0, bound) given that. Candidates are
        # drawn by geometric gaps, so only ~bound * ties numbers are drawn, not one per tie.
        bound = cfg.ostracism * (1 - _CUT_COST.min())
        candidates = bernoulli_positions(n_ties, bound, self.rng)
        draw = bound * self.rng.random(len(candidates))
        source, target, position = self.ties.locate(candidates)
        xs, xt = x[source], x[target]
        gap = np.abs(np.nan_to_num(xs - xt))
        kinds, slots = self.ties.kinds(source, target, slots=True)
        chance = cut_chance(gap, _CUT_COST[kinds], cfg)
        hit = ~np.isnan(xs) & ~np.isnan(xt) & (draw < chance)
        if not hit.any():
            return None
        # the higher scorer cuts, and looks for a new tie among the ties as they stood at
        # the start of the step (a just-cut pair is not formed again)
        seekers = np.where(xs[hit] >= xt[hit], source[hit], target[hit])
        fresh_source, fresh_target = self._new_ties(seekers)
        return (source[hit], target[hit], position[hit], slots[hit], kinds[hit], seekers,
                fresh_source, fresh_target)

    def strategic_cuts(self):
        """Strategic unfriending: each tie end is reconsidered with chance ``strategic_rate``
        and cut with the logit chance ``sigma(rationality (V'(x_i) dx_ij - v_kind))``, at
        most ``max_cuts`` per citizen (:func:`scorelab._mechanisms.strategic_plan`); the
        cutter seeks a new tie as after an ostracism cut. Returns the cuts and new ties (as
        :meth:`social_cuts`), or None.

        ``dx_ij`` is the first-order effect of :func:`scorelab.tie_effects`; the motive is
        exactly 0 without association (no effect) or with private scores (no one knows it),
        and then only the baseline churn ``sigma(-rationality v_kind)`` remains. The choice
        is a binary logit (McFadden 1974) of the score-motivated tie decisions of Wei et
        al. (2016). Checked in ``tests/test_dynamics_mechanisms.py`` against a per-citizen
        reference with the same draws, the game's effects against
        ``tie_effects(method="first_order")``, and both counterfactuals (motive exactly 0).

        References: D. McFadden (1974), "Conditional logit analysis of qualitative choice
        behavior", in Frontiers in Econometrics, 105-142; Wei et al. (2016), module
        references.
        """
        cfg = self.config
        matrix = self.matrix
        if matrix.nnz == 0:
            return None
        candidates = bernoulli_positions(matrix.nnz, cfg.strategic_rate, self.rng)
        draws = self.rng.random(len(candidates))
        known = cfg.public_scores and cfg.association and self.participant.any()
        bound = rows = None
        if known:
            effect_of = self._tie_effect_kernel()
            bound = effect_of.bound
            # V' only where a tie end is reconsidered (the same numbers, for fewer citizens)
            rows = np.searchsorted(matrix.indptr, candidates, side="right") - 1
            slope = self.value_slope(rows)
        else:
            slope = np.zeros(self.n)

            def effect_of(rows, cols, weights):
                return np.zeros(len(rows))
        rows, cols, kinds, _ = _mech.strategic_plan(
            matrix, candidates, effect_of, slope, self.ties.kinds, self._tie_values,
            rationality=cfg.rationality, cap=cfg.max_cuts, draws=draws, effect_bound=bound,
            rows=rows)
        if not len(rows):
            return None
        u, v = np.minimum(rows, cols), np.maximum(rows, cols)
        keys = u * self.n + v
        order = np.argsort(keys, kind="stable")
        keep = order[first_of_runs(keys[order])]  # a tie both ends chose is cut once
        u, v, kinds, cutters = u[keep], v[keep], kinds[keep], rows[keep]
        position = _mech.upper_positions(matrix, self.ties.lower, u, v)
        _, slots = self.ties.kinds(u, v, slots=True)
        fresh_source, fresh_target = self._new_ties(cutters)
        return u, v, position, slots, kinds, cutters, fresh_source, fresh_target

    def _tie_effect_kernel(self):
        """``effect_of(rows, cols, weights)``: first-order change of each citizen's displayed
        score if the tie were removed, from :mod:`scorelab.unfriending`' kernel on the
        game's association system (ties to non-participants, whose scores are not
        public, have no effect)."""
        cfg = self.config
        lam = np.where(self.participant, cfg.policy.alpha, 0.0)
        nodes = pd.RangeIndex(self.n, name="citizen")
        if self.participant.all():
            wm = WeightMatrix(self.matrix, nodes, symmetric=True, degree=self.degree,
                              loopless=True)
        else:
            masked = self.matrix.multiply(self.participant[None, :].astype(float)).tocsr()
            wm = WeightMatrix(masked, nodes, symmetric=False)
        with trusted_input():
            system = _build_system(wm, lam, None)
        s, x = np.nan_to_num(self.own), np.nan_to_num(self.displayed)
        alone = np.where(system.lam > 0, s - x, 0.0)
        public = self.participant
        local = "local" in inspect.signature(_first_order_effects).parameters

        def effect_of(rows, cols, weights):
            # W x and the local resolvent diagonal of only the citizens asked about (rows
            # of the matrix, each summed in the same order as a whole product: the same
            # numbers); the other entries stay 0 and are not read
            mean, diagonal = _row_means(system, x, rows)
            extra = (system.lam * diagonal, alone) if local else diagonal
            ties = _Ties(rows, cols, weights * public[cols], True)
            return _first_order_effects(system, ties, s, x, mean, extra, slice(None))

        # |effect| = lambda_i G_ii (a / left) |mean_i - x_j| with G_ii <= 1 / (1 - lambda_i
        # lambda_max) (the echo sum_k W_ik lambda_k W_ki is at most lambda_max) and
        # |mean_i - x_j| at most the range of x; |s_i - x_i| where the tie is the last
        lam_max = float(system.lam.max(initial=0.0))
        if lam_max < 1:
            spread = float(x.max() - x.min()) * (1.0 + 1e-6) + 1e-9
            gain = system.lam / (1.0 - system.lam * lam_max) * (1.0 + 1e-6)
            degree = system.degree

            def bound(rows, cols, weights):
                a = weights * public[cols]
                left = degree[rows] - a
                ratio = np.divide(a, left, out=np.zeros_like(a), where=left > 0)
                return np.where(left > 0, gain[rows] * ratio * spread, np.abs(alone[rows]))

            effect_of.bound = bound
        else:  # at lambda = 1 the factor has no finite bound: every effect is computed
            effect_of.bound = None
        return effect_of

    def drift(self):
        """Norm drift and fear, after the step's acts, scores and ties (both inert under
        the original rules).

        Private approval per domain moves as :func:`scorelab._mechanisms.norm_update`
        (Friedkin & Johnsen 1999 with an authority; DeGroot 1974 without scoring), towards
        the tie-weighted mean of what ties are seen to approve,
        ``1 - (1 - willingness)(1 - hide)``. Customary acts of ``mislabelled`` groups drift
        the same way among those who practise them, towards the authority's 0. Fear moves
        as ``(1 - fear_rate) fear + fear_rate * (share of one's ties that lost a gate)``:
        seeing ties punished raises the expected cost of being seen (Daymude, Axelrod &
        Forrest 2025). Checked against a per-citizen reference, the DeGroot matrix power
        and the Friedkin-Johnsen equilibrium of :func:`scorelab.propagate` in
        ``tests/test_dynamics_mechanisms.py``.

        References: M. H. DeGroot (1974), "Reaching a consensus", JASA 69(345):118-121;
        J. J. Daymude, R. Axelrod and S. Forrest (2025), "Strategic analysis of dissent
        and self-censorship", PNAS; arXiv:2509.03731.
        """
        cfg = self.config
        if self.fear is not None and cfg.public_scores:
            # fear: the tie-weighted share of one's ties seen losing a privilege this step
            seen = self.neighbour_mean(self.lost_access.astype(float))
            seen[self.degree == 0] = 0.0
            self.fear = (1 - cfg.fear_rate) * self.fear + cfg.fear_rate * seen
        if self.norm is None:
            return
        hide = self.hide_chance if self.hide_chance.ndim == 2 else self.hide_chance[:, None]
        # what each citizen is seen to approve: the approved acts and the hidden ones, at
        # the chance one is willing to act (a poor citizen's approval of finance acts is
        # seen, not the acts poverty prevents)
        shown = 1.0 - (1.0 - self.willing) * (1.0 - hide)
        product = ParallelProduct(self.matrix)
        seen = _mech.seen_by(product, self.degree, shown, self.willing, self.sees_actual())
        authority, pull = self._authority()
        self.norm = _mech.norm_update(self.norm, seen, self.norm0, authority, self.participant,
                                      rate=cfg.internalisation, pull=pull,
                                      anchor=cfg.norm_anchor)
        if self.custom is not None:
            # customary acts are seen among those who practise them; the authority
            # disapproves of them (standard 0)
            practising = self.practises.astype(float)
            among = product(practising)
            seen_custom = np.divide(product(self.custom * practising), among,
                                    out=self.custom.copy(), where=among > 0)
            self.custom = _mech.norm_update(
                self.custom, seen_custom, practising, 0.0, self.participant & self.practises,
                rate=cfg.internalisation, pull=cfg.authority_pull, anchor=cfg.norm_anchor)

    def _authority(self):
        """The authority's standard of approval and its pull (0 before any standard)."""
        cfg = self.config
        if cfg.policy.standard == "absolute":
            return 1.0, cfg.authority_pull
        mean = self.standard[0]
        if np.isnan(mean) or not self.participant.any():
            return 0.0, 0.0
        return float(mean), cfg.authority_pull

    def _new_ties(self, seekers):
        """The distinct new pairs ``(source < target)`` the seekers form, absent before."""
        targets = self._new_partners(seekers)
        u, v = np.minimum(seekers, targets), np.maximum(seekers, targets)
        fresh = np.sort((u * self.n + v)[u != v])
        fresh = fresh[first_of_runs(fresh)]
        fresh_source, fresh_target = np.divmod(fresh, self.n)
        absent = ~self.ties.contains(fresh_source, fresh_target)
        return fresh_source[absent], fresh_target[absent]

    def _new_partners(self, seekers):
        """A friend of a friend (``triadic_share``) or a random higher scorer, per seeker."""
        rng = self.rng
        m = len(seekers)
        targets = np.empty(m, dtype=np.int64)
        indptr, indices = self.matrix.indptr, self.matrix.indices
        triadic = rng.random(m) < self.config.triadic_share
        # friend of a friend: a random tie of a random tie (falls back below if none)
        friend = _random_neighbour(indptr, indices, seekers, rng)
        second = _random_neighbour(indptr, indices, np.where(friend >= 0, friend, seekers), rng)
        closes = triadic & (friend >= 0) & (second >= 0)
        targets[closes] = second[closes]
        # otherwise a random citizen ranked above the seeker by displayed score
        others = ~closes
        score = np.nan_to_num(self.displayed, nan=-np.inf)
        targets[others] = random_above(score, seekers[others], rng)
        return targets


def _row_means(system, x, rows):
    """``(W x)_i`` and the local resolvent diagonal ``1 / (1 - lambda_i echo_i)`` of the
    citizens ``rows`` (repeats allowed), in arrays of every citizen that hold 0 elsewhere.

    Each entry is the sum a whole product gives (:meth:`association._System.mean_of_ties`,
    :func:`_echo_diagonal`), over the same row in the same order, so the numbers are the
    same bit for bit; only the rows asked about are summed (strategic unfriending asks
    about the few tie ends whose draw its bound cannot rule out). The masked ties of the
    opt-in phase (not symmetric) take the whole-matrix echo.
    """
    n = system.n
    order = rows if np.all(rows[1:] >= rows[:-1]) else np.sort(rows)
    rows = order[first_of_runs(order)]
    matrix = system.wm.matrix
    part = matrix[rows]
    mean, diagonal = np.zeros(n), np.zeros(n)
    degree = system.degree[rows]
    ax = part @ x
    mean[rows] = np.divide(ax, degree, out=np.zeros_like(ax), where=degree > 0)
    if system.wm.symmetric:
        lam, safe_all = system.lam, np.where(system.degree > 0, system.degree, 1.0)
        squared = sp.csr_array((part.data * part.data, part.indices, part.indptr),
                               shape=part.shape, copy=False)
        echo = (squared @ (lam / safe_all)) / safe_all[rows]
        diagonal[rows] = 1.0 / (1.0 - lam[rows] * echo)
    else:
        diagonal[rows] = _echo_diagonal(system)[rows]
    return mean, diagonal


def _echo_diagonal(system):
    """The local resolvent diagonal of :func:`scorelab.tie_effects`' first-order method,
    ``1 / (1 - lambda_i sum_k W_ik lambda_k W_ki)``, by one sparse product.

    For the game's loop-free ties ``W_ik W_ki = A_ik A_ki / (d_i d_k)``, so the sum is
    ``((A o A^T) (lambda / d))_i / d_i`` (``A o A^T = A o A`` when symmetric): the same
    numbers as ``unfriending._local_diagonal`` without a pass per tie end in Python
    temporaries (checked equal in ``tests/test_dynamics_mechanisms.py``); :func:`_row_means`
    computes the rows it needs the same way.
    """
    matrix, lam, degree = system.wm.matrix, system.lam, system.degree
    safe = np.where(degree > 0, degree, 1.0)
    if system.wm.symmetric:
        both = sp.csr_array((np.multiply(matrix.data, matrix.data), matrix.indices,
                             matrix.indptr), shape=matrix.shape, copy=False)
    else:
        both = sp.csr_array(matrix.multiply(matrix.T))
    echo = ParallelProduct(both)(lam / safe) / safe
    return 1.0 / (1.0 - lam * echo)


# -- observation: what the engine's arrays say, read without changing them ----------------


class _Groups:
    """The society's groups as codes, labels and membership masks (fixed for a run)."""

    def __init__(self, groups):
        self.codes = groups.cat.codes.to_numpy()
        self.labels = pd.Index(groups.cat.categories)
        self.members = tuple(self.codes == k for k in range(len(self.labels)))


def _game_state(state, groups, step, approved, private, expressed, *, acted=True):
    """The step as a :class:`scorelab.metrics.GameState`: the engine's arrays, not copies."""
    cfg = state.config
    incentive = state.incentive_shift
    if incentive is None or cfg.incentive_rule == "constant":
        incentive = np.full(state.n, cfg.incentive)
    customary = None
    if state.custom is not None:
        customary = np.where(state.practises, state.custom, np.nan)
    elif cfg.mislabelled:  # fixed norms: every customary act is still done
        customary = np.where(state.mislabel.sum(axis=1) > 0, 1.0, np.nan)
    extra = dict(
        private_approval=state.disposition if state.norm is None else state.norm,
        customary=customary, incentive=incentive * state.participant,
        cut_counts=state.cut_counts, kinds=tuple(_KINDS), sees_actual=state.sees_actual(),
        tie_kind_counts=lambda: state.ties.kind_counts(state.group_code, state.n_groups,
                                                       len(_KINDS)),
        tie_crossing_ends=lambda: state.ties.crossing_ends(state.group_code, state.n_groups),
        tie_components=state.ties.component_sizes,
        whole_weights=state.ties.whole_weights,
        fear=state.fear,
    )
    return metrics.GameState(
        step=step, n_acts=state.config.n_acts, participant=state.participant, own=state.own,
        displayed=state.displayed, wealth=state.wealth, standard=state.standard,
        matrix=state.matrix, degree=state.degree, ties_cut=state.ties_cut,
        ties_added=state.ties_added, access=state.access, group_codes=groups.codes,
        group_labels=groups.labels, group_members=groups.members, approved=approved,
        private=private, expressed=expressed, acted=acted, **extra,
    )


def _panel_rows(state, step):
    """Every citizen's state at ``step``, one row each."""
    return pd.DataFrame({
        "step": step,
        "citizen": np.arange(state.n),
        "group": state.groups.to_numpy(),
        "participant": state.participant.copy(),
        "own": state.own,
        "displayed": state.displayed,
        "wealth": state.wealth.copy(),
        "degree": state.degree.copy(),
        "expressed_approval": state.expressed_rate.copy(),
    })


def _final_society(state):
    """The run's end as a Society: citizens with their final state, the rewired ties."""
    citizens = state.groups.to_frame().join(
        pd.DataFrame({"disposition": state.disposition, "responsiveness": state.responsiveness,
                      "wealth": state.wealth, "participant": state.participant,
                      "own_score": state.own, "displayed_score": state.displayed},
                     index=state.groups.index))
    source, target, kinds, weights = state.ties.tie_list()
    ties = pd.DataFrame({
        "source": source.astype(np.int32),
        "target": target.astype(np.int32),
        "kind": pd.Categorical.from_codes(kinds, categories=_KINDS),
        "weight": weights,
    })
    return Society(citizens=citizens, ties=ties, validate=False)


def approval_chance(disposition, responsiveness, participant, expressed, neighbours_expressed,
                    wealth, *, incentive, peer_pressure):
    """Chance of an approved act per citizen and domain (columns in DOMAINS order).

    ``clip(d + incentive * r * joined + peer_pressure * (m - e), 0, 1)``, with ``m`` the
    mean expressed approval of one's ties and ``e`` one's own, times
    ``wealth / (wealth + 0.5)`` in finance (poverty makes approved financial acts harder).
    """
    p = disposition + incentive * responsiveness * participant
    p = np.clip(p + peer_pressure * (neighbours_expressed - expressed), 0.0, 1.0)
    return domain_chances(p, wealth)


def cut_chance(gap, cut_cost, config):
    """``ostracism * (1 - cut_cost) * (1 - exp(-gap / gap_scale))`` per tie."""
    return config.ostracism * (1 - cut_cost) * -np.expm1(-gap / config.gap_scale)


def wealth_growth(access, config):
    """Log-wealth change from the gates (before the random shock).

    ``credit_return [credit] + travel_return [travel] - utilities_loss [no utilities]``,
    plus ``shop_return [shop]`` and ``- food_loss [no food]`` when those are at stake. A
    gate not at stake is open to all. Food is subsistence: without it wealth falls, and
    with it the approved finance acts wealth allows (:func:`approval_chance`).
    """
    growth = (
        config.credit_return * access["credit"]
        + config.travel_return * access["travel"]
        - config.utilities_loss * ~access["utilities"]
    )
    if "shop" in config.gates:
        growth = growth + config.shop_return * access["shop"]
    if "food" in config.gates:
        growth = growth - config.food_loss * ~access["food"]
    return growth


def bernoulli_positions(n, p, rng):
    """Sorted positions ``i < n`` each taken independently with probability ``p``.

    The gaps between taken positions are geometric with parameter ``p``, so the draw
    costs ~``n * p`` numbers instead of ``n`` uniforms (checked against the binomial
    count and the per-position rate in ``tests/test_dynamics.py``).
    """
    if p <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    if p < 1e-12:
        # gaps of ~1/p would overflow int64 when summed: draw the count, then the places
        count = int(rng.binomial(n, p))
        return np.sort(rng.choice(n, size=count, replace=False)).astype(np.int64)
    expected = n * p
    taken = []
    start = -1  # the last taken position so far
    while True:
        size = int(expected + 6 * np.sqrt(expected) + 16)
        positions = start + np.cumsum(rng.geometric(p, size=size))
        if positions[-1] >= n:
            taken.append(positions[: np.searchsorted(positions, n)])
            return np.concatenate(taken)
        taken.append(positions)
        start = int(positions[-1])
        expected = (n - start) * p


class _Streams:
    """Independent random streams for fixed blocks of citizens, drawn in threads.

    Block ``k`` holds citizens ``k * BLOCK .. (k + 1) * BLOCK - 1`` and draws from the
    ``k``-th child of a seed sequence whose entropy comes from the run's generator, so a
    run's numbers depend on the seed alone, not on how many threads drew them. (Spawning
    from the run's own seed sequence would mutate a SeedSequence passed in as ``rng``,
    and replaying it would then give another run.) NumPy's generators release the GIL
    while filling arrays: on two cores the per-citizen draws take half the time.
    """

    BLOCK = 1 << 14

    def __init__(self, n, rng):
        starts = range(0, n, self.BLOCK)
        self.blocks = [(a, min(a + self.BLOCK, n)) for a in starts]
        root = np.random.SeedSequence(rng.integers(2**63, size=4).tolist())
        self.generators = [np.random.default_rng(child) for child in root.spawn(len(self.blocks))]

    def run(self, draw):
        """Call ``draw(generator, start, stop)`` for every block (in threads if several)."""
        tasks = [(g, a, b) for g, (a, b) in zip(self.generators, self.blocks)]
        if len(tasks) == 1:
            draw(*tasks[0])
            return
        for _ in thread_pool().map(lambda task: draw(*task), tasks):
            pass


def random_above(score, seekers, rng):
    """A uniformly random citizen ranked above each seeker.

    Citizens are ranked by ``(score, citizen id)``; a seeker among the top
    ``k = max(1, n // 10)`` draws from the top ``k``, itself included. This is
    ``order[low + floor(u * (n - low))]`` with ``order`` the stable argsort and
    ``low = min(rank + 1, n - k)``, drawn without sorting: a uniform citizen is kept if it
    qualifies, else redrawn. At least ``k`` citizens qualify, so a seeker needs at most
    ``n / k`` draws on average (about 10 from ``n = 20`` on; up to ``n`` in societies
    of 11-19). Checked against the sorted construction in ``tests/test_dynamics.py``.
    """
    score = np.asarray(score, dtype=float)
    seekers = np.asarray(seekers, dtype=np.int64)
    n = len(score)
    k = max(1, n // 10)
    # the top k by (score, id): above `value`, or at it with an id >= first_id
    value = np.partition(score, n - k)[n - k]
    tied = np.flatnonzero(score == value)
    first_id = tied[len(tied) - (k - int((score > value).sum()))]

    def in_top(c):
        return (score[c] > value) | ((score[c] == value) & (c >= first_id))

    top_seeker = in_top(seekers)
    targets = np.empty(len(seekers), dtype=np.int64)
    pending = np.arange(len(seekers))
    while len(pending):
        c = rng.integers(n, size=len(pending))
        s = seekers[pending]
        above = (score[c] > score[s]) | ((score[c] == score[s]) & (c > s))
        keep = np.where(top_seeker[pending], in_top(c), above)
        targets[pending[keep]] = c[keep]
        pending = pending[~keep]
    return targets


def _random_neighbour(indptr, indices, who, rng):
    """A uniformly random neighbour of each citizen in ``who`` (-1 where none)."""
    start, degree = indptr[who], indptr[who + 1] - indptr[who]
    pick = start + (rng.random(len(who)) * degree).astype(np.int64)
    return np.where(degree > 0, indices[np.minimum(pick, len(indices) - 1)], -1)


def simulate(society, config=None, *, n_steps, rng=None, record=(), history_every=1,
             measures=None, progress=False):
    """Run the citizen game on ``society`` for ``n_steps`` steps.

    Parameters
    ----------
    society : Society
        The starting citizens and ties (not modified).
    config : GameConfig, optional
        Default ``GameConfig()``.
    n_steps : int
        Steps to run (>= 1).
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness (SPEC 7): the same seed gives identical frames. Whatever its
        form, the result records the state it started from (``result.replay_seed``), so
        a saved run replays exactly (:func:`load`).
    record : sequence of int or "all", default ()
        Steps at which to keep every citizen's state in ``result.panel``.
    history_every : int, default 1
        Measure the society (the ``history`` rows of a step) at step 0 (the starting
        state), after every ``history_every``-th step (steps ``history_every``,
        ``2 * history_every``, ...) and after the last step; measuring draws no random
        numbers, so the run itself is the same for any value.
    measures : None, sequence or mapping, default None
        What the history records (see :func:`scorelab.metrics.game_measures`): None for
        :data:`scorelab.metrics.GAME_MEASURES`; names of those measures
        (``["gini_displayed", "access_credit[group]"]``), :class:`scorelab.metrics.Measure`
        objects, or a mapping of column name to ``function(state)`` of a
        :class:`scorelab.metrics.GameState` (Mesa's ``model_reporters``). The history's
        ``measure`` holds their names (a key such as ``access_credit[group]`` chooses the
        per-group measure ``access_credit``).
    progress : bool, default False
        Show a progress bar (tqdm).

    Returns
    -------
    SimulationResult

    Raises
    ------
    TypeError, ValueError
        A society that is not a Society or is empty, a config that is not a GameConfig,
        ``n_steps < 1``, recorded steps outside ``0..n_steps-1``, an ``rng`` NumPy cannot
        seed from, thresholds naming a group the society lacks, a group named ``"all"``
        (the history's group of the whole population) or whose history columns would
        clash (:func:`scorelab.metrics.history_layout`).
    scorelab.ConvergenceError
        The association solve did not converge (only with ``association_max_iter`` set
        too low, or an association weight of 1 on a periodic graph).

    Notes
    -----
    The stages and their formulas are listed in the module docstring. The building blocks
    are validated separately: association against the closed form
    (``tests/test_association.py``), scoring against hand-worked records
    (``tests/test_scoring.py``), and each stage against a slow per-citizen reference
    implementation of the same step (``tests/test_dynamics.py``).

    Examples
    --------
    >>> from scorelab.society import homophilous_sbm
    >>> society = homophilous_sbm(300, rng=1)
    >>> result = simulate(society, GameConfig(), n_steps=3, rng=1)
    >>> result.history.columns.tolist()
    ['step', 'measure', 'group', 'value']
    >>> result.history["step"].unique().tolist()
    [0, 1, 2, 3]
    >>> result.wide().loc[:, ["step", "ties_cut", "mean_displayed_minority"]].shape
    (4, 3)
    """
    if not isinstance(society, Society):
        raise TypeError(f"society must be a scorelab Society, got {type(society).__name__}")
    if society.n_citizens < 2:
        raise ValueError(f"society must have at least 2 citizens, got {society.n_citizens}")
    config = GameConfig() if config is None else config
    if not isinstance(config, GameConfig):
        raise TypeError(f"config must be a GameConfig, got {type(config).__name__}")
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    steps_to_record = range(n_steps) if isinstance(record, str) and record == "all" else record
    if isinstance(steps_to_record, str) or not hasattr(steps_to_record, "__iter__"):
        raise TypeError(f"record must be a sequence of steps or 'all', got {record!r} "
                        f"({type(record).__name__}); for one step write record=[{record!r}]")
    steps_to_record = sorted({check_integer("record step", s, minimum=0, maximum=n_steps - 1)
                              for s in steps_to_record})
    history_every = check_integer("history_every", history_every, minimum=1)
    default_measures = measures is None
    measures = metrics.game_measures(measures)
    if default_measures and config.mechanisms_on:
        measures = measures + metrics.MECHANISM_MEASURES
    _check_groups_named(config, society)
    seed = rng
    generator, replay_seed = _seed_record(check_rng(rng))
    state = _State(society, config, generator)
    groups = _Groups(state.groups)
    layout = metrics.history_layout(measures, groups.labels)
    # the history's values are collected as plain lists and framed once, at the end
    nothing = np.full((state.n, len(DOMAINS)), np.nan)
    start = _game_state(state, groups, 0, nothing, nothing, nothing, acted=False)
    measured, values, panel = [0], [metrics.measure_values(start, measures)], []
    for step in tqdm(range(n_steps), disable=not progress, desc="citizen game", unit="step"):
        state.join(step)
        approved, disapproved = state.act()
        expressed, observed, _ = state.censor(disapproved)
        try:
            state.score(approved, observed)
        except ConvergenceError as exc:
            raise ConvergenceError(
                f"the association solve did not converge at step {step} within "
                f"{association_iterations(config)} iterations; raise "
                f"GameConfig(association_max_iter=...) or association_tol, or lower the "
                f"policy's alpha below 1"
            ) from exc
        state.gate()
        state.rewire()
        state.drift()
        done = step + 1  # the history's step: steps played so far
        if done % history_every == 0 or done == n_steps:
            view = _game_state(state, groups, done, approved, disapproved, expressed)
            measured.append(done)
            values.append(metrics.measure_values(view, measures))
        if step in steps_to_record:
            panel.append(_panel_rows(state, step))
    return SimulationResult(
        history=metrics.long_history(measured, values, layout),
        panel=pd.concat(panel, ignore_index=True) if panel else None,
        society=_final_society(state),
        config=config,
        n_steps=n_steps,
        seed=seed,
        versions=versions(),
        start=society,
        replay_seed=replay_seed,
        options={"record": steps_to_record, "history_every": history_every,
                 **({} if default_measures else _measures_record(measures))},
    )


def _measures_record(measures):
    """How a run's measures are saved: nothing for the default set, their keys where every
    one is a default measure, else their names (a custom function cannot be saved)."""
    if measures == metrics.GAME_MEASURES:
        return {}
    if all(m in metrics.GAME_MEASURES + metrics.MECHANISM_MEASURES for m in measures):
        return {"measures": [m.key for m in measures]}
    return {"custom_measures": [m.key for m in measures]}


def _check_groups_named(config, society):
    """Group-aware thresholds and mislabelled shares may name only the society's groups."""
    groups = set(society.groups.cat.categories)
    for gate, value in config.thresholds.items():
        if isinstance(value, Mapping):
            unknown = [g for g in value if g not in groups]
            if unknown:
                raise ValueError(
                    f"config.thresholds[{gate!r}] names group(s) {unknown} that the society "
                    f"does not have; its groups are {sorted(groups, key=str)} (misspelled?)"
                )


if SimulationResult.__doc__:  # (absent under python -OO)
    SimulationResult.__doc__ = SimulationResult.__doc__.replace(
        "__HISTORY_TABLE__", metrics._history_table_rst())
