"""The questions a KB's answer-confidence model is fitted on, each with what to hide from the index
while it is asked and which article answers it.

* `held_out`: each phrasing of an FAQ with two or more is asked with its own chunk hidden (the FAQ's
  other phrasings still indexed), as a customer's new wording of a known request.
* `synthetic` (a KB with too few such phrasings, e.g. an exported FAQ list with one question per
  entry): a rewrite of an article's question (`indexer.synthetic_questions`) asked twice, once with
  the article indexed (labelled by whether it comes first) and once with the whole article hidden
  (a *near miss*: the question's own answer is absent, so whatever comes first is wrong, which is the
  case the bot must not be confident about); and the lead sentence of the answer asked as a question.
* `out_of_domain`: bundled questions no customer-service KB answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from importlib import resources

from indexer.engine import LiveIndex
from indexer.lexicon import NGRAM_PREFIX, STEM_PREFIX, SYNONYM_PREFIX
from indexer.synthetic_questions import lead_question, rewrite, split_units

_FEATURE_TOKENS = (NGRAM_PREFIX, STEM_PREFIX, SYNONYM_PREFIX)
EDIT_COUNTS = (2, 3, 4)  # edits per rewrite: real rewordings of a short question share about half its words


@dataclass(frozen=True)
class TrainingQuestion:
    text: str
    hold: frozenset[int]  # main-segment chunk positions hidden while it is asked
    answer: int | None  # the article that answers it; None: nothing in the index as asked
    source: str  # held_out | rewrite | near_miss | answer_lead | out_of_domain


def out_of_domain_queries() -> list[str]:
    text = resources.files("indexer").joinpath("resources/out_of_domain_queries.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def out_of_domain() -> list[TrainingQuestion]:
    return [TrainingQuestion(t, frozenset(), None, "out_of_domain") for t in out_of_domain_queries()]


def _live_positions(index: LiveIndex) -> dict[int, list[int]]:
    """Main-segment chunk positions per article, tombstoned ones left out."""
    out: dict[int, list[int]] = {}
    tombstones = index.state.tombstones
    for position, article_id in enumerate(index.state.main.chunk_article.tolist()):
        if position not in tombstones:
            out.setdefault(article_id, []).append(position)
    return out


def held_out(index: LiveIndex, limit: int, seed: int = 0) -> list[TrainingQuestion]:
    """Phrasings of FAQs with another phrasing, each asked with its own chunk hidden."""
    chunks = index.state.main.chunks
    items = [
        TrainingQuestion(chunks[p].text, frozenset({p}), article_id, "held_out")
        for article_id, positions in _live_positions(index).items()
        for phrasings in [[p for p in positions if chunks[p].kind in ("question", "similar")]]
        if len(phrasings) > 1
        for p in phrasings
    ]
    random.Random(seed).shuffle(items)
    return items[:limit]


def _words(index: LiveIndex, text: str) -> list[str]:
    """The index tokenizer's word tokens of `text` (its feature tokens left out)."""
    return [t for t in index.tokenizer.tokenize(text) if not t.startswith(_FEATURE_TOKENS)]


def synthetic(index: LiveIndex, articles: int, seed: int = 0) -> list[TrainingQuestion]:
    """Rewrites of up to `articles` articles' questions (with and without the article) and their
    answers' lead sentences as questions."""
    state, rng = index.state, random.Random(seed)
    positions = _live_positions(index)
    chosen = sorted(a for a in positions if a in state.articles and state.articles[a].title.strip())
    rng.shuffle(chosen)
    words = {a: _words(index, state.articles[a].title) for a in chosen[:articles]}
    vocabulary = sorted({w for ws in words.values() for w in ws})
    out: list[TrainingQuestion] = []
    for article_id in chosen[:articles]:
        article = state.articles[article_id]
        units = split_units(article.title, words[article_id])
        text = rewrite(units, rng, edits=rng.choice(EDIT_COUNTS), vocabulary=vocabulary).text
        out.append(TrainingQuestion(text, frozenset(), article_id, "rewrite"))
        out.append(TrainingQuestion(text, frozenset(positions[article_id]), None, "near_miss"))
        lead = lead_question(article.answer or article.body, article.title)
        if lead is not None:
            out.append(TrainingQuestion(lead, frozenset(), article_id, "answer_lead"))
    return out
