"""Own scores: acts in four domains, the authority's scoring policy and the running record.

A citizen's *own score* is built from the acts the authority observes, each approved or
disapproved, in the domains of :data:`DOMAINS`. The pipeline is

1. :func:`draw_acts` — sample one period of acts for the whole population (an
   :class:`ActRecord` of approved and disapproved counts, citizens x domains);
2. :meth:`ActRecord.decayed` — fold the new acts into the running record, old acts fading
   with the policy's ``memory``;
3. :func:`own_score` — turn the record into a score on the policy's scale, measured against
   the *standard* (an absolute one, or one set by the reference population);
4. :func:`running_scores` — steps 2 and 3 over a sequence of periods.

The scoring rule is the Beta reputation system of Jøsang & Ismail (2002): smoothed approval
rates with a forgetting factor, here mapped onto a Sesame-like 350–950 scale. It is a
stylised model for studying such systems, not a description of any real programme.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

from scorelab._graph import align_to_nodes
from scorelab._numeric import dot
from scorelab.defaults import ALPHA
from scorelab._validation import (
    check_finite_array,
    check_integer,
    check_probability,
    check_real,
    check_rng,
    plain,
    check_unit_interval_array,
    take_renamed,
)

__all__ = [
    "DOMAINS",
    "WEALTH_HALF",
    "ScoringPolicy",
    "ActRecord",
    "draw_acts",
    "own_score",
    "running_scores",
    "approval_rates",
    "domain_chances",
    "reference_standard",
    "score_against",
    "decayed_counts",
    "mislabel_acts",
    "displayed_start",
]

DOMAINS = ("finance", "consumption", "speech", "social")
"""The domains in which acts are observed, in the column order of every record."""

WEALTH_HALF = 0.5
"""Wealth at which a citizen's chance of an approved *finance* act is halved (see draw_acts)."""

STANDARDS = ("relative", "absolute")
REFERENCES = ("participants", "all")

_EQUAL_WEIGHTS = tuple((domain, 1.0) for domain in DOMAINS)


def _domain_weight_pairs(domain_weights):
    """Return ``domain_weights`` as validated ``(domain, weight)`` pairs in DOMAINS order.

    Accepts a mapping or an iterable of pairs (the stored form, so that
    ``dataclasses.replace`` round-trips). Domains left out get weight 0.
    """
    if isinstance(domain_weights, Mapping):
        items = list(domain_weights.items())
    else:
        try:
            items = [tuple(pair) for pair in domain_weights]
        except TypeError:
            raise TypeError(
                "domain_weights must be a mapping domain -> weight, got "
                f"{domain_weights!r} ({type(domain_weights).__name__})"
            ) from None
        if any(len(pair) != 2 for pair in items):
            raise TypeError(
                "domain_weights must be a mapping or (domain, weight) pairs, got "
                f"{domain_weights!r}"
            )
    given = {}
    for domain, weight in items:
        if domain not in DOMAINS:
            raise ValueError(
                f"domain_weights has unknown domain {domain!r}; expected some of {DOMAINS}"
            )
        if domain in given:
            raise ValueError(f"domain_weights gives domain {domain!r} twice")
        given[domain] = check_real(f"domain_weights[{domain!r}]", weight, minimum=0.0)
    if sum(given.values()) <= 0:
        raise ValueError(
            f"domain_weights must have at least one positive weight, got {dict(given)!r}"
        )
    return tuple((domain, given.get(domain, 0.0)) for domain in DOMAINS)


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


