# cython: language_level=3
"""Argument conversion with errors that name the field and the allowed range."""
import math
from numbers import Real

import numpy as np
from libc.stdint cimport int8_t, int64_t


cdef int64_t int_arg(object value, str name, int64_t lo, int64_t hi) except? -1:
    """`value` as int64 in [lo, hi]; TypeError for non-integers (floats, NaN), ValueError else."""
    cdef int64_t v
    if type(value) is not int:     # fast path for plain ints; bool is not one here
        if (isinstance(value, (float, bool, np.floating, np.bool_))
                or not hasattr(type(value), "__index__")):
            raise TypeError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
        value = value.__index__()
    try:
        v = value
    except OverflowError:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}") from None
    if v < lo or v > hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {v}")
    return v


cdef int8_t side_arg(object side) except 0:
    """+1 (buy) or -1 (sell)."""
    cdef long v
    if type(side) is int or (isinstance(side, np.integer) and not isinstance(side, np.bool_)):
        try:
            v = side
        except OverflowError:
            v = 0
        if v == 1 or v == -1:
            return <int8_t>v
    raise ValueError(f"side must be +1 (buy) or -1 (sell), got {side!r}")


cdef double positive_arg(object value, str name) except? -1.0:
    """A finite float > 0 (ints and numpy reals accepted; bools and complex numbers are not)."""
    cdef double v
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.integer, np.floating)):
        raise TypeError(f"{name} must be a finite number > 0, got {value!r}")
    try:
        v = value
    except OverflowError:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}") from None
    if not (v > 0.0) or math.isinf(v):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def int_array(values, str name, int64_t lo, int64_t hi):
    """A validated, contiguous int64 copy of a 1-d array-like, for batch entry points."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array, got shape {arr.shape}")
    if arr.size and not (np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.bool_):
        raise TypeError(f"{name} must hold integers in [{lo}, {hi}], got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size:
        bad = np.flatnonzero((arr < lo) | (arr > hi))
        if bad.size:
            raise ValueError(f"{name}[{bad[0]}] must be in [{lo}, {hi}], got {arr[bad[0]]}")
    return arr


def positive_array(values, str name):
    """A validated, contiguous float64 copy of a 1-d array-like of finite numbers > 0."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array, got shape {arr.shape}")
    if arr.size and not (np.issubdtype(arr.dtype, np.number) and arr.dtype != np.bool_):
        raise TypeError(f"{name} must hold finite numbers > 0, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if arr.size:
        bad = np.flatnonzero(~(np.isfinite(arr) & (arr > 0)))
        if bad.size:
            raise ValueError(f"{name}[{bad[0]}] must be a finite number > 0, got {arr[bad[0]]}")
    return arr


def ladder_arrays(prices, qtys, int64_t max_price, int64_t max_qty):
    """Validated (prices, qtys) int64 arrays of one ladder, of equal length."""
    p = int_array(prices, "prices", 1, max_price)
    q = int_array(qtys, "qtys", 1, max_qty)
    if p.shape[0] != q.shape[0]:
        raise ValueError(f"prices and qtys must have the same length, got {p.shape[0]} "
                         f"and {q.shape[0]}")
    return p, q
