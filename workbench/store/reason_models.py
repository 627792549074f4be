"""The reasons a supervisor marked fixed (`reason_fixes`): beside models.py, which is full."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from workbench.store.models import Model, _utc


class ReasonFix(Model, table=True):
    """A dormancy reason the business fixed as of a local date (kind "any": both kinds): the
    queue re-approaches the customers who left for it before that day."""

    __tablename__ = "reason_fixes"

    reason: str = Field(primary_key=True, max_length=40)
    kind: str = Field(primary_key=True, max_length=3)  # b2c | b2b | any
    fixed_on: str = Field(max_length=10)  # YYYY-MM-DD on the configured clock
    marked_by: str = Field(max_length=64)
    marked_at: datetime = Field(sa_column=_utc(nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


__all__ = ["ReasonFix"]
