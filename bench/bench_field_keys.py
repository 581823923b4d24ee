"""Field-level keys benchmark (issue 11 point 2): what sealing P3 answers costs a save, and opening them a reopen.

    nice -n 10 .venv/bin/python bench/bench_field_keys.py             # 300 registrations each way
    nice -n 10 .venv/bin/python bench/bench_field_keys.py --n 50       # a quicker run

A team vault (tests/access/team.py: field staff, a case worker, the shipped forms, real SQLCipher, test KDF).
Prints, each as wall time and CPU time per record (time.process_time; the machine is shared, so CPU is the steadier
figure):

1. finalizing a registration as field staff whose 4 P3 answers are sealed (HPKE to the field key), against the same
   registration with no P3 answer (nothing to seal), through services.records.finalize;
2. reopening it as the case worker (tokens opened with the field key) and as field staff (tokens blanked, listed as
   restricted), through services.records.reopen;
3. the sealing primitive alone: seal and open one answer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")

from desktop_app.services import records
from tests.access.team import CASE, CANARY, FIELD, MIGRANT, PERSON, instance, make_team, shipped_xforms, signed_in
from waypoint_core.access import sealed

P3_ANSWERS = ("migration/abuses_experienced", "needs/specific_needs", "needs/specific_needs_other", "needs/risk_level")


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def text(self, per: int, unit: str = "ms") -> str:
        scale = {"ms": 1e3, "µs": 1e6}[unit]
        return f"{self.wall * scale / per:8.2f} {unit} wall, {self.cpu * scale / per:8.2f} {unit} CPU"


def _contents(xform: str, answers: dict, n: int, prefix: str) -> list[tuple[str, str]]:
    template_id = "00000000-0000-4000-8000-0000000000ff"
    template = instance(xform, answers, template_id)
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"waypoint-bench-field-keys:{prefix}:{i}")) for i in range(n)]
    return [(record_id, template.replace(template_id, record_id)) for record_id in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    xforms = shipped_xforms()
    xform = xforms["migrant_registration"]
    version = records.form_definition(xform).version
    plain_answers = {k: v for k, v in PERSON.items() if k not in P3_ANSWERS}
    plain_answers["needs/needs_referral"] = "no"
    with_p3 = _contents(xform, PERSON, args.n, "p3")
    without = _contents(xform, plain_answers, args.n, "plain")
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-field-keys-") as folder:
        team = make_team(Path(folder) / "team", xforms)
        print(f"{args.n} registrations each way, shipped registration form version {version}")
        with signed_in(team, FIELD) as vault:
            for label, batch in (("finalize, no P3 answer", without), ("finalize, 4 P3 answers sealed", with_p3)):
                with Clock() as clock:
                    for record_id, content in batch:
                        records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                                         content=content)
                print(f"{label:<44} {clock.text(args.n)}")
            with Clock() as clock:
                for record_id, _ in with_p3:
                    opened = records.reopen(vault, record_id)
            assert len(opened.restricted) == 4 and CANARY not in opened.record.content
            field_open = clock.text(args.n)
            with Clock() as clock:
                for record_id, _ in without:
                    records.reopen(vault, record_id)
            print(f"{'reopen as field staff, no P3 answer':<44} {clock.text(args.n)}")
            print(f"{'reopen as field staff, 4 tokens blanked':<44} {field_open}")
        with signed_in(team, CASE) as vault:
            with Clock() as clock:
                for record_id, _ in with_p3:
                    opened = records.reopen(vault, record_id)
            assert opened.restricted == {} and CANARY in opened.record.content
            print(f"{'reopen as case worker, 4 tokens opened':<44} {clock.text(args.n)}")
            keys = vault.field_keys()
        public = sealed.SealingKey.of(next(iter(keys.values())))
        rounds = 2000
        with Clock() as clock:
            tokens = [sealed.seal(CANARY, public, record_id=str(i), field="needs/specific_needs_other")
                      for i in range(rounds)]
        print(f"{'seal one answer (HPKE, X25519, AES-256-GCM)':<44} {clock.text(rounds, 'µs')}")
        with Clock() as clock:
            for i, token in enumerate(tokens):
                sealed.open_token(token, keys, record_id=str(i), field="needs/specific_needs_other")
        print(f"{'open one answer':<44} {clock.text(rounds, 'µs')}")


if __name__ == "__main__":
    main()
