"""A small, obviously-correct pure-Python order book: the oracle for the Cython book's tests
and the baseline of its benchmark.

Each side is a dict price -> {order_id: [qty, owner]} (dicts keep insertion order, which is
time priority) plus a sorted list of its prices. Nothing clever: correctness by inspection.
"""
from bisect import bisect_left, insort

GTC, IOC, POST_ONLY = 0, 1, 2
REJECTED = -1


class ReferenceBook:
    def __init__(self):
        self.levels = {1: {}, -1: {}}     # side -> price -> {order_id: [qty, owner]}
        self.prices = {1: [], -1: []}     # side -> sorted prices with resting orders
        self.where = {}                   # live order_id -> (side, price)
        self.fills = []                   # (taker_id, maker_id, taker_owner, maker_owner, price, qty, side)
        self.expired = []                 # (order_id, owner, side, price, qty) removed by STP
        self.next_id = 1

    def best(self, side):
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

    def limit(self, side, price, qty, owner=0, tif=GTC, stp=False):
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

    def market(self, side, qty, owner=0, stp=False):
        oid = self.next_id
        self.next_id += 1
        self._match(side, float("inf") if side == 1 else float("-inf"), qty, oid, owner, stp)
        return oid

    def cancel(self, oid):
        if oid not in self.where:
            return 0
        side, price = self.where.pop(oid)
        qty = self.levels[side][price].pop(oid)[0]
        self._remove_level_if_empty(side, price)
        return qty

    def reduce(self, oid, new_qty):
        if oid not in self.where:
            return 0
        side, price = self.where[oid]
        order = self.levels[side][price][oid]
        if new_qty > order[0]:
            raise ValueError("new_qty above remaining")
        removed = order[0] - new_qty
        order[0] = new_qty
        return removed

    def remaining(self, oid):
        if oid not in self.where:
            return 0
        side, price = self.where[oid]
        return self.levels[side][price][oid][0]

    def cancel_all(self, owner, side=0):
        mine = [oid for oid, (s, p) in self.where.items()
                if self.levels[s][p][oid][1] == owner and side in (0, s)]
        return {oid: self.cancel(oid) for oid in mine}

    def replace_ladder(self, owner, side, prices, qtys, post_only=True):
        cancelled = self.cancel_all(owner, side)
        tif = POST_ONLY if post_only else GTC
        return cancelled, [self.limit(side, p, q, owner, tif) for p, q in zip(prices, qtys)]

    def level_list(self, side):
        """[(price, total qty, count)] best first."""
        prices = self.prices[side][::-1] if side == 1 else self.prices[side]
        return [(p, sum(o[0] for o in self.levels[side][p].values()), len(self.levels[side][p]))
                for p in prices]

    def order_list(self, side):
        """[(order_id, owner, price, qty)] in priority order."""
        prices = self.prices[side][::-1] if side == 1 else self.prices[side]
        return [(oid, o[1], p, o[0]) for p in prices for oid, o in self.levels[side][p].items()]


def reference_replay(kind, side, price, qty, ref, counts=None):
    """The replay contract, event by event, on the reference book.

    Returns (fills as [(taker_event, maker_event, price, qty)], bids, asks) with bids/asks as
    [(price, total qty, count)] best first. Owners are event indices. If `counts` is a dict,
    counts["live_cancels"] is set to the number of cancels that found their order live.
    """
    live_cancels = 0
    book = ReferenceBook()
    ids = {}
    for i in range(len(kind)):
        k = int(kind[i])
        if k == 0:
            ids[i] = book.limit(int(side[i]), int(price[i]), int(qty[i]), owner=i)
        elif k == 1:
            book.market(int(side[i]), int(qty[i]), owner=i)
        else:
            live_cancels += book.cancel(ids[int(ref[i])]) > 0
    if counts is not None:
        counts["live_cancels"] = live_cancels
    fills = [(f[2], f[3], f[4], f[5]) for f in book.fills]
    return fills, book.level_list(1), book.level_list(-1)