@dataclass(frozen=True)
class ScoringPolicy:
    """The authority's scoring rule: domain weights, score scale, standard and memory.

    Parameters
    ----------
    domain_weights : mapping of str to float, default equal weights
        Weight (>= 0) of each domain in :data:`DOMAINS` in the approval rate; domains left
        out get weight 0; not all weights may be zero. Only the proportions matter. Stored
        as a tuple of ``(domain, weight)`` pairs in DOMAINS order, so the policy is
        hashable; see :attr:`weights` and :attr:`weight_vector`.
    score_min, score_max : float, default 350.0 and 950.0
        The score scale (Sesame-like); ``score_min < score_max``.
    standard : {"relative", "absolute"}, default "relative"
        What the approval rate is measured against (see Notes).
    reference : {"participants", "all"}, default "participants"
        Who sets a relative standard: the citizens who have joined, or everyone.
    standard_spread_floor : float, default 0.05
        Lower bound (> 0) on the reference population's standard deviation of approval
        rates, so that a near-uniform reference does not blow the scores up to the ends of
        the scale.
    alpha : float, default 0.3
        The association weight: susceptibility in [0, 1] to the scores of one's ties, the
        ``alpha`` of :func:`scorelab.propagate` (:mod:`scorelab.association`). Its old name
        ``association_weight`` is accepted, with a ``DeprecationWarning``, for one release
        (in the constructor, :func:`dataclasses.replace` and as an attribute).
    memory : float, default 0.8
        Decay factor in [0, 1) of the running record: each period the old counts are
        multiplied by ``memory`` before the new acts are added.
    prior_strength : float, default 2.0
        Pseudo-count k > 0 of the symmetric Beta prior that smooths each approval rate
        towards 1/2; k = 2 is Laplace's rule of succession.

    Raises
    ------
    TypeError, ValueError
        If a field has the wrong type or lies outside its range; the message names the
        field and the value.

    See Also
    --------
    own_score : applies the policy to an :class:`ActRecord`.

    Notes
    -----
    With r_i the citizen's weighted approval rate (:meth:`ActRecord.approval_rate`) and
    ``[lo, hi] = [score_min, score_max]``,

    * absolute standard: ``score_i = lo + (hi - lo) * r_i``;
    * relative standard: ``score_i = lo + (hi - lo) * Phi((r_i - m) / max(sd, floor))``,
      with m and sd the mean and (population) standard deviation of r over the reference
      population and Phi the standard normal CDF. A citizen as good as the average of the
      reference scores the middle of the scale. When eager conformists set the standard
      (a high-approval reference, no more spread out than the whole population), everyone
      below them scores lower than against the whole population.

    References
    ----------
    .. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
       Electronic Commerce Conference, 2002.
    .. [2] R. Creemers, "China's Social Credit System: An Evolving Practice of Control",
       SSRN, 2018. https://doi.org/10.2139/ssrn.3175792

    Examples
    --------
    >>> policy = ScoringPolicy(domain_weights={"finance": 3, "speech": 1}, memory=0.5)
    >>> policy.weights
    {'finance': 3.0, 'consumption': 0.0, 'speech': 1.0, 'social': 0.0}
    >>> policy.weight_vector
    array([0.75, 0.  , 0.25, 0.  ])
    >>> ScoringPolicy(**policy.to_dict()) == policy
    True
    """

    domain_weights: Mapping[str, float] | tuple[tuple[str, float], ...] = _EQUAL_WEIGHTS
    score_min: float = 350.0
    score_max: float = 950.0
    standard: str = "relative"
    reference: str = "participants"
    standard_spread_floor: float = 0.05
    alpha: float = ALPHA
    memory: float = 0.8
    prior_strength: float = 2.0

    def __post_init__(self):
        # Frozen: normalised values are written once, here, through object.__setattr__.
        def store(field, value):
            object.__setattr__(self, field, value)

        store("domain_weights", _domain_weight_pairs(self.domain_weights))
        store("score_min", check_real("score_min", self.score_min))
        store("score_max", check_real("score_max", self.score_max))
        if self.score_min >= self.score_max:
            raise ValueError(
                "score_min must be < score_max, got "
                f"score_min = {self.score_min}, score_max = {self.score_max}"
            )
        if not np.isfinite(self.score_max - self.score_min):
            raise ValueError(
                "score_max - score_min must be a finite number (scores are score_min plus a "
                f"share of it), got score_min = {self.score_min}, score_max = {self.score_max}"
            )
        store("standard", _check_choice("standard", self.standard, STANDARDS))
        store("reference", _check_choice("reference", self.reference, REFERENCES))
        store(
            "standard_spread_floor",
            check_real("standard_spread_floor", self.standard_spread_floor, minimum=0.0,
                       open_min=True),
        )
        store("alpha", check_probability("alpha", self.alpha))
        store("memory", check_real("memory", self.memory, minimum=0.0, maximum=1.0,
                                   open_max=True))
        store("prior_strength", check_real("prior_strength", self.prior_strength,
                                           minimum=0.0, open_min=True))

    @property
    def weights(self):
        """dict: the domain weights as given, keyed by domain in DOMAINS order."""
        return dict(self.domain_weights)

    @property
    def weight_vector(self):
        """numpy.ndarray: the domain weights in DOMAINS order, normalised to sum to 1."""
        vector = np.array([weight for _, weight in self.domain_weights])
        return vector / vector.sum()

    @property
    def association_weight(self):
        """Deprecated name of :attr:`alpha` (one release)."""
        warnings.warn("ScoringPolicy.association_weight is deprecated and will be removed in "
                      "the next release; use ScoringPolicy.alpha", DeprecationWarning,
                      stacklevel=2)
        return self.alpha

    def to_dict(self):
        """Return the policy as a JSON-friendly dict; ``ScoringPolicy(**d)`` rebuilds it
        (also from a dict saved before the rename, whose key is ``association_weight``)."""
        return {
            "domain_weights": self.weights,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "standard": self.standard,
            "reference": self.reference,
            "standard_spread_floor": self.standard_spread_floor,
            "alpha": self.alpha,
            "memory": self.memory,
            "prior_strength": self.prior_strength,
        }



