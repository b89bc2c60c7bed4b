"""The DEX: a constant-product pool and the accounts that trade with it and provide liquidity.

Balances are integer units like the CEX's (see units.py); the pool runs in units with
quantum=1, so what it pays is rounded down, what it charges rounded up, and its reserves stay
whole numbers: sum of balances + pool reserves = deposits - withdrawals, exactly.

Liquidity providers hold pool shares. `position` reports what a provider's shares are worth,
their token delta, the fees they have earned and their impermanent loss against having held the
deposited tokens and USDT instead.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from mmabm._amm import Pool
from mmabm.venues import units
from mmabm.venues.units import TOKEN_UNIT, USDT_UNIT
from mmabm.venues._spot import Rejection


@dataclass(frozen=True)
class LpPosition:
    """A provider's pool position, in tokens and USDT at the pool's current price."""
    shares: float
    tokens: float
    usdt: float
    value_usdt: float
    delta_tokens: float          # d value / d price: the position's token exposure
    fees_earned_usdt: float      # value now minus the same liquidity without fees
    impermanent_loss_usdt: float  # fee-less value minus holding the deposits (<= 0)


def _side(side: object) -> int:
    if type(side) is int and (side == 1 or side == -1):
        return side
    if side not in (1, -1) or isinstance(side, bool):
        raise ValueError(f"side must be +1 (buy tokens) or -1 (sell tokens), got {side!r}")
    return int(side)


class AmmVenue:
    """A Uniswap-v2 style pool with accounts in integer units.

    Args:
        name: the venue's name.
        fee: fraction of every input kept by the pool for its providers (default 0.3%).
    """

    def __init__(self, name: str = "dex", fee: float = 0.003) -> None:
        self.name = name
        self.pool = Pool(fee, quantum=1.0)
        self.usdt: defaultdict[int, int] = defaultdict(int)
        self.tokens: defaultdict[int, int] = defaultdict(int)
        self.shares: defaultdict[int, float] = defaultdict(float)
        # per provider: tokens and USDT deposited, and liquidity (sqrt(x*y)) at deposit time,
        # all scaled down pro rata on withdrawal
        self._basis: dict[int, list[float]] = {}
        self.deposited_usdt = self.deposited_tokens = 0
        self.withdrawn_usdt = self.withdrawn_tokens = 0
        self.volume_usdt = 0
        self._swaps: list[tuple[int, int]] = []     # (owner, USDT units) since take_swaps()
        self._opened: set[int] = set()
        # bumped by every change to the pool or a balance, so an agent can tell nothing it
        # looks at has changed since its last look (SpotExchange.changes likewise)
        self.changes = 0

    def _known(self, owner: object) -> int:
        if type(owner) is int and owner in self._opened:     # the common case, checked at deposit
            return owner
        o = units.owner_id(owner)
        if o not in self._opened:
            raise ValueError(f"owner {o} has no account at {self.name!r}: deposit first")
        return o

    # -- accounts ------------------------------------------------------------------------------
    def deposit_units(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Credit whole units from outside the venue."""
        o = units.owner_id(owner)
        du = units.whole_units(usdt_units, "usdt_units")
        dt = units.whole_units(token_units, "token_units")
        self._opened.add(o)
        self.changes += 1
        self.usdt[o] += du
        self.tokens[o] += dt
        self.deposited_usdt += du
        self.deposited_tokens += dt

    def withdraw_units(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Debit whole units to outside the venue; refused whole if either is short."""
        o = self._known(owner)
        du = units.whole_units(usdt_units, "usdt_units")
        dt = units.whole_units(token_units, "token_units")
        if du > self.usdt[o] or dt > self.tokens[o]:
            raise ValueError(f"usdt_units and token_units must be at most the free balances "
                             f"{self.usdt[o]} and {self.tokens[o]}, got {du} and {dt}")
        self.changes += 1
        self.usdt[o] -= du
        self.tokens[o] -= dt
        self.withdrawn_usdt += du
        self.withdrawn_tokens += dt

    def deposit(self, owner: int, usdt: float = 0.0, tokens: float = 0.0) -> None:
        """`deposit_units` in USDT and tokens."""
        self.deposit_units(owner, units.usdt_to_units(usdt), units.tokens_to_units(tokens))

    def holdings_units(self) -> tuple[int, int]:
        """(USDT, token) units the venue holds for everyone: deposits minus withdrawals."""
        return (self.deposited_usdt - self.withdrawn_usdt,
                self.deposited_tokens - self.withdrawn_tokens)

    def balance(self, owner: int) -> dict[str, float]:
        """`owner`'s free USDT and tokens (pool shares are reported by `position`)."""
        o = self._known(owner)
        return {"usdt": self.usdt[o] * USDT_UNIT, "tokens": self.tokens[o] * TOKEN_UNIT}

    # -- trading -------------------------------------------------------------------------------
    def price(self) -> float:
        """Spot price, USDT per token (NaN for an empty pool)."""
        p = self.pool
        return p.usdt_reserve / p.token_reserve if p.token_reserve > 0 else float("nan")

    def _pay(self, owner: int, side: int, amount_in: int, amount_out: int) -> None:
        self.changes += 1
        if side > 0:
            self.usdt[owner] -= amount_in
            self.tokens[owner] += amount_out
            notional = amount_in
        else:
            self.tokens[owner] -= amount_in
            self.usdt[owner] += amount_out
            notional = amount_out
        self.volume_usdt += notional
        self._swaps.append((owner, notional))

    def _can_pay(self, owner: int, side: int, amount: int) -> bool:
        return (self.usdt[owner] if side > 0 else self.tokens[owner]) >= amount

    def swap_exact_in(self, owner: int, side: int, amount_in_units: int) -> int:
        """Pay exactly `amount_in_units` (USDT to buy, tokens to sell); units received, or a
        negative Rejection if the owner cannot pay."""
        o, s = self._known(owner), _side(side)
        a = (amount_in_units if type(amount_in_units) is int and amount_in_units > 0
             else units.whole_units(amount_in_units, "amount_in_units"))
        if a == 0:
            raise ValueError("amount_in_units must be at least 1")
        if not self._can_pay(o, s, a):
            self.pool.quote_exact_in(s, float(a))      # an empty pool raises, as ever
            return Rejection.INSUFFICIENT_FUNDS
        out = int(self.pool.swap_exact_in(s, float(a)))  # it pays what its quote says
        self._pay(o, s, a, out)
        return out

    def swap_exact_out(self, owner: int, side: int, amount_out_units: int) -> int:
        """Receive exactly `amount_out_units` (tokens if buying, USDT if selling); units paid,
        or a negative Rejection if the owner cannot pay."""
        o, s = self._known(owner), _side(side)
        a = units.whole_units(amount_out_units, "amount_out_units")
        if a == 0:
            raise ValueError("amount_out_units must be at least 1")
        cost = int(self.pool.quote_exact_out(s, float(a)))
        if not self._can_pay(o, s, cost):
            return Rejection.INSUFFICIENT_FUNDS
        self.pool.swap_exact_out(s, float(a))
        self._pay(o, s, cost, a)
        return cost

    def trade_to_price(self, target_price: float) -> tuple[int, int]:
        """(side, whole input units) of the swap that brings the pool to `target_price`."""
        side, amount = self.pool.trade_to_price(target_price)
        return (side, math.ceil(amount)) if side else (0, 0)

    def take_swaps(self) -> list[tuple[int, int]]:
        """(owner, USDT units) of every swap since the previous call; clears them."""
        out, self._swaps = self._swaps, []
        return out

    # -- liquidity -----------------------------------------------------------------------------
    def add_liquidity(self, owner: int, token_units: int, usdt_units: int) -> float:
        """Deposit at the pool's ratio from `owner`'s balance (up to these maxima); the shares
        minted, or a negative Rejection if the owner cannot pay. The first deposit sets the
        price."""
        o = self._known(owner)
        tx = units.whole_units(token_units, "token_units")
        ty = units.whole_units(usdt_units, "usdt_units")
        if tx == 0 or ty == 0:
            raise ValueError("token_units and usdt_units must both be at least 1")
        x, y = int(self.pool.token_reserve), int(self.pool.usdt_reserve)   # whole units
        if self.pool.total_shares > 0:      # size both amounts to the pool's ratio, exactly
            tx, ty = min(tx, ty * x // y), min(ty, tx * y // x)
            if tx == 0 or ty == 0:
                raise ValueError("the deposit is too small for the pool's ratio")
        if tx > self.tokens[o] or ty > self.usdt[o]:
            return Rejection.INSUFFICIENT_FUNDS
        self.changes += 1
        _, _, minted = self.pool.add_liquidity(float(tx), float(ty))
        self.tokens[o] -= tx
        self.usdt[o] -= ty
        self.shares[o] += minted
        basis = self._basis.setdefault(o, [0.0, 0.0, 0.0])
        basis[0] += tx
        basis[1] += ty
        basis[2] += minted * self._liquidity_per_share()
        return minted

    def remove_liquidity(self, owner: int, shares: float) -> tuple[int, int]:
        """Burn `shares` of `owner`'s; the (token, USDT) units credited to their account."""
        o = self._known(owner)
        if not isinstance(shares, (int, float)) or isinstance(shares, bool) or not (
                0 < shares <= self.shares[o] * (1 + 1e-12)):
            raise ValueError(f"shares must be in (0, {self.shares[o]}] (the owner's shares), "
                             f"got {shares!r}")
        shares = min(float(shares), self.shares[o], self.pool.total_shares)
        fraction = shares / self.shares[o]
        self.changes += 1
        tx, ty = self.pool.remove_liquidity(shares)
        self.shares[o] -= shares
        self.tokens[o] += int(tx)
        self.usdt[o] += int(ty)
        self._basis[o] = [b * (1.0 - fraction) for b in self._basis[o]]
        return int(tx), int(ty)

    def _liquidity_per_share(self) -> float:
        p = self.pool
        return math.sqrt(p.token_reserve * p.usdt_reserve) / p.total_shares

    def position(self, owner: int) -> LpPosition:
        """What `owner`'s pool shares hold and have earned, at the current price."""
        o = units.owner_id(owner)
        s, p = self.shares[o], self.pool
        if s == 0 or p.total_shares == 0:
            return LpPosition(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        price = p.usdt_reserve / p.token_reserve
        tokens, usdt = s / p.total_shares * p.token_reserve, s / p.total_shares * p.usdt_reserve
        value = tokens * price + usdt
        tokens_in, usdt_in, liquidity_in = self._basis[o]
        without_fees = 2.0 * liquidity_in * math.sqrt(price)
        held = tokens_in * price + usdt_in
        return LpPosition(
            shares=s, tokens=tokens * units.TOKEN_UNIT, usdt=usdt * units.USDT_UNIT,
            value_usdt=value * units.USDT_UNIT, delta_tokens=tokens * units.TOKEN_UNIT,
            fees_earned_usdt=(value - without_fees) * units.USDT_UNIT,
            impermanent_loss_usdt=(without_fees - held) * units.USDT_UNIT)

    # -- audit ---------------------------------------------------------------------------------
    def audit(self) -> list[str]:
        """Everything wrong with the venue's books (an empty list: all balances)."""
        problems = [f"{self.name}: owner {o} has negative {kind}"
                    for kind, book in (("usdt", self.usdt), ("tokens", self.tokens),
                                       ("shares", self.shares))
                    for o, v in book.items() if v < 0]
        held_usdt, held_tokens = self.holdings_units()
        usdt = sum(self.usdt.values()) + self.pool.usdt_reserve
        tokens = sum(self.tokens.values()) + self.pool.token_reserve
        if usdt != held_usdt:
            problems.append(f"{self.name}: USDT units {usdt} != deposits - withdrawals {held_usdt}")
        if tokens != held_tokens:
            problems.append(f"{self.name}: token units {tokens} != deposits - withdrawals "
                            f"{held_tokens}")
        if not math.isclose(sum(self.shares.values()), self.pool.total_shares, rel_tol=1e-9,
                            abs_tol=1e-9):
            problems.append(f"{self.name}: providers hold {sum(self.shares.values())} shares, "
                            f"the pool {self.pool.total_shares}")
        return problems
