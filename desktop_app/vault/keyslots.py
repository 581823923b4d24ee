"""The key slot file (slots.json): who may open the vault, and the data key sealed for each of them.

Hierarchy: a random 256-bit data key (DEK) opens the SQLCipher database. Each slot (one per user,
plus one recovery slot) owns an X25519 key pair; its private key is wrapped with AES-256-GCM under a
key derived by Argon2id from the passphrase (or recovery code). The DEK is sealed to each slot's
public key with HPKE (RFC 9180: X25519, HKDF-SHA256, AES-256-GCM). The public half is what lets an
administrator who removes a user rotate the DEK and re-seal it for every remaining user without
knowing their passphrases; a passphrase change rewraps one private key only.

Nothing in the clear names a person or their role (format 2, FORMAT). A laptop taken at a checkpoint shows,
per slot, random ids (slot, user), its kind (user or recovery), KDF parameters, a public key and sealed blobs;
it shows how many slots there are, nothing else about them. A person's name, role label, role grant
(grants.py), reset flag and, for an administrator, the sealed role authority are the slot's `entry`: JSON
padded to a fixed size (an administrator's entry is as long as anyone's) and sealed with AES-256-GCM under the
vault's directory key, with the slot's identity as authenticated data (an entry edited or moved to another
slot fails its tag). The directory key is random and lives inside the encrypted database (meta
DIRECTORY_META_KEY): only someone signed in (who holds the data key) reads the entries, and they tell that person
nothing the database's `user` table does not already. Each rotation of the data key (rotation.py) replaces the
directory key too and reseals every entry under the new one (`reseal_entries`): a removed person who kept the old
key reads nobody's name in any later copy of this file.

Signing in finds the slot from the typed name by the slot's `lookup`: Argon2id of the normalised name (NFC,
surrounding spaces dropped; case matters, as it always did) with a random salt of this vault and the floor
parameters (kdf.FLOOR: 64 MiB, 3 passes; a test-profile vault uses the fast test ones). Why an identifier
derived from the name at all: at sign-in nothing secret is known yet but the passphrase, which belongs to the
very slot being looked for; trying it on every slot would cost one full passphrase derivation per person at
every sign-in. Why not the name itself: that is what a seized file must not say. What it costs an attacker
holding the file: one Argon2id at 64 MiB per guessed name, per vault (the salt differs on every laptop, so
nothing computed once serves another). It stops them READING who works there or who administers it; it does not
stop them CONFIRMING a name they already suspect (a short list costs seconds). A name that is not in the
vault is answered exactly like a wrong passphrase (core.py), so the sign-in screen does not confirm names either.

Everything a slot claims in the clear (vault, slot id, user id, kind, lookup, KDF parameters and salt,
public key, the vault's KDF profile) is authenticated data of its wrap, so swapping or editing slots fails the
tag; at sign-in the opened entry must name the person who typed the name. A SHA-256 digest over the whole file
catches accidental damage before any KDF runs. Deleting this file is a crypto-erase of the vault.

Format 1 (FORMAT_V1) kept each name and role label in the clear, bound into each slot's wrap. It is still read,
and rewritten as format 2 at the first successful sign-in (`upgrade`; one atomic write, after the directory key
is in the database, so a crash leaves either file and both open). Every slot gets its lookup and sealed entry
then, but only the signed-in slot can be rewrapped (that needs its passphrase): the others keep their format-1
wrap (`legacy_wrap`) until their own next sign-in, which rebuilds that wrap's authenticated data from the typed
name and each role label Waypoint knows (a few AES-GCM tries after the one Argon2id) and rewraps it.
The data key and role authority envelopes keep format 1's domain (ENVELOPE_FORMAT), so an upgrade needs neither
anyone else's passphrase nor the role authority.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import json
import os
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from desktop_app.vault.errors import (
    DiskFull,
    TamperedKeySlots,
    VaultFolderNotWritable,
    WrongPassphrase,
)
from desktop_app.vault.kdf import FLOOR, TEST, TEST_PARAMS, KdfParams, check_floor, derive
from waypoint_core.access.policy import ROLES

FORMAT = "waypoint-keyslots/2"
FORMAT_V1 = "waypoint-keyslots/1"
# The domain the data key and role authority envelopes are sealed under, unchanged since format 1.
ENVELOPE_FORMAT = FORMAT_V1
SLOTS_FILE = "slots.json"
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
DIRECTORY_META_KEY = "slot_directory_key"
# During a rotation (rotation.py), the key the entries are still sealed with, kept until the file is rewritten.
PREVIOUS_DIRECTORY_META_KEY = "slot_directory_key_previous"
# What a slot says about its person: sealed in its entry (format 2), in the clear in format 1.
ENTRY_FIELDS = ("username", "role", "grant", "authority", "must_change_passphrase")
LEGACY_WRAP = "legacy_wrap"  # slot flag: its private key is still wrapped as format 1 wrapped it
RECOVERY_NAME = "recovery"  # the recovery slot's name and user id
_ENTRY_BLOCK = 2048  # entries are padded to a multiple of this: a role's grant and authority do not show in size
_DIRECTORY = "_directory_key"  # in memory only: the key the doc's entries were opened with
_SEALED_AS = "_sealed_as"  # in memory only: what a slot's entry holds as sealed (unchanged entries are kept)
_CHECK_LABEL = b"waypoint passphrase check v1"
# The parsed slot file and one slot in it: JSON objects, checked by _validate on load.
Doc = dict[str, Any]
Slot = dict[str, Any]


def canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, AttributeError) as exc:
        raise TamperedKeySlots("bad encoding") from exc


def new_document(*, vault_id: str, kdf_profile: str, params: KdfParams, calibrated_s: float | None,
                 cipher_page_size: int) -> Doc:
    """An empty format-2 document with a new directory key (`directory_key`: the caller stores it in the database)."""
    doc: Doc = {
        "format": FORMAT,
        "cipher_page_size": cipher_page_size,
        "vault_id": vault_id,
        "kdf_profile": kdf_profile,
        "kdf": params.as_json() | {"calibrated_s": calibrated_s},
        "lookup": _new_lookup(kdf_profile),
        "generation": 1,
        "pending_generation": None,
        "slots": [],
    }
    doc[_DIRECTORY] = os.urandom(32)
    return doc


def _new_lookup(kdf_profile: str) -> dict[str, Any]:
    params = TEST_PARAMS if kdf_profile == TEST else FLOOR
    return params.as_json() | {"salt": b64e(os.urandom(16))}


def directory_key(doc: Doc) -> bytes | None:
    """The key this doc's entries were opened (or will be sealed) with; None for a doc not opened."""
    key = doc.get(_DIRECTORY)
    return key if isinstance(key, bytes) else None