def _accept_old_names(init):
    """Wrap a dataclass ``__init__`` so that the policy's retired field names still work.

    ``dataclasses.replace(policy, association_weight=w)`` passes every current field
    too, ``alpha`` among them: there the old name is the change asked for and wins.
    """
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if "association_weight" in kwargs and "alpha" in kwargs and (
                sys._getframe(1).f_code is dataclasses.replace.__code__):
            del kwargs["alpha"]
        take_renamed(kwargs, "ScoringPolicy")
        init(self, *args, **kwargs)

    return __init__


ScoringPolicy.__init__ = _accept_old_names(ScoringPolicy.__init__)

def _check_counts(name, frame):
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    if set(frame.columns) != set(DOMAINS) or len(frame.columns) != len(DOMAINS):
        raise ValueError(
            f"{name} must have exactly the columns {DOMAINS}, got {list(frame.columns)}"
        )
    if not frame.index.is_unique:
        raise ValueError(f"{name} must have a unique citizen index")
    counts = frame.loc[:, list(DOMAINS)]
    values = check_finite_array(name, counts.to_numpy(), ndim=2)
    if (values < 0).any():
        row, column = np.argwhere(values < 0)[0]
        raise ValueError(
            f"{name} must be non-negative; got {float(values[row, column])} for citizen "
            f"{plain(counts.index[row])!r} in domain {DOMAINS[column]!r}"
        )
    return pd.DataFrame(values, index=counts.index.copy(),
                        columns=pd.Index(DOMAINS, name="domain"))


