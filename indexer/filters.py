"""Query-time applicability: category, products, tags and the validity window, evaluated per article."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from indexer.documents import Article


@dataclass(frozen=True)
class Filters:
    """Empty fields do not filter. An article with no products applies to every product."""

    categories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.categories or self.products or self.tags or self.types)

    def key(self) -> tuple[tuple[str, ...], ...]:
        return (self.categories, self.products, self.tags, self.types)

    def accepts(self, article: Article) -> bool:
        if self.categories and article.category not in self.categories:
            return False
        if self.types and article.type not in self.types:
            return False
        if self.products and article.products and not _overlap(self.products, article.products):
            return False
        return not (self.tags and not set(self.tags) & set(article.tags))


def _overlap(wanted: tuple[str, ...], have: tuple[str, ...]) -> bool:
    have_folded = {p.casefold().replace(" ", "") for p in have}
    return any(p.casefold().replace(" ", "") in have_folded for p in wanted)


def is_valid_at(article: Article, now: datetime | None = None) -> bool:
    """Expired or not-yet-valid answers are never served."""
    now = now or datetime.now(UTC)
    if article.valid_from is not None and _aware(article.valid_from) > now:
        return False
    return not (article.valid_to is not None and _aware(article.valid_to) <= now)


def _aware(value: datetime) -> datetime:
    return value if value.utcoffset() is not None else value.replace(tzinfo=UTC)


def validity_changes(articles: Iterable[Article]) -> tuple[float, ...]:
    """Sorted POSIX times at which some article's validity window opens or closes: between two of
    them, `is_valid_at` gives the same answer for every article."""
    times = {_aware(t).timestamp() for a in articles for t in (a.valid_from, a.valid_to) if t is not None}
    return tuple(sorted(times))
