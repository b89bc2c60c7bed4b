"""Money and tokens are conserved across the whole model.

External money enters only by minting into wallets; it reaches a venue only through `fund` and
leaves through `defund`. Each venue audits its own books (balances + fees + pool reserves =
what was deposited minus what was withdrawn), and `audit_model` adds the identity that ties them
together:

    wallets + everything held by venues = minted          (USDT and tokens, to the unit)
"""
from __future__ import annotations

from collections.abc import Iterable
from mmabm.venues.interface import Venue
from mmabm.venues.wallets import Wallets


class ConservationError(AssertionError):
    """The model's books do not balance."""


def fund(wallets: Wallets, venue: Venue, owner: int, usdt_units: int = 0,
         token_units: int = 0) -> None:
    """Move units from `owner`'s wallet to their account at `venue` (all or nothing); with no
    amounts it just opens the account."""
    if not callable(getattr(venue, "deposit_units", None)):
        raise TypeError(f"venue must be a venue (with deposit_units), got {venue!r}")
    wallets.send(owner, usdt_units, token_units)
    try:
        venue.deposit_units(owner, usdt_units, token_units)
    except BaseException:
        wallets.receive(owner, usdt_units, token_units)
        raise


def defund(venue: Venue, wallets: Wallets, owner: int, usdt_units: int = 0,
           token_units: int = 0) -> None:
    """Move units from `owner`'s free balance at `venue` back to their wallet."""
    venue.withdraw_units(owner, usdt_units, token_units)
    wallets.receive(owner, usdt_units, token_units)


def audit_model(wallets: Wallets, venues: Iterable[Venue]) -> list[str]:
    """Every conservation problem in the model (an empty list: the books balance)."""
    venues = list(venues)
    problems = wallets.audit()
    for venue in venues:
        problems += venue.audit()
    usdt = sum(v.holdings_units()[0] for v in venues)
    tokens = sum(v.holdings_units()[1] for v in venues)
    if usdt != wallets.out_usdt:
        problems.append(f"venues hold {usdt} USDT units, wallets sent them {wallets.out_usdt}")
    if tokens != wallets.out_tokens:
        problems.append(f"venues hold {tokens} token units, wallets sent them {wallets.out_tokens}")
    return problems


def check_conservation(wallets: Wallets, venues: Iterable[Venue]) -> None:
    """Raise ConservationError listing every problem if the model's books do not balance."""
    problems = audit_model(wallets, venues)
    if problems:
        raise ConservationError("; ".join(problems))
