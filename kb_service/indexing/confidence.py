"""Per-KB answer-confidence calibration: fitted after each full build, stored beside the snapshots."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from indexer.calibration import Calibrator, fit_calibrator
from indexer.encoders import EncoderError
from indexer.engine import LiveIndex
from kb_service.indexing.embedder import Embedder

log = logging.getLogger(__name__)
FILE_NAME = "calibration.json"
UNFITTED = Calibrator(None, None, {"source": "default"})


def load(root: Path, snapshot: str | None) -> Calibrator | None:
    """The stored calibration of `snapshot`, or None when it is missing, unreadable or for another one."""
    try:
        data = json.loads((root / FILE_NAME).read_text("utf-8"))
        if data.get("snapshot") != snapshot:
            return None
        return Calibrator.from_dict(data["calibrator"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fit_and_save(root: Path, snapshot: str | None, live: LiveIndex, embedder: Embedder) -> Calibrator:
    """Fit on the live index (dense model only when it has vectors) and write it atomically."""
    has_dense = embedder.encoder is not None and live.state.main.dense is not None
    try:
        calibrator = fit_calibrator(live, embedder.queries if has_dense else None)
    except EncoderError as exc:
        log.warning("calibration without the dense side (encoder failed: %s)", exc)
        calibrator = fit_calibrator(live, None)
    tmp = root / f".{FILE_NAME}.tmp"
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"snapshot": snapshot, "calibrator": calibrator.to_dict()}), "utf-8")
        os.replace(tmp, root / FILE_NAME)
    except OSError as exc:  # the fitted model still serves from memory
        log.warning("could not store the calibration: %s", exc)
    return calibrator
