"""The order book in plain Python: the reference of mmabm/_core.pyx's `OrderBook` (whose sides
are _ladder.pyx's), the oracle of the book's tests and the baseline of its benchmark.

Each side is a dict price -> {order_id: [qty, owner]} (dicts keep insertion order, which is
time priority) plus a sorted list of its prices. Nothing clever: correctness by inspection.
"""
from __future__ import annotations

from bisect import bisect_left, insort

GTC, IOC, POST_ONLY = 0, 1, 2
REJECTED = -1


class ReferenceBook:
    """OrderBook's contract: price-time priority, IOC, post-only and self-trade prevention."""

    def __init__(self) -> None:
        self.levels = {1: {}, -1: {}}     # side -> price -> {order_id: [qty, owner]}
        self.prices = {1: [], -1: []}     # side -> sorted prices with resting orders
        self.where = {}                   # live order_id -> (side, price)
        self.fills = []                   # (taker_id, maker_id, taker_owner, maker_owner, price, qty, side)
        self.expired = []                 # (order_id, owner, side, price, qty) removed by STP
        self.next_id = 1

    def best(self, side: int) -> int | None:
        prices = self.prices[side]
        if not prices:
            return None
        return prices[-1] if side == 1 else prices[0]

    def _crosses(self, side, price):
        best = self.best(-side)
        return best is not None and (price >= best if side == 1 else price <= best)

    def _remove_level_if_empty(self, side, price):
        if not self.levels[side][price]:
            del self.levels[side][price]
            prices = self.prices[side]
            prices.pop(bisect_left(prices, price))

    def _match(self, side, limit, qty, taker_id, owner, stp=False):
        while qty > 0 and self._crosses(side, limit):
            price = self.best(-side)
            level = self.levels[-side][price]
            maker_id = next(iter(level))
            maker = level[maker_id]
            if stp and maker[1] == owner:
                self.expired.append((maker_id, owner, -side, price, maker[0]))
                self.cancel(maker_id)
                continue
            trade = min(qty, maker[0])
            self.fills.append((taker_id, maker_id, owner, maker[1], price, trade, side))
            qty -= trade
            maker[0] -= trade
            if maker[0] == 0:
                del level[maker_id]
                del self.where[maker_id]
                self._remove_level_if_empty(-side, price)
        return qty

    def limit(self, side: int, price: int, qty: int, owner: int = 0, tif: int = GTC,
              stp: bool = False) -> int:
        if tif == POST_ONLY and self._crosses(side, price):
            return REJECTED
        oid = self.next_id
        self.next_id += 1
        left = self._match(side, price, qty, oid, owner, stp)
        if left > 0 and tif != IOC:
            if price not in self.levels[side]:
                self.levels[side][price] = {}
                insort(self.prices[side], price)
            self.levels[side][price][oid] = [left, owner]
            self.where[oid] = (side, price)
        return oid

    def market(self, side: int, qty: int, owner: int = 0, stp: bool = False) -> int:
        oid = self.next_id
        self.next_id += 1
        self._match(side, float("inf") if side == 1 else float("-inf"), qty, oid, owner, stp)
        return oid

    def cancel(self, oid: int) -> int:
        if oid not in self.where:
            return 0
        side, price = self.where.pop(oid)
        qty = self.levels[side][price].pop(oid)[0]
        self._remove_level_if_empty(side, price)
        return qty

    def reduce(self, oid: int, new_qty: int) -> int:
        if oid not in self.where:
            return 0
        side, price = self.where[oid]
        order = self.levels[side][price][oid]
        if new_qty > order[0]:
            raise ValueError("new_qty above remaining")
        removed = order[0] - new_qty
        order[0] = new_qty
        return removed

    def remaining(self, oid: int) -> int:
        if oid not in self.where:
            return 0
        side, price = self.where[oid]
        return self.levels[side][price][oid][0]

    def cancel_all(self, owner: int, side: int = 0) -> dict[int, int]:
        mine = [oid for oid, (s, p) in self.where.items()
                if self.levels[s][p][oid][1] == owner and side in (0, s)]
        return {oid: self.cancel(oid) for oid in mine}

    def replace_ladder(self, owner: int, side: int, prices: list[int], qtys: list[int],
                       post_only: bool = True) -> tuple[dict[int, int], list[int]]:
        cancelled = self.cancel_all(owner, side)
        tif = POST_ONLY if post_only else GTC
        return cancelled, [self.limit(side, p, q, owner, tif) for p, q in zip(prices, qtys)]

    def level_list(self, side: int) -> list[tuple[int, int, int]]:
        """[(price, total qty, count)] best first."""
        prices = self.prices[side][::-1] if side == 1 else self.prices[side]
        return [(p, sum(o[0] for o in self.levels[side][p].values()), len(self.levels[side][p]))
                for p in prices]

    def order_list(self, side: int) -> list[tuple[int, int, int, int]]:
        """[(order_id, owner, price, qty)] in priority order."""
        prices = self.prices[side][::-1] if side == 1 else self.prices[side]
        return [(oid, o[1], p, o[0]) for p in prices for oid, o in self.levels[side][p].items()]
