"""Association: how citizens' scores spread along their ties ("guilt by association").

The core model is the Friedkin-Johnsen equilibrium

.. math::

    x = \\Lambda W x + (I - \\Lambda) s
    \\quad\\Longrightarrow\\quad
    x = (I - \\Lambda W)^{-1} (I - \\Lambda) s,

where ``s`` is the own score, ``W`` the row-normalised tie-weight matrix (row ``i`` holds
whom citizen ``i`` is associated with; self-loops count as given), and
``Lambda = diag(lambda)`` the citizens' susceptibility to association. A citizen without
ties keeps their own score. Because ``x`` is linear in ``s``, each displayed score splits
exactly into the part from the citizen's own record and the parts from everyone else
(:func:`decompose`, :func:`contributions`).

Beside it stand the variants :func:`one_hop_mean`, :func:`worst_neighbour` and
:func:`personalised_pagerank`; tie-kind weights enter through the ``weight`` argument
(see :meth:`scorelab.society.Society.with_tie_weights`).

References
----------
.. [FJ99] N. E. Friedkin and E. C. Johnsen (1999), "Social influence networks and opinion
   change", Advances in Group Processes 16:1-29.
.. [P17] S. E. Parsegov, A. V. Proskurnikov, R. Tempo and N. E. Friedkin (2017), "Novel
   multidimensional models of opinion dynamics in social networks", IEEE Transactions on
   Automatic Control 62(5):2270-2285. https://doi.org/10.1109/TAC.2016.2613905
.. [D74] M. H. DeGroot (1974), "Reaching a consensus", Journal of the American Statistical
   Association 69(345):118-121. https://doi.org/10.1080/01621459.1974.10480137
.. [J08] M. O. Jackson (2008), Social and Economic Networks, Princeton University Press,
   chapter 8.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import splu
from tqdm import tqdm

from scorelab._graph import (
    ParallelProduct,
    align_to_nodes,
    as_weight_matrix,
    lower_bound,
)
from scorelab._numeric import column_dots
from scorelab._probing import self_weights
from scorelab._validation import (
    ConvergenceError,
    check_integer,
    check_real,
    plain,
)

__all__ = [
    "propagate",
    "decompose",
    "contributions",
    "one_hop_mean",
    "worst_neighbour",
    "personalised_pagerank",
]

_METHODS = ("exact", "iterate")


@dataclass
class _System:
    """The association system of one graph and one susceptibility vector."""

    wm: object
    product: ParallelProduct
    degree: np.ndarray  # weighted out-degree, self-loops included
    lam: np.ndarray  # effective susceptibility: 0 for citizens without ties
    free: np.ndarray  # citizens whose displayed score depends on others
    symmetric: bool
    lam_max: float = dataclasses.field(init=False)  # read several times per solve

    def __post_init__(self):
        self.lam_max = float(self.lam.max()) if self.n else 0.0

    @property
    def n(self):
        return self.wm.n

    def mean_of_ties(self, x):
        """``W x`` on the free rows (0 elsewhere)."""
        ax = self.product(x)
        d = _column(self.degree, x)
        return np.divide(ax, d, out=np.zeros_like(ax), where=d > 0)


def _column(vector, like):
    return vector if like.ndim == 1 else vector[:, None]


def _build_system(G, alpha, weight):
    wm = as_weight_matrix(G, weight=weight)
    product = ParallelProduct(wm.matrix)
    degree = wm.degree if wm.degree is not None else product.row_sums()
    lam = align_to_nodes(alpha, wm.nodes, name="alpha", scalar=True, minimum=0.0, maximum=1.0,
                         ndim=1)
    lam = np.where(degree > 0, lam, 0.0)
    symmetric = wm.symmetric
    if symmetric is None:
        symmetric = _looks_symmetric(wm.matrix)
    return _System(
        wm=wm,
        product=product,
        degree=degree,
        lam=lam,
        free=lam > 0,
        symmetric=symmetric,
    )


def _looks_symmetric(matrix, sample=1000):
    """Whether ``A[j, i] == A[i, j]`` for every entry of up to ``sample`` rows.

    Exact for small matrices; for large ones a sample decides which solver to try, and
    the exact solver's true-residual check catches a wrong guess (it then falls back to
    the fixed point), so the answer never depends on the sample. ``matrix`` is canonical
    (sorted column indices), so each mirror entry is found by binary search in its row.
    """
    n, indptr, indices = matrix.shape[0], matrix.indptr, matrix.indices
    rows = np.arange(n) if n <= sample else np.random.default_rng(0).choice(n, sample, replace=False)
    starts, ends = indptr[rows], indptr[rows + 1]
    counts = ends - starts
    positions = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    row_of = np.repeat(rows, counts)
    cols, values = indices[positions], matrix.data[positions]
    lo = lower_bound(indices, indptr[cols], indptr[cols + 1], row_of)  # row_of in row `cols`
    found = lo < indptr[cols + 1]
    found[found] = indices[lo[found]] == row_of[found]
    if not found.all():
        return False
    return bool(np.array_equal(matrix.data[lo], values))


def _check_options(method, tol, max_iter):
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    tol = check_real("tol", tol, minimum=0.0, open_min=True)
    max_iter = check_integer("max_iter", max_iter, minimum=1)
    return tol, max_iter


def _scale(s):
    """Largest |own score| per column (1 where all are 0): tolerances are relative to it."""
    scale = np.abs(s).max(axis=0)
    return np.where(scale > 0, scale, 1.0)


def propagate(
    G,
    own,
    *,
    alpha=0.3,
    weight="weight",
    method="exact",
    tol=1e-8,
    max_iter=1000,
    x0=None,
):
    """Displayed scores after association: the Friedkin-Johnsen equilibrium.

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph, scipy sparse square matrix or Society
        Whom each citizen is associated with. Row/edge ``i -> j`` with weight ``w`` puts
        ``w`` on ``j`` in citizen ``i``'s association; an undirected tie counts both ways;
        the parallel ties of a multigraph add their weights. Weights must be finite and
        non-negative.
    own : pandas.Series, mapping or array_like
        Own scores ``s``, keyed by node (Series/mapping) or in node order (array).
    alpha : float or array_like, default 0.3
        Susceptibility ``lambda`` in [0, 1]: one value for everyone or one per citizen
        (Series/mapping keyed by node, or array in node order). 0 means no association.
    weight : str or None, default "weight"
        Edge attribute holding tie weights (NetworkX and Society input); None gives every
        tie weight 1, as does the default on a graph none of whose ties has a "weight".
        Any other missing weight raises (a misspelled name, weights on some ties only).
        Ignored for matrices, whose entries are the weights.
    method : {"exact", "iterate"}, default "exact"
        ``"exact"`` solves the linear system (preconditioned conjugate gradients on its
        symmetric form for undirected ties; the fixed point otherwise); ``"iterate"`` runs
        the fixed point ``x <- Lambda W x + (I - Lambda) s`` from ``x0``.
    tol : float, default 1e-8
        Both methods stop once ``max_i |x_i - x*_i| <= tol * max_i |s_i|`` is guaranteed
        by the residual bound ``||x - x*|| <= ||r|| / (1 - max lambda)`` (infinity norm).
        With ``max lambda = 1`` no such bound exists and the fixed point stops when its
        largest change falls below ``tol * max |s|``.
    max_iter : int, default 1000
        Iteration limit.
    x0 : array_like, optional
        Warm start (e.g. the previous step's displayed scores); default ``own``.

    Returns
    -------
    pandas.Series
        Displayed scores indexed by citizen (node), named ``"displayed"``.

    Raises
    ------
    TypeError
        ``G`` of an unknown type, non-numeric scores or weights.
    ValueError
        Empty graph, non-square matrix, negative or non-finite weights, NaN/inf, missing,
        repeated or unknown citizens' scores, ``alpha`` outside [0, 1], unknown method;
        with ``method="iterate"``, ``alpha = 1`` for citizens whose ties lead to citizens
        with ``alpha < 1`` (no bound guarantees ``tol`` for the fixed point there).
    OverflowError
        Scores times weights exceed float64 (e.g. own scores of 1e308).
    scorelab.ConvergenceError
        The tolerance was not reached in ``max_iter`` iterations.

    Warns
    -----
    UserWarning
        ``own`` (or ``alpha``, ``x0``) is an array but the nodes of ``G`` are not
        ``0..n-1`` in order: the array is read in node order; pass a Series to be explicit.

    See Also
    --------
    decompose : how much of each displayed score is the citizen's own doing.
    one_hop_mean, worst_neighbour, personalised_pagerank : variants.

    Notes
    -----
    The equilibrium is :math:`x = (I - \\Lambda W)^{-1}(I - \\Lambda)s` [FJ99]_ [P17]_. With
    ``max lambda < 1`` the matrix :math:`\\Lambda W` has infinity norm below 1, so the
    solution is unique and the fixed point converges. For undirected ties
    (``A`` symmetric, ``W = D^{-1} A``) the system is equivalent to the symmetric positive
    definite :math:`(D\\Lambda^{-1} - A)x = D\\Lambda^{-1}(I-\\Lambda)s` on the citizens with
    ``lambda > 0``, solved by conjugate gradients preconditioned with
    :math:`\\Lambda D^{-1}` (the diagonal leaving out self-loops, so that no pass over the
    matrix reads them); the answer is always checked against the true residual of the
    original equation. Each iteration costs one sparse product (about 11 at
    ``alpha = 0.5`` and 15 at 0.85 on random graphs of mean degree 20, initial residual
    and check included), shared out over threads (see ``docs/performance.md``).

    At ``alpha = 1`` for every citizen (DeGroot learning [D74]_) the exact method returns
    the consensus each connected component reaches, the degree-weighted mean of its own
    scores (the influence weights are the left unit eigenvector of ``W``, proportional to
    weighted degree for undirected ties [J08]_); for directed ties it runs DeGroot's
    process ``x <- W x``, which converges on aperiodic graphs. Citizens at ``alpha = 1``
    whose ties lead only to one another (a closed group, such as the participants of a
    rollout when only they associate) likewise end at their group's consensus, which the
    others then take as given. Where citizens at ``alpha = 1`` have ties leading to
    citizens below 1, the fixed point converges too slowly (about ``n^2`` steps on a path)
    and ``1 / (1 - max lambda)`` bounds nothing; the exact method then factorises the
    system (sparse LU) and bounds the error by ``||M||_inf * ||r||_inf``, with
    ``||M||_inf = max(M 1)`` from one more solve, refining until ``tol`` is guaranteed.

    Checked in ``tests/test_association.py`` against a dense ``numpy.linalg.solve`` of the
    closed form on random graphs, the four-agent example of Friedkin and Johnsen (1999) as
    reprinted by Parsegov et al. (2017), the DeGroot limit, and a slow pure-Python reference
    implementation on hypothesis-generated graphs.

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import propagate
    >>> G = nx.path_graph(3)
    >>> propagate(G, {0: 900.0, 1: 500.0, 2: 900.0}, alpha=0.5).round(2).tolist()
    [766.67, 633.33, 766.67]
    """
    tol, max_iter = _check_options(method, tol, max_iter)
    system = _build_system(G, alpha, weight)
    s = align_to_nodes(own, system.wm.nodes, name="own", ndim=1)
    start = s if x0 is None else align_to_nodes(x0, system.wm.nodes, name="x0", ndim=1)
    x = _solve(system, s, start, method=method, tol=tol, max_iter=max_iter)
    return pd.Series(x, index=system.wm.nodes, name="displayed")


def _solve(system, s, x0, *, method, tol, max_iter):
    """Solve ``x = Lambda W x + (I - Lambda) s`` for one or several columns ``s``."""
    scale = _scale(s)
    lam = system.lam
    connected = system.degree > 0
    at_one = (lam == 1) & connected
    mixed = _leading_below_one(system, at_one)
    if mixed.any() and method != "exact":
        first = int(np.flatnonzero(mixed)[0])
        raise ValueError(
            f"alpha is 1 for {int(mixed.sum())} citizen(s) (e.g. citizen "
            f"{plain(system.wm.nodes[first])!r}) whose ties lead to citizens with alpha < 1: "
            f"the fixed point converges too slowly there for the tolerance to be guaranteed; "
            f"use method='exact'"
        )
    if method == "exact":
        if connected.any() and np.all(lam[connected] == 1):
            if system.symmetric:
                return _finite(_consensus(system, s), system, s)
        elif at_one.any():
            closed = at_one & ~mixed
            consensus = _closed_consensus(system, s, closed) if closed.any() else None
            if consensus is not None:
                # Closed groups at lambda = 1 end at their consensus; the others take it as
                # given (lambda 0 there).
                fixed = _column(closed, s)
                rest = dataclasses.replace(system, lam=np.where(closed, 0.0, lam),
                                           free=system.free & ~closed)
                return _solve(rest, np.where(fixed, consensus, s), np.where(fixed, consensus, x0),
                              method=method, tol=tol, max_iter=max_iter)
            if mixed.any() and not closed.any():
                return _finite(_direct(system, s, tol=tol, scale=scale), system, s)
            if mixed.any():
                raise ValueError(
                    "alpha is 1 both for citizens whose ties lead to citizens below 1 and for "
                    "closed groups with asymmetric ties; no solver here handles both: use "
                    "alpha below 1 for one of them"
                )
        elif system.lam_max < 1 and system.symmetric:
            x = _conjugate_gradients(system, s, x0, tol=tol, scale=scale, max_iter=max_iter)
            if x is not None:
                return _finite(x, system, s)
            x0 = s
    return _finite(_fixed_point(system, s, x0, tol=tol, scale=scale, max_iter=max_iter),
                   system, s)


def _direct(system, s, *, tol, scale, refinements=3):
    """Sparse LU on the citizens with ``lambda > 0`` when some are at ``lambda = 1``.

    There ``1 / (1 - max lambda)`` bounds nothing, but ``(I - Lambda W)`` restricted to
    them is still invertible (each citizen at 1 leads to one below 1) with a non-negative
    inverse ``M``, so ``||M||_inf = max(M 1)`` is one more solve with the same factors,
    and ``max |x - x*| <= ||M||_inf * max |r|`` is a guaranteed bound, checked after the
    solve and after each step of iterative refinement.
    """
    free = system.free
    lam, degree = system.lam, system.degree
    scaled = sp.diags_array(np.divide(lam, degree, out=np.zeros_like(lam), where=free))
    rows = (scaled @ system.wm.matrix).tocsr()[free]
    block = (sp.eye_array(int(free.sum())) - rows[:, free]).tocsc()
    solver = splu(block)
    x = np.array(s, dtype=float)
    x[free] = solver.solve(np.asarray(_column(1.0 - lam, s)[free] * s[free]
                                      + rows[:, ~free] @ s[~free]))
    bound = float(solver.solve(np.ones(block.shape[0])).max())
    lam_c = _column(lam, s)
    for step in range(refinements + 1):
        residual = (lam_c * system.mean_of_ties(x) + (1.0 - lam_c) * s - x)[free]
        if np.all(bound * np.abs(residual).max(axis=0) <= tol * scale):
            return x
        if step < refinements:
            x[free] += solver.solve(residual)
    raise ConvergenceError(
        f"association at alpha = 1 for some citizens did not reach its tolerance: error "
        f"bound {bound * float(np.abs(residual).max()):.3g}, "
        f"needed {tol * float(np.min(scale)):.3g}"
    )


def _leading_below_one(system, at_one):
    """Citizens at ``lambda = 1`` whose ties lead (in any number of steps) to one below 1."""
    n, degree = system.n, system.degree
    if not at_one.any() or at_one[degree > 0].all():
        return np.zeros(n, dtype=bool)
    sources = np.flatnonzero(~at_one)
    matrix = system.wm.matrix
    rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    tied = matrix.data > 0  # stored zeros (a masked matrix keeps them) are no ties
    # i counts j: walk j -> i from every citizen below 1 (through one extra start node n)
    reverse = sp.csr_array((np.ones(int(tied.sum()) + len(sources)),
                            (np.concatenate([matrix.indices[tied], np.full(len(sources), n)]),
                             np.concatenate([rows[tied], sources]))),
                           shape=(n + 1, n + 1))
    reached = np.zeros(n + 1, dtype=bool)
    reached[breadth_first_order(reverse, n, directed=True, return_predecessors=False)] = True
    return reached[:n] & at_one


def _closed_consensus(system, s, at_one):
    """Each closed group of citizens at ``lambda = 1`` at its DeGroot consensus.

    ``_require_bound`` has checked that their ties lead only to one another. Where the
    ties among them are symmetric each connected group ends at the degree-weighted mean
    of its own scores, as at ``alpha = 1`` for all (:func:`_consensus`); returns the
    scores with those values in place, or None when the ties are not symmetric.
    """
    sub = system.wm.matrix[at_one][:, at_one]
    difference = (sub - sub.T).tocsr()
    difference.eliminate_zeros()
    if difference.nnz:
        return None
    closed = SimpleNamespace(wm=SimpleNamespace(matrix=sub),
                             degree=np.asarray(sub.sum(axis=1)).ravel())
    values = s.copy()
    values[at_one] = _consensus(closed, s[at_one])
    return values


def _overflow(system, s):
    return OverflowError(
        f"association overflows float64: own scores up to {float(np.abs(s).max()):.3g} and "
        f"tie weights summing to {float(system.degree.max(initial=0.0)):.3g} per citizen give "
        f"sums beyond {np.finfo(float).max:.3g}; rescale the scores or the weights"
    )


def _finite(x, system, s):
    if not np.all(np.isfinite(x)):
        raise _overflow(system, s)
    return x


def _stop_threshold(system, tol, scale):
    """Residual size that guarantees ``max |x - x*| <= tol * scale``."""
    lam_max = system.lam_max
    return tol * scale * ((1.0 - lam_max) if lam_max < 1 else 1.0)


def _fixed_point(system, s, x0, *, tol, scale, max_iter):
    lam = _column(system.lam, s)
    x = np.where(_column(system.free, s), x0, s)
    threshold = _stop_threshold(system, tol, scale)
    change = np.inf
    for _ in range(max_iter):
        new = lam * system.mean_of_ties(x) + (1.0 - lam) * s
        change = np.abs(new - x).max(axis=0)
        x = new
        if np.all(change <= threshold):
            return x
        if not np.all(np.isfinite(change)):
            raise _overflow(system, s)
    raise ConvergenceError(
        f"association did not converge in max_iter={max_iter} iterations "
        f"(largest change {np.max(change):.3g}, needed {np.min(threshold):.3g}); "
        "raise max_iter, or check for a periodic graph at alpha = 1"
    )


def _conjugate_gradients(system, s, x0, *, tol, scale, max_iter, one_norm=None,
                         product=None):
    """Preconditioned CG on ``(D Lambda^-1 - A) x = D Lambda^-1 (I - Lambda) s``.

    Citizens with ``lambda = 0`` or without ties are held at their own score. Returns None
    when the answer fails the true-residual check (the matrix was not symmetric after
    all), so that the caller falls back to the fixed point. With ``one_norm`` (one column
    only), stop instead once the 1-norm of the symmetric system's residual is at most
    ``one_norm`` and return without the check: the caller checks its own residual.
    ``product`` replaces ``system.product`` (``A @ v``, with ``out=``).
    """
    product = system.product if product is None else product
    free, lam, degree = system.free, system.lam, system.degree
    all_free = bool(free.all())
    if all_free:
        coef = degree / lam
    else:
        coef = np.where(free, np.divide(degree, lam, out=np.ones_like(degree), where=free), 1.0)
    coef_c, free_c = _column(coef, s), _column(free, s)
    # Preconditioner 1 / coef: the diagonal of D Lambda^-1 - A leaving out self-loops, so
    # no pass over the matrix reads them. The preconditioned operator is then
    # I - Lambda^1/2 D^-1/2 A D^-1/2 Lambda^1/2, whose spectrum lies in
    # [1 - lambda_max, 1 + lambda_max] (D^-1/2 A D^-1/2 has spectral radius 1).
    precond = 1.0 / coef
    precond_c = _column(precond, s)
    # the residual of the original equation is lambda / d times that of the symmetric one
    # on the free rows (exact algebra, row by row, whatever A's symmetry)
    to_original = (lam / degree if all_free
                   else np.where(free, lam / np.where(degree > 0, degree, 1.0), 0.0))
    to_original_c = _column(to_original, s)

    scaled = np.empty(s.shape)

    def apply(v, out=None):
        av = product(v if all_free else np.where(free_c, v, 0.0), out=out)
        if not all_free:
            av[~free] = 0.0
        np.subtract(np.multiply(coef_c, v, out=scaled), av, out=av)
        return av

    if all_free:
        b = coef_c * _column(1.0 - lam, s) * s
        x = np.array(x0, dtype=np.float64)  # updated in place below
    else:
        fixed_part = product(np.where(free_c, 0.0, s))
        b = np.where(free_c, coef_c * _column(1.0 - lam, s) * s + fixed_part, s)
        x = np.where(free_c, x0, s)
    r = b - apply(x)
    threshold = _stop_threshold(system, tol, scale)
    # CG needs about sqrt(condition) * log(1 / tol) steps; the preconditioned condition
    # number is at most (1 + lambda_max) / (1 - lambda_max).
    cond = (1.0 + system.lam_max) / (1.0 - system.lam_max)
    budget = min(max_iter, int(math.sqrt(cond) * math.log(4 * cond / tol)) + 20)
    z = precond_c * r
    p = z.copy()
    rz = column_dots(r, z)
    max_precond = precond.max()
    work = np.empty_like(r)
    q = np.empty_like(r)  # A p, rewritten every iteration
    near = threshold * math.sqrt(system.n)
    for _ in range(budget):
        if one_norm is not None:
            if np.abs(r).sum() <= one_norm:
                break
            bound = np.inf  # skip the infinity-norm rules below
        else:
            # |rho_i| <= precond_i |r_i| <= sqrt(max(precond) * r.z): a free certificate;
            # the exact infinity norm (three passes) is only taken once within sqrt(n).
            bound = np.sqrt(max_precond * np.maximum(rz, 0.0))
        if np.all(bound <= threshold):
            break
        if np.all(bound <= near) and np.all(np.abs(to_original_c * r).max(axis=0) <= threshold):
            break
        q = apply(p, out=q)
        pq = column_dots(p, q)
        step = np.divide(rz, pq, out=np.zeros_like(rz), where=pq > 0)
        x = _axpy(step, p, x, work)
        r = _axpy(-step, q, r, work)
        np.multiply(precond_c, r, out=z)
        rz_new = column_dots(r, z)
        p *= np.divide(rz_new, rz, out=np.zeros_like(rz), where=rz > 0)
        p += z
        rz = rz_new
    if one_norm is not None:
        return x
    # the true residual, not the recurrence's: one more product
    residual = np.subtract(b, apply(x, out=q), out=q)
    residual *= to_original_c
    if np.all(np.abs(residual).max(axis=0) <= threshold):
        return x
    return None


def _axpy(a, x, y, work):
    """``y += a * x`` in place, using ``work`` as scratch."""
    y += np.multiply(a, x, out=work)
    return y


def _consensus(system, s):
    """DeGroot consensus per connected component: the degree-weighted mean of own scores."""
    _, labels = connected_components(system.wm.matrix, directed=False)
    degree = system.degree
    totals = np.zeros((labels.max() + 1,) + s.shape[1:])
    np.add.at(totals, labels, _column(degree, s) * s)
    mass = np.bincount(labels, weights=degree)
    mean = totals / _column(np.where(mass > 0, mass, 1.0), totals)
    return np.where(_column(degree > 0, s), mean[labels], s)


_DECOMPOSE_METHODS = ("auto", "exact", "probing")
# Largest society "auto" decomposes exactly (n / batch_size block solves).
_EXACT_UP_TO = 10_000
# Probes are solved to this accuracy at least; the stated bound includes it.
_PROBE_TOL = 1e-5


def decompose(
    G,
    own,
    *,
    alpha=0.3,
    weight="weight",
    method="auto",
    tol=1e-10,
    probes=32,
    batch_size=256,
    rng=None,
    progress=False,
):
    """Split every displayed score into the part from the citizen's own record and from others.

    With :math:`M = (I - \\Lambda W)^{-1}(I - \\Lambda)` the displayed score is
    :math:`x_i = M_{ii} s_i + \\sum_{j \\ne i} M_{ij} s_j`: the first term is what the
    citizen's own record contributes (after echoing back through their ties), the second
    what everyone else contributes: guilt, or approval, by association.

    Parameters
    ----------
    G, own, alpha, weight
        As in :func:`propagate`; every ``alpha`` must be below 1.
    method : {"auto", "exact", "probing"}, default "auto"
        ``"exact"`` solves for every ``M_ii`` (about ``n / batch_size`` block solves: up to
        ~10^4-10^5 citizens); ``"probing"`` estimates them from ``probes`` solves with a
        per-citizen error bound (see Notes); ``"auto"`` is exact up to 10,000 citizens
        (the exact cost grows as ~n^2: about a minute at 10^4 on 2 cores).
    tol : float, default 1e-10
        Absolute accuracy of each solve (of each ``M_ii`` for the exact method; probes are
        solved to ``max(tol, 1e-5)``, which the probing bound includes).
    probes : int, default 32
        Probe groups (solves) for ``method="probing"``; more make the bound tighter.
    batch_size : int, default 256
        Columns solved together by the exact method.
    rng : int or numpy.random.Generator, optional
        Seeds the split into probe groups (``method="probing"``; the estimate changes with
        it, always within its bound).
    progress : bool, default False
        Show a progress bar over the batches.

    Returns
    -------
    pandas.DataFrame
        Indexed by citizen, with columns ``own_score`` (s), ``displayed`` (x),
        ``self_weight`` (M_ii), ``self_weight_error`` (a bound on ``|self_weight - M_ii|``:
        ``tol`` for the exact method), ``from_own`` (M_ii s_i), ``from_others``
        (x_i - M_ii s_i, the association term) and ``association_effect`` (x_i - s_i).
        ``from_own + from_others == displayed``.

    Raises
    ------
    ValueError
        As :func:`propagate`, for an unknown method, and for ``alpha == 1`` where the split
        is not defined by this formula (DeGroot: every citizen ends at the consensus).

    Notes
    -----
    Exact: ``M_ii`` is the ``i``-th entry of the equilibrium for the unit own-score vector
    ``e_i`` (:math:`M e_i` is column ``i`` of ``M``), solved in blocks with the same solver
    as :func:`propagate`.

    Probing (Tang and Saad 2012, with a certified interval instead of a decay estimate):
    with :math:`B = \\Lambda W`, the diagonal of :math:`T = (I + B + B^2)(I - \\Lambda)` is
    exact and :math:`T_{ii} \\le M_{ii} \\le T_{ii} + (B^3 M v_g)_i`, where ``v_g`` is the
    indicator of the probe group of citizen ``i``: ``i``'s own return weight after three
    or more steps plus the share of the rest of that tail that falls on the other members
    of ``i``'s group, which shrinks as ``probes`` grows (groups are chosen to hold few
    ties). The estimate is the middle of the interval,

    .. math::

        |\\hat M_{ii} - M_{ii}| \\le \\tfrac12 (B^3 M v_g)_i + \\lambda_{max}^3 \\tau
        \\le \\tfrac12 \\lambda_{max}^3 + \\lambda_{max}^3 \\tau

    (``tau`` the probe solves' accuracy), reported per citizen in ``self_weight_error``;
    the last form, the Neumann tail beyond two steps, holds for every graph. Cost: about
    ``probes`` solves and ``3 probes`` sparse products. Measured (benchmarks/
    decomposition.py, Barabasi-Albert, 32 probes): the bound is about 4e-4 at alpha = 0.3
    and 2e-3 at alpha = 0.5, and the actual errors come close to it.

    Checked against the dense inverse in the tests: the exact method to ``tol``, and the
    probing estimate within its reported bound (every exact ``M_ii`` in its interval).

    References
    ----------
    J. M. Tang and Y. Saad (2012), "A probing method for computing the diagonal of a
    matrix inverse", Numerical Linear Algebra with Applications 19(3):485-501.
    https://doi.org/10.1002/nla.779

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import decompose
    >>> parts = decompose(nx.path_graph(3), [900.0, 500.0, 900.0], alpha=0.5)
    >>> parts[["from_own", "from_others", "displayed"]].round(2).loc[1].tolist()
    [333.33, 300.0, 633.33]
    >>> rough = decompose(nx.path_graph(3), [900.0, 500.0, 900.0], alpha=0.5, method="probing")
    >>> bool(abs(rough.loc[1, "self_weight"] - 2 / 3) <= rough.loc[1, "self_weight_error"])
    True
    """
    if method not in _DECOMPOSE_METHODS:
        raise ValueError(f"method must be one of {_DECOMPOSE_METHODS}, got {method!r}")
    batch_size = check_integer("batch_size", batch_size, minimum=1)
    probes = check_integer("probes", probes, minimum=1)
    tol = check_real("tol", tol, minimum=0.0, open_min=True)
    system = _build_system(G, alpha, weight)
    _require_below_one(system)
    nodes = system.wm.nodes
    s = align_to_nodes(own, nodes, name="own", ndim=1)
    n = system.n
    displayed = _solve(system, s, s, method="exact", tol=tol, max_iter=10_000)
    if method == "auto":
        method = "exact" if n <= _EXACT_UP_TO else "probing"
    if method == "exact":
        self_weight = _exact_self_weights(system, tol=tol, batch_size=batch_size,
                                          progress=progress)
        error = np.full(n, tol)
    else:
        probe_tol = max(tol, _PROBE_TOL)

        def solve(columns):
            return _solve(system, columns, columns, method="exact", tol=probe_tol,
                          max_iter=10_000)

        self_weight, error = self_weights(system, solve, probes=min(probes, n), tol=probe_tol,
                                          rng=np.random.default_rng(rng), progress=progress)
    from_own = self_weight * s
    return pd.DataFrame(
        {
            "own_score": s,
            "displayed": displayed,
            "self_weight": self_weight,
            "self_weight_error": error,
            "from_own": from_own,
            "from_others": displayed - from_own,
            "association_effect": displayed - s,
        },
        index=nodes,
    )


def _exact_self_weights(system, *, tol, batch_size, progress):
    """Every ``M_ii`` from block solves for unit own-score vectors."""
    n = system.n
    # keep a block to ~160 MB of float64 per work array
    width = max(1, min(batch_size, 20_000_000 // n))
    self_weight = np.empty(n)
    starts = range(0, n, width)
    for start in tqdm(starts, disable=not progress, desc="decompose", unit="batch"):
        cols = np.arange(start, min(start + width, n))
        unit = np.zeros((n, len(cols)))
        unit[cols, np.arange(len(cols))] = 1.0
        solved = _solve(system, unit, unit, method="exact", tol=tol, max_iter=10_000)
        self_weight[cols] = solved[cols, np.arange(len(cols))]
    return self_weight


def _require_below_one(system):
    if system.lam_max >= 1:
        raise ValueError(
            "alpha must be below 1 for every citizen with ties to split scores by source; "
            "at alpha = 1 (DeGroot) every citizen ends at the consensus, to which citizen j "
            "contributes in proportion to their weighted degree"
        )


def contributions(G, own, citizen, *, alpha=0.3, weight="weight", tol=1e-8, max_iter=10_000, top=None):
    """Who contributes how much to one citizen's displayed score.

    Returns :math:`c_j = M_{ij} s_j` for every citizen ``j`` (row ``i`` of
    :math:`M = (I - \\Lambda W)^{-1}(I - \\Lambda)`), which sum to the displayed score
    :math:`x_i`.

    Parameters
    ----------
    G, own, alpha, weight
        As in :func:`propagate`; every ``alpha`` must be below 1.
    citizen : node label
        Whose score to explain.
    tol : float, default 1e-8
        The contributions sum to ``x_i`` within ``tol * max |s|`` (as ``propagate``).
    max_iter : int, default 10000
        Iteration limit.
    top : int, optional
        Keep only the ``top`` largest contributions in absolute value.

    Returns
    -------
    pandas.Series
        Contributions indexed by contributing citizen, largest in absolute value first,
        named ``"contribution"``.

    Notes
    -----
    Row ``i`` of :math:`(I - \\Lambda W)^{-1}` solves :math:`(I - \\Lambda W)^T y = e_i`
    (one solve, whatever the size of the society). For undirected ties (``W = D^{-1} A``,
    ``A`` symmetric) :math:`y = D \\Lambda^{-1} u` on the citizens with ``lambda > 0``,
    where :math:`(D \\Lambda^{-1} - A) u = e_i` is the symmetric positive definite system
    :func:`propagate` solves by conjugate gradients; the others get
    :math:`y_j = e_{ij} + (A u)_j`. The answer is then checked, and if need be finished,
    by the fixed point :math:`y \\leftarrow e_i + W^T \\Lambda y`, whose residual bounds
    the 1-norm error by ``||r||_1 / (1 - max lambda)``; directed ties use the fixed point
    alone. The first products, while the solve's vectors reach only a few steps of ties
    from citizen ``i``, read only the rows they touch.

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import contributions
    >>> contributions(nx.path_graph(3), [900.0, 500.0, 900.0], 1, alpha=0.5).round(2).to_dict()
    {1: 333.33, 0: 150.0, 2: 150.0}
    """
    tol, max_iter = _check_options("exact", tol, max_iter)
    system = _build_system(G, alpha, weight)
    _require_below_one(system)
    nodes = system.wm.nodes
    s = align_to_nodes(own, nodes, name="own", ndim=1)
    if citizen not in nodes:
        raise ValueError(f"citizen {plain(citizen)!r} is not in G")
    if top is not None:
        top = check_integer("top", top, minimum=1)
    y = _row_of_inverse(system, nodes.get_loc(citizen), tol=tol, max_iter=max_iter)
    result = pd.Series(y * (1.0 - system.lam) * s, index=nodes, name="contribution")
    result = result.iloc[_largest_first(result.to_numpy())]
    return result if top is None else result.iloc[:top]


def _largest_first(values):
    """Positions of ``values`` by decreasing absolute value, ties in their order.

    NumPy's default sort is a vectorised quicksort, about twice as fast as the stable one
    at 10^6 values; it gives the stable order whenever no two keys are equal, which is
    checked, and the stable sort is used otherwise.
    """
    key = -np.abs(values)
    order = np.argsort(key)
    ordered = key[order]
    if np.any(ordered[1:] == ordered[:-1]):
        order = np.argsort(key, kind="stable")
    return order


def _row_of_inverse(system, i, *, tol, max_iter):
    """Row ``i`` of ``(I - Lambda W)^{-1}``, to 1-norm accuracy ``tol``."""
    n, lam, degree = system.n, system.lam, system.degree
    unit = np.zeros(n)
    unit[i] = 1.0
    start = unit
    if system.symmetric and system.free[i]:
        # (D Lambda^-1 - A) u = e_i is the CG system of propagate for the own scores s
        # with D Lambda^-1 (1 - Lambda) s = e_i
        s = np.zeros(n)
        s[i] = lam[i] / (degree[i] * (1.0 - lam[i]))
        # its residual is that of the transposed system, whose 1-norm bounds the error
        with np.errstate(over="ignore", invalid="ignore"):
            u = _conjugate_gradients(system, s, s, tol=tol, scale=s[i], max_iter=max_iter,
                                     one_norm=tol * (1 - system.lam_max) / 2,
                                     product=_SparseFirst(system))
            start = degree * np.divide(u, lam, out=np.zeros(n), where=system.free)
            if not system.free.all():
                start = np.where(system.free, start, system.product(u) + unit)
        if not np.all(np.isfinite(start)):
            # a susceptibility so small that D / lambda overflows (subnormal lambda): the
            # CG warm start is unusable, the fixed point below still converges from e_i
            start = unit
    return _transposed_fixed_point(system, unit, y0=start, tol=tol * (1 - system.lam_max),
                                   max_iter=max_iter)


class _SparseFirst:
    """``A @ v`` that reads only the rows of ``v``'s non-zero entries while those hold
    few ties, for a symmetric ``A`` (``(A v)_j = sum_i A_ij v_i``).

    A solve from one citizen's unit vector (:func:`contributions`) starts with vectors
    that reach one more step of ties per product: the first products touch a few
    thousand ties of the 10^7 instead of all of them. Used where ``A`` is taken to be
    symmetric; if that guess was wrong, the answer is wrong like the rest of the CG solve
    and the caller's check with the true transpose finishes the job.
    """

    def __init__(self, system):
        self.system = system
        self.matrix = system.wm.matrix
        self.limit = self.matrix.nnz // 16  # beyond: the full threaded product is cheaper
        self.dense = False  # once a vector reaches too many ties, the next ones do too

    def __call__(self, v, out=None):
        if self.dense:
            return self.system.product(v, out=out)
        rows = np.flatnonzero(v)
        indptr = self.matrix.indptr
        counts = indptr[rows + 1] - indptr[rows]
        total = int(counts.sum())
        if total > self.limit:
            self.dense = True
            return self.system.product(v, out=out)
        starts = indptr[rows]
        positions = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        weights = self.matrix.data[positions] * np.repeat(v[rows], counts)
        result = np.bincount(self.matrix.indices[positions], weights=weights,
                             minlength=len(v))
        if out is None:
            return result
        out[...] = result
        return out


def _transposed_fixed_point(system, rhs, *, tol, max_iter, y0=None):
    """Solve ``y = rhs + W^T Lambda y`` (1-norm change below ``tol``) from ``y0``."""
    if system.wm.symmetric:  # known, not guessed: A^T = A, threaded product
        transposed = system.product
    else:
        transposed = system.wm.matrix.T.__matmul__
    degree = system.degree
    safe = np.where(degree > 0, degree, 1.0)
    y = rhs.copy() if y0 is None else y0
    change = np.inf
    for _ in range(max_iter):
        new = rhs + transposed(system.lam * y / safe)
        change = np.abs(new - y).sum()
        y = new
        if change <= tol:
            return y
        if not np.isfinite(change):
            raise _overflow(system, rhs)
    raise ConvergenceError(
        f"did not converge in max_iter={max_iter} iterations (change {change:.3g} > {tol:.3g})"
    )


def one_hop_mean(G, own, *, alpha=0.3, weight="weight"):
    """Displayed score as a blend of one's own score and the weighted mean of one's ties'.

    :math:`x = (I - \\Lambda) s + \\Lambda W s`: association reaches one step only (friends
    count, friends of friends do not). Citizens without ties keep their own score.

    Parameters
    ----------
    G, own, alpha, weight
        As in :func:`propagate`.

    Returns
    -------
    pandas.Series
        Displayed scores indexed by citizen.

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import one_hop_mean
    >>> one_hop_mean(nx.path_graph(3), [900.0, 500.0, 900.0], alpha=0.5).tolist()
    [700.0, 700.0, 700.0]
    """
    system = _build_system(G, alpha, weight)
    s = align_to_nodes(own, system.wm.nodes, name="own", ndim=1)
    with np.errstate(over="ignore", invalid="ignore"):
        x = (1.0 - system.lam) * s + system.lam * system.mean_of_ties(s)
    return pd.Series(_finite(x, system, s), index=system.wm.nodes, name="displayed")


def worst_neighbour(G, own, *, alpha=0.3, weight="weight"):
    """Penalty toward the lowest-scoring associate: one bad friend drags you down.

    :math:`x_i = (1 - \\lambda_i) s_i + \\lambda_i \\min(s_i, \\min_{j \\in N(i)} s_j)`
    where ``N(i)`` are the citizens ``i`` has a tie of positive weight to (self-loops
    excluded). A worst associate who scores higher than oneself brings no bonus; citizens
    without ties keep their own score.

    Parameters
    ----------
    G, own, alpha, weight
        As in :func:`propagate`; weights only decide who counts as a neighbour.

    Returns
    -------
    pandas.Series
        Displayed scores indexed by citizen.

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import worst_neighbour
    >>> worst_neighbour(nx.path_graph(3), [900.0, 500.0, 700.0], alpha=0.5).tolist()
    [700.0, 500.0, 600.0]
    """
    system = _build_system(G, alpha, weight)
    s = align_to_nodes(own, system.wm.nodes, name="own", ndim=1)
    matrix = system.wm.matrix
    rows = np.repeat(np.arange(system.n), np.diff(matrix.indptr))
    neighbour_scores = np.where(
        (matrix.indices != rows) & (matrix.data > 0), s[matrix.indices], np.inf
    )
    worst = np.full(system.n, np.inf)
    np.minimum.at(worst, rows, neighbour_scores)
    floor = np.minimum(s, worst)  # inf (no neighbour) leaves s
    x = (1.0 - system.lam) * s + system.lam * floor
    return pd.Series(x, index=system.wm.nodes, name="displayed")


def personalised_pagerank(G, own, *, alpha=0.3, weight="weight", tol=1e-10, max_iter=1000):
    """Score as endorsement: each citizen passes a share of their score to their ties.

    The transposed Friedkin-Johnsen system :math:`x = (I - \\Lambda) s + W^T \\Lambda x`:
    citizen ``i`` keeps ``1 - lambda_i`` of their standing and passes ``lambda_i`` of it
    along their ties in proportion to the weights. With a scalar ``alpha`` and no citizen
    without ties this is personalised PageRank with damping ``alpha`` and restart vector
    ``s / sum(s)``, times ``sum(s)`` (Page et al. 1999; Jeh & Widom 2003). Being tied to
    high scorers raises one's score. A citizen with no outgoing tie (a sink of a directed
    graph) has no one to pass a share to and keeps it, as if tied to itself:
    :math:`x_i = s_i + r_i / (1 - \\lambda_i)` with :math:`r_i` what it received. So with a common
    ``alpha`` the total score is conserved (``x.sum() == s.sum()``), sinks or not; a
    citizen without any tie keeps their own score.

    Parameters
    ----------
    G, own, alpha, weight
        As in :func:`propagate`.
    tol : float, default 1e-10
        Stops when the 1-norm change is below ``tol * (1 - max alpha) * sum |s|``.
    max_iter : int, default 1000
        Iteration limit.

    Returns
    -------
    pandas.Series
        Scores indexed by citizen.

    Notes
    -----
    Checked against :func:`networkx.pagerank` with ``personalization`` in the tests.

    References
    ----------
    L. Page, S. Brin, R. Motwani and T. Winograd (1999), "The PageRank citation ranking:
    bringing order to the web", Stanford InfoLab. G. Jeh and J. Widom (2003), "Scaling
    personalized web search", WWW '03. https://doi.org/10.1145/775152.775191

    Examples
    --------
    >>> import networkx as nx
    >>> from scorelab import personalised_pagerank
    >>> personalised_pagerank(nx.path_graph(3), [600.0, 600.0, 600.0], alpha=0.5).round(1).tolist()
    [500.0, 800.0, 500.0]
    """
    tol, max_iter = _check_options("exact", tol, max_iter)
    system = _build_system(G, alpha, weight)
    if system.lam_max >= 1:
        raise ValueError("alpha must be below 1 for every citizen with ties (PageRank damping)")
    s = align_to_nodes(own, system.wm.nodes, name="own", ndim=1)
    mass = max(np.abs(s).sum(), np.finfo(float).tiny)
    x = _transposed_fixed_point(
        system, (1.0 - system.lam) * s, tol=tol * (1 - system.lam_max) * mass, max_iter=max_iter
    )
    # A sink (lambda set to 0 above: it passes nothing on) received x - s; keeping its
    # share lambda of its standing, it ends at s + received / (1 - lambda).
    sink = (system.degree == 0) & (x != s)
    if sink.any():
        given = align_to_nodes(alpha, system.wm.nodes, name="alpha", scalar=True)
        if np.any(given[sink] >= 1):
            raise ValueError("alpha must be below 1 for every citizen with ties, sinks "
                             "included (PageRank damping)")
        x = np.where(sink, s + (x - s) / np.where(sink, 1.0 - given, 1.0), x)
    return _finite(pd.Series(x, index=system.wm.nodes, name="displayed"), system, s)
