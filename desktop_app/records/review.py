"""The review desk's records side: conflicts side by side, duplicate candidates and the decisions about them.

- Conflicts (table `conflict`, opened by the sync client): both sides and the merge base compared leaf by leaf of the
  instance (every question), with who saved this laptop's side and which server version the other is. A resolution
  (keep this laptop's side, keep the server's, or an edited mix) is a new version of the record written through the
  vault's one writer on top of the server version it was decided on: the finalized version it replaces is kept in
  the record's history, its op syncs it to every device, and the conflict row says who closed it and how.
- Rejected operations: conflicts whose other side is the server's (or this laptop's) refusal, with what the laptop
  that made the record should do about it.
- Duplicate candidates: people read from finalized registrations whose person consented to matching
  (`consent_matching` = yes in the shipped registration form), scored by waypoint_core.registry.matching (blocked,
  never all pairs). Generation is split so the caller can run the CPU part off the database thread:
  `load_people` (database) -> `find_candidates` (pure) -> `store_candidates` (database). The list pages from the
  stored result.
- Decisions about pairs are records of their own form (`DECISION_FORM`), saved through the writer like any record,
  so they travel with sync to every device and the server and keep their history: "not the same person" (the pair
  is never proposed again), and "merge" (both registrations keep their ids, and so do the events, referrals and cases
  that name them: each keeps the registration it was recorded for, so the laptop of a centre that does not hold the
  kept registration still shows them in its case file and counts them linked). What follows a person reads the merge
  decisions instead (indicators, the kept person's case file, consent, the server's referral check). Undo is a new
  version of the decision (`undone`), after which the two registrations are separate again.
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from desktop_app.records import casefile
from desktop_app.records.form_store import FormNotInstalled, get_form_xform
from desktop_app.vault.models import DECISION_FORM, SYNC_WRITER
from desktop_app.vault.states import clean
from desktop_app.vault.registrations import EVERYTHING, Visible
from desktop_app.vault.sql import Db, chunks, in_list, text
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import RegistrationDraft, Writer, base_state, write
from waypoint_core.access.sealed import is_sealed
from waypoint_core.protocol import refusals
from waypoint_core.protocol.refusals import Refusal
from waypoint_core.protocol.refusals import parse as parse_refusal
from waypoint_core.protocol.review_messages import ConflictState, ServerConflict
from waypoint_core.registry.matching import DuplicateCandidate, Reason, candidates
from waypoint_core.registry.person import PersonRecord, Profile, prepare
from waypoint_core.xform import FormDefinition, FormError

DECISION_VERSION = "1"
_REPEAT_INDEX = re.compile(r"\[\d+\]")
NOT_SAME, MERGE = "not_same", "merge"
KEEP_LOCAL, KEEP_REMOTE, EDITED, REVIEWED = "local", "remote", "edited", "reviewed"
PERSON_REF = "person_ref"  # what assistance events, referrals and cases call the person (registration number)
CONSENT_MATCHING = "consent_matching"
LOAD_CHUNK = 2000

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ReviewError(ValueError):
    """A review decision cannot be made as asked; the message says why."""


def short_id(record_id: str) -> str:
    """The registration number the list shows and events name (services.registrations.RegistrationRow)."""
    return record_id.replace("-", "")[:8].upper()


# --- conflicts ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictRow:
    conflict_id: str
    record_id: str
    title: str
    centre: str
    opened_at: str
    where: str  # the field or leaf the merge stopped at ("" when the server opened it)
    waiting: bool  # the server's side is not on this laptop yet (sync to fetch it)
    message: str = ""  # for a rejected operation: the reason, in English as the server (or this laptop) gave it
    refusal: Refusal | None = None  # its code and values, for the interface's words (None: a reason not known)

    @property
    def short_id(self) -> str:
        return short_id(self.record_id)


@dataclass(frozen=True)
class LeafDiff:
    path: str
    base: str | None
    local: str | None
    remote: str | None
    restricted: bool  # a sealed P3 answer: compared, never shown
    label: str = ""  # the question's label in the form, in the language asked for ("" when the form has none)

    @property
    def changed_here(self) -> bool:
        return self.local != self.base

    @property
    def changed_there(self) -> bool:
        return self.remote != self.base

    @property
    def differs(self) -> bool:
        return self.local != self.remote


@dataclass(frozen=True)
class ConflictDetail:
    conflict_id: str
    record_id: str
    title: str
    centre: str
    form_id: str
    form_version: str
    opened_at: str
    where: str
    local_by: str  # who saved this laptop's side, and when
    local_at: str
    remote_version: int | None
    waiting: bool
    local_deleted: bool
    remote_deleted: bool
    leaves: tuple[LeafDiff, ...]
    # A conflict the server decided between other devices (fetched from GET /v2/conflicts): the "local" side is the
    # version that lost, made on `local_device` (its name; "" for this laptop's own conflicts); the server's side
    # names the device that made it and when.
    local_device: str = ""
    remote_by: str = ""
    remote_at: str = ""

    @property
    def from_server(self) -> bool:
        return bool(self.local_device)

    @property
    def short_id(self) -> str:
        return short_id(self.record_id)

    @property
    def differing(self) -> list[LeafDiff]:
        return [leaf for leaf in self.leaves if leaf.differs]


_OPEN = "c.resolved_at IS NULL"
_REJECTED = "json_extract(c.remote, '$.rejected') IS NOT NULL"


def _visible_join(visible: Visible, params: dict[str, Any]) -> str:
    return visible.where(params, "r.")


def count_conflicts(vault: Vault, *, rejected: bool = False, visible: Visible = EVERYTHING) -> int:
    params: dict[str, Any] = {}
    where = f"{_OPEN} AND {'' if rejected else 'NOT '}{_REJECTED}" + _visible_join(visible, params)
    with vault.session(readonly=True) as session:
        return int(Db.of(session).execute(text(
            f"SELECT COUNT(*) FROM conflict c JOIN registration r ON r.id = c.record_id WHERE {where}"),
            params).scalar_one())


def page_conflicts(vault: Vault, *, offset: int, limit: int, rejected: bool = False,
                   visible: Visible = EVERYTHING) -> list[ConflictRow]:
    """Open conflicts (or rejected operations), oldest first, one page; only records `visible` allows."""
    params: dict[str, Any] = {"offset": max(0, int(offset)), "limit": max(0, int(limit))}
    where = f"{_OPEN} AND {'' if rejected else 'NOT '}{_REJECTED}" + _visible_join(visible, params)
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text(
            "SELECT c.id, c.record_id, c.opened_at, c.remote, r.title, r.centre FROM conflict c "
            f"JOIN registration r ON r.id = c.record_id WHERE {where} "
            "ORDER BY c.opened_at, c.id LIMIT :limit OFFSET :offset"), params).all()
    out = []
    for row in rows:
        remote = json.loads(row.remote)
        message = str(remote.get("rejected") or "")
        out.append(ConflictRow(row.id, row.record_id, row.title or "", row.centre or "", row.opened_at,
                               str(remote.get("field") or ""), remote.get("state") is None and not rejected,
                               message, _refusal(remote.get("refusal"), message) if rejected else None))
    return out


def _refusal(stored: Any, message: str) -> Refusal | None:
    """A rejection's code and values as stored with it: the server's (`OpResult.code`, `code_values`) or this
    laptop's own "not sendable". Parsing the English sentence is only the fallback, for a refusal stored before codes
    came on the wire or sent by an older server without one (refusals.parse; a sentence it does not know: None)."""
    if isinstance(stored, dict) and isinstance(stored.get("code"), str):
        values = stored.get("values")
        return Refusal(stored["code"], {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {})
    return parse_refusal(message)


def leaves_of(content: str | None) -> dict[str, str]:
    """Instance XML as leaf path -> text (siblings of one name numbered, so repeats stay apart)."""
    if not content:
        return {}
    try:
        root = ET.fromstring(content.encode("utf-8"))
    except ET.ParseError:
        return {"(record)": content}
    found: dict[str, str] = {}

    def walk(element: ET.Element, path: str) -> None:
        children = list(element)
        if not children:
            found[path] = (element.text or "").strip()
            return
        counts: dict[str, int] = {}
        total: dict[str, int] = {}
        for child in children:
            name = child.tag.rsplit("}", 1)[-1]
            total[name] = total.get(name, 0) + 1
        for child in children:
            name = child.tag.rsplit("}", 1)[-1]
            counts[name] = counts.get(name, 0) + 1
            walk(child, f"{path}/{name}" + (f"[{counts[name]}]" if total[name] > 1 else ""))

    for child in list(root):
        walk(child, child.tag.rsplit("}", 1)[-1])
    return found


def question_labels(vault: Vault, form_id: str, form_version: str, language: str) -> dict[str, str]:
    """The form's question labels by path below the root, in the form language matching `language` (the
    interface's); none when the form version is not installed or does not load."""
    try:
        definition = FormDefinition.from_xml(get_form_xform(vault, form_id, form_version))
    except (FormNotInstalled, FormError):
        return {}
    return definition.question_labels(definition.language_for(language))


