"""The interface every market-maker policy implements: what the policy decides, and nothing
of how the maker carries it out (funding venues, posting ladders, trading the perp).

A strategy answers three questions at each of the maker's hedge checks (every
`market_maker.hedge_minutes`), and one at the start:
- `sale_execution`: how the initial sale runs when `market_maker.sale_execution` is "auto"
  ("immediate", "twap", "pov" or "none");
- `hedge_target(maker, book)`: the perp position it wants, and the part of it that hedges the
  calls (gamma scalping is that part's P&L);
- `skew_aim(maker, book)`: the holdings its quotes lean toward (the skew is
  (tokens - aim) / max_skew_tokens); `quote_centre(maker, venue, mid)`, at each requote, the
  price its ladder on a CEX centres on (the ladder's geometry is the `market_maker` keys);
- `on_hedge(maker)`: anything else it does before the target is computed (buy, sell: through
  the maker's helpers, so every unit stays accounted for);
and three of the contract's end: `buyback_tokens(maker, book)` (how much to buy back each hour
of the `market_maker.buyback_days` before maturity), `exercise(maker, option, spot)` (which
calls to exercise at maturity) and `cover_at_maturity(maker)` (whether to buy what it is still
short of the loan, or hand back what it holds).

Its own parameters are a frozen dataclass `Params` whose fields are declared with `param`
(default, range, doc), read from the `[market_maker.params]` table and checked by name like
every other key. The maker passes itself in; what a strategy may read of it is listed in
docs/extending.md.
"""
from __future__ import annotations

from typing import Any, ClassVar

from mmabm.config import _field


def param(default: Any, lo: float | None = None, hi: float | None = None, doc: str = "") -> Any:
    """A strategy parameter's field: its default, allowed range and a line of doc, checked
    like the model's own keys (`[market_maker.params]`, `--set market_maker.params.x=...`)."""
    return _field(default, lo, hi, doc)


class Strategy:
    """A market-maker policy; subclass it and define at least `hedge_target`."""

    #: the name `mmabm strategies` lists (built-ins: the key's value)
    name: ClassVar[str] = ""
    #: one line on what it does
    description: ClassVar[str] = ""
    #: the initial sale's execution when market_maker.sale_execution = "auto"
    sale_execution: ClassVar[str] = "none"
    #: its own parameters (a frozen dataclass of `param` fields), or None
    Params: ClassVar[type | None] = None

    def __init__(self, params: Any = None) -> None:
        self.params = params

    def hedge_target(self, maker, book) -> tuple[float, float]:
        """(perp position wanted, the part of it that hedges the calls), in tokens."""
        raise NotImplementedError

    def skew_aim(self, maker, book) -> float:
        """The holdings (tokens) its quotes lean toward: by default the working inventory
        the obligations need."""
        return maker.working_inventory()

    def quote_centre(self, maker, venue, mid: float) -> float:
        """The price (USDT) its ladder on `venue` centres on at a requote, given `mid` (the
        venue's mid, tilted by the news and unleaned as `market_maker` configures): that mid.
        Keep it within the venue's band of the mid, or the ladder misses the obligation."""
        return mid

    def on_hedge(self, maker) -> None:
        """At each hedge check, before the target: nothing by default."""

    def buyback_tokens(self, maker, book) -> float:
        """Tokens to buy in this hour of the buyback (hourly from `market_maker.buyback_days`
        before maturity; nothing when <= 0): by default what the holdings lack against the
        working inventory an hour from now, which rises to the tokens owed by maturity."""
        return maker.working_inventory(maker.model.time + 60) - book.tokens

    def exercise(self, maker, option, spot: float) -> bool:
        """Whether to exercise `option` (a `CallOption`) at maturity: when it pays."""
        return option.should_exercise(spot)

    def cover_at_maturity(self, maker) -> bool:
        """Whether to buy on the CEXs at maturity what it is still short of the loan (True),
        or hand back only what it holds (False: the project bears the shortfall)."""
        return True
