"""Perpetual futures: a linear, USDT-margined contract on the token, traded on an order book.

Accounts hold USDT collateral in integer units. A position is a signed number of lots with an
integer cost basis (signed entry notional), so realised PnL is exit notional minus the basis it
closes, and the venue's books balance exactly whatever the prices:

    sum(collateral + locked + position margin - cost basis) + fees + insurance fund
        = deposits - withdrawals,      and the positions sum to zero.

Orders lock initial margin and the worst-case fee; fills move initial margin into the position;
equity below maintenance margin at the mark price triggers liquidation (the position is closed
in the book, losses beyond the margin go to the insurance fund). Funding every 8 hours:
rate = clamp(P + clamp(I - P, -0.05%, +0.05%), -cap, +cap), P the average premium of the
perp's mid over the index since the last funding; payment = position x mark x rate, longs pay
shorts when positive. The model calls `settle_funding` every `funding_interval` (a venue does
not schedule itself).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from mmabm._core import GTC, IOC, MAX_OWNER, MAX_PRICE_TICKS, MAX_QTY_LOTS, OrderBook
from mmabm.venues import units
from mmabm.venues.errors import Rejection
from mmabm.venues.perp_risk import Deleveraging, Liquidation, PerpRisk  # noqa: F401

FUNDING_CLAMP = 0.0005   # the interest-premium difference is clamped to ±0.05%


@dataclass
class PerpAccount:
    """One trader's perp account, all amounts in USDT units."""
    collateral: int = 0      # free
    locked: int = 0          # locked by resting orders (initial margin and fee)
    margin: int = 0          # initial margin allocated to the open position
    position: int = 0        # lots, + long / - short
    cost: int = 0            # signed entry notional of the position
    realised: int = 0        # PnL realised so far (already in collateral), before fees/funding
    funding: int = 0         # funding received (+) or paid (-) so far (already in collateral)
    isolated: bool = False   # only `margin` backs the position (else all collateral does)

    @property
    def held(self) -> int:
        """Every USDT unit in the account: free, locked by orders, and the position's margin
        (the hot liquidation checks add the three inline)."""
        return self.collateral + self.locked + self.margin


_check = units.number_in