@dataclass(frozen=True, eq=False)
class ActRecord:
    """Counts of approved and disapproved acts per citizen and domain.

    Parameters
    ----------
    approved, disapproved : pandas.DataFrame
        Citizens x :data:`DOMAINS` counts, finite and non-negative, with the same unique
        index. Counts are floats: a decayed running record holds fractional counts. Both
        are stored as float copies with columns in DOMAINS order, so later changes to the
        inputs do not reach the record.

    Raises
    ------
    TypeError
        If either count table is not a DataFrame.
    ValueError
        If the columns are not the domains, the indexes differ or are not unique, or a
        count is NaN, infinite or negative.

    See Also
    --------
    draw_acts : samples a record.
    own_score : scores a record.

    Notes
    -----
    The running record after period t is ``R_t = memory * R_{t-1} + N_t`` (old acts fade
    geometrically; see :meth:`decayed`), the forgetting factor of the Beta reputation
    system [1]_. A constant new record N converges to ``N / (1 - memory)``.

    References
    ----------
    .. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
       Electronic Commerce Conference, 2002.

    Examples
    --------
    >>> import pandas as pd
    >>> approved = pd.DataFrame([[4, 0, 2, 1]], columns=DOMAINS)
    >>> disapproved = pd.DataFrame([[0, 4, 2, 1]], columns=DOMAINS)
    >>> record = ActRecord(approved, disapproved)
    >>> record.approval_rate(ScoringPolicy()).round(4).tolist()
    [0.5]
    >>> record.decayed(record, memory=0.5).approved.loc[0].tolist()
    [6.0, 0.0, 3.0, 1.5]
    """

    approved: pd.DataFrame
    disapproved: pd.DataFrame

    def __post_init__(self):
        approved = _check_counts("approved", self.approved)
        disapproved = _check_counts("disapproved", self.disapproved)
        if not approved.index.equals(disapproved.index):
            raise ValueError(
                "approved and disapproved must have the same citizen index, got "
                f"{len(approved)} and {len(disapproved)} rows with different labels"
            )
        object.__setattr__(self, "approved", approved)
        object.__setattr__(self, "disapproved", disapproved)

    @property
    def index(self):
        """pandas.Index: the citizen ids."""
        return self.approved.index

    def approval_rate(self, policy):
        """Return each citizen's smoothed, domain-weighted approval rate.

        Parameters
        ----------
        policy : ScoringPolicy
            Supplies the domain weights and the prior strength k.

        Returns
        -------
        pandas.Series
            Named ``"approval_rate"``, indexed by citizen, values in (0, 1).

        Notes
        -----
        Per domain, ``r_id = (a_id + k / 2) / (a_id + d_id + k)`` (the posterior mean of
        a Beta(k/2, k/2) prior; k = 2 gives Laplace's ``(a + 1) / (a + d + 2)`` [1]_);
        then ``r_i = sum_d w_d r_id / sum_d w_d``. A citizen with no acts has r = 1/2.

        References
        ----------
        .. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
           Electronic Commerce Conference, 2002.

        Examples
        --------
        >>> import pandas as pd
        >>> record = ActRecord(pd.DataFrame([[8.0] * 4], columns=DOMAINS),
        ...                    pd.DataFrame([[0.0] * 4], columns=DOMAINS))
        >>> record.approval_rate(ScoringPolicy()).tolist()
        [0.9]
        """
        _check_policy(policy)
        rate = approval_rates(self.approved.to_numpy(), self.disapproved.to_numpy(), policy)
        return pd.Series(rate, index=self.index, name="approval_rate")

    def decayed(self, new, memory):
        """Return the running record ``memory * self + new``.

        Parameters
        ----------
        new : ActRecord
            The newest acts, on the same citizens.
        memory : float
            Decay factor in [0, 1); 0 keeps only the newest acts.

        Returns
        -------
        ActRecord

        Examples
        --------
        >>> import pandas as pd
        >>> ones = pd.DataFrame([[1.0] * 4], columns=DOMAINS)
        >>> step = ActRecord(ones, 0 * ones)
        >>> step.decayed(step, memory=0.8).approved.loc[0, "speech"]
        np.float64(1.8)
        """
        memory = check_real("memory", memory, minimum=0.0, maximum=1.0, open_max=True)
        self._check_same_citizens(new, "new")
        return ActRecord(memory * self.approved + new.approved,
                         memory * self.disapproved + new.disapproved)

    def __add__(self, other):
        if not isinstance(other, ActRecord):
            return NotImplemented
        self._check_same_citizens(other, "other")
        return ActRecord(self.approved + other.approved,
                         self.disapproved + other.disapproved)

    def _check_same_citizens(self, other, name):
        if not isinstance(other, ActRecord):
            raise TypeError(f"{name} must be an ActRecord, got {type(other).__name__}")
        if not self.index.equals(other.index):
            raise ValueError(
                f"{name} must cover the same citizens in the same order; got "
                f"{len(other.index)} citizens against {len(self.index)}"
            )


def _check_policy(policy):
    if not isinstance(policy, ScoringPolicy):
        raise TypeError(f"policy must be a ScoringPolicy, got {type(policy).__name__}")


