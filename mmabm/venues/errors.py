"""What every venue may answer instead of an order id: the shared refusal codes (a neutral
module, so that no venue depends on another for them)."""
from __future__ import annotations

from enum import IntEnum


class Rejection(IntEnum):
    """Why an order was refused (returned instead of an order id, which is always > 0)."""
    POST_ONLY = -1            # a post-only order would have crossed
    INSUFFICIENT_FUNDS = -2   # the owner's free balance cannot cover what the order locks
    NO_LIQUIDITY = -3         # a market order met an empty side
