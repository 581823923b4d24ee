"""SQLModel classes for the tables the records package adds (migration 0002_registration_version.sql)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class RegistrationVersion(SQLModel, table=True):
    """A finalized state of a registration that a later edit replaced (newest state stays in `registration`)."""

    __tablename__ = "registration_version"
    record_id: str = Field(primary_key=True, foreign_key="registration.id")
    version: int = Field(primary_key=True)
    form_id: str
    form_version: str
    status: str
    content: str
    saved_at: str
    saved_by: str
    superseded_at: str
    superseded_by: str
