"""What a customer message asks, apart from the products it names: the text retrieval ranks on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from indexer.engine import LiveIndex
from indexer.entities import Entity, ProductPreference, strip_entities

_MEANINGFUL = re.compile(r"[\u3400-\u9fff]|[a-z0-9]{2,}", re.IGNORECASE)
MIN_MEANINGFUL = 2  # what is left of "Y9000P？" is no question: search for the product itself
# with this little left ("Y9000P没有声音", "edge50适合什么人用"), or two products named ("小新Pro14和
# YOGA14s哪个好"), the product may be the subject: the whole message is searched too
SHORT_REST = 6


@dataclass(frozen=True)
class EntityQuery:
    text: str  # the message without product mentions (or the whole message when nothing else is left)
    entities: list[Entity]
    prefer: ProductPreference | None
    also: str | None = None  # the whole message, when the products may be what it asks about


def entity_query(live: LiveIndex, message: str) -> EntityQuery:
    """Recognise the message's entities; rank on the rest, preferring the named products' articles."""
    vocabulary = live.entities
    entities = vocabulary.find(message, live.knows_term)
    prefer = vocabulary.preference(entities)
    rest = strip_entities(message, entities)
    left = len(_MEANINGFUL.findall(rest))
    if left < MIN_MEANINGFUL:
        return EntityQuery(message, entities, prefer)
    named = {e.canonical for e in entities if e.kind in ("product", "series") and e.canonical}
    also = message if rest != message and (left <= SHORT_REST or len(named) >= 2) else None
    return EntityQuery(rest, entities, prefer, also)


def entities_out(entities: list[Entity]) -> list[dict[str, Any]]:
    """The response's `entities`: `{text, kind, canonical}` (canonical null for an unknown model)."""
    return [{"text": e.text, "kind": e.kind, "canonical": e.canonical} for e in entities]
