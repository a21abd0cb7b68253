"""Bag-of-features overlap used to match short customer replies against options and guide steps.

Features are character bigrams of Chinese runs (single characters for one-character runs) and
whole words of Latin/digit runs, taken from `indexer.text.normalize`d text, so traditional,
full-width and upper-case input match their simplified, half-width, lower-case forms.
"""

from __future__ import annotations

import math
import re

from indexer.text import normalize

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:['.-][a-z0-9]+)*")


# Function words carry no topic; dropping them keeps "the second one" from matching everything.
def word_set(spec: str) -> frozenset[str]:
    """A frozen set from a space-separated word list."""
    return frozenset(spec.split())


_EN_STOP = word_set(
    "a an the and or but of to in on at for with by from is are was were be been it its this that "
    "i me my we our you your he she they them do does did not no can could will would should "
    "how what when where which who why please pls there here have has had if so as"
)
# Filler around the words that matter ("我想问…的那个"); cut out before taking bigrams.
_ZH_FILLER = re.compile("请问|我想问|想问一下|想问|我想|我要|问一下|一下|那个|这个|关于|[的吗呢吧啊呀]")
_ZH_STOP = word_set(
    "怎么 什么 一下 我的 你们 我们 可以 如何 请问 是不 不是 这个 那个 一个 为什 么办 的话 是什 了吗 是否 一直"
)


def features(text: str) -> frozenset[str]:
    """The set of matching features of `text` (normalised CJK bigrams and Latin words)."""
    norm = _ZH_FILLER.sub(" ", normalize(text))
    out: set[str] = set()
    for run in _CJK_RUN.findall(norm):
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w for w in _WORD.findall(norm) if w not in _EN_STOP and (len(w) > 1 or w.isdigit()))
    return frozenset(out - _ZH_STOP)


def coverage(query: frozenset[str], target: frozenset[str]) -> float:
    """Share of the query's features found in the target (0 when the query has none)."""
    return len(query & target) / len(query) if query else 0.0


def shared_score(query: frozenset[str], target: frozenset[str]) -> float:
    """Shared features, damped by the target's size so long passages do not win by length alone."""
    return len(query & target) / math.sqrt(len(target)) if target else 0.0
