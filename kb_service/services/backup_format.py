"""The backup file format: its records and fields, and the check of a whole file before a restore.

A file is gzip'd JSON lines: a header (format and kbsearch versions, created_at, source KB, counts,
SHA-256 of the body), then one record per line: the `kb` first (settings, dictionary and, since
format 2, the product catalogue), then `article`s, then `api_key`s.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlmodel import SQLModel

from kb_service.errors import InvalidInput
from kb_service.schemas.catalogue import Catalogue, conflicts
from kb_service.schemas.kbs import KbSettings

# 2: the kb record carries the product catalogue; a version 1 file restores with an empty one
FORMAT, FORMAT_VERSION = "kbsearch-backup", 2
READABLE_VERSIONS = (1, 2)
# The columns copied as they are (ids and kb_id are not: the target database assigns them)
KB_FIELDS = (
    *("name", "language", "settings", "user_words", "synonyms", "dictionary_version"),
    *("created_at", "updated_at"),
)
ARTICLE_FIELDS = (
    *("type", "external_id", "title", "status", "review_requested", "category", "products", "tags"),
    *("content", "valid_from", "valid_to", "version", "created_at", "updated_at", "created_by", "updated_by"),
)
# written since format 2; a kb record without them gets an empty catalogue at version 1
KB_OPTIONAL_FIELDS: dict[str, Any] = {"catalogue": [], "catalogue_version": 1}
VERSION_FIELDS = ("version", "action", "snapshot", "created_at", "created_by")
KEY_FIELDS = ("name", "role", "key_hash", "prefix", "created_at", "expires_at", "revoked_at")
STAMPS = ("created_at", "updated_at", "valid_from", "valid_to", "expires_at", "revoked_at")
KINDS = {
    "kb": (*KB_FIELDS, "slug"),
    "article": (*ARTICLE_FIELDS, "id", "versions"),
    "api_key": (*KEY_FIELDS, "id", "kbs"),
}


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)).isoformat()


def plain(row: SQLModel, fields: tuple[str, ...]) -> dict[str, Any]:
    values = {f: getattr(row, f) for f in fields}
    return {f: iso(v) if isinstance(v, datetime) else v for f, v in values.items()}


def typed(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: datetime.fromisoformat(record[f]) if f in STAMPS and record[f] else record[f] for f in fields}


def record_counts(record: dict[str, Any]) -> dict[str, int]:
    if record["kind"] == "kb":
        counts = {"user_words": len(record["user_words"]), "synonym_groups": len(record["synonyms"])}
        return counts | {"catalogue_products": len(record.get("catalogue") or [])}
    if record["kind"] == "article":
        return {"articles": 1, "versions": len(record["versions"])}
    return {"api_keys": 1}


def total_counts(counts: Counter[str]) -> dict[str, int]:
    names = ("articles", "versions", "user_words", "synonym_groups", "api_keys")
    totals = {name: counts[name] for name in names}
    if counts["catalogue_products"]:  # only then: files without a catalogue keep the counts they had
        totals["catalogue_products"] = counts["catalogue_products"]
    return totals


def kb_catalogue(record: dict[str, Any]) -> dict[str, Any]:
    """The kb record's catalogue fields, defaults for a file written before they existed."""
    return {f: record.get(f, default) for f, default in KB_OPTIONAL_FIELDS.items()}


# ---- check ----------------------------------------------------------------------------------------
def _corrupt(path: Path, problem: str) -> InvalidInput:
    return InvalidInput(f"{path.name} is not a usable kbsearch backup: {problem}; nothing was restored")


def read_lines(path: Path) -> Iterator[bytes]:
    try:
        with gzip.open(path, "rb") as packed:
            yield from packed
    except (OSError, EOFError, zlib.error) as exc:
        raise _corrupt(path, f"truncated or damaged file ({exc})") from exc


def _parse(path: Path, line: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as exc:
        raise _corrupt(path, f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise _corrupt(path, f"{what} is not a JSON object")
    return value


def _check_record(path: Path, record: dict[str, Any], number: int) -> None:
    kind = record.get("kind")
    if kind not in KINDS or (number == 0) != (kind == "kb"):
        raise _corrupt(path, f"record {number + 1} has kind {kind!r} here")
    missing = [f for f in KINDS[kind] if f not in record]
    if missing:
        raise _corrupt(path, f"record {number + 1} ({kind}) lacks {', '.join(missing)}")
    try:
        typed(record, tuple(f for f in KINDS[kind] if f in STAMPS))
        if kind == "kb":
            KbSettings.model_validate(record["settings"])
            _check_catalogue(kb_catalogue(record))
        if kind == "article":
            _check_article(record)
    except (ValueError, TypeError, KeyError) as exc:  # pydantic's ValidationError is a ValueError
        raise _corrupt(path, f"record {number + 1} ({kind}) has invalid content") from exc


def _check_catalogue(fields: dict[str, Any]) -> None:
    products = Catalogue.model_validate({"products": fields["catalogue"]}).products
    if conflicts(products) or type(fields["catalogue_version"]) is not int or fields["catalogue_version"] < 1:
        raise ValueError("the product catalogue is not valid")


def _check_article(record: dict[str, Any]) -> None:
    if record["type"] not in ("faq", "guide") or record["status"] not in ("draft", "published", "archived"):
        raise ValueError("unknown type or status")
    numbers = [v["version"] for v in record["versions"]]
    if len(set(numbers)) != len(numbers) or not all(
        isinstance(n, int) for n in [record["version"], *numbers]
    ):
        raise ValueError("version numbers must be distinct integers")
    for v in record["versions"]:
        typed(v, VERSION_FIELDS)


class Verified(NamedTuple):
    header: dict[str, Any]
    article_ids: list[object]  # as written in the file (restore keeps them when they are free)


def verify(path: Path) -> Verified:
    """Read the whole file and check header, checksum, counts and records; returns the header and
    the article ids."""
    lines = read_lines(path)
    header = _parse(path, next(lines, b""), "the header")
    if header.get("format") != FORMAT:
        raise _corrupt(path, "no kbsearch backup header")
    if header.get("format_version") not in READABLE_VERSIONS:
        readable = " and ".join(str(v) for v in READABLE_VERSIONS)
        raise _corrupt(
            path,
            f"format version {header.get('format_version')} (written by kbsearch "
            f"{header.get('kbsearch_version')}); this version reads {readable}",
        )
    digest, counts, number, article_ids = hashlib.sha256(), Counter[str](), 0, []
    for number, line in enumerate(lines):
        digest.update(line)
        record = _parse(path, line, f"record {number + 1}")
        _check_record(path, record, number)
        counts.update(record_counts(record))
        if record["kind"] == "article":
            article_ids.append(record["id"])
    if digest.hexdigest() != header.get("body_sha256"):
        raise _corrupt(path, "checksum mismatch (the file was cut short or changed)")
    if total_counts(counts) != header.get("counts"):
        raise _corrupt(path, f"counts {total_counts(counts)} differ from the header's {header.get('counts')}")
    return Verified(header, article_ids)


# ---- restore --------------------------------------------------------------------------------------
