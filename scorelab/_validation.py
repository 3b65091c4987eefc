"""Input checks shared by scorelab's public entry points.

Every check raises ``TypeError`` or ``ValueError`` naming the parameter, the offending
value and what was expected, so that a researcher sees at once what to fix.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Mapping

import numpy as np


class ConvergenceError(RuntimeError):
    """An iterative scorelab computation did not reach its tolerance in ``max_iter`` steps."""


def check_integer(name, value, *, minimum=None, maximum=None):
    """Return ``value`` as ``int`` after checking its type and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {shown(value)} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_real(name, value, *, minimum=None, maximum=None, open_min=False, open_max=False):
    """Return ``value`` as ``float`` after checking that it is a finite real in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {shown(value)} ({type(value).__name__})"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value < minimum or (open_min and value == minimum)):
        bound = ">" if open_min else ">="
        raise ValueError(f"{name} must be {bound} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (open_max and value == maximum)):
        bound = "<" if open_max else "<="
        raise ValueError(f"{name} must be {bound} {maximum}, got {value}")
    return value


def check_probability(name, value):
    """Return ``value`` as ``float`` after checking that it lies in [0, 1]."""
    return check_real(name, value, minimum=0.0, maximum=1.0)


def check_finite_array(name, values, *, ndim=1):
    """Return ``values`` as a float64 array after checking shape and finiteness."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {type(values).__name__}: {exc}") from None
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        where = np.flatnonzero(bad.ravel())[:5].tolist()
        raise ValueError(
            f"{name} must be finite (no NaN or inf); {int(bad.sum())} bad value(s), "
            f"first at position(s) {where}"
        )
    return array


def check_unit_interval_array(name, values):
    """Return a float64 array whose entries all lie in [0, 1]."""
    array = check_finite_array(name, values)
    outside = (array < 0) | (array > 1)
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{name} must lie in [0, 1]; {int(outside.sum())} value(s) outside, "
            f"e.g. {plain(array[first])!r} at position {first}"
        )
    return array


def check_rng(rng, name="rng"):
    """Return ``rng`` unchanged after checking that ``numpy.random.default_rng`` takes it.

    Accepted (SPEC 7): None, a non-negative integer (not a bool), a sequence of them, a
    ``SeedSequence``, a ``BitGenerator`` or a ``Generator``. NumPy's own errors for the
    rest (``"abc"``, ``1.5``, ``-1``) do not name the parameter, and ``True`` would be
    taken silently as the seed 1.
    """
    if rng is None or isinstance(
        rng, (np.random.SeedSequence, np.random.BitGenerator, np.random.Generator)
    ):
        return rng
    if isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"{name} must be None, an int seed, a SeedSequence or a Generator, "
                        f"got the bool {bool(rng)}")
    if isinstance(rng, numbers.Integral):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative int seed, got {int(rng)}")
        return rng
    if isinstance(rng, (list, tuple, np.ndarray)):
        seeds = np.asarray(rng)
        if seeds.size and seeds.dtype.kind in "iu" and seeds.ndim == 1 and (seeds >= 0).all():
            return rng
    raise TypeError(
        f"{name} must be None, a non-negative int seed, a numpy.random.SeedSequence or a "
        f"numpy.random.Generator, got {shown(rng)} ({type(rng).__name__})"
    )


def shown(value, limit=80):
    """A short repr for messages: NumPy values as plain numbers and lists, long reprs cut."""
    if isinstance(value, np.ndarray) and value.size > 20:
        return f"an array of shape {value.shape} ({value.dtype})"
    text = repr(plain(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class FrozenMapping(Mapping):
    """A read-only copy of a mapping, for the mapping fields of frozen configs.

    Unlike ``types.MappingProxyType`` it owns its copy (a later change to the mapping it
    was built from does not reach it), pickles (configs travel to sweep workers), hashes
    (when its values do) and compares equal to a dict with the same items.
    """

    __slots__ = ("_items",)

    def __init__(self, items=()):
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self):
        return repr(self._items)

    def __hash__(self):
        return hash(frozenset(self._items.items()))

    def __reduce__(self):
        return (type(self), (self._items,))


def plain(value):
    """``value`` with NumPy scalars made Python ones, for error messages.

    ``repr(np.int64(3))`` is ``'np.int64(3)'`` under NumPy 2, and a list of NumPy scalars
    prints that way too; messages should say ``3``. Sequences (lists, tuples, arrays,
    pandas Index) become lists of plain values.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)) or type(value).__name__ in (
        "Index", "RangeIndex", "CategoricalIndex"
    ):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {plain(key): plain(item) for key, item in value.items()}
    return value


RENAMED = {"association_weight": "alpha"}
"""Public names retired by issue 15 (one name per idea): old name -> its one name.

The old names are accepted, with a ``DeprecationWarning``, for one release."""


def take_renamed(kwargs, where, renames=None, *, stacklevel=3):
    """Move old keyword names in ``kwargs`` (in place) to their new names, with a warning.

    ``renames`` maps an old name to its new one (default :data:`RENAMED`); ``where`` names
    the function or class for the messages. Giving both names raises ``TypeError``.
    """
    for old, new in (RENAMED if renames is None else renames).items():
        if old not in kwargs:
            continue
        if new in kwargs:
            raise TypeError(f"{where} got both {new!r} and its deprecated name {old!r}; "
                            f"give {new} only")
        warnings.warn(f"{where}: {old!r} is deprecated and will be removed in the next "
                      f"release; use {new!r}", DeprecationWarning, stacklevel=stacklevel)
        kwargs[new] = kwargs.pop(old)
    return kwargs


def renamed_keywords(**renames):
    """Decorator: the function also accepts each old keyword (``old="new"``), with a
    ``DeprecationWarning``, for one release. The signature shown is the function's own."""
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            take_renamed(kwargs, f"{func.__name__}()", renames)
            return func(*args, **kwargs)

        return wrapper

    return decorate
