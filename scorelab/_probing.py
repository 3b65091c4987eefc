"""Every citizen's own-record weight ``M_ii`` at scale, with a per-citizen error bound.

``M = (I - B)^{-1} (I - Lambda)`` with ``B = Lambda W`` (see :mod:`scorelab.association`).
Its diagonal needs one solve per citizen if taken column by column; here it costs one solve
per *probe group* (a few dozen in all), in three steps.

1. **Low orders, exactly.** The Neumann series ``M = sum_l B^l (I - Lambda)`` splits into
   ``T = (I + B + B^2)(I - Lambda)``, whose diagonal is read off the matrix
   (``B_ii = lambda_i A_ii / d_i`` and ``(B^2)_ii = sum_j B_ij B_ji``), and the tail
   ``R = B^3 M``.

2. **The tail, bounded by probing.** ``M`` and ``R`` are non-negative, and ``M 1 = 1``
   (``(I - B) 1 = 1 - lambda``), so every row of ``R`` sums to ``(B^3 1)_i <= lambda_max^3``.
   Citizens are split into groups ``g`` with few ties inside a group (a greedy colouring
   refined in rounds); for the indicator ``v_g`` of citizen ``i``'s group,
   ``(R v_g)_i = R_ii + sum_{j in g, j != i} R_ij >= R_ii >= 0``, and
   ``R v_g = B^3 (M v_g)`` costs one solve of the association system per group plus three
   sparse products.

3. **The bound.** Hence ``T_ii <= M_ii <= T_ii + (R v_g)_i``. The estimate is the middle of
   that interval and its error is at most half its width,

   .. math::

       |\\hat M_{ii} - M_{ii}| \\le \\tfrac12 (B^3 M v_g)_i + \\lambda_{max}^3\\,\\tau
       \\le \\tfrac12 \\lambda_{max}^3 + \\lambda_{max}^3\\,\\tau,

   where ``tau`` is the solver's absolute accuracy on ``M v_g`` (its error is carried
   through ``B^3``, whose infinity norm is at most ``lambda_max^3``). The worst case is the
   Neumann tail beyond two steps; in practice the width is the return weight ``R_ii`` plus
   the share of the tail that falls on the few other members of one's group, which shrinks
   as the number of groups grows.

This is the probing idea of Tang and Saad (2012) (colour the graph so that the entries a
probe mixes are small) with the decay bound replaced by an interval that the probe itself
certifies, because all entries are non-negative. Checked against the dense inverse in
``tests/test_association.py``: every exact ``M_ii`` lies in the interval and within the
stated bound of the estimate.

References
----------
J. M. Tang and Y. Saad (2012), "A probing method for computing the diagonal of a matrix
inverse", Numerical Linear Algebra with Applications 19(3):485-501.
https://doi.org/10.1002/nla.779

M. T. Jones and P. E. Plassmann (1993), "A parallel graph coloring heuristic", SIAM
Journal on Scientific Computing 14(3):654-669. https://doi.org/10.1137/0914041
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from tqdm import tqdm

# Groups per colouring pass: one bit each in a uint64 mask of the groups a citizen's ties use.
_MASK_BITS = 64


def probe_groups(matrix, count, rng, *, symmetric=False, rounds=8):
    """Split the rows of ``matrix`` into ``count`` groups with few ties inside a group.

    Start from random groups; in each round, a citizen who shares a group with a tie of
    higher (random) priority moves to a group none of their ties is in, picked by a random
    rotation of the free ones (a citizen with ties in every group stays). Only citizens
    who moved can clash in the next round (with another mover), so later rounds are
    cheap. This is a parallel form of greedy colouring (after Jones and Plassmann 1993);
    any split is valid for the bound, a better one only makes it tighter. More than 64
    groups: each of up to 64 colour groups is split at random. ``symmetric``: the pattern
    of ``matrix`` is known to be symmetric (else ``A + A^T`` is used).
    """
    n = matrix.shape[0]
    if not symmetric:
        matrix = sp.csr_array(matrix + matrix.T)
    indptr, indices = matrix.indptr, matrix.indices
    colours = min(count, _MASK_BITS)
    full = np.uint64(2**64 - 1) if colours == 64 else np.uint64((1 << colours) - 1)
    group = rng.integers(colours, size=n)
    priority = rng.permutation(n)
    candidates = None  # all citizens
    for _ in range(rounds):
        rows, positions, starts = _rows_of(indptr, candidates, n)
        cols = indices[positions]
        clash = np.zeros(n, dtype=bool)
        clash[rows[(group[rows] == group[cols]) & (priority[cols] > priority[rows])]] = True
        movers = np.flatnonzero(clash)
        if not len(movers):
            break
        rows, positions, starts = _rows_of(indptr, movers, n)
        bits = np.left_shift(np.uint64(1), group[indices[positions]].astype(np.uint64))
        free = ~np.bitwise_or.reduceat(bits, starts) & full  # movers have ties: no empty run
        movers, free = movers[free != 0], free[free != 0]
        group[movers] = _random_set_bit(free, colours, rng)
        candidates = movers
    if count > colours:
        # split each colour group at random into about count / colours parts
        parts = -(-count // colours)
        group = group * parts + rng.integers(parts, size=n)
    return group


def _rows_of(indptr, rows, n):
    """Row of each stored entry of ``rows`` (all when None), their positions in the CSR
    arrays, and where each row's run starts among them."""
    if rows is None:
        counts = np.diff(indptr)
        return np.repeat(np.arange(n), counts), slice(None), indptr[:-1]
    counts = indptr[rows + 1] - indptr[rows]
    starts = np.cumsum(counts) - counts
    positions = np.repeat(indptr[rows] - starts, counts) + np.arange(counts.sum())
    return np.repeat(rows, counts), positions, starts


