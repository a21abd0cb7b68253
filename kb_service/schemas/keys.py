from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["admin", "editor", "agent", "bot"]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    kbs: list[str] | None = Field(None, description="KB slugs the key may use; omitted = all")
    name: str | None = Field(None, max_length=200)
    expires_at: datetime | None = None