def _check_citizens(citizens):
    if not isinstance(citizens, pd.DataFrame):
        raise TypeError(f"citizens must be a pandas DataFrame, got {type(citizens).__name__}")
    missing = [column for column in ("disposition", "wealth") if column not in citizens]
    if missing:
        raise ValueError(
            f"citizens is missing column(s) {missing}; got {list(citizens.columns)}"
        )
    if not citizens.index.is_unique:
        raise ValueError("citizens must have a unique citizen index")
    disposition = check_unit_interval_array("citizens['disposition']", citizens["disposition"])
    wealth = check_finite_array("citizens['wealth']", citizens["wealth"])
    if (wealth <= 0).any():
        first = int(np.flatnonzero(wealth <= 0)[0])
        raise ValueError(
            f"citizens['wealth'] must be > 0, got {float(wealth[first])} for citizen "
            f"{plain(citizens.index[first])!r}"
        )
    return disposition, wealth


def draw_acts(citizens, *, n_acts=20, pressure=None, rng=None):
    """Draw one period of acts for every citizen in every domain.

    Parameters
    ----------
    citizens : pandas.DataFrame
        The citizens table, indexed by citizen; uses the columns ``disposition`` (in
        [0, 1]) and ``wealth`` (> 0).
    n_acts : int, default 20
        Acts per citizen and domain (>= 0).
    pressure : float or array-like or pandas.Series, optional
        Shift added to every citizen's disposition, e.g. a score incentive or peer
        pressure (a Series is aligned on the citizen index). Default: none.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    ActRecord
        Approved and disapproved counts; each row sums to ``n_acts`` per domain.

    Raises
    ------
    TypeError, ValueError
        If the citizens table lacks a column or holds values outside their range, or
        ``n_acts`` or ``pressure`` is invalid.

    See Also
    --------
    ActRecord.decayed, own_score

    Notes
    -----
    Each act of citizen i in domain d is approved independently with probability

    ``p_id = clip(disposition_i + pressure_i, 0, 1)``

    except in *finance*, where a low wealth w_i makes approved acts harder (missed
    payments are the poor's disapproved acts):

    ``p_i,finance = p_id * w_i / (w_i + WEALTH_HALF)``, with ``WEALTH_HALF = 0.5``,

    which halves the chance at w = 0.5 and tends to ``p_id`` for the wealthy. This closes
    the loop score -> gates -> resources -> approved acts -> score, the delayed-impact
    mechanism of Liu et al. [1]_. Counts are binomial: ``a_id ~ Binomial(n_acts, p_id)``,
    ``d_id = n_acts - a_id``.

    References
    ----------
    .. [1] L. T. Liu, S. Dean, E. Rolf, M. Simchowitz and M. Hardt, "Delayed Impact of
       Fair Machine Learning", Proc. 35th ICML, PMLR 80:3150-3158, 2018.
       https://arxiv.org/abs/1803.04383

    Examples
    --------
    >>> import pandas as pd
    >>> citizens = pd.DataFrame({"disposition": [0.9, 0.2], "wealth": [5.0, 0.1]})
    >>> record = draw_acts(citizens, n_acts=10, rng=42)
    >>> (record.approved + record.disapproved).eq(10).all(axis=None)
    np.True_
    >>> record.approved.equals(draw_acts(citizens, n_acts=10, rng=42).approved)
    True
    """
    disposition, wealth = _check_citizens(citizens)
    n_acts = check_integer("n_acts", n_acts, minimum=0)
    rng = np.random.default_rng(check_rng(rng))
    if pressure is not None:
        disposition = disposition + align_to_nodes(pressure, citizens.index, name="pressure",
                                                   scalar=True, ndim=1)
    p_approved = domain_chances(np.clip(disposition, 0.0, 1.0), wealth)
    approved = rng.binomial(n_acts, p_approved).astype(np.float64)
    index = citizens.index.copy()
    columns = pd.Index(DOMAINS, name="domain")
    return ActRecord(pd.DataFrame(approved, index=index, columns=columns),
                     pd.DataFrame(n_acts - approved, index=index, columns=columns))