def _int(value, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return value


class PerpExchange(PerpRisk):
    """A perpetual-futures venue: order book, margin accounts, marks, funding, liquidation.

    Args:
        tick_size, lot_size: as for a spot venue (one lot = one contract of lot_size tokens).
        maker_fee, taker_fee: fractions of notional (maker rebate at most the taker fee).
        initial_margin: margin per unit of notional to open (0.1 = 10x maximum leverage).
        maintenance_margin: equity per unit of notional below which a position is liquidated.
        funding_cap: the funding rate's clamp per interval; interest_rate: I in the formula.
        funding_interval: model time between fundings (minutes; 480 = 8 hours).
        mark_smoothing: weight of each new premium sample in the mark's moving average.
    """

    def __init__(self, name: str = "perp", tick_size: float = 0.0001, lot_size: float = 1.0,
                 maker_fee: float = 0.0002, taker_fee: float = 0.0005,
                 initial_margin: float = 0.1, maintenance_margin: float = 0.05,
                 funding_cap: float = 0.0075, interest_rate: float = 0.0001,
                 funding_interval: float = 480.0, mark_smoothing: float = 0.1) -> None:
        self.name = name
        self.lot_units = units.lot_units(lot_size)
        self.quote_units = units.quote_units_per_tick_lot(tick_size, lot_size)
        self.tick_size, self.lot_size = tick_size, lot_size
        self.taker_fee = _check(taker_fee, "taker_fee", 0.0, 0.01)
        self.maker_fee = _check(maker_fee, "maker_fee", -self.taker_fee, 0.01)
        self.initial_margin = _check(initial_margin, "initial_margin", 0.008, 1.0)
        self.maintenance_margin = _check(maintenance_margin, "maintenance_margin", 0.001,
                                         self.initial_margin)
        self.funding_cap = _check(funding_cap, "funding_cap", 0.0, 0.05)
        self.interest_rate = _check(interest_rate, "interest_rate", -0.01, 0.01)
        self.funding_interval = _check(funding_interval, "funding_interval", 1e-9, 1e9)
        self.mark_smoothing = _check(mark_smoothing, "mark_smoothing", 1e-6, 1.0)
        self.book = OrderBook()
        self.accounts: dict[int, PerpAccount] = {}
        self._lock_per_lot: dict[int, int] = {}    # resting order id -> units locked per lot
        self.fees = self.insurance = 0
        self.volume_units = 0                      # traded notional since the start (USDT units)
        self._interval_volume = 0                  # since take_volume_units()
        self.deposited = self.withdrawn = 0
        self.index_price = self.mark_price = math.nan
        self._premium_ema = 0.0
        self._premium_sum, self._premium_n = 0.0, 0
        self.funding_rate = 0.0
        self.n_fundings = 0
        self._open: set[int] = set()               # owners with a position (liquidation scan)
        self.liquidations: list[Liquidation] = []
        self.deleveraged: list[Deleveraging] = []
        self.liquidated_lots = 0                   # closed by liquidations since the start
        # Liquidation triggers (see `_trigger`): equity is linear in the mark, so each open
        # position has a mark beyond which it may be liquidated. They only change with the
        # account, so they are recomputed for the owners in `_dirty` (every method that changes
        # an account's collateral, margin, cost or position adds its owner; a funding marks all),
        # and kept sorted, so the accounts a mark has crossed are found by bisection.
        self._dirty: set[int] = set()
        self._long_at: dict[int, float] = {}       # open long -> check it when mark <= this
        self._short_at: dict[int, float] = {}      # open short -> check it when mark >= this
        self._longs: list[tuple[float, int]] = []  # (trigger, owner) of the longs, ascending
        self._shorts: list[tuple[float, int]] = []  # and of the shorts
        self._fundings_seen = 0

    # -- accounts ------------------------------------------------------------------------------
    def account(self, owner: int) -> PerpAccount:
        """`owner`'s account (opened by a deposit), else a named error."""
        if type(owner) is int and owner in self.accounts:     # checked when it was opened
            return self.accounts[owner]
        owner = _int(owner, "owner", 0, MAX_OWNER - 1)
        if owner not in self.accounts:
            raise ValueError(f"owner {owner} has no account at {self.name!r}: deposit first")
        return self.accounts[owner]

    def deposit_units(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Credit USDT collateral (a perp account holds no tokens)."""
        amount = _int(usdt_units, "usdt_units", 0, 2**62)
        if token_units:
            raise ValueError(f"token_units must be 0: perp accounts hold USDT only, got {token_units!r}")
        owner = _int(owner, "owner", 0, MAX_OWNER - 1)
        self.accounts.setdefault(owner, PerpAccount()).collateral += amount
        self.deposited += amount
        self._dirty.add(owner)

    def withdraw_units(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Debit free collateral; refused if short."""
        amount, acct = _int(usdt_units, "usdt_units", 0, 2**62), self.account(owner)
        if token_units or amount > acct.collateral:
            raise ValueError(f"usdt_units must be at most the free collateral {acct.collateral} "
                             f"(and token_units 0), got {usdt_units!r}, {token_units!r}")
        acct.collateral -= amount
        self.withdrawn += amount
        self._dirty.add(owner)

    def holdings_units(self) -> tuple[int, int]:
        """(USDT, token) units held for everyone."""
        return self.deposited - self.withdrawn, 0

    def set_isolated(self, owner: int, isolated: bool) -> None:
        """Isolated margin (only the position's margin is at risk) or cross (all collateral)."""
        self.account(owner).isolated = bool(isolated)
        self._dirty.add(owner)

    # -- orders --------------------------------------------------------------------------------
    def _notional(self, lots: int, price_ticks: float) -> float:
        return lots * price_ticks * self.quote_units

    def limit(self, owner: int, side: int, price: int, qty: int, tif: int = GTC) -> int:
        """A limit order (ticks, lots); the order id, or a negative Rejection.

        It locks initial margin for the lots that would open exposure and the worst-case fee
        for all of them; lots that only reduce the position lock the fee alone.
        """
        acct = self.account(owner)
        if side not in (1, -1) or isinstance(side, bool):
            raise ValueError(f"side must be +1 (buy) or -1 (sell), got {side!r}")
        _int(price, "price_ticks", 1, MAX_PRICE_TICKS)
        _int(qty, "qty_lots", 1, MAX_QTY_LOTS)
        closing = min(qty, max(0, -side * acct.position))
        fee_rate = max(self.taker_fee, self.maker_fee, 0.0)
        per_lot = math.ceil(self._notional(1, price) * ((self.initial_margin if closing < qty
                                                          else 0.0) + fee_rate))
        need = per_lot * qty
        if need > acct.collateral:
            return Rejection.INSUFFICIENT_FUNDS
        acct.collateral -= need
        acct.locked += need
        oid = self.book.limit(side, price, qty, owner, tif)
        if oid < 0:
            acct.collateral += need
            acct.locked -= need
            return Rejection.POST_ONLY
        filled = self._settle(per_lot)
        left = self.book.remaining(oid)
        if left:
            self._lock_per_lot[oid] = per_lot
        self._unlock(acct, per_lot * (qty - filled - left))
        return oid

    def market(self, owner: int, side: int, qty: int) -> int:
        """A market order (lots), priced for locking at the deepest level it could reach."""
        if type(side) is int and (side == 1 or side == -1) and type(qty) is int and qty >= 1:
            price = self.book.worst_price(side, min(qty, MAX_QTY_LOTS))
            if price == 0:
                return Rejection.NO_LIQUIDITY
            return self.limit(owner, side, price, qty, IOC)
        levels = self.book.levels(-side if side in (1, -1) else 1)
        if len(levels) == 0:
            return Rejection.NO_LIQUIDITY
        reach = min(int(levels["qty"].cumsum().searchsorted(qty)), len(levels) - 1)
        return self.limit(owner, side, int(levels["price"][reach]), qty, IOC)

    def cancel(self, owner: int, order_id: int) -> int:
        """Cancel one of `owner`'s orders; lots cancelled (0 if not live or not theirs)."""
        mine = self.book.orders_of(_int(owner, "owner", 0, MAX_OWNER - 1))
        if order_id not in (mine["id"].tolist() if type(order_id) is int else mine["id"]):
            return 0
        lots = self.book.cancel(order_id)
        self._unlock(self.accounts[owner], self._lock_per_lot.pop(order_id) * lots)
        return lots

    def cancel_all(self, owner: int) -> int:
        """Cancel all of `owner`'s orders; lots cancelled."""
        if not self.book.has_orders(_int(owner, "owner", 0, MAX_OWNER - 1)):
            return 0
        mine = self.book.orders_of(owner)
        lots = 0
        for oid, qty in zip(mine["id"].tolist(), mine["qty"].tolist()):   # newest first
            self.book.cancel(oid)
            self._unlock(self.accounts[owner], self._lock_per_lot.pop(oid) * qty)
            lots += qty
        return lots

    @staticmethod
    def _unlock(acct: PerpAccount, amount: int) -> None:
        acct.locked -= amount
        acct.collateral += amount

    # -- settlement ----------------------------------------------------------------------------
    def _settle(self, taker_per_lot: int) -> int:
        """Settle the book's new fills; lots the taker traded."""
        if not self.book.n_pending_fills:
            return 0
        taker_lots = 0
        for f in self.book.drain_fills().tolist():
            taker_id, maker_id, taker, maker, price, qty, side = f
            notional = price * self.quote_units * qty
            self.volume_units += notional
            self._interval_volume += notional
            for owner, s, per_lot, rate in ((taker, side, taker_per_lot, self.taker_fee),
                                            (maker, -side, self._lock_per_lot.get(maker_id, 0),
                                             self.maker_fee)):
                acct = self.accounts[owner]
                self._unlock(acct, per_lot * qty)
                fee = math.ceil(notional * rate) if rate >= 0 else -math.floor(-notional * rate)
                self._trade(acct, s, qty, price, owner)
                acct.collateral -= fee
                self.fees += fee
                self._cover(acct)
                self._dirty.add(owner)
            if self.book.remaining(maker_id) == 0:
                self._lock_per_lot.pop(maker_id, None)
            taker_lots += qty
        return taker_lots

    def _trade(self, acct: PerpAccount, side: int, qty: int, price: int, owner: int) -> None:
        """Apply a fill of `qty` lots at `price` to the position, realising PnL on the part
        that closes and moving initial margin for the part that opens."""
        pos = acct.position
        closing = min(qty, max(0, -side * pos))
        if closing:
            removed = acct.cost * closing // abs(pos)            # basis of the closed lots
            released = acct.margin * closing // abs(pos)
            realised = -side * closing * price * self.quote_units - removed
            acct.collateral += realised + released
            acct.realised += realised
            acct.cost -= removed
            acct.margin -= released
            acct.position += side * closing
        opening = qty - closing
        if opening:
            acct.cost += side * opening * price * self.quote_units
            acct.position += side * opening
            im = max(0, min(acct.collateral,
                            math.ceil(self._notional(opening, price) * self.initial_margin)))
            acct.collateral -= im
            acct.margin += im
        if acct.position:
            self._open.add(owner)
        else:
            self._open.discard(owner)

    def take_volume_units(self) -> int:
        """USDT units of notional traded since the last call (drained by the tape)."""
        volume, self._interval_volume = self._interval_volume, 0
        return volume

    def _cover(self, acct: PerpAccount) -> int:
        """Make good a negative collateral from the position's margin, then the insurance fund;
        returns the deficit the fund paid."""
        if acct.collateral >= 0:
            return 0
        take = min(acct.margin, -acct.collateral)
        acct.margin -= take
        acct.collateral += take
        deficit = -acct.collateral if acct.collateral < 0 else 0
        acct.collateral += deficit
        self.insurance -= deficit
        return deficit

    # -- marks, funding, liquidation -----------------------------------------------------------
    def update_marks(self, index_price: float) -> None:
        """Take a new index price (USDT, e.g. the spot venues' mid); update premium and mark."""
        self.index_price = _check(index_price, "index_price", 1e-12, 1e12)
        mid = self.book.mid() * self.tick_size
        premium = (mid - self.index_price) / self.index_price if mid == mid else 0.0
        self._premium_ema += self.mark_smoothing * (premium - self._premium_ema)
        self._premium_sum += premium
        self._premium_n += 1
        self.mark_price = self.index_price * (1.0 + self._premium_ema)

    def update_marks_from(self, spot_venues) -> float:
        """Index = the mean mid of the spot venues that have one; then `update_marks`."""
        mids = [m for m in (v.mid_usd() for v in spot_venues) if m == m]
        if not mids:
            raise ValueError("index_price needs at least one spot venue with a mid price")
        self.update_marks(sum(mids) / len(mids))
        return self.index_price

    def unrealised_units(self, acct: PerpAccount) -> float:
        """Unrealised PnL at the mark price, in USDT units."""
        if acct.position == 0:
            return 0.0
        return acct.position * self.mark_price / self.tick_size * self.quote_units - acct.cost

    def equity_units(self, acct: PerpAccount) -> float:
        """What backs the position: margin + unrealised PnL (+ all collateral when cross)."""
        backing = acct.margin if acct.isolated else acct.margin + acct.collateral + acct.locked
        return backing + self.unrealised_units(acct)

    def settle_funding(self) -> float:
        """Pay funding at the mark on every open position; returns the rate. (Schedule it.)"""
        premium = self._premium_sum / self._premium_n if self._premium_n else 0.0
        diff = min(max(self.interest_rate - premium, -FUNDING_CLAMP), FUNDING_CLAMP)
        rate = min(max(premium + diff, -self.funding_cap), self.funding_cap)
        self.funding_rate, self._premium_sum, self._premium_n = rate, 0.0, 0
        self.n_fundings += 1
        if not self.mark_price == self.mark_price:
            return rate
        for owner in sorted(self._open):
            acct = self.accounts[owner]
            if acct.position:
                amount = acct.position * self.mark_price / self.tick_size * self.quote_units * rate
                pays = amount > 0                                   # longs pay when rate > 0
                paid = math.ceil(abs(amount)) if pays else math.floor(abs(amount))
                acct.collateral += -paid if pays else paid
                acct.funding += -paid if pays else paid
                self.insurance += paid if pays else -paid           # rounding stays in the fund
                self._cover(acct)
        return rate

    # -- the venue interface (mmabm/venues/interface.py) ---------------------------------------
    kind = "perp"

    def mid_usd(self) -> float:
        """Mid of the contract's book in USDT per token, NaN if either side is empty."""
        return self.book.mid() * self.tick_size

    def depth_usd(self, side: int, band: float = 0.02) -> float:
        """USDT notional resting on `side` within `band` of the mid (as on a spot venue)."""
        lo, hi = units.band_ticks(self.book.mid(), _check(band, "band", 0.0, 1.0), side)
        if lo > hi:
            return 0.0
        return self.book.depth(side, lo, hi)[1] * self.quote_units * units.USDT_UNIT

    def balance(self, owner: int) -> dict[str, float]:
        """`owner`'s USDT: free collateral, locked by orders, and the position's margin; a
        perp account holds no tokens (`position` reports the contract)."""
        acct = self.account(owner)
        return {"usdt": acct.collateral * units.USDT_UNIT, "usdt_locked": acct.locked * units.USDT_UNIT,
                "usdt_margin": acct.margin * units.USDT_UNIT, "tokens": 0.0, "tokens_locked": 0.0}

    def free_usdt_units(self, owner: int) -> int:
        """Free collateral, the USDT `owner` could withdraw now."""
        return self.account(owner).collateral

    def committed(self, owner: int) -> bool:
        """An open position or margin locked by resting orders ties the account down."""
        acct = self.account(owner)
        return bool(acct.position or acct.locked)

    def sell_quote(self, owner: int, token_units: int) -> float:
        """0.0: a perp account holds no tokens to sell."""
        self.account(owner)
        return 0.0

    def sell_tokens(self, owner: int, token_units: int) -> tuple[float, float]:
        """Refused: a perp account holds no tokens (sell a contract with `market`)."""
        raise ValueError(f"venue {self.name!r} holds no tokens: sell_tokens is for the spot "
                         f"venues and the pool (a contract is sold with market/limit)")

    # -- reports and audit ---------------------------------------------------------------------
    def position(self, owner: int) -> dict[str, float]:
        """`owner`'s position in tokens, entry price, PnL and margin, in USDT."""
        acct = self.account(owner)
        entry = (acct.cost / (acct.position * self.quote_units) * self.tick_size
                 if acct.position else math.nan)
        return {"tokens": acct.position * self.lot_units * units.TOKEN_UNIT, "entry_price": entry,
                "unrealised": self.unrealised_units(acct) * units.USDT_UNIT,
                "realised": acct.realised * units.USDT_UNIT,
                "margin": acct.margin * units.USDT_UNIT,
                "collateral": acct.collateral * units.USDT_UNIT,
                "funding": acct.funding * units.USDT_UNIT,
                "equity": self.equity_units(acct) * units.USDT_UNIT}

    def audit(self) -> list[str]:
        """Everything wrong with the venue's books (an empty list: they balance)."""
        problems = [f"{self.name}: owner {o} has negative {f}" for o, a in self.accounts.items()
                    for f in ("collateral", "locked", "margin") if getattr(a, f) < 0]
        held = sum(a.held - a.cost for a in self.accounts.values())
        if held + self.fees + self.insurance != self.deposited - self.withdrawn:
            problems.append(f"{self.name}: accounts - cost basis + fees + insurance = "
                            f"{held + self.fees + self.insurance}, deposits - withdrawals = "
                            f"{self.deposited - self.withdrawn}")
        if sum(a.position for a in self.accounts.values()) != 0:
            problems.append(f"{self.name}: positions do not sum to zero")
        locks = {}
        for oid, owner, _, _, qty in self.book.orders().tolist():
            locks[owner] = locks.get(owner, 0) + self._lock_per_lot[oid] * qty
        for owner, acct in self.accounts.items():
            if acct.locked != locks.get(owner, 0):
                problems.append(f"{self.name}: owner {owner} locks {acct.locked}, its orders "
                                f"{locks.get(owner, 0)}")
        self._refresh_triggers()
        for owner in self._open:
            at = (self._long_at if self.accounts[owner].position > 0 else self._short_at).get(owner)
            if at != self._trigger(self.accounts[owner]):
                problems.append(f"{self.name}: owner {owner}'s liquidation trigger is stale (its "
                                f"account was changed other than by the venue's methods)")
        if (self._longs != sorted((at, o) for o, at in self._long_at.items())
                or self._shorts != sorted((at, o) for o, at in self._short_at.items())):
            problems.append(f"{self.name}: the sorted liquidation triggers disagree with the "
                            f"accounts'")
        return problems
