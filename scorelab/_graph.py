"""Inputs at the API boundary, and the array kernels that several modules share.

Public functions accept a NetworkX graph, a SciPy sparse square matrix or a
:class:`scorelab.society.Society`; :func:`as_weight_matrix` turns any of them into a
CSR matrix of non-negative float64 weights plus the node labels, so that the numerical
code never touches NetworkX (it holds ~8x the memory of CSR, see the performance notes,
``docs/performance.md``). Per-citizen values go through one coercer,
:func:`align_to_nodes`, and group labels through :func:`group_codes`; a caller that has
checked its values skips nested re-validation with :func:`trusted_input`.

Inside: a multithreaded sparse product (:class:`ParallelProduct`) on the process's
:func:`thread_pool`, component labels, and the sorted-key helpers of the tie code
(:func:`symmetric_csr`, :func:`first_of_runs`, :func:`in_sorted`, :func:`lower_bound`).
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import os
import threading
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, repeat
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from scorelab._validation import check_real, plain, shown

try:  # SciPy's compiled CSR kernels; private, so the public path stays as a fallback
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - depends on the SciPy build
    _sparsetools = None
try:  # SciPy's breadth-first component labelling, given a matrix and its transpose
    from scipy.sparse.csgraph._traversal import _connected_components_undirected
except ImportError:  # pragma: no cover - depends on the SciPy build
    _connected_components_undirected = None

# Below this many stored entries a product is too quick for threads to pay off.
_MIN_NNZ_PER_THREAD = 100_000
# Row blocks per thread that ParallelProduct's threads share out (see there).
_SHARES_PER_THREAD = 4
_POOL: ThreadPoolExecutor | None = None
_POOL_PID: int | None = None


def _thread_count():
    return max(1, min(os.cpu_count() or 1, 8))


def thread_pool():
    """The process's thread pool, made afresh in a forked child.

    A child forked from a process whose pool had started threads (``sweep`` with local
    processes forks on Linux) inherits the pool object but none of its threads: work sent
    to it would wait forever.
    """
    global _POOL, _POOL_PID
    if _POOL is None or _POOL_PID != os.getpid():
        _POOL = ThreadPoolExecutor(max_workers=_thread_count(), thread_name_prefix="scorelab")
        _POOL_PID = os.getpid()
    return _POOL


@dataclass
class WeightMatrix:
    """A graph as CSR weights, its node labels and what is known of its symmetry."""

    matrix: sp.csr_array
    nodes: pd.Index
    symmetric: bool | None  # None: not known (a bare matrix was given)
    # known by a caller that maintains the matrix (the citizen game), else computed
    degree: np.ndarray | None = None  # weighted row sums, as matrix.sum(axis=1)
    loopless: bool = False  # True: no self-loops, the diagonal is zero

    @property
    def n(self):
        return self.matrix.shape[0]


def as_weight_matrix(G, *, weight="weight", name="G"):
    """Return ``G`` as a :class:`WeightMatrix`, validating it.

    Raises
    ------
    TypeError
        ``G`` is not a graph, a sparse matrix or a society; weights are not numeric.
    ValueError
        Empty graph, non-square matrix, negative or non-finite weights.
    """
    if isinstance(G, WeightMatrix):
        return G  # built and checked by scorelab itself (e.g. the citizen game's ties)
    if isinstance(G, nx.Graph):
        matrix, nodes = _networkx_to_csr(G, weight=weight, name=name)
        symmetric = not G.is_directed()
    elif sp.issparse(G) or isinstance(G, np.ndarray):
        if G.ndim != 2 or G.shape[0] != G.shape[1]:
            raise ValueError(f"{name} must be a square matrix, got shape {G.shape}")
        matrix = sp.csr_array(G, dtype=np.float64)
        nodes = pd.RangeIndex(G.shape[0], name="citizen")
        symmetric = None
    elif hasattr(G, "adjacency") and hasattr(G, "citizens"):
        matrix = G.adjacency(weight=weight)
        nodes = G.citizens.index
        symmetric = True
    else:
        raise TypeError(
            f"{name} must be a networkx Graph/DiGraph, a scipy sparse square matrix or a "
            f"scorelab Society, got {type(G).__name__}"
        )
    if matrix.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has no citizens (nodes)")
    if matrix.nnz:
        data = matrix.data
        if not np.isfinite(data).all():
            raise ValueError(f"{name} has non-finite (NaN or inf) tie weights")
        if (data < 0).any():
            raise ValueError(
                f"{name} has negative tie weights (minimum {float(data.min())}); "
                "association weights must be >= 0"
            )
    if not matrix.has_canonical_format:
        matrix.sum_duplicates()
    return WeightMatrix(matrix=matrix, nodes=nodes, symmetric=symmetric)


def _networkx_to_csr(G, *, weight, name):
    adjacency = G._adj  # node -> {neighbour: edge data}; G.adj wraps it in views per access
    n = len(adjacency)
    if not n:
        raise ValueError(f"{name} is empty: it has no citizens (nodes)")
    nodes = pd.Index(list(adjacency), name="citizen")
    # The inner dicts list every undirected tie from both ends (a self-loop once) and
    # every directed tie from its source: exactly the stored entries of the matrix. The
    # loops below run in C (map/chain over dicts): ~4x faster than generator expressions.
    counts = np.fromiter(map(len, adjacency.values()), dtype=np.int64, count=n)
    nnz = int(counts.sum())
    neighbours = chain.from_iterable(adjacency.values())
    if nodes.dtype.kind in "iu":
        columns = np.fromiter(neighbours, dtype=np.int64, count=nnz)
        if not (nodes.is_monotonic_increasing and nodes[0] == 0 and nodes[-1] == n - 1):
            columns = nodes.get_indexer(columns)
    else:
        columns = nodes.get_indexer(list(neighbours))

    def pairs():  # one attribute dict per stored entry, in CSR order
        return chain.from_iterable(map(dict.values, adjacency.values()))

    multigraph = G.is_multigraph()
    if multigraph:  # {key: attributes} per pair: parallel ties add up (weight 1 each)
        entries = (sum(e.get(weight, np.nan) for e in d.values()) if weight is not None
                   else len(d) for d in pairs())
    elif weight is None:
        entries = None
    else:
        entries = map(dict.get, pairs(), repeat(weight), repeat(np.nan))
    if entries is None:
        values = np.ones(nnz)
    else:
        try:
            values = np.fromiter(entries, dtype=np.float64, count=nnz)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: edge attribute {weight!r} must be numeric ({exc})") from None
    if weight is not None and np.isnan(values).any():
        # A missing weight (NaN above) would silently count as weight 1. Only a graph none
        # of whose ties has a weight under the default name is read as unweighted.
        lacking = sum(value is None for *_, value in G.edges(data=weight, default=None))
        if lacking == G.number_of_edges() and weight == "weight":
            values = (np.fromiter(map(len, pairs()), dtype=np.float64, count=nnz)
                      if multigraph else np.ones(nnz))
        elif lacking:
            raise ValueError(
                f"{name}: {lacking} of {G.number_of_edges()} ties lack the weight attribute "
                f"{weight!r}; give every tie a weight, or pass weight=None to weigh every tie 1"
            )
    indptr = np.concatenate([[0], np.cumsum(counts)])
    matrix = sp.csr_array((values, columns, indptr), shape=(n, n))
    matrix.sort_indices()
    return matrix, nodes


def reindex_to_nodes(values, nodes, *, name):
    """A Series or mapping keyed by node as an array in node order; other input as given.

    Raises ValueError naming ``name`` when some nodes have no value.
    """
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} must be one value per citizen (a Series, mapping or 1-D "
                        f"array), got a DataFrame with columns {list(values.columns)[:5]}")
    if not isinstance(values, (pd.Series, Mapping)):
        if not nodes.equals(pd.RangeIndex(len(nodes))) and np.ndim(values) >= 1:
            warnings.warn(
                f"{name} is an array but the citizens are not 0..{len(nodes) - 1} in order "
                f"(they begin {plain(nodes[:3])}): its values are taken in the "
                f"graph's node order; pass a Series keyed by citizen to say which is whose",
                UserWarning, stacklevel=3,
            )
        return values
    series = values if isinstance(values, pd.Series) else pd.Series(dict(values))
    if series.index.has_duplicates:
        repeated = series.index[series.index.duplicated()].unique()
        raise ValueError(f"{name} holds several values for {len(repeated)} citizen(s), e.g. "
                         f"{plain(repeated[:5])}; give one value per citizen")
    missing = nodes.difference(series.index)
    if len(missing):
        raise ValueError(
            f"{name} is missing values for {len(missing)} of {len(nodes)} citizens, "
            f"e.g. {plain(missing[:5])}"
        )
    extra = series.index.difference(nodes)
    if len(extra):
        raise ValueError(
            f"{name} has values for {len(extra)} citizen(s) not in the graph, e.g. "
            f"{plain(extra[:5])}"
        )
    return series.reindex(nodes).to_numpy()




# --------------------------------------------------------------------------- per-citizen input

_TRUSTED = contextvars.ContextVar("scorelab_trusted_input", default=False)


@contextlib.contextmanager
def trusted_input():
    """Inside this block :func:`align_to_nodes` aligns but does not re-check its values.

    Validate a value once, at the public entry point: a caller that has checked its
    values (the citizen game, which calls :func:`scorelab.propagate` every step with arrays
    it built itself) skips the nested re-validation (scikit-learn's
    ``prefer_skip_nested_validation``). Only the checks are skipped, never a conversion, so
    the results are the same.
    """
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def _label(nodes, position):
    """A citizen's label for a message: plain numbers, not NumPy reprs."""
    return plain(nodes[position] if isinstance(nodes, pd.Index) else position)


