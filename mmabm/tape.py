"""The market's tape: what traded, where and by whom since listing, and the hourly closes.

Venues buffer what happens on them (a CEX its trades, the pool its swaps, the perp its volume).
The tape drains those buffers into running totals kept in integer units, so its totals are the
same whenever and however often it is synced. That is what makes looking at the market free of
side effects: the recorder, the summary and an agent reading the last hour's volume all sync
the tape, and none of them changes what the simulation does (a test runs the same seed
recorded every minute, hour and day and finds the same market).

Once an hour, at the start of the hour (`MarketModel.observe_hourly`), the tape also keeps a
close: each CEX's mid and whether its quoting obligation was met. The run's summary
(prices at 1/3/6/12 months, drawdown, obligation uptime) is read from those closes, never from
the recorded rows, so it does not depend on how often the run is recorded.
"""
from __future__ import annotations

import math

import numpy as np

from mmabm.venues import units

MINUTES_PER_MONTH = 30 * 24 * 60    #: a month of the model: 30 days
#: Who initiated spot volume (the taker of a CEX trade, the swapper on the DEX).
AGENT_TYPES = ("market_maker", "arbitrage", "liquidity_provider", "project", "insider",
               "noise", "momentum", "fundamentalist", "perp", "early_holder")
HOUR = 60


class Tape:
    """Running totals of the model's venues, and hourly closes; see the module docstring."""

    def __init__(self, model) -> None:
        self.model = model
        self.volume_units = dict.fromkeys(AGENT_TYPES, 0)     # spot notional, by initiator
        self.dex_units = 0                                     # the pool's part of it
        self.perp_units = 0                                    # perp notional
        #: token units the takers on the CEXs and the swappers on the pool bought, net of what
        #: they sold (signed order flow), by the takers' AGENT_TYPES
        self.net_bought_units = np.zeros(len(AGENT_TYPES), dtype=np.int64)
        self._makers: dict[int, list[int]] = {}   # watched maker -> [half-tick x lot edge per CEX..., fees]
        #: watched maker -> token units its filled quotes sold (+) to / bought (-) from each
        #: AGENT_TYPES taker type
        self._sold_to: dict[int, np.ndarray] = {}
        self._types = np.empty(0, dtype=np.int64)   # owner id -> AGENT_TYPES index
        #: hourly closes: minute, the main CEX's mid, and per CEX whether its obligation was met
        self.close_minutes: list[float] = []
        self.close_mids: list[float] = []
        self.close_obligations: list[tuple[bool, ...]] = []
        model.observe_hourly(self.close)

    def watch_maker(self, owner: int) -> None:
        """Keep the spread capture of `owner`'s filled quotes (see `spread_capture_usd`) and who
        took them (see `maker_sold_to`)."""
        self._makers.setdefault(owner, [0] * (len(self.model.cexs) + 1))
        self._sold_to.setdefault(owner, np.zeros(len(AGENT_TYPES)))

    def _type_index(self, owners: np.ndarray) -> np.ndarray:
        """The AGENT_TYPES index of each owner id (a table built once, grown as needed)."""
        top = int(owners.max()) + 1 if len(owners) else 0
        if top > len(self._types):
            table = np.full(top, -1, dtype=np.int64)
            table[:len(self._types)] = self._types
            for owner in range(len(self._types), top):
                try:
                    table[owner] = AGENT_TYPES.index(self.model.owner_type(owner))
                except (ValueError, IndexError):
                    pass                           # no agent has that id (never a trader)
            self._types = table
        return self._types[owners]

    def _add(self, owners: np.ndarray, notional: np.ndarray, bought: np.ndarray,
             unit: int = 1) -> int:
        """Add each taker's `notional` (USDT units) to its type's volume and `bought` (in
        `unit`s of token units, negative when sold) to its type's net buying; the notional
        added."""
        kinds = self._type_index(owners)
        if (kinds < 0).any():
            raise ValueError(f"owner {int(owners[kinds < 0][0])} is no agent of this model")
        # float sums of whole units (or lots) below 2**53 are exact
        sums = np.bincount(kinds, weights=notional, minlength=len(AGENT_TYPES))
        for k in np.flatnonzero(sums).tolist():
            self.volume_units[AGENT_TYPES[k]] += int(sums[k])
        self.net_bought_units += np.bincount(kinds, weights=bought, minlength=len(AGENT_TYPES)
                                             ).astype(np.int64) * unit
        return int(sums.sum())

    def sync(self) -> None:
        """Drain every venue's buffer into the totals (the same totals whenever it is called)."""
        model = self.model
        swaps = model.dex.take_swaps()
        if swaps:                                       # the swapper is the pool's taker
            self.dex_units += self._add(*np.array(swaps, dtype=np.int64).T)
        for k, venue in enumerate(model.cexs):
            trades = venue.drain_trades()
            if not len(trades):
                continue
            self._add(trades["taker_owner"], trades["notional"],
                      trades["taker_side"] * trades["qty"], venue.lot_units)
            for maker, edge in self._makers.items():
                mine = trades[trades["maker_owner"] == maker]     # its fills, found once
                if not len(mine):
                    continue
                twice, fees = _edge(mine)
                edge[k] += twice
                edge[-1] += fees
                takers, lots = _signed(mine)
                # float sums of whole units below 2**53 are exact
                self._sold_to[maker] += np.bincount(
                    self._type_index(takers), weights=lots * venue.lot_units,
                    minlength=len(AGENT_TYPES))
        self.perp_units += model.perp.take_volume_units()

    # -- reading -------------------------------------------------------------------------------
    def spread_capture_usd(self, maker: int) -> float:
        """What `maker`'s filled quotes earned against the venue's mid when each taker's order
        arrived, net of its maker fees (USDT). Against a later mid it would also count what the
        price did after the fill: adverse selection, which belongs to the inventory. A fill
        when a side of the book was empty, with no mid to measure, counts its fee only."""
        self.sync()
        edge = self._makers.get(maker)
        if edge is None:
            return 0.0
        usd = sum(e * venue.tick_size * venue.lot_size / 2
                  for e, venue in zip(edge, self.model.cexs))
        return usd - edge[-1] * units.USDT_UNIT

    def maker_sold_to(self, maker: int) -> dict[str, float]:
        """Tokens `maker`'s filled quotes (its resting orders on the CEXs) sold to each type of
        taker since listing, net of what they bought from it (negative: bought). Who lifts a
        market maker's asks is who it really sells to: a sale it makes with market orders is
        not in it."""
        self.sync()
        sold = self._sold_to.get(maker)
        if sold is None:
            return dict.fromkeys(AGENT_TYPES, 0.0)
        return {kind: float(x) * units.TOKEN_UNIT for kind, x in zip(AGENT_TYPES, sold)}

    def net_bought_tokens(self, exclude: tuple[str, ...] = ()) -> float:
        """Tokens the CEXs' takers and the pool's swappers bought since listing, net of what
        they sold; all of them, or all but the AGENT_TYPES in `exclude`."""
        self.sync()
        units_ = int(sum(int(x) for kind, x in zip(AGENT_TYPES, self.net_bought_units)
                         if kind not in exclude))
        return units_ * units.TOKEN_UNIT

    def spot_volume_usd(self, exclude: str | None = None) -> float:
        """Spot volume since listing (USDT), all of it or all but one initiator type's."""
        self.sync()
        total = sum(self.volume_units.values()) - (self.volume_units[exclude] if exclude else 0)
        return total * units.USDT_UNIT

    # -- hourly closes -------------------------------------------------------------------------
    def close(self) -> None:
        """The hour's close: the main CEX's mid and each CEX's obligation."""
        model = self.model
        self.close_minutes.append(model.time)
        self.close_mids.append(model.cexs[0].mid_usd())
        self.close_obligations.append(tuple(obligation_met(venue, terms)
                                            for venue, terms in zip(model.cexs, model.config.cex)))

    def closes(self) -> tuple[np.ndarray, np.ndarray]:
        """(minutes, main CEX mids) of the hourly closes, gaps (no mid) carried forward."""
        mids = np.array(self.close_mids, dtype=float)
        for i in range(1, len(mids)):
            if mids[i] != mids[i]:
                mids[i] = mids[i - 1]
        return np.array(self.close_minutes, dtype=float), mids