# --- finding a slot by name ------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFC", username.strip())


def username_lookup(doc: Doc, username: str) -> str:
    """The slot identifier for `username` in this vault (see the module docstring for what it costs)."""
    spec = doc["lookup"]
    params = KdfParams.from_json(spec)
    check_floor(params, profile=doc["kdf_profile"])
    return b64e(derive(normalise_username(username).encode("utf-8"), b64d(spec.get("salt", "")), params, length=32))


def find_user_slot(doc: Doc, username: str) -> Slot | None:
    """The user slot `username` signs in with, or None. Every slot is compared (no early exit)."""
    people = [s for s in doc["slots"] if s["kind"] == "user"]
    if doc["format"] == FORMAT_V1:
        return next((s for s in people if s["username"] == username), None)
    wanted = b64d(username_lookup(doc, username))
    found = None
    for slot in people:
        if hmac.compare_digest(b64d(slot["lookup"]), wanted) and found is None:
            found = slot
    return found


def spend_like_a_sign_in(doc: Doc, secret: str) -> None:
    """A passphrase derivation with this vault's parameters, thrown away: a name that is not here costs the same
    time as a wrong passphrase, so the time taken does not say whether a name is in the vault."""
    params = KdfParams.from_json(doc["kdf"])
    check_floor(params, profile=doc["kdf_profile"])
    derive(secret.encode("utf-8"), os.urandom(16), params)


