"""Group near-identical questions: character-bigram Jaccard over normalised text, greedy by frequency.

Each distinct normalised question joins the most similar existing cluster whose leader (its most
frequent question) shares at least `threshold` of their bigrams, or starts a new one; questions are
taken most frequent first, so leaders are the common phrasings. Candidate leaders are found through
an index of the rarest bigrams of each leader (prefix filtering), so the work stays near linear.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from indexer.text import normalize

# "怎么转人工" ~ "怎么转人工客服" / "请问怎么转人工" (0.67) join; "怎么退款" / "怎么退货" (0.5) and
# "怎么转人工" / "如何转人工" (0.33) stay apart: short questions share bigrams easily.
SIMILARITY = 0.6
MAX_EXAMPLES = 5


def match_key(text: str) -> str:
    """Normalised text without punctuation, symbols and spaces."""
    return "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in "LN")


def shingles(key: str) -> frozenset[str]:
    """Character bigrams (the key itself when shorter than two characters)."""
    return frozenset(key[i : i + 2] for i in range(len(key) - 1)) if len(key) > 1 else frozenset([key])


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class QuestionCluster:
    texts: Counter[str] = field(default_factory=Counter)  # original question -> occurrences
    last_seen: datetime | None = None

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def examples(self) -> list[str]:
        return [text for text, _ in self.texts.most_common(MAX_EXAMPLES)]


@dataclass
class _Group:
    key: str
    texts: Counter[str] = field(default_factory=Counter)
    last_seen: datetime | None = None


def _prefix(tokens: frozenset[str], rarity: Counter[str], threshold: float) -> list[str]:
    """The rarest tokens any set with Jaccard >= threshold must share at least one of."""
    ordered = sorted(tokens, key=lambda t: (rarity[t], t))
    return ordered[: len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1]


def _groups(rows: Iterable[tuple[str, datetime]]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for text, seen in rows:
        key = match_key(text) or normalize(text)
        if not key:
            continue
        group = groups.setdefault(key, _Group(key))
        group.texts[text.strip()] += 1
        if group.last_seen is None or seen > group.last_seen:
            group.last_seen = seen
    return list(groups.values())


def cluster_questions(
    rows: Iterable[tuple[str, datetime]], threshold: float = SIMILARITY
) -> list[QuestionCluster]:
    """Cluster (question, seen at) rows; clusters come out largest first, then most recent."""
    groups = _groups(rows)
    groups.sort(
        key=lambda g: (-sum(g.texts.values()), -(g.last_seen.timestamp() if g.last_seen else 0), g.key)
    )
    token_sets = {g.key: shingles(g.key) for g in groups}
    rarity: Counter[str] = Counter(t for tokens in token_sets.values() for t in tokens)
    clusters: list[QuestionCluster] = []
    leaders: list[frozenset[str]] = []
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for group in groups:
        tokens = token_sets[group.key]
        prefix = _prefix(tokens, rarity, threshold)
        candidates = {i for t in prefix for i in postings.get(t, ())}
        best = max(sorted(candidates), key=lambda i: jaccard(tokens, leaders[i]), default=None)
        if best is not None and jaccard(tokens, leaders[best]) >= threshold:
            target = clusters[best]
        else:
            target = QuestionCluster()
            for t in prefix:
                postings[t].append(len(clusters))
            clusters.append(target)
            leaders.append(tokens)
        target.texts.update(group.texts)
        if target.last_seen is None or (group.last_seen and group.last_seen > target.last_seen):
            target.last_seen = group.last_seen
    clusters.sort(key=lambda c: (-c.count, -(c.last_seen.timestamp() if c.last_seen else 0)))
    return clusters
