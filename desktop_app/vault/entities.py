"""Entity lists as follow-up forms read them: folded from the events finalized registrations left
(entity_event, written by desktop_app/vault/writer/entities.py), in the order the registrations were made."""

from __future__ import annotations

import json
from collections.abc import Collection

from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.sql import Db, chunks, in_list, text
from desktop_app.vault.vault import Vault
from waypoint_core.xform.entities import FormEntity, entity_lists

Items = list[list[tuple[str, str]]]


def read_entity_lists(vault: Vault, names: Collection[str], *, visible: Visible = EVERYTHING) -> dict[str, Items]:
    """The entity lists `names` (datasets) as of now: one item per entity (name, label, __version, ...,
    properties); a list no registration has filled yet is empty. Only the events of records `visible` allows: a
    follow-up form never offers a person of a centre the signed-in person may not see."""
    events: list[tuple[str, str, FormEntity]] = []
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        for part in chunks(sorted(set(names))):
            marks, params = in_list(part)
            rows = db.execute(text(
                "SELECT e.dataset, e.record_id, e.entity_id, e.action, e.label, e.properties FROM entity_event e "
                f"JOIN registration r ON r.id = e.record_id WHERE e.dataset IN ({marks}){visible.where(params, 'r.')} "
                "ORDER BY e.ordered_at, e.record_id, e.position"), params).all()
            events += [(row.dataset, row.record_id,
                        FormEntity(row.action, row.dataset, row.entity_id, row.label,
                                   tuple((name, value) for name, value in json.loads(row.properties))))
                       for row in rows]
    lists = entity_lists(events)
    return {name: lists.get(name, []) for name in names}
