"""Products, series, error codes and part numbers named in a message, from the KB's own vocabulary.

A customer of a PC and phone maker names the model in most messages ("小新Pro14怎么进BIOS"). The model
says which articles apply, not what the customer needs: retrieval ranks on the rest of the message and
uses the recognised products as a soft preference (`ProductPreference`). Names come from the KB's
product catalogue (names, series, aliases) and from its articles' `products`; matching ignores case,
width, script and spaces ("小新 Pro 14" = "小新pro14"). A model-like token the KB does not know
("Y9000K" in a KB that never mentions it) is reported too, so that it can be left out of the search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from indexer.catalogue import CatalogueProduct
from indexer.ranking import CODE, NOT_CODE
from indexer.text import normalize, normalize_with_offsets

EntityKind = Literal["product", "series", "code", "part"]
MIN_ALIAS_CHARS = 2
_ASCII_WORD = re.compile(r"[a-z0-9]")
_HAS_DIGIT = re.compile(r"\d")
_HEX_CODE = re.compile(r"0x[0-9a-f]{4,}")
_ERROR_CODE = re.compile(r"0x[0-9a-f]{4,}|[a-z]{1,3}-\d{2,5}")  # 0xc000021a, E-102
_PART_NUMBER = re.compile(r"(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{8,}")  # FRU / MTM: 5b10w13930
# models as customers type them (t490, y9000k, m720q, g84): a short letter prefix, digits, a suffix
_MODEL_LIKE = re.compile(r"[a-z]{1,3}\d{2,5}[a-z]{0,3}")
# ... but not versions, interfaces and units, which say what the question is about
_NOT_MODEL = re.compile(
    r"(?:win|usb|ddr|lpddr|rtx|gtx|pcie|hdmi|wifi|ipv|ios|gen|bt|mp|sd|tf|ax|ac|lte|pd|qc|ie|os)\d+[a-z]?"
    r"|\d+(?:gb|tb|mb|hz|khz|mhz|ghz|mah|wh|mm|cm|kg|ms|fps|nits|min|w|v|k|g|t|m|p|s|h|x|a)"
)


@dataclass(frozen=True)
class Entity:
    """One recognised mention: `text` as written in the message, `canonical` as the catalogue or the
    articles' `products` spell it (None for a model-like token the KB does not know)."""

    text: str
    kind: EntityKind
    canonical: str | None
    start: int  # offsets in the message
    end: int

    @property
    def known(self) -> bool:
        return self.canonical is not None


@dataclass(frozen=True)
class _Name:
    kind: EntityKind
    canonical: str
    series: str | None  # compact key of the product's series


def compact(text: str) -> str:
    """The matching key of a name: normalised, without whitespace."""
    return normalize(text).replace(" ", "")


