"""Named random streams: common random numbers across runs that differ only in strategy.

Each exogenous source of randomness (arrivals, sizes, trader types, the fundamental path,
unlock jitter, ...) draws from its own generator, derived from the run's seed and the source's
name alone. Adding a source, or a strategy that draws more from one source, never shifts what
another source draws, so two runs with the same seed face the same exogenous world.
"""
from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    """Independent numpy Generators by name, all fixed by one seed.

    >>> a, b = RandomStreams(7), RandomStreams(7)
    >>> float(a["arrivals"].random()) == float(b["arrivals"].random())
    True
    """

    def __init__(self, seed: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        """The generator of source `name` (created on first use, from the seed and the name)."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a stream name must be a non-empty string, got {name!r}")
        if name not in self._streams:
            key = zlib.crc32(name.encode())          # stable across processes and runs
            seq = np.random.SeedSequence(self.seed, spawn_key=(key,))
            self._streams[name] = np.random.Generator(np.random.PCG64(seq))
        return self._streams[name]

    def names(self) -> list[str]:
        """The sources drawn from so far."""
        return sorted(self._streams)
