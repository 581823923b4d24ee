"""The writer's indicator part: `indicator_fact` (desktop_app/vault/indicator_facts.py), what each live, finalized
record gives the indicators.

Like entity events and the search index, the rows are derived from registrations and rederived whenever the writer
saves, pulls, deletes or purges one, in the same transaction: a deleted or erased record leaves no row behind, a
draft or a record that counts for nothing has none, and a report reads the table alone (vault/report_reads.py).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from desktop_app.vault.indicator_facts import COLUMNS, SUMMARY, derive, fact_row
from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.writer.base import WriterBase

_INSERT = f"INSERT INTO indicator_fact ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"


class FactWrites(WriterBase):
    def refresh_facts(self, record_ids: Sequence[str], *, saved: Sequence[dict[str, Any]] | None = None,
                      fields: dict[str, dict[str, str | None]] | None = None, new: Collection[str] = (),
                      facts: dict[str, dict[str, Any] | None] | None = None) -> None:
        """Rederive the rows of these records as they are now. `saved` (rows as `save` just wrote them, with their
        extracted `fields` by id): not read back; `facts`: the rows of some of those already worked out from the same
        values (fact_row; None: it counts for nothing), by id; `new`: ids inserted in this transaction, which have no
        row yet."""
        if not record_ids:
            return
        old = [record_id for record_id in record_ids if record_id not in new]
        for part in chunks(old):
            marks, params = in_json(part)
            self.db.execute(text(f"DELETE FROM indicator_fact WHERE record_id IN ({marks})"), params)
        if saved is not None and fields is not None:
            ready = facts or {}
            rows = [found for row in saved if row["status"] == "finalized" and (found := ready[row["id"]] if row["id"]
                    in ready else fact_row(row["id"], row["form_id"], row["created_by"],
                                           {name: row[name] for name in SUMMARY}, fields.get(row["id"], {}))) is not None]
        else:
            rows = derive(self.db, record_ids)
        if rows:
            self.db.execute(text(_INSERT), rows)

    def drop_facts(self, record_id: str) -> None:
        self.db.execute(text("DELETE FROM indicator_fact WHERE record_id = :r"), {"r": record_id})
