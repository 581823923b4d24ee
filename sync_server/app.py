"""The FastAPI application: `prepare` checks and opens what a server needs, `create_app` wires the endpoints.

Device endpoints live under /v2. Every device request except enrolment is signed in headers (auth.py), push
included: the signature over the raw body is checked before the body is parsed. Every /v2 answer is signed and bound
to its request (middleware.py). /v1 answers only "update Waypoint". /docs and /openapi.json exist only when the
administrator asks for them (`serve --dev-api-docs`); /health says "ok" and nothing more unless the caller is an
enrolled device.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import select, text
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from waypoint_core.protocol.audit_messages import AuditUpload
from waypoint_core.protocol.enrolment_messages import NewCodeRequest, RevokeCodeRequest, UndoAlarmRequest
from waypoint_core.protocol.order_messages import DeviceOrderRequest, OrderReport
from waypoint_core.protocol.review_messages import CONFLICT_PAGE_DEFAULT, CONFLICT_PAGE_MAX
from waypoint_core.protocol import (
    HEADER_SIGNATURE, MAX_FILE_BYTES, PROTOCOL_VERSION, PULL_PAGE_DEFAULT, PULL_PAGE_MAX, SUPPORTED_VERSIONS,
    DeviceStatus,
    EnrolRequest, FormList, FormSummary, Message, PublishedForm, ReconcileRequest, SearchRequest, b64encode,
    canonical_json,
    own_range,
)

from . import (
    admin, apidoc, audit, blobs, coordination, derived, device_journal, epochs, logs, orders, reports, review, search,
)
from .checkpoint import Checkpointer
from .batches import BatchImporter
from .auth import AuthenticatedDevice, authenticate, binding_of, claimed_device, signed_request
from .device_journal import DeviceJournal
from .db import Database, MigrationContext, migrate, open_database, schema_version
from .errors import ProtocolError, malformed, unsupported_version
from .files import private_dir
from .keys import ServerKeyring, adopt_rotations, keep_rotations, key_history, load_keyring
from .limits import BodyLimitMiddleware, RequestGateMiddleware
from .middleware import ErrorBarrier, Requests, SigningMiddleware, route_name
from .pull import pull_page, reconcile
from .push import PushAnswer, PushRules, PushStats, push
from .settings import Settings
from .tables import FormVersion

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
HTTP_ERRORS = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


@dataclass
class Server:
    settings: Settings
    db: Database
    keyring: ServerKeyring


def prepare(settings: Settings, *, check_restore: bool = True,
            between_steps: Callable[[], None] = lambda: None) -> Server:
    """Everything a server process needs, checked: private files, the keys the database names, migrations, and
    (once, in the process that starts the workers) whether the database was restored behind the server's back.

    `between_steps` is called after each step, never inside one (`serve` stops there when SIGTERM or SIGINT came
    meanwhile: the migrations' transaction, a key file, the pre-migration copy are never left half done)."""
    private_dir(settings.data_dir)
    db = open_database(settings.database_url, pool_size=settings.db_pool_size, deferred_checkpoints=True)
    adopted: list[str] = []
    try:
        if check_restore:  # a database put back from before a rotation takes it again from keys/
            with db.write_engine.begin() as conn:
                adopted = adopt_rotations(conn, settings.keys_dir)
            between_steps()
        keyring = load_keyring(settings.keys_dir, db)
        if check_restore:  # rotations made before rotate-keys wrote them into keys/ too
            keep_rotations(settings.keys_dir, db)
        between_steps()
        applied = migrate(db, MigrationContext(data_key=keyring.data))
        between_steps()
        db.journal = DeviceJournal.beside(settings.data_dir, keyring.data)
        restored = epochs.check_at_start(db, settings.data_dir) if check_restore else None
        between_steps()
        replayed = device_journal.replay_into(db) if check_restore else None
        between_steps()
        if check_restore:  # what a crash left between a push's commit and its derivation (derived.py)
            derived.catch_up(db, keyring.data)
            between_steps()
    except BaseException:
        db.dispose()
        raise
    logs.configure()
    if check_restore:
        logs.log_event("server_ready", database=db.write_engine.dialect.name, migrations_applied=applied,
                       signing_key_id=keyring.signing.key_id, rotations_adopted=adopted, restore_detected=restored is not None,
                       journal_replayed=dict(replayed or {}))
    return Server(settings, db, keyring)


def app_from_env() -> FastAPI:
    """uvicorn's factory for each worker process (`serve --workers N`): the parent has already checked and migrated."""
    try:
        settings = Settings.from_env(data_dir=Path(os.environ["WAYPOINT_SERVER_HOME"]))
        app = create_app(prepare(settings, check_restore=False))
    except Exception as exc:
        # e.g. the database unreachable since the parent's checks. Raised, it would be a traceback (with the
        # driver's message) and exit 1, which uvicorn's supervisor answers by starting the worker again, for ever;
        # its startup-failure code makes it stop the other workers and itself (`serve` then exits 3).
        from uvicorn.config import STARTUP_FAILURE

        logs.configure()
        logs.log_event("startup_failed", level=logging.ERROR, error=type(exc).__name__, phase="worker",
                       pid=os.getpid())
        raise SystemExit(STARTUP_FAILURE) from None
    settle_heap()
    return app


def settle_heap() -> None:
    """In a serving process, once it is built: what exists now (modules, classes, the app, about 120,000 objects)
    lives as long as the process, so it is moved out of the garbage collector's way (gc.freeze). Python's full
    collections otherwise walk all of it every few pushes: 40-280 ms of one request's wall time at a time, measured
    inside an incremental push of 500 edits."""
    gc.collect()
    gc.freeze()


def answer(model: Message, status: int = 200) -> Response:
    """Canonical JSON; the signing middleware adds the answer signature."""
    return Response(content=model.canonical(), status_code=status, media_type="application/json")


def create_app(server: Server) -> FastAPI:
    settings, db, keyring = server.settings, server.db, server.keyring
    logs.configure()
    docs = settings.api_docs

    follower = derived.Follower(db, keyring.data)
    checkpointer = Checkpointer(db) if db.sqlite_path is not None else None
    requests = Requests()
    app = FastAPI(title="Waypoint sync server", version=f"protocol {PROTOCOL_VERSION}",
                  lifespan=_lifespan(db, follower, checkpointer, requests),
                  docs_url="/docs" if docs else None, redoc_url=None, openapi_url="/openapi.json" if docs else None)
    # Starlette runs the last one added first: ErrorBarrier ▸ signing ▸ address limits ▸ body limit ▸ routes.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestGateMiddleware, enrol=settings.enrol_rate, anonymous=settings.anonymous_rate)
    app.add_middleware(SigningMiddleware, signing=keyring.signing)
    app.add_middleware(ErrorBarrier, requests=requests)
    app.state.server = server
    app.state.database_closed = False
    app.state.startup_error = None
    rules = PushRules(data_key=keyring.data, identity_fields=settings.identity_fields,
                      hlc_ahead_ms=settings.hlc_ahead_ms)

    @app.exception_handler(ProtocolError)
    async def _protocol_error(request: Request, exc: ProtocolError) -> JSONResponse:
        logs.log_event("refused", route=route_name(request.scope), status=exc.status, error=exc.body.error,
                       device_id=claimed_device(request.scope))
        return JSONResponse(exc.body.model_dump(exclude_none=True), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = HTTP_ERRORS.get(exc.status_code, "http_error")
        logs.log_event("refused", route=route_name(request.scope), status=exc.status_code, error=error)
        return JSONResponse({"error": error, "message": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        # An unknown protocol version is named as such, even when the rest of the body no longer fits this one.
        body = exc.body if isinstance(exc.body, dict) else None
        version = body.get("protocol_version") if body else None
        refusal = (unsupported_version(version) if isinstance(version, int) and version not in SUPPORTED_VERSIONS
                   else malformed("malformed request (" + "; ".join(
                       f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type')}" for e in exc.errors()[:5])
                       + ")"))
        return await _protocol_error(request, refusal)

    def not_ordered(path: str) -> Callable[[Any, AuthenticatedDevice], None]:
        # a lost device's order comes before anything else it asks (orders.py), checked with the device itself
        return lambda conn, who: orders.refuse_if_ordered(conn, who.id, path)

    async def device(request: Request) -> AuthenticatedDevice:
        return await authenticate(request, db=db, clock_skew_s=settings.request_clock_skew_s,
                                  then=not_ordered(request.url.path))

    @app.get("/health")
    async def health(request: Request) -> dict[str, Any]:
        if not request.headers.get(HEADER_SIGNATURE):
            return {"status": "ok"}
        await device(request)
        return await run_in_threadpool(_health, db)

    @app.post("/v2/enrol", responses=apidoc.ERRORS)
    def enrol(request: EnrolRequest) -> Response:
        response = admin.enrol(db, keyring, request)
        audit.record(db, "device.enrolled", detail=f"device {response.device_id} at centre {response.centre_id}")
        logs.log_event("enrolled", device_id=response.device_id, centre_id=response.centre_id)
        return answer(response)

    @app.post("/v2/push", responses=apidoc.ERRORS)
    async def push_batch(request: Request, codes: bool = Query(False)) -> Response:
        """Apply one batch. With `codes=1` each rejected op's result carries its refusal code and values
        (`OpResult.code`, `code_values`); left out otherwise, for laptops that do not know them."""
        signed = await signed_request(request, clock_skew_s=settings.request_clock_skew_s)
        ordered = not_ordered(request.url.path)

        def pushed() -> tuple[AuthenticatedDevice, PushAnswer, PushStats, bytes, float]:
            # authenticated (the signature over the raw bytes first, a lost laptop's order refused), applied and its
            # answer encoded in one worker-thread call: a pipelined device's batch crossed to a worker thread and
            # back twice, each crossing waiting for the interpreter lock behind the other threads
            who = signed.device(db, ordered)
            start = time.perf_counter()
            response, stats = push(db, who, signed.body, rules, codes=codes)
            return who, response, stats, response.canonical(), start

        who, response, stats, body, start = await run_in_threadpool(pushed)
        mark = None
        if stats.last_seq is not None:
            # The restore mark (a hint that may lag, epochs.py) is written once the device has its answer: its file
            # sync was a wait inside every push.
            mark = BackgroundTask(epochs.note_push, settings.data_dir, response.epoch, stats.last_seq)
            follower.noted(stats.written)  # the derived tables follow, off this request (derived.py)
        seq_from = response.results[0]["device_seq"] if response.results else None
        logs.log_event("push", device_id=who.id, seq_from=seq_from, ops=len(response.results), applied=stats.applied,
                       merged=stats.merged, conflicts=stats.conflicts, rejected=stats.rejected,
                       replayed=stats.replayed, ms=logs.elapsed_ms(start))
        return Response(content=body, media_type="application/json",  # PushResponse's canonical JSON
                        background=mark)

    importer = BatchImporter(db, keyring, settings.keys_dir, rules, data_dir=settings.data_dir,
                             page_bytes=settings.page_bytes)

    @app.post("/v2/batches", responses=apidoc.ERRORS)
    async def upload_batch(request: Request) -> Response:
        """A USB batch file forwarded by a courier (any enrolled device: the file carries its own laptop's
        signature). The answer says what became of it and carries the receipt sealed to that laptop."""
        courier = await device(request)
        start = time.perf_counter()
        outcome = await run_in_threadpool(importer.import_file, await request.body(), via=courier.id)
        follower.noted()
        logs.log_event("batch_import", device_id=outcome.device_id, courier_id=courier.id, status=outcome.status,
                       reason=outcome.reason, ops=outcome.counts.get("ops", 0), ms=logs.elapsed_ms(start))
        body = {**outcome.as_json(), "receipt": b64encode(outcome.receipt) if outcome.receipt else None}
        return Response(content=canonical_json(body), media_type="application/json")

    @app.get("/v2/changes", responses=apidoc.ERRORS)
    async def changes(request: Request, cursor: str = Query("", max_length=40),
                      limit: int = Query(PULL_PAGE_DEFAULT, ge=1, le=PULL_PAGE_MAX),
                      with_forms: bool = Query(False, alias="forms"),
                      decisions: bool = Query(False), centres: bool = Query(False),
                      own: str | None = Query(None, max_length=37)) -> Response:
        """A page of changes; with `forms=1` it also carries the published form list (GET /v2/forms folded into the
        pull: a sync with nothing to do makes one request fewer; a server without it ignores the parameter); with
        `decisions=1` it names the conflicts on this device's ops that a reviewer decided (review.decided_for); with
        `own=FROM-TO` it leaves out the versions this device's ops FROM..TO made as sent (pull.py: the echo); with
        `centres=1` each change names its record's centre (`Change.centre_id`, `centre_name`)."""
        signed = await signed_request(request, clock_skew_s=settings.request_clock_skew_s)
        forms = (lambda conn: [f.model_dump(mode="json") for f in _forms_in(conn).forms]) if with_forms else None
        ordered = not_ordered(request.url.path)

        def page() -> tuple[AuthenticatedDevice, bytes, float]:
            # authenticated (a lost laptop's order refused) and answered in one worker-thread call: a quiet sync's
            # one request crosses to a worker thread once
            who = signed.device(db, ordered)
            start = time.perf_counter()
            own_seqs = None
            if own is not None and (own_seqs := own_range(own)) is None:
                raise malformed("own is a range of this device's device_seq, FROM-TO (1 <= FROM <= TO)")
            return who, pull_page(db, device=who, cursor=cursor, limit=limit, page_bytes=settings.page_bytes,
                                  key=keyring.data, forms=forms, decisions=decisions, own=own_seqs,
                                  centres=centres), start

        who, body, start = await run_in_threadpool(page)
        logs.log_event("pull", device_id=who.id, bytes=len(body), ms=logs.elapsed_ms(start))
        return Response(content=body, media_type="application/json")

    @app.post("/v2/reconcile", responses=apidoc.ERRORS)
    async def reconcile_versions(request: Request) -> Response:
        who = await device(request)
        try:
            wanted = ReconcileRequest.model_validate_json(await request.body())
        except ValidationError:
            raise malformed("malformed reconciliation request") from None
        if wanted.protocol_version != PROTOCOL_VERSION:
            raise unsupported_version(wanted.protocol_version)
        result = await run_in_threadpool(reconcile, db, device=who, request=wanted)
        logs.log_event("reconcile", device_id=who.id, records=len(result.records))
        return answer(result)

    @app.post("/v2/audit", responses=apidoc.ERRORS)
    async def audit_upload(request: Request) -> Response:
        """The next entries of the device's audit chain: verified against what the server holds, then stored."""
        who = await device(request)
        try:
            upload = AuditUpload.model_validate_json(await request.body())
        except ValidationError:
            raise malformed("malformed audit upload") from None
        receipt = await run_in_threadpool(audit.receive, db, who.id, upload)
        logs.log_event("audit", device_id=who.id, entries=len(upload.entries), stored_through=receipt.stored_through)
        return answer(receipt)

    @app.post("/v2/blobs/status", responses=apidoc.ERRORS)
    async def blob_status(request: Request) -> Response:
        """How much of each named file (by SHA-256) the server holds for the device's centre: dedup and resume."""
        who = await device(request)
        query = blobs.parse_query(await request.body())
        return answer(await run_in_threadpool(blobs.statuses, db, who, query))

    @app.post("/v2/blobs", responses=apidoc.ERRORS)
    async def blob_upload(request: Request) -> Response:
        """One BlobChunk, appended if it is the next one; the answer says how far the file is."""
        who = await device(request)
        start = time.perf_counter()
        result = await run_in_threadpool(blobs.receive_chunk, db, who, await request.body(), keyring.data)
        logs.log_event("blob_chunk", device_id=who.id, received=result.received, complete=result.complete,
                       ms=logs.elapsed_ms(start))
        return answer(result)

    @app.get("/v2/blobs/{sha256}", responses=apidoc.ERRORS)
    async def blob_download(request: Request, sha256: str,
                            offset: int = Query(0, ge=0, le=MAX_FILE_BYTES)) -> Response:
        """Bytes of a complete file of the device's centre from `offset`, within the page budget."""
        who = await device(request)
        if not SHA256_RE.match(sha256):
            raise malformed("a file is named by its SHA-256 (64 lowercase hex digits)")
        chunk = await run_in_threadpool(blobs.read_chunk, db, who, sha256, offset,
                                        blobs.chunk_budget(settings.page_bytes), keyring.data)
        return answer(chunk)

    @app.get("/v2/indicators", responses=apidoc.ERRORS)
    async def indicators(request: Request, start: str = Query(..., alias="from", max_length=10),
                         end: str = Query(..., alias="to", max_length=10),
                         scope: str | None = Query(None, max_length=200)) -> Response:
        """The indicators of a scope for [from, to] (`centre:ID`, `region:NAME`, `all`; default: the device's centre;
        wider only as far as its people view registrations), computed by the device's own code
        (waypoint_core.registry), protected and rounded before they leave (sync_server/reports.py)."""
        who = await device(request)
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise malformed("from and to are dates, YYYY-MM-DD") from None
        if last < first:
            raise malformed("the period ends before it starts")
        started = time.perf_counter()
        body = await run_in_threadpool(reports.indicators, db, who, start=first, end=last, key=keyring.data,
                                       scope_text=scope)
        logs.log_event("indicators", device_id=who.id, wider=scope is not None, ms=logs.elapsed_ms(started))
        return Response(content=body, media_type="application/json")

    @app.get("/v2/indicators/scopes", responses=apidoc.ERRORS)
    async def indicator_scopes(request: Request) -> Response:
        """The centres whose indicators this device's people may ask, its own first, each with its region (a
        coordinator's device: its region's; others: its own), for the device's scope chooser."""
        who = await device(request)
        return Response(content=await run_in_threadpool(reports.scopes, db, who), media_type="application/json")

    @app.post("/v2/search", responses=apidoc.ERRORS)
    async def search_people(request: Request) -> Response:
        """People of the device's centre matching what was typed (a SearchRequest in the signed body: a name in the
        URL would stay in a reverse proxy's access log), with the device's rules, in the device's two stages:
        `first` (exact keys, as one types; `"complete": false`) then `refined` (sync_server/search.py)."""
        who = await device(request)
        try:
            asked = SearchRequest.model_validate_json(await request.body())
        except ValidationError:
            raise malformed("malformed search request: q (1 to 200 characters), limit (1 to "
                            f"{search.MAX_LIMIT}), stage (first or refined)") from None
        if asked.protocol_version != PROTOCOL_VERSION:
            raise unsupported_version(asked.protocol_version)
        started = time.perf_counter()
        run = search.first_results if asked.stage == "first" else search.search
        body = await run_in_threadpool(run, db, who, text=asked.q, limit=asked.limit, key=keyring.data)
        logs.log_event("search", device_id=who.id, stage=asked.stage, ms=logs.elapsed_ms(started))  # never the text
        return Response(content=body, media_type="application/json")

    @app.get("/v2/order", responses=apidoc.ERRORS)
    async def device_order(request: Request) -> Response:
        """A lock or wipe order a coordinator gave for this device (signed by the server's key), or none."""
        who = await device(request)
        return answer(await run_in_threadpool(orders.current, db, who.id))

    @app.post("/v2/order/done", responses=apidoc.ERRORS)
    async def device_order_done(request: Request) -> Response:
        """The device carried its order out; after a wipe its key is revoked at once."""
        who = await device(request)
        try:
            done = OrderReport.model_validate_json(await request.body())
        except ValidationError:
            raise malformed("malformed order report") from None
        result = await run_in_threadpool(orders.report, db, who.id, done)
        logs.log_event("order_done", device_id=who.id, done=done.done)
        return answer(result)

    @app.get("/v2/devices", responses=apidoc.ERRORS)
    async def devices(request: Request) -> Response:
        """The devices of the centres this device's people manage (coordinators: their region; coordination.py)."""
        who = await device(request)
        return answer(await run_in_threadpool(orders.device_list, db, who.id, who.centre_id))

    @app.post("/v2/devices/order", responses=apidoc.ERRORS)
    async def devices_order(request: Request) -> Response:
        """A coordinator marks a device of their centre lost from the app (lock or wipe at its next contact)."""
        who = await device(request)
        try:
            wanted = DeviceOrderRequest.model_validate_json(await request.body())
        except ValidationError:
            raise malformed("malformed device order") from None
        result = await run_in_threadpool(orders.order_from_device, db, keyring, who.id, who.centre_id, wanted)
        logs.log_event("device_order", device_id=who.id, order=wanted.order)
        return answer(result)

    def parsed(model: Any, body: bytes, what: str) -> Any:
        try:
            return model.model_validate_json(body)
        except ValidationError:
            raise malformed(f"malformed {what}") from None

    @app.get("/v2/enrolment-codes", responses=apidoc.ERRORS)
    async def enrolment_codes(request: Request) -> Response:
        """The centres this device's people may enrol devices for, and their open one-time codes."""
        who = await device(request)
        return answer(await run_in_threadpool(coordination.code_list, db, who.id, who.centre_id))

    @app.post("/v2/enrolment-codes", responses=apidoc.ERRORS)
    async def enrolment_code_new(request: Request) -> Response:
        """A coordinator makes a one-time code for a centre they manage; the answer carries it, once."""
        who = await device(request)
        wanted = parsed(NewCodeRequest, await request.body(), "enrolment code request")
        made = await run_in_threadpool(coordination.new_code, db, who.id, who.centre_id, wanted)
        logs.log_event("enrolment_code", device_id=who.id, centre_id=wanted.centre_id, hours=wanted.hours)
        return answer(made)

    @app.post("/v2/enrolment-codes/revoke", responses=apidoc.ERRORS)
    async def enrolment_code_revoke(request: Request) -> Response:
        who = await device(request)
        wanted = parsed(RevokeCodeRequest, await request.body(), "revocation")
        result = await run_in_threadpool(coordination.revoke_code, db, who.id, who.centre_id, wanted)
        logs.log_event("enrolment_code_revoked", device_id=who.id)
        return answer(result)

    @app.get("/v2/alarms", responses=apidoc.ERRORS)
    async def alarms(request: Request) -> Response:
        """Bulk deletions in the centres this device's people review (coordinators), newest first."""
        who = await device(request)
        return answer(await run_in_threadpool(coordination.alarm_list, db, who.id, who.centre_id))

    @app.post("/v2/alarms/undo", responses=apidoc.ERRORS)
    async def alarm_undo(request: Request) -> Response:
        """A coordinator brings back every record a bulk deletion took (every laptop receives them)."""
        who = await device(request)
        wanted = parsed(UndoAlarmRequest, await request.body(), "undo request")
        result = await run_in_threadpool(coordination.undo_alarm, db, keyring.data, who.id, who.centre_id, wanted)
        logs.log_event("alarm_undone", device_id=who.id, restored=result.restored)
        return answer(result)

    @app.get("/v2/conflicts", responses=apidoc.ERRORS)
    async def conflicts(request: Request, after: str = Query("", max_length=80),
                        limit: int = Query(CONFLICT_PAGE_DEFAULT, ge=1, le=CONFLICT_PAGE_MAX)) -> Response:
        """The open conflicts of the centres this device's people review (coordinators: their region), both sides
        each, oldest first, bounded like pulls (review.py)."""
        who = await device(request)
        if after and not re.fullmatch(r"[0-9]{1,19}\.[0-9a-f-]{36}", after):
            raise malformed("after is the next_cursor of the previous page, or empty")
        started = time.perf_counter()
        body, count = await run_in_threadpool(review.conflict_page, db, keyring.data, who.id, who.centre_id,
                                              after=after, limit=limit, page_bytes=settings.page_bytes)
        logs.log_event("conflicts", device_id=who.id, conflicts=count, ms=logs.elapsed_ms(started))
        return Response(content=body, media_type="application/json")

    @app.get("/v2/status", responses=apidoc.ERRORS)
    async def status(request: Request) -> Response:
        """The device's high-water mark and the epoch: after a lost answer the device learns what the server holds."""
        who = await device(request)
        epoch = await run_in_threadpool(_epoch, db)
        return answer(DeviceStatus(protocol_version=PROTOCOL_VERSION, epoch=epoch, device_id=who.id,
                                   centre_id=who.centre_id, high_water_mark=who.high_water_mark))

    @app.get("/v2/keys", responses=apidoc.ERRORS)
    async def keys(request: Request) -> Response:
        """The current keys and every rotation statement: a device that pinned an older key follows the chain."""
        await device(request)
        return answer(await run_in_threadpool(key_history, db, keyring.public))

    @app.get("/v2/forms", responses=apidoc.ERRORS)
    async def forms(request: Request) -> Response:
        await device(request)
        return answer(await run_in_threadpool(_form_list, db))

    async def published(form_id: str, version: str) -> Response:
        row = await run_in_threadpool(_form_row, db, form_id, version)
        if row is None:
            raise ProtocolError(404, "not_found", "no such form version")
        return answer(PublishedForm(form_id=row.form_id, version=row.version, title=row.title, sha256=row.sha256,
                                    xform=row.xform, signature=row.signature))

    @app.get("/v2/forms/{form_id}/{version}", responses=apidoc.ERRORS)
    async def form(request: Request, form_id: str, version: str) -> Response:
        await device(request)
        return await published(form_id, version)

    @app.get("/v2/forms/{rest:path}", include_in_schema=False)
    async def form_with_slash(request: Request, rest: str) -> Response:
        """A form id or version holding an encoded '/' (%2F): split on the raw path, where it is still encoded."""
        await device(request)
        segments = binding_of(request.scope).raw_path.split("/")[3:]
        if len(segments) != 2:
            raise ProtocolError(404, "not_found", "no such form version")
        return await published(unquote(segments[0]), unquote(segments[1]))

    @app.api_route("/v1/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def version_one(rest: str) -> JSONResponse:
        refusal = unsupported_version(1)
        return JSONResponse(refusal.body.model_dump(exclude_none=True), status_code=refusal.status)

    if docs:
        apidoc.install(app)
    return app


def _lifespan(db: Database, follower: derived.Follower, checkpointer: Checkpointer | None,
              requests: Requests) -> Any:
    """The background threads run while the app serves. At the stop (uvicorn has waited for the requests under way,
    or cancelled those still running after its grace period) the log says which, then that the database was closed:
    with SQLite, `wal_bytes` 0 says everything committed is in the database file (the checkpointer's last
    checkpoint, then SQLite's own when its last connection closes)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        try:
            follower.start()
            if checkpointer is not None:
                checkpointer.start()
        except Exception as exc:
            # uvicorn then exits 3; Starlette hands it the traceback, of which logs.SafeJsonFormatter keeps the
            # first line only: this line says what failed, by its class
            app.state.startup_error = type(exc).__name__
            logs.log_event("startup_failed", level=logging.ERROR, error=type(exc).__name__, phase="lifespan",
                           pid=os.getpid())
            raise
        try:
            yield
        finally:
            if requests.cut_short:
                logs.log_event("requests_cut_short", level=logging.WARNING, requests=requests.cut_short,
                               pid=os.getpid())
            else:
                logs.log_event("requests_finished", answered=requests.ended, pid=os.getpid())
            follower.stop()
            if checkpointer is not None:
                checkpointer.stop()
            db.dispose()
            app.state.database_closed = True
            logs.log_event("database_closed", database=db.write_engine.dialect.name, pid=os.getpid(),
                           **({"wal_bytes": _wal_bytes(db.sqlite_path)} if db.sqlite_path is not None else {}))

    return lifespan


def _wal_bytes(path: Path) -> int:
    """What is left in SQLite's write-ahead log beside the database file (0: none, every commit is in the file)."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


def _epoch(db: Database) -> str:
    with db.read_engine.connect() as conn:
        return epochs.current(conn)


def _health(db: Database) -> dict[str, Any]:
    with db.read_engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        epoch = epochs.current(conn)
    return {"status": "ok", "protocol_version": PROTOCOL_VERSION, "schema_version": schema_version(db),
            "database": db.write_engine.dialect.name, "epoch": epoch}


def _form_list(db: Database) -> FormList:
    with db.read_engine.connect() as conn:
        return _forms_in(conn)


# Built once: a sync asks for the list with its first pull page.
_FORMS = select(FormVersion.form_id, FormVersion.version, FormVersion.title, FormVersion.sha256,
                FormVersion.published_at).order_by(FormVersion.form_id, FormVersion.version)


def _forms_in(conn: Any) -> FormList:
    rows = conn.execute(_FORMS)
    return FormList(forms=[FormSummary(form_id=r.form_id, version=r.version, title=r.title, sha256=r.sha256,
                                       published_at=r.published_at.isoformat()) for r in rows])


def _form_row(db: Database, form_id: str, version: str) -> Any:
    with db.read_engine.connect() as conn:
        return conn.execute(select(FormVersion.form_id, FormVersion.version, FormVersion.title, FormVersion.sha256,
                                   FormVersion.xform, FormVersion.signature)
                            .where(FormVersion.form_id == form_id, FormVersion.version == version)).first()
