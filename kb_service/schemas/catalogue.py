"""A KB's product catalogue: products with their series and the aliases customers type."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from indexer.text import normalize

MAX_PRODUCTS, MAX_ALIASES, MAX_CHARS = 5_000, 50, 100


def _printable(text: str) -> str:
    # a line break or control character would not survive a spreadsheet cell or a PostgreSQL text column
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueError("must not contain line breaks or control characters")
    return text


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CHARS),
    AfterValidator(_printable),
]


class Product(BaseModel):
    """One product, e.g. name "拯救者 Y9000P", series "拯救者", aliases ["Y9000P", "9000p"]."""

    model_config = ConfigDict(extra="forbid")
    name: Text
    series: Text | None = None
    aliases: list[Text] = Field(default_factory=list, max_length=MAX_ALIASES)


class Catalogue(BaseModel):
    """The whole catalogue, replaced at once."""

    model_config = ConfigDict(extra="forbid")
    products: list[Product] = Field(max_length=MAX_PRODUCTS)
    version: int | None = Field(
        default=None,
        ge=1,
        description="the version this edit was made to (from GET); a stale one is refused with 409",
    )


class CatalogueOut(Catalogue):
    version: int


def catalogue_key(text: str) -> str:
    """What a name or alias is compared by: case, full/half width, traditional/simplified and spaces
    do not matter ("小新 Pro 14" = "小新pro14" = "小新ＰＲＯ14")."""
    return normalize(text).replace(" ", "")


def field_path(loc: Sequence[Any]) -> str:
    """("products", 3, "aliases", 1) → "products[3].aliases[1]"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def conflicts(products: Sequence[Product]) -> list[dict[str, str]]:
    """Names and aliases that would resolve to two different products, each with its field path.

    Names are registered first, so an alias that repeats another product's name is reported at the
    alias. A product may repeat its own name as an alias (harmless).
    """
    owners: dict[str, tuple[int, str, str]] = {}  # key → (product index, field path, text)
    problems: list[dict[str, str]] = []
    names = [(i, f"products[{i}].name", p.name) for i, p in enumerate(products)]
    aliases = [
        (i, f"products[{i}].aliases[{j}]", alias)
        for i, p in enumerate(products)
        for j, alias in enumerate(p.aliases)
    ]
    for index, path, text in names + aliases:
        key = catalogue_key(text)
        if not key:
            problems.append({"field": path, "message": f"{path} {text!r} has no visible characters"})
            continue
        owner = owners.setdefault(key, (index, path, text))
        if owner[0] == index:
            continue
        other, other_path, other_text = owner
        both_names = path.endswith(".name") and other_path.endswith(".name")
        what = "duplicates the name of" if both_names else "would also name"
        message = (
            f"{path} {text!r} (product {products[index].name!r}) {what} product {products[other].name!r} "
            f"({other_path} {other_text!r}); names and aliases must each belong to one product "
            "(compared ignoring case, width and spaces)"
        )
        problems.append({"field": path, "message": message})
    return problems
