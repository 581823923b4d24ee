"""Files answered to image/file questions: kept in the vault's encrypted attachment table, never
as loose files on disk. The answer in the record is the stored name; the bytes live here.
No Qt here (the form renderer calls this on the database thread).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from desktop_app.records.audit import AUDIT_MIME, audit_name, is_audit  # noqa: F401  (the renderer uses them from here)
from desktop_app.vault.models import Attachment
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import write


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    mime: str
    size: int


def save_attachments(vault: Vault, *, record_id: str, files: list[tuple[str, str, bytes]]) -> None:
    """Store (name, mime, data) files for a record in one transaction; a name already stored for the
    record is replaced (the same answer saved again with each draft). A form's save passes its files to
    services.records instead, so record and files are one transaction."""
    with write(vault) as w:
        w.put_files(record_id, files)


def list_attachments(vault: Vault, record_id: str) -> list[AttachmentInfo]:
    with vault.session(readonly=True) as session:
        rows = session.exec(select(Attachment).where(Attachment.record_id == record_id)).all()
        return [AttachmentInfo(r.name, r.mime, len(r.data)) for r in rows]


def read_attachment(vault: Vault, *, record_id: str, name: str) -> bytes | None:
    with vault.session(readonly=True) as session:
        row = session.exec(select(Attachment).where(Attachment.record_id == record_id,
                                                    Attachment.name == name)).first()
        return bytes(row.data) if row is not None else None