def _random_set_bit(masks, width, rng):
    """For each non-zero ``width``-bit mask, the position of one of its set bits: the lowest
    set bit after rotating the mask by a random amount (random, though not uniform)."""
    shift = rng.integers(width, size=len(masks)).astype(np.uint64)
    w = np.uint64(width)
    full = np.uint64(2**64 - 1) if width == 64 else np.uint64((1 << width) - 1)
    back = np.where(shift > 0, masks << ((w - shift) % w), np.uint64(0))
    rotated = ((masks >> shift) | back) & full
    lowest = rotated & (~rotated + np.uint64(1))
    position = np.log2(lowest.astype(np.float64)).astype(np.int64)
    return (position + shift.astype(np.int64)) % width


def low_order_diagonal(system):
    """Diagonal of ``T = (I + B + B^2)(I - Lambda)``, ``B = Lambda D^{-1} A``, exactly."""
    A = system.wm.matrix
    lam, degree = system.lam, system.degree
    per_degree = np.divide(lam, degree, out=np.zeros_like(lam), where=degree > 0)
    first = per_degree * A.diagonal()
    # (B^2)_ii = (lambda_i / d_i) sum_j A_ij A_ji lambda_j / d_j
    if system.wm.symmetric and np.all(A.data == 1.0):
        second = per_degree * system.product(per_degree)
    elif system.wm.symmetric:
        squared = sp.csr_array((A.data * A.data, A.indices, A.indptr), shape=A.shape)
        second = per_degree * (squared @ per_degree)
    else:
        second = per_degree * (A.multiply(sp.csr_array(A.T)) @ per_degree)
    return (1.0 - lam) * (1.0 + first + second)


def self_weights(system, solve, *, probes, tol, rng, batch_size=8, progress=False):
    """Estimate of every ``M_ii`` and a bound on its error (see the module docstring).

    ``solve(V)`` returns ``M V`` for a block of own-score columns ``V`` to absolute
    accuracy ``tol`` in every entry (the indicators have ``max |V| = 1``).
    """
    n = system.n
    lam_max = system.lam_max
    low = low_order_diagonal(system)
    group = probe_groups(system.wm.matrix, probes, rng, symmetric=bool(system.wm.symmetric))
    labels = np.flatnonzero(np.bincount(group))  # np.unique hashes: slow at 10^6+
    gap = np.empty(n)
    batches = range(0, len(labels), batch_size)
    for start in tqdm(batches, disable=not progress, desc="decompose", unit="batch"):
        chosen = labels[start : start + batch_size]
        members = np.flatnonzero(np.isin(group, chosen))
        column = np.searchsorted(chosen, group[members])
        indicator = np.zeros((n, len(chosen)))
        indicator[members, column] = 1.0
        tail = solve(indicator)
        del indicator
        for _ in range(2):  # R v = B^3 (M v); the third B only for each member's column
            tail = system.lam[:, None] * system.mean_of_ties(tail)
        gap[members] = _own_column_product(system, tail, members, column)
    gap = np.maximum(gap + lam_max**3 * tol, 0.0)
    return low + gap / 2, gap / 2


def _own_column_product(system, values, rows, column):
    """``(B values)[i, column_i]`` for the given rows only: one gather over their ties
    instead of a product with every column."""
    A = system.wm.matrix
    result = np.zeros(len(rows))
    tied = system.free[rows]  # lambda > 0, hence ties
    rows, column = rows[tied], column[tied]
    _, positions, starts = _rows_of(A.indptr, rows, system.n)
    counts = A.indptr[rows + 1] - A.indptr[rows]
    width = values.shape[1]
    picked = values.ravel()[A.indices[positions].astype(np.int64) * width
                            + np.repeat(column, counts)]
    sums = np.add.reduceat(A.data[positions] * picked, starts) if len(rows) else 0.0
    result[tied] = system.lam[rows] / system.degree[rows] * sums
    return result

