"""Files answered to image/file questions: kept in the vault's encrypted attachment table, never
as loose files on disk. The answer in the record is the stored name; the bytes live here.
No Qt here (the form renderer calls this on the database thread).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import select

from desktop_app.records.audit import AUDIT_MIME, audit_name, is_audit  # noqa: F401  (the renderer uses them from here)
from desktop_app.vault.models import Attachment
from desktop_app.vault.vault import Vault


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    mime: str
    size: int


def save_attachments(vault: Vault, *, record_id: str, files: list[tuple[str, str, bytes]]) -> None:
    """Store (name, mime, data) files for a record in one transaction; a name already stored for the
    record is replaced (the same answer saved again with each draft)."""
    with vault.session() as session:
        for name, mime, data in files:
            existing = session.exec(select(Attachment).where(Attachment.record_id == record_id,
                                                             Attachment.name == name)).first()
            if existing is not None:
                if existing.data == data and existing.mime == mime:
                    continue
                session.delete(existing)
                session.flush()
            session.add(Attachment(id=str(uuid.uuid4()), record_id=record_id, name=name, mime=mime, data=data))


def list_attachments(vault: Vault, record_id: str) -> list[AttachmentInfo]:
    with vault.session(readonly=True) as session:
        rows = session.exec(select(Attachment).where(Attachment.record_id == record_id)).all()
        return [AttachmentInfo(r.name, r.mime, len(r.data)) for r in rows]


def read_attachment(vault: Vault, *, record_id: str, name: str) -> bytes | None:
    with vault.session(readonly=True) as session:
        row = session.exec(select(Attachment).where(Attachment.record_id == record_id,
                                                    Attachment.name == name)).first()
        return bytes(row.data) if row is not None else None