def conflict_detail(vault: Vault, conflict_id: str, *, language: str = "en") -> ConflictDetail:
    """One conflict answer by answer, each answer named by its question's label in `language` (the interface's)."""
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        row = db.execute(text("SELECT c.id, c.record_id, c.opened_at, c.local, c.remote, c.resolved_at, r.title, "
                              "r.centre, r.form_id, r.form_version, r.updated_by, r.updated_at FROM conflict c "
                              "JOIN registration r ON r.id = c.record_id WHERE c.id = :i"), {"i": conflict_id}).first()
        if row is None:
            raise ReviewError("this conflict is no longer on this laptop")
        base_row = db.execute(text("SELECT base FROM sync_record WHERE record_id = :r"), {"r": row.record_id}).first()
        held_base = base_state(db, row.record_id, base_row.base) if base_row is not None else None
        author = _local_author(db, row)
    local = json.loads(row.local) if row.local else None
    remote_info = json.loads(row.remote)
    remote = remote_info.get("state")
    from_server = remote_info.get("source") == SERVER_SOURCE
    if from_server:  # both sides are other devices': who made each, and the base the server still holds
        base = remote_info.get("base")
        author = (str(remote_info.get("lost_by") or "?"), str(remote_info.get("lost_at") or ""))
    else:
        base = held_base
    a, b, o = (leaves_of((s or {}).get("content")) for s in (local, remote, base))
    paths = list(dict.fromkeys([*a, *b]))
    labels = question_labels(vault, row.form_id, row.form_version, language)
    leaves = tuple(LeafDiff(p, o.get(p), a.get(p), b.get(p) if remote is not None else None,
                            any(is_sealed(v) for v in (o.get(p), a.get(p), b.get(p))),
                            labels.get(_REPEAT_INDEX.sub("", p), "")) for p in paths
                   if not p.startswith("meta/"))
    return ConflictDetail(
        conflict_id=row.id, record_id=row.record_id, title=row.title or "", centre=row.centre or "",
        form_id=row.form_id, form_version=row.form_version, opened_at=row.opened_at,
        where=str(remote_info.get("field") or ""), local_by=author[0], local_at=author[1],
        remote_version=remote_info.get("server_version"), waiting=remote is None,
        local_deleted=bool((local or {}).get("deleted")), remote_deleted=bool((remote or {}).get("deleted")),
        leaves=leaves, local_device=author[0] if from_server else "",
        remote_by=str(remote_info.get("won_by") or ""), remote_at=str(remote_info.get("won_at") or ""))


