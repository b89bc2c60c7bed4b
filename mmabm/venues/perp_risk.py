"""The perp's risk engine: which accounts are below maintenance margin, their liquidation in
the book (losses beyond the margin to the insurance fund), and auto-deleveraging against the
most profitable opposite positions when the book cannot take a position.

A mixin of `PerpExchange` (venues/perp.py): it reads the venue's accounts, book, marks and
trigger index.
"""
from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mmabm.venues.perp import PerpAccount

# Relative slack on the liquidation triggers: the brute-force test's float rounding is ~1e-15 of
# the amounts involved, so a trigger widened by 1e-9 of them never misses an account (the
# accounts it lets through are then tested exactly).
TRIGGER_SLACK = 1e-9


@dataclass(frozen=True)
class Liquidation:
    """One liquidation order: what it closed of one account's position, and when."""
    owner: int
    lots_closed: int
    mark_price: float
    deficit_units: int       # loss beyond the account's margin, paid by the insurance fund
    side: int = 0            # +1: a long was liquidated (sold into the bids), -1: a short
    lots_left: int = 0       # what the book could not take (closed by a later liquidation)
    minute: float = math.nan  # the model's time (as the caller of check_liquidations gave it)


@dataclass(frozen=True)
class Deleveraging:
    """One pairing of an auto-deleveraging: `owner`'s position closed against `counterparty`'s
    opposite one, `lots` at `price` (the mark), outside the book."""
    owner: int
    counterparty: int
    lots: int
    price: float
    minute: float = math.nan


