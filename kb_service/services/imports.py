"""Bulk import: parse an upload, validate every record, match existing articles, write all or nothing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from kb_service.auth import Actor, Principal
from kb_service.errors import InvalidInput
from kb_service.importing import ImportProblem, ParsedCatalogue, ParsedRecord, ParseLimits, read_upload
from kb_service.models import Article, ImportRecord, KnowledgeBase
from kb_service.schemas.articles import ArticleIn
from kb_service.schemas.catalogue import Catalogue, Product, conflicts, field_path
from kb_service.services import article_rules, articles, audit, catalogue
from kb_service.services.listener import IndexListener
from kb_service.settings import Settings


@dataclass
class Plan:
    record: ParsedRecord
    doc: dict[str, Any]
    status: str | None
    existing: Article | None
    action: str  # created / updated / unchanged


def _problem(rec: ParsedRecord, field: str | None, message: str) -> dict[str, Any]:
    return {"file": rec.file, "row": rec.row, "field": field, "message": message}


def _as_doc(
    rec: ParsedRecord, kb: KnowledgeBase, limits: Settings
) -> tuple[dict[str, Any] | None, list[dict]]:
    try:
        data = ArticleIn.model_validate(rec.data)
    except ValidationError as exc:
        return None, [
            _problem(rec, ".".join(str(p) for p in e["loc"]) or None, e["msg"]) for e in exc.errors()
        ]
    raw = data.model_dump(exclude={"status"})
    raw["type"] = data.type or ("guide" if data.title and not data.question else "faq")
    doc = article_rules.normalise(raw)
    problems = article_rules.check(doc, limits, articles.kb_settings(kb))
    return doc, [_problem(rec, p.field, p.message) for p in problems]


def _same_title(session: Session, kb: KnowledgeBase, doc: dict[str, Any]) -> list[Article]:
    """Live articles of the doc's type whose standard question (FAQ) or title (guide) equals its own."""
    title = doc["question"] if doc["type"] == "faq" else doc["title"]
    return list(
        session.exec(
            select(Article)
            .where(
                Article.kb_id == kb.id,
                Article.type == doc["type"],
                Article.status != "archived",
                Article.title == title,
            )
            .order_by(col(Article.id))
        ).all()
    )


def _match(session: Session, kb: KnowledgeBase, doc: dict[str, Any]) -> Article | None:
    if doc.get("external_id"):
        found = session.exec(
            select(Article).where(Article.kb_id == kb.id, Article.external_id == doc["external_id"])
        ).first()
        if found is not None:
            return found
    # Then FAQs by exact standard question and guides by exact title, so that re-importing a file (or an
    # export) without external ids updates instead of duplicating; never an article that carries a
    # different external id (that would silently rename it; an FAQ question clash is reported instead).
    candidates = _same_title(session, kb, doc)
    if doc.get("external_id"):
        candidates = [c for c in candidates if not c.external_id]
    return candidates[0] if candidates else None


def _identities(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, value) pairs that must be unique within one upload: the external id, an FAQ's question
    (unique among live FAQs, as in the editor API) and the title of a guide without an external id."""
    found = [("external_id", doc["external_id"])] if doc.get("external_id") else []
    if doc["type"] == "faq":
        found.append(("question", doc["question"]))
    elif not found:
        found.append(("title", doc["title"]))
    return found


def _may_clash(plan: Plan) -> bool:
    """False when matching already showed that no other live FAQ has this question: a new row without
    an external id (it would have matched it), or a live article whose question stays the same."""
    if plan.existing is None:
        return bool(plan.doc.get("external_id"))
    return plan.existing.status == "archived" or plan.existing.title != plan.doc["question"]


def _question_conflicts(
    session: Session, kb: KnowledgeBase, plans: list[Plan], known: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rows whose FAQ question another live FAQ already has (one this upload does not rewrite)."""
    problems: list[dict[str, Any]] = []
    while True:  # a rejected row leaves its article's question in place, which may clash in turn
        bad = {(e["file"], e["row"]) for e in known + problems}
        live = [p for p in plans if (p.record.file, p.record.row) not in bad]
        rewritten = {p.existing.id for p in live if p.existing is not None}
        new = []
        for plan in live:
            if plan.doc["type"] != "faq" or plan.status == "archived" or not _may_clash(plan):
                continue
            own = plan.existing.id if plan.existing is not None else None
            other = next(
                (a for a in _same_title(session, kb, plan.doc) if a.id != own and a.id not in rewritten),
                None,
            )
            if other is not None:
                ref = f" (external_id '{other.external_id}')" if other.external_id else ""
                new.append(
                    _problem(plan.record, "question", f"article {other.id}{ref} already has this question")
                )
        if not new:
            return problems
        problems += new


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in articles.DOC_FIELDS if k != "external_id" or doc.get(k)}