def _participation(participants, index, *, ndim=1):
    """Return ``participants`` as a boolean array with one row per citizen."""
    if participants is None:
        return np.ones(len(index), dtype=bool)
    if isinstance(participants, (pd.Series, pd.DataFrame)):
        if not index.isin(participants.index).all():
            raise ValueError("participants must have a value for every citizen in the index")
        participants = participants.reindex(index)
    mask = np.asarray(participants)
    if mask.dtype != bool:
        raise TypeError(f"participants must be boolean, got dtype {mask.dtype}")
    if mask.ndim not in range(1, ndim + 1) or mask.shape[0] != len(index):
        raise ValueError(
            f"participants must have one entry per citizen ({len(index)}), "
            f"got shape {mask.shape}"
        )
    return mask


# --------------------------------------------------------------------------- array kernels
# The formulas of the scoring layer on whole-population arrays (citizens in rows, domains
# in DOMAINS order), for engines that hold arrays, such as the citizen game. Their inputs
# are not re-checked: the public functions above and the game's entry point check them.


def approval_rates(approved, disapproved, policy):
    """Smoothed, domain-weighted approval rate per citizen from arrays of act counts.

    Parameters
    ----------
    approved, disapproved : numpy.ndarray
        Act counts (or decayed counts), citizens x domains.
    policy : ScoringPolicy

    Returns
    -------
    numpy.ndarray
        ``r_i = sum_d w_d (a_id + k/2) / (a_id + d_id + k)`` with normalised weights
        ``w`` and prior strength ``k`` (see :meth:`ActRecord.approval_rate`, which calls
        this).

    Examples
    --------
    >>> approval_rates(np.array([[8.0] * 4]), np.zeros((1, 4)), ScoringPolicy()).tolist()
    [0.9]
    """
    k = policy.prior_strength
    per_domain = (approved + 0.5 * k) / (approved + disapproved + k)
    return dot(per_domain, policy.weight_vector)


def domain_chances(chance, wealth):
    """Chance of an approved act per citizen and domain.

    ``chance`` in every domain, times ``wealth / (wealth + WEALTH_HALF)`` in finance
    (poverty makes approved finance harder).

    Parameters
    ----------
    chance, wealth : numpy.ndarray
        One value per citizen.

    Returns
    -------
    numpy.ndarray
        Citizens x domains.

    Examples
    --------
    >>> domain_chances(np.array([0.8]), np.array([0.5])).tolist()
    [[0.4, 0.8, 0.8, 0.8]]
    """
    chances = np.repeat(chance[:, None], len(DOMAINS), axis=1)
    chances[:, DOMAINS.index("finance")] *= wealth / (wealth + WEALTH_HALF)
    return chances


def reference_standard(rate, policy, participants, *, previous=(np.nan, np.nan), inertia=0.0):
    """The relative standard: mean and spread (floored) of the reference's approval rates.

    Parameters
    ----------
    rate : numpy.ndarray
        Approval rates, one per citizen.
    policy : ScoringPolicy
        Its ``reference`` picks the participants or everyone; ``standard_spread_floor``
        floors the spread.
    participants : numpy.ndarray of bool
    previous : tuple of float, default (NaN, NaN)
        Last step's standard, for ``inertia``.
    inertia : float in [0, 1), default 0
        ``m_t = inertia * m_{t-1} + (1 - inertia) * mean(reference rates)``, likewise the
        spread (the standard moves slowly; ignored while ``previous`` is NaN).

    Returns
    -------
    tuple of float
        ``(mean, spread)``; NaN for an absolute standard, which measures against nothing.

    Raises
    ------
    ValueError
        The reference (participants) is empty.

    Examples
    --------
    >>> rate = np.array([0.5, 0.7, 0.9])
    >>> [round(float(v), 4) for v in reference_standard(rate, ScoringPolicy(), rate > 0.6)]
    [0.8, 0.1]
    >>> [round(float(v), 4) for v in reference_standard(rate, ScoringPolicy(), rate > 0.6,
    ...                                                 previous=(0.6, 0.3), inertia=0.5)]
    [0.7, 0.2]
    """
    if policy.standard == "absolute":
        return np.nan, np.nan
    reference = rate[participants] if policy.reference == "participants" else rate
    if reference.size == 0:
        raise ValueError(
            "the reference population is empty: no citizen is a participant, so there is "
            "no standard to measure against (reference = 'participants')"
        )
    mean, spread = reference.mean(), max(reference.std(), policy.standard_spread_floor)
    if inertia and not np.isnan(previous[0]):
        # the standard moves slowly: early adopters' standard outlives the switch
        mean = inertia * previous[0] + (1 - inertia) * mean
        spread = inertia * previous[1] + (1 - inertia) * spread
    return mean, spread


