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
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from tqdm import tqdm

# Groups per colouring pass: one bit each in a uint64 mask of the groups a citizen's ties use.
_MASK_BITS = 64


def probe_groups(matrix, count, rng, *, rounds=8):
    """Split the rows of ``matrix`` into ``count`` groups with few ties inside a group.

    Start from random groups; in each round, a citizen who shares a group with a tie of
    higher (random) priority moves to a group none of their ties is in, chosen at random
    by a random rotation of the free ones (a citizen with ties in every group stays). The rounds are whole-
    population passes over the ties (a parallel form of greedy colouring, after Jones and
    Plassmann 1993); any split is valid for the bound, a better one only makes it tighter.
    More than 64 groups: each of up to 64 colour groups is split at random.
    """
    n = matrix.shape[0]
    colours = min(count, _MASK_BITS)
    group = rng.integers(colours, size=n)
    indptr, indices = matrix.indptr, matrix.indices
    rows = np.repeat(np.arange(n, dtype=indices.dtype), np.diff(indptr))
    off_diagonal = rows != indices
    rows, cols = rows[off_diagonal], indices[off_diagonal]
    priority = rng.permutation(n)
    higher = priority[cols] > priority[rows]
    rows, cols = rows[higher], cols[higher]  # each tie once, seen from its lower end
    starts = np.searchsorted(rows, np.arange(n))  # rows are sorted: CSR order
    has_ties = np.diff(np.append(starts, len(rows))) > 0
    for _ in range(rounds):
        clash = np.zeros(n, dtype=bool)
        clash[rows[group[rows] == group[cols]]] = True
        if not clash.any():
            break
        used = np.zeros(n, dtype=np.uint64)
        bits = np.left_shift(np.uint64(1), group.astype(np.uint64))
        # all ties (both ends) count as used, so that a move does not land on a tie
        used[has_ties] = np.bitwise_or.reduceat(bits[cols], starts[has_ties])
        lower_used = np.zeros(n, dtype=np.uint64)
        np.bitwise_or.at(lower_used, cols, bits[rows])
        used |= lower_used
        full = np.uint64((1 << colours) - 1) if colours < 64 else np.uint64(2**64 - 1)
        free = ~used & full
        movers = np.flatnonzero(clash & (free != 0))
        if not len(movers):
            break
        group[movers] = _random_set_bit(free[movers], colours, rng)
    if count > colours:
        # split each colour group at random into about count / colours parts
        parts = -(-count // colours)
        group = group * parts + rng.integers(parts, size=n)
    return group


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
    if system.wm.symmetric:
        mirrored = A.copy()
        mirrored.data = mirrored.data * mirrored.data
    else:  # A_ij A_ji for every stored entry
        mirrored = sp.csr_array(A.multiply(sp.csr_array(A.T)))
    second = per_degree * (mirrored @ per_degree)
    return (1.0 - lam) * (1.0 + first + second)


def self_weights(system, solve, *, probes, tol, rng, batch_size=8, progress=False):
    """Estimate of every ``M_ii`` and a bound on its error (see the module docstring).

    ``solve(V)`` returns ``M V`` for a block of own-score columns ``V`` to absolute
    accuracy ``tol`` in every entry (the indicators have ``max |V| = 1``).
    """
    n = system.n
    lam_max = system.lam_max
    low = low_order_diagonal(system)
    group = probe_groups(system.wm.matrix, probes, rng)
    labels = np.unique(group)
    gap = np.empty(n)
    batches = range(0, len(labels), batch_size)
    for start in tqdm(batches, disable=not progress, desc="decompose", unit="batch"):
        chosen = labels[start : start + batch_size]
        column = np.full(n, -1)
        column[np.isin(group, chosen)] = np.searchsorted(chosen, group[np.isin(group, chosen)])
        members = np.flatnonzero(column >= 0)
        indicator = np.zeros((n, len(chosen)))
        indicator[members, column[members]] = 1.0
        tail = solve(indicator)
        del indicator
        for _ in range(3):  # R v = B^3 (M v)
            tail = system.lam[:, None] * system.mean_of_ties(tail)
        gap[members] = tail[members, column[members]]
    gap = np.maximum(gap + lam_max**3 * tol, 0.0)
    return low + gap / 2, gap / 2