def align_to_nodes(values, nodes, *, name, scalar=False, minimum=None, maximum=None,
                   boolean=False, ndim=None):
    """One value per citizen, as an array in the citizens' order: the package's one
    coercer of per-citizen input.

    Parameters
    ----------
    values : pandas.Series, mapping, array_like or (``scalar=True``) a real number
        A Series or mapping keyed by citizen is aligned on ``nodes``; an array is taken in
        citizen order; a number is given to every citizen.
    nodes : pandas.Index, int or None
        The citizens' labels; an int ``n`` for ``n`` unlabelled citizens (a Series is then
        taken in its own order); None when the values themselves define the citizens.
    name : str
        The parameter, for error messages.
    scalar : bool, default False
        Accept one real number for everyone.
    minimum, maximum : float, optional
        Bounds (inclusive) every value must respect.
    boolean : bool, default False
        Return the values as given, which must be boolean (a mask), instead of float64.
    ndim : int, optional
        Required number of dimensions (default: any, one row per citizen).

    Returns
    -------
    numpy.ndarray
        float64 (bool with ``boolean=True``), one row per citizen.

    Raises
    ------
    TypeError
        Non-numeric (or non-boolean) values; a string or None.
    ValueError
        A Series or mapping missing some citizens; the wrong number of values; NaN or inf;
        values outside the bounds; no citizens. Messages name ``name`` and the value.
    """
    if scalar and isinstance(values, numbers.Real) and not isinstance(values, bool):
        count = nodes if isinstance(nodes, int) else len(nodes)
        return np.full(count, check_real(name, values, minimum=minimum, maximum=maximum))
    if isinstance(nodes, pd.Index):
        values = reindex_to_nodes(values, nodes, name=name)
    elif isinstance(values, (pd.Series, Mapping)):
        values = (values if isinstance(values, pd.Series) else pd.Series(dict(values))).to_numpy()
    if _TRUSTED.get():
        return np.asarray(values, dtype=bool if boolean else np.float64)
    if isinstance(values, (str, bytes, bool)) or values is None or not hasattr(values, "__len__"):
        expected = "a number or one value per citizen" if scalar else "numeric, one value per citizen"
        raise TypeError(f"{name} must be {expected}, got {shown(values)}")
    n = len(values) if nodes is None else (nodes if isinstance(nodes, int) else len(nodes))
    if boolean:
        array = np.asarray(values)
        if array.dtype != bool:
            raise TypeError(f"{name} must be boolean (True/False per citizen), got dtype "
                            f"{array.dtype}")
    else:
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be numeric, got {type(values).__name__}: {exc}") \
                from None
    if n == 0:
        raise ValueError(f"{name} is empty: it has no citizens")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, one value per citizen, got shape "
                         f"{array.shape}")
    if array.ndim == 0 or array.shape[0] != n:
        raise ValueError(f"{name} must have one value per citizen ({n}), got shape {array.shape}")
    if boolean:
        return array
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad.reshape(n, -1).any(axis=1))[0])
        raise ValueError(
            f"{name} must be finite (no NaN or inf); {int(bad.sum())} NaN/inf value(s), first "
            f"for citizen {_label(nodes, first)!r}"
        )
    if minimum is not None or maximum is not None:
        low = -np.inf if minimum is None else minimum
        high = np.inf if maximum is None else maximum
        outside = (array < low) | (array > high)
        if outside.any():
            first = int(np.flatnonzero(outside.reshape(n, -1).any(axis=1))[0])
            bound = (f"lie in [{low:g}, {high:g}]" if minimum is not None and maximum is not None
                     else f"be >= {low:g}" if minimum is not None else f"be <= {high:g}")
            raise ValueError(
                f"{name} must {bound}; {int(outside.sum())} value(s) outside, e.g. "
                f"{float(array.reshape(n, -1)[first][outside.reshape(n, -1)[first]][0])} "
                f"for citizen {_label(nodes, first)!r}"
            )
    return array


