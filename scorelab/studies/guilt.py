"""Guilt by association in a two-group society (notebook 01).

Notebooks hold no model logic: each scenario here builds a society, scores it and returns
the numbers a notebook plots, so that it can be swept, replicated and tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorelab.defaults import HOMOPHILY, MEAN_DEGREE, MINORITY_SHARE, MINORITY_WEALTH
from scorelab._validation import check_integer, check_probability, check_real, check_rng
from scorelab.association import decompose, one_hop_mean, propagate
from scorelab.findings import findings_frame
from scorelab.scoring import ScoringPolicy, draw_acts, own_score
from scorelab.society import GroupProfile
from scorelab.studies.common import finding_maker, two_group_society

__all__ = [
    "NOTEBOOK",
    "RESTS_ON",
    "decomposition_by_citizen",
    "decomposition_by_group",
    "decomposition_checks",
    "findings",
    "guilt_by_association",
    "homophily_slopes",
    "minority_status_penalty",
    "scored_society",
    "tie_slope",
    "well_behaved_by_ties",
]

NOTEBOOK = "01-guilt-by-association"

#: What each finding rests on, read from notebook 09's sensitivity table through the output
#: of its ``guilt`` model that measures the same quantity (the replicate's value of the
#: finding's measure in :func:`guilt_by_association`, over the society and the association
#: weight). Every finding is covered.
from scorelab.studies.sensitivity import rests_on_entry  # noqa: E402

RESTS_ON = {
    "guilt.minority-gap-change": rests_on_entry("guilt.gap_change"),
    "guilt.minority-mean-change": rests_on_entry("guilt.minority_mean_change"),
    "guilt.association-penalty": rests_on_entry("guilt.association_penalty"),
    "guilt.penalty-vs-homophily": rests_on_entry("guilt.penalty_homophily_slope"),
    "guilt.well-behaved-minority-loss": rests_on_entry("guilt.well_behaved_minority_change"),
    "guilt.loss-vs-ties-to-minority": rests_on_entry("guilt.ties_to_minority_slope"),
}


def scored_society(
    n_citizens,
    *,
    minority_share=MINORITY_SHARE,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    minority_wealth=MINORITY_WEALTH,
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
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7): the society and the acts draw from children of it.

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
    society_rng, acts_rng = np.random.default_rng(check_rng(rng)).spawn(2)
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

    Parameters
    ----------
    displayed, own : array_like of float
        Displayed and own scores, one per citizen, in the same order.
    groups : array_like
        Each citizen's group label.
    group : str, default "minority"
        The group whose penalty is measured (against everyone else).

    Returns
    -------
    float
        Points (on the score scale) a member of ``group`` displays below a non-member with
        the same own score; negative if members display more.

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


def tie_slope(effect, own, ties_to_minority, well_behaved):
    """Points of association effect per unit share of ties to the minority, at equal own score.

    The coefficient of ``ties_to_minority`` in the least-squares fit
    ``effect ~ 1 + own + ties_to_minority`` among the ``well_behaved`` citizens: negative
    when well-behaved citizens whose ties lead into the (poorer) minority lose more than
    those with the same own score whose ties do not. ``nan`` when fewer than 4 citizens are
    well-behaved or their ties do not vary.

    Parameters
    ----------
    effect : array_like of float
        Association effect, displayed minus own score, per citizen (points).
    own : array_like of float
        Own scores, in the same order.
    ties_to_minority : array_like of float
        Each citizen's share of ties to the minority, in [0, 1].
    well_behaved : array_like of bool
        Which citizens enter the fit.

    Returns
    -------
    float
        Points of effect per unit share of ties to the minority (``nan`` as above).

    Examples
    --------
    >>> import numpy as np
    >>> ties = np.array([0.0, 0.5, 1.0, 0.2, 0.8])
    >>> own = np.array([600.0, 620.0, 640.0, 610.0, 650.0])
    >>> float(round(tie_slope(-30 * ties + 0.1 * own, own, ties, np.ones(5, bool)), 6))
    -30.0
    """
    well = np.asarray(well_behaved, bool)
    ties = np.asarray(ties_to_minority, float)[well]
    if well.sum() < 4 or np.ptp(ties) == 0:
        return np.nan
    design = np.column_stack([np.ones(len(ties)), np.asarray(own, float)[well], ties])
    coef, *_ = np.linalg.lstsq(design, np.asarray(effect, float)[well], rcond=None)
    return coef[2]


def guilt_by_association(
    n_citizens=2000,
    *,
    alpha=0.3,
    minority_share=MINORITY_SHARE,
    homophily=HOMOPHILY,
    mean_degree=MEAN_DEGREE,
    minority_wealth=MINORITY_WEALTH,
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
    - ``own_displayed_correlation``: how much of the displayed ranking is still one's own;
    - ``gap_change``: ``displayed_gap - own_gap`` (negative: association narrows the gap;
      equal to ``effect_majority - effect_minority``);
    - ``loss_vs_ties_slope``: :func:`tie_slope` of the association effect on the share of
      one's ties to the minority among well-behaved citizens, at equal own score.

    With ``alpha = 0`` every effect, the gap change, the slope and the penalty are 0: the
    no-association baseline, paired with the same society (the own scores).

    Parameters
    ----------
    n_citizens : int, default 2000
        Citizens of both groups together (>= 2).
    alpha : float in [0, 1], default 0.3
        Association weight of :func:`scorelab.propagate` (0: displayed = own score).
    minority_share : float in (0, 1), default 0.2 (:data:`scorelab.defaults.MINORITY_SHARE`)
        The minority's share of the citizens.
    homophily : float in [0, 1], default 0.7 (:data:`scorelab.defaults.HOMOPHILY`)
        Share of ties kept within the own group (:func:`scorelab.society.homophilous_sbm`).
    mean_degree : float, default 10 (:data:`scorelab.defaults.MEAN_DEGREE`)
        Mean number of ties per citizen.
    minority_wealth : float, default 0.6 (:data:`scorelab.defaults.MINORITY_WEALTH`)
        The minority's median wealth, the majority's being 1; the only difference between
        the groups, so the minority's lower own scores come from wealth, not behaviour.
    rng : None, int, numpy.random.Generator or SeedSequence
        Source of randomness (SPEC 7). The society and the acts depend on it alone, not on
        ``alpha``: runs that share ``rng`` at different ``alpha`` score the same society,
        so ``sweep(..., pair_over=["alpha"])`` pairs them.

    Returns
    -------
    dict of str to float
        The measures listed above, in points of the score scale (shares and the
        correlation unitless).

    Notes
    -----
    **The displayed gap and the minority penalty can move in opposite directions.**
    ``gap_change`` (the group-level consequence) is usually negative: association pulls
    every citizen towards the scores of their ties, and the minority's cross-group ties
    lead to richer, higher-scoring majority members, so the minority's mean rises and the
    majority's falls: the displayed gap narrows. ``minority_penalty`` (the conditional
    effect) is usually positive and grows with homophily: a minority member's ties lead
    mostly into the poorer minority, so at the *same own score* they display less than a
    majority member. The first compares group means, which association compresses; the
    second compares equals, whom association separates by whom they know. Cite both
    (docs of the findings: a conditional effect beside its group-level consequence).

    Checked against the closed form at ``alpha = 0`` (every effect zero) and, in the
    tests, against :func:`scorelab.association.decompose`.

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
        "loss_vs_ties_slope": tie_slope(
            effect, own, one_hop_mean(society, (groups == "minority").astype(float), alpha=1.0),
            well_behaved),
    }
    row["gap_change"] = row["displayed_gap"] - row["own_gap"]
    for group in ("majority", "minority"):
        member = groups == group
        row[f"effect_{group}"] = effect[member].mean()
        row[f"effect_well_behaved_{group}"] = effect[member & well_behaved].mean()
        row[f"hurt_share_{group}"] = (effect[member] < -10).mean()
    return {key: float(value) for key, value in row.items()}


def decomposition_by_citizen(society, own, *, alpha):
    """Each citizen's displayed score split into their own record and their ties', in points.

    With :math:`M = (I - \\alpha W)^{-1}(1 - \\alpha)` (rows sum to 1) and :math:`\\bar s`
    the mean own score, the displayed score's deviation from :math:`\\bar s` splits as

    .. math:: x_i - \\bar s = \\underbrace{M_{ii}(s_i - \\bar s)}_{\\text{own part}}
              + \\underbrace{\\textstyle\\sum_{j \\ne i} M_{ij}(s_j - \\bar s)}_{\\text{others' part}}

    and the association effect :math:`x_i - s_i = \\sum_{j \\ne i} M_{ij}(s_j - s_i)`.
    Both parts are in points and do not move when the scale's zero moves (adding a constant
    to every own score leaves them unchanged), unlike ``from_own / displayed``, which depends
    on where the 350-950 scale starts. The own weight :math:`M_{ii}` is about
    :math:`1 - \\alpha` plus what echoes back through one's ties: it follows from the
    formula, by assumption, and is not a finding.

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
        ``own_weight`` (:math:`M_{ii}`), ``own_part`` and ``others_part`` (above, points),
        ``well_behaved`` (disposition at least the median) and ``ties_to_minority`` (share
        of one's tie weight to minority members, :func:`scorelab.one_hop_mean` of
        membership).

    Examples
    --------
    >>> society, own = scored_society(200, rng=1)
    >>> parts = decomposition_by_citizen(society, own, alpha=0.0)
    >>> float(parts.own_weight.min()), float(parts.others_part.abs().max())
    (1.0, 0.0)
    """
    citizens = society.citizens
    parts = decompose(society, own, alpha=alpha)
    parts["group"] = citizens["group"]
    centre = parts["own_score"].mean()
    parts["own_weight"] = parts["from_own"] / parts["own_score"]
    parts["own_part"] = parts["own_weight"] * (parts["own_score"] - centre)
    parts["others_part"] = parts["displayed"] - centre - parts["own_part"]
    parts["well_behaved"] = citizens["disposition"] >= citizens["disposition"].median()
    parts["ties_to_minority"] = one_hop_mean(
        society, (citizens["group"] == "minority").astype(float), alpha=1.0)
    return parts


def decomposition_by_group(parts):
    """Group means of the scores and their decomposition in points (:func:`decomposition_by_citizen`).

    Parameters
    ----------
    parts : pandas.DataFrame
        From :func:`decomposition_by_citizen`.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: mean ``own_score``, ``displayed``, ``association_effect``,
        ``own_part``, ``others_part`` (points, relative to the mean own score) and
        ``own_weight``.
    """
    return parts.groupby("group", observed=True)[
        ["own_score", "displayed", "association_effect", "own_part", "others_part",
         "own_weight"]
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
    """Numbers that show the decomposition: its residual, the own weight, who loses.

    Parameters
    ----------
    parts : pandas.DataFrame
        From :func:`decomposition_by_citizen`.

    Returns
    -------
    dict
        ``residual`` (largest ``|from_own + from_others - displayed|``, zero up to
        rounding), ``median_own_weight`` (median :math:`M_{ii}`, about ``1 - alpha`` by
        assumption), ``own_variance_share`` (share of the variance of displayed scores
        carried by the own parts, :math:`\\mathrm{cov}(\\text{own part}, x)/\\mathrm{var}(x)`;
        the others' parts carry the rest; unchanged when the scale's zero moves),
        ``mean_abs_effect`` (mean ``|displayed - own|``, points) and ``hurt_share`` (share
        of citizens losing more than 10 points to association).
    """
    deviation = parts.displayed - parts.displayed.mean()
    return {
        "residual": (parts.from_own + parts.from_others - parts.displayed).abs().max(),
        "median_own_weight": parts.own_weight.median(),
        "own_variance_share": float((parts.own_part - parts.own_part.mean()) @ deviation
                                    / (deviation @ deviation)),
        "mean_abs_effect": parts.association_effect.abs().mean(),
        "hurt_share": (parts.association_effect < -10).mean(),
    }


def _at(runs, **point):
    """The runs of one grid point, in replicate order."""
    chosen = runs
    for name, value in point.items():
        chosen = chosen[np.isclose(chosen[name], value)]
    if chosen.empty:
        raise ValueError(f"runs hold no grid point {point}")
    return chosen.sort_values("replicate")


def homophily_slopes(runs, *, alpha):
    """Per replicate, the slope of the minority penalty on homophily at association ``alpha``.

    Replicate ``r`` of every grid point of a :func:`scorelab.experiments.sweep` is an
    independent society, so the slopes of the replicates are independent estimates of
    the same slope (points of penalty per unit of homophily).

    Parameters
    ----------
    runs : pandas.DataFrame
        A sweep of :func:`guilt_by_association` over ``homophily`` (at least 2 values)
        and ``alpha``, with ``replicate`` and ``minority_penalty`` columns.
    alpha : float
        The association weight whose runs are used.

    Returns
    -------
    numpy.ndarray
        One least-squares slope per replicate, in replicate order.

    Raises
    ------
    ValueError
        If the runs at ``alpha`` hold fewer than 2 homophily values.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"alpha": 0.3, "homophily": [0.0, 1.0, 0.0, 1.0],
    ...                      "replicate": [0, 0, 1, 1], "minority_penalty": [0, 10, 1, 9]})
    >>> homophily_slopes(runs, alpha=0.3).round(6).tolist()
    [10.0, 8.0]
    """
    chosen = runs[np.isclose(runs["alpha"], alpha)]
    if chosen["homophily"].nunique() < 2:
        raise ValueError(f"runs at alpha = {alpha} must hold at least 2 homophily values")
    return np.array([np.polyfit(rows["homophily"], rows["minority_penalty"], 1)[0]
                     for _, rows in chosen.groupby("replicate")])


def findings(runs, *, alpha, homophily, n_citizens, seed, scale="default"):
    """Notebook 01's findings register from a sweep of :func:`guilt_by_association`.

    Parameters
    ----------
    runs : pandas.DataFrame
        ``sweep(guilt_by_association, {"homophily": [...], "alpha": [...]}, ...)`` with at
        least 2 replicates per point, 2 homophily values, and ``alpha`` among the alphas.
    alpha, homophily : float
        The grid point the group-level findings are read at.
    n_citizens, seed : int
        Citizens per replicate and the root seed of the sweep.
    scale : {"default", "full"}

    Returns
    -------
    pandas.DataFrame
        The validated register (:func:`scorelab.findings.findings_frame`), one row per id of
        :data:`RESTS_ON`:

        - ``guilt.minority-gap-change``: displayed gap minus own gap (majority mean minus
          minority mean), paired with the own gap of the same society, which is the
          no-association counterfactual (negative: association narrows the gap);
        - ``guilt.minority-mean-change``: the minority's mean ``displayed - own``;
        - ``guilt.association-penalty``: the conditional penalty at equal own score
          (:func:`minority_status_penalty`; 0 without association);
        - ``guilt.penalty-vs-homophily``: :func:`homophily_slopes` at ``alpha``;
        - ``guilt.well-behaved-minority-loss``: mean ``displayed - own`` of well-behaved
          minority members;
        - ``guilt.loss-vs-ties-to-minority``: :func:`tie_slope` (at equal own score).

    Examples
    --------
    >>> from scorelab.experiments import sweep
    >>> runs = sweep(guilt_by_association, {"homophily": [0.2, 0.9], "alpha": [0.3]},
    ...              n_replicates=3, rng=1, fixed=dict(n_citizens=400))
    >>> register = findings(runs, alpha=0.3, homophily=0.9, n_citizens=400, seed=1)
    >>> register.id.tolist() == list(RESTS_ON)
    True
    """
    point = _at(runs, alpha=alpha, homophily=homophily)
    row = finding_maker(NOTEBOOK, RESTS_ON, n_citizens=n_citizens, seed=seed, scale=scale)
    where = f"(alpha {alpha}, homophily {homophily})"
    return findings_frame([
        row("guilt.minority-gap-change", point["displayed_gap"],
            f"Displayed minus own group gap, majority minus minority mean, points {where}.",
            counterfactual=point["own_gap"]),
        row("guilt.minority-mean-change", point["effect_minority"],
            f"The minority's mean change from association, displayed minus own, points {where}."),
        row("guilt.association-penalty", point["minority_penalty"],
            f"Points a minority member displays below a majority member with the same own "
            f"score {where}; 0 without association."),
        row("guilt.penalty-vs-homophily", homophily_slopes(runs, alpha=alpha),
            f"Slope of that penalty on homophily, points per unit homophily (alpha {alpha})."),
        row("guilt.well-behaved-minority-loss", point["effect_well_behaved_minority"],
            f"Mean change, displayed minus own, of minority members with disposition above "
            f"the median, points {where}."),
        row("guilt.loss-vs-ties-to-minority", point["loss_vs_ties_slope"],
            f"Among well-behaved citizens at equal own score, change in the association "
            f"effect per unit share of ties to the minority, points {where}."),
    ])
