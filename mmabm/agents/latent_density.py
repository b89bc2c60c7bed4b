"""The latent order book as a density that diffuses: Donier et al.'s locally linear order book.

Donier, Bonart, Mastromatteo & Bouchaud (2015, "A fully consistent, minimal model for non-linear
market impact") and Benzaquen & Bouchaud (2018, "Market impact with multi-timescale liquidity")
describe slow investors' intentions to buy and to sell as densities B(x) and A(x) over log
price, which

- diffuse (each investor revises its price: coefficient D),
- are cancelled at rate nu and deposited at rate lambda on their side of the price (bids
  below it, asks above),
- and are consumed where they meet the price: crossing intentions trade.

At rest the bids' density at a distance u below the price is lambda / nu (1 - exp(-u / l)),
l = sqrt(D / nu): linear near the price, slope L = lambda / (nu l), flat beyond l. A sale of Q
that is fast against 1 / nu and the diffusion meets a volume L u^2 / 2 within u and moves the
price by sqrt(2 Q / L): the square-root law. Once the sale ends, the consumed bids' side
refills by diffusion from below and the asks it left behind sit above: the price gives back
part of the move, quickly at first; what the book forgot (nu) and redeposited around the new
price is the permanent part (linear in Q, Benzaquen & Bouchaud).

Here x is the log price relative to a centre that the world's news moves (the listing price
times the news' moves since: agents/latent.py), so news moves every intention with it, the
informational part of the price, which no sale touches unless the investors also learn from
the price (`latent.price_anchor`). The grid is in cells of CELL; it follows the price, so it
covers any path.
This module is the density alone (numpy, no model): agents/latent.py puts it on a venue.
"""
from __future__ import annotations

import math

import numpy as np

CELL = 0.001            # the grid's cell, in log price (10 bp)
MAX_DIFFUSION = 0.4     # D dt / CELL^2 per explicit step, below the scheme's 0.5 bound


class LatentDensity:
    """Latent bids and asks, tokens per cell on a grid of log price relative to a centre."""

    def __init__(self, x: float, slope: float, width: float, memory_minutes: float) -> None:
        """At rest around the price `x`: density slope `slope` (tokens per unit log price per
        unit log price away from it), flat beyond `width`; intentions live `memory_minutes`
        (half-life)."""
        self.nu = math.log(2.0) / memory_minutes                  # cancellation, per minute
        self.diffusion = self.nu * width * width                   # D = nu l^2
        self.deposit = slope * self.nu * width * CELL              # lambda, tokens per cell-minute
        self.half = int(math.ceil(8 * width / CELL))               # cells each side of the centre
        self.origin = x - self.half * CELL                         # x of cell 0
        u = (np.arange(2 * self.half + 1) - self.half) * CELL      # distance from x
        far = self.deposit / self.nu                               # tokens per cell far away
        self.bids = np.where(u < 0, far * (1.0 - np.exp(u / width)), 0.0)
        self.asks = np.where(u > 0, far * (1.0 - np.exp(-u / width)), 0.0)

    def cell_of(self, x: float) -> float:
        """Where `x` lies on the grid, in cells (fractional)."""
        return (x - self.origin) / CELL

    def prices(self) -> np.ndarray:
        """Each cell's x."""
        return self.origin + np.arange(len(self.bids)) * CELL

    def follow(self, x: float) -> None:
        """Keep `x` in the grid's middle half: shift the grid by whole cells, the cells that
        enter holding what lies far from the price at rest."""
        shift = int(round(self.cell_of(x))) - self.half
        if abs(shift) <= self.half // 2:
            return
        far = self.deposit / self.nu
        n = len(self.bids)
        fills = (("bids", far if shift < 0 else 0.0), ("asks", 0.0 if shift < 0 else far))
        for name, fill in fills:
            old, new = getattr(self, name), np.full(n, fill)
            if abs(shift) < n:
                if shift > 0:
                    new[:n - shift] = old[shift:]
                else:
                    new[-shift:] = old[:n + shift]
            setattr(self, name, new)
        self.origin += shift * CELL

    def step(self, x: float, minutes: float) -> tuple[float, float]:
        """Let `minutes` pass with the price at `x`: diffusion, cancellation and deposition on
        each side of it, and what diffused across it paired off (explicit steps small enough
        to be stable); returns what is left crossing (`annihilate`)."""
        self.follow(x)
        n = max(1, math.ceil(self.diffusion * minutes / (MAX_DIFFUSION * CELL * CELL)))
        dt = minutes / n
        r, keep = self.diffusion * dt / (CELL * CELL), math.exp(-self.nu * dt)
        at = self.cell_of(x)
        below = np.arange(len(self.bids)) < at - 0.5
        above = np.arange(len(self.bids)) > at + 0.5
        add, left = self.deposit * dt, (0.0, 0.0)
        for _ in range(n):
            for side, mask in ((self.bids, below), (self.asks, above)):
                lap = np.empty_like(side)
                lap[1:-1] = side[2:] - 2 * side[1:-1] + side[:-2]
                lap[0], lap[-1] = side[1] - side[0], side[-2] - side[-1]   # no flux at the ends
                side += r * lap
                side *= keep
                side[mask] += add
            left = self.annihilate(x)           # what diffused across the price meets
        return left

    def annihilate(self, x: float) -> tuple[float, float]:
        """Bids above `x` and asks below it would trade: each pair of them trades between
        latent investors (nothing moves); returns what is left crossing, (bids above x, asks
        below x), which only the market can take."""
        at = self.cell_of(x)
        idx = np.arange(len(self.bids))
        up, down = idx >= at, idx <= at           # the cell at the price too
        crossing_bids, crossing_asks = self.bids[up].sum(), self.asks[down].sum()
        paired = min(crossing_bids, crossing_asks)
        if paired > 0:
            self.bids[up] *= 1.0 - paired / crossing_bids
            self.asks[down] *= 1.0 - paired / crossing_asks
        return crossing_bids - paired, crossing_asks - paired

    def consume(self, bought: float) -> None:
        """The market took `bought` tokens of its bids (its nearest first; negative: sold,
        its lowest asks first)."""
        side, order = (self.bids, slice(None, None, -1)) if bought > 0 else (self.asks, slice(None))
        left = abs(bought)
        view = side[order]
        cum = np.cumsum(view)
        k = int(np.searchsorted(cum, left))
        if k >= len(view):
            view[:] = 0.0
            return
        view[:k] = 0.0
        view[k] = cum[k] - left

    def bands(self, x: float, edges: np.ndarray, bids: bool) -> np.ndarray:
        """Tokens of bids (asks) in each band between consecutive distances `edges` below
        (above) `x`, cells cut in proportion."""
        side = self.bids if bids else self.asks
        cum = np.concatenate(([0.0], np.cumsum(side)))        # cum[i]: cells before i
        at = self.cell_of(x) + 0.5                              # cell i spans [i - .5, i + .5)
        where = at - edges / CELL if bids else at + edges / CELL
        held = np.interp(where, np.arange(len(cum)), cum)
        return np.abs(np.diff(held))

    def total(self) -> tuple[float, float]:
        """(bids, asks) held in the whole grid."""
        return float(self.bids.sum()), float(self.asks.sum())
