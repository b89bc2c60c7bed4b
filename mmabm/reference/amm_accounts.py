"""The AMM venue's swaps in plain Python: the reference of mmabm/venues/_amm_accounts.pyx's
`AmmAccounts`, whose swaps take the very steps these took, in the same order, so balances,
reserves, volume and the swap log agree to the unit (tests/test_amm_venue.py checks it).
`balances` maps an owner to (USDT units, token units); amounts are in units.
"""
from __future__ import annotations

from collections import defaultdict

from mmabm._amm import Pool
from mmabm.venues.errors import Rejection


class ReferenceSwaps:
    """AmmVenue's swaps as they were in Python (balances in dicts, a Pool's public methods)."""

    def __init__(self, fee: float, balances: dict[int, tuple[int, int]], token_units: int,
                 usdt_units: int) -> None:
        self.pool = Pool(fee, quantum=1.0)
        self.pool.add_liquidity(float(token_units), float(usdt_units))
        self.usdt = defaultdict(int, {o: u for o, (u, _) in balances.items()})
        self.tokens = defaultdict(int, {o: t for o, (_, t) in balances.items()})
        self.volume_usdt, self.swaps, self.changes = 0, [], 0

    def _pay(self, owner, side, amount_in, amount_out):
        self.changes += 1
        if side > 0:
            self.usdt[owner] -= amount_in
            self.tokens[owner] += amount_out
            notional, bought = amount_in, amount_out
        else:
            self.tokens[owner] -= amount_in
            self.usdt[owner] += amount_out
            notional, bought = amount_out, -amount_in
        self.volume_usdt += notional
        self.swaps.append((owner, notional, bought))

    def _can_pay(self, owner, side, amount):
        return (self.usdt[owner] if side > 0 else self.tokens[owner]) >= amount

    def swap_exact_in(self, owner: int, side: int, a: int) -> int | Rejection:
        if not self._can_pay(owner, side, a):
            self.pool.quote_exact_in(side, float(a))
            return Rejection.INSUFFICIENT_FUNDS
        out = int(self.pool.swap_exact_in(side, float(a)))
        self._pay(owner, side, a, out)
        return out

    def swap_exact_out(self, owner: int, side: int, a: int) -> int | Rejection:
        cost = int(self.pool.quote_exact_out(side, float(a)))
        if not self._can_pay(owner, side, cost):
            return Rejection.INSUFFICIENT_FUNDS
        self.pool.swap_exact_out(side, float(a))
        self._pay(owner, side, cost, a)
        return cost
