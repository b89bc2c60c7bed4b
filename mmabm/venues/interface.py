"""The venue interface: what an agent may ask of a venue and do there, whatever the venue.

Three venues implement it: a spot exchange (`SpotExchange`, an order book), the pool
(`AmmVenue`, constant product) and the perp market (`PerpExchange`, an order book of
contracts). An agent holding a venue calls these and never asks which venue it holds; what
differs between venues (a pool has no resting orders, a perp account holds no tokens, a
position cannot be walked away from) is each venue's answer to the same question.

Prices are USDT per token; balances are integer micro-units (`mmabm.venues.units`, the one
place that converts). `kind` names the implementation for the compiled loops only: they call
a venue's C-level methods directly, which needs its concrete type.
"""
from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable


@runtime_checkable
class Venue(Protocol):
    """A venue's public face. Every method checks its arguments and names the bad one."""

    name: str
    #: "spot" | "pool" | "perp" (for compiled loops; Python agents do not branch on it)
    kind: Literal["spot", "pool", "perp"]
    #: token units an order's size must be a whole multiple of (1 on the pool)
    lot_units: int

    # -- what an agent may ask -------------------------------------------------------------
    def balance(self, owner: int) -> dict[str, float]:
        """`owner`'s balances (USDT and tokens, free and, where orders lock them, locked)."""
        ...

    def mid_usd(self) -> float:
        """The venue's price now, USDT per token (a book's mid, the pool's price; NaN: none)."""
        ...

    def depth_usd(self, side: int, band: float = 0.02) -> float:
        """USDT that `side` (+1 bids, -1 asks) absorbs within `band` of the mid."""
        ...

    def free_usdt_units(self, owner: int) -> int:
        """USDT units `owner` could withdraw now (a perp account's free collateral)."""
        ...

    def committed(self, owner: int) -> bool:
        """Whether `owner` holds something it cannot simply walk away from (an open perp
        position or margin locked by its orders); spot orders and pool balances never are."""
        ...

    def sell_quote(self, owner: int, token_units: int) -> float:
        """USDT per token that selling `token_units` now would pay `owner`, after fees, at the
        best price it can reach without trading with itself (0.0: none)."""
        ...

    # -- what an agent may do --------------------------------------------------------------
    def sell_tokens(self, owner: int, token_units: int) -> tuple[float, float]:
        """Sell `token_units` of `owner`'s free tokens now, never into its own orders;
        (tokens sold, USDT received, both in tokens/USDT)."""
        ...

    def cancel(self, owner: int, order_id: int) -> int:
        """Cancel one of `owner`'s resting orders; lots cancelled (0 if none by that id)."""
        ...

    # -- accounts and conservation (`mmabm.venues.conservation`) -----------------------------
    def deposit_units(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None: ...
    def withdraw_units(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None: ...
    def holdings_units(self) -> tuple[int, int]: ...
    def audit(self) -> list[str]: ...
