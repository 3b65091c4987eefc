"""What the studies share: the two-group society (a majority and a minority with homophilous
ties, its defaults from :mod:`scorelab.defaults`) and a maker of findings rows."""

from __future__ import annotations

import pandas as pd

from scorelab.defaults import GROUPS, HOMOPHILY, MEAN_DEGREE, MINORITY_SHARE
from scorelab.experiments import confidence_intervals
from scorelab.findings import finding
from scorelab.society import homophilous_sbm


def two_group_society(n_citizens, *, minority_share=MINORITY_SHARE, homophily=HOMOPHILY,
                      mean_degree=MEAN_DEGREE, minority=None, majority=None, rng=None):
    """A majority and a minority whose ties prefer their own group.

    Parameters
    ----------
    n_citizens : int
        Citizens in both groups together.
    minority_share : float, default :data:`scorelab.defaults.MINORITY_SHARE` (0.2)
        The minority's share of the citizens, in (0, 1).
    homophily : float, default :data:`scorelab.defaults.HOMOPHILY` (0.7)
        Share in [0, 1] of ties within the own group.
    mean_degree : float, default :data:`scorelab.defaults.MEAN_DEGREE` (10.0)
        Mean number of ties per citizen.
    minority, majority : GroupProfile, optional
        Attribute distributions of each group; default ``GroupProfile()``.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).

    Returns
    -------
    scorelab.society.Society
        ``homophilous_sbm(n_citizens, group_shares=(1 - minority_share, minority_share),
        group_names=GROUPS, ...)``: the same draws as that call, so every study that
        builds its society here draws the society it drew before.

    Raises
    ------
    TypeError, ValueError
        As :func:`scorelab.society.homophilous_sbm`; each study validates its own
        parameters first and names them.

    Examples
    --------
    >>> from scorelab.society import GroupProfile
    >>> society = two_group_society(100, minority=GroupProfile(wealth_median=0.5), rng=1)
    >>> society.groups.value_counts().to_dict()
    {'majority': 80, 'minority': 20}
    """
    profiles = {label: profile for label, profile in zip(GROUPS, (majority, minority))
                if profile is not None}
    return homophilous_sbm(
        n_citizens, group_shares=(1 - minority_share, minority_share), group_names=GROUPS,
        mean_degree=mean_degree, homophily=homophily, profiles=profiles, rng=rng,
    )


def finding_maker(notebook, rests_on, *, n_citizens, seed, scale="default"):
    """:func:`scorelab.findings.finding` with a notebook's common columns filled in.

    Returns ``row(id, values, statement, **extra)``, which passes ``notebook``,
    ``n_citizens``, ``seed``, ``scale`` and ``rests_on[id]`` (a study's ``RESTS_ON``) to
    :func:`~scorelab.findings.finding` with ``extra`` (``counterfactual=``, ``null=``, ...).

    Examples
    --------
    >>> row = finding_maker("01-guilt-by-association", {"guilt.demo": ("alpha",)},
    ...                     n_citizens=10, seed=1)
    >>> row("guilt.demo", [1.0, 1.2, 0.9], "A demo.")["rests_on"]
    'alpha'
    """
    def row(id, values, statement, **extra):
        return finding(id, values, statement=statement, notebook=notebook,
                       rests_on=rests_on[id], n_citizens=n_citizens, seed=seed, scale=scale,
                       **extra)

    return row


def paired_world_intervals(frame, by, values, differences, *, level=0.95):
    """Means and intervals per point of ``by`` and ``world``, and of paired differences
    between worlds.

    Parameters
    ----------
    frame : pandas.DataFrame
        Runs with the ``by`` columns, ``replicate``, ``world`` and ``values``; the worlds
        of one ``by`` point and replicate share a seed, so their differences are paired.
    by : sequence of str
        The swept parameters.
    values : sequence of str
        Measures to summarise.
    differences : sequence of (str, str, str)
        ``(treated, control, label)``: ``treated`` minus ``control``, run by run, added as
        the world ``label``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        :func:`scorelab.experiments.confidence_intervals`' long format: the ``by``
        columns, ``world``, ``metric``, ``mean``, ``low``, ``high``, ``n``.
    """
    by, values = list(by), list(values)
    keys = by + ["replicate"]

    def world(name):
        return frame[frame["world"] == name].set_index(keys)[values]

    parts = [frame[keys + ["world"] + values]]
    parts += [(world(treated) - world(control)).reset_index().assign(world=label)
              for treated, control, label in differences]
    return confidence_intervals(pd.concat(parts, ignore_index=True), by + ["world"], values,
                                level=level)

