"""Replay in plain Python: the reference of mmabm/_replay.pyx, event by event on the reference
book (the replay tests compare the two fill for fill; the core benchmark times them)."""
from __future__ import annotations

from collections.abc import Sequence

from mmabm.reference.book import ReferenceBook


def reference_replay(kind: Sequence[int], side: Sequence[int], price: Sequence[int],
                     qty: Sequence[int], ref: Sequence[int], counts: dict | None = None
                     ) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int]],
                                list[tuple[int, int, int]]]:
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