def _local_author(db: Db, row: Any) -> tuple[str, str]:
    """Who saved this laptop's side: the record's last editor, or (when the server's winner was written over it
    since) the last person who saved a version of it here before the conflict opened."""
    if row.updated_by != SYNC_WRITER:
        return row.updated_by, row.updated_at
    kept = db.execute(text("SELECT saved_by, saved_at FROM registration_version WHERE record_id = :r "
                           "AND saved_by != :s ORDER BY version DESC LIMIT 1"),
                      {"r": row.record_id, "s": SYNC_WRITER}).first()
    if kept is not None:
        return kept.saved_by, kept.saved_at
    # The server's copy of this very content was written over it (the server kept this side as the winner): the
    # person is not known any more, the time this laptop queued its change is.
    queued = db.execute(text("SELECT MAX(created_at) AS t FROM outbox WHERE record_id = :r AND created_at <= :o"),
                        {"r": row.record_id, "o": row.opened_at}).first()
    return "", (queued.t or "") if queued is not None else ""


SERVER_SOURCE = "server"  # remote.source of a conflict fetched from the server (decided between other devices)


def _sync_state(state: ConflictState) -> dict[str, Any]:
    """A server conflict's side in the shape both sides of a conflict take here (as a pulled change is stored)."""
    return {"form_id": state.form_id, "form_version": state.form_version, "deleted": state.deleted,
            "content": None if state.deleted else state.content, "fields": clean(dict(state.fields))}


def _hlc_time(hlc: int) -> str:
    return datetime.fromtimestamp(hlc / 1000, UTC).isoformat(timespec="seconds") if hlc > 0 else ""


def store_server_conflicts(vault: Vault, conflicts: Sequence[ServerConflict], *, device_id: str | None
                           ) -> tuple[int, int]:
    """The server's open conflicts of this laptop's reach, as just fetched (every page), into the desk's `conflict`
    table: "device X's version" (the side that lost) against the server's. Left out: conflicts of records this
    laptop does not hold (yet: the next fetch after a sync finds them), and those opened by this laptop's own op
    (its own conflict row holds them). When this laptop already holds a newer server version of the record than
    the one the conflict made, that newer version is the server's side, so a decision is made on it. Conflicts
    no longer open on the server are closed here. Returns (added, closed)."""
    wanted = [c for c in conflicts if c.server.device_id != device_id]
    with write(vault) as w:
        held: dict[str, Any] = {}
        for part in chunks([c.record_id for c in wanted]):
            marks, params = in_list(part)
            for row in w.db.execute(text(
                    f"SELECT r.id, s.server_version, s.base FROM registration r LEFT JOIN sync_record s ON "
                    f"s.record_id = r.id WHERE r.deleted = 0 AND r.id IN ({marks})"), params).all():
                held[row.id] = row
        rows = []
        for c in wanted:
            here = held.get(c.record_id)
            if here is None:
                continue
            remote_state, version = _sync_state(c.server.state), c.server.server_version
            if here.server_version is not None and version is not None and here.server_version > version \
                    and here.base is not None:
                held_base = base_state(w.db, c.record_id, here.base)  # AS_RECORD: the record as it is here
                if held_base is not None:
                    remote_state, version = held_base, int(here.server_version)
            answers = [f for f in c.fields if not f.startswith("#")]
            remote = {"state": remote_state, "server_version": version, "source": SERVER_SOURCE,
                      "field": answers[0] if answers else "content", "fields": c.fields, "server_conflict": c.conflict_id,
                      "lost_by": c.lost.device_name or c.lost.device_id or "", "lost_at": _hlc_time(c.lost.hlc),
                      "won_by": c.server.device_name or c.server.device_id or "", "won_at": _hlc_time(c.server.hlc),
                      "base": _sync_state(c.base) if c.base is not None else None, "base_version": c.base_version}
            rows.append({"server_id": c.conflict_id, "record_id": c.record_id, "opened_at": c.opened_at,
                         "local": json.dumps(_sync_state(c.lost.state), sort_keys=True),
                         "remote": json.dumps(remote, sort_keys=True)})
        return w.put_server_conflicts(rows, still_open={c.conflict_id for c in conflicts})


