"""A simulated field laptop speaking the sync protocol through waypoint_core.protocol, for server tests and benches.

DeviceClient: the HTTP calls (enrol, push, pull, signed GET), checking the server's answer signatures.
SimDevice: a device's durable state (outbox with device_seq, acknowledgements, cursor, pulled records) and a sync
loop that survives lost answers, 409 gaps and simulated crashes (in-memory work since the last "commit" is dropped).
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from waypoint_core.protocol import (
    DOMAIN_RESPONSE, HEADER_DEVICE, HEADER_SERVER_KEY, HEADER_SERVER_SIGNATURE, HEADER_SERVER_TIME, HEADER_TIME,
    PROTOCOL_VERSION, EnrolRequest, EnrolResponse, Op, OpResult, PullPage, PushBatch, PushResponse, RequestBinding,
    SigningKey,
    answer_message, b64decode, b64encode, verify,
)


class SimulatedCrash(Exception):
    """The device 'lost power': whatever was not yet committed to its durable state is gone."""


class ServerAnswerError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}: {response.text[:300]}")
        self.response = response


@dataclass
class DeviceClient:
    base_url: str
    key: SigningKey = field(default_factory=SigningKey.generate)
    device_id: str | None = None
    server_signing_key: str | None = None
    timeout: float = 30.0
    http: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self.http is None:
            self.http = httpx.Client(timeout=self.timeout)
        return self.http

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None

    def __enter__(self) -> DeviceClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def answer_valid(self, response: httpx.Response, key: str | None = None) -> bool:
        """The server's signature over this answer, bound to the request it answers."""
        request = response.request
        path, _, query = request.url.raw_path.decode("ascii").partition("?")
        binding = RequestBinding(request.method, path, query, request.headers.get(HEADER_DEVICE, ""),
                                 request.headers.get(HEADER_TIME, ""))
        try:
            message = answer_message(binding, status=response.status_code,
                                     server_time_ms=int(response.headers.get(HEADER_SERVER_TIME, "")),
                                     key_id=response.headers.get(HEADER_SERVER_KEY, ""), body=response.content)
        except ValueError:
            return False
        return verify(key or self.server_signing_key or "", response.headers.get(HEADER_SERVER_SIGNATURE, ""),
                      DOMAIN_RESPONSE, message)

    def _checked(self, response: httpx.Response, model):
        if response.status_code != 200:
            raise ServerAnswerError(response)
        if self.server_signing_key and not self.answer_valid(response):
            raise ServerAnswerError(response)
        return model.model_validate_json(response.content)

    def send(self, method: str, path: str, *, body: bytes | None = None, signed: bool = True,
             headers: dict[str, str] | None = None, now: int | None = None) -> httpx.Response:
        """One request, signed over exactly the path and body that go on the wire."""
        request = self._http().build_request(method, f"{self.base_url}{path}", content=body,
                                             headers={"content-type": "application/json", **(headers or {})})
        if signed:
            request.headers.update(self.key.request_headers(
                device_id=self.device_id, method=method, path_url=request.url.raw_path.decode("ascii"),
                body=body or b"", now=now))
        else:
            request.headers[HEADER_TIME] = str(int(time.time()))
        return self._http().send(request)

    def enrol(self, code: str, name: str = "laptop") -> EnrolResponse:
        request = EnrolRequest.build(code=code, device_key=self.key, device_name=name)
        response = self.send("POST", "/v2/enrol", body=request.model_dump_json().encode(), signed=False)
        if response.status_code != 200:
            raise ServerAnswerError(response)
        answer = EnrolResponse.model_validate_json(response.content)
        # The answer must be signed by the key it asks us to pin; then pin it.
        if not self.answer_valid(response, key=answer.server_keys.signing_key):
            raise ServerAnswerError(response)
        self.device_id, self.server_signing_key = answer.device_id, answer.server_keys.signing_key
        return answer

    def batch(self, ops: list[Op]) -> PushBatch:
        return PushBatch.of(device_id=self.device_id, ops=ops)

    def post_batch(self, batch: PushBatch | bytes) -> httpx.Response:
        body = batch if isinstance(batch, bytes) else batch.body()
        return self.send("POST", "/v2/push", body=body, headers={"connection": "close"})

    def push(self, batch: PushBatch) -> PushResponse:
        return self._checked(self.post_batch(batch), PushResponse)

    def signed_get(self, path_with_query: str, *, now: int | None = None) -> httpx.Response:
        return self.send("GET", path_with_query, now=now)

    def search(self, q: str, *, stage: str | None = None, limit: int | None = None, **extra: object) -> httpx.Response:
        """POST /v2/search: what was typed in the signed body (a SearchRequest; `extra` adds or replaces keys)."""
        asked: dict[str, object] = {"protocol_version": PROTOCOL_VERSION, "q": q}
        if stage is not None:
            asked["stage"] = stage
        if limit is not None:
            asked["limit"] = limit
        return self.send("POST", "/v2/search", body=json.dumps({**asked, **extra}).encode())

    def pull(self, cursor: str = "", limit: int = 500) -> PullPage:
        page = self._checked(self.signed_get(f"/v2/changes?cursor={cursor}&limit={limit}"), PullPage)
        if page.since != cursor:
            raise ServerAnswerError(httpx.Response(200, text="a page for another cursor"))
        return page


