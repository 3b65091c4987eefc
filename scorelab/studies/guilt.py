"""Guilt by association in a two-group society (notebook 01).

Notebooks hold no model logic: each scenario here builds a society, scores it and returns
the numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorelab._validation import check_integer, check_probability, check_real
from scorelab.association import decompose, one_hop_mean, propagate
from scorelab.scoring import ScoringPolicy, draw_acts, own_score
from scorelab.society import GroupProfile
from scorelab.studies.common import two_group_society

__all__ = [
    "decomposition_by_citizen",
    "decomposition_by_group",
    "decomposition_checks",
    "guilt_by_association",
    "guilt_key_numbers",
    "minority_status_penalty",
    "scored_society",
    "well_behaved_by_ties",
]


def scored_society(
    n_citizens,
    *,
    minority_share=0.2,
    homophily=0.7,
    mean_degree=10.0,
    minority_wealth=0.6,
    n_acts=20,
    policy=None,
    rng=None,
):
    """A two-group homophilous society and its citizens' own scores.

    Both groups share the same distribution of disposition; the minority is poorer
    (median wealth ``minority_wealth`` against 1.0), which makes approved financial acts
    harder for them (:func:`scorelab.scoring.draw_acts`), so their own scores are lower
    on average through no difference in behaviour.

    Parameters
    ----------
    n_citizens : int
        Citizens (>= 2).
    minority_share : float, default 0.2
        Share of the minority group, in (0, 1).
    homophily : float, default 0.7
        Homophily of the ties (:func:`scorelab.society.homophilous_sbm`).
    mean_degree : float, default 10
        Mean number of ties.
    minority_wealth : float, default 0.6
        Median wealth of the minority (the majority's is 1).
    n_acts : int, default 20
        Acts per citizen and domain in the record.
    policy : ScoringPolicy, optional
        Default ``ScoringPolicy()``.
    rng : seed or Generator

    Returns
    -------
    society : Society
    own : pandas.Series
        Own scores indexed by citizen.

    Examples
    --------
    >>> society, own = scored_society(500, rng=1)
    >>> own.between(350, 950).all()
    np.True_
    """
    check_integer("n_citizens", n_citizens, minimum=2)
    minority_share = check_real("minority_share", minority_share, minimum=0.0, maximum=1.0,
                                open_min=True, open_max=True)
    policy = ScoringPolicy() if policy is None else policy
    society_rng, acts_rng = np.random.default_rng(rng).spawn(2)
    society = two_group_society(
        n_citizens, minority_share=minority_share, homophily=homophily,
        mean_degree=mean_degree, minority=GroupProfile(wealth_median=minority_wealth),
        rng=society_rng,
    )
    acts = draw_acts(society.citizens, n_acts=n_acts, rng=acts_rng)
    return society, own_score(acts, policy)


def minority_status_penalty(displayed, own, groups, *, group="minority"):
    """Points a ``group`` member displays less than an outsider with the same own score.

    The coefficient of group membership in the least-squares fit
    ``displayed ~ 1 + own + [group]``, sign flipped (positive = penalty).

    Examples
    --------
    >>> import pandas as pd
    >>> own = pd.Series([500.0, 600.0, 500.0, 600.0])
    >>> groups = pd.Series(["majority", "majority", "minority", "minority"])
    >>> float(round(minority_status_penalty(own - 20 * (groups == "minority"), own, groups), 6))
    20.0
    """
    member = (np.asarray(groups) == group).astype(float)
    design = np.column_stack([np.ones(len(member)), np.asarray(own, float), member])
    coef, *_ = np.linalg.lstsq(design, np.asarray(displayed, float), rcond=None)
    return -coef[2]


def guilt_by_association(
    n_citizens=2000,
    *,
    alpha=0.3,
    minority_share=0.2,
    homophily=0.7,
    mean_degree=10.0,
    minority_wealth=0.6,
    rng=None,
):
    """How association reshapes scores in a two-group society: one replicate's numbers.

    Builds :func:`scored_society`, propagates with the Friedkin-Johnsen equilibrium
    (:func:`scorelab.propagate`) at association weight ``alpha`` and reports, with
    ``effect = displayed - own``:

    - ``own_gap``, ``displayed_gap``: majority mean minus minority mean of each score;
    - ``minority_penalty``: :func:`minority_status_penalty`, the points a minority member
      loses against a majority member with the same own score;
    - ``effect_<group>``: mean association effect per group;
    - ``effect_well_behaved_<group>``: the same among citizens whose disposition is above
      the population median (who behave well and are still pulled down, or up);
    - ``hurt_share_<group>``: share losing more than 10 points;
    - ``own_displayed_correlation``: how much of the displayed ranking is still one's own.

    With ``alpha = 0`` every effect and the penalty are 0: the no-association baseline.

    Examples
    --------
    >>> row = guilt_by_association(500, alpha=0.0, rng=1)
    >>> row["minority_penalty"] == 0 or abs(row["minority_penalty"]) < 1e-9
    True
    """
    check_probability("alpha", alpha)
    society, own = scored_society(
        n_citizens, minority_share=minority_share, homophily=homophily,
        mean_degree=mean_degree, minority_wealth=minority_wealth, rng=rng,
    )
    displayed = propagate(society, own, alpha=alpha)
    effect = displayed - own
    citizens = society.citizens
    groups = citizens["group"]
    well_behaved = citizens["disposition"] >= citizens["disposition"].median()
    by_group = pd.DataFrame({"own": own, "displayed": displayed, "effect": effect,
                             "group": groups}).groupby("group", observed=True)
    means = by_group.mean()
    row = {
        "own_gap": means.loc["majority", "own"] - means.loc["minority", "own"],
        "displayed_gap": means.loc["majority", "displayed"] - means.loc["minority", "displayed"],
        "minority_penalty": minority_status_penalty(displayed, own, groups),
        "own_displayed_correlation": float(np.corrcoef(own, displayed)[0, 1]),
    }
    for group in ("majority", "minority"):
        member = groups == group
        row[f"effect_{group}"] = effect[member].mean()
        row[f"effect_well_behaved_{group}"] = effect[member & well_behaved].mean()
        row[f"hurt_share_{group}"] = (effect[member] < -10).mean()
    return {key: float(value) for key, value in row.items()}


def decomposition_by_citizen(society, own, *, alpha):
    """Each citizen's displayed score split into their own record and their ties'.

    Parameters
    ----------
    society : scorelab.society.Society
        E.g. from :func:`scored_society`, with groups ``majority`` and ``minority``.
    own : pandas.Series
        Own scores, indexed by citizen.
    alpha : float
        Association weight of the Friedkin-Johnsen equilibrium.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`scorelab.decompose` (``own_score``, ``displayed``,
        ``from_own``, ``from_others``, ``association_effect``, ...) and ``group``,
        ``own_record_share`` (``from_own / displayed``), ``well_behaved`` (disposition at
        least the median) and ``ties_to_minority`` (share of one's tie weight to minority
        members, :func:`scorelab.one_hop_mean` of membership).

    Examples
    --------
    >>> society, own = scored_society(200, rng=1)
    >>> parts = decomposition_by_citizen(society, own, alpha=0.0)
    >>> float(parts.own_record_share.min()), float(parts.association_effect.abs().max())
    (1.0, 0.0)
    """
    citizens = society.citizens
    parts = decompose(society, own, alpha=alpha)
    parts["group"] = citizens["group"]
    parts["own_record_share"] = parts["from_own"] / parts["displayed"]
    parts["well_behaved"] = citizens["disposition"] >= citizens["disposition"].median()
    parts["ties_to_minority"] = one_hop_mean(
        society, (citizens["group"] == "minority").astype(float), alpha=1.0)
    return parts


def decomposition_by_group(parts):
    """Group means of the scores and their decomposition (see :func:`decomposition_by_citizen`).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: mean ``own_score``, ``displayed``, ``from_own``, ``from_others``,
        ``association_effect`` and ``own_record_share``.
    """
    return parts.groupby("group", observed=True)[
        ["own_score", "displayed", "from_own", "from_others", "association_effect",
         "own_record_share"]
    ].mean()


def well_behaved_by_ties(parts, bins=(-0.01, 0.2, 0.4, 0.6, 0.8, 1.0)):
    """Association effect on well-behaved citizens by group and share of ties to the minority.

    Parameters
    ----------
    parts : pandas.DataFrame
        From :func:`decomposition_by_citizen`.
    bins : sequence of float
        Edges of the ``ties_to_minority`` bins (right-closed).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``group``, ``ties to minority`` bin): ``mean`` association effect and
        ``count`` of well-behaved citizens.
    """
    well = parts[parts.well_behaved].copy()
    well["ties to minority"] = pd.cut(well["ties_to_minority"], list(bins))
    return well.groupby(["group", "ties to minority"], observed=True)["association_effect"].agg(
        ["mean", "count"])


def decomposition_checks(parts):
    """Numbers that show the decomposition: its residual, own shares, who loses.

    Returns
    -------
    dict
        ``residual`` (largest ``|from_own + from_others - displayed|``, zero up to
        rounding), ``median_own_record_share`` and ``hurt_share`` (share of citizens
        losing more than 10 points to association).
    """
    return {
        "residual": (parts.from_own + parts.from_others - parts.displayed).abs().max(),
        "median_own_record_share": parts.own_record_share.median(),
        "hurt_share": (parts.association_effect < -10).mean(),
    }


def guilt_key_numbers(parts, runs, summary, *, alpha_grid, homophily_grid):
    """The numbers notebook 01 cites, from one society and a sweep of replicates.

    Parameters
    ----------
    parts : pandas.DataFrame
        From :func:`decomposition_by_citizen`.
    runs : pandas.DataFrame
        A sweep of :func:`guilt_by_association` over ``homophily`` and ``alpha``
        (including ``alpha = 0``).
    summary : pandas.DataFrame
        ``confidence_intervals(runs, ["alpha", "homophily"], metrics)`` including
        ``minority_penalty``.
    alpha_grid, homophily_grid : sequence of float
        The swept values.

    Returns
    -------
    pandas.DataFrame
        Indexed by description, columns ``mean``, ``low`` and ``high``: the median
        own-record share of the displayed score and the largest minority penalty without
        association (0: the baseline), both without an interval; the penalty at the
        strongest association in the most mixed and in the most segregated society, with
        its 95 % interval across replicates.
    """
    top_a = max(alpha_grid)
    penalty = summary[(summary.metric == "minority_penalty") & (summary.alpha == top_a)]
    columns = ["mean", "low", "high"]
    rows = {
        "median own-record share of displayed score":
            (parts.own_record_share.median(), np.nan, np.nan),
        "minority penalty, no association (baseline)":
            (runs[runs.alpha == 0.0].minority_penalty.abs().max(), np.nan, np.nan),
    }
    for homophily in (min(homophily_grid), max(homophily_grid)):
        rows[f"minority penalty, alpha={top_a}, homophily={homophily}"] = tuple(
            penalty.loc[penalty.homophily == homophily, columns].iloc[0])
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)
