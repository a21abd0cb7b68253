"""`kb bench` output: the DESIGN.md targets checked against the figures, and Markdown tables."""

from __future__ import annotations

from typing import Any

# (name, limit, unit) — the "Targets" section of DESIGN.md
TARGETS = {
    "bm25_top10_p50": (1.0, "ms"),
    "dense_top10_p50": (2.0, "ms"),
    "hybrid_minus_encoder_p50": (3.0, "ms"),
    "publish_found_by_bm25_max": (1000.0, "ms"),
    "publish_found_by_dense_max": (1000.0, "ms"),
    "memory_beyond_raw_per_chunk": (4096.0, "B"),
}


def check_targets(r: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target's measured value, limit and verdict."""
    q, p, m = r["query"], r["publish"], r["memory"]
    bm25_found = [p["new_found_bm25_ms"], p["edit_found_bm25_ms"], p["remove_gone_ms"]]
    values = {
        "bm25_top10_p50": q["bm25_top10_raw"]["p50"],
        "dense_top10_p50": q["dense_top10_raw"]["p50"],
        "hybrid_minus_encoder_p50": q["hybrid"]["p50"],
        "publish_found_by_bm25_max": max(
            x["max"] for x in [*bm25_found, p["full_delta"]["new_found_bm25_ms"]]
        ),
        "publish_found_by_dense_max": max(
            p["found_dense_ms"]["max"], p["full_delta"]["found_dense_ms"]["max"]
        ),
        "memory_beyond_raw_per_chunk": float(m["beyond_raw_bytes_per_chunk"]),
    }
    return {
        name: {"value": values[name], "limit": limit, "unit": unit, "pass": values[name] <= limit}
        for name, (limit, unit) in TARGETS.items()
    }


def _s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.1f} s"


def _lat(label: str, d: dict[str, float]) -> str:
    return f"| {label} | {d['p50']:.3f} | {d['p95']:.3f} | {d['p99']:.3f} | {d['max']:.3f} |"


def format_report(r: dict[str, Any]) -> str:
    """The figures as Markdown tables (what `kb bench` prints above its JSON line)."""
    b, q, p, m, e = r["build"], r["query"], r["publish"], r["memory"], r["encoder"]
    fd = p["full_delta"]
    lines = [
        f"kb bench: {r['chunks']:,} chunks from {r['articles']:,} synthetic FAQs, seed {r['seed']}, "
        f"{r['queries']} queries",
        f"dense vectors: {r['vectors']}",
        "",
        "| latency (ms) | p50 | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: |",
        _lat("hybrid search, query embedding excluded", q["hybrid"]),
        _lat("hybrid search + hit records (snippets)", q["hybrid_with_hits"]),
        _lat("BM25-only search", q["bm25"]),
        _lat("dense-only search", q["dense"]),
        _lat("query tokenize", q["tokenize"]),
        _lat("BM25 top-10 (BM25Index.top_k, tokens given)", q["bm25_top10_raw"]),
        _lat("dense top-10 (DenseIndex.search)", q["dense_top10_raw"]),
        _lat("publish new FAQ: apply", p["new_apply_ms"]),
        _lat("publish new FAQ: apply → found by BM25", p["new_found_bm25_ms"]),
        _lat("edit FAQ: apply → found by BM25", p["edit_found_bm25_ms"]),
        _lat("remove FAQ: apply → gone from BM25", p["remove_gone_ms"]),
        _lat("attach vectors (delta dense rebuild)", p["attach_ms"]),
        _lat("apply → attach → found by dense (embedding excluded)", p["found_dense_ms"]),
        _lat(f"new FAQ → found by BM25, delta {fd['delta_chunks']} chunks", fd["new_found_bm25_ms"]),
        _lat(f"new FAQ → found by dense, delta {fd['delta_chunks']} chunks", fd["found_dense_ms"]),
    ]
    if e.get("available"):
        lines += [
            _lat(f"{e['name']} query embedding, 1 thread", e["query_embedding_ms"]),
            _lat("embed one FAQ's chunks, 1 thread", e["one_faq_embedding_ms"]),
        ]
    lines += [
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| full build excl. embedding ({b['dense_index']['kind']} dense) | {b['seconds']:.1f} s "
        f"({b['chunks_per_s']:,.0f} chunks/s) |",
        f"| — chunk / tokenize / BM25 | {b['chunk_s']:.1f} / {b['tokenize_s']:.1f} / {b['bm25_s']:.1f} s |",
        f"| — FAISS index | {_s(b['dense_index_s'])} |",
        f"| BM25 vocabulary / postings | {b['bm25_terms']:,} / {b['bm25_postings']:,} |",
        f"| RSS start → corpus → built | {m['rss_start_mb']} → {m['rss_after_corpus_mb']} → "
        f"{m['rss_after_build_mb']} MB |",
        f"| raw text per chunk (in memory / UTF-8) | {m['raw_text_bytes_per_chunk']} / "
        f"{m['raw_text_utf8_bytes_per_chunk']} B |",
        f"| memory per chunk beyond raw text | {m['beyond_raw_bytes_per_chunk']:,} B |",
        f"| — of which dense vectors / BM25 arrays | {m['dense_vectors_bytes_per_chunk']:,} / "
        f"{m['bm25_arrays_bytes_per_chunk']:,} B |",
        f"| — added by the build alone | {m['build_added_bytes_per_chunk']:,} B |",
    ]
    if e.get("available"):
        lines += [
            f"| encoder throughput, 1 thread: questions / passages | {e['questions_per_s']} / "
            f"{e['passages_per_s']} texts/s |",
            f"| estimated embedding of all chunks, 1 core | "
            f"{e['estimated_build_embedding_s_one_core']:,} s |",
        ]
    lines += ["", "| target | measured | limit | |", "| --- | ---: | ---: | --- |"]
    for name, t in r["targets"].items():
        verdict = "pass" if t["pass"] else "**FAIL**"
        lines.append(f"| {name} | {t['value']:,} {t['unit']} | {t['limit']:,.0f} {t['unit']} | {verdict} |")
    return "\n".join(lines)
