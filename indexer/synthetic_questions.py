"""Synthetic rewrites of a KB's own questions: training questions for the answer-confidence model of a
KB whose FAQs have one phrasing each (nothing to hold out and ask again).

A customer rarely types an FAQ's question word for word: words go missing, come in another order,
a filler or a courtesy is added, a model or a number differs, or the question is asked from what the
answer says. `rewrite` applies a few such edits to a question's units (the index tokenizer's words,
with the text between them kept as units of its own; Han text between known words goes char by
char), so the rewrite is tokenised the way the index tokenises and no second tokenizer is involved.
Everything here is pure and seeded: the same inputs give the same questions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.text import normalize

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^。！？!?.\n]+")
# Words a customer adds around a question; they carry no intent (most are stop words of the index).
FILLERS = {
    "zh": ("请问", "我想问一下", "你好", "那个", "麻烦问下", "吗", "呢", "啊", "怎么回事", "谢谢"),
    "en": ("please", "hi", "hey", "can you tell me", "i want to know", "quick question", "thanks", "so"),
}
EDITS = ("drop", "swap", "add", "number", "borrow", "shorten")


@dataclass(frozen=True)
class Rewrite:
    text: str
    edits: tuple[str, ...]  # which edits made it (for statistics and tests)


def is_chinese(text: str) -> bool:
    return bool(_HAN.search(text))


def split_units(text: str, words: Sequence[str]) -> list[str]:
    """`normalize(text)` cut into units: each of `words` found in order, the text between them kept.

    Args:
        text: the question.
        words: the index tokenizer's word tokens of `text`, in order (feature tokens such as char
            n-grams or stems left out by the caller); ones not found in the text are skipped.

    Returns:
        Non-blank units whose concatenation (with the spaces between Latin words) is the text; Han
        text no word covered is split into single characters.
    """
    norm = normalize(text)
    units: list[str] = []
    at = 0
    for word in words:
        found = norm.find(word, at) if word else -1
        if found < 0:
            continue
        units.extend(_gap_units(norm[at:found]))
        units.append(word)
        at = found + len(word)
    units.extend(_gap_units(norm[at:]))
    return units


def _gap_units(gap: str) -> list[str]:
    out: list[str] = []
    for piece in _SPACE.split(gap):
        if _HAN.search(piece):
            out.extend(ch for ch in piece if not ch.isspace())
        elif piece:
            out.append(piece)
    return out


def join_units(units: Sequence[str]) -> str:
    """Units back into text: a space between two Latin words or numbers, none elsewhere."""
    out = ""
    for unit in units:
        if out and _latin_word_end(out[-1]) and _latin_word_end(unit[0]):
            out += " "
        out += unit
    return out


def _latin_word_end(ch: str) -> bool:
    return ch.isalnum() and not _HAN.match(ch)


def rewrite(
    units: Sequence[str], rng: random.Random, edits: int = 2, vocabulary: Sequence[str] = ()
) -> Rewrite:
    """`edits` random edits of a question's units: drop a unit, swap two neighbours, add a filler,
    change a number, or put a word of the KB's `vocabulary` in place of a unit (a customer's own word
    for something; it may change what is asked, as real rewordings do). Never empty and never the
    same text.

    Args:
        units: the question's units (`split_units`).
        rng: the source of randomness (seeded by the caller).
        edits: how many edits to apply.
        vocabulary: words to borrow (e.g. other questions' words); none: no borrowing.

    Returns:
        The rewritten question and the edits that made it.
    """
    original = list(units)
    language = "zh" if any(is_chinese(u) for u in original) else "en"
    current, done = list(original), list[str]()
    for _ in range(max(1, edits) * 4):  # some edits cannot apply (nothing to drop, no number)
        if len(done) >= edits:
            break
        edit = rng.choice(EDITS)
        changed = _apply(edit, current, rng, language, vocabulary)
        if changed is not None:
            current, done = changed, [*done, edit]
    if not current or join_units(current) == join_units(original):
        current, done = _apply("add", original, rng, language, ()) or original, [*done, "add"]
    return Rewrite(join_units(current), tuple(done))


def _apply(
    edit: str, units: list[str], rng: random.Random, language: str, vocabulary: Sequence[str]
) -> list[str] | None:
    if edit == "shorten" and len(units) >= 5:  # only the core: "开不了机" for a long standard question
        keep = rng.randint(max(2, len(units) // 3), len(units) * 2 // 3)
        start = rng.randrange(len(units) - keep + 1)
        return units[start : start + keep]
    if edit == "drop" and len(units) >= 3:
        i = rng.randrange(len(units))
        return units[:i] + units[i + 1 :]
    if edit == "swap" and len(units) >= 2:
        i = rng.randrange(len(units) - 1)
        if units[i] == units[i + 1]:
            return None
        return units[:i] + [units[i + 1], units[i]] + units[i + 2 :]
    if edit == "add":
        filler = rng.choice(FILLERS[language])
        return [filler, *units] if rng.random() < 0.5 else [*units, filler]
    if edit == "borrow" and vocabulary and units:
        i = rng.randrange(len(units))
        word = rng.choice(vocabulary)
        return None if word == units[i] else units[:i] + [word] + units[i + 1 :]
    if edit == "number":
        numbered = [i for i, u in enumerate(units) if _DIGITS.search(u)]
        if not numbered:
            return None
        i = rng.choice(numbered)
        changed = _DIGITS.sub(lambda m: _other_number(m.group(), rng), units[i], count=1)
        return units[:i] + [changed] + units[i + 1 :]
    return None


def _other_number(number: str, rng: random.Random) -> str:
    low = 10 ** (len(number) - 1) if len(number) > 1 else 0  # keep the number of digits
    while True:
        other = str(rng.randrange(low, 10 ** len(number)))
        if other != number:
            return other


def lead_question(answer: str, question: str, max_chars: int = 60) -> str | None:
    """The answer's first sentence asked as a question (None when it is the question itself or empty):
    customers often ask with the words of the fix ("重启路由器有用吗") rather than of the problem."""
    for sentence in _SENTENCE.findall(answer):
        lead = sentence.strip(" ，,；;：:-*#>")
        if len(lead) < 4 or normalize(lead) == normalize(question):
            continue
        lead = lead[:max_chars]
        return lead + ("吗" if is_chinese(lead) else "?")
    return None
