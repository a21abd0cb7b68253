from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indexer.lexicon import parse_user_word


class Dictionary(BaseModel):
    """jieba user words (`word [freq] [tag]`) and synonym groups (first word is the canonical form)."""

    model_config = ConfigDict(extra="forbid")
    user_words: list[str] = Field(default_factory=list, max_length=100_000)
    synonyms: list[list[str]] = Field(default_factory=list, max_length=20_000)
    version: int | None = Field(
        default=None,
        ge=1,
        description="the version this edit was made to (from GET); a stale one is refused with 409",
    )

    @field_validator("user_words")
    @classmethod
    def _words(cls, words: list[str]) -> list[str]:
        cleaned = []
        for i, line in enumerate(words):
            line = line.strip()
            if not line or len(line) > 100:
                raise ValueError(f"user_words[{i}] must be 1-100 characters")
            try:
                parsed = parse_user_word(line)  # the indexer's own reading of `word [freq] [tag]`
            except ValueError as exc:
                raise ValueError(f"user_words[{i}]: {exc}") from exc
            if parsed is None:
                raise ValueError(f"user_words[{i}] has no word")
            cleaned.append(line)
        return cleaned

    @field_validator("synonyms")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        cleaned = []
        for i, group in enumerate(groups):
            words = [w.strip() for w in group if w.strip()]
            if len(words) < 2:
                raise ValueError(f"synonyms[{i}] needs at least two words")
            if any(len(w) > 100 for w in words):
                raise ValueError(f"synonyms[{i}] has a word over 100 characters")
            cleaned.append(words)
        return cleaned


class DictionaryOut(Dictionary):
    version: int
