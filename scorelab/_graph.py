"""Graph inputs at the API boundary and a multithreaded sparse product inside.

Public functions accept a NetworkX graph, a SciPy sparse square matrix or a
:class:`scorelab.society.Society`; :func:`as_weight_matrix` turns any of them into a
CSR matrix of non-negative float64 weights plus the node labels, so that the numerical
code never touches NetworkX (it holds ~8x the memory of CSR, see PERFORMANCE.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, repeat

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

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
_POOL: ThreadPoolExecutor | None = None
_POOL_PID: int | None = None


def _thread_count():
    return max(1, min(os.cpu_count() or 1, 8))


def _pool():
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
                f"{name} has negative tie weights (minimum {data.min()!r}); "
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
    if weight is None:
        values = np.ones(nnz)
    else:
        data = chain.from_iterable(map(dict.values, adjacency.values()))
        try:
            values = np.fromiter(map(dict.get, data, repeat(weight), repeat(1.0)),
                                 dtype=np.float64, count=nnz)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: edge attribute {weight!r} must be numeric ({exc})") from None
    indptr = np.concatenate([[0], np.cumsum(counts)])
    matrix = sp.csr_array((values, columns, indptr), shape=(n, n))
    matrix.sort_indices()
    return matrix, nodes


def reindex_to_nodes(values, nodes, *, name):
    """A Series or mapping keyed by node as an array in node order; other input as given.

    Raises ValueError naming ``name`` when some nodes have no value.
    """
    if not isinstance(values, (pd.Series, Mapping)):
        return values
    series = values if isinstance(values, pd.Series) else pd.Series(dict(values))
    missing = nodes.difference(series.index)
    if len(missing):
        raise ValueError(
            f"{name} is missing values for {len(missing)} of {len(nodes)} citizens, "
            f"e.g. {list(missing[:5])}"
        )
    return series.reindex(nodes).to_numpy()


def align_to_nodes(values, nodes, *, name):
    """Return ``values`` as a float64 array in node order.

    ``values`` is a Series or mapping keyed by node, or an array in node order.
    """
    n = len(nodes)
    values = reindex_to_nodes(values, nodes, name=name)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {type(values).__name__}: {exc}") from None
    if array.ndim == 0 or array.shape[0] != n:
        raise ValueError(f"{name} must have one value per citizen ({n}), got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        first = np.flatnonzero(bad.reshape(n, -1).any(axis=1))[0]
        raise ValueError(
            f"{name} must be finite; {int(bad.sum())} NaN/inf value(s), first for citizen "
            f"{nodes[first]!r}"
        )
    return array


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
    """``A @ x`` for a CSR matrix, split into row blocks of equal work over threads.

    SciPy's CSR kernels release the GIL, so on a 2-core machine two row blocks run about
    twice as fast as one call (measured: 0.24 s -> 0.10 s at 10^6 rows and 2 * 10^7
    entries). The blocks read the matrix's own arrays through SciPy's ``csr_matvec(s)``
    kernels, which take absolute offsets into them: no copy. Where those kernels are not
    available, row-block matrices are built instead (they copy the arrays once).
    """

    def __init__(self, matrix):
        self.matrix = matrix
        self.cuts = row_cuts(matrix.indptr, matrix.nnz)
        self.blocks = None
        if self.cuts is not None:
            if _sparsetools is None:
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
            out = np.zeros((self.matrix.shape[0],) + x.shape[1:])
        else:
            shape = (self.matrix.shape[0],) + x.shape[1:]
            if (out.shape != shape or out.dtype != np.float64
                    or not out.flags.c_contiguous or np.shares_memory(out, x)):
                raise ValueError(f"out must be a C-contiguous float64 array of shape {shape} "
                                 "that does not overlap x")
            out.fill(0.0)  # the kernels add A @ x to what is there
        # the calling thread takes the first block itself: one thread hand-off fewer per
        # product, which matters on a loaded machine
        others = [_pool().submit(self._block_product, block, x, out)
                  for block in range(1, len(self.cuts) - 1)]
        self._block_product(0, x, out)
        for future in others:
            future.result()
        return out

    def _block_product(self, block, x, out):
        a, b = self.cuts[block], self.cuts[block + 1]
        if self.blocks is not None:
            out[a:b] = self.blocks[block] @ x
            return
        m = self.matrix
        indptr = m.indptr[a : b + 1]
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
    1.4 s). A symmetric matrix is its own transpose, so SciPy's kernel is handed the same
    arrays twice (0.9 s). Falls back to the public function where the kernel is missing.
    Checked against ``connected_components`` in ``tests/test_graph.py``.
    """
    n = matrix.shape[0]
    fits = max(matrix.nnz, n) < np.iinfo(np.int32).max  # the kernel takes int32 indices
    if _connected_components_undirected is not None and n and fits:
        indices = matrix.indices.astype(np.int32, copy=False)
        indptr = matrix.indptr.astype(np.int32, copy=False)
        labels = np.empty(n, dtype=np.int32)
        try:
            _connected_components_undirected(indices, indptr, indices, indptr, labels)
            return labels
        except (TypeError, ValueError):  # pragma: no cover - a changed private signature
            pass
    from scipy.sparse.csgraph import connected_components

    return connected_components(matrix, directed=True, connection="strong")[1]
