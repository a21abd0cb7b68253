"""A KB's product catalogue: products editors maintain, with their series and the aliases customers type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueProduct:
    """One product, e.g. name "拯救者 Y9000P", series "拯救者", aliases ("Y9000P", "y9000p 2024")."""

    name: str
    series: str | None = None
    aliases: tuple[str, ...] = ()
