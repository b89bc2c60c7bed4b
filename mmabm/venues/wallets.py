"""Off-exchange wallets: the treasury, the market maker's own funds, OTC settlement.

Balances are integer units (see units.py) per owner, like a venue's accounts, so the whole
model's USDT and tokens can be added up to the unit. Money enters only through `mint` and
leaves only through `burn` (both recorded), and moves only by `transfer`, which refuses an
overdraft and changes nothing when it does.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from mmabm.venues import units


class InsufficientFunds(ValueError):
    """A transfer asked for more than the payer's wallet holds."""


class Wallets:
    """USDT and token wallets by owner id, in units."""

    def __init__(self, name: str = "wallets") -> None:
        self.name = name
        self.usdt: defaultdict[int, int] = defaultdict(int)
        self.tokens: defaultdict[int, int] = defaultdict(int)
        self.minted_usdt = 0
        self.minted_tokens = 0
        self.burnt_usdt = 0    # money that left the model (traders' exits), recorded
        self.out_usdt = 0      # net units sent to venues (see conservation.fund / defund)
        self.out_tokens = 0
        #: names an owner id in errors (the model sets it to its agent types)
        self.describe: Callable[[int], str] | None = None

    def mint(self, owner: int, usdt: float = 0.0, tokens: float = 0.0) -> None:
        """Create USDT and tokens in `owner`'s wallet (initial endowments), recorded as mints."""
        du, dt = units.usdt_to_units(usdt), units.tokens_to_units(tokens)
        units.owner_id(owner)
        self.usdt[owner] += du
        self.tokens[owner] += dt
        self.minted_usdt += du
        self.minted_tokens += dt

    def burn(self, owner: int, usdt_units: int) -> None:
        """Take USDT units out of the model from `owner`'s wallet (money leaving the market),
        recorded in `burnt_usdt`; refused whole if `owner` is short."""
        units.owner_id(owner)
        self._debit(owner, usdt_units, 0, "burn")
        self.burnt_usdt += usdt_units

    def transfer(self, payer: int, payee: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Move whole units from payer to payee; refused whole if the payer is short."""
        units.owner_id(payer, "payer")
        units.owner_id(payee, "payee")
        self._debit(payer, usdt_units, token_units, "pay")
        self.usdt[payee] += usdt_units
        self.tokens[payee] += token_units

    def send(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Take units out of the wallets (to a venue); refused whole if `owner` is short."""
        units.owner_id(owner)
        self._debit(owner, usdt_units, token_units, "send")
        self.out_usdt += usdt_units
        self.out_tokens += token_units

    def receive(self, owner: int, usdt_units: int = 0, token_units: int = 0) -> None:
        """Put units (back from a venue) into `owner`'s wallet."""
        units.owner_id(owner)
        self._check_units(usdt_units, token_units)
        self.usdt[owner] += usdt_units
        self.tokens[owner] += token_units
        self.out_usdt -= usdt_units
        self.out_tokens -= token_units

    def balance(self, owner: int) -> dict[str, float]:
        """`owner`'s wallet in USDT and tokens."""
        return {"usdt": self.usdt[owner] * units.USDT_UNIT,
                "tokens": self.tokens[owner] * units.TOKEN_UNIT}

    def audit(self) -> list[str]:
        """Everything wrong with the wallets: negative balances, totals that differ from mints."""
        problems = [f"{self.name}: owner {o} has negative {kind}"
                    for kind, book in (("usdt", self.usdt), ("tokens", self.tokens))
                    for o, v in book.items() if v < 0]
        if sum(self.usdt.values()) != self.minted_usdt - self.burnt_usdt - self.out_usdt:
            problems.append(f"{self.name}: USDT units {sum(self.usdt.values())} != minted - "
                            f"burnt - sent {self.minted_usdt - self.burnt_usdt - self.out_usdt}")
        if sum(self.tokens.values()) != self.minted_tokens - self.out_tokens:
            problems.append(f"{self.name}: token units {sum(self.tokens.values())} != minted - "
                            f"sent {self.minted_tokens - self.out_tokens}")
        return problems

    @staticmethod
    def _check_units(usdt_units: int, token_units: int) -> None:
        units.whole_units(usdt_units, "usdt_units")
        units.whole_units(token_units, "token_units")

    def _name(self, owner: int) -> str:
        try:
            if self.describe is not None:
                return f"{self.describe(owner)} (owner {owner})"
        except Exception:                   # an id the model does not know: the bare id
            pass
        return f"owner {owner}"

    def _debit(self, owner: int, usdt_units: int, token_units: int, what: str) -> None:
        """Take units from `owner`'s wallet; refused whole (InsufficientFunds) if short."""
        self._check_units(usdt_units, token_units)
        if usdt_units > self.usdt[owner] or token_units > self.tokens[owner]:
            raise InsufficientFunds(
                f"{self._name(owner)} holds {self.usdt[owner] * units.USDT_UNIT:,.2f} USDT and "
                f"{self.tokens[owner] * units.TOKEN_UNIT:,.2f} tokens in its wallet, cannot "
                f"{what} {usdt_units * units.USDT_UNIT:,.2f} USDT and "
                f"{token_units * units.TOKEN_UNIT:,.2f} tokens")
        self.usdt[owner] -= usdt_units
        self.tokens[owner] -= token_units
