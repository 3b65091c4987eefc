"""Dot products that stay on the calling thread.

OpenBLAS runs vector products on several threads once they pass ~10^4 entries, and its
threads keep spinning afterwards; on a 2-core machine that starves scorelab's own threads
(the sparse products of :class:`scorelab._graph.ParallelProduct`) and other processes
(measured: a citizen-game run 2.97 s with BLAS threads, 1.04 s with these). NumPy's einsum
loops are single-threaded and vectorised.
"""

import numpy as np


def dot(a, b):
    """``a @ b`` for vectors (a scalar) or a matrix and a vector (a vector), no BLAS."""
    if a.ndim == 1:
        return np.einsum("i,i->", a, b)
    return np.einsum("ij,j->i", a, b)


def column_dots(a, b):
    """Dot product of each pair of columns (vectors give a scalar), no BLAS."""
    return np.einsum("i,i->", a, b) if a.ndim == 1 else np.einsum("ij,ij->j", a, b)
