"""Classic reference models of collective behaviour on networks.

Three models that scorelab's own dynamics are compared against, each checked in
``tests/test_models.py`` against the result its paper made famous:

=========================  ==================================================================
:func:`threshold_cascade`  Granovetter's (1978) threshold model and Watts' (2002) cascades
:func:`voter_model`        the voter model (random citizen copies a random neighbour)
:func:`holme_newman`       Holme and Newman's (2006) coevolution of opinions and ties
=========================  ==================================================================

Graphs follow :func:`scorelab.association.propagate`: row ``i`` of the tie matrix holds whom
citizen ``i`` watches (listens to, copies); an undirected tie counts both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from scorelab._graph import align_to_nodes, as_weight_matrix, reindex_to_nodes
from scorelab._validation import (
    ConvergenceError,
    check_integer,
    check_probability,
    check_real,
    check_rng,
    plain,
    shown,
)

__all__ = [
    "HolmeNewmanResult",
    "VoterResult",
    "holme_newman",
    "threshold_cascade",
    "voter_model",
]

_THRESHOLD_KINDS = ("fraction", "count")


# --------------------------------------------------------------------------------------
# Threshold cascades
# --------------------------------------------------------------------------------------


def threshold_cascade(G, thresholds, *, seeds=None, kind="fraction", weight=None):
    """Who ends up adopting in a threshold model (Granovetter 1978; Watts 2002).

    A citizen adopts once the adopters among their ties reach their threshold: a
    *fraction* of their ties (Watts) or a *number* of them (Granovetter's riot). Seeds and
    citizens with threshold 0 adopt at once; adoption is permanent. The rule is applied to
    everyone at once, round after round, until no one else adopts.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Ties; row ``i`` holds whom citizen ``i`` watches.
    thresholds : float or array_like
        One threshold (>= 0) for everyone, or one per citizen (Series/mapping keyed by
        node, or array in node order). With ``kind="fraction"`` a threshold above 1 means
        the citizen never adopts unless seeded.
    seeds : iterable of node labels or boolean array_like, optional
        Citizens who adopt at the start: labels, or a boolean mask in node order (or a
        boolean Series keyed by node).
    kind : {"fraction", "count"}, default "fraction"
        Compare the threshold with the adopting *share* of a citizen's ties (weighted share
        if ``weight`` is given) or with their adopting *count* (summed weight).
    weight : str or None, default None
        Edge attribute (NetworkX, Society) weighting ties; None counts every tie as 1.
        Matrices always use their entries as weights.

    Returns
    -------
    pandas.Series
        Boolean, indexed by citizen (node), named ``"adopted"``.

    Raises
    ------
    TypeError
        ``G`` of an unknown type, non-numeric thresholds.
    ValueError
        Negative or NaN thresholds, unknown ``kind``, seeds that are not citizens.

    See Also
    --------
    voter_model : imitation instead of thresholds.

    Notes
    -----
    Citizen ``i`` adopts when

    .. math:: \\sum_j A_{ij} a_j \\ge \\theta_i \\sum_j A_{ij}  \\quad\\text{(fraction)},
       \\qquad \\sum_j A_{ij} a_j \\ge \\theta_i \\quad\\text{(count)},

    with ``a_j = 1`` for adopters; a citizen without ties has adopting share 0. The fraction
    is computed as a quotient and compared with the threshold, so that e.g. 3 of 10 ties
    meet a threshold of 0.3. Adoption is monotone, so the synchronous rounds reach the
    same final set as any asynchronous order, in at most ``n`` rounds; each round touches
    only the ties of the newest adopters (``O(ties)`` work in all).

    Checked against Granovetter's riot (100 people with thresholds 0..99 all riot;
    raising the threshold-1 person's to 2 stops the riot at one person), Watts' cascade
    window on random graphs (global cascades from one seed for mean degree between ~1
    and ~6 at threshold 0.18, none at 0.5 or 14) and a slow sequential reference on
    hypothesis-generated graphs.

    References
    ----------
    .. [G78] M. Granovetter (1978), "Threshold models of collective behavior", American
       Journal of Sociology 83(6):1420-1443. https://doi.org/10.1086/226707
    .. [W02] D. J. Watts (2002), "A simple model of global cascades on random networks",
       PNAS 99(9):5766-5771. https://doi.org/10.1073/pnas.082090499

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(4)
    >>> threshold_cascade(G, 0.5, seeds=[0]).tolist()
    [True, True, True, True]
    >>> threshold_cascade(G, 0.6, seeds=[0]).tolist()  # citizen 1: 1 of 2 ties < 0.6
    [True, False, False, False]
    >>> threshold_cascade(G, 1, seeds=[0], kind="count").tolist()
    [True, True, True, True]
    """
    if kind not in _THRESHOLD_KINDS:
        raise ValueError(f"kind must be one of {_THRESHOLD_KINDS}, got {kind!r}")
    wm = as_weight_matrix(G, weight=weight)
    theta = align_to_nodes(thresholds, wm.nodes, name="thresholds", scalar=True, minimum=0.0,
                           ndim=1)
    adopted = _node_mask("seeds", seeds, wm.nodes) | (theta == 0)

    matrix = wm.matrix
    degree = np.asarray(matrix.sum(axis=1)).ravel()
    # Row j of the transpose lists the citizens watching j: those a new adopter j can tip.
    watchers = matrix if wm.symmetric else sp.csr_array(matrix.T)
    adopting = np.zeros(wm.n)  # summed weight of each citizen's adopting ties
    frontier = np.flatnonzero(adopted)
    while frontier.size:
        rows, weights = _gather_rows(watchers, frontier)
        np.add.at(adopting, rows, weights)
        candidates = np.unique(rows)
        candidates = candidates[~adopted[candidates]]
        level = adopting[candidates]
        if kind == "fraction":
            ties = degree[candidates]  # > 0 unless all of a citizen's ties weigh 0
            level = np.divide(level, ties, out=np.zeros_like(level), where=ties > 0)
        frontier = candidates[level >= theta[candidates]]
        adopted[frontier] = True
    return pd.Series(adopted, index=wm.nodes, name="adopted")


def _node_mask(name, chosen, nodes):
    """Boolean array over ``nodes``: labels listed in ``chosen``, or a boolean mask."""
    n = len(nodes)
    if chosen is None:
        return np.zeros(n, dtype=bool)
    if isinstance(chosen, (str, bytes)) or not hasattr(chosen, "__iter__"):
        raise TypeError(f"{name} must be a collection of citizen ids, got {shown(chosen)}")
    if isinstance(chosen, pd.Series) and chosen.dtype == bool:
        missing = nodes.difference(chosen.index)
        if len(missing):
            raise ValueError(f"{name} is missing citizens, e.g. {plain(missing[:5])}")
        return chosen.reindex(nodes).to_numpy(dtype=bool)
    labels = pd.Index(list(chosen) if isinstance(chosen, (set, frozenset)) else chosen)
    if labels.dtype == bool:
        if len(labels) != n:
            raise ValueError(f"{name} as a boolean mask must have {n} entries, got {len(labels)}")
        return np.asarray(labels, dtype=bool)
    positions = nodes.get_indexer(labels) if len(labels) else np.empty(0, dtype=np.intp)
    unknown = positions < 0
    if unknown.any():
        raise ValueError(
            f"{name} must be citizens of G; {int(unknown.sum())} are not, "
            f"e.g. {plain(labels[unknown][:5])}"
        )
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return mask


def _gather_rows(matrix, rows):
    """Column indices and data of the given CSR rows, concatenated (no Python loop)."""
    starts = matrix.indptr[rows]
    counts = matrix.indptr[rows + 1] - starts
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    positions = offsets + np.arange(counts.sum())
    return matrix.indices[positions], matrix.data[positions]


# --------------------------------------------------------------------------------------
# Voter model
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoterResult:
    """Outcome of :func:`voter_model`.

    Attributes
    ----------
    opinions : pandas.Series
        Final opinion of every citizen (the labels given), indexed by citizen.
    steps : int
        Copy events performed (one random citizen each; no-op events count).
    consensus : bool
        True when every tie joins citizens of one opinion (on a connected graph: everyone
        agrees), the absorbing state; False when ``max_steps`` ran out first.
    """

    opinions: pd.Series
    steps: int
    consensus: bool


def voter_model(G, opinions, *, rng=None, max_steps=None, weight=None):
    """Run the voter model: a random citizen copies the opinion of a random tie.

    At each step one citizen is drawn uniformly at random and copies the opinion of one of
    the citizens they watch, drawn uniformly (or in proportion to tie weight). A citizen
    without ties keeps their opinion. The run stops when no tie joins two different
    opinions (consensus on a connected graph) or after ``max_steps`` steps.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Ties; row ``i`` holds whom citizen ``i`` copies.
    opinions : pandas.Series, mapping or array_like
        Initial opinions, any hashable labels (no missing values), keyed by node or in
        node order.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).
    max_steps : int, optional
        Step limit; None runs to the absorbing state, which is reached with probability 1
        on undirected graphs (on a directed graph it may not exist: two disagreeing
        citizens who watch no one and a third who watches both).
    weight : str or None, default None
        Edge attribute making the copied tie's probability proportional to its weight;
        None draws ties uniformly. Matrices always use their entries as weights.

    Returns
    -------
    VoterResult
        Final opinions, steps taken and whether consensus was reached.

    Raises
    ------
    TypeError
        ``G`` of an unknown type, ``max_steps`` not an integer.
    ValueError
        Missing opinions or opinions for citizens not in ``G``.

    See Also
    --------
    holme_newman : the voter model on a network that rewires itself.

    Notes
    -----
    Events are drawn in batches and applied with their exact sequential meaning: the
    opinion citizen ``i`` copies at event ``t`` is the one their tie ``j`` held just
    before ``t``, found by following the chain of earlier copies inside the batch with
    pointer jumping (``O(B log B)`` for a batch of ``B`` events). The result is the
    same as a one-event-at-a-time loop over the same draws (checked in the tests).

    On an undirected graph the degree-weighted share of an opinion,
    :math:`\\omega = \\sum_i k_i [\\sigma_i = 1] / \\sum_i k_i`, is a martingale, so the
    probability that the opinion wins is its initial :math:`\\omega` [SR05]_ — on a star,
    the centre alone wins half of the time. This is what the tests check, with seeded
    replicates within binomial tolerance.

    References
    ----------
    .. [HL75] R. A. Holley and T. M. Liggett (1975), "Ergodic theorems for weakly
       interacting infinite systems and the voter model", Annals of Probability
       3(4):643-663. https://doi.org/10.1214/aop/1176996306
    .. [SR05] V. Sood and S. Redner (2005), "Voter model on heterogeneous graphs",
       Physical Review Letters 94:178701. https://doi.org/10.1103/PhysRevLett.94.178701

    Examples
    --------
    >>> import networkx as nx
    >>> result = voter_model(nx.path_graph(5), ["a", "a", "b", "b", "b"], rng=7)
    >>> result.consensus, result.opinions.nunique()
    (True, 1)
    """
    wm = as_weight_matrix(G, weight=weight)
    codes, labels = _opinion_codes(opinions, wm.nodes)
    if max_steps is not None:
        max_steps = check_integer("max_steps", max_steps, minimum=0)
    rng = np.random.default_rng(check_rng(rng))

    matrix = wm.matrix
    if matrix.nnz and (matrix.data == 0).any():
        matrix = matrix.copy()
        matrix.eliminate_zeros()
    n, indptr = wm.n, matrix.indptr
    rows = np.repeat(np.arange(n), np.diff(indptr))
    sampler = _NeighbourSampler(matrix, weighted=weight is not None or wm.symmetric is None)
    # Batches grow from about one sweep: small graphs agree within few steps, large ones
    # need many sweeps, and one batch costs O(batch log batch + ties).
    batch = max(64, n)

    steps = 0
    consensus = not _disagreement(codes, rows, matrix.indices)
    while not consensus and (max_steps is None or steps < max_steps):
        size = batch if max_steps is None else min(batch, max_steps - steps)
        batch = min(2 * batch, max(1 << 18, n))
        actors = rng.integers(n, size=size)
        sources = sampler.draw(actors, rng.random(size))
        copied, before, codes = _apply_copies(codes, actors, sources)
        consensus = not _disagreement(codes, rows, matrix.indices)
        if consensus:
            # Nothing changes once absorbed, and nothing changed after the last change.
            changed = np.flatnonzero(copied != before)
            steps += int(changed[-1]) + 1 if changed.size else 0
        else:
            steps += size
    opinions = pd.Series(labels.take(codes), index=wm.nodes, name="opinion")
    return VoterResult(opinions=opinions, steps=steps, consensus=bool(consensus))


def _opinion_codes(opinions, nodes):
    """Integer codes in node order and the labels (an Index) they stand for."""
    n = len(nodes)
    if isinstance(opinions, (pd.Series, Mapping)):
        values = reindex_to_nodes(opinions, nodes, name="opinions")
    elif isinstance(opinions, (str, bytes)) or not hasattr(opinions, "__len__"):
        raise TypeError(f"opinions must be one label per citizen, got {shown(opinions)}")
    else:
        values = np.asarray(opinions)
    if values.ndim != 1 or len(values) != n:
        raise ValueError(
            f"opinions must have one value per citizen ({n}), got shape {values.shape}"
        )
    if values.dtype.kind in "iub":  # fast path for the usual integer opinions
        labels, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int64), pd.Index(labels)
    codes, labels = pd.factorize(values, use_na_sentinel=True)
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"opinions has missing values, first for citizen {plain(nodes[first])!r}")
    return codes.astype(np.int64), pd.Index(labels)


class _NeighbourSampler:
    """Draw, for each acting citizen, one of the citizens they watch."""

    def __init__(self, matrix, *, weighted):
        self.matrix = matrix
        self.degree = np.diff(matrix.indptr)
        # equal weights draw like no weights, and the uniform draw is cheaper
        self.weighted = bool(weighted and matrix.nnz and np.ptp(matrix.data) > 0)
        if self.weighted:
            self.cumulative = np.cumsum(matrix.data)
            self.before = np.concatenate(([0.0], self.cumulative))[matrix.indptr[:-1]]
            self.total = np.asarray(matrix.sum(axis=1)).ravel()

    def draw(self, actors, uniforms):
        """Tie ends for ``actors``; a citizen without ties draws themself (a no-op copy)."""
        m = self.matrix
        start, count = m.indptr[actors], self.degree[actors]
        if self.weighted:
            target = self.before[actors] + uniforms * self.total[actors]
            position = np.searchsorted(self.cumulative, target, side="right")
        else:
            position = start + (uniforms * count).astype(np.int64)
        # Guard the last entry of each row against rounding at the upper end.
        position = np.clip(position, start, start + np.maximum(count, 1) - 1)
        has_ties = count > 0
        return np.where(has_ties, m.indices[np.minimum(position, max(m.nnz - 1, 0))], actors)


def _apply_copies(state, actors, sources):
    """Apply ``state[actors[t]] = state[sources[t]]`` for ``t = 0, 1, ...`` in order.

    Returns the opinion copied at each event, the actor's opinion just before it, and the
    final state (a new array). Vectorised: each event's value comes from the last earlier
    event that wrote its source, found by a sorted search, and chains of such events are
    collapsed by pointer jumping.
    """
    size = len(actors)
    events = np.arange(size)
    order = np.argsort(actors, kind="stable")  # by actor, then time
    sorted_actors = actors[order]
    # the last event before t that wrote sources[t]
    keys = sorted_actors * size + order
    found = np.searchsorted(keys, sources * size + events) - 1
    hit = found >= 0
    hit[hit] = sorted_actors[found[hit]] == sources[hit]
    parent = np.where(hit, order[np.maximum(found, 0)], events)
    while True:  # pointer jumping: every event ends pointing at the root of its chain
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        parent = grand
    copied = state[sources[parent]]
    # the actor's previous write in the batch, if any
    same_actor = np.zeros(size, dtype=bool)
    same_actor[1:] = sorted_actors[1:] == sorted_actors[:-1]
    previous = np.full(size, -1)
    previous[order[same_actor]] = order[np.flatnonzero(same_actor) - 1]
    before = np.where(previous >= 0, copied[np.maximum(previous, 0)], state[actors])
    final = state.copy()
    last = np.ones(size, dtype=bool)
    last[:-1] = sorted_actors[1:] != sorted_actors[:-1]
    final[sorted_actors[last]] = copied[order[last]]
    return copied, before, final


def _disagreement(codes, rows, columns):
    """Whether some tie (``rows[k]`` watches ``columns[k]``) joins two opinions."""
    return bool(np.any(codes[rows] != codes[columns]))


# --------------------------------------------------------------------------------------
# Holme-Newman coevolution
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HolmeNewmanResult:
    """Final state of :func:`holme_newman`.

    Attributes
    ----------
    ties : pandas.DataFrame
        The final network, one row per tie with columns ``source <= target`` (int64),
        sorted. Rewiring can create parallel ties and self-ties (a tie moved to a citizen
        already tied, or to the mover); they are kept, as in the model.
    opinions : pandas.Series
        Final opinion (0..n_opinions-1) of each citizen, indexed by citizen.
    initial_opinions : pandas.Series
        The random opinions the run started from.
    community_sizes : numpy.ndarray
        Sizes of the connected components of the final network (the communities; each holds
        a single opinion), largest first; isolated citizens are communities of size 1.
    steps : int
        Model steps until no tie joined two opinions (one random citizen each).
    n_rewirings, n_adoptions : int
        Ties moved and opinions changed during the run.
    parameters : dict
        ``n``, ``mean_degree``, ``n_opinions``, ``phi`` and ``n_ties``.
    """

    ties: pd.DataFrame
    opinions: pd.Series
    initial_opinions: pd.Series
    community_sizes: np.ndarray
    steps: int
    n_rewirings: int
    n_adoptions: int
    parameters: dict = field(default_factory=dict)

    @property
    def largest_community_share(self):
        """Size of the largest community divided by the number of citizens."""
        return float(self.community_sizes[0] / self.community_sizes.sum())

    def adjacency(self):
        """The final network as a symmetric CSR matrix of tie counts (a self-tie counts once)."""
        n = len(self.opinions)
        source = self.ties["source"].to_numpy()
        target = self.ties["target"].to_numpy()
        loop = source == target
        rows = np.concatenate((source, target[~loop]))
        columns = np.concatenate((target, source[~loop]))
        return sp.csr_array((np.ones(len(rows)), (rows, columns)), shape=(n, n))


def holme_newman(n, mean_degree, n_opinions, phi, *, rng=None, max_steps=None):
    """Coevolve opinions and ties until no tie joins two opinions (Holme & Newman 2006).

    Start from a random graph of ``n`` citizens and ``round(n * mean_degree / 2)`` ties and
    random opinions drawn uniformly from ``n_opinions``. At each step a random citizen
    ``i`` is drawn; if they have ties, they pick one at random, and with probability
    ``phi`` move its far end to a random citizen holding their opinion (rewiring),
    otherwise adopt the far end's opinion. The run ends when every tie joins citizens of
    one opinion; the connected components are then the communities.

    Parameters
    ----------
    n : int
        Number of citizens (>= 2).
    mean_degree : float
        Mean number of ties per citizen (``k``), in [0, n - 1].
    n_opinions : int
        Number of opinions (``G``; the paper's ``gamma = n / n_opinions``), >= 1.
    phi : float
        Probability of rewiring rather than adopting, in [0, 1].
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7).
    max_steps : int, optional
        Step limit; None runs to the end, which comes with probability 1.

    Returns
    -------
    HolmeNewmanResult
        Final ties, opinions, community sizes, steps and event counts.

    Raises
    ------
    TypeError, ValueError
        A parameter is of the wrong type or out of range; the message names it.
    scorelab.ConvergenceError
        ``max_steps`` steps passed and some tie still joins two opinions.

    See Also
    --------
    voter_model : the ``phi = 0`` case (on a fixed graph).

    Notes
    -----
    Holme and Newman's simulations (``n = 3200``, ``k = 4``, ``gamma = n / G = 10``) show
    a transition near ``phi_c ~ 0.46`` [HN06]_: below it opinions spread faster than the
    network splits and one community holds most citizens; above it the network splits
    into many small communities whose sizes follow the initial opinion groups (mean
    ``gamma``); near ``phi_c`` community sizes follow a power law ``P(s) ~ s^-3.5``.

    The rewired end is drawn among all holders of the mover's opinion, the mover included,
    so ties may end up parallel or looping back (the paper's rule, which also guarantees
    that the run ends). The initial graph is a ``G(n, M)`` random graph (no parallel ties,
    no self-ties).

    Implementation: ties live in an array of half-ties (``h`` and ``h ^ 1`` are the two ends
    of one tie), each citizen's half-ties and each opinion's holders in swap-remove lists,
    so a step costs O(1). Whether a disagreeing tie is left is checked with NumPy once per
    batch of steps; the run froze right after the batch's last step that changed an
    opinion or rewired a disagreeing tie, and the agreeing-tie rewirings after it are
    undone. The steps run in a plain Python loop (numba is not available, and each step
    depends on the one before), at about 1.1-1.5 microseconds a step on a quiet 2-core
    machine of this project's kind (3-6 when its cores are busy with other work). Steps
    needed at ``n = 3200``, ``k = 4``, ``gamma = 10`` (seeds 0 and 1): 0.08-0.09 M at
    ``phi = 0.96`` and 0.25-0.30 M at 0.6 (under a second), 0.65-1.1 M at 0.458 (1-2 s),
    but 6-13 M at 0.04, ~10 M at 0.3 and 13-17 M at 0.2 (7-25 s): below ``phi_c`` the
    giant community must reach consensus, which takes of the order of ``n^2`` steps, as
    in the voter model.

    Checked in the tests against a slow, literal implementation of the paper's rules (same
    distribution of outcomes), the voter-model exit probability at ``phi = 0``, unchanged
    opinions at ``phi = 1``, and the transition around ``phi_c`` at ``n = 800``.

    References
    ----------
    .. [HN06] P. Holme and M. E. J. Newman (2006), "Nonequilibrium phase transition in the
       coevolution of networks and opinions", Physical Review E 74:056108.
       https://doi.org/10.1103/PhysRevE.74.056108

    Examples
    --------
    >>> result = holme_newman(200, 4.0, 20, 0.9, rng=1)
    >>> opinion = result.opinions.to_numpy()
    >>> bool((opinion[result.ties["source"]] == opinion[result.ties["target"]]).all())
    True
    >>> int(result.community_sizes.sum()), len(result.ties)
    (200, 400)
    """
    n = check_integer("n", n, minimum=2)
    mean_degree = check_real("mean_degree", mean_degree, minimum=0.0, maximum=n - 1)
    n_opinions = check_integer("n_opinions", n_opinions, minimum=1)
    phi = check_probability("phi", phi)
    if max_steps is not None:
        max_steps = check_integer("max_steps", max_steps, minimum=0)
    rng = np.random.default_rng(check_rng(rng))

    n_ties = int(round(n * mean_degree / 2))
    source, target = _random_pairs(n, n_ties, rng)
    initial = rng.integers(n_opinions, size=n)
    ends, opinions, steps, (n_rewirings, n_adoptions) = _coevolve(
        np.column_stack((source, target)).ravel(), initial, n_opinions, phi, rng,
        max_steps=max_steps,
    )
    pairs = np.sort(ends.reshape(-1, 2), axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    index = pd.RangeIndex(n, name="citizen")
    graph = sp.csr_array((np.ones(n_ties), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return HolmeNewmanResult(
        ties=pd.DataFrame({"source": pairs[:, 0], "target": pairs[:, 1]}),
        opinions=pd.Series(opinions, index=index, name="opinion"),
        initial_opinions=pd.Series(initial, index=index, name="opinion"),
        community_sizes=np.sort(np.bincount(labels, minlength=1))[::-1],
        steps=steps,
        n_rewirings=n_rewirings,
        n_adoptions=n_adoptions,
        parameters={"n": n, "mean_degree": mean_degree, "n_opinions": n_opinions,
                    "phi": phi, "n_ties": n_ties},
    )


def _random_pairs(n, count, rng):
    """``count`` distinct random pairs of distinct citizens (a ``G(n, M)`` random graph)."""
    if count > n * (n - 1) // 2:
        raise ValueError(f"mean_degree too large: {count} ties do not fit among {n} citizens")
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < count:
        u = rng.integers(n, size=2 * (count - len(keys)))
        v = rng.integers(n, size=u.size)
        new = np.minimum(u, v) * n + np.maximum(u, v)
        new = new[u != v]
        merged = np.concatenate((keys, new))
        _, first = np.unique(merged, return_index=True)  # small: n ties up to ~10^5
        keys = merged[np.sort(first)][:count]
    return np.divmod(keys, n)


def _has_disagreeing_tie(ends, opinions):
    """Whether some tie (consecutive pair of ``ends``) joins two different opinions."""
    pairs = np.asarray(opinions)[np.asarray(ends, dtype=np.int64)].reshape(-1, 2)
    return bool(np.any(pairs[:, 0] != pairs[:, 1]))


def _coevolve(ends, opinions, n_opinions, phi, rng, *, max_steps=None):
    """Run the Holme-Newman steps from tie ends ``ends`` (length ``2 m``) and ``opinions``.

    Half-tie ``h`` belongs to citizen ``ends[h]``; the other half of its tie is ``h ^ 1``.
    Returns the final ends and opinions (arrays), the steps taken and the numbers of
    rewirings and adoptions (opinion changes).
    """
    n = len(opinions)
    ends_array = np.asarray(ends, dtype=np.int64)
    opinion_array = np.asarray(opinions, dtype=np.int64)
    # Python lists: scalar access to them is several times faster than to NumPy arrays.
    ends, op = ends_array.tolist(), opinion_array.tolist()
    stubs, stub_pos = _grouped_lists(ends_array, n)  # each citizen's half-ties
    members, member_pos = _grouped_lists(opinion_array, n_opinions)  # each opinion's holders
    batch = min(max(4 * n, 1024), 1 << 15)
    big = 1 << 62  # tie and target picks: big integers taken modulo a list's length

    steps = n_rewirings = n_adoptions = 0
    frozen = not _has_disagreeing_tie(ends, op)
    while not frozen:
        if max_steps is not None and steps >= max_steps:
            raise ConvergenceError(
                f"holme_newman did not freeze within max_steps={max_steps} steps "
                "(some ties still join two opinions); raise max_steps"
            )
        size = batch if max_steps is None else min(batch, max_steps - steps)
        picks = rng.integers(n, size=size).tolist()
        tie_picks = rng.integers(big, size=size).tolist()
        rewires = (rng.random(size) < phi).tolist()
        target_picks = rng.integers(big, size=size).tolist()
        moved_at, moved, moved_from = [], [], []  # every rewiring of this batch
        last_change = -1  # last step that changed an opinion or rewired a disagreeing tie
        step = -1
        # The loop body is the hot path: list operations are written out (swap-remove from
        # one list, append to another) because a helper call costs ~40 % of the run time.
        for i, tie_pick, rewire, target_pick in zip(picks, tie_picks, rewires, target_picks):
            step += 1
            own = stubs[i]
            if not own:
                continue
            far = own[tie_pick % len(own)] ^ 1
            j = ends[far]
            mine = op[i]
            if rewire:
                group = members[mine]
                new = group[target_pick % len(group)]
                if new == j:
                    continue
                if op[j] != mine:
                    last_change = step
                moved_at.append(step)
                moved.append(far)
                moved_from.append(j)
                held = stubs[j]  # move half-tie `far` from j's list to new's
                last = held.pop()
                if last != far:
                    spot = stub_pos[far]
                    held[spot] = last
                    stub_pos[last] = spot
                held = stubs[new]
                stub_pos[far] = len(held)
                held.append(far)
                ends[far] = new
            else:
                theirs = op[j]
                if theirs == mine:
                    continue
                last_change = step
                n_adoptions += 1
                group = members[mine]  # move i from its old opinion's holders to the new
                last = group.pop()
                if last != i:
                    spot = member_pos[i]
                    group[spot] = last
                    member_pos[last] = spot
                group = members[theirs]
                member_pos[i] = len(group)
                group.append(i)
                op[i] = theirs
        n_rewirings += len(moved)
        frozen = not _has_disagreeing_tie(ends, op)
        if not frozen:
            steps += size
            continue
        # The state froze right after `last_change`: no later step changed an opinion or
        # touched a disagreeing tie, and every earlier one left one. Rewirings after it
        # moved agreeing ties once the model had stopped, so they are undone.
        for k in range(len(moved) - 1, -1, -1):
            if moved_at[k] <= last_change:
                break
            ends[moved[k]] = moved_from[k]
            n_rewirings -= 1
        steps += last_change + 1
    return np.array(ends, dtype=np.int64), np.array(op, dtype=np.int64), steps, (
        n_rewirings, n_adoptions)


def _grouped_lists(keys, n_groups):
    """For ``keys`` in 0..n_groups-1: per group, the list of positions holding it, and
    each position's place in its group's list."""
    order = np.argsort(keys, kind="stable")
    sizes = np.bincount(keys, minlength=n_groups)
    starts = np.cumsum(sizes) - sizes
    place = np.empty(len(keys), dtype=np.int64)
    place[order] = np.arange(len(keys)) - np.repeat(starts, sizes)
    groups = [chunk.tolist() for chunk in np.split(order, np.cumsum(sizes)[:-1])]
    return groups, place.tolist()