def score_against(rate, policy, mean, spread):
    """Scores from approval rates measured against a standard ``(mean, spread)``.

    Absolute standard: ``lo + (hi - lo) r``; relative: ``lo + (hi - lo) Phi((r - m) / s)``
    (see :func:`own_score`).

    Examples
    --------
    >>> score_against(np.array([0.8]), ScoringPolicy(), 0.8, 0.1).tolist()
    [650.0]
    """
    span = policy.score_max - policy.score_min
    if policy.standard == "absolute":
        return policy.score_min + span * rate
    return policy.score_min + span * ndtr((rate - mean) / spread)


def decayed_counts(record, new, memory, *, appeal=0.0):
    """The running record ``memory * record + new`` of one kind of act, as arrays; with
    ``appeal``, that share of it struck (appeals against recorded disapproved acts).

    Examples
    --------
    >>> decayed_counts(np.array([2.0]), np.array([1.0]), 0.5, appeal=0.5).tolist()
    [1.0]
    """
    counts = memory * record + new
    if appeal:
        counts *= 1.0 - appeal
    return counts


def mislabel_acts(approved, disapproved, shares, rng):
    """Record a share of approved acts as disapproved ("diverse behaviour").

    Each approved act of citizen ``i`` in domain ``d`` is recorded as disapproved with
    probability ``shares[i, d]`` (harmless customary acts that the authority scores as
    disapproved): a binomial draw per citizen and domain.

    Returns
    -------
    tuple of numpy.ndarray
        The approved and disapproved counts as recorded.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> approved, disapproved = mislabel_acts(np.array([[5.0]]), np.array([[1.0]]),
    ...                                       np.array([[1.0]]), rng)
    >>> approved.tolist(), disapproved.tolist()
    ([[0.0]], [[6.0]])
    """
    moved = rng.binomial(approved.astype(np.int64), shares)
    return approved - moved, disapproved + moved


def displayed_start(own, previous_own, displayed, alpha):
    """A first guess of this step's displayed scores, to warm-start the association solve.

    The solution is ``x = M s`` with ``M`` row-stochastic (``M 1 = 1``), so a common shift
    of all own scores (the standard moving) moves ``x`` by the same amount, while a
    citizen's own noise moves it by about ``(1 - alpha)`` times itself. Starting from
    ``displayed + common + (1 - alpha) (change - common)`` instead of last step's ``x``
    saves ~2 of ~10 sparse products per step. Citizens without a displayed score start
    from their own score (0 where NaN).

    Examples
    --------
    >>> displayed_start(np.array([610.0, 500.0]), np.array([600.0, np.nan]),
    ...                 np.array([620.0, np.nan]), np.array([0.5, 0.5])).tolist()
    [630.0, 500.0]
    """
    change = own - previous_own
    common = np.nanmean(change) if np.isfinite(change).any() else 0.0
    moved = common + (1.0 - alpha) * np.nan_to_num(change - common)
    return np.where(np.isnan(displayed), np.nan_to_num(own), displayed + moved)


def _score(rate, policy, mask):
    """Scores from approval rates (array) under ``policy``; ``mask`` marks participants."""
    return score_against(rate, policy, *reference_standard(rate, policy, mask))


