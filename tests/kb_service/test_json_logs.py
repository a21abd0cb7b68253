"""Structured logs: one JSON request line per request, with the query_id and never the query text."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kb_service.app import create_app
from kb_service.logging_setup import REQUEST_LOGGER, JsonFormatter, configure_logging
from tests.conftest import Api, make_api
from tests.kb_service.conftest import sample_settings

QUERY = "电脑开不了机怎么办 张三 13800138000"


@pytest.fixture
def log_api(sample_dir: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Api]:
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    with TestClient(create_app(sample_settings(sample_dir, log_format="json"))) as client:
        api = make_api(client, sample_dir)
        caplog.clear()
        yield api


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == REQUEST_LOGGER]


def _key_id(api: Api, role: str) -> int:
    keys = api.client.get("/v1/keys", headers=api.headers()).json()["items"]
    prefix = api.keys[role][:10]
    return int(next(k["id"] for k in keys if k["prefix"] == prefix))


def test_search_logs_one_line_with_query_id_route_and_status(
    log_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    r = log_api.client.post("/v1/kbs/default/search", json={"query": QUERY}, headers=log_api.headers("agent"))
    assert r.status_code == 200, r.text
    lines = _lines(caplog)
    assert len(lines) == 1
    line = lines[0]
    assert line["query_id"] == r.json()["query_id"]
    assert line["route"] == "/v1/kbs/{kb}/search" and line["method"] == "POST" and line["status"] == 200
    assert line["kb"] == "default" and line["level"] == "INFO" and line["logger"] == REQUEST_LOGGER
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0
    assert line["key_id"] == _key_id(log_api, "agent")
    assert {"timestamp", "message"} <= set(line)
    everything = "\n".join(JsonFormatter().format(rec) for rec in caplog.records)
    for secret in ("开不了机", "13800138000", "\\u5f00", log_api.keys["agent"]):
        assert secret not in everything


@pytest.mark.parametrize(
    ("path", "body", "role"),
    [("/v1/kbs/default/answer", {"query": QUERY}, "bot"), ("/v1/kbs/default/suggest", None, "agent")],
)
def test_answer_and_suggest_lines_carry_their_query_id(
    log_api: Api, caplog: pytest.LogCaptureFixture, path: str, body: dict[str, Any] | None, role: str
) -> None:
    body = body or {"conversation": [{"role": "customer", "text": QUERY}]}
    r = log_api.client.post(path, json=body, headers=log_api.headers(role))
    assert r.status_code == 200, r.text
    (line,) = _lines(caplog)
    assert line["query_id"] == r.json()["query_id"] and line["status"] == 200


def test_unauthenticated_request_logs_401_without_key(log_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    r = log_api.client.post(
        "/v1/kbs/default/search", json={"query": QUERY}, headers={"Authorization": "Bearer x"}
    )
    assert r.status_code == 401
    (line,) = _lines(caplog)
    assert line["status"] == 401 and line["route"] == "/v1/kbs/{kb}/search"
    assert "key_id" not in line and "query_id" not in line


def test_unknown_path_is_logged_as_unmatched(log_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    assert log_api.client.get("/nope/张三").status_code == 404
    (line,) = _lines(caplog)
    assert line["route"] == "unmatched" and line["status"] == 404


def test_text_format_has_no_request_lines(sample_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    with TestClient(create_app(sample_settings(sample_dir, log_format="text"))) as client:
        assert client.get("/healthz").status_code == 200
    assert not [r for r in caplog.records if r.name == REQUEST_LOGGER]


def test_formatter_escapes_non_ascii_and_keeps_extras() -> None:
    record = logging.LogRecord(
        "kb_service.test", logging.WARNING, __file__, 1, "知识库 %s", ("已发布",), None
    )
    record.kb = "售后"
    record.latency_ms = 1.5
    text = JsonFormatter().format(record)
    assert text.isascii() and "\n" not in text
    parsed = json.loads(text)
    assert parsed["message"] == "知识库 已发布" and parsed["kb"] == "售后" and parsed["latency_ms"] == 1.5
    assert parsed["level"] == "WARNING" and parsed["logger"] == "kb_service.test"


def test_formatter_includes_exceptions() -> None:
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    parsed = json.loads(JsonFormatter().format(record))
    assert "ValueError" in parsed["exception"] and "坏了" in parsed["exception"]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers, root.level = saved[0], saved[1]


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_writes_json_lines_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    logging.getLogger("uvicorn.error").info("started 服务")
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == "started 服务" and json.loads(line)["logger"] == "uvicorn.error"
