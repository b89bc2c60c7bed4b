"""Type stub of the compiled order book (mmabm/_core.pyx); its queries are BookState's."""
from typing import Final

import numpy as np
import numpy.typing as npt

from mmabm._book_state import CANCEL_DTYPE as CANCEL_DTYPE
from mmabm._book_state import FILL_DTYPE as FILL_DTYPE
from mmabm._book_state import LEVEL_DTYPE as LEVEL_DTYPE
from mmabm._book_state import MAX_OWNER as MAX_OWNER
from mmabm._book_state import MAX_PRICE_TICKS as MAX_PRICE_TICKS
from mmabm._book_state import MAX_QTY_LOTS as MAX_QTY_LOTS
from mmabm._book_state import NO_PRICE as NO_PRICE
from mmabm._book_state import ORDER_DTYPE as ORDER_DTYPE
from mmabm._book_state import BookState

BUY: Final[int]
SELL: Final[int]
GTC: Final[int]
IOC: Final[int]
POST_ONLY: Final[int]
REJECTED: Final[int]

_Int = int | np.integer

class OrderBook(BookState):
    def limit(self, side: _Int, price: _Int, qty: _Int, owner: _Int = 0, tif: _Int = 0,
              stp: bool = False) -> int: ...
    def market(self, side: _Int, qty: _Int, owner: _Int = 0, stp: bool = False) -> int: ...
    def cancel(self, order_id: _Int) -> int: ...
    def reduce(self, order_id: _Int, new_qty: _Int) -> int: ...
    def cancel_all(self, owner: _Int, side: _Int = 0) -> np.ndarray: ...
    def replace_ladder(self, owner: _Int, side: _Int, prices: npt.ArrayLike, qtys: npt.ArrayLike,
                       post_only: bool = True) -> tuple[np.ndarray, npt.NDArray[np.int64]]: ...
    def drain_fills(self) -> np.ndarray: ...
    def drain_expired(self) -> np.ndarray: ...
    def peek_fills(self) -> np.ndarray: ...
    @property
    def n_pending_fills(self) -> int: ...
    def remaining(self, order_id: _Int) -> int: ...
