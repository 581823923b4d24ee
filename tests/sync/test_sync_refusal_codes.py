"""A refused op's code and values travel from the real server to the laptop (OpResult.code, code_values;
waypoint_core/protocol/refusals.py) and are stored with the refusal, so the review desk words it and picks its
advice from the code, not from the server's English. The sentence is parsed only for a refusal stored without a
code (before codes came on the wire, or from an older server). Real vaults, the real server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

from records import instance, register
from tests.desk.people import reject
from tests.sync.test_batches import admin_import
from tests.sync.support import enrol_at

from desktop_app.records import review
from desktop_app.services import batches as batch_service
from desktop_app.services import sync as sync_service
from desktop_app.vault.registrations import save_registration
from desktop_app.vault.sql import Db, text
from waypoint_core.protocol import refusals
from waypoint_core.protocol.refusals import Refusal

CASE_ID = "5d0c64f4-1f0e-4b8a-9f0e-6a3b2c1d0e21"
NOT_ALLOWED = Refusal(refusals.NOT_ALLOWED, {"roles": "field_staff", "action": "create", "subject": "case"})


def _field_case(make_vault, server, server_admin, name: str, record_id: str):
    """A field laptop (roles field_staff) holding a case it may not create: the server refuses it."""
    field = enrol_at(make_vault, server, server_admin, name, "Agadez", "field_staff")
    save_registration(field, record_id=record_id, form_id="waypoint_vot_case", form_version="1", status="finalized",
                      content=instance("Synthetic Case", 19), fields={"title": "Case WP-7F3B", "record_kind": "case"})
    return field


def _stored_refusals(vault) -> list[dict]:
    """The refused ops' other sides as this laptop stored them (conflict.remote)."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text("SELECT remote FROM conflict ORDER BY opened_at, id")).all()
    return [json.loads(row.remote) for row in rows]


def test_the_servers_refusal_code_is_stored_with_the_refusal_and_used_before_its_sentence(
        make_vault, server, server_admin):
    """Found in review (2026-12-08): the laptop learnt why the server refused an op only from the English sentence,
    parsed back into a code for the French and the advice; a server that worded it otherwise broke both silently.
    The server now sends the code and values (asked with codes=1), the laptop stores them with the refusal and the
    desk uses them; the sentence, kept, is no longer read when a code came with it."""
    field = _field_case(make_vault, server, server_admin, "codes-field", CASE_ID)
    summary = sync_service.sync_now(field)
    assert summary.rejected == 1
    [stored] = _stored_refusals(field)
    assert stored["rejected"] == "refused by the server: field_staff: not allowed to create (case)"
    assert stored["refusal"] == {"code": NOT_ALLOWED.code, "values": dict(NOT_ALLOWED.values)}  # from the wire
    [row] = review.page_conflicts(field, offset=0, limit=10, rejected=True)
    assert row.refusal == NOT_ALLOWED and review.advice_for(row.refusal) == review.ADVICE_ALLOWED

    # A server that words the same refusal otherwise: the stored code decides, the sentence is not parsed.
    reworded = "refused by the server: the roles field_staff may not create a case"
    assert refusals.parse(reworded) is None
    with field.session() as session:
        Db.of(session).execute(text("UPDATE conflict SET remote = :remote"), {
            "remote": json.dumps({**stored, "rejected": reworded})})
    [row] = review.page_conflicts(field, offset=0, limit=10, rejected=True)
    assert (row.message, row.refusal) == (reworded, NOT_ALLOWED)
    assert review.advice_for(row.refusal) == review.ADVICE_ALLOWED


def test_a_usb_receipt_brings_the_code_too(make_vault, server, server_admin, tmp_path):
    """A laptop that syncs by USB asks for the codes in its batch (inner header `codes: true`): the receipt's push
    results carry them and the laptop stores them with the refusal, as online."""
    field = _field_case(make_vault, server, server_admin, "codes-usb", "5d0c64f4-1f0e-4b8a-9f0e-6a3b2c1d0e22")
    out, back = tmp_path / "stick", tmp_path / "back"
    out.mkdir()
    back.mkdir()
    files = batch_service.export(field, out).files
    admin_import(server_admin, *map(Path, files), receipts=back)
    batch_service.import_files(field, [back])
    [stored] = _stored_refusals(field)
    assert stored["refusal"] == {"code": NOT_ALLOWED.code, "values": dict(NOT_ALLOWED.values)}


def test_a_refusal_stored_without_a_code_is_still_read_from_its_sentence(make_vault):
    """The fallback: a refusal stored before codes came on the wire, or sent by an older server without one, is
    read from its sentence (refusals.parse); one not known here is shown as written, with the general advice."""
    laptop = make_vault("codes-older")
    before, unknown = register(laptop, "Synthetic Person", 30), register(laptop, "Synthetic Other", 31)
    reject(laptop, before.id, refusals.other_centre())
    reject(laptop, unknown.id, "a newer server's reason")
    rows = {row.record_id: row for row in review.page_conflicts(laptop, offset=0, limit=10, rejected=True)}
    assert rows[before.id].refusal == Refusal(refusals.OTHER_CENTRE)
    assert review.advice_for(rows[before.id].refusal) == review.ADVICE_OTHER_CENTRE
    assert rows[unknown.id].refusal is None
    assert review.advice_for(rows[unknown.id].refusal) == review.ADVICE_DEFAULT
