"""Selection over generations: couples have children who inherit disposition.

Couples of one round of the dating market have the next generation; disposition is
inherited on a latent liability scale (genes with heritability ``h^2``, cultural
transmission, noise); the children form the next society and market
(:func:`simulate_generations`).

References
----------
.. [FM96] D. S. Falconer and T. F. C. Mackay (1996), Introduction to Quantitative
   Genetics, 4th ed., Longman, chapters 11-12 (truncation selection, R = h^2 S).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from scorelab._validation import check_integer, check_probability, check_real, check_rng
from scorelab.association import propagate
from scorelab.dating.market import match_market
from scorelab.dating.rankings import _check_market, _check_ranking_name, _check_visible_fraction
from scorelab.metrics import ALL
from scorelab.scoring import ScoringPolicy, draw_acts, own_score
from scorelab.society import GroupProfile, Society, from_edges, homophilous_sbm

__all__ = ["GENERATION_COLUMNS", "SIDES", "Founders", "selection_intensity",
           "simulate_generations"]

GENERATION_COLUMNS = ("generation", "measure", "by", "group", "decile", "value")
"""The columns of :func:`simulate_generations`' tidy output."""

SIDES = ("A", "B")
"""Labels of the two sides of the market in :func:`simulate_generations`."""

# Columns every generation has, so that simulate_generations can rank by them.
_RANKABLE = ("disposition", "responsiveness", "wealth", "liability", "score", "appeal")

# Dispositions are clipped this far inside (0, 1) before the probit transform.
_DISPOSITION_EPS = 1e-6

@dataclasses.dataclass(frozen=True)
class Founders:
    """How :func:`simulate_generations` builds the founders and every generation's ties.

    Parameters
    ----------
    size : int
        Citizens in every generation (>= 4, two per side of the market).
    mean_degree : float, default 10.0
        Mean number of ties per citizen (>= 0), capped at ``size - 1``.
    homophily : float, default 0.5
        Share in [0, 1] of ties drawn within the own group.
    profiles : mapping of group label to GroupProfile, optional
        Attribute distributions of the founders' groups (see
        :func:`scorelab.society.homophilous_sbm`); a profile may be given as the dict of
        its fields. Children inherit their attributes instead.

    Raises
    ------
    TypeError, ValueError
        A field of the wrong type or out of range; the message names it.

    See Also
    --------
    simulate_generations, scorelab.society.homophilous_sbm

    Notes
    -----
    The founders are ``homophilous_sbm(size, mean_degree=mean_degree,
    homophily=homophily, profiles=profiles)``; each later generation gets homophilous ties
    with the same ``mean_degree`` and ``homophily`` and its own group shares, plus family
    ties between siblings.

    Examples
    --------
    >>> founders = Founders(600, homophily=0.6)
    >>> Founders(**founders.to_dict()) == founders
    True
    """

    size: int
    mean_degree: float = 10.0
    homophily: float = 0.5
    profiles: dict | None = None

    def __post_init__(self):
        def store(field, value):
            object.__setattr__(self, field, value)

        store("size", check_integer("founders.size", self.size, minimum=4))
        store("mean_degree", check_real("founders.mean_degree", self.mean_degree, minimum=0.0))
        store("homophily", check_probability("founders.homophily", self.homophily))
        if self.profiles is not None:
            if not isinstance(self.profiles, Mapping):
                raise TypeError("founders.profiles must map group labels to GroupProfile, "
                                f"got {type(self.profiles).__name__}")
            store("profiles", {label: profile if isinstance(profile, GroupProfile)
                               else GroupProfile(**profile)
                               for label, profile in self.profiles.items()})

    def to_dict(self):
        """Return the fields as a dict; ``Founders(**d)`` rebuilds the config."""
        return {"size": self.size, "mean_degree": self.mean_degree, "homophily": self.homophily,
                "profiles": None if self.profiles is None else {
                    str(label): dataclasses.asdict(profile)
                    for label, profile in self.profiles.items()}}

    def society(self, rng):
        """The founding generation, drawn with ``rng``."""
        return homophilous_sbm(self.size, mean_degree=self.mean_degree,
                               homophily=self.homophily, profiles=self.profiles, rng=rng)



