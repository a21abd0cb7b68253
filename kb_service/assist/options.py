"""Map a reply to one of the numbered options the bot offered ("您是想问以下哪个问题？")."""

from __future__ import annotations

import re

from indexer.text import normalize
from kb_service.assist.overlap import coverage, features

MIN_SCORE = 0.3  # below this the reply is about something else
MARGIN = 0.15  # the best option must beat the runner-up by this much, else it is ambiguous

_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CARDINALS = "one two three four five six seven eight nine ten"
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth"
_EN_NUMBERS = {w: i % 10 + 1 for i, w in enumerate(f"{_CARDINALS} {_ORDINALS}".split())}
_ZH_ORDINAL = re.compile(
    r"^我?(?:想|要|选|选择|就|是|应该是|那就)*(?:第|选项|编号|序号|选)?"
    r"(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})(?:个|号|项|条|种)?(?:问题|选项)?(?:吧|啊|呀|的|哈|呢|哦|噢|嗯|了)*$"
)
_EN_ORDINAL = re.compile(
    r"^(?:(?:i|id|ill|lets|go|with|want|like|choose|pick|select|take|mean|need|the|number|no|num|"
    r"option|choice|question|item|its|is|#)\s*)*"
    r"(?P<n>\d{1,2}|[a-z]+)(?:st|nd|rd|th)?(?:\s+(?:one|option|choice|question|item|please|pls|thanks))*$"
)
_LAST = re.compile(r"^(?:the\s+)?last(?:\s+one)?$|^最后(?:一个|那个|一项|一条|一)?$")


def _zh_number(text: str) -> int | None:
    """1–99 written with Chinese numerals (一, 十, 十二, 二十, 二十三)."""
    if text.isdigit():
        return int(text)
    tens, _, ones = text.partition("十")
    if "十" not in text:
        return _ZH_DIGITS.get(text) if len(text) == 1 else None
    if any(part and part not in _ZH_DIGITS for part in (tens, ones)):
        return None
    return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0)


def _ordinal(norm: str, count: int) -> int | None:
    """1-based number a reply names ("2", "第二个", "the second one", "#2"); None if it names none."""
    words = re.sub(r"['\u2019]", "", norm)
    words = re.sub(r"[^\w#\s]+", " ", words).strip()
    if _LAST.match(words):
        return count
    compact = re.sub(r"\s+", "", words)
    match = _ZH_ORDINAL.match(compact)
    if match:
        return _zh_number(match["n"])
    match = _EN_ORDINAL.match(words)
    if match:
        n = match["n"]
        return int(n) if n.isdigit() else _EN_NUMBERS.get(n)
    return None


def _by_content(norm: str, options: list[str]) -> int | None:
    exact = [i for i, option in enumerate(options) if normalize(option) == norm]
    if len(exact) == 1:
        return exact[0]
    query = features(norm)
    if not query:
        return None
    scores = []
    for option in options:
        feats = features(option)
        # Mostly "how much of the reply is in the option"; a little of the converse breaks ties
        # between a short option that the reply repeats and a long one that merely contains it.
        scores.append(coverage(query, feats) + 0.25 * coverage(feats, query))
    ranked = sorted(range(len(options)), key=lambda i: scores[i], reverse=True)
    best = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if scores[best] >= MIN_SCORE and scores[best] - runner_up >= MARGIN:
        return best
    return None


def pick_option(text: str, options: list[str]) -> int | None:
    """The 0-based index of the option a reply chooses, or None.

    Args:
        text: the customer's reply ("2", "第二个", "the second one", or words from an option).
        options: the options as shown, in order.

    Returns:
        The index named by number or ordinal if it is in range; otherwise the option whose
        normalised character bigrams / words clearly overlap the reply best (by at least
        `MARGIN`, with at least `MIN_SCORE`); None when out of range, ambiguous or unrelated.
    """
    norm = normalize(text)
    if not options or not norm:
        return None
    number = _ordinal(norm, len(options))
    if number is not None:
        return number - 1 if 1 <= number <= len(options) else None
    return _by_content(norm, options)
