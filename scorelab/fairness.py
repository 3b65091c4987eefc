"""Fairness of the citizen game: group gaps, disparate impact, equal opportunity, calibration.

Every function takes per-citizen values (pandas Series indexed by citizen, or arrays in
citizen order) and one group label per citizen, and returns a pandas object indexed by
group. Group gaps are measured against a *reference* group, by default the largest one
(the majority): ``gap = mean(reference) - mean(group)``, so a positive gap means the group
is behind.

====================================  ==============================================================
:func:`score_gaps`                    group means of own and displayed scores and their gaps
:func:`access_by_group`               gate access rate, impact ratio and the four-fifths rule
:func:`disparate_impact`              lowest group access rate / highest (one number)
:func:`equal_opportunity`             access of the *qualified* by group, against latent disposition
:func:`equal_opportunity_gap`         largest minus smallest true-positive rate (one number)
:func:`equal_opportunity_thresholds`  group-aware thresholds that equalise it
:func:`calibration`                   mean disposition per score bin and group
:func:`calibration_gap`               how much better a group behaves than the reference at equal score
:func:`association_penalty`           share of each group's gap that comes from its ties
:func:`isolation_by_group`            tie weight lost, low scorers isolated, by group
:func:`replicate_intervals`           confidence intervals of any of these across replicates
====================================  ==============================================================

"Qualified" citizens are those whose latent ``disposition`` (their propensity to act as
approved absent incentives) is at least ``qualified``: equal opportunity asks whether they
get access at the same rate in every group, whatever the score says (Hardt et al. 2016);
a qualified citizen denied access is a false negative of the gate.

Bad input raises ``ValueError`` or ``TypeError`` naming what is wrong: missing group labels,
a single group, a group without members, NaN values, mismatched lengths, dispositions or
probabilities outside [0, 1].

References
----------
.. [HPS16] M. Hardt, E. Price and N. Srebro (2016), "Equality of opportunity in supervised
   learning", NeurIPS 29. https://arxiv.org/abs/1610.02413
.. [EEOC78] U.S. Equal Employment Opportunity Commission (1978), Uniform Guidelines on
   Employee Selection Procedures, 29 CFR 1607.4(D) (the four-fifths rule).
.. [FFM15] M. Feldman, S. Friedler, J. Moeller, C. Scheidegger and S. Venkatasubramanian
   (2015), "Certifying and removing disparate impact", KDD '15.
   https://doi.org/10.1145/2783258.2783311
.. [LDR18] L. T. Liu, S. Dean, E. Rolf, M. Simchowitz and M. Hardt (2018), "Delayed impact
   of fair machine learning", ICML, PMLR 80:3150-3158. https://arxiv.org/abs/1803.04383
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorelab._graph import align_to_nodes, group_codes
from scorelab._validation import check_integer, check_probability, check_real, plain, shown
from scorelab.experiments import confidence_intervals

__all__ = [
    "FOUR_FIFTHS",
    "access_by_group",
    "association_penalty",
    "calibration",
    "calibration_gap",
    "disparate_impact",
    "equal_opportunity",
    "equal_opportunity_gap",
    "equal_opportunity_thresholds",
    "isolation_by_group",
    "replicate_intervals",
    "score_gaps",
]

FOUR_FIFTHS = 0.8
"""The four-fifths rule: an impact ratio below 0.8 is evidence of adverse impact."""


# --------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------


def _index_of(*candidates):
    """The citizen index of the first pandas argument (None if all are arrays)."""
    for values in candidates:
        if isinstance(values, (pd.Series, pd.DataFrame)):
            return values.index
    return None


def _groups(groups, n, index):
    """Group codes and labels; at least two groups, every group with members."""
    if groups is None:
        raise ValueError("groups is missing: give one group label per citizen")
    if n == 0:
        raise ValueError("no citizens: the values are empty")
    codes, labels = group_codes(groups, n, index)
    if len(labels) < 2:
        raise ValueError(f"groups must name at least two groups to compare, got only "
                         f"{plain(labels)}")
    sizes = np.bincount(codes, minlength=len(labels))
    if (sizes == 0).any():
        empty = [labels[k] for k in np.flatnonzero(sizes == 0)]
        raise ValueError(f"group(s) {empty} have no members; drop unused categories "
                         f"(e.g. groups.cat.remove_unused_categories())")
    return codes, labels, sizes


def _reference(reference, labels, sizes):
    """The reference group's position: the given label, or the largest group."""
    if reference is None:
        return int(np.argmax(sizes))
    if reference not in labels:
        raise ValueError(f"reference must be one of the groups {plain(labels)}, "
                         f"got {plain(reference)!r}")
    return int(labels.get_loc(reference))


