"""API keys: random tokens kept as SHA-256 hashes, looked up in memory; roles admin > editor > agent > bot."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kb_service.errors import Forbidden, Unauthorized
from kb_service.models import ApiKey

ROLES = ("bot", "agent", "editor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
KEY_PREFIX = "kb_"


def new_token() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who made a change, as recorded in versions and the audit trail: the key's name and id (names need
    not be unique, ids are); `key_id` is None for the service itself and the command line."""

    name: str
    key_id: int | None = None


@dataclass(frozen=True)
class Principal:
    """The caller behind a request: which key, which role, which KBs (None = all)."""

    key_id: int
    name: str
    role: str
    kbs: tuple[str, ...] | None
    key_hash: str
    expires_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.key_id or None)

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def can_access(self, kb: str) -> bool:
        return self.kbs is None or kb in self.kbs

    def require(self, role: str, kb: str | None = None) -> None:
        if not self.has_role(role):
            raise Forbidden(f"this needs the '{role}' role; the key '{self.name}' has role '{self.role}'")
        if kb is not None and not self.can_access(kb):
            raise Forbidden(f"the key '{self.name}' is not allowed to use knowledge base '{kb}'")


def _principal(row: ApiKey) -> Principal:
    assert row.id is not None
    kbs = tuple(row.kbs) if row.kbs is not None else None
    return Principal(row.id, row.name, row.role, kbs, row.key_hash, row.expires_at)


class KeyRing:
    """In-memory cache of active keys by hash; a miss falls back to one indexed database lookup."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._by_hash: dict[str, Principal] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        with Session(self._engine) as session:
            rows = session.exec(select(ApiKey).where(ApiKey.revoked_at == None)).all()  # noqa: E711
        with self._lock:
            self._by_hash = {row.key_hash: _principal(row) for row in rows}

    def remember(self, row: ApiKey) -> None:
        with self._lock:
            self._by_hash[row.key_hash] = _principal(row)

    def forget(self, key_hash: str) -> None:
        with self._lock:
            self._by_hash.pop(key_hash, None)

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("malformed Authorization header: expected 'Bearer <key>'")
        digest = hash_token(token.strip())
        principal = self._by_hash.get(digest) or self._lookup(digest)
        # The dict lookup is by hash; compare the full digest in constant time as well.
        if principal is None or not hmac.compare_digest(principal.key_hash, digest):
            raise Unauthorized("unknown or revoked API key")
        if principal.expires_at is not None and principal.expires_at <= datetime.now(UTC):
            raise Unauthorized(f"the API key '{principal.name}' has expired")
        return principal

    def _lookup(self, digest: str) -> Principal | None:
        with Session(self._engine) as session:
            row = session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first()
        if row is None or row.revoked_at is not None:
            return None
        principal = _principal(row)
        with self._lock:
            self._by_hash[digest] = principal
        return principal
