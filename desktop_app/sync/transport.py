"""HTTPS to the sync server: the URL policy, TLS trust, request and answer signatures, retries with backoff.

requests verifies certificates against its CA store, or against the organisation's own bundle (`ca_bundle`).
Plain http:// is refused before any socket opens unless the host is this computer (127.0.0.0/8, ::1,
localhost): a registration must never cross a network in clear. Every answer to enrol, push and pull must
carry a signature by the server key pinned at enrolment; an answer that does not is treated as damaged.
"""

from __future__ import annotations

import ipaddress
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from pydantic import ValidationError

from desktop_app.sync import errors
from waypoint_core.protocol import (
    DOMAIN_RESPONSE, HEADER_SERVER_SIGNATURE, EnrolRequest, EnrolResponse, FormList, PublishedForm, PullPage,
    PushBatch, PushResponse, SigningKey, verify,
)

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


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


@dataclass
class PushAnswer:
    """A stored batch result, or the server's 'sequence gap' with the seq it expects next."""

    response: PushResponse | None = None
    expected_seq: int | None = None


@dataclass
class ServerConnection:
    """One device's conversation with one server. Not thread-safe: one sync run at a time uses it."""

    server_url: str
    ca_bundle: str | None = None
    device_id: str | None = None
    device_key: SigningKey | None = None
    server_signing_key: str | None = None
    timeout_s: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    retries: int = 0  # how many retries this connection needed (progress, figures)

    def __post_init__(self) -> None:
        self.server_url = check_server_url(self.server_url)
        self._http = requests.Session()
        self._http.verify = self.ca_bundle or True
        self._http.trust_env = False  # no proxy from the environment: the pinned server, directly

    def close(self) -> None:
        self._http.close()

    # --- low level ---------------------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, body: bytes | None = None, signed: bool = False) -> requests.Response:
        headers = {"content-type": "application/json"} if body is not None else {}
        if signed:
            headers.update(self.device_key.request_headers(device_id=self.device_id, method=method,
                                                           path_with_query=self._path_prefix() + path,
                                                           body=body or b""))
        try:
            return self._http.request(method, self.server_url + path, data=body, headers=headers,
                                      timeout=self.timeout_s, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise errors.UntrustedCertificate(_reason(exc)) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise errors.ServerUnreachable(type(exc).__name__) from exc
        except requests.exceptions.RequestException as exc:  # chunked/decoding errors: a cut-off answer
            raise errors.BadServerAnswer(type(exc).__name__) from exc

    def _path_prefix(self) -> str:
        return urlsplit(self.server_url).path.rstrip("/")

    def _refusal(self, response: requests.Response) -> errors.SyncError:
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
        return errors.ServerRefused(response.status_code, code, text)

    def _signed_model(self, response: requests.Response, model, *, key: str | None = None):
        if response.status_code != 200:
            raise self._refusal(response)
        pinned = key or self.server_signing_key
        if not verify(pinned, response.headers.get(HEADER_SERVER_SIGNATURE, ""), DOMAIN_RESPONSE, response.content):
            raise errors.BadServerAnswer("signature does not match the pinned server key")
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise errors.BadServerAnswer(f"unexpected {model.__name__}") from exc

    def _plain_model(self, response: requests.Response, model):
        if response.status_code != 200:
            raise self._refusal(response)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise errors.BadServerAnswer(f"unexpected {model.__name__}") from exc

    def with_retries(self, attempt: Callable[[], object], *, cancelled: Callable[[], bool] = lambda: False):
        """Run `attempt` until it succeeds, retrying transient failures with backoff; then GaveUp."""
        last: errors.SyncError | None = None
        for n in range(self.retry.max_attempts):
            if n:
                self.retries += 1
                self.sleep(self.retry.delay(n - 1, self.rng))
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
    def health(self) -> dict:
        """GET /health, once, no retries: the periodic probe only wants to know 'reachable now?'."""
        response = self._send("GET", "/health")
        if response.status_code != 200:
            raise self._refusal(response)
        try:
            return response.json()
        except ValueError as exc:
            raise errors.BadServerAnswer("health answer is not JSON") from exc

    def enrol(self, *, code: str, device_key: SigningKey, device_name: str) -> EnrolResponse:
        """One attempt: the code is single-use, so a lost answer needs a new code rather than a blind retry."""
        request = EnrolRequest.build(code=code, device_key=device_key, device_name=device_name)
        response = self._send("POST", "/v1/enrol", body=request.model_dump_json().encode())
        if response.status_code != 200:
            raise self._refusal(response)
        try:
            offered = json.loads(response.content)["server_keys"]["signing_key"]
        except (ValueError, KeyError, TypeError) as exc:
            raise errors.BadServerAnswer("enrolment answer without server keys") from exc
        # The answer must be signed by the very key it asks us to pin; TLS and the one-time code vouch for it.
        return self._signed_model(response, EnrolResponse, key=offered)

    def push(self, batch_body: bytes) -> PushAnswer:
        """POST one signed batch (exact bytes, as frozen in the vault). 409 gap → the seq the server expects."""
        response = self._send("POST", "/v1/push", body=batch_body)
        if response.status_code == 409:
            try:
                body = response.json()
            except ValueError as exc:
                raise errors.BadServerAnswer("409 without a readable body") from exc
            if body.get("error") == "sequence_gap" and isinstance(body.get("expected_seq"), int):
                return PushAnswer(expected_seq=body["expected_seq"])
        return PushAnswer(response=self._signed_model(response, PushResponse))

    def pull(self, *, since: int, limit: int) -> PullPage:
        return self._signed_model(self._send("GET", f"/v1/changes?since={since}&limit={limit}", signed=True),
                                  PullPage)

    def forms(self) -> FormList:
        return self._plain_model(self._send("GET", "/v1/forms", signed=True), FormList)

    def form(self, form_id: str, version: str) -> PublishedForm:
        from urllib.parse import quote

        path = f"/v1/forms/{quote(form_id, safe='')}/{quote(version, safe='')}"
        published = self._plain_model(self._send("GET", path, signed=True), PublishedForm)
        if not published.signature_valid(self.server_signing_key):
            raise errors.BadServerAnswer(f"form {form_id} {version} is not signed by the pinned server key")
        return published


def batch_body(batch: PushBatch) -> bytes:
    return batch.model_dump_json().encode()


def _reason(exc: Exception) -> str:
    text = str(exc)
    for hint in ("CERTIFICATE_VERIFY_FAILED", "self-signed certificate", "hostname mismatch", "certificate"):
        if hint in text:
            return hint
    return type(exc).__name__