def _plan(
    session: Session,
    kb: KnowledgeBase,
    records: list[ParsedRecord],
    limits: Settings,
    default_status: str | None,
) -> tuple[list[Plan], list[dict[str, Any]]]:
    plans: list[Plan] = []
    errors: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    for rec in records:
        doc, problems = _as_doc(rec, kb, limits)
        status = rec.data.get("status") or None
        if doc is not None and not problems:
            for field, value in _identities(doc):
                if (field, value) in seen:
                    problems.append(_problem(rec, field, f"duplicate of {seen[field, value]} in this upload"))
                seen.setdefault((field, value), f"{rec.file} row {rec.row}")
        if problems or doc is None:
            errors.extend(problems)
            continue
        existing = _match(session, kb, doc)
        if existing is None:
            plans.append(Plan(rec, doc, status or default_status or "draft", None, "created"))
            continue
        same = _comparable(articles.doc_of(existing)) == _comparable(
            {**doc, "external_id": doc.get("external_id") or existing.external_id}
        )
        target = status or existing.status
        plans.append(
            Plan(rec, doc, target, existing, "unchanged" if same and target == existing.status else "updated")
        )
    return plans, errors


def _check_publish(plans: list[Plan], kb: KnowledgeBase, actor: Principal) -> list[dict[str, Any]]:
    if not articles.kb_settings(kb).require_review or actor.has_role("admin"):
        return []
    return [
        _problem(
            p.record,
            "status",
            "this knowledge base requires review; only admins can import published articles",
        )
        for p in plans
        if p.status == "published" and (p.existing is None or p.existing.status != "published")
    ]


def _write(session: Session, kb: KnowledgeBase, plans: list[Plan], actor: Actor) -> list[int]:
    changed_live = []
    for plan in plans:
        if plan.action == "unchanged":
            continue
        if plan.existing is None:
            row = articles.new_article(session, kb, plan.doc, plan.status or "draft", actor)
        else:
            row, was_live = plan.existing, plan.existing.status == "published"
            if not plan.doc.get("external_id"):
                plan.doc["external_id"] = row.external_id
            articles._apply(row, plan.doc)
            row.status, row.version = plan.status or row.status, row.version + 1
            articles.save_version(session, row, "import", actor)
            if was_live:
                changed_live.append(row.id or 0)
        if row.status == "published":
            changed_live.append(row.id or 0)
    return sorted(set(changed_live))


