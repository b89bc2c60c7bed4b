"""The DEX: a constant-product pool and the accounts that trade with it and provide liquidity.

Balances are integer units like the CEX's (see units.py); the pool runs in units with
quantum=1, so what it pays is rounded down, what it charges rounded up, and its reserves stay
whole numbers: sum of balances + pool reserves = deposits - withdrawals, exactly.

Liquidity providers hold pool shares. `position` reports what a provider's shares are worth,
their token delta, the fees they have earned and their impermanent loss against having held the
deposited tokens and USDT instead.

The accounts and swaps are compiled (_amm_accounts.AmmAccounts, this venue's base), so the
compiled retail loop and arbitrage desk swap without Python calls; the rest is here.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from mmabm._core import SELL
from mmabm.venues import units
from mmabm.venues._amm_accounts import AmmAccounts
from mmabm.venues.errors import Rejection


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


class AmmVenue(AmmAccounts):
    """A Uniswap-v2 style pool with accounts in integer units.

    Balances, swaps and the price are the compiled base's (_amm_accounts.AmmAccounts): `usdt`,
    `tokens`, `pool`, `changes`, `volume_usdt`, `balance`, `price`, `swap_exact_in`,
    `swap_exact_out`, `trade_to_price`, `take_swaps`. Deposits, liquidity and reports live here.

    Args:
        name: the venue's name.
        fee: fraction of every input kept by the pool for its providers (default 0.3%).
    """

    def __init__(self, name: str = "dex", fee: float = 0.003) -> None:
        super().__init__(name, fee)
        self.shares: defaultdict[int, float] = defaultdict(float)
        # per provider: tokens and USDT deposited, and liquidity (sqrt(x*y)) at deposit time,
        # all scaled down pro rata on withdrawal
        self._basis: dict[int, list[float]] = {}
        self.deposited_usdt = self.deposited_tokens = 0
        self.withdrawn_usdt = self.withdrawn_tokens = 0

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

    # -- the venue interface (mmabm/venues/interface.py) ---------------------------------------
    kind = "pool"
    lot_units = 1            # a swap takes any whole number of units

    def mid_usd(self) -> float:
        """The pool's price, USDT per token (NaN when empty)."""
        return self.price()

    def depth_usd(self, side: int, band: float = 0.02) -> float:
        """USDT the pool pays for tokens sold into it before its price falls by `band` (side
        +1, its bid: y(1 - sqrt(1 - band))) or takes for tokens bought before it rises by
        `band` (side -1: y(sqrt(1 + band) - 1)), before its fee; y = its USDT reserve."""
        if side not in (1, -1):
            raise ValueError(f"side must be 1 (buy) or -1 (sell), got {side!r}")
        band = units.number_in(band, "band", 0.0, 1.0)
        y = self.pool.usdt_reserve * units.USDT_UNIT
        return y * (1.0 - math.sqrt(1.0 - band)) if side > 0 else y * (math.sqrt(1.0 + band) - 1.0)

    def free_usdt_units(self, owner: int) -> int:
        """USDT units `owner` could withdraw now (its free balance)."""
        return self.usdt[self._known(owner)]

    def committed(self, owner: int) -> bool:
        """Never: a balance in the pool's accounts can always be withdrawn."""
        self._known(owner)
        return False

    def sell_quote(self, owner: int, token_units: int) -> float:
        """USDT per token the pool would pay for `token_units` now, after its fee (0.0 for
        none, or an empty pool)."""
        amount = units.whole_units(token_units, "token_units")
        if not amount or self.pool.token_reserve <= 0:
            return 0.0
        return self.pool.quote_exact_in(SELL, float(amount)) / amount

    def sell_tokens(self, owner: int, token_units: int) -> tuple[float, float]:
        """Swap `token_units` for USDT; (tokens, USDT) moved (the USDT 0 if refused)."""
        usdt = self.swap_exact_in(owner, SELL, token_units)
        return token_units * units.TOKEN_UNIT, max(usdt, 0) * units.USDT_UNIT

    def cancel(self, owner: int, order_id: int) -> int:
        """0: the pool holds no resting orders."""
        self._known(owner)
        return 0

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
