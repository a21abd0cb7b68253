"""Versioned snapshot folders with a manifest and checksums, published by an atomic pointer switch.

Layout: <root>/<name>/{manifest.json, articles.jsonl, chunks.jsonl, chunk_article.npy, bm25/*, dense.faiss}
and <root>/CURRENT holding the name of the folder being served. A build writes a `.tmp-*` folder,
validates it by loading it back, renames it into place and only then replaces CURRENT. The builder
holds a lock on a file in its `.tmp-*` folder, so a later build can tell the leftovers of a killed
one (lock free) from another process's build in progress, and clear them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indexer.documents import Article
from indexer.segment import Segment

FORMAT_VERSION = 1
KEEP = 2  # snapshots kept on disk (the current one and its predecessor)
BUILD_LOCK = ".building"  # in a `.tmp-*` folder: locked by its builder for as long as it writes


class SnapshotError(Exception):
    """A snapshot cannot be served: missing, corrupt, or built for another encoder or tokenizer."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _article_json(article: Article) -> str:
    data = asdict(article)
    for key in ("valid_from", "valid_to"):
        data[key] = data[key].isoformat() if data[key] else None
    return json.dumps(data, ensure_ascii=False)


def _article_from(data: dict[str, Any]) -> Article:
    for key in ("valid_from", "valid_to"):
        data[key] = datetime.fromisoformat(data[key]) if data[key] else None
    for key in ("similar_questions", "products", "tags"):
        data[key] = tuple(data[key])
    return Article(**data)


def _lock_build(folder: Path) -> int:
    """Mark `folder` as being written by this process: the OS drops the lock when the process dies."""
    fd = os.open(folder / BUILD_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _abandoned(folder: Path) -> bool:
    """A `.tmp-*` folder whose builder is gone (killed, crashed, power lost): nobody holds its lock."""
    try:
        fd = os.open(folder / BUILD_LOCK, os.O_RDWR)
    except OSError:  # no lock file (yet): its builder died at once, or has only just started
        return time.time() - folder.stat().st_mtime > 3600
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _free_space(folder: Path) -> str:
    try:
        return f" ({shutil.disk_usage(folder).free // 1024} KB free on that disk)"
    except OSError:
        return ""


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


class SnapshotStore:
    def __init__(self, root: Path):
        self.root = root

    def current_name(self) -> str | None:
        pointer = self.root / "CURRENT"
        return pointer.read_text().strip() if pointer.exists() else None

    def publish(
        self,
        segment: Segment,
        articles: dict[int, Article],
        identity: dict[str, Any],
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Write, verify and switch to a new snapshot; returns its name. Failure leaves CURRENT as it was."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        tmp = self.root / f".tmp-{name}"
        lock = None
        try:
            tmp.mkdir()
            lock = _lock_build(tmp)
            files = segment.save(tmp)
            with open(tmp / "articles.jsonl", "w", encoding="utf-8") as fh:
                for article in sorted(articles.values(), key=lambda a: a.id):
                    fh.write(_article_json(article) + "\n")
            manifest = {
                "format_version": FORMAT_VERSION,
                "name": name,
                "built_at": datetime.now(UTC).isoformat(),
                "identity": identity,
                "counts": {
                    "articles": len(articles),
                    "chunks": len(segment),
                    "vectors": segment.dense.ntotal if segment.dense else 0,
                },
                "dense": segment.dense.params if segment.dense else None,
                "article_versions": {str(a.id): a.version for a in articles.values()},
                "files": {f: _sha256(tmp / f) for f in [*files, "articles.jsonl"]},
                **(extra or {}),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
            _fsync_tree(tmp)
            self._load_folder(tmp, identity)  # a snapshot that cannot be read back is never published
            (tmp / BUILD_LOCK).unlink()
            os.rename(tmp, self.root / name)
            pointer_tmp = self.root / f".CURRENT-{name}"
            pointer_tmp.write_text(name)
            os.replace(pointer_tmp, self.root / "CURRENT")
        except OSError as exc:  # disk full, quota, permissions: say where, and how much room is left
            raise OSError(
                f"cannot write snapshot {name} in {self.root}: {exc}{_free_space(self.root)}"
            ) from exc
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if lock is not None:
                os.close(lock)
        self._prune(keep=name)
        return name

    def load(self, identity: dict[str, Any]) -> tuple[Segment, dict[int, Article], dict[str, Any]]:
        """Load the current snapshot, checking format, identity (encoder, tokenizer, config) and checksums."""
        name = self.current_name()
        if name is None:
            raise SnapshotError(f"no snapshot in {self.root}")
        return self._load_folder(self.root / name, identity)

    def _load_folder(
        self, folder: Path, identity: dict[str, Any]
    ) -> tuple[Segment, dict[int, Article], dict[str, Any]]:
        try:
            manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"snapshot {folder.name}: unreadable manifest ({exc})") from exc
        if manifest.get("format_version") != FORMAT_VERSION:
            raise SnapshotError(
                f"snapshot {folder.name}: format {manifest.get('format_version')}, "
                f"this version reads {FORMAT_VERSION}"
            )
        if manifest.get("identity") != identity:
            raise SnapshotError(
                f"snapshot {folder.name} was built with {manifest.get('identity')}, "
                f"but the service runs {identity}; it must be rebuilt"
            )
        for file, digest in manifest["files"].items():
            path = folder / file
            if not path.exists() or _sha256(path) != digest:
                raise SnapshotError(
                    f"snapshot {folder.name}: {file} is missing or corrupt (checksum mismatch)"
                )
        try:
            segment = Segment.load(folder, with_dense=manifest["counts"]["vectors"] > 0)
            with open(folder / "articles.jsonl", encoding="utf-8") as fh:
                articles = [_article_from(json.loads(line)) for line in fh if line.strip()]
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            raise SnapshotError(f"snapshot {folder.name}: cannot be loaded ({exc})") from exc
        return segment, {a.id: a for a in articles}, manifest

    def _prune(self, keep: str) -> None:
        folders = sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        for old in [p for p in folders if p.name != keep][: max(0, len(folders) - KEEP)]:
            shutil.rmtree(old, ignore_errors=True)
        for stale in self.root.glob(".tmp-*"):  # left by a build that was killed mid-way
            if stale.is_dir() and _abandoned(stale):
                shutil.rmtree(stale, ignore_errors=True)