@dataclass(frozen=True)
class ProductPreference:
    """Products and series a message names (compact keys); articles for them rank a little higher."""

    products: frozenset[str]
    series: frozenset[str]

    def key(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(sorted(self.products)), tuple(sorted(self.series))


class EntityVocabulary:
    """The product and series names of one KB, matched in messages."""

    def __init__(self, names: dict[str, _Name]):
        self._names = names
        lengths: dict[str, set[int]] = {}
        for key in names:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {first: sorted(ls, reverse=True) for first, ls in lengths.items()}

    @classmethod
    def build(
        cls, catalogue: Iterable[CatalogueProduct], article_products: Iterable[str]
    ) -> EntityVocabulary:
        """Catalogue entries first (their spelling is canonical), then the articles' product names;
        a series is the catalogue's, or the first word of a multi-word product name ("拯救者 Y9000P")."""
        names: dict[str, _Name] = {}

        def add(alias: str, name: _Name) -> None:
            key = compact(alias)
            if len(key) >= MIN_ALIAS_CHARS and not key.isdigit():
                names.setdefault(key, name)

        for product in catalogue:
            series = compact(product.series) if product.series else None
            name = _Name("product", product.name, series)
            for alias in (product.name, *product.aliases, *_derived_aliases(product.name)):
                add(alias, name)
            if product.series:
                add(product.series, _Name("series", product.series, None))
        for product_name in sorted(set(article_products)):
            series_word = _series_word(product_name)
            name = _Name("product", product_name, compact(series_word) if series_word else None)
            for alias in (product_name, *_derived_aliases(product_name)):
                add(alias, name)
            if series_word:
                add(series_word, _Name("series", series_word, None))
        return cls(names)

    def __len__(self) -> int:
        return len(self._names)

    def resolve(self, name: str) -> _Name | None:
        return self._names.get(compact(name))

    def find(self, message: str, known_term: Callable[[str], bool] = lambda _: True) -> list[Entity]:
        """Mentions in `message`, left to right: catalogue / article names (longest first), error codes,
        part numbers, and model-like tokens the KB does not know (canonical None; `known_term` says
        whether the KB's text holds a normalised token: a known one is an ordinary search term)."""
        norm, offsets = normalize_with_offsets(message)
        if not norm:
            return []
        ends = [*offsets[1:], len(message)]
        found: list[tuple[int, int, EntityKind, str | None]] = []  # positions in `norm`
        taken = [False] * len(norm)
        for start, end, name in self._names_in(norm):
            found.append((start, end, name.kind, name.canonical))
            taken[start:end] = [True] * (end - start)
        for m in CODE.finditer(norm):
            token = m.group()
            if any(taken[m.start() : m.end()]) or len(token) < 3 or NOT_CODE.fullmatch(token):
                continue
            if _ERROR_CODE.fullmatch(token):
                found.append((m.start(), m.end(), "code", token))
            elif _PART_NUMBER.fullmatch(token):
                found.append((m.start(), m.end(), "part", token.upper()))
            elif _MODEL_LIKE.fullmatch(token) and not _NOT_MODEL.fullmatch(token) and not known_term(token):
                found.append((m.start(), m.end(), "product", None))  # a model the KB does not know
        found.sort()
        return [
            Entity(message[offsets[s] : ends[e - 1]].strip(), kind, canonical, offsets[s], ends[e - 1])
            for s, e, kind, canonical in found
        ]

    def _names_in(self, norm: str) -> Iterable[tuple[int, int, _Name]]:
        """Longest name matches over the text without spaces; (start, end) in `norm`."""
        positions = [i for i, ch in enumerate(norm) if ch != " "]
        squeezed = "".join(norm[i] for i in positions)
        i = 0
        while i < len(squeezed):
            match = None
            for length in self._lengths.get(squeezed[i], ()):
                if i + length > len(squeezed):
                    continue
                name = self._names.get(squeezed[i : i + length])
                if name is not None and _bounded(norm, positions[i], positions[i + length - 1] + 1):
                    match = (length, name)
                    break
            if match is None:
                i += 1
                continue
            length, name = match
            yield positions[i], positions[i + length - 1] + 1, name
            i += length

    def preference(self, entities: Iterable[Entity]) -> ProductPreference | None:
        """The products and series named by known product / series entities (None: none named)."""
        products: set[str] = set()
        series: set[str] = set()
        for entity in entities:
            if entity.canonical is None or entity.kind not in ("product", "series"):
                continue
            if entity.kind == "series":
                series.add(compact(entity.canonical))
                continue
            products.add(compact(entity.canonical))
            name = self.resolve(entity.canonical)
            if name is not None and name.series:
                series.add(name.series)
        return ProductPreference(frozenset(products), frozenset(series)) if products or series else None

    def matches(self, article_products: Iterable[str], preference: ProductPreference) -> int:
        """1: the article is for a named product (or its series); -1: it is only for other products of
        other series; 0: it is for every product (no `products`), or nothing decides."""
        listed = list(article_products)
        if not listed:
            return 0
        for product in listed:
            key = compact(product)
            name = self._names.get(key)
            canonical = compact(name.canonical) if name is not None else key
            if canonical in preference.products or key in preference.series:
                return 1
            if name is not None and name.series in preference.series and not preference.products:
                return 1  # "拯救者怎么…": every 拯救者 model's article applies
        return -1


def _bounded(norm: str, start: int, end: int) -> bool:
    """A name made of letters / digits at its edge must not continue into another word ("t14" in "t14s")."""
    before = norm[start - 1] if start > 0 else " "
    after = norm[end] if end < len(norm) else " "
    if _ASCII_WORD.match(norm[start]) and _ASCII_WORD.match(before):
        return False
    return not (_ASCII_WORD.match(norm[end - 1]) and _ASCII_WORD.match(after))


def _series_word(product_name: str) -> str | None:
    words = product_name.split()
    if len(words) >= 2 and not _HAS_DIGIT.search(words[0]):
        return words[0]
    return None


def _derived_aliases(product_name: str) -> list[str]:
    """What customers type for a product: its model part without the series ("拯救者 Y9000P" → "Y9000P")."""
    words = product_name.split()
    rest = "".join(words[1:]) if len(words) >= 2 else ""
    return [rest] if len(compact(rest)) >= 3 and _HAS_DIGIT.search(rest) and not rest.isdigit() else []


# a device type inside a product name is part of the question ("拯救者电竞手机2 Pro发热": a phone)
_DEVICE_WORDS = (
    ("手机", "手机"),
    ("平板", "平板"),
    ("pad", "平板"),
    ("台式", "台式机"),
    ("一体机", "一体机"),
    ("笔记本", "笔记本"),
    ("phone", "phone"),
    ("tablet", "tablet"),
)


def strip_entities(message: str, entities: Iterable[Entity]) -> str:
    """The message without the product / series mentions and unknown models (codes stay: they are
    what the customer sees on screen; a device type in a name stays); separators at a cut are tidied."""
    cuts = [e for e in entities if e.kind in ("product", "series")]
    if not cuts:
        return message
    pieces, at = [], 0
    for entity in sorted(cuts, key=lambda e: e.start):
        pieces.append(message[at : entity.start])
        mention = normalize(entity.text)
        pieces.append(next((f" {word} " for key, word in _DEVICE_WORDS if key in mention), " "))
        at = entity.end
    pieces.append(message[at:])
    text = re.sub(r"\s+", " ", "".join(pieces))
    text = re.sub(r"^[\s,，。.、:：;；!！~～的]+", "", text)  # "小新Pro14，怎么…" / "Y9000P的屏幕…"
    return text.strip()
