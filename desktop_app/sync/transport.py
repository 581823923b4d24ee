"""HTTPS to the sync server (protocol 2): the URL policy, TLS trust, signed requests, answers checked against the
pinned key and bound to the request they answer, key rotations followed, retries with backoff.

requests verifies certificates against its CA store, or against the organisation's own bundle (`ca_bundle`).
Plain http:// is refused before any socket opens unless the host is this computer (127.0.0.0/8, ::1,
localhost): a registration must never cross a network in clear.

Every request is prepared first and signed over exactly what goes on the wire (method, the path and query as
encoded, device id, time, body hash), so a form id such as `enquête` or `my form` works. Every answer must carry the
server's signature over that same request plus its own status, time and body: an answer captured for another cursor,
device or time never passes. An answer signed by a key other than the pinned one is accepted only if a chain of
rotation statements, each signed by the key before it, leads there from the pinned key; otherwise the server's key
changed without proof (`ServerKeyChanged`, not retried). The server's clock, read from its signed answers, gives the
request times and the bound for this laptop's clock values (hlc).
"""

from __future__ import annotations

import ipaddress
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import requests
from pydantic import ValidationError

from desktop_app.sync import errors
from waypoint_core.protocol.audit_messages import AuditReceipt
from waypoint_core.protocol.enrolment_messages import (
    AlarmList, EnrolmentCodeList, NewCode, NewCodeRequest, RevokeCodeRequest, UndoAlarmRequest, UndoneAlarm,
)
from waypoint_core.protocol.order_messages import DeviceList, DeviceOrder, DeviceOrderRequest, OrderReport
from waypoint_core.protocol.report_messages import IndicatorAnswer, IndicatorScopes
from waypoint_core.protocol.review_messages import ConflictPage
from waypoint_core.protocol import (
    DOMAIN_RESPONSE, HEADER_DEVICE, PROTOCOL_VERSION, BlobChunk, BlobQuery, BlobStatus, BlobStatusList,
    HEADER_SERVER_KEY, HEADER_SERVER_SIGNATURE, HEADER_SERVER_TIME, HEADER_TIME,
    DeviceStatus, EnrolRequest, EnrolResponse, FormList, KeyHistory, KnownRecord, Message, PublishedForm, PullPage,
    PushResponse, ReconcileRequest, ReconcileResponse, RequestBinding, ServerKeys, SigningKey, answer_message, now_ms,
    parse_cursor, verify,
)

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})
M = TypeVar("M", bound=Message)


