"""Synthetic people for the review desk's tests and benchmark (generated names only, never real data).

Registrations are written in the shape of the shipped registration form (the same answer names: identity/given_name,
consent/consent_matching...), straight through the vault's writer, so thousands are quick to make; one test also
fills the real shipped form through the engine (tests/desk/test_desk_review.py).
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from desktop_app.vault.registrations import save_registrations
from desktop_app.vault.writer import RegistrationDraft
from waypoint_core.registry.person import PersonRecord

FORM_ID, FORM_VERSION = "waypoint_migrant_registration", "2026120701"
EVENT_FORM, EVENT_VERSION = "waypoint_assistance_event", "2026120601"


def person_xml(record: PersonRecord, *, consent: bool = True, centre: str = "ne_agadez") -> str:
    def leaf(name: str, value: object) -> str:
        return f"<{name}>{escape(str(value))}</{name}>" if value not in (None, "") else f"<{name}/>"

    dob = record.date_of_birth.isoformat() if record.date_of_birth else ""
    on = record.age_on.isoformat() if record.age_on else "2026-11-20"
    return (f'<data id="{FORM_ID}" version="{FORM_VERSION}">'
            f"<centre_page>{leaf('centre_country', record.country or 'NE')}{leaf('centre', record.centre or centre)}"
            f"{leaf('registered_on', on)}</centre_page>"
            f"<consent>{leaf('consent_services', 'yes')}{leaf('consent_matching', 'yes' if consent else 'no')}</consent>"
            f"<identity>{leaf('given_name', record.given_name)}{leaf('family_name', record.family_name)}"
            f"{leaf('sex', record.sex)}{leaf('date_of_birth', dob)}{leaf('age_years', record.age_years)}"
            f"{leaf('nationality', record.nationality)}{leaf('id_document_type', record.document_type)}"
            f"{leaf('id_document_number', record.document_number)}{leaf('phone', record.phone)}</identity>"
            f"<meta><instanceID>uuid:{record.id}</instanceID></meta></data>")


def person_draft(record: PersonRecord, *, consent: bool = True) -> RegistrationDraft:
    title = " ".join(p for p in (record.given_name, record.family_name) if p)
    return RegistrationDraft(FORM_ID, FORM_VERSION, "finalized", person_xml(record, consent=consent), record.id,
                             {"title": title, "sex": record.sex, "nationality": record.nationality,
                              "centre": record.centre or "ne_agadez", "given_name": record.given_name,
                              "family_name": record.family_name, "id_document_number": record.document_number})


def save_people(vault, records: list[PersonRecord], *, consent: bool = True, chunk: int = 2000) -> list[str]:
    ids: list[str] = []
    for start in range(0, len(records), chunk):
        ids += save_registrations(vault, [person_draft(r, consent=consent) for r in records[start:start + chunk]])
    return ids


def event_xml(event_id: str, person_ref: str) -> str:
    return (f'<data id="{EVENT_FORM}" version="{EVENT_VERSION}"><event><person_ref>{escape(person_ref)}</person_ref>'
            f"<assistance_type>food</assistance_type></event><meta><instanceID>uuid:{event_id}</instanceID></meta></data>")


def save_event(vault, person_ref: str) -> str:
    event_id = str(uuid.uuid4())
    [saved] = save_registrations(vault, [RegistrationDraft(EVENT_FORM, EVENT_VERSION, "finalized",
                                                           event_xml(event_id, person_ref), event_id,
                                                           {"title": "food", "person_ref": person_ref})])
    return saved


def new_id() -> str:
    return str(uuid.uuid4())


def pull_conflict(vault, record: PersonRecord, *, other_given_name: str, server_version: int = 1) -> None:
    """A change from the server meets this laptop's edit not yet sent: the sync client's own 3-way merge opens the
    conflict (desktop_app/sync/store.py), exactly as a pulled page would."""
    from dataclasses import replace

    from desktop_app.sync import store
    from waypoint_core.protocol import PROTOCOL_VERSION, Change, PullPage, version_hash

    theirs = replace(record, given_name=other_given_name)
    content = person_xml(theirs)
    fields = {k: v for k, v in person_draft(theirs).fields.items() if v is not None}
    fields.update({"@status": "finalized", "@created_by": "lamine", "@created_at": "2026-11-20T08:00:00+00:00"})
    change = Change(seq=1, record_id=record.id, server_version=server_version,
                    version_hash=version_hash(form_id=FORM_ID, form_version=FORM_VERSION, deleted=False,
                                              fields=fields, content=content),
                    deleted=False, form_id=FORM_ID, form_version=FORM_VERSION, fields=fields, content=content,
                    hlc=1, origin_device_id=None)
    epoch = "0123456789abcdef"
    page = PullPage(protocol_version=PROTOCOL_VERSION, epoch=epoch, since="", changes=[change],
                    next_cursor=f"{epoch}.{server_version}", has_more=False)
    store.store_pull_page(vault, page, own_device_id="00000000-0000-4000-8000-00000000000d")


def reject(vault, record_id: str, message: str, refusal=None) -> None:
    """A refused op as the sync client records one (the writer's own calls in desktop_app/sync/store.py): with its
    code and values (`refusal`, a refusals.Refusal) as a server that sends them, else the sentence alone, as one
    stored before codes came on the wire or sent by an older server."""
    from desktop_app.vault.writer import write

    remote = {"rejected": message}
    if refusal is not None:
        remote["refusal"] = {"code": refusal.code, "values": dict(refusal.values)}
    with write(vault) as w:
        w.open_conflict(record_id=record_id, local=None, remote=remote)
        w.mark_conflict(record_id)


def server_conflict(vault, record: PersonRecord, *, lost_given_name: str, lost_device: str = "agadez-b",
                    won_device: str = "agadez-a", server_version: int = 2) -> str:
    """A conflict the server decided between two other laptops, as GET /v2/conflicts lists it (the given name
    changed on both; the server kept `record`'s), stored on this laptop's desk by the desk's own call. Returns the
    server's conflict id."""
    from dataclasses import replace

    from desktop_app.records import review
    from waypoint_core.protocol.review_messages import ConflictSide, ConflictState, ServerConflict

    def state(person: PersonRecord) -> ConflictState:
        fields = {k: v for k, v in person_draft(person).fields.items() if v is not None}
        fields.update({"@status": "finalized", "@created_by": "lamine", "@created_at": "2026-11-20T08:00:00+00:00"})
        return ConflictState(form_id=FORM_ID, form_version=FORM_VERSION, deleted=False, fields=fields,
                             content=person_xml(person))

    conflict_id = str(uuid.uuid4())
    conflict = ServerConflict(
        conflict_id=conflict_id, record_id=record.id, centre_id=str(uuid.uuid4()),
        opened_at="2026-12-01T09:30:00+00:00", fields=["#content", "given_name"],
        lost=ConflictSide(state=state(replace(record, given_name=lost_given_name)), device_id=str(uuid.uuid4()),
                          device_name=lost_device, hlc=1_796_115_960_000),
        server=ConflictSide(state=state(record), device_id=str(uuid.uuid4()), device_name=won_device,
                            hlc=1_796_116_980_000, server_version=server_version, version_hash="0" * 64),
        base=state(replace(record, given_name="Base")), base_version=server_version - 1)
    review.store_server_conflicts(vault, [conflict], device_id=None)
    return conflict_id
