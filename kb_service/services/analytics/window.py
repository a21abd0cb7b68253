"""The reporting window (whole UTC days ending today) and SQL helpers that work on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from kb_service.models import utcnow


def window(days: int, now: datetime | None = None) -> tuple[datetime, list[date]]:
    """Start of the window (midnight UTC, `days - 1` days before today) and its dates, oldest first."""
    today = (now or utcnow()).astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    return datetime.combine(first, time(), UTC), [first + timedelta(days=i) for i in range(days)]


def utc_day(session: Session, column: Any) -> ColumnElement[str]:
    """The UTC date of a timestamp column as 'YYYY-MM-DD'."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    # SQLite keeps UTCDateTime values as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC.
    return func.substr(column, 1, 10)


def rate(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