def resolve_conflict(vault: Vault, conflict_id: str, *, keep: str, edits: dict[str, str] | None = None,
                     extract: Callable[[str, str, str], dict[str, Any]] | None = None) -> int:
    """Close a conflict with this laptop's side (`keep`="local"), the server's ("remote"), or `edits` (leaf path ->
    text) over the side named by `keep` ("edited" is recorded). Returns the record's new local version.

    `extract(form_id, form_version, content)` gives the extracted fields of the resulting content (the form's own
    rules, from the records layer); without it (or when the form is not installed) the chosen side's fields stay.
    """
    if keep not in (KEEP_LOCAL, KEEP_REMOTE):
        raise ReviewError("choose this laptop's version or the server's")
    edits = {path: value for path, value in (edits or {}).items()}
    with write(vault) as w:
        row = w.db.execute(text("SELECT record_id, local, remote, resolved_at FROM conflict WHERE id = :i"),
                           {"i": conflict_id}).first()
        if row is None or row.resolved_at is not None:
            raise ReviewError("this conflict was already resolved")
        remote_info = json.loads(row.remote)
        if remote_info.get("rejected") is not None:
            raise ReviewError("a rejected operation is reviewed, not resolved: correct the record and save it")
        remote = remote_info.get("state")
        if remote is None:
            raise ReviewError("the server's version is not on this laptop yet: sync, then decide")
        local = json.loads(row.local) if row.local else None
        chosen = dict(local if keep == KEEP_LOCAL and local is not None else remote)
        stored = w.stored(row.record_id)
        if stored is None:
            raise ReviewError("this record is no longer on this laptop")
        version = int(remote_info.get("server_version") or 0)
        w.rebase_on_server(row.record_id, version=version, state=remote)
        if chosen.get("deleted"):
            w.close_conflict(conflict_id, resolution=keep)
            w.delete(row.record_id)
            return stored.version + 1
        content = chosen.get("content") or ""
        if edits:
            content = _edited(content, edits)
        fields = _fields_of(chosen)
        if extract is not None:
            try:
                fields = extract(chosen["form_id"], chosen["form_version"], content)
            except LookupError:
                pass  # the form is not installed here: the chosen side's fields stay
        if stored.deleted:
            raise ReviewError("this record was deleted here; it cannot be brought back from the review desk")
        if stored.status == "finalized":
            w.keep_version(stored)
        status = str(chosen.get("fields", {}).get("@status") or stored.status or "finalized")
        saved = w.save([RegistrationDraft(chosen["form_id"], chosen["form_version"], status, content,
                                          row.record_id, fields)])[0]
        w.close_conflict(conflict_id, resolution=EDITED if edits else keep)
        _close_other_conflicts(w, row.record_id, keep)
        return int(saved["version"])


def _close_other_conflicts(w: Writer, record_id: str, keep: str) -> None:
    for other in w.db.execute(text("SELECT id FROM conflict WHERE record_id = :r AND resolved_at IS NULL "
                                   "AND json_extract(remote, '$.rejected') IS NULL"), {"r": record_id}).all():
        w.close_conflict(other.id, resolution=keep)


def review_rejected(vault: Vault, conflict_id: str) -> None:
    """A rejected operation seen and passed on (the laptop that made the record corrects it)."""
    with write(vault) as w:
        if not w.close_conflict(conflict_id, resolution=REVIEWED):
            raise ReviewError("this rejection was already reviewed")


def _fields_of(state: dict[str, Any]) -> dict[str, Any]:
    """A sync state's fields as a save takes them (summary columns and extracted fields; no "@" columns)."""
    return {name: value for name, value in (state.get("fields") or {}).items() if not name.startswith("@")}