def selection_intensity(p):
    """Intensity ``i(p)`` of truncation selection that keeps the top fraction ``p``.

    Parameters
    ----------
    p : float
        Selected fraction in (0, 1].

    Returns
    -------
    float
        ``i(p) = phi(z_p) / p`` with ``z_p = Phi^-1(1 - p)``: the selected individuals'
        mean, in standard deviations above the population mean, for a normal trait.

    Raises
    ------
    TypeError, ValueError
        ``p`` not a real in (0, 1].

    Notes
    -----
    With heritability ``h^2`` and phenotypic standard deviation ``sigma_P``, truncation
    selection moves the next generation's mean by ``R = h^2 S = h^2 i(p) sigma_P``, the
    breeder's equation ([FM96]_ eq. 11.4).

    Examples
    --------
    >>> round(selection_intensity(0.2), 4)
    1.3998
    >>> selection_intensity(1.0)
    0.0
    """
    p = check_real("p", p, minimum=0.0, maximum=1.0, open_min=True)
    if p == 1.0:
        return 0.0
    z = float(ndtri(1.0 - p))
    return float(math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) / p)


def simulate_generations(
    founders,
    *,
    generations,
    ranking,
    heritability,
    visible_fraction=1.0,
    cultural_transmission=0.0,
    site_share=1.0,
    market=None,
    policy=None,
    n_acts=20,
    rng=None,
):
    """Run the dating market over generations and track selection on disposition.

    Parameters
    ----------
    founders : Founders, Society or int
        How to draw the founding generation and every generation's ties
        (:class:`Founders`), or the founding generation itself (its children's ties then
        follow ``Founders``' defaults), or a size ``n`` as short for ``Founders(n)``.
        Every generation keeps the founders' size.
    generations : int
        Number of generations of children (>= 0); statistics cover generations
        ``0..generations``.
    ranking : str
        A policy of :data:`RANKING_POLICIES` or a column to rank by (higher first):
        ``disposition``, ``responsiveness``, ``wealth``, ``liability`` (the latent trait
        below), ``score`` or ``appeal``.
    heritability : float
        Narrow-sense heritability ``h^2`` in [0, 1] of the liability (Notes).
    visible_fraction : float, default 1.0
        Share in (0, 1] of each side ever shown (see :func:`match_market`).
    cultural_transmission : float, default 0.0
        Share ``c^2`` in [0, 1 - h^2] of the liability variance passed on culturally from
        both parents.
    site_share : float in (0, 1], default 1.0
        Share of the couples formed through the dating site. Each of the site's couples is
        kept with this probability; as many couples as were dropped form instead at
        random among the citizens not in a kept couple (one from each side). The
        generation's measures (``match_rate``, ``selection_differential``, ...) stay
        those of the site.
    market : DatingMarket, optional
        The dating site and the like model (default ``DatingMarket()``).
    policy : scorelab.scoring.ScoringPolicy, optional
        Scoring rule; its ``alpha`` is the alpha of the displayed score
        (default ``ScoringPolicy()``).
    n_acts : int, default 20
        Acts per citizen and domain behind each generation's score (>= 1).
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7). Replicates: pass the children of ``rng.spawn(r)``.

    Returns
    -------
    pandas.DataFrame
        Tidy statistics, one row per value, columns ``generation`` (int), ``measure``
        (str), ``by`` (str: ``"all"``, ``"group"`` or ``"score_decile"``), ``group`` (str:
        the group's label where ``by == "group"``, else ``"all"``), ``decile`` (nullable
        ``Int64``: the score decile 1..10, 10 = highest scores, where
        ``by == "score_decile"``, else ``<NA>``) and ``value`` (float); the game's history
        has the same shape (``step``, ``measure``, ``group``, ``value``).
        Measures: ``size``, ``couples``; ``disposition_mean``, ``disposition_sd``,
        ``liability_mean``, ``liability_sd`` (by all and group); ``group_share``;
        ``match_rate`` (share in a couple; by all, group and decile); ``exposure_share``
        (share of all slate attention; by group and decile); ``selection_differential``
        (coupled citizens' mean liability minus everyone's). ``frame.attrs["parameters"]``
        holds every parameter, for :func:`scorelab.reporting.save_table`.

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or out of range (heritability or fractions outside
        [0, 1], ``h^2 + c^2 > 1``), an unknown ranking, founders of fewer than 4 citizens;
        a generation that forms no couple (it can have no children).

    See Also
    --------
    Founders, match_market, selection_intensity

    Notes
    -----
    **Liability scale.** Disposition lives on [0, 1]; inheritance acts on the liability
    ``z = Phi^-1(disposition)`` (probit; Falconer's liability model [F65]_), so
    ``disposition = Phi(z)``. Founders' liabilities come from their dispositions. With
    ``mu_g`` the founders' mean liability in group g (a group environment that stays with
    the group) and ``sigma^2`` the pooled within-group variance,
    ``z = mu_g + A + C + E`` with independent breeding value ``A ~ N(0, h^2 sigma^2)``,
    cultural value ``C ~ N(0, c^2 sigma^2)`` and noise ``E ~ N(0, (1 - h^2 - c^2) sigma^2)``,
    drawn for the founders conditionally on their z (exact Gaussian conditioning).

    **Children.** Each child picks a couple uniformly at random (the generation size stays
    fixed; unmatched citizens have no children), takes group, responsiveness and wealth
    from one parent at random and gets, by the infinitesimal model [BEV17]_ and vertical
    cultural transmission [CF81]_,

    ``A' = (A_1 + A_2) / 2 + N(0, h^2 sigma^2 / 2)``,
    ``C' = (C_1 + C_2) / 2 + N(0, c^2 sigma^2 / 2)``, a fresh ``E'``, and
    ``z' = mu_g' + A' + C' + E'``. Other columns of the founders' table are not passed on.

    Without selection and with random mating the variance of z stays ``sigma^2``.
    Siblings are tied as family; other ties come from :func:`homophilous_sbm`. Appeal is
    redrawn ``N(0, 1)`` every generation, independent of disposition; sides are
    assigned at random in equal halves.

    **Breeder's equation.** On the liability scale the expected response to a selection
    differential S (coupled minus all, equal offspring per couple) is
    ``R = (h^2 + c^2) S``. If the ranking is by the liability itself, only the top
    fraction p of each side can match, and matching among the visible is blind to z
    (``position_bias="uniform"``, ``pool_size <= slate_size``, ``score_weight=0``), then
    ``S = i(p) sigma`` and ``R = h^2 i(p) sigma`` for ``c^2 = 0`` [FM96]_. This is checked
    in ``tests/test_dating.py`` against :func:`selection_intensity`, as is the absence of
    any shift under random ranking.

    **Scores.** Every generation acts once (:func:`scorelab.scoring.draw_acts` with
    ``n_acts``), is scored by :func:`scorelab.scoring.own_score` and, if the policy's
    association weight is positive, associated along its ties
    (:func:`scorelab.propagate`): a score ranking selects on disposition only through this
    noisy record.

    References
    ----------
    .. [F65] D. S. Falconer (1965), "The inheritance of liability to certain diseases,
       estimated from the incidence among relatives", Annals of Human Genetics
       29(1):51-76. https://doi.org/10.1111/j.1469-1809.1965.tb00500.x
    .. [BEV17] N. H. Barton, A. M. Etheridge and A. Véber (2017), "The infinitesimal
       model: definition, derivation, and implications", Theoretical Population Biology
       118:50-73. https://doi.org/10.1016/j.tpb.2017.06.001
    .. [CF81] L. L. Cavalli-Sforza and M. W. Feldman (1981), Cultural Transmission and
       Evolution: A Quantitative Approach, Princeton University Press.
       https://doi.org/10.1515/9780691209357

    Examples
    --------
    >>> frame = simulate_generations(600, generations=2, ranking="score",
    ...                              heritability=0.5, rng=1)
    >>> frame.columns.tolist()
    ['generation', 'measure', 'by', 'group', 'decile', 'value']
    >>> frame.dtypes["decile"]
    Int64Dtype()
    >>> frame.query("measure == 'size'")["value"].tolist()
    [600.0, 600.0, 600.0]
    """
    generations = check_integer("generations", generations, minimum=0)
    heritability = check_probability("heritability", heritability)
    cultural_transmission = check_probability("cultural_transmission", cultural_transmission)
    if heritability + cultural_transmission > 1.0 + 1e-12:
        raise ValueError(
            "heritability + cultural_transmission must be <= 1 (shares of one variance), "
            f"got {heritability} + {cultural_transmission}"
        )
    visible_fraction = _check_visible_fraction(visible_fraction)
    site_share = check_real("site_share", site_share, minimum=0.0, maximum=1.0, open_min=True)
    market = _check_market(market)
    if policy is None:
        policy = ScoringPolicy()
    elif not isinstance(policy, ScoringPolicy):
        raise TypeError(f"policy must be a ScoringPolicy, got {type(policy).__name__}")
    n_acts = check_integer("n_acts", n_acts, minimum=1)
    if isinstance(founders, numbers.Integral) and not isinstance(founders, bool):
        founders = Founders(founders)
    rng = np.random.default_rng(check_rng(rng))

    if isinstance(founders, Founders):
        society = founders.society(rng)
    elif isinstance(founders, Society):
        society = founders
        if society.n_citizens < 4:
            raise ValueError(f"founders must have at least 4 citizens (two per side), got "
                             f"{society.n_citizens}")
        founders = Founders(society.n_citizens)
    else:
        raise TypeError(
            f"founders must be a Founders, a Society or an int, got {type(founders).__name__}"
        )
    n = society.n_citizens
    ranking = _check_ranking_name(ranking, _RANKABLE)
    labels = [str(label) for label in society.citizens["group"].cat.categories]
    if ALL in labels:
        raise ValueError(f"founders must not have a group named {ALL!r} (the output's group "
                         f"of the whole population), got groups {labels}")

    lineage = _Lineage.found(society.citizens, heritability, cultural_transmission, rng)
    parameters = {
        "n": n, "generations": generations, "ranking": ranking,
        "heritability": heritability, "visible_fraction": visible_fraction,
        "cultural_transmission": cultural_transmission, "site_share": site_share,
        "market": market.to_dict(),
        "policy": policy.to_dict(), "n_acts": n_acts, "mean_degree": founders.mean_degree,
        "homophily": founders.homophily, "profiles": founders.to_dict()["profiles"] or {},
    }
    records = []
    for generation in range(generations + 1):
        citizens = lineage.citizens()
        if generation:
            society = _next_society(citizens, lineage.couple, founders, rng)
        acts = draw_acts(citizens, n_acts=n_acts, rng=rng)
        score = own_score(acts, policy)
        if policy.alpha > 0:
            score = propagate(society, score, alpha=policy.alpha)
        sides = np.zeros(n, dtype=np.int64)
        sides[rng.permutation(n)[: n // 2]] = 1
        shown = citizens.assign(
            score=score.to_numpy(),
            appeal=rng.standard_normal(n),
            side=pd.Categorical.from_codes(sides, categories=list(SIDES)),
        )
        outcome = match_market(shown, ranking=ranking, visible_fraction=visible_fraction,
                               market=market, rng=rng)
        records.append(_generation_records(generation, shown, outcome))
        if generation < generations:
            couples = outcome.couples.to_numpy()
            if not len(couples):
                raise ValueError(
                    f"generation {generation} formed no couple, so it has no children; "
                    f"show more profiles (visible_fraction = {visible_fraction}, "
                    f"slate_size = {market.slate_size}) or make likes likelier "
                    f"(like_intercept = {market.like_intercept})"
                )
            if site_share < 1.0:
                couples = _mix_in_random_couples(couples, sides, site_share, rng)
            lineage = lineage.children(couples, rng)
    frame = pd.DataFrame(
        [row for rows in records for row in rows],
        columns=list(GENERATION_COLUMNS),
    ).astype({"generation": "int64", "measure": "str", "by": "str", "group": "str",
              "decile": "Int64", "value": "float64"})
    frame.attrs["parameters"] = parameters
    return frame


def _mix_in_random_couples(couples, sides, site_share, rng):
    """Keep each site couple with probability ``site_share``; pair the rest off at random.

    As many couples as were dropped form at random among the citizens in no kept couple,
    one from each side (fewer if a side runs out).
    """
    kept = couples[rng.random(len(couples)) < site_share]
    free = np.ones(len(sides), dtype=bool)
    free[kept.ravel()] = False
    first = rng.permutation(np.flatnonzero(free & (sides == 0)))
    second = rng.permutation(np.flatnonzero(free & (sides == 1)))
    count = min(len(couples) - len(kept), len(first), len(second))
    return np.concatenate((kept, np.column_stack((first[:count], second[:count]))))


@dataclasses.dataclass
class _Lineage:
    """One generation's citizens as arrays: group, liability parts, other attributes."""

    group: pd.Categorical
    environment: np.ndarray  # mu_g per group code
    breeding: np.ndarray  # A
    cultural: np.ndarray  # C
    noise: np.ndarray  # E
    responsiveness: np.ndarray
    wealth: np.ndarray
    sigma2: float
    heritability: float
    cultural_share: float
    couple: np.ndarray | None = None  # each citizen's parents' couple number

    @classmethod
    def found(cls, citizens, heritability, cultural_share, rng):
        group = pd.Categorical(citizens["group"])
        codes = group.codes
        disposition = np.clip(citizens["disposition"].to_numpy(np.float64), _DISPOSITION_EPS,
                              1.0 - _DISPOSITION_EPS)
        z = ndtri(disposition)
        counts = np.bincount(codes, minlength=len(group.categories))
        sums = np.bincount(codes, weights=z, minlength=len(group.categories))
        environment = np.divide(sums, counts, out=np.zeros(len(counts)), where=counts > 0)
        deviation = z - environment[codes]
        sigma2 = float(np.mean(deviation**2))
        shares = np.array([heritability, cultural_share, 1.0 - heritability - cultural_share])
        shares = np.clip(shares, 0.0, None)
        parts = rng.standard_normal((3, len(z))) * np.sqrt(shares * sigma2)[:, None]
        # Gaussian conditioning on the observed sum: parts + shares * (deviation - sum)
        parts += shares[:, None] * (deviation - parts.sum(axis=0))
        return cls(group, environment, parts[0], parts[1], parts[2],
                   citizens["responsiveness"].to_numpy(np.float64),
                   citizens["wealth"].to_numpy(np.float64), sigma2, heritability,
                   cultural_share)

    @property
    def liability(self):
        return self.environment[self.group.codes] + self.breeding + self.cultural + self.noise

    def citizens(self):
        n = len(self.breeding)
        liability = self.liability
        return pd.DataFrame(
            {
                "group": self.group,
                "disposition": ndtr(liability),
                "responsiveness": self.responsiveness,
                "wealth": self.wealth,
                "liability": liability,
            },
            index=pd.RangeIndex(n, name="citizen"),
        )

    def children(self, couples, rng):
        """The next generation (same size), sorted by group so groups form id blocks."""
        n = len(self.breeding)
        couple = rng.integers(len(couples), size=n)
        parents = couples[couple]
        lineage_parent = parents[np.arange(n), rng.integers(2, size=n)]
        h2, c2, sigma2 = self.heritability, self.cultural_share, self.sigma2
        breeding = self.breeding[parents].mean(axis=1) + rng.normal(
            0.0, math.sqrt(h2 * sigma2 / 2.0), n)
        cultural = self.cultural[parents].mean(axis=1) + rng.normal(
            0.0, math.sqrt(c2 * sigma2 / 2.0), n)
        noise = rng.normal(0.0, math.sqrt(max(1.0 - h2 - c2, 0.0) * sigma2), n)
        codes = self.group.codes[lineage_parent]
        order = np.lexsort((couple, codes))
        group = pd.Categorical.from_codes(codes[order], dtype=self.group.dtype)
        return dataclasses.replace(
            self, group=group, breeding=breeding[order], cultural=cultural[order],
            noise=noise[order], responsiveness=self.responsiveness[lineage_parent][order],
            wealth=self.wealth[lineage_parent][order], couple=couple[order],
        )


def _next_society(citizens, couple, founders, rng):
    """Ties of a new generation: homophilous random ties plus family ties of siblings."""
    n = len(citizens)
    group = citizens["group"]
    counts = group.value_counts(sort=False).to_numpy()
    ties = homophilous_sbm(
        n, group_shares=tuple(counts / n), group_names=tuple(group.cat.categories),
        mean_degree=min(founders.mean_degree, n - 1), homophily=founders.homophily, rng=rng,
    )
    if not np.array_equal(ties.groups.cat.codes.to_numpy(), group.cat.codes.to_numpy()):
        raise RuntimeError("homophilous_sbm did not lay the groups out in id blocks")
    # each child is tied to the eldest (lowest id) sibling of the same couple
    eldest = np.full(couple.max() + 1, n, dtype=np.int64)
    np.minimum.at(eldest, couple, np.arange(n))
    sibling = np.flatnonzero(eldest[couple] != np.arange(n))
    source = np.concatenate((eldest[couple[sibling]], ties.ties["source"].to_numpy()))
    target = np.concatenate((sibling, ties.ties["target"].to_numpy()))
    kind = np.concatenate((np.full(len(sibling), "family", dtype=object),
                           ties.ties["kind"].astype(str).to_numpy(dtype=object)))
    return from_edges(citizens, source, target, kind=kind)


def _generation_records(generation, profiles, outcome):
    """Tidy rows (generation, measure, by, group, decile, value) of one generation."""
    n = len(profiles)
    group = profiles["group"].array
    labels = [str(label) for label in group.categories]
    codes = group.codes
    liability = profiles["liability"].to_numpy()
    matched = outcome.matched.to_numpy()
    exposure = outcome.exposure.to_numpy()
    decile = np.empty(n, dtype=np.int64)
    decile[np.argsort(profiles["score"].to_numpy(), kind="stable")] = np.arange(n) * 10 // n
    size = np.bincount(codes, minlength=len(labels)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # empty groups give NaN
        rows = [
            (generation, "size", "all", ALL, None, float(n)),
            (generation, "couples", "all", ALL, None, float(len(outcome.couples))),
            (generation, "match_rate", "all", ALL, None, float(matched.mean())),
            (generation, "selection_differential", "all", ALL, None,
             float(liability[matched].mean() - liability.mean()) if matched.any() else np.nan),
        ]
        for column in ("disposition", "liability"):
            values = profiles[column].to_numpy()
            mean = _sums(codes, values, len(labels)) / size
            spread = np.sqrt(np.maximum(_sums(codes, values**2, len(labels)) / size - mean**2, 0.0))
            rows.append((generation, f"{column}_mean", "all", ALL, None, float(values.mean())))
            rows.append((generation, f"{column}_sd", "all", ALL, None, float(values.std())))
            rows += [(generation, f"{column}_mean", "group", label, None, float(value))
                     for label, value in zip(labels, mean)]
            rows += [(generation, f"{column}_sd", "group", label, None, float(value))
                     for label, value in zip(labels, spread)]
        rows += [(generation, "group_share", "group", label, None, float(value))
                 for label, value in zip(labels, size / n)]
        total = exposure.sum()
        # (group, decile) of each level: the group's label, or "all" and the decile 1..10
        levels = {"group": [(label, None) for label in labels],
                  "score_decile": [(ALL, d) for d in range(1, 11)]}
        for by, key, count in (
            ("group", codes, size),
            ("score_decile", decile, np.bincount(decile, minlength=10)),
        ):
            rate = _sums(key, matched.astype(np.float64), len(levels[by])) / count
            share = _sums(key, exposure, len(levels[by])) / total
            rows += [(generation, "match_rate", by, group, d, float(value))
                     for (group, d), value in zip(levels[by], rate)]
            rows += [(generation, "exposure_share", by, group, d, float(value))
                     for (group, d), value in zip(levels[by], share)]
    return rows


def _sums(codes, values, n_levels):
    return np.bincount(codes, weights=values, minlength=n_levels)
