"""Applying one op to a record: the 3-way, field-by-field merge that decides applied / merged / conflict.

Pure functions, no database. A record is a flat dict of values; three pseudo-fields carry what is not a form field:
"#content" (instance XML), "#deleted" (tombstone) and "#form" (form id and version). Each value remembers who set
it: provenance [hlc, device_id]. For a field the op sets:
- nobody else changed it since the op's base (`others_changed`): the op's value is taken (a causal overwrite);
- somebody else did and the values agree: nothing to decide;
- somebody else did and the values differ: a conflict. The higher (hlc, device_id) wins, deterministically, so
  every arrival order of the same concurrent ops ends in the same record; both versions go to a conflict row.
Identity fields (a person's names, birth date, sex, nationality, consent) are never merged silently: when changes
were concurrent and either side touched one, the values merge by the same rules but a conflict opens for review.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from waypoint_core.protocol import Op, version_hash
from waypoint_core.protocol.signing import DOMAIN_VERSION

from . import fastjson

CONTENT, DELETED, FORM = "#content", "#deleted", "#form"
DEFAULT_IDENTITY_FIELDS = frozenset({
    "name", "full_name", "given_name", "first_name", "family_name", "last_name", "surname", "other_names",
    "date_of_birth", "dob", "birth_date", "sex", "gender", "nationality", "consent", "document_number",
})


def is_identity_field(name: str, identity_fields: frozenset[str]) -> bool:
    """Matched on the last path segment, so "/data/person/given_name" counts as "given_name"."""
    return name.rstrip("/").rsplit("/", 1)[-1].lower() in identity_fields


def op_patch(op: Op) -> dict[str, Any]:
    """The values an op sets, pseudo-fields included."""
    if op.op == "delete":
        return {DELETED: True}
    patch: dict[str, Any] = dict(op.fields)
    if op.content is not None:
        patch[CONTENT] = op.content
    patch[DELETED] = False
    patch[FORM] = f"{op.form_id}\x1f{op.form_version}"
    return patch


def split_form(values: dict[str, Any]) -> tuple[str, str]:
    form_id, _, form_version = str(values.get(FORM) or "\x1f").partition("\x1f")
    return form_id, form_version


def public_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if not name.startswith("#")}


@dataclass(frozen=True)
class PublicView:
    """A record version as a pull hands it out: a tombstone travels without the person's data (a deleted
    registration must not spread to more laptops; the server keeps the last data in record_version for review)."""

    form_id: str
    form_version: str
    deleted: bool
    fields: dict[str, Any]
    content: str | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> PublicView:
        form_id, form_version = split_form(values)
        deleted = bool(values.get(DELETED))
        return cls(form_id, form_version, deleted, {} if deleted else public_fields(values),
                   None if deleted else values.get(CONTENT))

    @property
    def hash(self) -> str:
        return version_hash(form_id=self.form_id, form_version=self.form_version, deleted=self.deleted,
                            fields=self.fields, content=self.content)


def state_hash(values: dict[str, Any]) -> str:
    return PublicView.of(values).hash


def encode_state(values: dict[str, Any], form: tuple[str, str] | None = None) -> tuple[str, str]:
    """(canonical JSON of the values, the version hash of their PublicView): the same text as `canonical_json(values)`
    and the same hash as `PublicView.of(values).hash` (tests/server/test_server_encoding.py), through orjson.
    `form`: `split_form(values)`, when the caller has it already."""
    state = fastjson.dumps(values, sort_keys=True)
    form_id, form_version = form if form is not None else split_form(values)
    deleted = bool(values.get(DELETED))
    view = {"content": None if deleted else values.get(CONTENT), "deleted": deleted,
            "fields": {} if deleted else public_fields(values), "form_id": form_id, "form_version": form_version}
    return state.decode("utf-8"), hashlib.sha256(DOMAIN_VERSION + fastjson.dumps(view, sort_keys=True)).hexdigest()


@dataclass
class MergeOutcome:
    values: dict[str, Any]
    provenance: dict[str, list]
    status: str  # "applied" | "merged" | "conflict"
    contested: dict[str, str] = field(default_factory=dict)  # field -> "device" | "server" (who won)
    newest: int | None = None  # the highest hlc in `provenance`, when merge knows it without looking (else None)

    @property
    def hlc(self) -> int:
        if self.newest is not None:
            return self.newest
        return max((p[0] for p in self.provenance.values()), default=0)


def merge(
    *, values: dict[str, Any], provenance: dict[str, list], op: Op, device_id: str,
    others_changed: set[str], identity_fields: frozenset[str] = DEFAULT_IDENTITY_FIELDS,
) -> MergeOutcome:
    """Apply `op` to a record whose current values are `values` (empty for a new record)."""
    # The stamps are [hlc, device] lists nothing changes in place: shared with `provenance`, not copied.
    new_values, new_prov = dict(values), dict(provenance)
    stamp = [op.hlc, device_id]
    contested: dict[str, str] = {}
    patch = op_patch(op)
    for name, value in patch.items():
        if name not in others_changed:
            new_values[name], new_prov[name] = value, stamp
        elif new_values.get(name) == value:
            new_prov[name] = max(new_prov.get(name, [-1, ""]), stamp)
        else:
            current = new_prov.get(name, [-1, ""])
            if stamp > current:
                new_values[name], new_prov[name] = value, stamp
                contested[name] = "device"
            else:
                contested[name] = "server"
    if others_changed and not contested:
        # Disjoint changes, but a person's identity is involved: the values merge, and a review opens all the same.
        # (An op that changes nothing, e.g. the same state sent again after a restore or a re-enrolment, merges
        # nothing: no review.)
        changed_here = {n for n in patch if values.get(n) != new_values.get(n)}
        for name in sorted(changed_here | others_changed) if changed_here else ():
            if is_identity_field(name, identity_fields):
                contested[name] = "device" if name in changed_here else "server"
    status = "conflict" if contested else ("merged" if others_changed else "applied")
    # A record with no stamps yet (a new one) takes this op's stamp for every name the op sets, whichever branch
    # above it took (an hlc is never below 0, so the stamp is above [-1, ""]): its newest hlc is the op's.
    return MergeOutcome(new_values, new_prov, status, contested, newest=None if provenance else op.hlc)
