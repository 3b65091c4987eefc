"""The citizen game's changing ties, kept as one symmetric CSR matrix edited in place.

A society's ties ``(source, target)`` with ``source < target``, sorted by pair, are the
upper-triangle entries of the symmetric weight matrix read in CSR order. The game cuts
about 1 % of them and adds about as many each step. Rebuilding the CSR from the tie list
after every step cost ~1.4 s at 10^7 ties (COO -> CSR of 2 * 10^7 entries, plus the copies
of five tie-list arrays); editing it is one merge pass over the entries (~0.07 s), see
:meth:`DynamicTies.edit`.

Checked against a fresh COO -> CSR build of the same tie list after every edit in
``tests/test_ties.py`` (identical arrays), and the citizen game gives the same frames as
with the rebuild."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scorelab._components import SpanningForest
from scorelab._graph import _sparsetools, lower_bound, row_cuts, symmetric_csr, thread_pool


class DynamicTies:
    """Undirected weighted ties with a kind each, as a symmetric CSR matrix.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        Symmetric, sorted column indices within rows, no explicit zeros or self-loops.
        Its arrays are buffers that the edit after next reuses: copy what must outlive it.

    Notes
    -----
    Kinds are not stored per entry (that would be one more array to rewrite every step).
    New ties are all of one kind (``new_kind``); the ties of any other kind are the
    starting ones, kept in a fixed sorted table with a flag that a cut clears. A pair cut
    and formed again is then of ``new_kind``, as it should be.
    """

    def __init__(self, n, source, target, kinds, weights, *, new_kind):
        source = np.asarray(source, dtype=np.int64)
        target = np.asarray(target, dtype=np.int64)
        kinds = np.asarray(kinds, dtype=np.int8)
        weights = np.asarray(weights, dtype=float)
        if (weights <= 0).any() or np.isnan(weights).any():
            raise ValueError("tie weights must be > 0")
        self.n = int(n)
        self.new_kind = np.int8(new_kind)
        # whole-number weights up to 2^20: every sum of them is exact in any order (far
        # below 2^53 for any row), so the history may take row sums for column sums
        self.whole_weights = bool(np.all(np.mod(weights, 1.0) == 0)
                                  and weights.max(initial=0) <= 2**20)
        # int32 indices where they fit (with room to grow; edit() widens them otherwise):
        # a sparse product then reads half the index bytes, ~2x faster at 10^6 citizens
        # (0.065 -> 0.031 s for one 2-thread product here); the sums are the same
        fits = max(self.n, 2 * len(source)) < np.iinfo(np.int32).max // 2
        index = np.int32 if fits else np.int64
        self.matrix = symmetric_csr(self.n, source.astype(index), target.astype(index), weights)
        other = kinds != self.new_kind
        self._kind_keys = source[other] * self.n + target[other]  # sorted, fixed
        self._kind_codes = kinds[other]
        self._kind_live = np.ones(len(self._kind_keys), dtype=bool)
        # each source's slice of the table: lookups search a handful of keys, not all
        self._kind_start = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(source[other], minlength=self.n), out=self._kind_start[1:])
        self.lower = np.bincount(target, minlength=self.n).astype(np.int64)
        self.upper = np.bincount(source, minlength=self.n).astype(np.int64)
        self._buffers, self._current = [], None
        self._table_counts = None  # (group codes, live table ties by kind x group)
        self._crossing = None  # (group codes, crossing tie ends per group)
        self._forest = SpanningForest(self.n)  # the components, from the first call on
        self._index_ties()

    def _index_ties(self):
        self.tie_start = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(self.upper, out=self.tie_start[1:])

    @property
    def n_ties(self):
        return int(self.tie_start[-1])

    def locate(self, ties):
        """Source, target and upper entry position of the ties numbered ``ties``.

        Ties are numbered in their sorted ``(source, target)`` order, as in a Society.
        """
        ties = np.asarray(ties, dtype=np.int64)
        source = np.searchsorted(self.tie_start, ties, side="right") - 1
        position = self.matrix.indptr[source] + self.lower[source] + (ties - self.tie_start[source])
        return source, self.matrix.indices[position].astype(np.int64), position

    def kinds(self, source, target, *, slots=False):
        """Kind code of each tie ``(source, target)`` (``source < target``; ties that exist).

        With ``slots=True`` also each tie's place in the starting-kind table (-1 if none),
        which :meth:`edit` can take for the ties it cuts instead of searching again.
        """
        source = np.asarray(source, dtype=np.int64)
        keys = source * self.n + np.asarray(target, dtype=np.int64)
        at, found = self._find_kind(source, keys)
        out = np.full(len(keys), self.new_kind, dtype=np.int8)
        live = found.copy()
        live[found] = self._kind_live[at[found]]
        out[live] = self._kind_codes[at[live]]
        if slots:
            return out, np.where(live, at, -1)
        return out

    def kind_counts(self, group_code, n_groups, n_kinds):
        """Ties by kind and group, each tie counted once for each of its two ends.

        Returns an ``(n_kinds, n_groups)`` integer array: the live starting ties of each
        kind from the kind table, and the ties of ``new_kind`` as what remains of each
        group's tie ends.
        """
        cached = self._table_counts
        if cached is None or cached[0] is not group_code or cached[1].shape != (n_kinds,
                                                                                n_groups):
            # one pass over the live table; edit() then keeps the counts by subtracting
            # the starting ties it cuts (0.26 s per measured step at 10^6 before)
            cached = (group_code, self._count_table(self._kind_live, group_code, n_groups,
                                                    n_kinds))
            self._table_counts = cached
        counts = cached[1].copy()
        ends = np.bincount(group_code, weights=np.diff(self.matrix.indptr),
                           minlength=n_groups).astype(np.int64)
        counts[self.new_kind] = ends - counts.sum(axis=0) + counts[self.new_kind]
        return counts

    def crossing_ends(self, group_code, n_groups):
        """Tie ends whose other end is in another group, per group of the first end.

        One pass over the entries at the first call; :meth:`edit` then adds and subtracts
        the ends of the ties it forms and cuts (the same integers; 2 s per measured step
        at 10^7 citizens before).
        """
        cached = self._crossing
        if cached is None or cached[0] is not group_code or len(cached[1]) != n_groups:
            matrix = self.matrix
            row_codes = np.repeat(group_code, np.diff(matrix.indptr))
            across = row_codes != group_code[matrix.indices]
            cached = (group_code, np.bincount(row_codes[across], minlength=n_groups))
            self._crossing = cached
        return cached[1].copy()

    def component_sizes(self):
        """Size of each connected component of the ties, in no particular order.

        A spanning forest built at the first call and updated from the edits since
        (:class:`scorelab._components.SpanningForest`): ~0.03 s per measured step at 10^6
        citizens, against ~0.3 s for a breadth-first search over every entry.
        """
        return self._forest.component_sizes(self.matrix, self.contains)

    def _count_crossing(self, source, target, sign):
        codes, counts = self._crossing
        a, b = codes[source], codes[target]
        across = a != b
        n_groups = len(counts)
        counts += sign * (np.bincount(a[across], minlength=n_groups)
                          + np.bincount(b[across], minlength=n_groups))

    def _count_table(self, rows, group_code, n_groups, n_kinds):
        """Starting ties of the kind table's ``rows`` (a mask or positions) by kind and
        group, each counted for both ends."""
        codes = self._kind_codes[rows].astype(np.int64)
        source, target = np.divmod(self._kind_keys[rows], self.n)
        counts = np.zeros((n_kinds, n_groups), dtype=np.int64)
        for ends in (source, target):
            counts += np.bincount(codes * n_groups + group_code[ends],
                                  minlength=n_kinds * n_groups).reshape(n_kinds, n_groups)
        return counts

    def _find_kind(self, source, keys):
        """Where each key sits in the starting-kind table, and whether it is there."""
        lo = self._kind_start[source]
        hi = self._kind_start[source + 1]
        at = lower_bound(self._kind_keys, lo, hi, keys)
        found = at < hi
        found[found] = self._kind_keys[at[found]] == keys[found]
        return at, found

    def contains(self, u, v):
        """Whether each pair ``(u, v)`` with ``u < v`` is a tie (a search in ``u``'s row)."""
        u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
        indptr = self.matrix.indptr
        end = indptr[u + 1].astype(np.int64)
        position = lower_bound(self.matrix.indices, indptr[u] + self.lower[u], end, v)
        found = position < end
        found[found] = self.matrix.indices[position[found]] == v[found]
        return found

    def edit(self, cut_source, cut_target, cut_position, new_source, new_target, weight, *,
             cut_slots=None):
        """Remove the ties ``(cut_source, cut_target)`` and add ``(new_source, new_target)``.

        ``cut_position`` are the upper entries of the cut ties (from :meth:`locate`). The
        new ties must be distinct, absent and have ``new_source < new_target``; they are of
        ``new_kind`` with weight ``weight``. ``cut_slots`` are the cut ties' slots from
        :meth:`kinds` (looked up if not given).

        One sparse sum does both: ``A + B`` with ``B`` holding ``-w`` at both entries of
        every cut tie and ``weight`` at both entries of every new one. SciPy's merge of two
        canonical CSR matrices keeps each row sorted and drops the exact zeros the cuts
        leave (``w + (-w) == 0``); every other entry is ``w + 0 == w``, so the arrays are
        those of a fresh build. The merge runs on row blocks in threads (SciPy's kernels
        release the GIL) into buffers reused from two steps before: fresh arrays of this
        size cost more in page faults than the merge itself.
        """
        cut_source = np.asarray(cut_source, dtype=np.int64)
        cut_target = np.asarray(cut_target, dtype=np.int64)
        cut_position = np.asarray(cut_position, dtype=np.int64)
        new_source = np.asarray(new_source, dtype=np.int64)
        new_target = np.asarray(new_target, dtype=np.int64)
        # the merge kernel writes without bounds checks: check its preconditions first
        self._check_edit(cut_source, cut_target, cut_position, new_source, new_target)
        matrix = self.matrix
        # retire the kinds of cut starting ties (a pair formed again is of new_kind)
        if cut_slots is None:
            _, cut_slots = self.kinds(cut_source, cut_target, slots=True)
        cut_slots = np.asarray(cut_slots, dtype=np.int64)
        retired = cut_slots[cut_slots >= 0]
        self._kind_live[retired] = False
        if self._table_counts is not None:
            codes, counts = self._table_counts
            counts -= self._count_table(retired, codes, counts.shape[1], counts.shape[0])
        self._forest.record(cut_source, cut_target, new_source, new_target)
        if self._crossing is not None:
            self._count_crossing(cut_source, cut_target, -1)
            self._count_crossing(new_source, new_target, 1)
        cut_weight = matrix.data[cut_position]
        n_new = len(new_source)
        if n_new:
            self.whole_weights &= float(weight).is_integer() and float(weight) <= 2**20
        change = sparse.csr_array(
            (np.concatenate((-cut_weight, -cut_weight, np.full(2 * n_new, float(weight)))),
             (np.concatenate((cut_source, cut_target, new_source, new_target)),
              np.concatenate((cut_target, cut_source, new_target, new_source)))),
            shape=matrix.shape,
        )
        change.sum_duplicates()  # sorts the columns; there are no duplicates to sum
        if _sparsetools is None:  # pragma: no cover - depends on the SciPy build
            self.matrix = matrix + change
        index_dtype = matrix.indptr.dtype
        self.upper += np.bincount(new_source, minlength=self.n) - np.bincount(cut_source,
                                                                              minlength=self.n)
        self.lower += np.bincount(new_target, minlength=self.n) - np.bincount(cut_target,
                                                                              minlength=self.n)
        self._index_ties()
        if _sparsetools is None:  # pragma: no cover
            return
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(self.upper + self.lower, out=indptr[1:])
        if indptr[-1] >= np.iinfo(index_dtype).max:
            index_dtype = np.int64
        indptr = indptr.astype(index_dtype)
        spare = self._spare(int(indptr[-1]), index_dtype)
        indices, data = spare[0][: indptr[-1]], spare[1][: indptr[-1]]
        change_indptr = change.indptr.astype(index_dtype, copy=False)
        change_indices = change.indices.astype(index_dtype, copy=False)
        a_indptr = matrix.indptr.astype(index_dtype, copy=False)
        a_indices = matrix.indices.astype(index_dtype, copy=False)
        cuts = row_cuts(a_indptr, matrix.nnz)
        blocks = [(0, self.n)] if cuts is None else list(zip(cuts[:-1].tolist(),
                                                             cuts[1:].tolist()))

        def merge(block):
            lo, hi = block
            out_start = int(indptr[lo])
            counts = np.empty(hi - lo + 1, dtype=index_dtype)
            _sparsetools.csr_plus_csr(
                hi - lo, self.n, a_indptr[lo : hi + 1], a_indices, matrix.data,
                change_indptr[lo : hi + 1], change_indices, change.data,
                counts, indices[out_start:], data[out_start:],
            )
            return int(counts[-1]) == int(indptr[hi] - indptr[lo])

        if len(blocks) > 1:
            merged = list(thread_pool().map(merge, blocks))
        else:
            merged = [merge(blocks[0])]
        if not all(merged):  # pragma: no cover - _check_edit rules this out
            raise RuntimeError("tie edit went wrong: a cut tie was absent or a new one present")
        self.matrix = sparse.csr_array((data, indices, indptr), shape=matrix.shape, copy=False)
        self.matrix.has_sorted_indices = True
        # the matrix now lives in `spare`; the buffers it used are free from the next edit
        if self._current is not None:
            self._buffers.append(self._current)
        self._current = spare

    def _check_edit(self, cut_source, cut_target, cut_position, new_source, new_target):
        """ValueError unless the cuts are distinct ties at their upper entries and the new
        ties distinct, absent pairs ``source < target`` of citizens."""
        indptr, indices = self.matrix.indptr, self.matrix.indices
        if not len(cut_source) == len(cut_target) == len(cut_position):
            raise ValueError("cut_source, cut_target and cut_position must have one entry per "
                             "cut tie")
        if len(new_source) != len(new_target):
            raise ValueError("new_source and new_target must have one entry per new tie")
        if len(cut_position):
            inside = (cut_source >= 0) & (cut_source < self.n) & (cut_source < cut_target)
            inside &= (cut_position >= 0) & (cut_position < self.matrix.nnz)
            row = np.where(inside, cut_source, 0)
            at = np.where(inside, cut_position, 0)
            inside &= (indptr[row] <= at) & (at < indptr[row + 1]) & (indices[at] == cut_target)
            if not inside.all():
                first = int(np.flatnonzero(~inside)[0])
                raise ValueError(f"cut tie {first} ({cut_source[first]}, {cut_target[first]}) "
                                 f"is not a tie at entry {cut_position[first]}")
            ordered = np.sort(cut_position)
            if (ordered[1:] == ordered[:-1]).any():
                raise ValueError("a tie is cut twice")
        if len(new_source):
            if ((new_source < 0) | (new_target >= self.n) | (new_source >= new_target)).any():
                raise ValueError("new ties must join citizens 0..n-1 with source < target")
            keys = np.sort(new_source * self.n + new_target)
            if (keys[1:] == keys[:-1]).any():
                raise ValueError("a new tie is listed twice")
            present = self.contains(new_source, new_target)
            if present.any():
                first = int(np.flatnonzero(present)[0])
                raise ValueError(f"new tie ({new_source[first]}, {new_target[first]}) is "
                                 "already a tie")

    def _spare(self, size, index_dtype):
        """Index and data buffers of at least ``size`` entries that the matrix does not use.

        Two sets of buffers take turns, so each step writes into memory it has touched
        before. (A matrix taken from :attr:`matrix` is therefore valid until the edit after
        next; the game never keeps one that long, and :meth:`tie_list` copies.)
        """
        spare = self._buffers.pop() if self._buffers else None
        if spare is None or len(spare[0]) < size or spare[0].dtype != index_dtype:
            capacity = int(size * 1.05) + 16
            spare = (np.empty(capacity, dtype=index_dtype), np.empty(capacity, dtype=float))
        return spare

    def rows(self):
        """The row of every stored entry."""
        return np.repeat(np.arange(self.n), np.diff(self.matrix.indptr))

    def tie_list(self):
        """``(source, target, kind, weight)`` arrays of the ties, sorted by pair."""
        indices = self.matrix.indices
        # rows in the indices' own width (int32 at 10^7: half the bytes of int64)
        rows = np.repeat(np.arange(self.n, dtype=indices.dtype), np.diff(self.matrix.indptr))
        upper = indices > rows
        source, target = rows[upper].astype(np.int64), indices[upper].astype(np.int64)
        del rows
        return source, target, self._kinds_of_all(source, target), self.matrix.data[upper]

    def _kinds_of_all(self, source, target):
        """:meth:`kinds` of every tie, given all of them sorted by pair.

        A live entry of the kind table is a tie (a cut clears it), so the kinds are
        ``new_kind`` except at the live keys, found by one search of the sorted live keys
        in the sorted tie keys: 0.4 s at 10^7 ties instead of 4.7 s for a search per tie.
        """
        keys = source * self.n + target
        live = self._kind_live
        out = np.full(len(keys), self.new_kind, dtype=np.int8)
        out[np.searchsorted(keys, self._kind_keys[live])] = self._kind_codes[live]
        return out