def own_score(record, policy, *, participants=None):
    """Score each citizen's own record against the policy's standard.

    Parameters
    ----------
    record : ActRecord
        The (running) record of acts.
    policy : ScoringPolicy
        Weights, scale, standard and reference population.
    participants : array-like of bool or pandas.Series, optional
        Which citizens have joined (a Series is aligned on the citizen index). Default:
        everyone. With ``policy.reference == "participants"`` they set a relative
        standard; non-participants are still scored against it.

    Returns
    -------
    pandas.Series
        Named ``"own_score"``, indexed by citizen, in ``[score_min, score_max]``.

    Raises
    ------
    TypeError, ValueError
        If ``participants`` is not a boolean mask over the citizens, or the reference
        population of a relative standard is empty.

    See Also
    --------
    ScoringPolicy : the formulas (Notes).
    running_scores : scores over a sequence of periods.

    Notes
    -----
    Absolute standard: ``s_i = lo + (hi - lo) r_i``. Relative standard:
    ``s_i = lo + (hi - lo) Phi((r_i - m) / max(sd, floor))``, m and sd the mean and
    population standard deviation (ddof = 0) of r over the reference population. The
    absolute standard ignores ``participants``.

    References
    ----------
    .. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
       Electronic Commerce Conference, 2002.

    Examples
    --------
    >>> import pandas as pd
    >>> approved = pd.DataFrame([[18.0] * 4, [8.0] * 4], columns=DOMAINS)
    >>> record = ActRecord(approved, 18.0 - approved)
    >>> own_score(record, ScoringPolicy(standard="absolute")).tolist()
    [920.0, 620.0]
    >>> own_score(record, ScoringPolicy()).round(1).tolist()  # r = 0.7 +- 0.25: Phi(+-1)
    [854.8, 445.2]
    """
    if not isinstance(record, ActRecord):
        raise TypeError(f"record must be an ActRecord, got {type(record).__name__}")
    _check_policy(policy)
    mask = _participation(participants, record.index)
    rate = record.approval_rate(policy).to_numpy()
    return pd.Series(_score(rate, policy, mask), index=record.index, name="own_score")


def running_scores(records, policy, *, participants=None):
    """Own scores per period of a decaying running record.

    Parameters
    ----------
    records : sequence of ActRecord
        The new acts of each period 0..T-1, on the same citizens.
    policy : ScoringPolicy
        Supplies ``memory`` and the scoring rule.
    participants : array-like of bool, pandas.Series or pandas.DataFrame, optional
        Who has joined: one mask for all periods (length n), or one column per period
        (shape n x T, e.g. an opt-in rollout). Default: everyone.

    Returns
    -------
    pandas.DataFrame
        Own scores, index = citizen, columns = step 0..T-1.

    Raises
    ------
    TypeError, ValueError
        If ``records`` is empty or not ActRecords on the same citizens, or
        ``participants`` has the wrong shape (see also :func:`own_score`).

    See Also
    --------
    own_score, ActRecord.decayed

    Notes
    -----
    ``R_0 = N_0`` and ``R_t = memory * R_{t-1} + N_t``; the score at step t is
    ``own_score(R_t)`` against that step's participants [1]_.

    References
    ----------
    .. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
       Electronic Commerce Conference, 2002.

    Examples
    --------
    >>> import pandas as pd
    >>> citizens = pd.DataFrame({"disposition": [0.9, 0.5, 0.1], "wealth": 1.0})
    >>> rng = np.random.default_rng(7)
    >>> records = [draw_acts(citizens, rng=rng) for _ in range(3)]
    >>> scores = running_scores(records, ScoringPolicy())
    >>> scores.shape, list(scores.columns)
    ((3, 3), [0, 1, 2])
    >>> bool((scores[2].diff().dropna() < 0).all())
    True
    """
    _check_policy(policy)
    if isinstance(records, ActRecord) or not isinstance(records, Sequence) or not records:
        raise ValueError("records must be a non-empty sequence of ActRecord, one per step")
    for step, record in enumerate(records):
        if not isinstance(record, ActRecord):
            raise TypeError(f"records[{step}] must be an ActRecord, got {type(record).__name__}")
    index = records[0].index
    mask = _participation(participants, index, ndim=2)
    if mask.ndim == 2 and mask.shape[1] != len(records):
        raise ValueError(
            f"participants must have one column per step ({len(records)}), "
            f"got shape {mask.shape}"
        )
    masks = mask.T if mask.ndim == 2 else [mask] * len(records)
    running = records[0]
    columns = []
    for step, (new, step_mask) in enumerate(zip(records, masks)):
        if step:
            running = running.decayed(new, policy.memory)
        columns.append(_score(running.approval_rate(policy).to_numpy(), policy, step_mask))
    return pd.DataFrame(np.column_stack(columns), index=index.copy(),
                        columns=pd.RangeIndex(len(records), name="step"))