def run_import(
    session: Session,
    kb: KnowledgeBase,
    filename: str,
    content: bytes,
    actor: Principal,
    limits: Settings,
    listener: IndexListener,
    dry_run: bool = False,
    partial: bool = False,
    default_status: str | None = None,
) -> dict[str, Any]:
    upload = read_upload(
        filename,
        content,
        ParseLimits(max_upload_bytes=limits.max_upload_bytes, max_rows=limits.max_import_rows),
    )
    errors = [_file_problem(p) for p in upload.problems]
    products, catalogue_errors = _catalogue(upload.catalogue)
    plans, row_errors = _plan(session, kb, upload.records, limits, default_status)
    errors += catalogue_errors + row_errors + _check_publish(plans, kb, actor)
    errors += _question_conflicts(session, kb, plans, errors)
    bad_rows = {(e["file"], e["row"]) for e in errors}
    plans = [p for p in plans if (p.record.file, p.record.row) not in bad_rows]
    result = _summary(plans, errors, dry_run) | {"catalogue": _catalogue_summary(kb, products)}
    _log(session, kb, filename, content, actor, dry_run, partial, result, ok=partial or not errors)
    if errors and not partial:
        session.commit()
        raise InvalidInput(
            f"import rejected, nothing was written: {len(errors)} problem(s); first: {_describe(errors[0])}",
            errors,
        )
    if dry_run:
        session.commit()
        return result
    changed = _write(session, kb, plans, actor.actor)
    new_catalogue = products is not None and result["catalogue"]["action"] == "replaced"
    if products is not None and new_catalogue:
        catalogue.replace(session, kb, products, kb.catalogue_version, actor.actor)  # 409 on a race
    counts = {k: result[k] for k in ("created", "updated", "unchanged")}
    audit.record(session, actor.actor, "import", "import", filename[:64], kb_id=kb.id, **counts)
    session.commit()
    if new_catalogue:
        listener.dictionary_changed(kb.slug)  # a full rebuild, which also takes the changed articles
    elif changed:
        listener.articles_changed(kb.slug, changed)
    return result


def _catalogue(parsed: ParsedCatalogue | None) -> tuple[list[Product] | None, list[dict[str, Any]]]:
    """The upload's validated catalogue (None when it has none), or the problems that refuse it."""
    if parsed is None:
        return None, []
    try:
        data = Catalogue.model_validate({"products": parsed.products})
    except ValidationError as exc:
        found = [(field_path(e["loc"]), e["msg"]) for e in exc.errors()]
    else:
        found = [(p["field"], p["message"]) for p in conflicts(data.products)]
        if not found:
            return data.products, []
    return None, [_catalogue_problem(parsed, field, message) for field, message in found]


def _catalogue_problem(parsed: ParsedCatalogue, field: str, message: str) -> dict[str, Any]:
    index = re.match(r"products\[(\d+)\]", field)
    row = parsed.row
    if parsed.rows and index and int(index.group(1)) < len(parsed.rows):
        row = parsed.rows[int(index.group(1))]  # the sheet row of that product
    return {"file": parsed.file, "row": row, "field": field, "message": message}


def _catalogue_summary(kb: KnowledgeBase, products: list[Product] | None) -> dict[str, Any] | None:
    """What the import does to the catalogue: None when the upload has none (it stays as it is)."""
    if products is None:
        return None
    same = catalogue.stored(products) == kb.catalogue
    aliases = sum(len(p.aliases) for p in products)
    return {"action": "unchanged" if same else "replaced", "products": len(products), "aliases": aliases}


def _file_problem(p: ImportProblem) -> dict[str, Any]:
    return {"file": p.file, "row": p.row, "field": p.field, "message": p.message}


def _describe(error: dict[str, Any]) -> str:
    where = error["file"] + (f" row {error['row']}" if error.get("row") else "")
    return f"{where}{' field ' + error['field'] if error.get('field') else ''}: {error['message']}"


def _summary(plans: list[Plan], errors: list[dict[str, Any]], dry_run: bool) -> dict[str, Any]:
    counts = {a: sum(1 for p in plans if p.action == a) for a in ("created", "updated", "unchanged")}
    items = [
        {
            "file": p.record.file,
            "row": p.record.row,
            "action": p.action,
            "article_id": p.existing.id if p.existing else None,
            "type": p.doc["type"],
            "title": p.doc.get("question") or p.doc.get("title"),
        }
        for p in plans
    ]
    return {**counts, "errors": errors, "dry_run": dry_run, "items": items}


def _log(
    session: Session,
    kb: KnowledgeBase,
    filename: str,
    content: bytes,
    actor: Principal,
    dry_run: bool,
    partial: bool,
    result: dict[str, Any],
    ok: bool,
) -> None:
    assert kb.id is not None
    summary = {k: result[k] for k in ("created", "updated", "unchanged", "catalogue")}
    summary["errors"] = result["errors"][:100]
    session.add(
        ImportRecord(
            kb_id=kb.id,
            filename=filename[:500],
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            dry_run=dry_run,
            partial=partial,
            succeeded=ok,
            result=summary,
            created_by=actor.name,
        )
    )