def _edited(content: str, edits: dict[str, str]) -> str:
    root = ET.fromstring(content.encode("utf-8"))
    by_path: dict[str, ET.Element] = {}

    def walk(element: ET.Element, path: str) -> None:
        children = list(element)
        if not children:
            by_path[path] = element
            return
        total: dict[str, int] = {}
        counts: dict[str, int] = {}
        for child in children:
            name = child.tag.rsplit("}", 1)[-1]
            total[name] = total.get(name, 0) + 1
        for child in children:
            name = child.tag.rsplit("}", 1)[-1]
            counts[name] = counts.get(name, 0) + 1
            walk(child, f"{path}/{name}" + (f"[{counts[name]}]" if total[name] > 1 else ""))

    for child in list(root):
        walk(child, child.tag.rsplit("}", 1)[-1])
    for path, value in edits.items():
        element = by_path.get(path)
        if element is None:
            raise ReviewError(f"no answer {path} in this record")
        if is_sealed(element.text):
            raise ReviewError("a restricted answer cannot be edited on the review desk")
        element.text = value or None
    return ET.tostring(root, encoding="unicode")


# --- people and duplicate candidates -------------------------------------------------------------------------------

_PERSON_LEAVES = frozenset({"given_name", "family_name", "other_names", "sex", "date_of_birth", "age_years",
                            "registered_on", "nationality", "id_document_number", "id_document_type", "phone",
                            "centre", "centre_country", CONSENT_MATCHING})


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10]) if value else None
    except ValueError:
        return None


def person_of(record_id: str, content: str) -> PersonRecord | None:
    """The person a registration describes (the shipped registration form's names), or None for a record that
    names no one. Sealed (P3) answers are never read."""
    try:
        root = ET.fromstring(content.encode("utf-8"))
    except ET.ParseError:
        return None
    found: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in _PERSON_LEAVES and name not in found and len(element) == 0:
            value = (element.text or "").strip()
            if value and not is_sealed(value):
                found[name] = value
    if not (found.get("given_name") or found.get("family_name")):
        return None
    age = found.get("age_years")
    return PersonRecord(
        id=record_id, given_name=found.get("given_name"), family_name=found.get("family_name"),
        other_names=found.get("other_names"), sex=found.get("sex"), date_of_birth=_date(found.get("date_of_birth")),
        age_years=int(age) if age and age.isdigit() else None, age_on=_date(found.get("registered_on")),
        nationality=found.get("nationality"), document_number=found.get("id_document_number"),
        document_type=found.get("id_document_type"), phone=found.get("phone"),
        country=(found.get("centre_country") or "").upper() or None, centre=found.get("centre"),
        consent_matching=found.get(CONSENT_MATCHING, "").lower() == "yes")


def load_people(vault: Vault, *, progress: Progress | None = None, cancelled: Cancelled | None = None,
                visible: Visible = EVERYTHING) -> list[Profile]:
    """Every person who consented to matching, prepared for comparison, read in chunks (progress per chunk).

    Only finalized, live registrations. The people come prepared from the search index the writer keeps beside
    each registration (`search_profile`, migration 0009: names parsed with their keys, numbers canonical, consent to
    matching), so nothing is parsed again here."""
    profiles: list[Profile] = []
    params: dict[str, Any] = {}
    where = visible.where(params, "r.")
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        total = int(db.execute(text("SELECT COUNT(*) FROM search_profile")).scalar_one())
        last, done = "", 0
        while True:
            if cancelled is not None and cancelled():
                return []
            rows = db.execute(text(
                "SELECT p.record_id, p.profile, r.status, r.deleted, r.purged_at FROM search_profile p "
                "LEFT JOIN registration r ON r.id = p.record_id "
                f"WHERE p.record_id > :last{where} ORDER BY p.record_id LIMIT :n"),
                {**params, "last": last, "n": LOAD_CHUNK}).all()
            if not rows:
                break
            for row in rows:
                if row.status != "finalized" or row.deleted or row.purged_at is not None:
                    continue
                profile = Profile.from_json(row.profile)
                if profile.consent_matching:
                    profiles.append(profile)
            last = rows[-1].record_id
            done += len(rows)
            if progress is not None:
                progress(min(done, total), max(total, 1))
    return profiles


def find_candidates(profiles: list[Profile], *, excluded: Iterable[tuple[str, str]] = (),
                    progress: Progress | None = None, threshold: float = 0.5) -> list[DuplicateCandidate]:
    """Blocked, scored candidates (pure: may run off the database thread). `excluded`: pairs already decided."""
    return candidates(profiles, threshold=threshold, not_same=list(excluded), progress=progress)