def maker_edge(trades: np.ndarray, maker: int) -> tuple[int, int]:
    """`maker`'s filled quotes in `trades` (TRADE_DTYPE): twice their edge over the mid each
    taker met, in tick x lots (2 x (price - mid) is a whole number of ticks, so sums are
    exact), and their maker fees in USDT units. A fill with no mid (a side of the book was
    empty) counts its fee only."""
    return _edge(trades[trades["maker_owner"] == maker])


def maker_fills(trades: np.ndarray, maker: int) -> tuple[np.ndarray, np.ndarray]:
    """`maker`'s filled quotes in `trades` (TRADE_DTYPE): each fill's taker and its lots, signed
    as the maker's sale (+ when the taker bought)."""
    return _signed(trades[trades["maker_owner"] == maker])


def _edge(fills: np.ndarray) -> tuple[int, int]:
    """`maker_edge` of fills already found to be one maker's."""
    if not len(fills):
        return 0, 0
    with_mid = fills[fills["mid"] == fills["mid"]]
    twice = ((2 * with_mid["price"] - np.rint(2 * with_mid["mid"]).astype(np.int64))
             * with_mid["taker_side"] * with_mid["qty"])
    return int(twice.sum()), int(fills["maker_fee"].sum())


def _signed(fills: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`maker_fills` of fills already found to be one maker's."""
    return fills["taker_owner"], fills["taker_side"] * fills["qty"]


def obligation_met(venue, terms) -> bool:
    """Whether `venue`'s book meets the quoting obligation `terms`: depth on both sides within
    the band, and the spread within its cap."""
    spread = venue.spread_bps()
    return bool(spread == spread and spread <= terms.max_spread * 1e4 * (1 + 1e-9)
                and not venue.thin_sides(terms.band, terms.depth_usd))


def price_at(minutes: np.ndarray, mids: np.ndarray, months: float) -> float:
    """The last close at or before `months` (a month is 30 days); NaN if the run ended before."""
    minute = months * MINUTES_PER_MONTH
    if not len(minutes) or minutes[-1] < minute:
        return math.nan
    return float(mids[np.searchsorted(minutes, minute, side="right") - 1])

