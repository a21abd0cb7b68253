"""Semantic checks and normalisation of article content, shared by the editor API and bulk import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kb_service.schemas.kbs import KbSettings
from kb_service.settings import Settings

FAQ_FIELDS = ("question", "similar_questions", "answer", "channel_answers")
GUIDE_FIELDS = ("title", "body")
COMMON_FIELDS = ("external_id", "category", "products", "tags", "valid_from", "valid_to")
MAX_LIST_ITEMS = 50
MAX_LABEL_CHARS = 100


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str

    def as_detail(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def _dedupe(items: list[str], drop: str = "") -> list[str]:
    seen: set[str] = {drop} if drop else set()
    out = []
    for item in (i.strip() for i in items):
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Trim, de-duplicate and fill defaults so equal content compares equal (import 'unchanged')."""
    out = dict(doc)
    out["products"] = _dedupe(out.get("products") or [])
    out["tags"] = _dedupe(out.get("tags") or [])
    out["valid_from"] = as_utc(out.get("valid_from"))
    out["valid_to"] = as_utc(out.get("valid_to"))
    if out.get("type") == "faq":
        out["similar_questions"] = _dedupe(out.get("similar_questions") or [], drop=out.get("question") or "")
        out["channel_answers"] = {
            k: v.strip() for k, v in (out.get("channel_answers") or {}).items() if v and v.strip()
        }
    return out


def _length(field: str, value: str | None, limit: int, required: bool) -> list[FieldProblem]:
    if not value:
        return [FieldProblem(field, "must not be empty")] if required else []
    if len(value) > limit:
        return [FieldProblem(field, f"is {len(value)} characters long; the limit is {limit}")]
    return []


def _labels(field: str, values: list[str]) -> list[FieldProblem]:
    if len(values) > MAX_LIST_ITEMS:
        return [FieldProblem(field, f"has {len(values)} entries; the limit is {MAX_LIST_ITEMS}")]
    return [
        FieldProblem(f"{field}[{i}]", f"is longer than {MAX_LABEL_CHARS} characters")
        for i, v in enumerate(values)
        if len(v) > MAX_LABEL_CHARS
    ]


def _check_faq(doc: dict[str, Any], limits: Settings, kb: KbSettings) -> list[FieldProblem]:
    problems = _length("question", doc.get("question"), limits.max_question_chars, True)
    similar = doc.get("similar_questions") or []
    if len(similar) > limits.max_similar_questions:
        problems.append(
            FieldProblem(
                "similar_questions",
                f"has {len(similar)} entries; the limit is {limits.max_similar_questions}",
            )
        )
    else:
        for i, q in enumerate(similar):
            problems += _length(f"similar_questions[{i}]", q, limits.max_question_chars, True)
    problems += _length("answer", doc.get("answer"), limits.max_answer_chars, True)
    for channel, text in (doc.get("channel_answers") or {}).items():
        if channel not in kb.channels:
            problems.append(
                FieldProblem(
                    f"channel_answers.{channel}",
                    f"unknown channel '{channel}'; this knowledge base uses: {', '.join(kb.channels)}",
                )
            )
        problems += _length(f"channel_answers.{channel}", text, limits.max_answer_chars, False)
    return problems


def _check_guide(doc: dict[str, Any], limits: Settings) -> list[FieldProblem]:
    return _length("title", doc.get("title"), limits.max_title_chars, True) + _length(
        "body", doc.get("body"), limits.max_body_chars, True
    )


def check(doc: dict[str, Any], limits: Settings, kb: KbSettings) -> list[FieldProblem]:
    """Every problem with a normalised article dict, each naming its field."""
    kind = doc.get("type")
    if kind not in ("faq", "guide"):
        return [FieldProblem("type", "must be 'faq' or 'guide'")]
    wrong = GUIDE_FIELDS if kind == "faq" else FAQ_FIELDS
    problems = [
        FieldProblem(f, f"does not apply to an article of type '{kind}'") for f in wrong if doc.get(f)
    ]
    problems += _check_faq(doc, limits, kb) if kind == "faq" else _check_guide(doc, limits)
    category = doc.get("category")
    if category is not None and category not in kb.categories:
        problems.append(
            FieldProblem(
                "category",
                f"unknown category '{category}'; this knowledge base allows: {', '.join(kb.categories)}",
            )
        )
    problems += _labels("products", doc.get("products") or [])
    problems += _labels("tags", doc.get("tags") or [])
    problems += _length("external_id", doc.get("external_id"), 200, False)
    start, end = doc.get("valid_from"), doc.get("valid_to")
    if start and end and end <= start:
        problems.append(FieldProblem("valid_to", f"must be after valid_from ({start.isoformat()})"))
    return problems
