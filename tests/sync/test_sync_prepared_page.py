"""A pulled page's changes are prepared apart from the vault (store.prepare_page, on the network thread while the page
before is stored): storing a page with its prepared changes writes exactly what storing it alone writes, and the
merge base a new record gets is the record itself only when the registration written from the change reads back as
it (a change without its creation time or author, or a deletion, keeps its state as JSON).

Names are generated; no personal data."""

from __future__ import annotations

import json
import uuid

from desktop_app.sync import store
from desktop_app.vault import indicator_facts
from desktop_app.vault.sql import Db, text
from desktop_app.vault.writer import AS_RECORD
from waypoint_core.protocol import PullPage, version_hash
from waypoint_core.registry.indicators import MIGRANT_FORM

EPOCH = "0123456789abcdef"
FORM = ("migrant_registration", "2026112701")
PERSON_FORM = (MIGRANT_FORM, "2026112701")  # a registration the indicators count: it has an indicator_fact row
CREATED_AT = "2026-12-01T08:00:00.000000Z"


def _change(seq: int, *, record_id: str | None = None, deleted: bool = False, meta: bool = True,
            form: tuple[str, str] = FORM) -> dict:
    content = None if deleted else f"<data><name>Synthetic {seq}</name><notes>{'n' * 300}</notes></data>"
    fields = {} if deleted else {"title": f"Synthetic {seq}", "age": seq % 90, "nationality": "NE",
                                 "phone": f"+227 {seq:08d}", "sex": "F", "registered_on": "2026-11-30",
                                 "beneficiary_category": "migrant", "@status": "finalized",
                                 **({"@created_at": CREATED_AT, "@created_by": "clerk"}
                                    if meta else {})}
    return {"seq": seq, "record_id": record_id or str(uuid.uuid4()), "server_version": 1,
            "version_hash": version_hash(form_id=form[0], form_version=form[1], deleted=deleted, fields=fields,
                                         content=content),
            "deleted": deleted, "form_id": form[0], "form_version": form[1], "fields": fields, "content": content,
            "hlc": 1_765_000_000_000 + seq, "origin_device_id": str(uuid.uuid4())}


def _page(changes: list[dict]) -> PullPage:
    return PullPage.model_validate({"protocol_version": 2, "epoch": EPOCH, "since": "", "changes": changes,
                                    "next_cursor": f"{EPOCH}.{changes[-1]['seq']}", "has_more": False})


def _held(vault) -> dict:
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        return {
            "registration": sorted(db.execute(text(
                "SELECT id, form_id, form_version, status, content, created_by, version, deleted, title, age, "
                # a change without its creation time is written with the transaction's
                "nationality, CASE WHEN created_at = :pulled THEN created_at ELSE 'stored at' END AS created_at "
                "FROM registration"), {"pulled": CREATED_AT}).all()),
            "fields": sorted(db.execute(text("SELECT record_id, name, value FROM registration_field")).all()),
            "sync": sorted(db.execute(text("SELECT record_id, server_version, sync_state FROM registration_sync"))
                           .all()),
            "bases": sorted(db.execute(text("SELECT record_id, server_version, base, hlc, stale, hash "
                                            "FROM sync_record")).all()),
            "facts": sorted(db.execute(text("SELECT * FROM indicator_fact")).all()),
            # what the records as stored give, derived from their rows again
            "derived": sorted(tuple(row.values()) for row in indicator_facts.derive(db)),
        }


def test_the_base_is_the_record_only_when_it_reads_back_as_the_change():
    page = _page([_change(1), _change(2, meta=False), _change(3, deleted=True)])
    whole, bare, deleted = store.prepare_page(page).changes
    assert whole.fact is not None and whole.fact["created_by"] == "clerk" and deleted.fact is None
    assert whole.base == AS_RECORD
    assert json.loads(bare.base) == bare.remote and "@created_at" not in bare.remote["fields"]
    assert json.loads(deleted.base) == deleted.remote and deleted.columns["deleted"]
    assert whole.extras == {"phone": "+227 00000001", "beneficiary_category": "migrant"}
    assert whole.columns["age"] == 1


def test_a_page_stored_with_its_prepared_changes_writes_what_it_writes_alone(make_vault):
    known = str(uuid.uuid4())
    first = _page([_change(1, record_id=known), _change(2, meta=False)])
    # the second page: a new version of a record held already (written one at a time), new records, a deletion
    again = {**_change(3, record_id=known), "server_version": 2}
    second = PullPage.model_validate({**_page([again, _change(4, form=PERSON_FORM), _change(5, deleted=True),
                                               _change(6, meta=False), _change(7, form=PERSON_FORM, meta=False)])
                                     .model_dump(), "since": first.next_cursor})
    alone, prepared = make_vault("alone"), make_vault("prepared")
    for page in (first, second):
        store.store_pull_page(alone, page, own_device_id="me")
        store.store_pull_page(prepared, page, own_device_id="me", prepared=store.prepare_page(page).changes)
    held = _held(alone)
    assert held == _held(prepared)
    assert [tuple(row) for row in held["facts"]] == held["derived"]
    assert len(held["registration"]) == 5  # the deletion of a record never held writes none
    # the indicators count the person registrations (those of the other form too: they name a category)
    assert {(row.form_id, row.created_by, row.sex, row.category) for row in held["facts"]} >= {
        (MIGRANT_FORM, "clerk", "F", "migrant"), (MIGRANT_FORM, "(sync)", "F", "migrant")}
    assert [row.base == AS_RECORD for row in held["bases"] if row.record_id == known] == [True]
