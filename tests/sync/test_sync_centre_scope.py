"""A shared laptop's field staff after a coordinator's region-wide pull, against the real server on loopback (SQLite
and PostgreSQL): records of a form that asks no centre arrive with the centre the server keeps for them (`Change.
centre_id`, `centre_name`, asked with `centres=1`), mapped to the code the laptop's own place uses, so a field worker
of Agadez does not see Niamey's people and does see their own centre's, made on another laptop. The same through a
USB batch's receipt. Records made on the shared laptop keep its centre through edits and syncs. Synthetic people
only; real SQLCipher vaults."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

from desktop_app.services import batches as batch_service
from desktop_app.services import access, places, records, registrations
from desktop_app.services import sync as sync_service
from desktop_app.services.access import AccessDenied
from desktop_app.sync import store
from desktop_app.vault import Vault
from desktop_app.vault import audit as audit_log
from desktop_app.vault import place as place_store
from desktop_app.vault.registrations import RegistrationDraft, get_registration, save_registrations
from tests.access.no_centre_form import FORM_ID, VERSION, night
from tests.sync.support import FAST_RETRY, enrol_at, fast_connect
from waypoint_core.access import policy
from waypoint_core.protocol import PullPage

AGADEZ, NIAMEY = "Agadez transit centre", "Niamey transit centre"  # the shipped list's ne_agadez and ne_niamey
FIELD, COORD = "fatou", "zara"
PASSPHRASES = {FIELD: "field staff passphrase here", COORD: "marble canyon violet engine"}


def one_region(server_admin, name: str, *centres: str) -> tuple[str, ...]:
    """The centres made on the server and put in one region: a coordinator's laptop at one receives the others'."""
    for centre in centres:
        server_admin.code(centre)  # makes the centre
        assert json.loads(server_admin.run("centre", "region", centre, name))["region"] == name
    return centres


@pytest.fixture(scope="module")
def region(server, server_admin):
    """Agadez and Niamey, one region: a coordinator's laptop at Agadez receives Niamey's records."""
    return one_region(server_admin, "Niger", AGADEZ, NIAMEY)


def _unplaced(vault: Vault) -> Vault:
    """A laptop with no place set (as one enrolled before places existed: no person's act, so the vault's own)."""
    place_store.write_place(vault, {})
    return vault


def _night(vault: Vault, given: str) -> str:
    """A record of the form asking no centre, saved as its people do (the form need not be installed here)."""
    [record_id] = save_registrations(vault, [RegistrationDraft(FORM_ID, VERSION, "finalized", night(given, "x"),
                                                               None, {"title": given})])
    return record_id


def _shared(make_vault, server, server_admin, name: str) -> Vault:
    """The shared laptop at Agadez: a coordinator and a field worker use it, so it receives the region."""
    vault = enrol_at(make_vault, server, server_admin, name, AGADEZ, "coordinator,field_staff")
    assert places.get_place(vault).centre == "ne_agadez"
    vault.add_user(FIELD, PASSPHRASES[FIELD], ("field_staff",))
    vault.add_user(COORD, PASSPHRASES[COORD], ("coordinator",))
    return vault


@contextmanager
def _as(vault: Vault, name: str):
    person = Vault.unlock(vault.path, username=name, passphrase=PASSPHRASES[name])
    try:
        yield person
    finally:
        person.close()


def _listed(vault: Vault) -> set[str]:
    return {row.record_id for row in registrations.list_page(vault, offset=0, limit=500)}


def _naming_none(vault: Vault, record_id: str) -> str:
    """The record as a laptop from before stored it, naming no centre (an enrolled laptop now names its own, by the
    server's name when it has no place): set before its first push, so the server holds it naming none."""
    with vault.session() as session:
        session.connection().exec_driver_sql("UPDATE registration SET centre = NULL WHERE id = ?", (record_id,))
    return record_id


def _made_elsewhere(make_vault, server, server_admin, tag: str) -> tuple[Vault, str, str]:
    """A Niamey record and an Agadez record of the form asking no centre, each from a laptop with no place that
    stored them naming no centre, on the server: (Niamey's laptop, Niamey's id, Agadez's id)."""
    niamey = _unplaced(enrol_at(make_vault, server, server_admin, f"niamey-{tag}", NIAMEY, "field_staff"))
    agadez = _unplaced(enrol_at(make_vault, server, server_admin, f"agadez-{tag}", AGADEZ, "field_staff"))
    made = (_naming_none(niamey, _night(niamey, f"Mariama {tag}")),
            _naming_none(agadez, _night(agadez, f"Aissata {tag}")))
    for vault in (niamey, agadez):
        assert sync_service.sync_now(vault, connect=fast_connect()).acknowledged == 1
    assert get_registration(niamey, made[0]).centre is None  # nothing on the record itself says where it was made
    return niamey, *made


def _check_shared(shared: Vault, of_niamey: str, of_agadez: str) -> None:
    assert get_registration(shared, of_niamey).centre == "ne_niamey"
    assert get_registration(shared, of_agadez).centre == "ne_agadez"  # its own centre: the laptop's place
    with _as(shared, FIELD) as field:
        listed = _listed(field)
        assert of_agadez in listed and of_niamey not in listed
        with pytest.raises(AccessDenied, match="outside your scope"):
            records.reopen(field, of_niamey)
    with _as(shared, COORD) as coordinator:
        assert {of_niamey, of_agadez} <= _listed(coordinator)


def test_a_region_wide_pull_keeps_another_centres_records_from_field_staff(region, make_vault, server, server_admin):
    _, of_niamey, of_agadez = _made_elsewhere(make_vault, server, server_admin, "online")
    shared = _shared(make_vault, server, server_admin, "shared-online")
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled >= 2
    _check_shared(shared, of_niamey, of_agadez)


def test_the_pull_names_each_records_centre_only_when_asked_and_outside_its_hash(region, make_vault, server,
                                                                                   server_admin):
    """`centres=1` names the record's own centre (not the asking laptop's); without it the page is as before; the
    version hashes are the content's, the same either way."""
    _, of_niamey, _ = _made_elsewhere(make_vault, server, server_admin, "wire")
    shared = _shared(make_vault, server, server_admin, "shared-wire")
    connection = store.load_credentials(shared).open_with(fast_connect())
    try:
        named = connection.pull(cursor="", limit=1000, centres=True)
        plain = connection.pull(cursor="", limit=1000)
    finally:
        connection.close()
    assert isinstance(named, PullPage) and isinstance(plain, PullPage)
    change = next(c for c in named.changes if c.record_id == of_niamey)
    assert change.centre_name == NIAMEY and change.centre_id is not None and change.hash_matches()
    before = next(c for c in plain.changes if c.record_id == of_niamey)
    assert (before.centre_id, before.centre_name) == (None, None)
    assert before.version_hash == change.version_hash
    assert before.model_dump(exclude={"centre_id", "centre_name"}) == change.model_dump(
        exclude={"centre_id", "centre_name"})


def test_a_receipt_carried_on_usb_brings_each_records_centre_too(region, make_vault, server, server_admin, tmp_path):
    _, of_niamey, of_agadez = _made_elsewhere(make_vault, server, server_admin, "usb")
    shared = _shared(make_vault, server, server_admin, "shared-usb")  # never goes online after enrolment
    courier = enrol_at(make_vault, server, server_admin, "courier", NIAMEY, None)
    out, back = tmp_path / "stick", tmp_path / "back"
    out.mkdir()
    back.mkdir()
    assert len(batch_service.export(shared, out).files) == 1  # nothing to send: the file asks for changes
    assert [r["status"] for r in batch_service.import_files(courier, [out])] == ["waiting"]
    batch_service.forward(courier, receipts_dir=back, connect=fast_connect())
    [applied] = batch_service.import_files(shared, [back])
    assert applied["kind"] == "receipt" and applied["pulled"] >= 2
    _check_shared(shared, of_niamey, of_agadez)


def test_records_made_and_edited_on_the_shared_laptop_keep_their_centre(region, make_vault, server, server_admin):
    niamey, of_niamey, _ = _made_elsewhere(make_vault, server, server_admin, "edits")
    shared = _shared(make_vault, server, server_admin, "shared-edits")
    sync_service.sync_now(shared, connect=fast_connect())
    made_here = _night(shared, "Hawa edits")
    assert get_registration(shared, made_here).centre == "ne_agadez"
    # the coordinator corrects Niamey's record here: the form names no centre, the record stays Niamey's
    save_registrations(shared, [RegistrationDraft(FORM_ID, VERSION, "finalized", night("Mariama edits fixed", "x"),
                                                  of_niamey, {"title": "Mariama edits fixed"})])
    assert get_registration(shared, of_niamey).centre == "ne_niamey"
    assert sync_service.sync_now(shared, connect=fast_connect()).acknowledged == 2
    # a later version from Niamey's own laptop (its content names no centre) keeps the centre too
    sync_service.sync_now(niamey, connect=fast_connect())
    save_registrations(niamey, [RegistrationDraft(FORM_ID, VERSION, "finalized", night("Mariama edits again", "x"),
                                                  of_niamey, {"title": "Mariama edits again"})])
    assert sync_service.sync_now(niamey, connect=fast_connect()).acknowledged == 1
    sync_service.sync_now(shared, connect=fast_connect())
    assert get_registration(shared, of_niamey).title == "Mariama edits again"
    assert get_registration(shared, of_niamey).centre == "ne_niamey"
    assert get_registration(shared, made_here).centre == "ne_agadez"
    with _as(shared, FIELD) as field:
        listed = _listed(field)
        assert made_here in listed and of_niamey not in listed


def test_on_an_enrolled_laptop_nobody_moves_its_centre_here(region, make_vault, server, server_admin):
    """The pull stores the enrolment centre's records under the laptop's place, and field staff see the place's
    centre: a field worker who set Niamey as the laptop's would see the people the coordinator pulled from Niamey.
    Field staff are refused by their right; the administrator and the coordinator because the enrolment decides (enrol
    again with a code of another centre to move it). Each refusal is in the laptop's audit log."""
    _, of_niamey, of_agadez = _made_elsewhere(make_vault, server, server_admin, "place")
    shared = _shared(make_vault, server, server_admin, "shared-place")
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled >= 2
    with _as(shared, FIELD) as field:
        with pytest.raises(AccessDenied, match="not allowed to manage devices") as refused:
            places.set_place(field, country="NE", centre="ne_niamey")
        assert not isinstance(refused.value, access.PlaceFromEnrolment)
    for person in (shared, Vault.unlock(shared.path, username=COORD, passphrase=PASSPHRASES[COORD])):
        with pytest.raises(access.PlaceFromEnrolment, match="enrol it again"):
            places.set_place(person, country="NE", centre="ne_niamey")
        if person is not shared:
            person.close()
    assert places.get_place(shared).centre == "ne_agadez"
    _check_shared(shared, of_niamey, of_agadez)
    placed = audit_log.entries(shared, audit_log.Filter(event_prefix="devices.place"), offset=0, limit=10,
                               newest_first=False)
    assert [(e.actor, e.outcome) for e in placed] == [(FIELD, "refused"), ("admin", "refused"), (COORD, "refused")]


class _OldServer(sync_service.ServerConnection):
    """The real connection, asking pages as a laptop did before `centres=1` (a server from before it answers so)."""

    def pull(self, **asked):
        return super().pull(**{**asked, "centres": False})


def test_records_pulled_before_the_server_named_centres_are_nobodys_until_pulled_again(region, make_vault, server,
                                                                                         server_admin):
    """Pulled naming no centre (as before this version): no centre-scoped person sees them, the coordinator does.
    Pulled again from the start (what vault migration 0027 asks of a laptop holding such records), each takes the
    centre the server names, though its version is already here."""
    _, of_niamey, of_agadez = _made_elsewhere(make_vault, server, server_admin, "before")
    shared = _shared(make_vault, server, server_admin, "shared-before")
    sync_service.sync_now(shared, connect=lambda url, **kw: _OldServer(url, **{"retry": FAST_RETRY, **kw}))
    assert get_registration(shared, of_niamey).centre is None and get_registration(shared, of_agadez).centre is None
    with _as(shared, FIELD) as field:
        assert not {of_niamey, of_agadez} & _listed(field)
    with _as(shared, COORD) as coordinator:
        assert {of_niamey, of_agadez} <= _listed(coordinator)
    with shared.session() as session:  # the cursor emptied, as migration 0027 does
        session.connection().exec_driver_sql("UPDATE sync_state SET value = '' WHERE key = 'cursor'")
    summary = sync_service.sync_now(shared, connect=fast_connect())
    assert summary.pulled == 0  # nothing new: only the centres were learnt
    _check_shared(shared, of_niamey, of_agadez)


# --- a centre the shipped list does not know (fail closed) -------------------------------------------------------

TAHOUA = "Tahoua reception point"  # a centre of the server that forms/lists/centres.csv does not name


@pytest.fixture(scope="module")
def region_with_unlisted(region, server_admin):
    """Tahoua joins Niger: a coordinator's laptop enrolled at Tahoua receives Niamey's and Agadez's records."""
    server_admin.code(TAHOUA)
    assert json.loads(server_admin.run("centre", "region", TAHOUA, "Niger"))["region"] == "Niger"
    return (TAHOUA, *region)


def test_a_laptop_at_a_centre_the_list_does_not_know_shows_field_staff_that_centre_only(region_with_unlisted,
                                                                                         make_vault, server,
                                                                                         server_admin):
    """Enrolled at a centre whose server name matches no code or name of the list, the laptop has no place code.
    Its field staff were limited by nothing ("on this laptop"): after the coordinator's region-wide pull they saw
    Niamey's people. Now their centre is the server's name: they see Tahoua's records (made on another laptop of
    Tahoua, and here) and nothing else; the coordinator sees the region."""
    niamey = _unplaced(enrol_at(make_vault, server, server_admin, "niamey-unlisted", NIAMEY, "field_staff"))
    tahoua = enrol_at(make_vault, server, server_admin, "tahoua-field", TAHOUA, "field_staff")
    assert places.get_place(tahoua).centre == ""  # nothing in the list to map it to
    of_niamey, of_tahoua = _night(niamey, "Mariama unlisted"), _night(tahoua, "Aissata unlisted")
    for vault in (niamey, tahoua):
        assert sync_service.sync_now(vault, connect=fast_connect()).acknowledged == 1
    shared = enrol_at(make_vault, server, server_admin, "shared-tahoua", TAHOUA, "coordinator,field_staff")
    shared.add_user(FIELD, PASSPHRASES[FIELD], ("field_staff",))
    shared.add_user(COORD, PASSPHRASES[COORD], ("coordinator",))
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled >= 2
    with _as(shared, FIELD) as field:
        made_here = _night(field, "Hawa unlisted")
        listed = _listed(field)
        assert of_niamey not in listed and {of_tahoua, made_here} <= listed
        assert get_registration(field, made_here).centre == TAHOUA
        assert get_registration(field, of_tahoua).centre == TAHOUA
        assert get_registration(field, of_niamey).centre == "ne_niamey"
        with pytest.raises(AccessDenied, match="outside your scope"):
            records.reopen(field, of_niamey)
        # the region too: a laptop that knows no country is its enrolment centre's region, never every region
        actor = access.actor_of(field)
        assert actor.centre == TAHOUA and actor.region == f"centre:{TAHOUA}"
        assert not policy.within("region", actor, policy.RecordFacts(region="region:Sahel"))
    with _as(shared, COORD) as coordinator:
        assert {of_niamey, of_tahoua, made_here} <= _listed(coordinator)


def test_records_typed_before_the_enrolment_are_filed_under_the_centre_it_gives(region_with_unlisted, make_vault,
                                                                                 server, server_admin):
    """A laptop used standalone first (no place: its field staff see everything on it), then enrolled at a centre the
    list does not know: what it typed and never sent is filed under that centre, where the server will hold it, so its
    field staff still see their own records (one answering Niamey as its centre, one naming none)."""
    laptop = make_vault("tahoua-before")
    laptop.add_user(FIELD, PASSPHRASES[FIELD], ("field_staff",))
    with _as(laptop, FIELD) as field:
        answered = _answering(field, "Mariama typed", "ne_niamey")
        unnamed = _night(field, "Aissata typed")
        assert access.actor_of(field).centre is None and {answered, unnamed} <= _listed(field)
    assert (get_registration(laptop, answered).centre, get_registration(laptop, unnamed).centre) == ("ne_niamey", None)
    sync_service.enrol(laptop, server_url=server.url, code=server_admin.code(TAHOUA), device_name="tahoua-before")
    assert get_registration(laptop, answered).centre == TAHOUA and get_registration(laptop, unnamed).centre == TAHOUA
    with _as(laptop, FIELD) as field:
        assert {answered, unnamed} <= _listed(field)
    assert sync_service.sync_now(laptop, connect=fast_connect()).acknowledged == 2
    assert get_registration(laptop, answered).centre == TAHOUA


# --- the server's centre wins over the form's answer -------------------------------------------------------------


def _answering(vault: Vault, given: str, centre: str, record_id: str | None = None) -> str:
    """A record whose content answers a centre question (`centre`), as a form asking one saves it."""
    [saved] = save_registrations(vault, [RegistrationDraft(FORM_ID, VERSION, "finalized", night(given, "x"),
                                                           record_id, {"title": given, "centre": centre})])
    return saved


def test_a_pulled_record_is_filed_under_the_centre_the_server_holds_it_in_not_its_answer(region, make_vault, server,
                                                                                         server_admin):
    """Niamey's laptop registers someone with Agadez as the centre answer (a slip, or an old value). The server holds
    the record in Niamey (where it was made) and sends it to Agadez's laptops only in a region-wide pull: on Niamey's
    laptop and on the shared Agadez laptop it is Niamey's, so Agadez's field worker does not see it; it stays
    Niamey's through an edit here whose answer still says Agadez, and through a later version from Niamey's laptop."""
    niamey = enrol_at(make_vault, server, server_admin, "niamey-answer", NIAMEY, "field_staff")
    slipped = _answering(niamey, "Mariama answer", "ne_agadez")
    # made on an enrolled laptop: filed under the laptop's centre, where the server will hold it
    assert get_registration(niamey, slipped).centre == "ne_niamey"
    assert sync_service.sync_now(niamey, connect=fast_connect()).acknowledged == 1
    shared = _shared(make_vault, server, server_admin, "shared-answer")
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled >= 1
    assert get_registration(shared, slipped).centre == "ne_niamey"
    with _as(shared, FIELD) as field:
        assert slipped not in _listed(field)
        with pytest.raises(AccessDenied, match="outside your scope"):
            records.reopen(field, slipped)
    # the coordinator edits it here, the answer unchanged: the writer keeps the centre the server named
    _answering(shared, "Mariama answer fixed", "ne_agadez", slipped)
    assert get_registration(shared, slipped).centre == "ne_niamey"
    assert sync_service.sync_now(shared, connect=fast_connect()).acknowledged == 1
    # a later version from Niamey's laptop, still answering Agadez
    sync_service.sync_now(niamey, connect=fast_connect())
    _answering(niamey, "Mariama answer again", "ne_agadez", slipped)
    assert sync_service.sync_now(niamey, connect=fast_connect()).acknowledged == 1
    sync_service.sync_now(shared, connect=fast_connect())
    assert get_registration(shared, slipped).title == "Mariama answer again"
    assert get_registration(shared, slipped).centre == "ne_niamey"
    with _as(shared, FIELD) as field:
        assert slipped not in _listed(field)
    with _as(shared, COORD) as coordinator:
        assert slipped in _listed(coordinator)


def test_a_record_filed_under_its_answer_before_is_moved_to_the_servers_centre_by_a_pull(region, make_vault, server,
                                                                                        server_admin):
    """Pulled before this version (filed under its answer, as the old code did), the record is Niamey's again once
    a pull names it, though its version is already here (a pull from the start, as after a server restore)."""
    niamey = enrol_at(make_vault, server, server_admin, "niamey-before", NIAMEY, "field_staff")
    slipped = _answering(niamey, "Mariama before", "ne_agadez")
    with niamey.session() as session:  # filed under its answer, as the writer did before (so its fields say so)
        session.connection().exec_driver_sql("UPDATE registration SET centre = 'ne_agadez' WHERE id = ?", (slipped,))
    assert sync_service.sync_now(niamey, connect=fast_connect()).acknowledged == 1
    shared = _shared(make_vault, server, server_admin, "shared-answer-before")
    sync_service.sync_now(shared, connect=lambda url, **kw: _OldServer(url, **{"retry": FAST_RETRY, **kw}))
    assert get_registration(shared, slipped).centre == "ne_agadez"  # no centre named: the answer, as before
    with shared.session() as session:
        session.connection().exec_driver_sql("UPDATE sync_state SET value = '' WHERE key = 'cursor'")
    assert sync_service.sync_now(shared, connect=fast_connect()).pulled == 0
    assert get_registration(shared, slipped).centre == "ne_niamey"
    with _as(shared, FIELD) as field:
        assert slipped not in _listed(field)


def test_sync_status_counts_unsynced_records_the_person_may_see_as_the_status_bar_does(region, make_vault, server,
                                                                                         server_admin):
    """A record of Niamey waiting on the shared Agadez laptop is not counted for its field worker (the count would
    say another centre's records are here); the coordinator counts it; those who manage the laptop also get the
    whole laptop's count (whether it may be wiped or handed over), the field worker not."""
    from tests.sync.test_sync_client import waypoint

    _, of_niamey, _ = _made_elsewhere(make_vault, server, server_admin, "status")
    shared = _shared(make_vault, server, server_admin, "shared-status")
    sync_service.sync_now(shared, connect=fast_connect())
    with _as(shared, COORD) as coordinator:  # the coordinator corrects Niamey's record here, not sent yet
        save_registrations(coordinator, [RegistrationDraft(FORM_ID, VERSION, "finalized",
                                                           night("Mariama status fixed", "x"), of_niamey,
                                                           {"title": "Mariama status fixed"})])
        status = sync_service.sync_status(coordinator)
        assert status["unsynced"] == 1 == registrations.list_counts(coordinator).unsynced
        assert status["unsynced_on_laptop"] == 1
    with _as(shared, FIELD) as field:
        status = sync_service.sync_status(field)
        assert status["unsynced"] == 0 == registrations.list_counts(field).unsynced
        assert "unsynced_on_laptop" not in status
    path = shared.path
    shared.close()
    said = waypoint("sync", "--vault", str(path), "--user", FIELD, "--status",
                    env_extra={"WAYPOINT_PASSPHRASE": PASSPHRASES[FIELD]})
    assert said.returncode == 0, said.stderr
    printed = json.loads(said.stdout)
    assert printed["unsynced"] == 0 and "unsynced_on_laptop" not in printed
    managed = json.loads(waypoint("sync", "--vault", str(path), "--user", "admin", "--status").stdout)
    assert managed["unsynced"] == 0 and managed["unsynced_on_laptop"] == 1  # Agadez's administrator: the laptop's


def _as_filed_before(vault: Vault, record_id: str, answer: str) -> None:
    """The record as a laptop from before filed it: under its content's centre answer (the row, its indicator fact,
    and so its merge base is the row itself again, as the pull left it), and the vault's schema that version's."""
    from desktop_app.vault.sql import Db
    from desktop_app.vault.writer.bases import registration_states

    with vault.session() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE registration SET centre = ? WHERE id = ?", (answer, record_id))
        conn.exec_driver_sql("UPDATE indicator_fact SET centre = ? WHERE record_id = ?", (answer, record_id))
        base = conn.exec_driver_sql("SELECT base FROM sync_record WHERE record_id = ?", (record_id,)).scalar_one()
        if base:  # pulled under the server's centre: its base is the server's state, which the row is again now
            assert json.loads(base) == registration_states(Db.of(session), [record_id])[record_id][0]
            conn.exec_driver_sql("UPDATE sync_record SET base = '' WHERE record_id = ?", (record_id,))
        conn.exec_driver_sql("PRAGMA user_version = 27")


def test_migration_0028_refiles_records_filed_under_their_answer_by_the_next_pull(region, make_vault, server,
                                                                                   server_admin):
    """Vaults from before the server's centre won (schema 27): Niamey's record answering Agadez, filed under Agadez
    on Niamey's laptop that made it and on the shared Agadez laptop that pulled the region. Upgraded, each laptop
    pulls everything again at its next sync and files the record under Niamey, where the server holds it: Agadez's
    field worker no longer sees it (they did until that sync: the laptop alone cannot know the server's centre)."""
    from tests.sync.support import PASSPHRASE

    niamey = enrol_at(make_vault, server, server_admin, "niamey-0028", NIAMEY, "field_staff")
    slipped = _answering(niamey, "Mariama 0028", "ne_agadez")
    with niamey.session() as session:  # filed under its answer, as the writer did before (so it was sent so)
        session.connection().exec_driver_sql("UPDATE registration SET centre = 'ne_agadez' WHERE id = ?", (slipped,))
    assert sync_service.sync_now(niamey, connect=fast_connect()).acknowledged == 1
    shared = _shared(make_vault, server, server_admin, "shared-0028")
    sync_service.sync_now(shared, connect=fast_connect())
    for vault in (niamey, shared):
        _as_filed_before(vault, slipped, "ne_agadez")
    with _as(shared, FIELD) as field:  # as it was: another centre's person shown to Agadez's field staff
        assert slipped in _listed(field)
    paths = (niamey.path, shared.path)
    niamey.close()
    shared.close()
    for path in paths:
        with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as upgraded:
            assert get_registration(upgraded, slipped).centre == "ne_agadez"  # nothing guessed before the pull
            assert sync_service.sync_status(upgraded)["cursor"] == ""
            sync_service.sync_now(upgraded, connect=fast_connect())
            assert get_registration(upgraded, slipped).centre == "ne_niamey"
            assert upgraded.verify().ok
    with Vault.unlock(paths[1], username=FIELD, passphrase=PASSPHRASES[FIELD]) as field:
        assert slipped not in _listed(field)
    with Vault.unlock(paths[1], username=COORD, passphrase=PASSPHRASES[COORD]) as coordinator:
        assert slipped in _listed(coordinator)
