"""Connected components of the citizen game's changing ties, kept from one measured step
to the next by a spanning forest instead of a search over every tie.

A breadth-first search labels the components of 10^6 citizens and 2 * 10^7 tie entries in
~0.3 s (10^7 citizens: ~5 s): a pass over every entry in random order, every measured
step, while the game cuts and forms ~1 % of its ties per step. :class:`SpanningForest`
keeps a spanning forest ``F`` of the ties as a parent array (``parent[i] == i`` at a root)
and, at each measured step, updates it from the ties cut and formed since the last one:

1. ``F'`` = ``F`` without the cut ties: a cut tie ``(u, v)`` is in the forest exactly when
   ``parent[u] == v`` or ``parent[v] == u`` (no search), and cutting it makes the child a
   root. Every tree of ``F'`` (a *piece*) is inside one component of the ties.
2. Pieces by pointer jumping (``root = root[root]`` until nothing changes: ``O(n)`` per
   round, ``log2(depth)`` rounds). A piece that kept its tree's root is a *main* piece;
   the others were cut off (their citizens are a few per cent of all).
3. Most cut-off pieces have a tie into the main piece of their own tree: each piece's
   citizens try their first few ties, and a piece that finds one is re-rooted at its end
   (the path to its root reversed) and hung from it.
4. The ties that may still join two groups (a main piece with what hangs from it, or a
   piece that found no tie). A tie live at the last update and still live joins two
   citizens of one tree of ``F`` (``F`` spanned the ties then): unless one end is in a
   piece that found no tie, both ends are now in that tree's main group. Every other live
   tie was formed since. So the candidates are the ties of the citizens of the pieces
   that found none (read from their matrix rows) and the live ties formed since.
5. The groups contracted along the candidate ties form a small graph; its components
   (SciPy's) are the components of the ties; the groups untouched by any candidate are
   components of their own. In each contracted component the largest group stays the
   root; a breadth-first pass over the candidate ties gives every other group a tie to a
   group reached before it, and the group is re-rooted at that tie's end and hung from
   the other end: ``F`` spans the ties again.

The first update builds ``F``: SciPy's breadth-first tree from the citizen with the most
ties, then step 5 with every citizen it did not reach as a piece of one. At 10^6 citizens
with ~1 % of the ties cut per step an update took 26-28 ms against 0.29-0.32 s for the
search (``benchmarks/dynamics.py``; ``docs/performance.md``).

Checked in ``tests/test_ties.py`` against ``scipy.sparse.csgraph.connected_components``
after every edit of random edit sequences (splits, merges, isolated citizens, ties cut and
formed again, updates skipped between edits; hypothesis on small random graphs), with
the forest checked to be a spanning forest of the ties (every link a live tie, no cycle,
one root per component), and in the game against a search in ``tests/test_history.py``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components

from scorelab._graph import first_of_runs


class SpanningForest:
    """Component sizes of a changing undirected graph, from a spanning forest kept
    through its edits (see the module's docstring).

    Parameters
    ----------
    n : int
        Nodes (citizens).

    Attributes
    ----------
    parent : numpy.ndarray of int64 or None
        The forest: each node's parent, itself at a root (None before the first call).
    root : numpy.ndarray of int64 or None
        Each node's root in ``parent`` (what the next update calls a node's own tree).
    cut_off_share : float
        The share of nodes in pieces cut off from their trees at the last update (the
        update's work; when its mean over the last ``_REBUILD_UPDATES`` updates is above
        ``_REBUILD_SHARE`` and ``_REBUILD_GROWTH`` times its value at the first update
        after the last build, the forest is built afresh instead).

    Notes
    -----
    The owner reports every edit with :meth:`record` and asks for
    :meth:`component_sizes` with the current symmetric CSR matrix; edits between two
    calls are kept as lists of arrays (nothing is recorded before the first call).
    """

    # A forest is built afresh when the share of citizens cut off from their trees, over
    # the last 3 updates, is above both of these: 10 %, and 3 times the share at the first
    # update after the last build. Hanging pieces deepens the trees, and the cut-off share
    # grows with the depth (at 10^5 citizens, 1 % of the ties cut per step: 3 % after a
    # build, 10 % after 40 steps, 38 % after 120; a single update's share varies widely).
    _REBUILD_SHARE = 0.1
    _REBUILD_GROWTH = 3.0
    _REBUILD_UPDATES = 3

    def __init__(self, n):
        self.n = int(n)
        self.parent = None  # int64, parent[i] == i at a root; None until the first call
        self.root = None
        self._edits = []  # (cut source, cut target, new source, new target) per edit
        self._fresh_share = None  # the cut-off share at the first update after a build
        self._recent = []  # the cut-off shares of the last updates
        self.cut_off_share = np.nan  # at the last update

    def record(self, cut_source, cut_target, new_source, new_target):
        """Note an edit: ties ``(cut_source, cut_target)`` cut, ``(new_source,
        new_target)`` formed (both ``source < target``)."""
        if self.parent is not None:
            self._edits.append(tuple(np.asarray(x, dtype=np.int64) for x in
                                     (cut_source, cut_target, new_source, new_target)))

    def component_sizes(self, matrix, contains):
        """Size of each connected component of ``matrix``, in no particular order.

        Parameters
        ----------
        matrix : scipy.sparse.csr_array
            The ties now: symmetric, no self-ties, no stored zeros.
        contains : callable
            ``contains(u, v)``: whether each pair ``u < v`` is a tie now.

        Returns
        -------
        numpy.ndarray of int64
        """
        n = self.n
        if self.parent is None:
            parent, main = self._first_forest(matrix)
            added, old_root = (np.empty(0, np.int64),) * 2, None
        else:
            parent, main, added = self._cut_forest(contains)
            old_root = self.root
        self._edits = []
        root = _roots(parent)
        loose = np.flatnonzero(~main[root])  # the citizens of pieces cut off from their trees
        if old_root is not None:
            self.cut_off_share = len(loose) / n
            if self._fresh_share is None:
                self._fresh_share = self.cut_off_share
            self._recent = (self._recent + [self.cut_off_share])[-self._REBUILD_UPDATES:]
            if len(self._recent) == self._REBUILD_UPDATES and np.mean(self._recent) > max(
                    self._REBUILD_SHARE, self._REBUILD_GROWTH * self._fresh_share):
                # the trees have grown deep (hanging pieces lengthens them): a forest
                # built afresh, a breadth-first tree, is shallow again
                self.parent, self._fresh_share, self._recent = None, None, []
                return self.component_sizes(matrix, contains)
        size = np.bincount(root, minlength=n)
        group = np.arange(n, dtype=np.int64)  # the group each piece now belongs to
        if old_root is not None and len(loose):
            loose = self._hang_on_own_tree(matrix, parent, root, old_root, loose, size, group)
        a, b = _row_ties(matrix, loose)
        a = np.concatenate((a, added[0]))
        b = np.concatenate((b, added[1]))
        ga, gb = group[root[a]], group[root[b]]
        joins = ga != gb
        sizes, groups, tops = _join_groups(parent, size, a[joins], b[joins], ga[joins],
                                           gb[joins])
        group[groups] = tops  # a group root's group: the root of its tree now
        self.parent, self.root = parent, group[group[root]]
        return sizes

    _ROUNDS = 4

    def _hang_on_own_tree(self, matrix, parent, root, old_root, loose, size, group):
        """Hang the cut-off pieces that have a tie to the main piece of their own tree
        (the part that kept the old root) from one such tie; return the citizens of the
        pieces that found none.

        A piece's citizens try their first, second, ... tie (``_ROUNDS`` of them) until
        one reaches that main piece; most pieces hang in the first round. A tie from a
        hung piece to another piece of its old tree then joins nothing new: that piece is
        the main one or hangs from it too, or it is a piece that found no tie here, whose
        ties are all read (the module's steps 3 and 4).
        """
        indptr, indices = matrix.indptr, matrix.indices
        done = np.zeros(self.n, dtype=bool)
        slot = np.empty(self.n, dtype=np.int64)
        inner, outer = [], []
        pending = loose
        for k in range(self._ROUNDS):
            start = indptr[pending].astype(np.int64) + k
            has = start < indptr[pending + 1]
            pending, start = pending[has], start[has]
            if not len(pending):
                break
            other = indices[start].astype(np.int64)
            hit = root[other] == old_root[pending]  # into the main piece of one's tree
            a, b = pending[hit], other[hit]
            piece = root[a]
            # one tie per piece: the last write of each piece's slot wins
            slot[piece] = np.arange(len(piece))
            first = slot[piece] == np.arange(len(piece))
            a, b, piece = a[first], b[first], piece[first]
            done[piece] = True
            inner.append(a)
            outer.append(b)
            pending = pending[~done[root[pending]]]
        if inner:
            a, b = np.concatenate(inner), np.concatenate(outer)
            piece = root[a]
            _reroot(parent, a, b)
            group[piece] = root[b]
            np.add.at(size, root[b], size[piece])
            size[piece] = 0
        return loose[~done[root[loose]]]

    def _first_forest(self, matrix):
        """A breadth-first tree of the component of the citizen with the most ties (its
        main piece), every other citizen a piece of one (main when without ties)."""
        n = self.n
        parent = np.arange(n, dtype=np.int64)
        degree = np.diff(matrix.indptr)
        main = degree == 0
        if matrix.nnz:
            start = int(np.argmax(degree))
            order, predecessors = breadth_first_order(matrix, start, directed=True,
                                                      return_predecessors=True)
            parent[order[1:]] = predecessors[order[1:]]
            main[start] = True
        return parent, main

    def _cut_forest(self, contains):
        """``F'``: the forest without the ties cut since the last update (edited in place);
        which citizens were roots before the cuts; the live ties formed since."""
        parent, n = self.parent, self.n
        was_root = parent == np.arange(n)
        edits = self._edits
        if edits:
            u = np.concatenate([e[0] for e in edits])
            v = np.concatenate([e[1] for e in edits])
            child = np.concatenate((u[parent[u] == v], v[parent[v] == u]))
            parent[child] = child
        au = np.concatenate([e[2] for e in edits] or [np.empty(0, np.int64)])
        av = np.concatenate([e[3] for e in edits] or [np.empty(0, np.int64)])
        if len(edits) > 1:  # a tie formed and cut again in a later edit is gone
            live = contains(au, av)
            au, av = au[live], av[live]
        return parent, was_root, (au, av)


def _join_groups(parent, size, a, b, ga, gb):
    """Join the groups (trees of ``parent``, rooted at ``ga``, ``gb``, of ``size``
    citizens) along the candidate ties ``(a, b)``; return every component's size.

    The groups the ties touch, contracted along them, form a small graph whose components
    (SciPy's) are the components of the ties; every other group is one on its own. In
    each contracted component the largest group keeps its root and the others are hung
    (:func:`_hang`) so that ``parent`` is a spanning forest again. Also returns the groups
    the ties touch and the root each of them now hangs under.
    """
    n = len(parent)
    roots = np.flatnonzero(parent == np.arange(n))
    if not len(a):
        return size[roots], np.empty(0, np.int64), np.empty(0, np.int64)
    involved = np.zeros(n, dtype=bool)
    involved[ga] = True
    involved[gb] = True
    groups = np.flatnonzero(involved)
    number = np.empty(n, dtype=np.int64)
    number[groups] = np.arange(len(groups))
    ia, ib = number[ga], number[gb]
    m = len(groups)
    contracted = sp.coo_array((np.ones(len(ia)), (ia, ib)), shape=(m, m)).tocsr()
    n_joined, label = connected_components(contracted, directed=True, connection="weak")
    weight = size[groups]
    order = np.lexsort((-weight, label))
    top = order[first_of_runs(label[order])]
    _hang(parent, top, ia, ib, a, b, m)
    joined = np.bincount(label, weights=weight, minlength=n_joined).astype(np.int64)
    top_of_label = np.empty(n_joined, dtype=np.int64)
    top_of_label[label[top]] = groups[top]
    return (np.concatenate((size[roots[~involved[roots]]], joined)), groups,
            top_of_label[label])


def _roots(parent):
    """Each node's root, by pointer jumping (``log2(depth)`` passes over ``parent``)."""
    root, up = parent.copy(), np.empty_like(parent)
    while True:
        np.take(root, root, out=up, mode="clip")  # the indices are nodes: nothing to clip
        if np.array_equal(up, root):
            return up
        root, up = up, root


def _row_ties(matrix, rows):
    """``(row, column)`` of every stored entry in the given rows."""
    indptr = matrix.indptr
    starts = indptr[rows].astype(np.int64)
    lengths = indptr[rows + 1].astype(np.int64) - starts
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    position = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)
    return np.repeat(rows.astype(np.int64), lengths), matrix.indices[position].astype(np.int64)


def _hang(parent, top, ia, ib, a, b, m):
    """Hang every piece but the ``top`` ones from a piece reached before it.

    Breadth-first over the contracted ties ``(ia, ib)`` (pieces) from the ``top`` pieces:
    each newly reached piece takes a tie ``(x, y)`` with ``x`` in it and ``y`` in a piece
    reached before; it is re-rooted at ``x`` (the path from ``x`` to its root reversed)
    and ``parent[x] = y``. Pieces are disjoint, so all re-rootings run at once.
    """
    source = np.concatenate((ia, ib))
    target = np.concatenate((ib, ia))
    inner = np.concatenate((b, a))  # the tie's end in the target piece
    outer = np.concatenate((a, b))
    reached = np.zeros(m, dtype=bool)
    reached[top] = True
    via = np.full(m, -1, dtype=np.int64)
    live = np.flatnonzero(~reached[target])
    while len(live):
        hit = live[reached[source[live]]]
        if not len(hit):
            break
        via[target[hit]] = hit  # any of them: each is a tie to a piece reached before
        reached[target[hit]] = True
        live = live[~reached[target[live]]]
    hung = via[via >= 0]
    _reroot(parent, inner[hung], outer[hung])


def _reroot(parent, inner, outer):
    """Re-root the trees of the ``inner`` citizens (one each) at them and hang them from
    the ``outer`` ones: the path from each ``inner`` to its root is reversed."""
    current, previous = inner, outer
    while len(current):
        up = parent[current]
        parent[current] = previous
        more = up != current  # not yet at the old root
        previous, current = current[more], up[more]
