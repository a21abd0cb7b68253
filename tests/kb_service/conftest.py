"""A sample-KB service for each test, on a copy of the session's `sample_seed` (tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kb_service.app import create_app
from kb_service.settings import Settings
from tests.conftest import Api, make_api


def sample_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, wait_for_index=True, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def sample_dir(sample_seed: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    shutil.copytree(sample_seed, target)
    return target


@pytest.fixture
def sample_api(sample_dir: Path) -> Iterator[Api]:
    with TestClient(create_app(sample_settings(sample_dir))) as client:
        yield make_api(client, sample_dir)