def check_server_url(url: str) -> str:
    """The normalised base URL (no trailing slash), or InsecureServerUrl. Opens no connection."""
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise errors.InsecureServerUrl(f"not a server address: {text[:200]!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise errors.InsecureServerUrl("the address must not carry a user name, password, query or fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise errors.InsecureServerUrl(f"http:// to {parts.hostname} would send records unencrypted")
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in the longest wait."""

    max_attempts: int = 6
    base_s: float = 0.5
    cap_s: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(self.base_s / 2, min(self.cap_s, self.base_s * 2 ** attempt))


class KeptSessions:
    """HTTP sessions of closed connections, kept with their open TCP (and TLS) connection for the next connection to
    the same server with the same trust: the sync run that follows a probe of /health, a run that follows a run. One
    session per (server, trust), held by one connection at a time; kept at most `idle_s` (under the server's own
    keep-alive, uvicorn's 5 s, so it is not closed under a request); one whose connection failed is closed, not kept.
    A kept connection is only a socket: every request on it is still signed and every answer checked (TLS verified
    the server when it opened)."""

    def __init__(self, idle_s: float = 4.0) -> None:
        self.idle_s = idle_s
        self._kept: dict[tuple[str, str | bool], tuple[float, requests.Session]] = {}
        self._lock = threading.Lock()

    def take(self, server_url: str, verify: str | bool) -> requests.Session:
        with self._lock:
            kept = self._kept.pop((server_url, verify), None)
        if kept is not None:
            if time.monotonic() - kept[0] < self.idle_s:
                return kept[1]
            kept[1].close()
        session = requests.Session()
        session.verify = verify
        session.trust_env = False  # no proxy from the environment: the pinned server, directly
        return session

    def close_all(self) -> None:
        """Close every kept session: its idle socket would otherwise hold a server's TLS shutdown open (asyncio waits
        up to 30 s for the close_notify an unread socket never sends)."""
        with self._lock:
            kept, self._kept = list(self._kept.values()), {}
        for _, session in kept:
            session.close()

    def give_back(self, server_url: str, verify: str | bool, session: requests.Session) -> None:
        with self._lock:
            older = self._kept.get((server_url, verify))
            self._kept[(server_url, verify)] = (time.monotonic(), session)
        if older is not None:
            older[1].close()


KEPT = KeptSessions()


@dataclass
class PushAnswer:
    """A stored batch result, or the server's 'sequence gap' with the seq it expects next."""

    response: PushResponse | None = None
    expected_seq: int | None = None
    epoch: str | None = None  # the server's epoch, with a gap


@dataclass
class ServerConnection:
    """One device's conversation with one server. Not thread-safe: one sync run at a time uses it."""

    server_url: str
    ca_bundle: str | None = None
    device_id: str | None = None
    device_key: SigningKey | None = None
    server_signing_key: str | None = None
    server_keys: dict[str, Any] | None = None  # the pinned ServerKeys (to follow a rotation from)
    timeout_s: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    retries: int = 0  # how many retries this connection needed (progress, figures)
    rotated_keys: ServerKeys | None = None  # keys this connection moved to by a verified rotation (to pin)
    clock_offset_ms: int | None = None  # server clock minus this laptop's, from the last signed answer

    kept: KeptSessions | None = field(default=KEPT, repr=False)  # None: a session of its own, closed with it

    def __post_init__(self) -> None:
        self.server_url = check_server_url(self.server_url)
        verify = self.ca_bundle or True
        if self.kept is not None:
            self._http = self.kept.take(self.server_url, verify)
        else:
            self._http = requests.Session()
            self._http.verify = verify
            self._http.trust_env = False  # no proxy from the environment: the pinned server, directly
        self._failed = False  # a request failed below HTTP: its connection is not kept

    def close(self) -> None:
        if self.kept is not None and not self._failed:
            self.kept.give_back(self.server_url, self._http.verify, self._http)
        else:
            self._http.close()

    # --- time -------------------------------------------------------------------------------------------------
    def server_now_ms(self) -> int:
        """The server's time as best known (this laptop's clock corrected by the last signed answer)."""
        return now_ms() + (self.clock_offset_ms or 0)

    # --- low level ---------------------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, body: bytes | None = None, signed: bool = False
              ) -> tuple[requests.Response, RequestBinding]:
        headers = {"content-type": "application/json"} if body is not None else {}
        prepared = requests.Request(method, self.server_url + path, data=body, headers=headers).prepare()
        stamp = str(self.server_now_ms() // 1000)
        if signed:
            assert self.device_key is not None and self.device_id is not None
            prepared.headers.update(self.device_key.request_headers(
                device_id=self.device_id, method=method, path_url=prepared.path_url, body=body or b"",
                now=int(stamp)))
        else:
            prepared.headers[HEADER_TIME] = stamp
        binding = RequestBinding.split(method, prepared.path_url, device_id=prepared.headers.get(HEADER_DEVICE, ""),
                                       time=prepared.headers.get(HEADER_TIME, ""))
        try:
            response = self._http.send(prepared, timeout=self.timeout_s, allow_redirects=False,
                                       verify=self._http.verify, stream=True)
            # The body in one read: requests' own reads it 10 KB at a time, two hundred reads (and as many hand-overs
            # of the interpreter lock to the thread storing the page before) for a 2 MB pull page. Read whole, the
            # connection goes back to the pool as it does then.
            response._content = b"".join(response.iter_content(chunk_size=None))
        except requests.exceptions.SSLError as exc:
            self._failed = True
            raise errors.UntrustedCertificate(_reason(exc)) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            self._failed = True
            raise errors.ServerUnreachable(type(exc).__name__) from exc
        except requests.exceptions.RequestException as exc:  # chunked/decoding errors: a cut-off answer
            self._failed = True
            raise errors.BadServerAnswer(type(exc).__name__) from exc
        return response, binding

    def _answer_signed(self, response: requests.Response, binding: RequestBinding, key: str) -> bool:
        try:
            server_time = int(response.headers.get(HEADER_SERVER_TIME, ""))
        except ValueError:
            return False
        message = answer_message(binding, status=response.status_code, server_time_ms=server_time,
                                 key_id=response.headers.get(HEADER_SERVER_KEY, ""), body=response.content)
        if not verify(key, response.headers.get(HEADER_SERVER_SIGNATURE, ""), DOMAIN_RESPONSE, message):
            return False
        self.clock_offset_ms = server_time - now_ms()
        return True

    def _verified(self, response: requests.Response, binding: RequestBinding, *, key: str | None = None) -> None:
        """The answer is signed by the pinned key (following a proven rotation if needed), for this request."""
        pinned = key or self.server_signing_key or ""
        if self._answer_signed(response, binding, pinned):
            return
        signer = response.headers.get(HEADER_SERVER_KEY, "")
        if key is None and self.server_keys and signer and signer != self.server_keys.get("signing_key_id"):
            self._follow_rotation()
            if self._answer_signed(response, binding, self.server_signing_key or ""):
                return
        raise errors.BadServerAnswer("signature does not match the pinned server key or this request")

    def _follow_rotation(self) -> None:
        """The server signs with another key: follow the chain of rotations from the pinned key, or refuse."""
        response, binding = self._send("GET", "/v2/keys", signed=True)
        if response.status_code != 200:
            raise self._refusal(response)
        try:
            history = KeyHistory.model_validate_json(response.content)
        except ValidationError as exc:
            raise errors.BadServerAnswer("unexpected KeyHistory") from exc
        assert self.server_keys is not None
        current = history.follow(ServerKeys.model_validate(self.server_keys))
        if current is None or not self._answer_signed(response, binding, current.signing_key):
            raise errors.ServerKeyChanged()
        self.server_signing_key = current.signing_key
        self.server_keys = current.model_dump()
        self.rotated_keys = current

    def _refusal(self, response: requests.Response, binding: RequestBinding | None = None) -> errors.SyncError:
        if response.status_code >= 500:
            return errors.ServerBusy(f"HTTP {response.status_code}")
        try:
            body = response.json()
            code, text = str(body.get("error", "")), str(body.get("message", ""))[:300]
        except (ValueError, AttributeError):
            # A 4xx whose body is not our JSON came from something else on the way (or was cut off).
            return errors.BadServerAnswer(f"HTTP {response.status_code} without a readable body")
        if code == "device_revoked":
            return errors.DeviceRevoked()
        if response.status_code == 401 and code == "unauthorised" and text.startswith("unknown device"):
            # (an unsigned refusal may come from anyone on the way: believing it only counts records as unsent)
            return errors.DeviceUnknown(text)
        if code == "rate_limited":
            return errors.RateLimited(int(body.get("retry_after_s") or 1))
        if code in ("outside_scope", "unknown_scope") and binding is not None:
            # Said apart (the person asked beyond their rights, or a name the server does not know), and only when
            # signed for this request: an unsigned refusal could be anyone's on the way.
            self._verified(response, binding)
            return errors.OutsideScope(text) if code == "outside_scope" else errors.UnknownScope(text)
        if code == "device_order" and response.status_code == 409:
            # A lost laptop's order waits (every request but the order's own is refused so): the run asks for it.
            # Signed like every /v2 answer; an unsigned one is not believed (the order itself is signed too).
            if binding is not None:
                self._verified(response, binding)
            return errors.DeviceOrdered(text)
        return errors.ServerRefused(response.status_code, code, text)

    def _signed_refusal(self, response: requests.Response, binding: RequestBinding) -> dict[str, Any] | None:
        """The body of a signed 409 (a refusal the device acts on), or None for any other answer."""
        if response.status_code != 409:
            return None
        self._verified(response, binding)
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise errors.BadServerAnswer("409 without a readable body") from exc
        return body if isinstance(body, dict) else None

    def _model(self, response: requests.Response, binding: RequestBinding, model: type[M], *,
               key: str | None = None) -> M:
        if response.status_code != 200:
            raise self._refusal(response, binding)
        self._verified(response, binding, key=key)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise errors.BadServerAnswer(f"unexpected {model.__name__}") from exc

    def with_retries(self, attempt: Callable[[], Any], *, cancelled: Callable[[], bool] = lambda: False) -> Any:
        """Run `attempt` until it succeeds, retrying transient failures with backoff; then GaveUp."""
        last: errors.SyncError | None = None
        for n in range(self.retry.max_attempts):
            if n:
                self.retries += 1
                wait = self.retry.delay(n - 1, self.rng)
                if isinstance(last, errors.RateLimited):
                    wait = max(wait, min(self.retry.cap_s, float(last.retry_after_s)))
                self.sleep(wait)
            if cancelled():
                break
            try:
                return attempt()
            except errors.SyncError as exc:
                if not exc.transient:
                    raise
                last = exc
        raise errors.GaveUp(str(last) if last else "cancelled")

    # --- the protocol ------------------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """GET /health, once, no retries: the periodic probe only wants to know 'reachable now?'."""
        response, _binding = self._send("GET", "/health")
        if response.status_code != 200:
            raise self._refusal(response)
        try:
            answer = response.json()
        except ValueError as exc:
            raise errors.BadServerAnswer("health answer is not JSON") from exc
        if not isinstance(answer, dict):
            raise errors.BadServerAnswer("health answer is not an object")
        return answer

    def enrol(self, *, code: str, device_key: SigningKey, device_name: str) -> EnrolResponse:
        """One attempt: the code is single-use, so a lost answer needs a new code rather than a blind retry."""
        request = EnrolRequest.build(code=code, device_key=device_key, device_name=device_name)
        response, binding = self._send("POST", "/v2/enrol", body=request.model_dump_json().encode())
        if response.status_code != 200:
            raise self._refusal(response)
        try:
            offered = json.loads(response.content)["server_keys"]["signing_key"]
        except (ValueError, KeyError, TypeError) as exc:
            raise errors.BadServerAnswer("enrolment answer without server keys") from exc
        # The answer must be signed by the very key it asks us to pin; TLS and the one-time code vouch for it.
        return self._model(response, binding, EnrolResponse, key=offered)

    def push(self, batch_body: bytes) -> PushAnswer:
        """POST one batch (exact bytes, as frozen in the vault), signed. 409 gap → the seq the server expects;
        409 clock_ahead → ClockAhead (nothing stored: the device stamps those ops again); 409 sequence_reused →
        SequenceReused (nothing stored: the server's high-water mark, and where a restored vault's numbers clash); 409
        device_cloned → DeviceCloned (nothing stored: this vault is a second live copy and must enrol again)."""
        # codes=1: each rejected op's refusal code and values (an older server ignores it: the sentence is parsed)
        response, binding = self._send("POST", "/v2/push?codes=1", body=batch_body, signed=True)
        refusal = self._signed_refusal(response, binding)
        if refusal is not None and isinstance(refusal.get("expected_seq"), int):
            if refusal.get("error") == "sequence_gap":
                epoch = refusal.get("epoch")
                return PushAnswer(expected_seq=refusal["expected_seq"], epoch=epoch if isinstance(epoch, str) else None)
            if refusal.get("error") == "clock_ahead":
                raise errors.ClockAhead(refusal["expected_seq"])
            if refusal.get("error") == "device_cloned":
                raise errors.DeviceCloned(str(refusal.get("message", ""))[:300])
            if refusal.get("error") == "sequence_reused":
                reused = refusal.get("reused_from")
                raise errors.SequenceReused(str(refusal.get("message", ""))[:300],
                                            reused_from=reused if isinstance(reused, int) else None,
                                            high_water_mark=refusal["expected_seq"] - 1)
        return PushAnswer(response=self._model(response, binding, PushResponse))

    def pull(self, *, cursor: str, limit: int, forms: bool = False, decisions: bool = False,
             own: tuple[int, int] | None = None, centres: bool = False) -> PullPage:
        """One page after `cursor`. The page must answer that very cursor, in its epoch, in increasing order.
        A restored server (another epoch, or a cursor it never served) raises ServerRestored. `forms`: ask for the
        published form list with the page (`PullPage.forms`; a server that does not know the parameter leaves it
        out, and the list is then asked with `forms()`). `decisions`: the page also names the conflicts on this
        laptop's ops a reviewer decided (`PullPage.decided`; older servers leave it out). `own`: the device_seqs
        whose acknowledgements this run stored; the page leaves out the versions they made as sent (the echo,
        sync_server/pull.py) and says so (`PullPage.own`; an older server sends everything and leaves it out).
        `centres`: each change names its record's centre (`Change.centre_id`, `centre_name`; older servers leave
        them out)."""
        asked = f"{own[0]}-{own[1]}" if own is not None else None
        query = {"cursor": cursor, "limit": limit, **({"forms": 1} if forms else {}),
                 **({"decisions": 1} if decisions else {}), **({"centres": 1} if centres else {}),
                 **({"own": asked} if asked else {})}
        response, binding = self._send("GET", f"/v2/changes?{urlencode(query)}", signed=True)
        refusal = self._signed_refusal(response, binding)
        if refusal is not None and refusal.get("error") in ("epoch_changed", "cursor_ahead"):
            raise errors.ServerRestored(str(refusal["error"]), refusal.get("epoch"))
        page = self._model(response, binding, PullPage)
        if page.own is not None and page.own != asked:
            raise errors.BadServerAnswer("the page leaves out other changes than those this laptop named")
        check_page(page, cursor)
        return page

    def upload_batch(self, data: bytes) -> dict[str, Any]:
        """POST a USB batch file a courier carries (exact bytes, still sealed); the server's signed answer says what
        became of it and carries the receipt for the laptop that wrote it."""
        response, binding = self._send("POST", "/v2/batches", body=data, signed=True)
        if response.status_code != 200:
            raise self._refusal(response, binding)
        self._verified(response, binding)
        try:
            answer = json.loads(response.content)
        except ValueError as exc:
            raise errors.BadServerAnswer("batch answer is not JSON") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
            raise errors.BadServerAnswer("unexpected batch answer")
        return answer

    # --- attachments (waypoint_core.protocol.attachments) --------------------------------------------------------
    def blob_status(self, hashes: list[str]) -> list[BlobStatus]:
        """How much of each file the server holds (dedup: a complete one is not sent; resume: from `received`)."""
        body = BlobQuery(protocol_version=PROTOCOL_VERSION, hashes=hashes).canonical()
        response, binding = self._send("POST", "/v2/blobs/status", body=body, signed=True)
        answer = self._model(response, binding, BlobStatusList)
        if [blob.sha256 for blob in answer.blobs] != hashes:
            raise errors.BadServerAnswer("the file status answers other files than those asked about")
        return list(answer.blobs)

    def upload_chunk(self, chunk: BlobChunk) -> BlobStatus:
        """POST one chunk; the answer says how far the server is (it appends only at that offset)."""
        response, binding = self._send("POST", "/v2/blobs", body=chunk.body(), signed=True)
        if response.status_code == 422 and _error_code(response) == "hash_mismatch":
            self._verified(response, binding)  # not retried: the same bytes would not match again
            raise errors.ServerRefused(422, "hash_mismatch", "the file's bytes do not match its SHA-256")
        status = self._model(response, binding, BlobStatus)
        if status.sha256 != chunk.sha256:
            raise errors.BadServerAnswer("the server answered about another file")
        return status

    def download_chunk(self, sha256: str, offset: int) -> BlobChunk | None:
        """Bytes of a file from `offset`; None when the server does not hold the whole file (yet)."""
        response, binding = self._send("GET", f"/v2/blobs/{sha256}?{urlencode({'offset': offset})}", signed=True)
        if response.status_code == 404 and _error_code(response) == "blob_not_found":
            self._verified(response, binding)
            return None
        chunk = self._model(response, binding, BlobChunk)
        if chunk.sha256 != sha256 or chunk.offset != offset or chunk.shape_error():
            raise errors.BadServerAnswer("the server sent other bytes than those asked for")
        return chunk

    def status(self) -> DeviceStatus:
        response, binding = self._send("GET", "/v2/status", signed=True)
        return self._model(response, binding, DeviceStatus)

    def reconcile(self, records: list[KnownRecord]) -> ReconcileResponse:
        body = ReconcileRequest(protocol_version=2, records=records).canonical()
        response, binding = self._send("POST", "/v2/reconcile", body=body, signed=True)
        return self._model(response, binding, ReconcileResponse)

    def order(self) -> DeviceOrder:
        """A lock or wipe order for this device, or order "none" (desktop_app/sync/orders.py)."""
        response, binding = self._send("GET", "/v2/order", signed=True)
        return self._model(response, binding, DeviceOrder)

    def order_done(self, report: OrderReport) -> DeviceOrder:
        response, binding = self._send("POST", "/v2/order/done", body=report.canonical(), signed=True)
        return self._model(response, binding, DeviceOrder)

    def devices(self) -> DeviceList:
        """The devices of the centres this laptop's people manage (their centre, or their region)."""
        response, binding = self._send("GET", "/v2/devices", signed=True)
        return self._model(response, binding, DeviceList)

    def order_device(self, request: DeviceOrderRequest) -> DeviceList:
        response, binding = self._send("POST", "/v2/devices/order", body=request.canonical(), signed=True)
        return self._model(response, binding, DeviceList)

    def enrolment_codes(self) -> EnrolmentCodeList:
        """The centres this laptop's people may enrol devices for and their open codes (coordinators)."""
        response, binding = self._send("GET", "/v2/enrolment-codes", signed=True)
        return self._model(response, binding, EnrolmentCodeList)

    def new_enrolment_code(self, request: NewCodeRequest) -> NewCode:
        response, binding = self._send("POST", "/v2/enrolment-codes", body=request.canonical(), signed=True)
        return self._model(response, binding, NewCode)

    def revoke_enrolment_code(self, request: RevokeCodeRequest) -> EnrolmentCodeList:
        response, binding = self._send("POST", "/v2/enrolment-codes/revoke", body=request.canonical(), signed=True)
        return self._model(response, binding, EnrolmentCodeList)

    def alarms(self) -> AlarmList:
        """Bulk deletions in the centres this laptop's people review (coordinators)."""
        response, binding = self._send("GET", "/v2/alarms", signed=True)
        return self._model(response, binding, AlarmList)

    def conflicts(self, *, after: str = "", limit: int = 100) -> ConflictPage:
        """One page of the server's open conflicts in the centres this laptop's people review (coordinators)."""
        response, binding = self._send("GET", f"/v2/conflicts?{urlencode({'after': after, 'limit': limit})}",
                                       signed=True)
        return self._model(response, binding, ConflictPage)

    def undo_alarm(self, request: UndoAlarmRequest) -> UndoneAlarm:
        response, binding = self._send("POST", "/v2/alarms/undo", body=request.canonical(), signed=True)
        return self._model(response, binding, UndoneAlarm)

    def upload_audit(self, body: bytes) -> AuditReceipt:
        """The next entries of this laptop's audit chain (desktop_app/sync/audit_upload.py)."""
        response, binding = self._send("POST", "/v2/audit", body=body, signed=True)
        return self._model(response, binding, AuditReceipt)

    def indicators(self, *, start: date, end: date, scope: str | None = None) -> IndicatorAnswer:
        """The server's indicators of `scope` (`centre:ID`, `region:NAME`; None: this device's centre) for
        [start, end], computed there by the same code as the device's and protected and rounded before they left.
        Signed and bound to this request (the period and scope are in the signed query); the answer must also say it
        counted that period. A scope beyond this laptop's people's rights is OutsideScope, a name the server does not
        know UnknownScope (both from a signed refusal)."""
        query = {"from": start.isoformat(), "to": end.isoformat(), **({"scope": scope} if scope else {})}
        response, binding = self._send("GET", f"/v2/indicators?{urlencode(query)}", signed=True)
        answer = self._model(response, binding, IndicatorAnswer)
        if (answer.start, answer.end) != (query["from"], query["to"]):
            raise errors.BadServerAnswer("the indicators answer another period than the one asked for")
        return answer

    def indicator_scopes(self) -> IndicatorScopes:
        """The centres whose indicators this laptop's people may ask the server for, its own first."""
        response, binding = self._send("GET", "/v2/indicators/scopes", signed=True)
        return self._model(response, binding, IndicatorScopes)

    def forms(self) -> FormList:
        response, binding = self._send("GET", "/v2/forms", signed=True)
        return self._model(response, binding, FormList)

    def form(self, form_id: str, version: str) -> PublishedForm:
        path = f"/v2/forms/{quote(form_id, safe='')}/{quote(version, safe='')}"
        response, binding = self._send("GET", path, signed=True)
        published = self._model(response, binding, PublishedForm)
        if published.form_id != form_id or published.version != version:
            raise errors.BadServerAnswer(f"asked for form {form_id} {version}, got another one")
        if not published.signature_valid(self.server_signing_key or ""):
            raise errors.BadServerAnswer(f"form {form_id} {version} is not signed by the pinned server key")
        return published


def check_page(page: PullPage, cursor: str) -> None:
    """A page answers the cursor asked for, stays in its epoch and moves forward: its next cursor is its last
    change, or, when it left out this laptop's own echo (`own`), at or past it. Each change's content is the version
    it names (its version hash, computed here again): else AlteredChange, before anything of the page is stored."""
    if page.since != cursor:
        raise errors.BadServerAnswer("the page answers another cursor than the one asked for")
    asked = parse_cursor(cursor)
    try:
        following = parse_cursor(page.next_cursor)
    except ValueError as exc:
        raise errors.BadServerAnswer("the page's next cursor is not a cursor") from exc
    if following is None or following[0] != page.epoch or (asked is not None and asked[0] != page.epoch):
        raise errors.BadServerAnswer("the page's cursor is of another epoch")
    start = asked[1] if asked else 0
    seqs = [change.seq for change in page.changes]
    last = seqs[-1] if seqs else start
    if seqs != sorted(set(seqs)) or (seqs and seqs[0] <= start) or (
            following[1] != last if page.own is None else following[1] < last):
        raise errors.BadServerAnswer("the page's changes are not in order after the cursor asked for")
    for change in page.changes:
        if not change.hash_matches():
            raise errors.AlteredChange(f"record {change.record_id}, version {change.server_version}, "
                                       f"change {change.seq}")


def _error_code(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _reason(exc: Exception) -> str:
    text = str(exc)
    for hint in ("CERTIFICATE_VERIFY_FAILED", "self-signed certificate", "hostname mismatch", "certificate"):
        if hint in text:
            return hint
    return type(exc).__name__
