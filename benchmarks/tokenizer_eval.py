"""BM25 retrieval quality per tokenizer variant on the BEIR eval sets (DEV splits).

Documents are `title + "\\n" + text`, scored by `indexer.bm25.BM25Index` (rank_bm25 parameters);
prints MRR@10 / R@1 / R@10 per set and variant, and a Markdown table with `--markdown FILE`.

    OMP_NUM_THREADS=1 python benchmarks/tokenizer_eval.py [--sets atec,bq] [--variants words,search]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import jieba

from indexer.bm25 import BM25Index
from indexer.lexicon import load_stopwords
from indexer.tokenizer import Tokenizer, TokenizerConfig

EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
SYNONYMS = Path(__file__).resolve().parents[1] / "data" / "dict" / "synonyms.txt"
SETS = ["atec", "bq", "lcqmc", "insuranceqa_zh", "banking77", "clinc150", "stackfaq"]
QUESTION_WORDS = frozenset(
    ["怎么", "如何", "什么", "为什么", "哪里", "多少", "吗", "能", "可以"]
    + ["how", "what", "why", "when", "where", "which", "can"]
)
TokenizeFn = Callable[[str], list[str]]


def load_set(name: str) -> tuple[list[str], list[str], list[str], list[str], dict[str, set[str]]]:
    folder = EVAL_DIR / name
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    queries = [json.loads(line) for line in (folder / "queries.jsonl").open(encoding="utf-8")]
    qrels: dict[str, set[str]] = {}
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, _ = line.split("\t")
        qrels.setdefault(qid, set()).add(did)
    doc_ids, docs = [d["_id"] for d in corpus], [f"{d['title']}\n{d['text']}" for d in corpus]
    queries = [q for q in queries if q["_id"] in qrels]
    return doc_ids, docs, [q["_id"] for q in queries], [q["text"] for q in queries], qrels


def readme_baseline(text: str) -> list[str]:
    """The eval README's BM25 baseline: jieba.lcut, lower-cased, punctuation dropped; `\\w+` for English."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return [t for t in (w.strip().lower() for w in jieba.lcut(text)) if t and re.search(r"\w", t)]
    return re.findall(r"\w+", text.lower())


def load_synonyms() -> tuple[tuple[str, ...], ...]:
    """Groups from data/dict/synonyms.txt: one group per line, terms separated by spaces/commas."""
    if not SYNONYMS.exists():
        return ()
    lines = SYNONYMS.read_text(encoding="utf-8").splitlines()
    groups = (tuple(t for t in re.split(r"[\s,，、/|=]+", line) if t) for line in lines)
    return tuple(g for g in groups if len(g) > 1 and not g[0].startswith("#"))


def variants() -> dict[str, TokenizeFn]:
    def make(extra_stop: frozenset[str] = frozenset(), **kw: object) -> TokenizeFn:
        # all off unless given
        options: dict[str, object] = {"char_ngrams": 0, "stopwords": False, "english_stems": False, **kw}
        tokenizer = Tokenizer(TokenizerConfig(**options))  # type: ignore[arg-type]
        if extra_stop:  # experiment only: also drop question words
            tokenizer._stop = load_stopwords() | extra_stop
        return tokenizer.tokenize

    out: dict[str, TokenizeFn] = {
        "readme": readme_baseline,
        "words": make(),
        "search": make(search_mode=True),
        "bigram": make(char_ngrams=2),
        "unigram": make(char_ngrams=1),
        "search+unigram": make(search_mode=True, char_ngrams=1),
        "words+stop": make(stopwords=True),
        "unigram+stop": make(char_ngrams=1, stopwords=True),
        "unigram+stop+qwords": make(QUESTION_WORDS, char_ngrams=1, stopwords=True),
        "unigram+stop+stems (default)": make(char_ngrams=1, stopwords=True, english_stems=True),
    }
    synonyms = load_synonyms()
    if synonyms:
        out["default+synonyms"] = make(char_ngrams=1, stopwords=True, english_stems=True, synonyms=synonyms)
    return out


def evaluate(name: str, tokenize: TokenizeFn) -> dict[str, float]:
    doc_ids, docs, qids, queries, qrels = load_set(name)
    start = time.perf_counter()
    index = BM25Index.build([tokenize(d) for d in docs])
    mrr = r1 = r10 = 0.0
    for qid, query in zip(qids, queries, strict=True):
        idx, _ = index.top_k(tokenize(query), 10)
        ranked = [doc_ids[i] for i in idx]
        relevant = qrels[qid]
        first = next((rank for rank, d in enumerate(ranked, 1) if d in relevant), None)
        mrr += 1 / first if first else 0.0
        r1 += len(relevant & set(ranked[:1])) / len(relevant)
        r10 += len(relevant & set(ranked)) / len(relevant)
    n = len(qids)
    return {"mrr@10": mrr / n, "r@1": r1 / n, "r@10": r10 / n, "seconds": time.perf_counter() - start}


def check_jieba(sets: list[str]) -> None:
    """Count texts whose rjieba tokens differ from Python jieba's (both modes, repo user words)."""
    words = Path(__file__).resolve().parents[1] / "data" / "dict" / "user_dict.txt"
    lines = tuple(x for x in words.read_text("utf-8").splitlines() if x.strip()) if words.exists() else ()
    for search in (False, True):
        config = TokenizerConfig(user_words=lines, search_mode=search)
        fast, ref = Tokenizer(config), Tokenizer(config, backend="jieba")
        texts = [t for name in sets for part in load_set(name)[1::2] for t in part]
        t0 = time.perf_counter()
        fast_tokens = [fast.tokenize(t) for t in texts]
        t1 = time.perf_counter()
        ref_tokens = [ref.tokenize(t) for t in texts]
        t2 = time.perf_counter()
        diff = sum(a != b for a, b in zip(fast_tokens, ref_tokens, strict=True))
        print(
            f"search_mode={search}: {len(texts)} texts, {diff} differ; tokenize total rjieba "
            f"{t1 - t0:.2f} s, jieba {t2 - t1:.2f} s ({(t2 - t1) / (t1 - t0):.1f}x)"
        )


def markdown(results: dict[str, dict[str, dict[str, float]]], sets: list[str]) -> str:
    names = list(next(iter(results.values())))
    head = "| variant | " + " | ".join(sets) + " |\n|---|" + "---:|" * len(sets) + "\n"
    rows = []
    for v in names:
        cells = [f"{results[s][v]['mrr@10']:.3f} / {results[s][v]['r@10']:.3f}" for s in sets]
        rows.append(f"| {v} | " + " | ".join(cells) + " |")
    return head + "\n".join(rows) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--variants", default="")
    ap.add_argument("--markdown", type=Path)
    ap.add_argument("--check-jieba", action="store_true", help="compare rjieba with jieba and exit")
    args = ap.parse_args()
    sets = args.sets.split(",")
    if args.check_jieba:
        check_jieba(sets)
        return
    all_variants = variants()
    chosen = args.variants.split(",") if args.variants else list(all_variants)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name in sets:
        results[name] = {}
        for v in chosen:
            m = results[name][v] = evaluate(name, all_variants[v])
            print(
                f"{name:15s} {v:22s} MRR@10 {m['mrr@10']:.3f}  R@1 {m['r@1']:.3f}  "
                f"R@10 {m['r@10']:.3f}  ({m['seconds']:.1f} s)",
                flush=True,
            )
    table = markdown(results, sets)
    print(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
