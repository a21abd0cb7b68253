from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Channel = Literal["web", "wechat", "app", "phone", "email"]
CHANNELS: tuple[Channel, ...] = ("web", "wechat", "app", "phone", "email")
DEFAULT_CATEGORIES = ["repair", "pre_sales", "after_sales", "account", "billing", "general"]
DEFAULT_QUEUES = {
    "repair": "repair",
    "pre_sales": "pre_sales",
    "after_sales": "after_sales",
    "account": "after_sales",
    "billing": "billing",
    "general": "general",
}


class KbSettings(BaseModel):
    """Per-KB behaviour: thresholds, categories and their queues, channels, retention, review step."""

    model_config = ConfigDict(extra="forbid")

    language: Literal["zh", "en"] = "zh"
    answer_threshold: float = Field(0.7, ge=0.0, le=1.0)
    clarify_threshold: float = Field(0.4, ge=0.0, le=1.0)
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES), min_length=1)
    queue_map: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_QUEUES))
    default_queue: str = Field("general", min_length=1, max_length=64)
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS), min_length=1)
    log_retention_days: int = Field(90, ge=1, le=3650)
    require_review: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> KbSettings:
        if self.clarify_threshold > self.answer_threshold:
            raise ValueError("clarify_threshold must not be above answer_threshold")
        unknown = sorted(set(self.queue_map) - set(self.categories))
        if unknown:
            raise ValueError(f"queue_map names categories that are not in categories: {', '.join(unknown)}")
        for name in self.categories:
            if not name.strip() or len(name) > 64:
                raise ValueError(f"category names must be 1-64 characters: {name!r}")
        return self


class KbCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    language: Literal["zh", "en"] = "zh"


class KbOut(BaseModel):
    slug: str
    name: str
    language: str
    created_at: str
