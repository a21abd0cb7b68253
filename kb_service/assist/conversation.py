"""What the customer needs, read from a chat: the latest customer turns first, earlier ones as context.

Agent turns split the chat into blocks of customer turns; agent text is never taken as the customer's
need. Small talk ("你好", "好的谢谢") is left out, and greetings or thanks around a question are cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb_service.assist.smalltalk import SmallTalkKind, small_talk, strip_pleasantries
from kb_service.schemas.assist import MAX_QUERY_CHARS, Turn

MIN_QUERY_CHARS = 8  # a shorter latest block is read together with the customer's previous one


@dataclass(frozen=True)
class CustomerNeed:
    latest: str  # the latest customer block (joined with earlier ones while it is very short)
    latest_turns: list[int]  # indices in the conversation of the turns in `latest`
    earlier: str | None  # the customer block before those turns: context, weighed less
    earlier_turns: list[int]
    small_talk: SmallTalkKind | None  # set when the customer has said nothing but small talk


def read_conversation(conversation: list[Turn]) -> CustomerNeed:
    """Split the chat into customer blocks and pick the latest need and the context before it."""
    blocks: list[list[tuple[int, str]]] = [[]]
    last_talk: SmallTalkKind | None = None
    for i, turn in enumerate(conversation):
        text = turn.text.strip()
        if turn.role == "agent":
            if blocks[-1]:
                blocks.append([])
            continue
        kind = small_talk(text) if text else None
        if kind is not None:
            last_talk = kind
        elif text:
            blocks[-1].append((i, strip_pleasantries(text)))
    blocks = [b for b in blocks if b]
    if not blocks:
        return CustomerNeed("", [], None, [], last_talk or "ack")
    picked = list(blocks[-1])
    rest = blocks[:-1]
    while rest and len("".join(t for _, t in picked)) < MIN_QUERY_CHARS:
        picked = rest.pop() + picked
    earlier = rest[-1] if rest else []
    return CustomerNeed(
        _join(picked),
        [i for i, _ in picked],
        _join(earlier) if earlier else None,
        [i for i, _ in earlier],
        None,
    )


def _join(turns: list[tuple[int, str]]) -> str:
    return "，".join(t for _, t in turns)[-MAX_QUERY_CHARS:]