def store_candidates(vault: Vault, found: list[DuplicateCandidate]) -> int:
    """Replace the stored candidates with this generation's, leaving out pairs decided meanwhile."""
    decided = decided_pairs(vault)
    rows = [{"a": c.a, "b": c.b, "score": round(c.score, 4),
             "reasons": json.dumps([[r.field, r.points, r.text] for r in c.reasons], ensure_ascii=False)}
            for c in found if frozenset((c.a, c.b)) not in decided]
    with write(vault) as w:
        w.replace_candidates(rows)
    return len(rows)


@dataclass(frozen=True)
class CandidateRow:
    a: str
    b: str
    score: float
    reasons: tuple[Reason, ...]
    title_a: str
    title_b: str
    centre_a: str
    centre_b: str

    @property
    def why(self) -> list[str]:
        return [r.text for r in sorted(self.reasons, key=lambda r: -r.points) if r.points > 0]


def count_candidates(vault: Vault) -> int:
    with vault.session(readonly=True) as session:
        return int(Db.of(session).execute(text("SELECT COUNT(*) FROM duplicate_candidate")).scalar_one())


def page_candidates(vault: Vault, *, offset: int, limit: int, visible: Visible = EVERYTHING) -> list[CandidateRow]:
    """Stored candidates, best first, one page (both people live and visible)."""
    params: dict[str, Any] = {"offset": max(0, int(offset)), "limit": max(0, int(limit))}
    where = visible.where(params, "ra.") + visible.where(params, "rb.")
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text(
            "SELECT c.a, c.b, c.score, c.reasons, ra.title AS ta, rb.title AS tb, ra.centre AS ca, rb.centre AS cb "
            # CROSS JOIN keeps the candidates outermost, read in score order from their index: a page stops after
            # `limit` rows instead of sorting every pair.
            "FROM duplicate_candidate c CROSS JOIN registration ra ON ra.id = c.a CROSS JOIN registration rb "
            "ON rb.id = c.b "
            f"WHERE ra.deleted = 0 AND rb.deleted = 0{where} "
            "ORDER BY c.score DESC, c.a, c.b LIMIT :limit OFFSET :offset"), params).all()
    return [CandidateRow(r.a, r.b, float(r.score), tuple(Reason(f, float(p), t) for f, p, t in json.loads(r.reasons)),
                         r.ta or "", r.tb or "", r.ca or "", r.cb or "") for r in rows]


@dataclass(frozen=True)
class PersonSide:
    record_id: str
    title: str
    centre: str
    registered_on: str
    values: dict[str, str]  # answer name -> text (as typed; restricted answers never)
    linked: int  # events, referrals and cases naming this person's registration number

    @property
    def short_id(self) -> str:
        return short_id(self.record_id)


@dataclass(frozen=True)
class PairDetail:
    a: PersonSide
    b: PersonSide
    score: float
    reasons: tuple[Reason, ...]


SHOWN_ANSWERS = ("given_name", "family_name", "other_names", "sex", "date_of_birth", "age_years", "nationality",
                 "id_document_type", "id_document_number", "phone", "centre", "registered_on")


def pair_detail(vault: Vault, a: str, b: str) -> PairDetail:
    from waypoint_core.registry.matching import score_pair

    with vault.session(readonly=True) as session:
        db = Db.of(session)
        sides = [_side(db, record_id) for record_id in (a, b)]
    people = [person_of(s.record_id, s.values.pop("\x00content", "")) for s in sides]
    if people[0] is None or people[1] is None:
        raise ReviewError("one of these registrations names no one any more")
    scored = score_pair(prepare(people[0]), prepare(people[1]))
    return PairDetail(sides[0], sides[1], scored.score, scored.reasons)


def _side(db: Db, record_id: str) -> PersonSide:
    row = db.execute(text("SELECT id, title, centre, registered_on, content, deleted FROM registration WHERE id = :r"),
                     {"r": record_id}).first()
    if row is None or row.deleted:
        raise ReviewError("one of these registrations is no longer on this laptop")
    values: dict[str, str] = {}
    try:
        root = ET.fromstring((row.content or "").encode("utf-8"))
        for element in root.iter():
            name = element.tag.rsplit("}", 1)[-1]
            if name in SHOWN_ANSWERS and name not in values and len(element) == 0 and not is_sealed(element.text):
                values[name] = (element.text or "").strip()
    except ET.ParseError:
        pass
    values["\x00content"] = row.content or ""
    linked = len(_linked_events(db, record_id))
    return PersonSide(row.id, row.title or "", row.centre or "", row.registered_on or "", values, linked)


def _linked_events(db: Db, record_id: str) -> list[tuple[str, str]]:
    """(record id, person_ref as written) of live records that name this person."""
    marks, params = in_list(casefile.ref_values(record_id))
    rows = db.execute(text(f"SELECT f.record_id, f.value FROM registration_field f JOIN registration r ON "
                           f"r.id = f.record_id WHERE f.name = '{PERSON_REF}' AND f.value IN ({marks}) "
                           "AND r.deleted = 0 ORDER BY f.record_id"), params).all()
    return [(row.record_id, row.value) for row in rows]