# --- a slot's wrap ---------------------------------------------------------------------------


def _is_legacy(doc: Doc, slot: Slot) -> bool:
    return doc["format"] == FORMAT_V1 or bool(slot.get(LEGACY_WRAP))


def _slot_ad(doc: Doc, slot: Slot, *, username: str | None = None, role: str | None = None) -> bytes:
    identity = {k: slot[k] for k in ("slot_id", "kind", "user_id", "kdf", "public_key")}
    if _is_legacy(doc, slot):
        return canonical({
            "format": FORMAT_V1, "vault_id": doc["vault_id"], "kdf_profile": doc["kdf_profile"], **identity,
            "username": slot["username"] if username is None else username,
            "role": slot["role"] if role is None else role,
        })
    return canonical({"format": FORMAT, "vault_id": doc["vault_id"], "kdf_profile": doc["kdf_profile"], **identity,
                      "lookup": slot["lookup"]})


def _legacy_ads(doc: Doc, slot: Slot, username: str | None) -> Iterator[bytes]:
    """A format-1 wrap's possible authenticated data: its name and label are no longer in the file, so the
    opened entry's, else the typed name (as typed and normalised) with each role label there is."""
    if "username" in slot:
        yield _slot_ad(doc, slot)
        return
    if slot["kind"] != "user":
        names: list[str] = [RECOVERY_NAME]
    elif username is None:
        return
    else:
        names = list(dict.fromkeys((username, normalise_username(username))))
    for name in names:
        for role in ROLES:
            yield _slot_ad(doc, slot, username=name, role=role)


def _envelope_info(doc: Doc, slot: Slot, generation: int) -> bytes:
    return canonical(
        {
            "format": ENVELOPE_FORMAT,
            "purpose": "data-key",
            "vault_id": doc["vault_id"],
            "slot_id": slot["slot_id"],
            "user_id": slot["user_id"],
            "public_key": slot["public_key"],
            "generation": generation,
        }
    )


def _derive_parts(secret: str, slot_kdf: dict[str, Any], *, profile: str) -> tuple[bytes, bytes]:
    params = KdfParams.from_json(slot_kdf)
    check_floor(params, profile=profile)
    derived = derive(secret.encode("utf-8"), b64d(slot_kdf.get("salt", "")), params)
    wrap_key, check_key = derived[:32], derived[32:]
    return wrap_key, hmac.new(check_key, _CHECK_LABEL, hashlib.sha256).digest()


def _raw(private_key: X25519PrivateKey) -> bytes:
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _seal_wrap(doc: Doc, slot: Slot, wrap_key: bytes, private_key: X25519PrivateKey) -> None:
    if doc["format"] == FORMAT:
        slot.pop(LEGACY_WRAP, None)
    nonce = os.urandom(12)
    slot["wrapped_private_key"] = b64e(nonce + AESGCM(wrap_key).encrypt(nonce, _raw(private_key),
                                                                        _slot_ad(doc, slot)))


def _wrap_private_key(doc: Doc, slot: Slot, private_key: X25519PrivateKey, secret: str, params: KdfParams) -> None:
    slot["kdf"] = params.as_json() | {"salt": b64e(os.urandom(16))}
    wrap_key, check = _derive_parts(secret, slot["kdf"], profile=doc["kdf_profile"])
    slot["check"] = b64e(check)
    _seal_wrap(doc, slot, wrap_key, private_key)


