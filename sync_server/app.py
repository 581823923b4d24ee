"""The FastAPI application: create_app(settings) wires the database, the keys and the endpoints.

Device endpoints live under /v1. Push and enrolment bodies carry their own signatures; GET endpoints are signed in
headers (auth.py). Answers to push, pull and enrolment are signed by the server (Waypoint-Server-Signature header)
so a device can check them against the key it pinned at enrolment.
"""

from __future__ import annotations

import re
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select, text
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from waypoint_core.protocol import (
    DOMAIN_RESPONSE, HEADER_DEVICE, HEADER_SERVER_SIGNATURE, PROTOCOL_VERSION, PULL_PAGE_DEFAULT, PULL_PAGE_MAX,
    SUPPORTED_VERSIONS, EnrolRequest, EnrolResponse, ErrorBody, FormList, FormSummary, PublishedForm, PullPage,
    PushBatch, PushResponse,
)
from waypoint_core.protocol.messages import Message

from . import admin, logs
from .auth import AuthenticatedDevice, authenticate
from .db import Database, migrate, open_database, schema_version
from .errors import ProtocolError
from .keys import ServerKeyring, init_keys
from .limits import BodyLimitMiddleware
from .pull import pull
from .push import push
from .settings import Settings
from .tables import FormVersion

HTTP_ERRORS = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 403, 409, 413, 422)}


UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def logged_device(request: Request) -> str | None:
    """The claimed device id, if it is an id at all (a header is caller-controlled text: never log it raw)."""
    claimed = request.headers.get(HEADER_DEVICE, "")
    return claimed if UUID_RE.match(claimed) else None


def signed(model: Message, keyring: ServerKeyring, status: int = 200) -> Response:
    body = model.canonical()
    return Response(content=body, status_code=status, media_type="application/json",
                    headers={HEADER_SERVER_SIGNATURE: keyring.signing.sign(DOMAIN_RESPONSE, body)})


def create_app(settings: Settings) -> FastAPI:
    logs.configure()
    settings.ensure_data_dir()
    db: Database = open_database(settings.database_url, pool_size=settings.db_pool_size)
    applied = migrate(db)
    keyring, created = init_keys(settings.keys_dir, db)
    logs.log_event("server_ready", database=db.write_engine.dialect.name, migrations_applied=applied,
                   keys_created=created, signing_key_id=keyring.public.signing_key_id)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        db.dispose()

    app = FastAPI(title="Waypoint sync server", version=f"protocol {PROTOCOL_VERSION}", lifespan=lifespan)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.state.db, app.state.keyring, app.state.settings = db, keyring, settings

    @app.exception_handler(ProtocolError)
    async def _protocol_error(request: Request, exc: ProtocolError) -> JSONResponse:
        logs.log_event("refused", path=request.url.path, status=exc.status, error=exc.body.error,
                       device_id=logged_device(request))
        return JSONResponse(exc.body.model_dump(exclude_none=True), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = HTTP_ERRORS.get(exc.status_code, "http_error")
        logs.log_event("refused", path=request.url.path, status=exc.status_code, error=error)
        return JSONResponse({"error": error, "message": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        # An unknown protocol version is named as such, even when the rest of the body no longer fits version 1.
        body = exc.body if isinstance(exc.body, dict) else None
        version = body.get("protocol_version") if body else None
        if isinstance(version, int) and version not in SUPPORTED_VERSIONS:
            error = ErrorBody(error="unsupported_protocol_version",
                              message=f"protocol version {version} is not supported by this server",
                              supported_versions=sorted(SUPPORTED_VERSIONS))
            return JSONResponse(error.model_dump(exclude_none=True), status_code=400)
        # Say where the body is wrong, never echo what it contained (it may hold personal data).
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type')}" for e in exc.errors()[:5])
        logs.log_event("refused", path=request.url.path, status=422, error="malformed")
        return JSONResponse({"error": "malformed", "message": f"malformed request ({where})"}, status_code=422)

    async def device(request: Request) -> AuthenticatedDevice:
        return await authenticate(request, db=db, clock_skew_s=settings.request_clock_skew_s)

    @app.get("/health")
    def health() -> dict:
        with db.read_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "protocol_version": PROTOCOL_VERSION, "schema_version": schema_version(db),
                "database": db.write_engine.dialect.name}

    @app.post("/v1/enrol", response_model=EnrolResponse, responses=ERRORS)
    def enrol(request: EnrolRequest) -> Response:
        response = admin.enrol(db, keyring, request)
        logs.log_event("enrolled", device_id=response.device_id, centre_id=response.centre_id)
        return signed(response, keyring)

    @app.post("/v1/push", response_model=PushResponse, responses=ERRORS)
    def push_batch(batch: PushBatch) -> Response:
        start = time.perf_counter()
        response, stats = push(db, batch, identity_fields=settings.identity_fields)
        logs.log_event("push", device_id=batch.device_id, seq_from=batch.seq_from, seq_to=batch.seq_to,
                       ops=len(batch.ops), applied=stats.applied, merged=stats.merged, conflicts=stats.conflicts,
                       rejected=stats.rejected, replayed=stats.replayed, ms=logs.elapsed_ms(start))
        return signed(response, keyring)

    @app.get("/v1/changes", response_model=PullPage, responses=ERRORS)
    async def changes(request: Request, since: int = Query(0, ge=0, le=2**62),
                      limit: int = Query(PULL_PAGE_DEFAULT, ge=1, le=PULL_PAGE_MAX)) -> Response:
        who = await device(request)
        page = await run_in_threadpool(pull, db, centre_id=who.centre_id, since=since, limit=limit)
        logs.log_event("pull", device_id=who.id, since=since, changes=len(page.changes), has_more=page.has_more)
        return signed(page, keyring)

    @app.get("/v1/status", responses=ERRORS)
    async def status(request: Request) -> dict:
        """The device's high-water mark: after a lost answer the device learns what the server already holds."""
        who = await device(request)
        return {"device_id": who.id, "centre_id": who.centre_id, "high_water_mark": who.high_water_mark,
                "protocol_version": PROTOCOL_VERSION}

    @app.get("/v1/forms", response_model=FormList, responses=ERRORS)
    async def forms(request: Request) -> FormList:
        await device(request)
        return await run_in_threadpool(_form_list, db)

    @app.get("/v1/forms/{form_id}/{version}", response_model=PublishedForm, responses={404: {"model": ErrorBody}, **ERRORS})
    async def form(request: Request, form_id: str, version: str) -> PublishedForm:
        await device(request)
        row = await run_in_threadpool(_form_row, db, form_id, version)
        if row is None:
            raise ProtocolError(404, "not_found", "no such form version")
        return PublishedForm(form_id=row.form_id, version=row.version, title=row.title, sha256=row.sha256,
                             xform=row.xform, signature=row.signature)

    return app




def _form_list(db: Database) -> FormList:
    with db.read_engine.connect() as conn:
        rows = conn.execute(select(FormVersion.form_id, FormVersion.version, FormVersion.title, FormVersion.sha256,
                                   FormVersion.published_at).order_by(FormVersion.form_id, FormVersion.version))
        return FormList(forms=[FormSummary(form_id=r.form_id, version=r.version, title=r.title, sha256=r.sha256,
                                           published_at=r.published_at.isoformat()) for r in rows])


def _form_row(db: Database, form_id: str, version: str):
    with db.read_engine.connect() as conn:
        return conn.execute(select(FormVersion.form_id, FormVersion.version, FormVersion.title, FormVersion.sha256,
                                   FormVersion.xform, FormVersion.signature)
                            .where(FormVersion.form_id == form_id, FormVersion.version == version)).first()
