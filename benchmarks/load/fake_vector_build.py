"""Full index build of the load-test KB with random document vectors instead of encoder output.

    python benchmarks/load/fake_vector_build.py DATA_DIR

The vectors land in the service's embedding cache under the real encoder's name, so the serving
process later loads the snapshot (or rebuilds it) without embedding 100k passages for hours. Query
embeddings, calibration included, stay real.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

from indexer.bench.corpus import text_vectors
from kb_service.indexing import IndexManager, embedder
from kb_service.settings import get_settings


def main() -> None:
    os.environ["KB_DATA_DIR"] = sys.argv[1]
    settings = get_settings()

    def random_vectors(_model: object, texts: list[str], **_kwargs: object) -> np.ndarray:
        return text_vectors(texts, 384)

    embedder.encode_documents_parallel = random_vectors  # type: ignore[assignment]
    from kb_service.db import make_engine

    manager = IndexManager(make_engine(settings.resolved_database_url()), settings)
    summary = manager.build_now("default")
    manager.close()
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    Path(sys.argv[1], "load_build.done").touch()