# --- decisions: records of their own form, so they travel with sync -------------------------------------------------

@dataclass(frozen=True)
class Decision:
    decision_id: str
    kind: str  # not_same | merge
    a: str
    b: str
    kept: str
    moved: tuple[tuple[str, str], ...]  # (record id, person_ref it held before): merges of older versions only
    decided_by: str
    decided_at: str
    undone: bool
    undone_by: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def merged(self) -> str:
        return self.b if self.kept == self.a else self.a


def _decision_content(decision_id: str, values: dict[str, str]) -> str:
    root = ET.Element(DECISION_FORM, {"id": DECISION_FORM, "version": DECISION_VERSION})
    for name, value in values.items():
        ET.SubElement(root, name).text = value
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = f"uuid:{decision_id}"
    return ET.tostring(root, encoding="unicode")


def _save_decision(w: Writer, decision_id: str, values: dict[str, str]) -> None:
    w.save([RegistrationDraft(DECISION_FORM, DECISION_VERSION, "finalized", _decision_content(decision_id, values),
                              decision_id, {**values})])


def _decision_values(w: Writer, decision_id: str) -> dict[str, str]:
    rows = w.db.execute(text("SELECT name, value FROM registration_field WHERE record_id = :r"),
                        {"r": decision_id}).all()
    return {row.name: row.value or "" for row in rows}


def decided_pairs(vault: Vault) -> set[frozenset[str]]:
    """Pairs that must not be proposed again: "not the same person", and merges (both not undone)."""
    return {frozenset((d.a, d.b)) for d in list_decisions(vault) if not d.undone}


def list_decisions(vault: Vault, *, offset: int = 0, limit: int | None = None) -> list[Decision]:
    """Decisions, newest first (this laptop's and those pulled from others)."""
    params: dict[str, Any] = {"f": DECISION_FORM, "limit": -1 if limit is None else int(limit),
                              "offset": max(0, int(offset))}
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        ids = db.execute(text("SELECT id, created_by, created_at FROM registration WHERE form_id = :f AND deleted = 0 "
                              "ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset"), params).all()
        values: dict[str, dict[str, str]] = {row.id: {} for row in ids}
        for part in chunks(list(values)):
            marks, p = in_list(part)
            for row in db.execute(text(f"SELECT record_id, name, value FROM registration_field "
                                       f"WHERE record_id IN ({marks})"), p).all():
                values[row.record_id][row.name] = row.value or ""
    out = []
    for row in ids:
        v = values[row.id]
        out.append(Decision(row.id, v.get("decision", ""), v.get("person_a", ""), v.get("person_b", ""),
                            v.get("kept", ""), tuple(tuple(m) for m in json.loads(v.get("moved") or "[]")),
                            v.get("decided_by") or row.created_by, v.get("decided_at") or row.created_at,
                            v.get("undone") == "yes", v.get("undone_by", "")))
    return out


def count_decisions(vault: Vault) -> int:
    with vault.session(readonly=True) as session:
        return int(Db.of(session).execute(text("SELECT COUNT(*) FROM registration WHERE form_id = :f AND deleted = 0"),
                                          {"f": DECISION_FORM}).scalar_one())


def _live_people(w: Writer, *ids: str) -> None:
    stored = w.stored_many(list(ids))
    for record_id in ids:
        row = stored.get(record_id)
        if row is None or row.deleted:
            raise ReviewError("one of these registrations is no longer on this laptop")
        if row.form_id == DECISION_FORM:
            raise ReviewError("a decision is not a person")
    if len(set(ids)) != len(ids):
        raise ReviewError("a person cannot be their own duplicate")


def mark_not_same(vault: Vault, a: str, b: str, *, reasons: str = "") -> str:
    """Remember that two registrations are different people: the pair is never proposed again."""
    decision_id = str(uuid.uuid4())
    first, second = sorted((a, b))
    with write(vault) as w:
        _live_people(w, first, second)
        _save_decision(w, decision_id, {"decision": NOT_SAME, "person_a": first, "person_b": second, "kept": "",
                                        "moved": "[]", "decided_by": w.username, "decided_at": w.now,
                                        "reasons": reasons})
        w.drop_candidate(first, second)
    return decision_id


def merge(vault: Vault, *, kept: str, merged: str, reasons: str = "") -> str:
    """The same person registered twice: both registrations keep their ids, and every record naming either keeps
    naming it. Rewriting the merged registration's events to the kept number (as before) sent them back to its centre
    naming a registration outside that centre's laptops: the event left the person's case file there and counted as
    unlinked. The readers follow this decision instead (indicators.merges_of, casefile.read_linked, merge_reads)."""
    decision_id = str(uuid.uuid4())
    first, second = sorted((kept, merged))
    with write(vault) as w:
        _live_people(w, kept, merged)
        _save_decision(w, decision_id, {"decision": MERGE, "person_a": first, "person_b": second, "kept": kept,
                                        "moved": "[]", "decided_by": w.username, "decided_at": w.now,
                                        "reasons": reasons})
        w.drop_candidates([merged])
    return decision_id


