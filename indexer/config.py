"""Everything that decides how a KB index is built and searched, in one explicit object."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from indexer.catalogue import CatalogueProduct
from indexer.tokenizer import TokenizerConfig

FusionMethod = Literal["rrf", "weighted"]


@dataclass(frozen=True)
class FusionConfig:
    """How BM25 and dense article rankings are combined (tuned on the eval DEV splits)."""

    method: FusionMethod = "weighted"  # min-max normalised scores beat RRF on every DEV set tried
    rrf_k: int = 60
    bm25_weight: float = 0.5
    # Entries with line chunks (one phrasing per line) have a stronger dense side (best line, whole
    # entry and the phrasings' centroid) than their BM25 side (one passage holds all lines), so BM25
    # weighs less for them: DEV hybrid MRR@10 banking77 0.869 at 0.1, 0.869 at 0.15, 0.868 at 0.2;
    # clinc150 0.888 / 0.890 / 0.891. Other entries keep 0.5 (lcqmc, atec, bq, insuranceqa_zh lose
    # 0.003-0.004 at 0.3), FAQs with similar questions too: BM25 indexes each of their questions
    # (docs/benchmarks.md, Bot decisions).
    bm25_weight_lines: float = 0.2
    dense_weight: float = 1.0
    code_boost: float = 0.5  # per matched code: rank-1 RRF votes (rrf) or normalised score units (weighted)
    # an article for a product the message names gains this, one only for other products loses half of
    # it (same units as code_boost): a preference between close candidates, never the whole ranking
    product_boost: float = 0.15
    depth: int = 100  # candidates taken from each side


@dataclass(frozen=True)
class IndexConfig:
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    bm25_k1: float = 1.5
    bm25_b: float = 0.75
    # 500 characters stay under e5's 512-token window; 300 split short entries and cost dense
    # MRR@10 (banking77 DEV 0.759 at 300, 0.821 at 600, clinc150 0.842 at 300, 0.850 at 500)
    chunk_max_chars: int = 500
    # one-line chunks this short (FAQ questions, similar questions, titles, one-line entries) are
    # embedded with e5's `query:` prefix, like the questions they are matched against (see
    # docs/benchmarks.md, Quality)
    query_embed_max_chars: int = 64
    chunking_version: int = (
        5  # bumped when chunking changes, so older snapshots are rebuilt (5: FAQ centroids)
    )
    dense_kind: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_threshold: int = 20_000
    hnsw_m: int = 32
    hnsw_ef_search: int = 64
    fusion: FusionConfig = field(default_factory=FusionConfig)
    # the KB's product catalogue: recognised in messages at query time (its names and aliases also
    # reach the tokenizer as user words, so the tokenizer hash already covers what the index depends on)
    catalogue: tuple[CatalogueProduct, ...] = ()

    def build_dict(self) -> dict[str, Any]:
        """What a snapshot must match to be served (search-time fusion settings may differ)."""
        data = asdict(self)
        data.pop("fusion")
        data.pop("catalogue")
        data["tokenizer"] = {"config_hash": self.tokenizer.config_hash()}
        return data