@dataclass
class SimDevice:
    """Durable state of one laptop. Only `_commit_*` methods change it, as a local transaction would."""

    client: DeviceClient
    form_id: str = "registration"
    form_version: str = "1"
    outbox: list[Op] = field(default_factory=list)  # index + 1 == device_seq
    results: dict[int, OpResult] = field(default_factory=dict)
    acked_hwm: int = 0
    cursor: str = ""
    server_versions: dict[str, int] = field(default_factory=dict)  # record -> last server_version known
    server_hashes: dict[str, str] = field(default_factory=dict)  # record -> that version's hash
    expected: dict[str, dict | None] = field(default_factory=dict)  # own records: fields, None when deleted
    pulled: dict[str, tuple[int, dict, bool]] = field(default_factory=dict)  # record -> (version, fields, deleted)
    hlc: int = 0
    local_versions: dict[str, int] = field(default_factory=dict)
    progress: int = 0  # how far a scripted workload has got (device_process.py)
    on_commit: Callable[[], None] | None = field(default=None, repr=False)  # e.g. save to disk

    def _committed(self) -> None:
        if self.on_commit is not None:
            self.on_commit()

    # -- durable state on disk, for device processes that get killed -------------------------------------------

    def save(self, path: Path) -> None:
        """Atomically: temp file, fsync, rename. A kill leaves the previous state or the new one, never half."""
        state = {
            "client": {"base_url": self.client.base_url, "key": b64encode(self.client.key.raw()),
                       "device_id": self.client.device_id, "server_signing_key": self.client.server_signing_key},
            "outbox": [op.model_dump(mode="json") for op in self.outbox],
            "results": {str(k): v.model_dump(mode="json") for k, v in self.results.items()},
            "acked_hwm": self.acked_hwm, "cursor": self.cursor, "server_versions": self.server_versions,
            "server_hashes": self.server_hashes,
            "expected": self.expected, "pulled": self.pulled, "hlc": self.hlc,
            "local_versions": self.local_versions, "progress": self.progress,
        }
        temp = path.with_name(path.name + ".tmp")
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)

    @classmethod
    def load(cls, path: Path) -> SimDevice:
        state = json.loads(path.read_text("utf-8"))
        c = state["client"]
        client = DeviceClient(c["base_url"], key=SigningKey.from_raw(b64decode(c["key"])), device_id=c["device_id"],
                              server_signing_key=c["server_signing_key"])
        return cls(client, outbox=[Op.model_validate(o) for o in state["outbox"]],
                   results={int(k): OpResult.model_validate(v) for k, v in state["results"].items()},
                   acked_hwm=state["acked_hwm"], cursor=state["cursor"], server_versions=state["server_versions"],
                   server_hashes=state["server_hashes"],
                   expected=state["expected"], pulled={k: tuple(v) for k, v in state["pulled"].items()},
                   hlc=state["hlc"], local_versions=state["local_versions"], progress=state["progress"])

    # -- local work (each call = one local transaction writing the record and its outbox row) --------------------

    def _op(self, record_id: str, kind: str, fields: dict) -> Op:
        self.hlc += 1
        self.local_versions[record_id] = self.local_versions.get(record_id, 0) + 1
        op = Op(op_id=str(uuid.uuid4()), device_seq=len(self.outbox) + 1, record_id=record_id, op=kind,
                record_version=self.local_versions[record_id], base_version=self.server_versions.get(record_id),
                base_hash=self.server_hashes.get(record_id),
                form_id=self.form_id, form_version=self.form_version, hlc=self.hlc, fields=fields)
        self.outbox.append(op)
        self._committed()
        return op

    def register(self, fields: dict, record_id: str | None = None) -> str:
        record_id = record_id or str(uuid.uuid4())
        self.expected[record_id] = dict(fields)
        self._op(record_id, "upsert", fields)
        return record_id

    def edit(self, record_id: str, fields: dict) -> None:
        self.expected[record_id] = {**(self.expected.get(record_id) or {}), **fields}
        self._op(record_id, "upsert", fields)

    def delete(self, record_id: str) -> None:
        self.expected[record_id] = None
        self._op(record_id, "delete", {})

    # -- sync ------------------------------------------------------------------------------------------------------

    def _maybe_crash(self, rng: random.Random | None, probability: float) -> None:
        if rng is not None and rng.random() < probability:
            raise SimulatedCrash

    def push_pending(self, *, batch_size: int = 200, rng: random.Random | None = None,
                     crash_probability: float = 0.0) -> int:
        """Send every unacknowledged op; returns how many were acknowledged. Raises on transport errors."""
        acked = 0
        while self.acked_hwm < len(self.outbox):
            ops = self.outbox[self.acked_hwm:self.acked_hwm + batch_size]
            batch = self.client.batch(ops)
            self._maybe_crash(rng, crash_probability)
            response = self.client.post_batch(batch)
            if response.status_code == 409:
                expected = response.json()["expected_seq"]
                # The server already holds ops below `expected`: learn their results by replaying that range.
                self._commit_gap(expected)
                continue
            answer = self.client._checked(response, PushResponse)
            self._maybe_crash(rng, crash_probability)
            acked += self._commit_results(answer)
        return acked

    def _commit_gap(self, expected: int) -> None:
        if expected - 1 < self.acked_hwm:
            # The server is behind us: it never stored what we think it acknowledged. That must not happen.
            raise AssertionError(f"server expects {expected} but acknowledged up to {self.acked_hwm}")
        # Ops up to expected-1 are stored; their results come back when that range is replayed.
        replay = self.outbox[self.acked_hwm:expected - 1]
        if replay:
            answer = self.client.push(self.client.batch(replay))
            self._commit_results(answer)

    def _commit_results(self, answer: PushResponse) -> int:
        for result in answer.results:
            self.results[result.device_seq] = result
            if result.server_version is not None and result.server_version > self.server_versions.get(
                    result.record_id, 0):
                self.server_versions[result.record_id] = result.server_version
                self.server_hashes[result.record_id] = result.version_hash
        new = max(answer.high_water_mark - self.acked_hwm, 0)
        self.acked_hwm = max(self.acked_hwm, answer.high_water_mark)
        self._committed()
        return new

    def pull_all(self, *, limit: int = 500, rng: random.Random | None = None, crash_probability: float = 0.0) -> int:
        pulled = 0
        while True:
            page = self.client.pull(self.cursor, limit)
            self._maybe_crash(rng, crash_probability)
            for change in page.changes:  # applied with the new cursor in one local transaction
                known = self.pulled.get(change.record_id)
                if known is None or known[0] < change.server_version:
                    self.pulled[change.record_id] = (change.server_version, dict(change.fields), change.deleted)
                if change.server_version > self.server_versions.get(change.record_id, 0):
                    self.server_versions[change.record_id] = change.server_version
                    self.server_hashes[change.record_id] = change.version_hash
                self.hlc = max(self.hlc, change.hlc)
            self.cursor = page.next_cursor
            self._committed()
            pulled += len(page.changes)
            if not page.has_more:
                return pulled


RETRYABLE = (httpx.TransportError, SimulatedCrash)


def sync_until_done(device: SimDevice, *, rng: random.Random, crash_probability: float = 0.0,
                    batch_size: int = 50, max_attempts: int = 500, on_retry=None) -> int:
    """Push everything and pull to the end, retrying through lost connections, 5xx and simulated crashes.

    Returns the number of attempts that failed. 4xx answers other than 409 are real errors and propagate.
    """
    failures = 0
    for _ in range(max_attempts):
        try:
            device.push_pending(batch_size=batch_size, rng=rng, crash_probability=crash_probability)
            device.pull_all(rng=rng, crash_probability=crash_probability)
            return failures
        except RETRYABLE:
            failures += 1
        except ServerAnswerError as exc:
            # 5xx, or a signature check failing on a truncated answer: retry. Anything else is a bug.
            status = exc.response.status_code
            if status < 500 and status != 200:
                raise
            failures += 1
        if on_retry is not None:
            on_retry(failures)
        time.sleep(min(0.005 * 2 ** min(failures, 7), 0.5) * rng.random())  # backoff with jitter, as in the field
    raise AssertionError(f"device still not in sync after {max_attempts} attempts")
