"""Ready-to-send replies: extractive step selection from guides and channel-aware formatting."""

from __future__ import annotations

import re

from kb_service.assist.markdown_text import ListItem, clean_inline, list_items, to_plain_text
from kb_service.assist.overlap import features, shared_score

__all__ = ["compose_reply", "pick_steps", "to_plain_text", "truncate"]

MARKDOWN_CHANNELS = frozenset({"web", "app", "email"})
PLAIN_LIMITS = {"phone": 600, "wechat": 600, "sms": 300}  # body characters for plain-text channels
DEFAULT_PLAIN_LIMIT = 600
FIRST_STEP_BONUS = 0.2  # so a guide with no matching step still starts at step 1

_PHRASES = {
    "zh": ("您好，", "如还有其他问题，欢迎随时联系我们。", "请按以下步骤操作："),
    "en": ("Hello,", "If you have any other questions, feel free to ask.", "Please try the following steps:"),
}
_GREETED = re.compile(r"^(?:您好|你好|亲爱的|hello\b|hi\b|dear\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？!?；;…]+|\.(?=\s|$)")
_LINE_END = re.compile(r"\n")
_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])\s*|(?<=\.)\s+(?=[A-Z0-9\"'(])")
_NOT_PROSE = re.compile(r"^\s*(?:#|```|~~~|\|)")


def _item_text(item: ListItem, *, clean: bool) -> str:
    parts = [clean_inline(line) if clean else line for line in item.lines]
    return " ".join(part for part in parts if part)


def _sentences(markdown: str) -> list[str]:
    out: list[str] = []
    for line in markdown.splitlines():
        if line.strip() and not _NOT_PROSE.match(line):
            out += [s.strip() for s in _SENTENCE_SPLIT.split(clean_inline(line.strip())) if s.strip()]
    return out


def pick_steps(body_markdown: str, query: str, max_steps: int = 4) -> list[str]:
    """The guide steps most relevant to a customer's message, in the guide's own order.

    Args:
        body_markdown: the guide body; numbered items are the steps (bullets if it has none,
            sentences if it has no list at all).
        query: the customer's message.
        max_steps: how many steps to return at most.

    Returns:
        Step texts with Markdown removed and continuation lines joined, otherwise verbatim;
        scored by shared character bigrams / words with the query plus `FIRST_STEP_BONUS`.
    """
    if max_steps <= 0:
        return []
    items = list_items(body_markdown)
    chosen = [item for item in items if item.ordered] or items
    candidates = [text for text in (_item_text(i, clean=True) for i in chosen) if text]
    candidates = candidates or _sentences(body_markdown)
    wanted = features(query)
    scores = [shared_score(wanted, features(c)) for c in candidates]
    if scores:
        scores[0] += FIRST_STEP_BONUS
    best = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))[:max_steps]
    return [candidates[i] for i in sorted(best)]


def truncate(text: str, limit: int) -> str:
    """Cut `text` at the last sentence end within `limit` characters (hard cut with "…" if none is near)."""
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    cut = 0
    for pattern in (_SENTENCE_END, _LINE_END):  # a line end only if no sentence ends late enough
        ends = [m.end() for m in pattern.finditer(window) if limit // 2 <= m.end() <= limit]
        cut = cut or max(ends, default=0)
    return text[:cut].rstrip() if cut else text[: limit - 1].rstrip() + "…"


def _steps_of(body: str, *, clean: bool) -> list[str]:
    items = list_items(body)
    if items:
        return [_item_text(item, clean=clean) for item in items]
    return [line.strip() for line in body.splitlines() if line.strip()]


def _fit(steps: list[str], limit: int) -> list[str]:
    """As many whole steps as fit in `limit` characters (always at least the first, truncated)."""
    kept: list[str] = []
    used = 0
    for step in steps:
        used += len(step) + 4  # "1. " and the line break
        if kept and used > limit:
            break
        kept.append(truncate(step, limit) if not kept else step)
    return kept


def compose_reply(body: str, *, language: str, channel: str, kind: str) -> str:
    """A ready-to-send reply: greeting, the answer or numbered steps, closing.

    Args:
        body: an FAQ answer (Markdown), or for `kind="guide_steps"` the steps, one per line or
            as a Markdown list (e.g. `"\\n".join(pick_steps(...))`).
        language: the knowledge base's language; "zh…" gives Chinese phrasing, anything else English.
        channel: `web`, `app`, `email` keep Markdown; `phone`, `wechat`, `sms` (and unknown
            channels) get plain text cut near `PLAIN_LIMITS` characters at a sentence end.
        kind: `"guide_steps"` for steps, anything else (e.g. `"faq"`) for a plain answer.

    Raises:
        ValueError: if the body is empty.
    """
    if not body.strip():
        raise ValueError("cannot compose a reply from an empty body")
    greeting, closing, lead = _PHRASES["zh" if language.lower().startswith("zh") else "en"]
    plain = channel not in MARKDOWN_CHANNELS
    sep = "\n" if plain else "\n\n"
    limit = PLAIN_LIMITS.get(channel, DEFAULT_PLAIN_LIMIT)
    if kind == "guide_steps":
        steps = _steps_of(body, clean=plain)
        steps = _fit([" ".join(to_plain_text(s).split()) for s in steps], limit) if plain else steps
        text = lead + sep + "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
    else:
        text = truncate(to_plain_text(body), limit) if plain else body.strip()
    if not _GREETED.match(text):
        inline = greeting.endswith("，") and not re.match(r"\d+[.)、]|[-*+•] ", text)
        text = greeting + ("" if inline else sep) + text
    if not text.endswith(closing):
        text += sep + closing
    return text
