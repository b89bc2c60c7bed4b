# cython: language_level=3
"""A minute's retail candidates, drawn with numpy's own C distributions.

`CandidateDraws.draw` returns exactly what `RetailPopulation.arrive` drew with the Generator
methods (`poisson`, `integers`, `random`, `lognormal`, the same algorithms on the same
bit generators, in the same order), so a run is identical either way. It exists because those
five calls cost ~15 us a minute in argument handling alone, and a year has 525,600 minutes.
"""
from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.math cimport log
from libc.stdint cimport int64_t, uint32_t, uint64_t

import numpy as np

cdef extern from "numpy/random/distributions.h":
    ctypedef struct bitgen_t:
        pass
    void random_standard_uniform_fill(bitgen_t *state, Py_ssize_t cnt, double *out) nogil
    double random_lognormal(bitgen_t *state, double mean, double sigma) nogil
    int64_t random_poisson(bitgen_t *state, double lam) nogil
    void random_bounded_uint64_fill(bitgen_t *state, uint64_t off, uint64_t rng,
                                    Py_ssize_t cnt, bint use_masked, uint64_t *out) nogil


cdef bitgen_t* _bitgen(object generator) except NULL:
    """The C bit generator behind a numpy Generator (what its methods draw from)."""
    return <bitgen_t*>PyCapsule_GetPointer(generator.bit_generator.capsule, "BitGenerator")


cdef class CandidateDraws:
    """Draws a minute's candidates from three streams: arrivals (how many, who, kept or
    not), decisions (four coins each) and sizes (lognormal USDT)."""
    cdef object _streams          # the Generators, kept alive with their bit generators
    cdef bitgen_t* _arrivals
    cdef bitgen_t* _decisions
    cdef bitgen_t* _sizes
    cdef readonly int64_t n_traders
    cdef double _log_median, _sigma

    def __init__(self, arrivals, decisions, sizes, int64_t n_traders, double order_usd_median,
                 double order_usd_sigma):
        if not 1 <= n_traders <= 0xFFFFFFFF:
            raise ValueError(f"n_traders must be in [1, {0xFFFFFFFF}], got {n_traders}")
        if not (order_usd_median > 0 and order_usd_sigma >= 0):
            raise ValueError("order_usd_median must be > 0 and order_usd_sigma >= 0, got "
                             f"{order_usd_median!r}, {order_usd_sigma!r}")
        self._streams = (arrivals, decisions, sizes)
        self._arrivals, self._decisions, self._sizes = (
            _bitgen(arrivals), _bitgen(decisions), _bitgen(sizes))
        self.n_traders = n_traders
        self._log_median = log(order_usd_median)          # C's log, as math.log calls it
        self._sigma = order_usd_sigma

    def draw(self, double top, double keep_chance):
        """(who, picks, coins, sizes) for this minute, or None when nobody arrives:

            k = poisson(top); who = integers(n_traders, size=k)
            picks = flatnonzero(random(k) < keep_chance)        (all from the arrivals stream)
            coins = decisions.random((k, 4)); sizes = sizes.lognormal(log(median), sigma, k)
        """
        if not top >= 0:
            raise ValueError(f"top must be >= 0, got {top!r}")
        cdef int64_t k = random_poisson(self._arrivals, top)
        if k == 0:
            return None
        who = np.empty(k, dtype=np.int64)
        keep = np.empty(k, dtype=np.float64)
        coins = np.empty((k, 4), dtype=np.float64)
        sizes = np.empty(k, dtype=np.float64)
        picks = np.empty(k, dtype=np.int64)
        cdef int64_t[::1] w = who, p = picks
        cdef double[::1] u = keep, s = sizes
        cdef double[:, ::1] c = coins
        cdef int64_t i, n = 0
        random_bounded_uint64_fill(self._arrivals, 0, <uint64_t>(self.n_traders - 1), k, False,
                                   <uint64_t*>&w[0])
        random_standard_uniform_fill(self._arrivals, k, &u[0])
        for i in range(k):
            if u[i] < keep_chance:
                p[n] = i
                n += 1
        random_standard_uniform_fill(self._decisions, 4 * k, &c[0, 0])
        for i in range(k):
            s[i] = random_lognormal(self._sizes, self._log_median, self._sigma)
        return who, picks[:n], coins, sizes