def undo(vault: Vault, decision_id: str) -> int:
    """Undo a decision (a new version of it, marked undone): the readers no longer join the two registrations. A merge
    decided by an older version moved records to the kept person and listed them (`moved`): those that still name the
    kept person move back. Returns how many records moved back (0 for a merge that moved none)."""
    with write(vault) as w:
        values = _decision_values(w, decision_id)
        stored = w.stored(decision_id)
        if stored is None or stored.form_id != DECISION_FORM or stored.deleted:
            raise ReviewError("no such decision")
        if values.get("undone") == "yes":
            raise ReviewError("this decision was already undone")
        back = 0
        if values.get("decision") == MERGE:
            kept_ref = short_id(values["kept"])
            moved = [tuple(m) for m in json.loads(values.get("moved") or "[]")]
            current = dict(_refs_of(w, [record_id for record_id, _ in moved]))
            still = [(record_id, before) for record_id, before in moved if current.get(record_id) == kept_ref]
            for record_id, before in still:
                _rewrite_ref(w, record_id, before)
            back = len(still)
        values.update(undone="yes", undone_by=w.username, undone_at=w.now)
        w.keep_version(stored)
        _save_decision(w, decision_id, values)
        return back


def _refs_of(w: Writer, record_ids: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for part in chunks(record_ids):
        marks, params = in_list(part)
        out += [(row.record_id, row.value) for row in w.db.execute(text(
            f"SELECT record_id, value FROM registration_field WHERE name = '{PERSON_REF}' "
            f"AND record_id IN ({marks})"), params).all()]
    return out


def _rewrite_ref(w: Writer, record_id: str, value: str) -> bool:
    """Set a record's person_ref answer (and its extracted field) to `value`: a new version, kept history."""
    stored = w.stored(record_id)
    if stored is None or stored.deleted or stored.purged_at is not None:
        return False
    try:
        root = ET.fromstring(stored.content.encode("utf-8"))
    except ET.ParseError:
        return False
    changed = False
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == PERSON_REF and len(element) == 0:
            element.text = value
            changed = True
    if not changed:
        return False
    row = w.db.execute(text("SELECT title, sex, age, nationality, centre, registered_on FROM registration "
                            "WHERE id = :r"), {"r": record_id}).first()
    fields: dict[str, Any] = dict(row._asdict())
    fields.update({name: v for name, v in _fields_of_record(w, record_id).items()})
    fields[PERSON_REF] = value
    if stored.status == "finalized":
        w.keep_version(stored)
    w.save([RegistrationDraft(stored.form_id, stored.form_version, stored.status,
                              ET.tostring(root, encoding="unicode"), record_id, fields)])
    return True


def _fields_of_record(w: Writer, record_id: str) -> dict[str, str | None]:
    return {row.name: row.value for row in w.db.execute(text(
        "SELECT name, value FROM registration_field WHERE record_id = :r"), {"r": record_id}).all()}


# --- what a rejected operation asks of the laptop that made the record -----------------------------------------------

ADVICE_TOO_LONG = "too_long"
ADVICE_OTHER_CENTRE = "other_centre"
ADVICE_ALLOWED = "not_allowed"
ADVICE_DEFAULT = "check_and_save"


# What to do about each refusal code (waypoint_core/protocol/refusals.py); every code has its line (a test checks)
ADVICE_BY_CODE: dict[str, str] = {
    refusals.NOT_SENDABLE: ADVICE_TOO_LONG,  # an answer too long, or holding characters the sync cannot carry
    refusals.OTHER_CENTRE: ADVICE_OTHER_CENTRE,
    refusals.NOT_ALLOWED: ADVICE_ALLOWED,
    refusals.OUTSIDE_SCOPE: ADVICE_ALLOWED,
    refusals.UNKNOWN_RECIPIENT: ADVICE_DEFAULT,  # correct the referral's recipient on the laptop that made it
    refusals.NO_CONSENT: ADVICE_DEFAULT,
}


def advice_for(refusal: Refusal | None) -> str:
    """A code for what to do about a rejection, from its refusal code (ConflictRow.refusal); the interface words
    it (English, French). A refusal this version does not know (a newer server's sentence) gets the general advice."""
    if refusal is None:
        return ADVICE_DEFAULT
    return ADVICE_BY_CODE.get(refusal.code, ADVICE_DEFAULT)


def titles(vault: Vault, record_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        for part in chunks(list(dict.fromkeys(record_ids))):
            marks, params = in_list(part)
            for row in db.execute(text(f"SELECT id, title FROM registration WHERE id IN ({marks})"), params).all():
                found[row.id] = row.title or ""
    return found
