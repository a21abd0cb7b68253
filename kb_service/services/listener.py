"""How the database side tells the search side that published knowledge changed."""

from __future__ import annotations

from typing import Protocol


class IndexListener(Protocol):
    def articles_changed(self, kb: str, article_ids: list[int]) -> None: ...

    def dictionary_changed(self, kb: str) -> None: ...

    def readiness(self) -> dict[str, object]: ...


class NoIndex:
    """Used where no search index runs (CLI imports against a database, tests of the store)."""

    def articles_changed(self, kb: str, article_ids: list[int]) -> None:
        return None

    def dictionary_changed(self, kb: str) -> None:
        return None

    def readiness(self) -> dict[str, object]:
        return {"ready": True, "index": None}
