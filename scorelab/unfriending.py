"""What a tie costs: the change of one's displayed score if one tie were removed.

Under association (:func:`scorelab.propagate`) the displayed score solves the
Friedkin-Johnsen equation :math:`x = \\Lambda W x + (I - \\Lambda) s`. Removing a tie
changes the rows of :math:`W` of the citizens it joins: one row for a directed tie, two for
an undirected one. The new equilibrium follows from the old one by a low-rank
(Sherman-Morrison-Woodbury) update, which needs only a few entries of the resolvent
:math:`G = (I - \\Lambda W)^{-1}` per tie. :func:`tie_effects` computes them exactly by
batched solves (``method="exact"``) or approximates them from each citizen's neighbourhood
(``method="first_order"``), fast enough for a game step at 10^6 citizens.

References
----------
.. [FJ99] N. E. Friedkin and E. C. Johnsen (1999), "Social influence networks and opinion
   change", Advances in Group Processes 16:1-29.
.. [SM50] J. Sherman and W. J. Morrison (1950), "Adjustment of an inverse matrix
   corresponding to a change in one element of a given matrix", Annals of Mathematical
   Statistics 21(1):124-127. https://doi.org/10.1214/aoms/1177729893
.. [W50] M. A. Woodbury (1950), "Inverting modified matrices", Memorandum Report 42,
   Statistical Research Group, Princeton University.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from tqdm import tqdm

from scorelab._graph import align_to_nodes
from scorelab._validation import check_finite_array, check_integer, check_real, check_rng
from scorelab.association import _build_system, _require_below_one, _solve

__all__ = ["tie_effects", "gate_value", "cut_gain", "tie_values", "choose_cuts"]

_METHODS = ("exact", "first_order")


def tie_effects(
    G,
    own,
    *,
    alpha,
    weight="weight",
    method="exact",
    displayed=None,
    tol=1e-10,
    batch_size=256,
    progress=False,
):
    """The change of each citizen's displayed score if one of their ties were removed.

    Parameters
    ----------
    G, own, alpha, weight
        As in :func:`scorelab.propagate`; every ``alpha`` of a citizen with ties must be
        below 1. A ``networkx.Graph``, a ``Society`` or a symmetric matrix is undirected:
        removing the tie ``{i, j}`` changes the association of both ``i`` and ``j``. A
        ``networkx.DiGraph`` or a non-symmetric matrix is directed: removing ``i -> j``
        changes ``i``'s association only. Self-loops are not ties to a neighbour and get
        no row.
    method : {"exact", "first_order"}, default "exact"
        ``"exact"``: the equilibrium after removal, from the resolvent entries found by
        batched solves (one per citizen; ~1 minute at 10^4 citizens and 10^5 stored ties
        on 2 cores, growing as the square of the size).
        ``"first_order"``: the same update with the resolvent entries approximated from
        each citizen's neighbourhood; linear in the number of ties, a few seconds at
        10^6 citizens and 2 * 10^7 stored ties (``benchmarks/tie_effects.py``; see Notes
        for its error).
    displayed : pandas.Series, mapping or array_like, optional
        The current equilibrium ``x`` if already known (e.g. the game's displayed scores);
        default: solved with the exact solver of :func:`scorelab.propagate`.
    tol : float, default 1e-10
        Accuracy of the solves: of ``x`` relative to ``max |s|``, and of each resolvent
        entry (``method="exact"``).
    batch_size : int, default 256
        Unit vectors solved together (``method="exact"``).
    progress : bool, default False
        Show a progress bar over the batches (``method="exact"``).

    Returns
    -------
    pandas.DataFrame
        One row per (citizen, neighbour) tie in the order of the graph's adjacency, both
        directions for an undirected tie: ``citizen``, ``neighbour`` (node labels) and
        ``effect`` = :math:`x'_i - x_i`, the change of the citizen's displayed score at
        the new equilibrium. Positive: dropping the tie would raise the score.

    Raises
    ------
    TypeError, ValueError
        As :func:`scorelab.propagate`; an unknown ``method``; ``alpha = 1`` for a citizen
        with ties.

    See Also
    --------
    scorelab.propagate : the equilibrium itself.
    scorelab.decompose : how much of each displayed score is one's own doing.

    Notes
    -----
    Write :math:`M = I - \\Lambda W`, :math:`b = (I - \\Lambda)s`, :math:`G = M^{-1}`.
    Removing the tie of weight :math:`a` between citizen :math:`i` and neighbour
    :math:`j` replaces the rows :math:`r \\in R` (:math:`R = \\{i\\}` directed,
    :math:`\\{i, j\\}` undirected) of :math:`M` and :math:`b`:
    :math:`M' = M + E_R U^T`, :math:`b' = b + E_R \\beta`. By the Sherman-Morrison-Woodbury
    identity [SM50]_ [W50]_

    .. math::

        x' - x = G E_R\\, S^{-1} (\\beta - U^T x), \\qquad S = I + U^T G E_R,

    so :math:`x'_R - x_R = G_{RR} S^{-1} (\\beta - U^T x)`. With :math:`m_r = (W x)_r`,
    :math:`d_r` the weighted degree and :math:`q` the other end of the tie, a row that
    keeps ties (:math:`d'_r = d_r - a > 0`) has
    :math:`(\\beta - U^T x)_r = \\lambda_r a (m_r - x_q) / d'_r` and
    :math:`(U^T G e_c)_r = a(\\lambda_r G_{qc} - G_{rc} + \\delta_{rc}) / d'_r`; a row left
    without ties keeps its own score (:math:`\\lambda'_r = 0`), with
    :math:`(\\beta - U^T x)_r = \\lambda_r (s_r - m_r)` and
    :math:`(U^T G e_c)_r = G_{rc} - \\delta_{rc}`. Only :math:`G_{ii}, G_{jj}, G_{ij},
    G_{ji}` enter, so the exact method needs the diagonal of :math:`G` and its entries on
    the ties: column :math:`c` of :math:`G` solves :math:`M g = e_c`, batched as in
    :func:`scorelab.decompose`.

    ``"first_order"`` keeps only the citizen's own row and its first-order term,
    :math:`x'_i - x_i \\approx \\hat G_{ii}\\, \\lambda_i a (m_i - x_j) / d'_i`: the change
    of the mean of one's ties with everyone else's scores held, echoed back through
    one's ties by the local resolvent diagonal
    :math:`\\hat G_{ii} = 1 / (1 - \\lambda_i W_{ii} - \\lambda_i \\sum_k W_{ik}
    \\lambda_k W_{ki})` (echoes along one tie and straight back, repeated). It leaves out
    the neighbour's response (``S`` and the ``j`` row) and walks through triangles and
    longer cycles (:math:`\\hat G_{ii} \\le G_{ii}`); it is exact for a removal that
    isolates a citizen (:math:`x'_i = s_i`). It costs a few passes over the ties.

    Its error, measured against the exact method (``tests/test_tie_effects.py``,
    ``benchmarks/tie_effects.py``) with own scores uniform on 350-950 on 500-800 citizens:
    Barabasi-Albert (m = 3), homophilous block (mean degree 6), directed G(n, p) and a
    clustered Watts-Strogatz ring (k = 10, rewiring 0.05). The largest error over the
    largest effect is at most 0.004 at ``alpha = 0.2``, 0.026 at 0.5 and 0.085 at 0.8
    (the ring; at most 0.043 on the other graphs). Among effects above 5 % of the largest
    the median relative error is at most 0.023 at ``alpha <= 0.5`` and 0.093 at 0.8, and
    no sign was wrong. The error grows with ``alpha`` and with clustering; the tests
    assert ``0.05 * max |effect|`` at ``alpha <= 0.5`` and ``0.1 * max |effect|`` at 0.8.

    Checked in ``tests/test_tie_effects.py`` against re-solving :func:`scorelab.propagate`
    with the tie removed, on several graph types, per-citizen ``alpha``, weighted ties, a
    removal that isolates a citizen, and directed graphs; ``first_order`` against
    ``exact`` within the error stated above.

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import tie_effects
    >>> G = nx.path_graph(3)
    >>> tie_effects(G, {0: 900.0, 1: 500.0, 2: 700.0}, alpha=0.5).round(2)
       citizen  neighbour  effect
    0        0          1  150.00
    1        1          0  -33.33
    2        1          2   33.33
    3        2          1   50.00

    Citizen 0 (displayed 750) would return to their own 900 by dropping their only tie;
    citizen 1 (displayed 600) would lose 33.33 points by dropping the high scorer 0 and
    gain as much by dropping 2.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    tol = check_real("tol", tol, minimum=0.0, open_min=True)
    batch_size = check_integer("batch_size", batch_size, minimum=1)
    system = _build_system(G, alpha, weight)
    _require_below_one(system)
    nodes = system.wm.nodes
    s = align_to_nodes(own, nodes, name="own", ndim=1)
    if displayed is None:
        x = _solve(system, s, s, method="exact", tol=tol, max_iter=10_000)
    else:
        x = align_to_nodes(displayed, nodes, name="displayed")
    ties = _Ties.of(system)
    mean = system.mean_of_ties(x)
    if method == "exact":
        resolvent = _exact_resolvent(system, ties, tol=tol, batch_size=batch_size,
                                     progress=progress)
        kernel, extra = _removal_effects, resolvent
    else:
        lam = system.lam
        extra = (lam * _local_diagonal(system, ties), np.where(lam > 0, s - x, 0.0))
        kernel = _first_order_effects
    effect = np.empty(len(ties.rows))
    for lo in range(0, len(effect), _CHUNK):
        part = slice(lo, min(lo + _CHUNK, len(effect)))
        effect[part] = kernel(system, ties, s, x, mean, extra, part)
    if isinstance(nodes, pd.RangeIndex) and nodes.start == 0 and nodes.step == 1:
        citizen, neighbour = ties.rows.astype(np.int64), ties.cols.astype(np.int64)
    else:
        labels = nodes.to_numpy()
        citizen, neighbour = labels[ties.rows], labels[ties.cols]
    return pd.DataFrame({"citizen": citizen, "neighbour": neighbour, "effect": effect},
                        copy=False)


_CHUNK = 1 << 16  # ties per block of the vectorised update: its temporaries stay in cache


class _Ties:
    """The off-diagonal stored entries of the weight matrix, in CSR order."""

    def __init__(self, rows, cols, weights, undirected):
        self.rows, self.cols, self.weights = rows, cols, weights
        self.undirected = undirected
        self._mirror = None

    @classmethod
    def of(cls, system):
        matrix = system.wm.matrix
        counts = np.diff(matrix.indptr)
        index = np.int32 if system.n < np.iinfo(np.int32).max else np.int64
        rows = np.repeat(np.arange(system.n, dtype=index), counts)
        cols, weights = matrix.indices, matrix.data
        if not (system.wm.loopless or not matrix.diagonal().any()):
            off = rows != cols
            rows, cols, weights = rows[off], cols[off], weights[off]
        elif cols.dtype != index:
            cols = cols.astype(index)
        undirected = system.wm.symmetric
        if undirected is None:  # a bare matrix: undirected exactly when symmetric
            undirected = (matrix != matrix.T).nnz == 0
        return cls(rows, cols, weights, bool(undirected))

    @property
    def mirror(self):
        """Position of the entry (j, i) for every entry (i, j); -1 where there is none."""
        if self._mirror is None:
            rows, cols = self.rows.astype(np.int64), self.cols.astype(np.int64)
            n = int(max(rows.max(initial=0), cols.max(initial=0))) + 1
            keys = rows * n + cols  # increasing: CSR rows in order, sorted columns
            wanted = cols * n + rows
            mirror = np.searchsorted(keys, wanted)
            found = mirror < len(keys)
            found[found] = keys[mirror[found]] == wanted[found]
            self._mirror = np.where(found, mirror, -1)
        return self._mirror

    def reverse_weights(self):
        """The weight of (j, i) for every entry (i, j) (0 where there is none)."""
        if self.undirected:
            return self.weights
        return np.where(self.mirror >= 0, self.weights[self.mirror], 0.0)


class _ExactResolvent:
    """Entries of ``G = (I - Lambda W)^-1``: the diagonal and ``G[j, i]`` per tie (i, j)."""

    def __init__(self, diagonal, at_tie, ties):
        self.diagonal, self._at_tie, self._ties = diagonal, at_tie, ties

    def at_tie(self, part):
        """``G[j, i]`` for the ties (i, j) in ``part``."""
        return self._at_tie[part]

    def at_reverse(self, part):
        """``G[i, j]`` for the ties (i, j) in ``part`` (undirected ties)."""
        return self._at_tie[self._ties.mirror[part]]


def _exact_resolvent(system, ties, *, tol, batch_size, progress):
    n, lam = system.n, system.lam
    diagonal = np.empty(n)
    at_tie = np.empty(len(ties.rows))
    width = max(1, min(batch_size, 20_000_000 // n))
    for start in tqdm(range(0, n, width), disable=not progress, desc="tie_effects",
                      unit="batch"):
        stop = min(start + width, n)
        columns = np.arange(start, stop)
        # x = Lambda W x + (I - Lambda) e_c / (1 - lambda_c) is the column M^-1 e_c
        unit = np.zeros((n, stop - start))
        unit[columns, columns - start] = 1.0 / (1.0 - lam[columns])
        block = _solve(system, unit, unit, method="exact", tol=tol, max_iter=10_000)
        diagonal[columns] = block[columns, columns - start]
        lo, hi = np.searchsorted(ties.rows, [start, stop])
        at_tie[lo:hi] = block[ties.cols[lo:hi], ties.rows[lo:hi] - start]
    return _ExactResolvent(diagonal, at_tie, ties)


def _local_diagonal(system, ties):
    """``1 / (1 - lambda_i W_ii - lambda_i sum_k W_ik lambda_k W_ki)``: the diagonal of ``G``
    from echoes along one tie and straight back, repeated."""
    lam, degree = system.lam, system.degree
    safe = np.where(degree > 0, degree, 1.0)
    matrix = system.wm.matrix
    if ties.undirected:  # A_ik A_ki = A_ik^2: same pattern, squared weights
        both = sp.csr_array((matrix.data * matrix.data, matrix.indices, matrix.indptr),
                            shape=matrix.shape)
    else:
        both = sp.csr_array(matrix.multiply(matrix.T))
    loops = matrix.diagonal()
    # the products count a self-loop as a tie to oneself: W_ii enters once, not squared
    echo = (both @ (lam / safe) - loops * loops * lam / safe) / safe
    return 1.0 / (1.0 - lam * (echo + loops / safe))


def _first_order_effects(system, ties, s, x, mean, local, part):
    """``G_ii (beta - U^T x)_i`` for the ties (i, j) in ``part``, ``G_ii`` local; exact
    (``s_i - x_i``) where the removal leaves ``i`` without ties. ``local`` holds the
    per-citizen factors ``(lambda_i G_ii, s_i - x_i where lambda_i > 0)``."""
    coef, alone = local
    i, j, a = ties.rows[part], ties.cols[part], ties.weights[part]
    left = system.degree[i] - a
    keeps = (left > 0) & (coef[i] != 0)
    local_change = coef[i] * np.divide(a, left, out=np.zeros_like(a), where=keeps)
    local_change *= mean[i] - x[j]
    return np.where(left > 0, local_change, alone[i])


def _row_update(lam, degree, a, row):
    """For rows ``row`` losing a tie of weight ``a``: whether each keeps association, and
    ``a / d'`` (0 where it does not)."""
    left = degree[row] - a
    keeps = (lam[row] > 0) & (left > 0)
    ratio = np.divide(a, left, out=np.zeros_like(a), where=keeps)
    return keeps, ratio


def _removal_effects(system, ties, s, x, mean, resolvent, part):
    """``x'_i - x_i`` for the ties (i, j) in ``part``, by the Woodbury update of the rows
    the removal changes (``mean`` is ``W x``)."""
    lam, degree = system.lam, system.degree
    i, j, a = ties.rows[part], ties.cols[part], ties.weights[part]
    g_ii, g_ji = resolvent.diagonal[i], resolvent.at_tie(part)
    keeps_i, ratio_i = _row_update(lam, degree, a, i)
    lam_i, mean_i, x_j = lam[i], mean[i], x[j]
    # (beta - U^T x)_i and S_ii = 1 + (U^T G e_i)_i
    r_i = np.where(keeps_i, lam_i * ratio_i * (mean_i - x_j), lam_i * (s[i] - mean_i))
    s_ii = np.where(keeps_i, 1.0 + ratio_i * (lam_i * g_ji - g_ii + 1.0), g_ii)
    if not ties.undirected:
        return g_ii * r_i / s_ii
    g_jj, g_ij = resolvent.diagonal[j], resolvent.at_reverse(part)
    keeps_j, ratio_j = _row_update(lam, degree, a, j)
    lam_j, mean_j = lam[j], mean[j]
    r_j = np.where(keeps_j, lam_j * ratio_j * (mean_j - x[i]), lam_j * (s[j] - mean_j))
    s_ij = np.where(keeps_i, ratio_i * (lam_i * g_jj - g_ij), g_ij)
    s_ji = np.where(keeps_j, ratio_j * (lam_j * g_ii - g_ji), g_ji)
    s_jj = np.where(keeps_j, 1.0 + ratio_j * (lam_j * g_ij - g_jj + 1.0), g_jj)
    # the i-th entry of G_RR S^-1 r for the 2 x 2 system of rows i and j
    det = s_ii * s_jj - s_ij * s_ji
    return (g_ii * (s_jj * r_i - s_ij * r_j) + g_ij * (s_ii * r_j - s_ji * r_i)) / det


# --------------------------------------------------------------------------- strategic unfriending
# Pure, vectorised building blocks of the essay's loop "would you disconnect from neighbours
# with bad scores if you knew connection with you affected their credit scores?": what a
# displayed score is worth through the gates, what dropping a tie would gain, and the logit
# choice of which ties to cut. They are not yet wired into the citizen game.


def gate_value(score, thresholds, stakes, softness):
    """What a displayed score is worth through the gates it opens: a smooth step per gate.

    Parameters
    ----------
    score : array_like
        Displayed scores (any shape).
    thresholds : array_like of shape (k,)
        Each gate's score threshold (e.g. shop rewards, credit, travel, utilities, food).
    stakes : array_like of shape (k,)
        What each gate is worth to a citizen who passes it (>= 0).
    softness : float or array_like of shape (k,)
        Width (> 0) of each gate's step, in score points: how uncertain the threshold is
        to the citizen, or how gradually the privilege opens.

    Returns
    -------
    numpy.ndarray
        :math:`V(x) = \\sum_g \\text{stake}_g \\, \\sigma((x - t_g) / \\text{softness}_g)`
        with :math:`\\sigma` the logistic function, the shape of ``score``.

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite input, ``thresholds`` and ``stakes`` of different
        lengths, a negative stake, a softness that is not positive.

    Notes
    -----
    :math:`V` rises by ``stake_g`` across gate ``g``, most steeply at its threshold (slope
    ``stake_g / (4 softness_g)``), so a point just below a threshold is worth more than a
    point far above every threshold; as ``softness -> 0`` it tends to the step
    :math:`\\sum_g \\text{stake}_g [x \\ge t_g]`. A smooth value makes a citizen's choice
    respond to small score changes (as in random-utility models, McFadden 1974). Checked
    in ``tests/test_tie_effects.py`` against the step limit, its bounds and its monotony.

    References
    ----------
    D. McFadden (1974), "Conditional logit analysis of qualitative choice behavior", in
    P. Zarembka (ed.), Frontiers in Econometrics, Academic Press, 105-142.

    Examples
    --------
    >>> gate_value([400.0, 640.0, 660.0, 900.0], [450.0, 650.0], [3.0, 1.0], 10.0).round(3)
    array([0.02 , 3.269, 3.731, 4.   ])
    """
    score = np.asarray(_finite("score", score, ndim=None))
    thresholds = _finite("thresholds", thresholds)
    stakes = _finite("stakes", stakes)
    if thresholds.shape != stakes.shape:
        raise ValueError(f"thresholds and stakes must have one value per gate; got "
                         f"{len(thresholds)} thresholds and {len(stakes)} stakes")
    if (stakes < 0).any():
        raise ValueError(f"stakes must be >= 0, got {float(stakes.min())} for gate "
                         f"{int(np.argmin(stakes))}")
    softness = np.broadcast_to(_finite("softness", softness, ndim=None), thresholds.shape)
    if (softness <= 0).any():
        raise ValueError(f"softness must be > 0, got {float(softness.min())}")
    scaled = (score[..., None] - thresholds) / softness
    # logistic without overflow: 0.5 * (1 + tanh(z / 2))
    return (stakes * 0.5 * (1.0 + np.tanh(0.5 * scaled))).sum(axis=-1)


def cut_gain(displayed, citizen, effect, *, thresholds, stakes, softness):
    """What dropping each tie is worth to the citizen: the change of their gate value.

    Parameters
    ----------
    displayed : array_like of shape (n,)
        Current displayed scores, in citizen order.
    citizen : array_like of int, shape (m,)
        The citizen of each tie (row ``citizen`` of :func:`tie_effects`, as positions).
    effect : array_like of shape (m,)
        The change of the citizen's displayed score if the tie were removed (the
        ``effect`` column of :func:`tie_effects`).
    thresholds, stakes, softness
        As in :func:`gate_value`.

    Returns
    -------
    numpy.ndarray
        :math:`V(x_i + \\Delta x_{ij}) - V(x_i)` per tie: exactly 0 where the effect is 0
        (without association, or with private scores), positive where dropping the tie
        would raise the citizen's value.

    Examples
    --------
    >>> cut_gain([640.0, 900.0], [0, 1], [20.0, 20.0], thresholds=[650.0], stakes=[1.0],
    ...          softness=10.0).round(3)
    array([0.462, 0.   ])
    """
    displayed = _finite("displayed", displayed)
    effect = _finite("effect", effect)
    citizen = _citizen_index("citizen", citizen, len(displayed))
    if citizen.shape != effect.shape:
        raise ValueError(f"citizen and effect must have one value per tie; got "
                         f"{len(citizen)} and {len(effect)}")
    before = displayed[citizen]
    values = gate_value(np.stack([before + effect, before]), thresholds, stakes, softness)
    return np.where(effect == 0, 0.0, values[0] - values[1])


def tie_values(kind, kind_values, *, noise=0.0, rng=None):
    """What keeping each tie is worth to the citizen: a value by kind, plus noise.

    Parameters
    ----------
    kind : array_like of str or pandas.Categorical, shape (m,)
        Each tie's kind (e.g. the society's ``ties["kind"]``).
    kind_values : mapping
        Value of a tie of each kind (>= 0), e.g. family > friend > neighbour > colleague.
    noise : float, default 0.0
        Standard deviation of a normal term added to each tie's value (>= 0): how much ties
        of one kind differ.
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7): one standard normal draw per tie when
        ``noise > 0``.

    Returns
    -------
    numpy.ndarray
        ``kind_values[kind] + noise * N(0, 1)`` per tie.

    Raises
    ------
    TypeError, ValueError
        A kind without a value, a negative value or noise.

    Examples
    --------
    >>> tie_values(["family", "colleague"], {"family": 3.0, "colleague": 0.5}).tolist()
    [3.0, 0.5]
    """
    noise = check_real("noise", noise, minimum=0.0)
    kinds = pd.Categorical(np.asarray(kind, dtype=object) if not isinstance(kind, pd.Categorical)
                           else kind)
    missing = sorted(set(map(str, kinds.categories)) - set(map(str, kind_values)))
    if missing:
        raise ValueError(f"kind_values has no value for the tie kind(s) {missing}")
    values = np.array([check_real(f"kind_values[{c!r}]", kind_values[c], minimum=0.0)
                       for c in kinds.categories] + [np.nan])
    out = values[kinds.codes]  # code -1 (missing kind) reads the NaN
    if np.isnan(out).any():
        raise ValueError(f"kind has {int(np.isnan(out).sum())} missing value(s)")
    if noise > 0:
        out = out + noise * np.random.default_rng(check_rng(rng)).standard_normal(len(out))
    return out


def choose_cuts(citizen, gain, tie_value, *, rationality, cap, rng=None):
    """Which ties each citizen cuts: a logit choice of gain against tie value, capped.

    Parameters
    ----------
    citizen : array_like of int, shape (m,)
        The citizen who decides about each tie (a directed view: an undirected tie appears
        once from each end and either end may cut it).
    gain : array_like of shape (m,)
        What cutting would gain the citizen (e.g. :func:`cut_gain`).
    tie_value : array_like of shape (m,)
        What keeping the tie is worth to them (by kind, family > friend > neighbour >
        colleague, plus noise), in the units of ``gain``.
    rationality : float
        Logit precision ``r >= 0``; ``numpy.inf`` cuts exactly the ties with positive net
        gain.
    cap : int or array_like of int
        Most ties a citizen cuts per step: one number for all, or one per citizen
        (indexed by citizen id).
    rng : None, int, numpy.random.Generator or SeedSequence, optional
        Source of randomness (SPEC 7): one standard logistic draw per tie, in tie order
        (none when ``rationality`` is infinite).

    Returns
    -------
    numpy.ndarray of bool, shape (m,)
        Whether each tie is cut.

    Raises
    ------
    TypeError, ValueError
        Mismatched lengths, non-finite gains or values, a negative rationality or cap.

    Notes
    -----
    Net utility of a cut :math:`u = \\text{gain} - \\text{tie value}`. Each tie is a
    candidate when :math:`r u + \\varepsilon > 0` with :math:`\\varepsilon` standard
    logistic, i.e. with probability :math:`1 / (1 + e^{-r u})` (binary logit, McFadden
    1974; ``r`` is the rationality of a quantal response). A citizen with more candidates
    than ``cap`` cuts the ``cap`` with the largest :math:`r u + \\varepsilon`. Checked in
    ``tests/test_tie_effects.py`` against a slow per-citizen reference with the same draws
    and against the logit probability without a cap.

    Examples
    --------
    >>> citizen = [0, 0, 0, 1]
    >>> gain = [2.0, 1.5, 0.1, 3.0]
    >>> value = [0.5, 0.5, 0.5, 5.0]
    >>> choose_cuts(citizen, gain, value, rationality=float("inf"), cap=1).tolist()
    [True, False, False, False]
    """
    gain = _finite("gain", gain)
    tie_value = _finite("tie_value", tie_value)
    if gain.shape != tie_value.shape:
        raise ValueError(f"gain and tie_value must have one value per tie; got {len(gain)} "
                         f"and {len(tie_value)}")
    citizen = _citizen_index("citizen", citizen, None)
    if citizen.shape != gain.shape:
        raise ValueError(f"citizen must have one value per tie ({len(gain)}), got "
                         f"{len(citizen)}")
    if not (isinstance(rationality, float) and rationality == np.inf):
        rationality = check_real("rationality", rationality, minimum=0.0)
    cap = _cap(cap, citizen)
    net = gain - tie_value
    if np.isinf(rationality):
        urge = net
    else:
        urge = rationality * net + np.random.default_rng(check_rng(rng)).logistic(size=len(net))
    candidate = urge > 0
    # rank each citizen's candidates by urge: citizen, then candidates first, then urge
    order = np.lexsort((-urge, ~candidate, citizen))
    sorted_citizen = citizen[order]
    starts = np.flatnonzero(np.r_[True, sorted_citizen[1:] != sorted_citizen[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - first
    return candidate & (rank < cap)


def _finite(name, values, ndim=1):
    """``values`` as a finite float array of ``ndim`` dimensions (None: any)."""
    return check_finite_array(name, values, ndim=np.ndim(values) if ndim is None else ndim)


def _citizen_index(name, values, n):
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must be a 1-dimensional array of citizen positions "
                        f"(integers), got dtype {array.dtype} and shape {array.shape}")
    array = array.astype(np.int64)
    if array.size and (array.min() < 0 or (n is not None and array.max() >= n)):
        bound = "" if n is None else f" and below {n}"
        raise ValueError(f"{name} must hold positions >= 0{bound}; got values from "
                         f"{int(array.min())} to {int(array.max())}")
    return array


def _cap(cap, citizen):
    if isinstance(cap, (int, np.integer)) and not isinstance(cap, bool):
        return check_integer("cap", int(cap), minimum=0)
    caps = np.asarray(cap)
    if caps.ndim != 1 or not np.issubdtype(caps.dtype, np.integer):
        raise TypeError(f"cap must be an integer or one integer per citizen, got "
                        f"{type(cap).__name__}")
    if citizen.size and len(caps) <= citizen.max():
        raise ValueError(f"cap must have one value per citizen (at least "
                         f"{int(citizen.max()) + 1}), got {len(caps)}")
    if (caps < 0).any():
        raise ValueError(f"cap must be >= 0, got {int(caps.min())}")
    return caps[citizen]