def seal_data_key(doc: Doc, slot: Slot, generation: int, dek: bytes) -> None:
    public = X25519PublicKey.from_public_bytes(b64d(slot["public_key"]))
    sealed = SUITE.encrypt(dek, public, info=_envelope_info(doc, slot, generation))
    slot.setdefault("envelopes", {})[str(generation)] = b64e(sealed)


def add_slot(
    doc: Doc, *, kind: str, user_id: str, username: str, role: str, secret: str, params: KdfParams,
    data_keys: dict[int, bytes],
) -> tuple[Slot, X25519PrivateKey]:
    """Create a slot for `secret` holding every given generation of the data key; append it to doc."""
    private_key = X25519PrivateKey.generate()
    slot: Slot = {
        "slot_id": str(uuid.uuid4()),
        "kind": kind,
        "user_id": user_id,
        "username": username,
        "role": role,
        "public_key": b64e(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
        "envelopes": {},
    }
    if doc["format"] == FORMAT:
        slot["lookup"] = username_lookup(doc, username) if kind == "user" else ""
    _wrap_private_key(doc, slot, private_key, secret, params)
    for generation, dek in data_keys.items():
        seal_data_key(doc, slot, generation, dek)
    doc["slots"].append(slot)
    return slot, private_key


def open_slot(doc: Doc, slot: Slot, secret: str, *, username: str | None = None) -> tuple[X25519PrivateKey, bytes]:
    """Passphrase → (private key, wrap key). WrongPassphrase if the check fails, TamperedKeySlots if the wrap does.

    `username`, the name typed, rebuilds a format-1 wrap's authenticated data (see the module docstring)."""
    wrap_key, check = _derive_parts(secret, slot["kdf"], profile=doc["kdf_profile"])
    if not hmac.compare_digest(check, b64d(slot["check"])):
        raise WrongPassphrase()
    blob = b64d(slot["wrapped_private_key"])
    candidates = _legacy_ads(doc, slot, username) if _is_legacy(doc, slot) else iter([_slot_ad(doc, slot)])
    raw = None
    for ad in candidates:
        try:
            raw = AESGCM(wrap_key).decrypt(blob[:12], blob[12:], ad)
            break
        except (InvalidTag, ValueError):
            continue
    if raw is None:
        raise TamperedKeySlots("a key slot does not match its owner")
    try:
        private_key = X25519PrivateKey.from_private_bytes(raw)
    except ValueError as exc:
        raise TamperedKeySlots("a key slot does not match its owner") from exc
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    if not hmac.compare_digest(public, b64d(slot["public_key"])):
        raise TamperedKeySlots("a key slot's public key was replaced")
    return private_key, wrap_key


def unlock_slot(doc: Doc, slot: Slot, secret: str, *, username: str | None = None) -> X25519PrivateKey:
    """Passphrase → private key. WrongPassphrase if the check fails, TamperedKeySlots if the wrap does."""
    return open_slot(doc, slot, secret, username=username)[0]


def open_data_key(doc: Doc, slot: Slot, private_key: X25519PrivateKey, generation: int) -> bytes:
    sealed = slot.get("envelopes", {}).get(str(generation))
    if sealed is None:
        raise TamperedKeySlots(f"no data key of generation {generation} in the slot")
    try:
        dek = SUITE.decrypt(b64d(sealed), private_key, info=_envelope_info(doc, slot, generation))
    except (InvalidTag, ValueError) as exc:
        raise TamperedKeySlots("a sealed data key does not open") from exc
    if len(dek) != 32:
        raise TamperedKeySlots("data key has the wrong size")
    return dek


def rewrap(doc: Doc, slot: Slot, private_key: X25519PrivateKey, new_secret: str, params: KdfParams) -> None:
    """Passphrase change: a fresh salt and wrap of the same private key; envelopes stay as they are."""
    _wrap_private_key(doc, slot, private_key, new_secret, params)


# --- entries and the upgrade from format 1 ------------------------------------------------------


def _entry_ad(doc: Doc, slot: Slot) -> bytes:
    return canonical({"format": FORMAT, "purpose": "slot-entry", "vault_id": doc["vault_id"],
                      **{k: slot[k] for k in ("slot_id", "kind", "user_id", "lookup", "public_key")}})


def _seal_entry(doc: Doc, slot: Slot, key: bytes) -> None:
    """(Re)seal the slot's entry, unless it is sealed already with exactly what the slot now says."""
    plain, ad = canonical({k: slot[k] for k in ENTRY_FIELDS if k in slot}), _entry_ad(doc, slot)
    if slot.get(_SEALED_AS) == (plain, ad, key) and isinstance(slot.get("entry"), str):
        return
    nonce = os.urandom(12)
    padded = plain + b" " * (-len(plain) % _ENTRY_BLOCK)
    slot["entry"] = b64e(nonce + AESGCM(key).encrypt(nonce, padded, ad))
    slot[_SEALED_AS] = (plain, ad, key)


def _open_entry(doc: Doc, slot: Slot, key: bytes) -> dict[str, Any]:
    blob = b64d(slot["entry"])
    try:
        entry = json.loads(AESGCM(key).decrypt(blob[:12], blob[12:], _entry_ad(doc, slot)))
    except (InvalidTag, ValueError) as exc:
        raise TamperedKeySlots("a key slot's sealed entry does not open") from exc
    if not isinstance(entry, dict) or not set(entry) <= set(ENTRY_FIELDS) or not all(
        isinstance(entry.get(k), str) for k in ("username", "role")
    ):
        raise TamperedKeySlots("a key slot's sealed entry is malformed")
    return entry


def open_entries(doc: Doc, key: bytes) -> None:
    """Open every slot's entry into the slot (in memory); `save` seals what changed. Format 1: nothing sealed."""
    if doc["format"] == FORMAT_V1:
        return
    opened = [_open_entry(doc, slot, key) for slot in doc["slots"]]
    for slot, entry in zip(doc["slots"], opened, strict=True):
        slot.update(entry)
        slot[_SEALED_AS] = (canonical(entry), _entry_ad(doc, slot), key)
    doc[_DIRECTORY] = key


def reseal_entries(doc: Doc, key: bytes) -> None:
    """A new directory key: the next `save` seals every entry under `key`. The doc's entries must be open."""
    if doc["format"] != FORMAT or directory_key(doc) is None:
        raise ValueError("only an opened format-2 document's entries can be resealed")
    doc[_DIRECTORY] = key


def check_legacy_identity(doc: Doc, slot: Slot, wrap_key: bytes) -> None:
    """A format-1 wrap opened with the typed name: its entry (now open) must name the same person and label."""
    blob = b64d(slot["wrapped_private_key"])
    try:
        AESGCM(wrap_key).decrypt(blob[:12], blob[12:], _slot_ad(doc, slot))
    except InvalidTag as exc:
        raise TamperedKeySlots("a key slot's entry names someone its wrap does not") from exc


def finish_legacy(doc: Doc, slot: Slot, private_key: X25519PrivateKey, wrap_key: bytes) -> None:
    """Rewrap a slot still wrapped as format 1 (its person just signed in) as format 2: same passphrase."""
    check_legacy_identity(doc, slot, wrap_key)
    _seal_wrap(doc, slot, wrap_key, private_key)


def upgrade(doc: Doc, slot: Slot, private_key: X25519PrivateKey, wrap_key: bytes, key: bytes) -> None:
    """Format 1 → 2 in memory (the caller saves): lookups and entries for every slot, the signed-in one rewrapped,
    the others marked `legacy_wrap`. `key` is the directory key, already in the database."""
    if doc["format"] != FORMAT_V1:
        return
    doc["format"] = FORMAT
    doc["lookup"] = _new_lookup(doc["kdf_profile"])
    doc[_DIRECTORY] = key
    for each in doc["slots"]:
        each["lookup"] = username_lookup(doc, each["username"]) if each["kind"] == "user" else ""
        each[LEGACY_WRAP] = True
    _seal_wrap(doc, slot, wrap_key, private_key)


# --- the file --------------------------------------------------------------------------------


def cipher_page_size(doc: Doc) -> int:
    """The database's SQLCipher page size; vaults from before it was recorded use the default 4096."""
    return int(doc.get("cipher_page_size", 4096))


def _digest(doc: Doc) -> str:
    return hashlib.sha256(canonical({k: v for k, v in doc.items() if k != "digest"})).hexdigest()


def _validate(doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") not in (FORMAT, FORMAT_V1):
        raise TamperedKeySlots("unknown key file format")
    if not hmac.compare_digest(str(doc.get("digest", "")), _digest(doc)):
        raise TamperedKeySlots("checksum mismatch")
    current = doc["format"] == FORMAT
    try:
        assert isinstance(doc["vault_id"], str) and isinstance(doc["kdf_profile"], str)
        assert isinstance(doc["generation"], int) and isinstance(doc["slots"], list)
        assert doc["pending_generation"] in (None, doc["generation"] + 1)
        assert isinstance(doc.get("cipher_page_size", 4096), int)
        assert isinstance(doc.get("database_salt", ""), str)
        assert not current or (isinstance(doc["lookup"], dict) and isinstance(doc["lookup"].get("salt"), str))
        clear = ("lookup", "entry") if current else ("username", "role")
        for slot in doc["slots"]:
            for key in ("slot_id", "kind", "user_id", "public_key", "check", "wrapped_private_key", *clear):
                assert isinstance(slot[key], str), key
            assert isinstance(slot["kdf"], dict) and isinstance(slot["envelopes"], dict)
            if current:  # a person's name or role in the clear is not what Waypoint writes
                assert not any(key in slot for key in ENTRY_FIELDS) and slot.get(LEGACY_WRAP, True) is True
            else:
                assert isinstance(slot.get("grant", {}), dict) and isinstance(slot.get("authority", ""), str)
    except (AssertionError, KeyError, TypeError) as exc:
        raise TamperedKeySlots("malformed key file") from exc


def load(folder: Path, directory: bytes | None = None) -> Doc:
    """The slot file, checked. With the `directory` key (from the database) every slot's entry is opened: its
    name, role, grant are then in the slot as format 1 had them; without it a format-2 slot names nobody."""
    try:
        raw = (folder / SLOTS_FILE).read_bytes()
        doc: Doc = json.loads(raw)
    except FileNotFoundError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise TamperedKeySlots("not valid JSON") from exc
    _validate(doc)
    if directory is not None:
        open_entries(doc, directory)
    return doc


def _stored(doc: Doc) -> Doc:
    """What goes to disk: format 2 seals each opened slot's entry and writes no person's field in the clear."""
    stored = {k: v for k, v in doc.items() if k != "digest" and not k.startswith("_")}
    if doc["format"] == FORMAT:
        key = directory_key(doc)
        slots = []
        for slot in doc["slots"]:
            if "username" in slot:
                if key is None:
                    raise ValueError("a key slot's entry cannot be sealed: the document was not opened")
                _seal_entry(doc, slot, key)
            elif not isinstance(slot.get("entry"), str):
                raise ValueError("a key slot without its entry")
            slots.append({k: v for k, v in slot.items() if k not in ENTRY_FIELDS and not k.startswith("_")})
        stored["slots"] = slots
    return stored


def save(folder: Path, doc: Doc) -> None:
    stored = _stored(doc)
    stored["digest"] = doc["digest"] = _digest(stored)
    atomic_write(folder / SLOTS_FILE, json.dumps(stored, indent=1, sort_keys=True).encode())


def atomic_write(target: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: old or new, never half."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise map_os_error(exc) from exc


def map_os_error(exc: OSError) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull()
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return VaultFolderNotWritable(exc.strerror)
    return exc
