"""Lexicon-based sentiment of a customer message: angry, anxious, neutral or satisfied.

No model: weighted cues (`sentiment_lexicon`) with negation (不满意, "not happy"), intensifiers
(非常, "really"), repeated punctuation (！！！, ？？？) and English ALL CAPS shouting. Built for
support messages about repairs, refunds, warranty and shipping, in Chinese or English.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from indexer.text import normalize
from kb_service.assist import sentiment_lexicon as lex

MAX_CHARS = 20_000  # a customer message is far shorter; this bounds the work on pasted logs
_THRESHOLD = 1.0  # raw cue weight a label needs; below it the message is neutral
_PER_CUE_CAP = 2  # a cue repeated ten times is not ten times as angry
DILUTE_FROM = 200  # characters from which cue weights are scaled by sqrt(DILUTE_FROM / length)
_NEGATED_SATISFIED = 0.6  # "not happy" / 不开心 counts this share of the cue as angry
_POLITE_DISCOUNT = 0.5  # 谢谢 at the end of a complaint is politeness, not satisfaction

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ZH_NEGATED = re.compile(f"(?:{lex.ZH_NEGATORS})(?:{lex.ZH_NEGATION_FILLERS}){{0,2}}$")
_ZH_INTENSIFIED = re.compile(f"(?:{lex.ZH_INTENSIFIERS})$")
_CLAUSE_END = re.compile(r"[.,!?;:，。！？；：、\n]")
_EN_WORD = re.compile(r"[a-z']+")
_PUNCT_RUN = re.compile(r"[!?]{2,}")
_CAPS_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Sentiment:
    """A label (`angry`, `anxious`, `neutral`, `satisfied`) and how strongly it holds, in [0, 1]."""

    label: str
    score: float


def _build() -> tuple[dict[str, tuple[str, float]], re.Pattern[str]]:
    table: dict[str, tuple[str, float]] = {}
    for label, cues in (("angry", lex.ANGRY), ("anxious", lex.ANXIOUS), ("satisfied", lex.SATISFIED)):
        table.update({cue: (label, weight) for cue, weight in cues.items()})
    table.update({cue: ("neutral", 0.0) for cue in lex.NEUTRAL})
    parts = []
    for cue in sorted(table, key=len, reverse=True):  # longest first: 不满意 before 满意
        body = re.escape(cue)
        if re.search("[a-z]", cue):
            body = f"(?<![a-z']){body}(?![a-z])"
        elif cue.isdigit():
            body = f"(?<!\\d){body}(?!\\d)"
        parts.append(body)
    return table, re.compile("|".join(parts))


_CUES, _CUE_RE = _build()


def _english_context(text: str, start: int) -> tuple[bool, bool]:
    """(negated, intensified) for an English cue from the words before it in the same clause."""
    prefix = text[max(0, start - 80) : start]
    clause = _CLAUSE_END.split(prefix)[-1]
    words: list[str] = []
    for word in reversed(_EN_WORD.findall(clause)[-4:]):
        if word in lex.EN_CLAUSE_BREAKS:
            break
        words.append(word)
    negated = any(w in lex.EN_NEGATORS or w.endswith("n't") for w in words[:3])
    return negated, any(w in lex.EN_INTENSIFIERS for w in words[:2])


def _context(text: str, start: int, cue: str) -> tuple[bool, bool]:
    if cue[0].isascii() and cue[0].isalpha():
        return _english_context(text, start)
    if not unicodedata.category(cue[0]).startswith("L"):  # emoji and digits are not negated
        return False, False
    prefix = text[max(0, start - 8) : start]
    negated = bool(_ZH_NEGATED.search(prefix))
    return negated, not negated and bool(_ZH_INTENSIFIED.search(prefix))


def _cue_weights(text: str) -> dict[str, float]:
    raw = {"angry": 0.0, "anxious": 0.0, "satisfied": 0.0}
    seen: dict[str, int] = {}
    for match in _CUE_RE.finditer(text):
        cue = match.group()
        label, weight = _CUES[cue]
        seen[cue] = seen.get(cue, 0) + 1
        if label == "neutral" or seen[cue] > _PER_CUE_CAP:
            continue
        negated, intensified = _context(text, match.start(), cue)
        if negated:
            if label == "satisfied":  # 不满意 / "not happy" is a complaint; 不着急 is just calm
                raw["angry"] += weight * _NEGATED_SATISFIED
            continue
        raw[label] += weight * (1.5 if intensified else 1.0)
    return raw


def _punctuation(text: str, raw: dict[str, float]) -> None:
    """？？？ is impatience, ？！ is indignation; any repeated run strengthens what is there."""
    runs = _PUNCT_RUN.findall(text)
    ques = sum(min(0.5 + 0.25 * (len(r) - 1), 1.25) for r in runs if set(r) == {"?"})
    mixed = sum(min(1.0 + 0.25 * (len(r) - 2), 1.5) for r in runs if set(r) == {"!", "?"})
    raw["anxious"] += min(ques, 2.0)
    raw["angry"] += min(mixed, 2.0)
    emphasis = 1 + 0.15 * min(len(runs), 4)
    for label in raw:
        raw[label] *= emphasis


def _shouting(text: str) -> bool:
    """Most Latin words in capitals (acronyms such as BIOS or SSD excepted)."""
    words = _CAPS_WORD.findall(text)
    caps = [w for w in words if w.isupper() and w not in lex.ACRONYMS]
    return len(caps) >= 2 and len(caps) >= 0.6 * len(words)


def _diluted(raw: dict[str, float], chars: int) -> None:
    """A long message is judged by how dense its cues are, not how many it holds: three mild cues
    spread over a pasted story are not the anger of three in one line."""
    if chars > DILUTE_FROM:
        factor = math.sqrt(DILUTE_FROM / chars)
        for label in raw:
            raw[label] *= factor


def _squash(raw: float) -> float:
    return 1.0 - math.exp(-raw / 2.5)


def analyze_sentiment(text: str) -> Sentiment:
    """Classify the emotion of a customer message.

    Args:
        text: the message, Chinese (simplified, traditional, full-width) or English.

    Returns:
        `Sentiment(label, score)`; for `neutral` the score is a confidence (0.9 with no cue at all).
    """
    text = _CONTROL.sub(" ", text[:MAX_CHARS])
    norm = normalize(text).replace("\u2019", "'")
    raw = _cue_weights(norm)
    _punctuation(norm, raw)
    _diluted(raw, len(norm))
    if _shouting(unicodedata.normalize("NFKC", text)):
        if raw["satisfied"] > max(raw["angry"], raw["anxious"]):
            raw["satisfied"] *= 1.3
        else:
            raw["angry"] = (raw["angry"] + 1.5) * 1.2
    if max(raw["angry"], raw["anxious"]) >= _THRESHOLD:
        raw["satisfied"] *= _POLITE_DISCOUNT
    label = max(("angry", "anxious", "satisfied"), key=lambda k: raw[k])  # ties: first wins
    if raw[label] < _THRESHOLD:
        return Sentiment("neutral", round(0.9 * (1.0 - _squash(raw[label])), 3))
    return Sentiment(label, round(_squash(raw[label]), 3))