def group_codes(groups, n, index=None, *, name="groups", categories=None):
    """Integer group codes (one per citizen) and the group labels they stand for.

    A Series is aligned on ``index`` (the citizens) when one is given; anything else is
    taken in citizen order. With ``categories``, the codes are positions in it (a label
    outside it is an error); otherwise categorical groups keep all their categories, in
    order (a category may have no member), and other labels are sorted (kept in order of
    appearance when their types cannot be sorted). Missing labels (NaN) are an error.
    """
    if isinstance(groups, Mapping):
        groups = pd.Series(dict(groups))
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
        raise TypeError(f"{name} must hold one group label per citizen, got {groups!r}")
    if isinstance(groups, pd.Series) and index is not None:
        missing = index.difference(groups.index)
        if len(missing):
            raise ValueError(
                f"{name} is missing labels for {len(missing)} of {n} citizens, "
                f"e.g. {list(missing[:5])}"
            )
        groups = groups.reindex(index)
    series = groups if isinstance(groups, pd.Series) else pd.Series(
        groups if isinstance(groups, pd.Categorical) else np.asarray(groups, dtype=object)
    )
    if series.ndim != 1 or len(series) != n:
        raise ValueError(f"{name} must have one label per citizen ({n}), got {len(series)}")
    if categories is not None:
        labels = pd.Index(categories)
        codes = labels.get_indexer(series.to_numpy())
        unknown = (codes < 0) & series.notna().to_numpy()
        if unknown.any():
            found = sorted(set(series[unknown].astype(str)))[:5]
            raise ValueError(f"{name} holds labels {found} that are not groups of "
                             f"{list(labels)}")
    elif isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        labels = pd.Index(series.cat.categories)
    else:
        try:
            codes, labels = pd.factorize(series, sort=True)
        except TypeError:  # labels of mixed types cannot be sorted
            codes, labels = pd.factorize(series)
        labels = pd.Index(labels)
    codes = np.asarray(codes).astype(np.int64)
    if (codes < 0).any():
        where = np.flatnonzero(codes < 0)
        raise ValueError(f"{name} has missing labels: {len(where)} missing group label(s), "
                         f"first at position {int(where[0])}")
    return codes, labels.rename("group")