class PerpRisk:
    """Liquidation and auto-deleveraging (see the module docstring)."""

    def _trigger(self, acct: PerpAccount) -> float:
        """The mark beyond which `acct`'s position may be below maintenance margin: for a long,
        at or below it; for a short, at or above it (widened by TRIGGER_SLACK, so a test of the
        mark against it never misses an account the exact test in `_under_maintenance` takes).

        With backing B, cost basis C and A = |position| x USDT units per unit of mark, equity
        minus maintenance is B - C + A m (1 - mm) for a long and B - C - A m (1 + mm) for a
        short, linear in the mark m.
        """
        backing = acct.margin if acct.isolated else acct.margin + acct.collateral + acct.locked
        per_mark = abs(acct.position) * self.quote_units / self.tick_size
        if acct.position > 0:
            slope = per_mark * (1.0 - self.maintenance_margin)
            if slope <= per_mark * 1e-6:            # maintenance ~ 100%: always test exactly
                return math.inf
            at = -(backing - acct.cost) / slope
        else:
            slope = per_mark * (1.0 + self.maintenance_margin)
            at = (backing - acct.cost) / slope
        slack = TRIGGER_SLACK * (abs(backing) + abs(acct.cost) + 2.0 * per_mark * abs(at)) / slope
        return at + slack if acct.position > 0 else at - slack

    def _refresh_triggers(self) -> None:
        """Recompute the triggers of the accounts changed since the last call."""
        if self.n_fundings != self._fundings_seen:      # a funding moved every open account
            self._fundings_seen = self.n_fundings
            self._dirty.update(self._open)
        for owner in self._dirty:
            old = self._long_at.pop(owner, None)
            if old is not None:
                del self._longs[bisect_left(self._longs, (old, owner))]
            old = self._short_at.pop(owner, None)
            if old is not None:
                del self._shorts[bisect_left(self._shorts, (old, owner))]
            acct = self.accounts[owner]
            if acct.position > 0:
                at = self._long_at[owner] = self._trigger(acct)
                insort(self._longs, (at, owner))
            elif acct.position < 0:
                at = self._short_at[owner] = self._trigger(acct)
                insort(self._shorts, (at, owner))
        self._dirty.clear()

    def _under_maintenance(self, acct: PerpAccount) -> bool:
        """The exact liquidation rule: equity below maintenance margin at the mark (the float
        operations of `_notional` and `equity_units`, in their order, inlined)."""
        pos, mark = acct.position, self.mark_price
        maintenance = abs(pos * (mark / self.tick_size) * self.quote_units)
        backing = acct.margin if acct.isolated else acct.margin + acct.collateral + acct.locked
        equity = backing + (pos * mark / self.tick_size * self.quote_units - acct.cost
                            if pos else 0.0)
        return not equity >= maintenance * self.maintenance_margin    # as the scan compared

    def check_liquidations(self, minute: float = math.nan) -> list[Liquidation]:
        """Liquidate every account whose equity is below maintenance margin at the mark; returns
        (and records, stamped `minute`) the liquidations that closed lots — one that finds no
        depth to close into is tried again on the next check, not recorded; one that finds too
        little closes what it can and records the rest as `lots_left`.

        The same as testing every open account in owner order (`_under_maintenance`), but only
        the accounts whose trigger the mark has crossed are tested (found by bisection; a minute
        in which none has costs O(1)). An account a liquidation trades with is tested again if
        its turn (owner order) has not come yet, as the full scan would.
        """
        done = []
        mark = self.mark_price
        if not mark == mark:
            return done
        self._refresh_triggers()
        longs, shorts = self._longs, self._shorts
        if (not longs or longs[-1][0] < mark) and (not shorts or mark < shorts[0][0]):
            return done
        book = self.book
        # a long closes into the bids, a short into the asks; a side with no depth now gets
        # none in this call (closing and cancelling only take depth away), so of its crossed
        # accounts only those with orders to cancel are visited: the others would be passed
        # over (an account under water waits for depth, often for hours)
        crossed = longs[bisect_left(longs, (mark,)):]                         # trigger >= mark
        pending = ([o for _, o in crossed] if book.n_levels(1) else
                   [o for _, o in crossed if book.has_orders(o)])
        crossed = shorts[:bisect_right(shorts, (mark, math.inf))]              # trigger <= mark
        pending += ([o for _, o in crossed] if book.n_levels(-1) else
                    [o for _, o in crossed if book.has_orders(o)])
        if not pending:
            return done
        heapq.heapify(pending)
        scanned = None                           # who the full scan would visit (owners open now)
        last = -1
        while pending:
            owner = heapq.heappop(pending)
            if owner <= last:                    # pushed twice
                continue
            last = owner
            acct = self.accounts[owner]
            book_side = 1 if acct.position > 0 else -1       # the side a liquidation hits
            if not book.n_levels(book_side) and not book.has_orders(owner):
                continue                         # nothing to cancel, no depth to close into
            if not self._under_maintenance(acct):
                continue
            self.cancel_all(owner)
            before, fund_before = acct.position, self.insurance
            if not book.n_levels(book_side):
                continue                         # no depth to close into: tried again next time
            if scanned is None:
                scanned = set(self._open)
            book.market(-book_side, abs(before), owner)
            self._settle(0)                      # covers losses beyond the margin, fill by fill
            if acct.position != before:          # no depth to close into: tried again next time
                done.append(Liquidation(owner, abs(before - acct.position), self.mark_price,
                                        fund_before - self.insurance, book_side,
                                        abs(acct.position), minute))
            if self._dirty:                      # the counterparties: their turn may be ahead
                for other in self._dirty:
                    if other > owner and other in scanned:
                        heapq.heappush(pending, other)
                self._refresh_triggers()
        self.liquidations += done
        self.liquidated_lots += sum(liq.lots_closed for liq in done)
        return done

    # -- auto-deleveraging ---------------------------------------------------------------------
    def deleverage(self, owner: int, minute: float = math.nan) -> int:
        """Close `owner`'s whole position outside the book, at the mark, against the opposite
        positions in auto-deleveraging order (the most profitable per unit of equity first, as
        the venues rank profit times leverage); returns the lots closed.

        What a venue does when a position must close and its book has no depth on that side:
        every unit changes hands at one price, no fee, so the books still balance and the
        positions still sum to zero; a counterparty whose collateral goes negative is made
        good as in any fill (its margin, then the insurance fund). Each pairing is recorded
        in `deleveraged`."""
        acct = self.account(owner)
        mark = self.mark_price
        if not acct.position:
            return 0
        if not mark == mark or mark <= 0:
            raise ValueError(f"{self.name}: cannot deleverage owner {owner} without a mark "
                             f"price (got {mark})")
        price = max(1, round(mark / self.tick_size))
        side = 1 if acct.position < 0 else -1          # what the owner trades to close
        self.cancel_all(owner)

        def rank(other: int) -> tuple[float, int]:
            a = self.accounts[other]
            equity = self.equity_units(a)
            return (-(self.unrealised_units(a) / equity if equity > 0 else -math.inf), other)

        opposite = sorted((o for o in self._open if o != owner
                           and self.accounts[o].position * side > 0), key=rank)
        closed = 0
        for other in opposite:
            left = abs(acct.position)
            if not left:
                break
            them = self.accounts[other]
            qty = min(left, abs(them.position))
            self._trade(acct, side, qty, price, owner)
            self._trade(them, -side, qty, price, other)
            for o, a in ((owner, acct), (other, them)):
                self._cover(a)
                self._dirty.add(o)
            self.deleveraged.append(Deleveraging(owner, other, qty, price * self.tick_size,
                                                 minute))
            closed += qty
        return closed
