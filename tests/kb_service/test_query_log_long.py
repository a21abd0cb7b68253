"""A long message in the query log: stored as its first 2,000 characters, masked, never cut mid-number."""

from __future__ import annotations

from datetime import UTC, datetime

from kb_service.services.query_log.entry import MAX_STORED_CHARS, QueryLogEntry, stored_text, to_row


def _row(query: str) -> dict[str, object]:
    entry = QueryLogEntry(id="q1", kb_id=1, endpoint="answer", role="bot", query=query)
    return to_row(entry, datetime.now(UTC))


def test_short_messages_are_stored_whole() -> None:
    assert stored_text("电脑开不了机") == "电脑开不了机"
    assert _row("我的手机13812345678打不通")["query"] == "我的手机<PHONE>打不通"


def test_a_20000_character_paste_is_stored_as_its_start_with_a_note() -> None:
    text = "订单内容。" * 4_000
    row = _row(text)
    stored, normalized = str(row["query"]), str(row["normalized_query"])
    assert stored.startswith(text[:MAX_STORED_CHARS]) and stored.endswith("…[+18000 characters]")
    assert len(normalized) < MAX_STORED_CHARS + 30


def test_the_cut_never_leaves_part_of_a_phone_number_unmasked() -> None:
    text = "x" * (MAX_STORED_CHARS - 5) + " 13812345678 " + "y" * 100
    stored = str(_row(text)["query"])
    assert "138" not in stored and stored.endswith(f"…[+{len(text) - (MAX_STORED_CHARS - 4)} characters]")
