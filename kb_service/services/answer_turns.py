"""Bot turns the conversation settles without a search: a picked option, a yes / no to a confirmation,
a request for a human, "还是不行" after an answer, and small talk."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.documents import Article
from kb_service.assist.intents import is_failed_followup, wants_human
from kb_service.assist.options import pick_option
from kb_service.assist.smalltalk import SmallTalkKind, is_no, is_yes, small_talk
from kb_service.indexing import IndexManager
from kb_service.schemas.kbs import KbSettings
from kb_service.services.routing import queue_of_category
from kb_service.services.sessions import SessionState

PICKED_CONFIDENCE = 0.95  # the customer chose this question from the ones we offered


@dataclass
class Decision:
    decision: str  # answer | clarify | chitchat | handoff
    article: Article | None = None
    confidence: float = 0.0
    candidates: list[tuple[int, str]] = field(default_factory=list)
    reason: str | None = None
    queue: str | None = None
    confirm: bool = False  # a clarify with one candidate asked as a yes / no question
    alternatives: list[tuple[int, str]] = field(default_factory=list)  # offered if the confirm is declined
    small_talk: SmallTalkKind | None = None


def settled_by_conversation(
    indexes: IndexManager, kb: str, settings: KbSettings, state: SessionState, text: str
) -> Decision | None:
    """The decision the session and the message settle on their own, or None: search."""
    if state.last_decision == "clarify" and state.candidates:
        decision = _reply_to_offer(indexes, kb, state, text)
        if decision is not None:
            return decision
    if wants_human(text):
        queue = queue_of_category(settings, state.last_category) if state.last_category else None
        return Decision("handoff", reason="customer_request", queue=queue)
    if state.last_decision == "answer" and (is_failed_followup(text) or is_no(text)):
        return Decision(
            "handoff", reason="answer_did_not_help", queue=queue_of_category(settings, state.last_category)
        )
    kind = small_talk(text) or ("ack" if is_no(text) else None)
    return Decision("chitchat", small_talk=kind) if kind is not None else None


def _reply_to_offer(indexes: IndexManager, kb: str, state: SessionState, text: str) -> Decision | None:
    """A reply to the options or the confirmation the bot offered last turn."""
    if state.confirming and is_yes(text):
        return _picked(indexes, kb, state.candidates[0][0])
    if is_no(text):
        others = state.alternatives if state.confirming else []
        if len(others) >= 2:
            return Decision("clarify", None, 0.0, others, reason="declined_confirmation")
        if len(others) == 1:
            return Decision("clarify", None, 0.0, others, reason="declined_confirmation", confirm=True)
        reason = "declined_confirmation" if state.confirming else "declined_options"
        return Decision("handoff", reason=reason)
    picked = pick_option(text, [q for _, q in state.candidates])
    return _picked(indexes, kb, state.candidates[picked][0]) if picked is not None else None


def _picked(indexes: IndexManager, kb: str, article_id: int) -> Decision | None:
    article = indexes.article(kb, article_id)
    return Decision("answer", article, PICKED_CONFIDENCE) if article is not None else None