def row_cuts(indptr, nnz):
    """Row boundaries of CSR row blocks with about equal numbers of entries, one block per
    thread and at least ``_MIN_NNZ_PER_THREAD`` entries each; None when one thread will do.
    """
    k = min(_thread_count(), max(1, nnz // _MIN_NNZ_PER_THREAD))
    if k == 1:
        return None
    cuts = np.searchsorted(indptr, np.linspace(0, nnz, k + 1), side="left")
    cuts[0], cuts[-1] = 0, len(indptr) - 1
    return np.unique(cuts)


class ParallelProduct:
    """``A @ x`` for a CSR matrix, split into row blocks of equal work shared by threads.

    SciPy's CSR kernels release the GIL, so on a 2-core machine two threads run about
    twice as fast as one call (measured: 0.24 s -> 0.10 s at 10^6 rows and 2 * 10^7
    entries) when both cores are free. The rows are cut into a few blocks per thread and
    each thread claims the next unclaimed block until none is left; the calling thread
    takes part and waits only for blocks a helper has claimed. On a loaded machine, where
    a helper thread may not be scheduled for several milliseconds, the caller then does
    the work itself instead of waiting (measured at 10^5 rows under a load of 5 on 2 cores:
    a fixed split of one block per thread took 8-9 ms a product against SciPy's 3 ms).
    Whether two threads pay depends on the machine: on this project's shared 2-core
    machine (2 vCPUs, load 3-8 from other sessions) a whole solve at 10^6 rows ran
    faster with one thread (best of 5: 0.76 s against 1.23 s, 1.20 against 1.79; 40 %
    more CPU time with two), while the individual products took about the same time
    (``benchmarks/propagation.py`` prints both beside each other).
    Every row is computed by the same kernel whichever thread takes it, so the result is
    identical for any number of threads. The blocks read the matrix's own arrays through
    SciPy's ``csr_matvec(s)`` kernels, which take absolute offsets into them: no copy.
    Where those kernels are not available, row-block matrices are built instead (they
    copy the arrays once).
    """

    def __init__(self, matrix):
        self.matrix = matrix
        per_thread = row_cuts(matrix.indptr, matrix.nnz)
        self.cuts = None
        if per_thread is not None:
            shares = min(_SHARES_PER_THREAD * (len(per_thread) - 1),
                         matrix.nnz // _MIN_NNZ_PER_THREAD)
            cuts = np.searchsorted(matrix.indptr, np.linspace(0, matrix.nnz, shares + 1))
            cuts[0], cuts[-1] = 0, matrix.shape[0]
            self.cuts = np.unique(cuts)
        self.blocks = None
        if self.cuts is not None and _sparsetools is None:
            self.blocks = [matrix[a:b] for a, b in zip(self.cuts[:-1], self.cuts[1:])]

    def __call__(self, x, out=None):
        """``A @ x``; into ``out`` (float64, C-contiguous, the result's shape) if given,
        which spares a fresh array (and its page faults) per product."""
        if self.cuts is None:
            if out is None:
                return self.matrix @ x
            out[...] = self.matrix @ x
            return out
        x = np.ascontiguousarray(x, dtype=np.float64)
        if out is None:
            out = np.empty((self.matrix.shape[0],) + x.shape[1:])
        else:
            shape = (self.matrix.shape[0],) + x.shape[1:]
            if (out.shape != shape or out.dtype != np.float64
                    or not out.flags.c_contiguous or np.shares_memory(out, x)):
                raise ValueError(f"out must be a C-contiguous float64 array of shape {shape} "
                                 "that does not overlap x")
        self._share(lambda block: self._block_product(block, x, out))
        return out

    def row_sums(self):
        """``A.sum(axis=1)`` as a flat array, the row blocks summed on the threads.

        The same sequential sums as SciPy's (``numpy.add.reduceat`` over each row), so the
        values are identical; an empty row sums to 0.
        """
        sums = np.zeros(self.matrix.shape[0])
        if self.cuts is None:
            self._block_sums(0, self.matrix.shape[0], sums)
        else:
            self._share(lambda block: self._block_sums(self.cuts[block], self.cuts[block + 1],
                                                       sums))
        return sums

    def _share(self, work):
        """Run ``work(block)`` once for every row block, on this thread and the helpers."""
        blocks = len(self.cuts) - 1
        state = SimpleNamespace(next=0, lock=threading.Lock(), errors=[])
        done = [threading.Event() for _ in range(blocks)]

        def claim():
            with state.lock:
                block, state.next = state.next, state.next + 1
            return block

        def helper():
            while (block := claim()) < blocks:
                try:
                    work(block)
                except BaseException as exc:  # re-raised on the calling thread
                    state.errors.append(exc)
                finally:
                    done[block].set()

        for _ in range(_thread_count() - 1):
            thread_pool().submit(helper)
        mine = set()
        while (block := claim()) < blocks:
            work(block)
            mine.add(block)
        for block in range(blocks):
            if block not in mine:
                done[block].wait()
        if state.errors:
            raise state.errors[0]

    def _block_sums(self, a, b, sums):
        m = self.matrix
        indptr = m.indptr[a : b + 1]
        lo, hi = int(indptr[0]), int(indptr[-1])
        if hi == lo:
            return
        starts = (indptr[:-1] - lo).astype(np.intp)
        nonempty = indptr[1:] > indptr[:-1]
        if nonempty.all():
            sums[a:b] = np.add.reduceat(m.data[lo:hi], starts)
            return
        # reduceat over the non-empty rows only: their starts strictly increase, and each
        # segment runs to the next non-empty row's start (empty rows hold no entries)
        rows = np.flatnonzero(nonempty)
        sums[a + rows] = np.add.reduceat(m.data[lo:hi], starts[rows])

    def _block_product(self, block, x, out):
        a, b = self.cuts[block], self.cuts[block + 1]
        if self.blocks is not None:
            out[a:b] = self.blocks[block] @ x
            return
        m = self.matrix
        indptr = m.indptr[a : b + 1]
        out[a:b] = 0.0  # the kernels add A @ x to what is there; zeroed block by block
        if x.ndim == 1:
            _sparsetools.csr_matvec(b - a, m.shape[1], indptr, m.indices, m.data, x, out[a:b])
        else:
            _sparsetools.csr_matvecs(
                b - a, m.shape[1], x.shape[1], indptr, m.indices, m.data, x.ravel(),
                out[a:b].reshape(-1),
            )


def symmetric_components(matrix):
    """Component labels of an undirected graph given as a symmetric CSR matrix.

    ``scipy.sparse.csgraph.connected_components`` labels undirected components by
    breadth-first search over the matrix and its transpose, which it builds first (2.3 s
    at 10^6 rows and 2 * 10^7 entries; strong components need no transpose but take
    1.4 s). A symmetric matrix already lists every tie from both ends, so SciPy's kernel
    is handed the matrix as the forward ties and an empty matrix as the backward ones:
    each entry is followed once (0.51-0.59 s at 10^6 here, against 0.72-0.82 s when the
    matrix was handed as its own transpose; the same labels). Falls back to the public
    function where the kernel is missing. Checked against ``connected_components`` in
    ``tests/test_graph.py``.
    """
    n = matrix.shape[0]
    fits = max(matrix.nnz, n) < np.iinfo(np.int32).max  # the kernel takes int32 indices
    if _connected_components_undirected is not None and n and fits:
        indices = matrix.indices.astype(np.int32, copy=False)
        indptr = matrix.indptr.astype(np.int32, copy=False)
        labels = np.empty(n, dtype=np.int32)
        try:
            _connected_components_undirected(indices, indptr, np.empty(0, dtype=np.int32),
                                             np.zeros(n + 1, dtype=np.int32), labels)
            return labels
        except (TypeError, ValueError):  # pragma: no cover - a changed private signature
            pass
    from scipy.sparse.csgraph import connected_components

    return connected_components(matrix, directed=True, connection="strong")[1]


# --------------------------------------------------------------------------- sorted arrays


def symmetric_csr(n, source, target, values):
    """The symmetric ``n x n`` CSR matrix of undirected ties ``(source, target)``,
    ``source < target``, sorted by pair, with ``values`` on both entries of each tie.

    Checked against ``U + U.T`` of the upper-triangle matrix in ``tests/test_graph.py``.
    """
    # Listing every tie as (target, source) before (source, target) makes each row's
    # column indices ascending (ties are sorted by (source, target)), so SciPy's COO->CSR
    # conversion needs no sort: ~1 s at 10^7 ties, against ~3 s for U + U.T.
    rows = np.concatenate((target, source))
    columns = np.concatenate((source, target))
    return sp.csr_array((np.concatenate((values, values)), (rows, columns)), shape=(n, n))


def in_sorted(values, ordered):
    """Whether each value occurs in the sorted array ``ordered``.

    Pass sorted ``values`` where the array is large: binary searches in order walk
    ``ordered`` cache-friendly, ~15x faster than random ones (0.1 s against 1.8 s for
    10^6 values in 10^7 here).
    """
    if not ordered.size:
        return np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[position] == values


def first_of_runs(ordered):
    """Mask of the first element of each run of equal values in the sorted ``ordered``.

    ``ordered[first_of_runs(ordered)]`` is the distinct values: a sort and a mask, where
    NumPy 2's hash-based ``np.unique`` is slow on large int64 arrays (see the performance
    notes, ``docs/performance.md``).
    """
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return first


def lower_bound(array, lo, hi, values):
    """For each ``i``, the first position in ``array[lo[i]:hi[i]]`` (sorted) holding a value
    >= ``values[i]`` (``hi[i]`` if none): a vectorised binary search within ranges, such
    as a value's position within CSR rows (``lo, hi = indptr[rows], indptr[rows + 1]``).

    Checked against ``np.searchsorted`` on each range in ``tests/test_graph.py``.
    """
    lo = np.asarray(lo, dtype=np.int64).copy()
    hi = np.asarray(hi, dtype=np.int64).copy()
    while True:
        open_ = np.flatnonzero(lo < hi)
        if not len(open_):
            return lo
        mid = (lo[open_] + hi[open_]) // 2
        below = array[mid] < values[open_]
        lo[open_[below]] = mid[below] + 1
        hi[open_[~below]] = mid[~below]
