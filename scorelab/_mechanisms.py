"""Vectorised kernels of the citizen game's derived mechanisms (issue 9, sections 2-5).

Each function works on whole-population arrays (one value per citizen, or per citizen and
domain, or per tie end); the game (:mod:`scorelab.dynamics`) calls them once per step.
Their formulas, references and checks are stated in each docstring; the slow per-citizen
references they are checked against are in ``tests/test_dynamics_mechanisms.py``.

Units: the *value* of a displayed score is measured in the units of the gates' stakes
(:func:`value_slope`); tie values, the cost of hiding (authenticity) and fear are in the
same units, so every choice compares like with like.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from scorelab._graph import lower_bound

__all__ = ["act_penalty", "columnwise", "gate_values", "hide_chance", "norm_update", "seen_by",
           "strategic_plan", "upper_positions", "value_slope"]

_SQRT_2PI = np.sqrt(2.0 * np.pi)


def gate_values(score, thresholds, stakes, softness):
    """``V(x) = sum_g stake_g * sigma((x - t_g) / softness)`` per citizen.

    ``thresholds`` is a sequence of per-citizen threshold arrays (one per gate at stake),
    ``stakes`` the matching stakes. NaN scores (not scored) are worth nothing.
    """
    x = np.nan_to_num(np.asarray(score, dtype=float), nan=-np.inf)
    value = np.zeros(len(x))
    for threshold, stake in zip(thresholds, stakes):
        value += stake * expit((x - threshold) / softness)
    return value


def value_slope(score, thresholds, stakes, softness):
    """The value of one more point where a citizen stands: ``V'(x)``.

    Notes
    -----
    :math:`V(x) = \\sum_g \\text{stake}_g\\, \\sigma((x - t_g)/s)` (the smooth value of the
    displayed score through the gates at stake, :func:`scorelab.unfriending.gate_value`
    where available), so

    .. math:: V'(x) = \\sum_g \\frac{\\text{stake}_g}{s}\\, \\sigma_g (1 - \\sigma_g),

    largest (``stake / 4s``) at a threshold and vanishing far above or below every gate: a
    point just below a threshold is worth more than a point far above all of them.
    Checked against a central difference of :func:`gate_values` in the tests.
    """
    x = np.nan_to_num(np.asarray(score, dtype=float), nan=-np.inf)
    slope = np.zeros(len(x))
    for threshold, stake in zip(thresholds, stakes):
        sig = expit((x - threshold) / softness)
        slope += (stake / softness) * sig * (1.0 - sig)
    return slope


def act_penalty(approved, disapproved, policy, standard, weight):
    """Points of displayed score one more recorded disapproved act costs, per domain.

    Parameters
    ----------
    approved, disapproved : numpy.ndarray
        The decayed act records (citizens x domains) the next act joins.
    policy : ScoringPolicy
    standard : tuple of float
        The relative standard's mean and spread (NaN for an absolute standard).
    weight : numpy.ndarray
        Each citizen's share of their own score in their displayed score (``1 - lambda``
        under association, 1 without).

    Notes
    -----
    With :math:`r = \\sum_d w_d (a_d + k/2)/(a_d + d_d + k)` (weights normalised),

    .. math:: -\\frac{\\partial x}{\\partial d_d} = \\text{weight}\\cdot
              \\frac{\\partial \\text{own}}{\\partial r}\\,
              w_d \\frac{a_d + k/2}{(a_d + d_d + k)^2},

    with :math:`\\partial\\,\\text{own}/\\partial r` equal to ``span`` for an absolute
    standard and ``span * phi(z) / spread`` for a relative one (``z`` the citizen's
    standardised rate). The displayed score moves by ``(1 - lambda)`` times the own
    score's change when one's ties' scores are held (the echo through one's ties is left
    out). Checked against a finite difference of :func:`scorelab.scoring.approval_rates`
    and :func:`scorelab.scoring.score_against` in the tests.
    """
    k = policy.prior_strength
    total = approved + disapproved + k
    per_domain = (approved + 0.5 * k) / (total * total) * policy.weight_vector
    span = policy.score_max - policy.score_min
    mean, spread = standard
    if np.isnan(mean):
        d_own = np.full(len(approved), span)
    else:
        rate = ((approved + 0.5 * k) / total) @ policy.weight_vector
        z = (rate - mean) / spread
        d_own = span * np.exp(-0.5 * z * z) / (_SQRT_2PI * spread)
    return per_domain * (d_own * weight)[:, None]


def hide_chance(loss, authenticity, rationality):
    """Logit chance of hiding an act: ``sigma(rationality * (loss - authenticity))``."""
    return expit(rationality * (loss - authenticity))


def norm_update(private, seen, anchor_values, authority, pulled, *, rate, pull, anchor):
    """One step of private-norm drift (Friedkin-Johnsen with an authority).

    ``a + rate * [(1 - pull - anchor)(m - a) + pull * [scored] (A - a) + anchor (a0 - a)]``
    with ``m`` what one sees one's ties express (``seen``), ``A`` the authority's standard
    and ``a0`` one's starting disposition. Without scoring (``pulled`` all False) and with
    ``anchor = 0`` this is the lazy DeGroot iteration ``a <- (1 - rate) a + rate W a``;
    with ``anchor > 0`` its fixed point is the Friedkin-Johnsen equilibrium
    ``a = (1 - anchor) W a + anchor a0`` (``scorelab.propagate`` with
    ``alpha = 1 - anchor``). Both are checked in ``tests/test_dynamics_mechanisms.py``.
    """
    # the same operations in the same order as the formula, in place (no temporaries of
    # the citizens x domains size beyond two); an anchor of 0 adds exactly nothing
    change = np.subtract(seen, private)
    change *= 1.0 - pull - anchor
    if anchor:
        change += anchor * (anchor_values - private)
    if pull:
        towards = np.subtract(authority, private)
        towards *= pulled if private.ndim == 1 else pulled[:, None]
        towards *= pull
        change += towards
    change *= rate
    change += private  # private + rate * change (addition commutes exactly)
    return np.clip(change, 0.0, 1.0, out=change)


def strategic_plan(matrix, candidates, effect_of, slope, kind_of, tie_values, *, rationality,
                   cap, draws, effect_bound=None, rows=None):
    """Which candidate tie ends are cut by their citizen: a capped logit choice.

    Parameters
    ----------
    matrix : scipy.sparse.csr_array
        The symmetric tie matrix; ``candidates`` are positions of its stored entries.
    candidates : numpy.ndarray of int
        The entries (citizen ``i`` = row, neighbour ``j`` = column) reconsidered this step.
    effect_of : callable
        ``effect_of(rows, cols, weights)``: the change of each citizen's displayed score if
        that tie were removed (first-order :func:`scorelab.tie_effects`).
    slope : numpy.ndarray
        ``V'(x_i)`` per citizen (:func:`value_slope`).
    kind_of : callable
        ``kind_of(u, v)`` for ``u < v``: the tie kind codes.
    tie_values : numpy.ndarray
        Value of keeping a tie, by kind code.
    rationality : float
        Logit precision ``beta``.
    cap : int
        Most ties a citizen cuts per step.
    draws : numpy.ndarray
        One uniform number per candidate.
    effect_bound : callable, optional
        ``effect_bound(rows, cols, weights)``: an upper bound of ``|effect_of(...)|`` per
        tie end, cheaper than the effect. The ends whose draw is not below
        ``sigma(beta (V'(x_i) bound - cheapest tie))`` cannot be cut whatever their
        effect, so ``effect_of`` is asked only about the others: the same cuts, for less.
    rows : numpy.ndarray of int, optional
        The candidates' rows (citizens), if the caller has them already.

    Returns
    -------
    rows, cols, kinds, motive : numpy.ndarray
        The chosen tie ends (citizen, neighbour), each tie's kind and the motive
        ``V'(x_i) * effect``, at most ``cap`` per citizen.

    Notes
    -----
    The motive of dropping tie ``(i, j)`` is ``g = V'(x_i) * dx_ij`` (the first-order
    value of the score change ``dx_ij``); the tie's value ``v_k`` depends on its kind.
    The end is cut with the binary-logit chance ``sigma(beta (g - v_k))`` (McFadden 1974;
    the logistic noise is the tie's idiosyncratic value); among a citizen's chosen ends the
    ``cap`` with the largest net motive ``g - v_k`` are kept.
    """
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    if rows is None:
        rows = np.searchsorted(indptr, candidates, side="right") - 1
    cols = indices[candidates].astype(np.int64)
    weights = data[candidates]
    cheapest = tie_values.min()
    slope = slope[rows]
    if effect_bound is not None:
        # motive <= slope * bound, and sigma is increasing: an end whose draw is not below
        # sigma(beta (slope * bound - cheapest)) fails the test below whatever its effect
        bound = slope * effect_bound(rows, cols, weights)
        may = np.flatnonzero(draws < expit(rationality * (bound - cheapest)))
        rows, cols, weights, draws, slope = (a[may] for a in (rows, cols, weights, draws,
                                                               slope))
    motive = slope * effect_of(rows, cols, weights)
    # the chance is at most sigma(beta (motive - cheapest tie)): only the ends whose draw
    # falls below that bound need their tie's kind (a search in the kind table)
    maybe = draws < expit(rationality * (motive - cheapest))
    rows, cols, motive, draws = rows[maybe], cols[maybe], motive[maybe], draws[maybe]
    kinds = kind_of(np.minimum(rows, cols), np.maximum(rows, cols))
    net = motive - tie_values[kinds]
    chosen = draws < expit(rationality * net)
    rows, cols, kinds, motive, net = (a[chosen] for a in (rows, cols, kinds, motive, net))
    if len(rows):
        order = np.lexsort((-net, rows))
        rows, cols, kinds, motive = (a[order] for a in (rows, cols, kinds, motive))
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
        keep = rank < cap
        rows, cols, kinds, motive = (a[keep] for a in (rows, cols, kinds, motive))
    return rows, cols, kinds, motive


def upper_positions(matrix, lower, u, v):
    """Stored position of the entry ``(u, v)`` (``u < v``) in the upper part of ``u``'s row."""
    indptr = matrix.indptr
    return lower_bound(matrix.indices, indptr[u] + lower[u], indptr[u + 1].astype(np.int64), v)


def seen_by(product, degree, shown, actual, sees_actual):
    """Tie-weighted mean of what each citizen's ties show them.

    ``shown`` is what everyone sees; under selective presentation a citizen for whom
    ``sees_actual`` holds (one who approves of the hidden acts) sees ``actual``. A citizen
    without ties sees their own ``shown`` (no pull).
    """
    safe = np.where(degree > 0, degree, 1.0)
    scale = safe if shown.ndim == 1 else safe[:, None]
    mean = columnwise(product, shown)
    mean /= scale
    if sees_actual is not None and sees_actual.any():
        full = columnwise(product, actual)
        full /= scale
        mask = sees_actual if shown.ndim == 1 else sees_actual[:, None]
        mean = np.where(mask, full, mean)
    alone = degree == 0
    if alone.any():
        mean[alone] = shown[alone]
    return mean



def columnwise(product, values):
    """``product(values)`` for a vector or, column by column, for a matrix of values.

    SciPy's multi-vector kernel (``csr_matvecs``) took 5.5 times one product for the five
    domains at 10^6 citizens (it reads rows of ``values`` scattered over a 40 MB array);
    five single products over contiguous columns take 4.7 times, and give the same
    numbers bit for bit (each entry is the same sum, in the same order).
    """
    if values.ndim == 1:
        return product(values)
    out = np.empty(values.shape)
    for d in range(values.shape[1]):
        out[:, d] = product(np.ascontiguousarray(values[:, d]))
    return out