def _group_means(values, codes, n_groups):
    sums = np.bincount(codes, weights=values, minlength=n_groups)
    counts = np.bincount(codes, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


# --------------------------------------------------------------------------------------
# Scores and access
# --------------------------------------------------------------------------------------


def score_gaps(scores, groups, *, reference=None):
    """Each group's mean score(s) and its gap behind the reference group.

    Parameters
    ----------
    scores : pandas.DataFrame, pandas.Series or array_like
        One or more scores per citizen (e.g. columns ``own`` and ``displayed``).
    groups : pandas.Series or array_like
        One group label per citizen (a Series is aligned on the citizens' index).
    reference : group label, optional
        The group gaps are measured against; default the largest group.

    Returns
    -------
    pandas.DataFrame
        Indexed by group; for each score column ``c``, ``c_mean`` and
        ``c_gap = mean(reference) - mean(group)`` (positive: behind the reference).

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"own": [700, 600, 500, 500], "displayed": [690, 610, 520, 500]})
    >>> score_gaps(scores, ["a", "a", "b", "b"]).loc["b"].tolist()
    [500.0, 150.0, 510.0, 140.0]
    """
    frame = scores if isinstance(scores, pd.DataFrame) else pd.DataFrame(
        {getattr(scores, "name", None) or "score": scores})
    n, index = len(frame), _index_of(scores)
    citizens = n if index is None else index  # labels to align on, or a count
    codes, labels, sizes = _groups(groups, n, index)
    ref = _reference(reference, labels, sizes)
    result = {}
    for column in frame.columns:
        values = align_to_nodes(frame[column], citizens, name=f"scores[{column!r}]", ndim=1)
        means = _group_means(values, codes, len(labels))
        result[f"{column}_mean"] = means
        result[f"{column}_gap"] = means[ref] - means
    return pd.DataFrame(result, index=labels)


def access_by_group(access, groups, *, four_fifths=FOUR_FIFTHS):
    """Gate access rate per group, its ratio to the best-served group, and the 4/5 rule.

    Parameters
    ----------
    access : array_like of bool or pandas.Series
        Whether each citizen passes the gate (e.g. ``displayed >= threshold``).
    groups : pandas.Series or array_like
        One group label per citizen.
    four_fifths : float in [0, 1], default 0.8
        Impact ratio below which a group is flagged.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``access_rate``, ``impact_ratio`` (the group's rate over the
        highest group rate; NaN if no group has access) and ``adverse_impact``
        (``impact_ratio < four_fifths``).

    Notes
    -----
    The impact ratio of group ``g`` is :math:`P(\\text{access} | g) / \\max_h
    P(\\text{access} | h)`; US employment law reads a ratio below 4/5 as evidence of
    adverse impact [EEOC78]_ [FFM15]_.

    Examples
    --------
    >>> access_by_group([True, True, True, False, True, False, False, False],
    ...                 ["a"] * 4 + ["b"] * 4).round(3).to_dict("index")["b"]
    {'access_rate': 0.25, 'impact_ratio': 0.333, 'adverse_impact': True}
    """
    four_fifths = check_probability("four_fifths", four_fifths)
    n, index = len(access), _index_of(access, groups)
    citizens = n if index is None else index  # labels to align on, or a count
    codes, labels, _ = _groups(groups, n, index)
    passes = align_to_nodes(access, citizens, name="access", ndim=1, boolean=True)
    rates = _group_means(passes.astype(float), codes, len(labels))
    top = rates.max()
    ratio = rates / top if top > 0 else np.full(len(labels), np.nan)
    return pd.DataFrame({"access_rate": rates, "impact_ratio": ratio,
                         "adverse_impact": ratio < four_fifths}, index=labels)


def disparate_impact(access, groups):
    """Lowest group access rate divided by the highest: 1 is parity, < 0.8 adverse impact.

    NaN when no group has access. See :func:`access_by_group` for the per-group table.

    Examples
    --------
    >>> disparate_impact([True, True, True, False, True, False, False, False],
    ...                  ["a"] * 4 + ["b"] * 4)
    0.3333333333333333
    """
    return float(access_by_group(access, groups)["impact_ratio"].min())


def equal_opportunity(access, disposition, groups, *, qualified=0.6):
    """Gate access of the qualified (by latent disposition), and the errors, by group.

    Parameters
    ----------
    access : array_like of bool or pandas.Series
        Whether each citizen passes the gate.
    disposition : array_like or pandas.Series
        Latent disposition in [0, 1]: how the citizen behaves absent incentives.
    groups : pandas.Series or array_like
        One group label per citizen.
    qualified : float in [0, 1], default 0.6
        Citizens with ``disposition >= qualified`` deserve access (the population's mean
        disposition under the default :class:`~scorelab.society.GroupProfile`).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``n_qualified``, ``true_positive_rate`` (share of the qualified
        with access), ``false_negative_rate`` (share of the qualified denied:
        ``1 - true_positive_rate``) and ``false_positive_rate`` (share of the unqualified
        with access). A rate is NaN where its denominator is empty.

    Notes
    -----
    Equal opportunity [HPS16]_ holds when the true-positive rate is the same in every
    group; here the "label" is the latent disposition the score is meant to measure, so
    a false negative is a citizen denied although they behave as approved.

    Examples
    --------
    >>> table = equal_opportunity([True, False, True, False], [0.9, 0.8, 0.7, 0.2],
    ...                           ["a", "a", "b", "b"], qualified=0.5)
    >>> table["true_positive_rate"].tolist(), table["false_negative_rate"].tolist()
    ([0.5, 1.0], [0.5, 0.0])
    """
    qualified = check_probability("qualified", qualified)
    n, index = len(access), _index_of(access, disposition, groups)
    citizens = n if index is None else index  # labels to align on, or a count
    codes, labels, _ = _groups(groups, n, index)
    passes = align_to_nodes(access, citizens, name="access", ndim=1, boolean=True)
    d = align_to_nodes(disposition, citizens, name="disposition", ndim=1,
                       minimum=0.0, maximum=1.0)
    good = d >= qualified
    k = len(labels)
    n_good = np.bincount(codes[good], minlength=k)
    n_bad = np.bincount(codes[~good], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = np.where(n_good > 0, np.bincount(codes[good & passes], minlength=k) / n_good,
                       np.nan)
        fpr = np.where(n_bad > 0, np.bincount(codes[~good & passes], minlength=k) / n_bad,
                       np.nan)
    return pd.DataFrame({"n_qualified": n_good, "true_positive_rate": tpr,
                         "false_negative_rate": 1.0 - tpr, "false_positive_rate": fpr},
                        index=labels)


def equal_opportunity_gap(access, disposition, groups, *, qualified=0.6):
    """Largest minus smallest true-positive rate across groups (0 = equal opportunity).

    Examples
    --------
    >>> equal_opportunity_gap([True, False, True, False], [0.9, 0.8, 0.7, 0.2],
    ...                       ["a", "a", "b", "b"], qualified=0.5)
    0.5
    """
    tpr = equal_opportunity(access, disposition, groups, qualified=qualified)[
        "true_positive_rate"]
    return float(tpr.max() - tpr.min())


def equal_opportunity_thresholds(scores, disposition, groups, *, target_rate, qualified=0.6):
    """Group-aware thresholds giving every group's qualified the same access rate.

    Parameters
    ----------
    scores : array_like or pandas.Series
        The scores the gate reads.
    disposition, groups, qualified
        As in :func:`equal_opportunity`.
    target_rate : float in [0, 1]
        The true-positive rate every group should reach (e.g. the population's rate under
        one group-blind threshold, so that the qualified overall keep their access).

    Returns
    -------
    pandas.Series
        Threshold per group, named ``"threshold"``: the lowest score such that at least
        ``target_rate`` of the group's qualified score at or above it (``+inf`` when
        ``target_rate`` is 0; NaN for a group without qualified members). Gate with
        ``scores >= thresholds[groups]``.

    Notes
    -----
    This is the post-processing of Hardt et al. [HPS16]_ without randomisation: with ties
    in the scores a group can overshoot the target slightly. Equalising the qualified's
    access moves the other citizens' access too; :func:`equal_opportunity` reports both.

    Examples
    --------
    >>> equal_opportunity_thresholds([700, 600, 500, 650, 450, 400], [0.9, 0.8, 0.1, 0.9, 0.8, 0.1],
    ...                              ["a", "a", "a", "b", "b", "b"], target_rate=0.5,
    ...                              qualified=0.5).tolist()
    [700.0, 650.0]
    """
    target_rate = check_probability("target_rate", target_rate)
    qualified = check_probability("qualified", qualified)
    n, index = len(scores), _index_of(scores, disposition, groups)
    citizens = n if index is None else index  # labels to align on, or a count
    codes, labels, _ = _groups(groups, n, index)
    s = align_to_nodes(scores, citizens, name="scores", ndim=1)
    good = align_to_nodes(disposition, citizens, name="disposition", ndim=1, minimum=0.0,
                          maximum=1.0) >= qualified
    thresholds = np.full(len(labels), np.nan)
    for code in range(len(labels)):
        ranked = np.sort(s[good & (codes == code)])[::-1]
        if not len(ranked):
            continue
        needed = int(np.ceil(target_rate * len(ranked) - 1e-12))
        thresholds[code] = np.inf if needed == 0 else ranked[needed - 1]
    return pd.Series(thresholds, index=labels, name="threshold")


def calibration(scores, disposition, groups, *, bins=5):
    """Mean latent disposition per score bin and group: does a score mean the same for all?

    Parameters
    ----------
    scores : array_like or pandas.Series
    disposition : array_like or pandas.Series
        Latent disposition in [0, 1].
    groups : pandas.Series or array_like
    bins : int or sequence of float, default 5
        Number of equal-width bins over the range of all scores (shared by every group),
        or the bin edges.

    Returns
    -------
    pandas.DataFrame
        One row per (``group``, ``score_bin``) with members: ``score_bin`` (an Interval),
        ``n``, ``mean_score`` and ``mean_disposition``.

    Notes
    -----
    A score is calibrated across groups when citizens with the same score have the same
    expected disposition whatever their group. A group whose ``mean_disposition`` lies
    above the reference's in the same bin is under-rated: its score says less of it than
    its behaviour would.

    Examples
    --------
    >>> table = calibration([400, 420, 800, 820], [0.2, 0.4, 0.7, 0.9], ["a", "b", "a", "b"],
    ...                     bins=[350, 600, 950])
    >>> table["mean_disposition"].tolist()
    [0.2, 0.7, 0.4, 0.9]
    """
    n, index = len(scores), _index_of(scores, disposition, groups)
    citizens = n if index is None else index  # labels to align on, or a count
    codes, labels, _ = _groups(groups, n, index)
    s = align_to_nodes(scores, citizens, name="scores", ndim=1)
    d = align_to_nodes(disposition, citizens, name="disposition", ndim=1,
                       minimum=0.0, maximum=1.0)
    if np.ndim(bins) == 0:
        bins = check_integer("bins", bins, minimum=1)
    else:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError(f"bins must be an integer or increasing edges, got {shown(bins)}")
        if s.min() < edges[0] or s.max() > edges[-1]:
            raise ValueError(f"bins {edges.tolist()} do not cover the scores "
                             f"[{s.min()}, {s.max()}]")
    score_bin = pd.cut(s, bins, include_lowest=True)
    frame = pd.DataFrame({"group": pd.Categorical.from_codes(codes, labels),
                          "score_bin": score_bin, "score": s, "disposition": d})
    table = frame.groupby(["group", "score_bin"], observed=True).agg(
        n=("score", "size"), mean_score=("score", "mean"),
        mean_disposition=("disposition", "mean"))
    return table.reset_index()


def calibration_gap(scores, disposition, groups, *, bins=5, reference=None):
    """How much better each group behaves than the reference group at equal score.

    The mean over score bins of ``mean_disposition(group) - mean_disposition(reference)``
    (from :func:`calibration`), weighted by the group's members in each bin that the
    reference also occupies. Positive: the score under-rates the group.

    Returns
    -------
    pandas.Series
        Named ``"calibration_gap"``, indexed by group (0 for the reference; NaN for a group
        sharing no bin with it).

    Examples
    --------
    >>> calibration_gap([400, 420, 800, 820], [0.2, 0.4, 0.7, 0.9], ["a", "b", "a", "b"],
    ...                 bins=[350, 600, 950], reference="a").round(3).tolist()
    [0.0, 0.2]
    """
    n, index = len(scores), _index_of(scores, disposition, groups)
    _, labels, sizes = _groups(groups, n, index)
    ref = labels[_reference(reference, labels, sizes)]
    table = calibration(scores, disposition, groups, bins=bins)
    wide = table.pivot(index="score_bin", columns="group", values="mean_disposition")
    counts = table.pivot(index="score_bin", columns="group", values="n")
    gaps = {}
    for label in labels:
        shared = wide[label].notna() & wide[ref].notna()
        weight = counts.loc[shared, label]
        diff = (wide.loc[shared, label] - wide.loc[shared, ref])
        gaps[label] = float((diff * weight).sum() / weight.sum()) if weight.sum() else np.nan
    return pd.Series(gaps, name="calibration_gap").rename_axis("group")


# --------------------------------------------------------------------------------------
# Association and ostracism
# --------------------------------------------------------------------------------------

_DECOMPOSITION = ("own_score", "displayed", "from_own", "from_others")


def association_penalty(decomposition, groups, *, reference=None):
    """How much of each group's displayed-score gap comes from its ties, not its own record.

    Parameters
    ----------
    decomposition : pandas.DataFrame
        The exact split of :func:`scorelab.decompose` (columns ``own_score``,
        ``displayed``, ``from_own``, ``from_others``), indexed by citizen.
    groups : pandas.Series or array_like
        One group label per citizen.
    reference : group label, optional
        Default the largest group.

    Returns
    -------
    pandas.DataFrame
        Indexed by group, gaps behind the reference (reference mean minus group mean):
        ``own_gap`` (own scores), ``displayed_gap``, ``from_own_gap`` and
        ``from_others_gap`` (``from_own_gap + from_others_gap = displayed_gap``),
        ``association_gap = displayed_gap - own_gap`` (what association adds to the gap;
        negative when it narrows it) and ``from_ties_share = from_others_gap /
        displayed_gap`` (NaN where the displayed gap is 0, e.g. for the reference).

    Notes
    -----
    The displayed score is :math:`x_i = M_{ii}s_i + \\sum_{j\\ne i} M_{ij} s_j` exactly
    (Friedkin & Johnsen 1999), so the group gap in :math:`x` splits exactly into the gap in
    what the groups' own records contribute and the gap in what their ties contribute.
    With ties mixed at random, every group's ties contribute alike and the share from ties
    is near 0; with homophily a poorer minority's ties are poorer too.

    Examples
    --------
    >>> import pandas as pd
    >>> parts = pd.DataFrame({"own_score": [700, 700, 500, 500], "displayed": [680, 680, 520, 520],
    ...                       "from_own": [500, 500, 400, 400], "from_others": [180, 180, 120, 120]})
    >>> association_penalty(parts, ["a", "a", "b", "b"]).loc["b", ["displayed_gap", "from_ties_share"]].tolist()
    [160.0, 0.375]
    """
    if not isinstance(decomposition, pd.DataFrame):
        raise TypeError(f"decomposition must be the DataFrame of scorelab.decompose, got "
                        f"{type(decomposition).__name__}")
    missing = [c for c in _DECOMPOSITION if c not in decomposition.columns]
    if missing:
        raise ValueError(f"decomposition is missing column(s) {missing}; pass the result of "
                         f"scorelab.decompose")
    gaps = score_gaps(decomposition[list(_DECOMPOSITION)], groups, reference=reference)
    table = pd.DataFrame({
        "own_gap": gaps["own_score_gap"],
        "displayed_gap": gaps["displayed_gap"],
        "from_own_gap": gaps["from_own_gap"],
        "from_others_gap": gaps["from_others_gap"],
    })
    table["association_gap"] = table["displayed_gap"] - table["own_gap"]
    displayed = table["displayed_gap"].where(table["displayed_gap"].abs() > 1e-12)
    table["from_ties_share"] = table["from_others_gap"] / displayed
    return table


def isolation_by_group(degree_before, degree_after, scores, groups, *, quantile=0.1):
    """Ostracism by group: tie weight lost, and low scorers left isolated.

    Parameters
    ----------
    degree_before, degree_after : array_like or pandas.Series
        Each citizen's (weighted) degree at the start and at the end, e.g. the ``degree``
        column of :func:`scorelab.simulate`'s panel at two steps. Non-negative.
    scores : array_like or pandas.Series
        Scores at the end; the low scorers are those at or below the population's
        ``quantile`` (the same cut-off for every group, as in
        :func:`scorelab.metrics.isolation_rate`).
    groups : pandas.Series or array_like
    quantile : float in (0, 1], default 0.1

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``mean_degree_before``, ``mean_degree_after``,
        ``degree_lost_share`` (``1 - sum(after) / sum(before)``; negative if the group
        gained ties), ``low_scorer_share`` (share of the group among the low scorers'
        ranks, i.e. share of its members who are low scorers) and ``isolated_low_scorers``
        (share of its low scorers with no tie left; NaN if it has none).

    Examples
    --------
    >>> table = isolation_by_group([2, 2, 2, 2], [2, 1, 0, 2], [800, 700, 400, 450],
    ...                            ["a", "a", "b", "b"], quantile=0.5)
    >>> table[["degree_lost_share", "low_scorer_share", "isolated_low_scorers"]].to_dict("list")
    {'degree_lost_share': [0.25, 0.5], 'low_scorer_share': [0.0, 1.0], 'isolated_low_scorers': [nan, 0.5]}
    """
    quantile = check_real("quantile", quantile, minimum=0.0, maximum=1.0, open_min=True)
    n, index = len(scores), _index_of(scores, degree_before, degree_after, groups)
    citizens = n if index is None else index  # labels to align on, or a count
    codes, labels, _ = _groups(groups, n, index)
    before = align_to_nodes(degree_before, citizens, name="degree_before", ndim=1)
    after = align_to_nodes(degree_after, citizens, name="degree_after", ndim=1)
    for name, degree in (("degree_before", before), ("degree_after", after)):
        if (degree < 0).any():
            raise ValueError(f"{name} must be >= 0, got {degree.min()}")
    s = align_to_nodes(scores, citizens, name="scores", ndim=1)
    k = len(labels)
    low = s <= np.quantile(s, quantile, method="lower")
    total_before = np.bincount(codes, weights=before, minlength=k)
    total_after = np.bincount(codes, weights=after, minlength=k)
    n_low = np.bincount(codes[low], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        lost = np.where(total_before > 0, 1.0 - total_after / total_before, np.nan)
        isolated = np.where(n_low > 0, np.bincount(codes[low & (after == 0)], minlength=k)
                            / n_low, np.nan)
    return pd.DataFrame({
        "mean_degree_before": _group_means(before, codes, k),
        "mean_degree_after": _group_means(after, codes, k),
        "degree_lost_share": lost,
        "low_scorer_share": _group_means(low.astype(float), codes, k),
        "isolated_low_scorers": isolated,
    }, index=labels)


# --------------------------------------------------------------------------------------
# Replicates
# --------------------------------------------------------------------------------------


def replicate_intervals(frame, by, metrics=None, *, level=0.95):
    """Deprecated name of :func:`scorelab.experiments.confidence_intervals`.

    ``replicate_intervals(frame, by, metrics)`` is ``confidence_intervals(frame, by,
    metrics)``: the same summary, with grid points whose swept value is None or NaN kept.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"h": [0, 0, 1, 1], "replicate": [0, 1, 0, 1],
    ...                       "gap": [1.0, 3.0, 5.0, 5.0]})
    >>> replicate_intervals(frame, "h")[["h", "mean", "n"]].to_dict("list")
    {'h': [0, 1], 'mean': [2.0, 5.0], 'n': [2, 2]}
    """
    return confidence_intervals(frame, by, metrics, level=level)
