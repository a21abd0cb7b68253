"""A customer message as the services use it: the text to retrieve with, the text to read intents and
mood from, and what it costs against the caller's rate limit.

`/answer` accepts 20,000 characters (a pasted order e-mail, log or earlier chat). Retrieval runs on
the informative part (`indexer.query_focus`: at most `QUERY_BUDGET` characters, so the embedding and
the tokenizer cost what a short question costs); sentiment, "转人工" and "还是不行" are read from that
part plus the message's last `INTENT_TAIL` characters, where a customer says what they want now.
A message within the budget is used as it is.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.engine import LiveIndex
from indexer.lexicon import parse_user_words
from indexer.query_focus import DEFAULT_BUDGET, FocusVocabulary, focus
from indexer.segment import Segment

QUERY_BUDGET = DEFAULT_BUDGET  # characters retrieval sees of a long message
LATIN_BUDGET_FACTOR = 3
_HAN = re.compile(r"[\u3400-\u9fff]")
INTENT_TAIL = 500  # characters at the end of a message that intents and sentiment always see
CHARS_PER_REQUEST = 100  # a message costs one rate-limit request per started 100 characters


@dataclass(frozen=True)
class PreparedMessage:
    """`retrieval`: the text to search with; `intent`: the text for sentiment and intents; `cost`:
    rate-limit requests the message counts as; `focused`: the message was longer than the budget."""

    retrieval: str
    intent: str
    cost: int
    focused: bool


def message_cost(chars: int, chars_per_request: int = CHARS_PER_REQUEST) -> int:
    """Rate-limit requests a message of `chars` characters counts as: one per started
    `chars_per_request` characters (at least one)."""
    return max(1, -(-chars // max(1, chars_per_request)))


def prepare_message(
    text: str,
    live: LiveIndex | None,
    *,
    budget: int = QUERY_BUDGET,
    chars_per_request: int = CHARS_PER_REQUEST,
) -> PreparedMessage:
    """The retrieval text, intent text and rate-limit cost of a raw customer message.

    Args:
        text: the message as the customer wrote it (up to 20,000 characters).
        live: the KB's live index, whose vocabulary decides what is informative (None: the index is
            not loaded; the end of the message is kept).
        budget: the most characters retrieval sees.
        chars_per_request: see `message_cost`.
    """
    cost = message_cost(len(text), chars_per_request)
    budget = _for_script(text, budget)
    if len(text) <= budget:
        return PreparedMessage(text, text, cost, False)
    found = focus(text, vocabularies.get(live) if live is not None else None, budget)
    tail = (max(0, len(text) - INTENT_TAIL), len(text))
    intent = "\n".join(text[a:b] for a, b in _merged([*found.spans, tail]))
    return PreparedMessage(found.text, intent, cost, True)


def _for_script(text: str, budget: int) -> int:
    """The budget in characters for this message's script: Latin text needs about three times as
    many characters as Chinese for the same words and embedding tokens (one sentence of an English
    e-mail is 100-200 characters)."""
    sample = text[:2000]
    han = len(_HAN.findall(sample))
    return budget if han * 4 >= len(sample) else budget * LATIN_BUDGET_FACTOR


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined, in text order (the tail often holds the last chosen sentence)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


class FocusVocabularies:
    """One `FocusVocabulary` per main segment, built on the first long message a KB receives.

    Keyed by the segment's identity and dropped when the segment is collected (a rebuild replaces it),
    so a stale vocabulary never outlives its index; a dictionary or catalogue change reindexes, which
    makes a new segment and with it a new vocabulary.
    """

    def __init__(self) -> None:
        self._by_segment: dict[int, FocusVocabulary] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_segment)

    def get(self, live: LiveIndex) -> FocusVocabulary:
        segment = live.state.main
        found = self._by_segment.get(id(segment))
        if found is not None:
            return found
        with self._lock:  # one build per segment even when several long messages arrive at once
            found = self._by_segment.get(id(segment))
            if found is None:
                found = FocusVocabulary.from_segment(segment, _named_terms(live, segment))
                self._by_segment[id(segment)] = found
                weakref.finalize(segment, self._by_segment.pop, id(segment), None)
            return found


def _named_terms(live: LiveIndex, segment: Segment) -> list[str]:
    """Dictionary words, catalogue names, series and aliases, and the articles' products."""
    terms = [w.word for w in parse_user_words(live.config.tokenizer.user_words)]
    for product in live.config.catalogue:
        terms += [product.name, *([product.series] if product.series else []), *product.aliases]
    main_articles = {int(a) for a in segment.article_ids}
    terms += [p for a in live.state.articles.values() if a.id in main_articles for p in a.products]
    return terms


vocabularies = FocusVocabularies()  # a memo keyed by segment identity, like functools.cache
