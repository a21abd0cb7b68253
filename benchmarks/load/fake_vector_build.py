"""Full index build of the load-test KB with stand-in document vectors instead of encoder output.

    python benchmarks/load/fake_vector_build.py DATA_DIR

Embedding 100k passages takes hours here, so only each FAQ's question is embedded for real (~19k short
texts, two worker processes, a few minutes) and every chunk of the FAQ gets that vector mixed with a
little of another FAQ's (chosen by the chunk's text): chunks of one FAQ stay close to each other and
every score stays in the encoder's real range. Random vectors would not do: a real query scores ~0.1
against them and ~0.8 against any FAQ an editor publishes during the test, so every new FAQ would
outrank the whole main segment and no cached result could survive a publish.

The vectors land in the service's embedding cache under the real encoder's name, so the serving
process later loads the snapshot (or rebuilds it) without embedding again. Query embeddings,
calibration included, stay real.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from indexer.bench.corpus import text_vectors
from indexer.encoders import encode_documents_parallel
from kb_service.indexing import IndexManager, embedder
from kb_service.settings import get_settings

OWN = 0.85  # the share of a chunk's own FAQ question in its vector


def faq_of_texts(corpus: Path) -> tuple[list[str], dict[str, int]]:
    """Every FAQ's question, and the FAQ each question, similar question or answer line belongs to."""
    questions: list[str] = []
    owner: dict[str, int] = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        n = len(questions)
        questions.append(row["question"])
        for text in (row["question"], *row["similar_questions"]):
            owner.setdefault(text.strip(), n)
    return questions, owner


def main() -> None:
    data_dir = Path(sys.argv[1])
    os.environ["KB_DATA_DIR"] = str(data_dir)
    settings = get_settings()
    questions, owner = faq_of_texts(data_dir / "load_corpus.jsonl")

    real: list[np.ndarray] = []  # the questions' vectors, embedded on the first call

    def stand_in_vectors(spec: object, texts: list[str], **kwargs: object) -> np.ndarray:
        if not real:
            real.append(encode_documents_parallel(spec, questions, workers=2, queries=True))  # type: ignore[arg-type]
        vectors = real[0]
        rows = []
        for text in texts:
            own = owner.get(text.strip(), owner.get(text.split("\n", 1)[0].strip()))  # answers start with it
            if own is None:
                rows.append(text_vectors([text], vectors.shape[1])[0])
                continue
            pick = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            mixed = OWN * vectors[own] + (1 - OWN) * vectors[pick % len(vectors)]
            rows.append(mixed / np.linalg.norm(mixed))
        return np.asarray(rows, dtype=np.float32)

    embedder.encode_documents_parallel = stand_in_vectors  # type: ignore[assignment]
    from kb_service.db import make_engine

    manager = IndexManager(make_engine(settings.resolved_database_url()), settings)
    summary = manager.build_now("default")
    manager.close()
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    Path(sys.argv[1], "load_build.done").touch()
