"""The writer's entity part: what finalized registrations say about ODK entities, kept in `entity_event`.

Entities are derived from registrations, never written on their own: whenever the writer saves, pulls, deletes or
purges a registration it refreshes that record's events in the same transaction, from the record as stored now
(a finalized record of a form declaring entities, entities-version 2024.1 or later, as Collect makes them on the
device). So an entity list follows its registrations everywhere they go, sync included, and loses what they
lose (a deletion, consent refused, retention).
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Collection, Sequence
from typing import Any

from desktop_app.vault.sql import chunks, in_json, text
from desktop_app.vault.writer.base import WriterBase
from waypoint_core.xform.entities import EntitySpec, form_entities, spec_from_xform
from waypoint_core.xform.errors import FormError

_INSERT_EVENT = text(
    "INSERT INTO entity_event (record_id, position, dataset, entity_id, action, label, properties, ordered_at) "
    "VALUES (:r, :p, :d, :e, :a, :l, :props, :o)")


# A row the writer just wrote, read like a fetched one.
_Head = namedtuple("_Head", "id form_id form_version status content created_at deleted")


class EntityWrites(WriterBase):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entity_specs: dict[tuple[str, str], EntitySpec | None] = {}  # read once per transaction

    def refresh_entities(self, record_ids: Sequence[str], *, saved: Sequence[dict[str, Any]] | None = None,
                         new: Collection[str] = ()) -> None:
        """Rederive the entity events of these records from their rows as they are now. `saved`: those rows as the
        caller just wrote them (id, form_id, form_version, status, content, created_at, deleted), all of them, so
        they are not read back; `new`: ids inserted in this transaction, which have no events to remove."""
        if not record_ids:
            return
        events = []
        written = {row["id"]: row for row in saved} if saved is not None else {}
        for part in chunks(list(record_ids)):
            old = [record_id for record_id in part if record_id not in new]
            if old:
                old_marks, old_params = in_json(old)
                self.db.execute(text(f"DELETE FROM entity_event WHERE record_id IN ({old_marks})"), old_params)
            if all(record_id in written for record_id in part):
                heads: Sequence[Any] = [(row["id"], row["form_id"], row["form_version"]) for record_id in part
                                        if (row := written[record_id])["status"] == "finalized"
                                        and not row["deleted"]]
            else:
                # content is read only for the records whose form declares entities (most forms do not)
                marks, params = in_json(part)
                heads = self.db.execute(text(
                    f"SELECT id, form_id, form_version FROM registration WHERE id IN ({marks}) "
                    "AND status = 'finalized' AND deleted = 0"), params).all()
            wanted = [record_id for record_id, form_id, form_version in heads
                      if (spec := self._entity_spec(form_id, form_version)) is not None and spec.local]
            if not wanted:
                continue
            if all(record_id in written for record_id in wanted):
                rows: Sequence[Any] = [_Head(*(written[record_id][name] for name in _Head._fields))
                                       for record_id in wanted]
            else:
                wanted_marks, wanted_params = in_json(wanted)
                rows = self.db.execute(text(
                    "SELECT id, form_id, form_version, status, content, created_at, deleted FROM registration "
                    f"WHERE id IN ({wanted_marks})"), wanted_params).all()
            for row in rows:
                if not row.content:
                    continue
                spec = self._entity_spec(row.form_id, row.form_version)
                if spec is None:
                    continue
                try:
                    changes = form_entities(spec, row.content)
                except (FormError, ValueError):
                    continue  # a record that does not read as XML makes no entity
                events += [{"r": row.id, "p": position, "d": change.dataset, "e": change.id, "a": change.action,
                            "l": change.label, "props": json.dumps(change.properties, ensure_ascii=False),
                            "o": row.created_at} for position, change in enumerate(changes)]
        if events:
            self.db.execute(_INSERT_EVENT, events)

    def drop_entities(self, record_id: str) -> None:
        self.db.execute(text("DELETE FROM entity_event WHERE record_id = :r"), {"r": record_id})

    def _entity_spec(self, form_id: str, version: str) -> EntitySpec | None:
        key = (form_id, version)
        if key not in self._entity_specs:
            # only a form that declares entities is read whole
            row = self.db.execute(text("SELECT xform FROM form_version WHERE form_id = :f AND version = :v "
                                       "AND instr(xform, 'entities-version') > 0"), {"f": form_id, "v": version}).first()
            self._entity_specs[key] = spec_from_xform(row.xform) if row is not None else None
        return self._entity_specs[key]
