"""Writer process for the crash test (test_vault_crash.py).

Started once as a "zygote" that imports everything, then, for each `go SEED` line on stdin, forks
a child that unlocks the vault and works in a loop: mode `save` saves registrations, printing
`saved <id>` only after each save has returned (`filed <id>` after a save with a file; `deleting <id>` before a deletion and
`deleted <id>` after it returned); mode `rotate` adds and removes users (each removal
rotates the data key), printing `added <name>` / `removed <name>` after each returned.
The test SIGKILLs the child at a random moment; the zygote
reports `ended <pid>` once it is gone. Forking keeps 50+ kills inside CI time.
"""

from __future__ import annotations

import os
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.vault import Vault
from desktop_app.vault.registrations import (
    RegistrationDraft,
    delete_registration,
    save_registration,
    save_registrations,
)
from desktop_app.vault.writer import write


def content_for(record_id: str, rng: random.Random) -> str:
    return f"<data><id>{record_id}</id><pad>{'z' * rng.randint(10, 4000)}</pad></data>"


def write_forever(folder: Path, username: str, passphrase: str, seed: int) -> None:
    rng = random.Random(seed)
    vault = Vault.unlock(folder, username=username, passphrase=passphrase)
    saved: list[str] = []
    while True:
        choice = rng.random()
        if choice < 0.2:
            ids = [str(uuid.uuid4()) for _ in range(rng.randint(2, 20))]
            save_registrations(vault, [RegistrationDraft("crash_form", "1", "draft", content_for(i, rng),
                                                         record_id=i, fields={"title": i[:8]}) for i in ids])
        elif choice < 0.3 and saved:
            record_id = rng.choice(saved)  # an edit of a record saved earlier: version 2, 3, ...
            save_registration(vault, record_id=record_id, form_id="crash_form", form_version="1",
                              status="finalized", content=content_for(record_id, rng))
            ids = []
        elif choice < 0.4 and saved:
            record_id = rng.choice(saved)  # the form screen's save: the record and its file in one transaction
            with write(vault) as w:
                w.save([RegistrationDraft("crash_form", "1", "finalized", content_for(record_id, rng), record_id)])
                w.put_files(record_id, [("photo.jpg", "image/jpeg", record_id.encode() * rng.randint(1, 500))])
            os.write(1, f"filed {record_id}\n".encode())
            ids = []
        elif choice < 0.45 and saved:
            record_id = saved.pop(rng.randrange(len(saved)))  # a deletion: erases, then folds the WAL
            os.write(1, f"deleting {record_id}\n".encode())  # killed from here on, it may or may not be gone
            delete_registration(vault, record_id)
            os.write(1, f"deleted {record_id}\n".encode())
            ids = []
        else:
            ids = [str(uuid.uuid4())]
            save_registration(vault, record_id=ids[0], form_id="crash_form", form_version="1", status="draft",
                              content=content_for(ids[0], rng), fields={"title": ids[0][:8], "age": 30})
        saved += ids
        if ids:
            os.write(1, "".join(f"saved {i}\n" for i in ids).encode())


def rotate_forever(folder: Path, username: str, passphrase: str, seed: int) -> None:
    """Add a user, remove them (which rotates the data key), again and again."""
    vault = Vault.unlock(folder, username=username, passphrase=passphrase)
    for i in range(10**9):
        name = f"staff-{seed}-{i}"
        vault.add_user(name, f"the long passphrase of {name}", "field_staff")
        os.write(1, f"added {name}\n".encode())
        vault.remove_user(name)
        os.write(1, f"removed {name}\n".encode())


def main() -> None:
    mode, folder, username, passphrase = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    work = {"save": write_forever, "rotate": rotate_forever}[mode]
    for line in sys.stdin:
        command, seed = line.split()
        assert command == "go"
        pid = os.fork()
        if pid == 0:
            try:
                work(folder, username, passphrase, int(seed))
            finally:
                os._exit(3)
        os.write(1, f"started {pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        os.write(1, f"ended {pid} {status}\n".encode())


if __name__ == "__main__":
    main()
