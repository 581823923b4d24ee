"""`waypoint-server`: start the server, and the administrator's commands (keys, centres, enrolment codes, forms,
backups).

    waypoint-server serve [--host H] [--port P] [--ssl-certfile F --ssl-keyfile K] [--workers N] [--dev-api-docs]
                                                        database from DATABASE_URL, else SQLite in the data folder
    waypoint-server admin init [--new-keys]             create the server keys (only this command creates keys)
    waypoint-server admin rotate-keys                   new signing and batch keys, announced under the old key
    waypoint-server admin backup FILE                   the whole database, one consistent copy (no keys in it)
    waypoint-server admin restore FILE --yes            replace the database with a backup; devices reconcile
    waypoint-server admin epochs                        the feed's epochs (one more after each restore)
    waypoint-server admin centre add NAME | list | region CENTRE [REGION]   centres, and the region of each
    waypoint-server admin enrol-code --centre NAME|ID [--hours 72] [--roles R1,R2]
    waypoint-server admin enrol-codes   the open enrolment codes (also made and revoked from a coordinator's laptop)
    waypoint-server admin revoke DEVICE
    waypoint-server admin devices
    waypoint-server admin conflicts [--all]
    waypoint-server admin resolve CONFLICT
    waypoint-server admin form publish FILE --form-id ID --version V
    waypoint-server admin import-batch FILE... [--receipts DIR]   USB batch files straight into this server
    waypoint-server admin batches                       the batch files imported so far
    waypoint-server admin device-roles DEVICE ROLE...   the roles of the people using a device (what it receives)
    waypoint-server admin alarms [--all] | undo-deletion ALARM [--by NAME]   bulk deletions and their undo
    waypoint-server admin mark-lost DEVICE --lock|--wipe [--by NAME]   a signed order for the device's next contact
    waypoint-server admin orders                        orders given and carried out
    waypoint-server admin audit verify | list [--device D] [--limit N]   the audit chains (devices' and the server's)
    waypoint-server admin indicators --from DATE --to DATE [--scope centre:ID|region:NAME|all] [--out FILE]
                        the indicators of a scope (default all), protected as /v2/indicators: FILE.csv|.xlsx|.pdf,
                        else the same JSON as the endpoint on stdout
--data-dir (or WAYPOINT_SERVER_HOME) chooses the data folder (SQLite file, key files).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from waypoint_core.registry import exports

from . import admin, audit, backup, coordination, epochs, logs, orders, reports, scope
from .device_journal import JOURNAL_FILE, DeviceJournal
from .db import Database, MigrationContext, migrate, open_database
from .files import StartupRefused, hold_serving, private_dir
from .keys import ServerKeyring, init_keys, load_keyring, rotate_keys
from .settings import Settings, describe_database


def _settings(args: argparse.Namespace, **overrides) -> Settings:
    os.umask(0o077)  # whatever this process creates (SQLite's -wal and -shm, backups, keys) is owner-only
    settings = Settings.from_env(data_dir=args.data_dir, **overrides)
    private_dir(settings.data_dir)
    return settings


def _server(settings: Settings) -> tuple[Database, ServerKeyring]:
    """The database with the keys it names (refused, with what to do, when keys/ does not hold them), migrated."""
    db = open_database(settings.database_url, pool_size=2)
    try:
        keyring = load_keyring(settings.keys_dir, db)
        migrate(db, MigrationContext(data_key=keyring.data))
    except BaseException:
        db.dispose()
        raise
    db.journal = DeviceJournal.beside(settings.data_dir, keyring.data)
    return db, keyring


def _db(settings: Settings) -> Database:
    return _server(settings)[0]


def cmd_serve(args: argparse.Namespace) -> int:
    early = _EarlyStop()  # SIGTERM or Ctrl+C before uvicorn has its own handlers: logged, never a half-done step
    try:
        settings = _settings(args, api_docs=args.dev_api_docs)
        lock = hold_serving(settings.data_dir)  # held until this process ends: `admin restore` waits for it
        try:
            return _serve(args, settings, early)
        finally:
            os.close(lock)
    except _StoppedWhileStarting as stop:
        logs.configure()
        logs.log_event("stopping", signal=_signal_name(stop.signal), phase="starting", pid=os.getpid())
        logs.log_event("stopped", signal=_signal_name(stop.signal), phase="starting", pid=os.getpid())
        return 0


def _serve(args: argparse.Namespace, settings: Settings, early: _EarlyStop) -> int:
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from .app import create_app, prepare, settle_heap

    _check_address(args.host, args.port)  # before the database is opened and `server_ready` is logged
    _check_tls(args.ssl_certfile, args.ssl_keyfile)
    early.check()
    server = prepare(settings, between_steps=early.check)
    # uvicorn's access log prints query strings and client addresses; our own JSON log says what matters.
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.ssl_certfile:
        print("waypoint-server: serving plain HTTP beyond loopback; devices only accept HTTPS there "
              "(use --ssl-certfile/--ssl-keyfile or a TLS reverse proxy)", file=sys.stderr)
    options = {"host": args.host, "port": args.port, "access_log": False, "log_level": "warning",
               "log_config": logs.uvicorn_log_config(), "timeout_graceful_shutdown": 5,
               "ssl_certfile": args.ssl_certfile, "ssl_keyfile": args.ssl_keyfile}
    announce = _start_up_line(args, settings)
    if args.workers > 1:
        from uvicorn.supervisors import Multiprocess

        server.db.dispose()  # each worker opens its own connections (app_from_env)
        os.environ["WAYPOINT_SERVER_HOME"] = str(settings.data_dir)
        os.environ["WAYPOINT_API_DOCS"] = "1" if args.dev_api_docs else ""
        config = uvicorn.Config("sync_server.app:app_from_env", factory=True, workers=args.workers, **options)
        sock = config.bind_socket()
        supervisor = _supervisor(Multiprocess, config, sock)  # its signal handlers replace early's
        early.check()
        print(announce + f" [{args.workers} worker processes]", flush=True)
        supervisor.run()
        failed = [p.pid for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
        if failed and supervisor.stop_signal is None:
            # a worker could not start (it logged `startup_failed` with the error's class): uvicorn's supervisor
            # stopped the others rather than start it again and again; a service manager must not either
            logs.log_event("startup_failed", level=logging.ERROR, workers_failed=len(failed), exit_code=STARTUP_FAILURE,
                           pid=os.getpid())
            return STARTUP_FAILURE
        logs.log_event("stopped", signal=supervisor.stop_signal, workers=args.workers, pid=os.getpid())
        return 0
    try:
        app = create_app(server)
        config = uvicorn.Config(app, **options)
        settle_heap()
        early.check()
    except BaseException:
        server.db.dispose()
        raise
    runner = _AnnouncingServer(config, announce=announce, early=early)
    try:
        served = runner.run()
    except SystemExit as failure:  # uvicorn's start failed: the app's startup, or the port taken since the check
        code = failure.code if isinstance(failure.code, int) and failure.code else STARTUP_FAILURE
        if app.state.startup_error is None:  # (the app's own failure is logged by its lifespan)
            logs.log_event("startup_failed", level=logging.ERROR, error=runner.startup_error or "SystemExit",
                           exit_code=code, pid=os.getpid())
        return code
    if not served.started:
        logs.log_event("startup_failed", level=logging.ERROR, error=app.state.startup_error or "not_started",
                       exit_code=STARTUP_FAILURE, pid=os.getpid())
        return STARTUP_FAILURE
    closed = app.state.database_closed
    logs.log_event("stopped", level=logging.INFO if closed else logging.ERROR, signal=_signal_name(served.stop_signal),
                   database_closed=closed, pid=os.getpid())
    return 0 if closed else 1


def _check_address(host: str, port: int) -> None:
    """A port already taken (most often by a `serve` still running) or an address not of this computer is refused in
    words; uvicorn would log a bind error after the server had said it was ready, and exit 3."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise StartupRefused(f"--host {host}: not an address this computer knows ({exc.strerror})") from exc
    family, _type, _proto, _name, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a closed port's TIME_WAIT is free
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupRefused(f"port {port} on {host} is already in use: another waypoint-server may still be "
                                     "running (stop it first), or another program holds the port (choose another "
                                     "with --port and give the laptops the new address)") from exc
            if exc.errno == errno.EADDRNOTAVAIL:
                raise StartupRefused(f"--host {host} is not an address of this computer: use 127.0.0.1 (this "
                                     "computer only), 0.0.0.0 (every interface) or one of its own addresses") from exc
            # anything else (a port below 1024 without the right) is left to uvicorn, which says so


def _check_tls(certfile: str | None, keyfile: str | None) -> None:
    """The certificate and its key load as uvicorn will load them, or `serve` says which and why; a missing file
    was an error that named no file, after `server_ready`."""
    import ssl

    if not certfile:
        if keyfile:
            raise StartupRefused("--ssl-keyfile without --ssl-certfile: give the certificate (PEM) too")
        return
    for flag, name in (("--ssl-certfile", certfile), ("--ssl-keyfile", keyfile)):
        if name and not Path(name).is_file():
            raise StartupRefused(f"{flag} {name}: no such file")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        raise StartupRefused(f"the certificate {certfile} and key {keyfile or '(in the same file)'} cannot be used "
                             f"together ({getattr(exc, 'reason', None) or exc.strerror or type(exc).__name__}): give "
                             "the PEM certificate and the private key that belongs to it") from exc


def _start_up_line(args: argparse.Namespace, settings: Settings) -> str:
    """The address to give to the laptops and where the data lives; never a database password."""
    scheme = "https" if args.ssl_certfile else "http"
    host = f"[{args.host}]" if ":" in args.host else args.host
    database = describe_database(settings.database_url)
    return (f"waypoint-server: serving on {scheme}://{host}:{args.port} (database: {database}; "
            f"data folder: {settings.data_dir}); Ctrl+C stops it")


def _signal_name(sig: int | None) -> str | None:
    return signal.Signals(sig).name if sig is not None else None


class _StoppedWhileStarting(Exception):
    def __init__(self, sig: int) -> None:
        super().__init__(sig)
        self.signal = sig


class _EarlyStop:
    """SIGTERM and SIGINT from the first moment of `serve` until uvicorn (or its supervisor) installs its own
    handlers, which the default ones would have turned into a death by the signal (SIGTERM) or a KeyboardInterrupt
    traceback (SIGINT), both without a log line, possibly in the middle of a step. The signal is only noted; `check`,
    called between the steps of the start (the checks, the keys, the migrations, the restore check, ...), then
    stops: a step under way is finished first (a migration's transaction is committed, a key file or the
    pre-migration copy written whole), so a stop never leaves one half done. It waits for that step: at most the
    60 s SQLite waits for a lock (db.py), or the migration's end."""

    def __init__(self) -> None:
        self.signal: int | None = None
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._note)

    def _note(self, sig: int, frame: FrameType | None) -> None:
        if self.signal is None:
            self.signal = sig

    def check(self) -> None:
        if self.signal is not None:
            raise _StoppedWhileStarting(self.signal)


class _AnnouncingServer:
    """uvicorn's server, saying its address once it really listens (a port in use fails before the line), and
    logging its stop: `stopping` (the signal, the requests under way), then the app's `requests_finished` and
    `database_closed` (app._lifespan), then `stopped` (_serve): a stop an operator asked for is told from a crash.
    A signal that came after the last step of the start but before uvicorn's own handlers is not lost (`early`)."""

    def __init__(self, config, *, announce: str, early: _EarlyStop) -> None:
        import uvicorn

        class Server(uvicorn.Server):
            stop_signal: int | None = None
            startup_error: str | None = None  # the class of what made uvicorn's start fail (its sys.exit(3))

            async def startup(self, sockets=None) -> None:
                if early.signal is not None:  # uvicorn's handlers are in place now: it stops as it would for it
                    self.handle_exit(early.signal, None)
                try:
                    await super().startup(sockets=sockets)
                except SystemExit as failure:  # uvicorn exits inside `except OSError` for a port it cannot bind
                    cause = failure.__context__
                    self.startup_error = type(cause).__name__ if cause is not None else None
                    raise
                if self.started:
                    print(announce, flush=True)

            def handle_exit(self, sig: int, frame: FrameType | None) -> None:
                # uvicorn's, except that it does not keep the signal to raise again once the server has stopped,
                # which ended a clean stop by SIGTERM (exit -15) or with a KeyboardInterrupt traceback (SIGINT):
                # the stop is logged and `serve` exits 0. A second Ctrl+C still stops without waiting.
                if self.stop_signal is None:
                    self.stop_signal = sig
                if self.should_exit and sig == signal.SIGINT:
                    self.force_exit = True
                else:
                    self.should_exit = True

            async def shutdown(self, sockets: list[Any] | None = None) -> None:
                # logged here, not in the signal handler: a handler runs between any two bytecodes of the main
                # thread, possibly inside another log line's write
                logs.log_event("stopping", signal=_signal_name(self.stop_signal),
                               requests_in_flight=len(self.server_state.tasks), pid=os.getpid())
                await super().shutdown(sockets=sockets)

        self._server = Server(config)

    def run(self) -> Any:
        self._server.run()
        return self._server

    @property
    def startup_error(self) -> str | None:
        return self._server.startup_error


def _supervisor(multiprocess: type, config: Any, sock: Any) -> Any:
    """uvicorn's supervisor of `serve --workers N`, logging `stopping` when it is asked to stop; each worker's app
    logs its own `requests_finished` and `database_closed`, the supervisor `stopped` (_serve)."""

    class Supervisor(multiprocess):  # type: ignore[misc]
        stop_signal: str | None = None

        def _stopping(self, name: str) -> None:
            self.stop_signal = self.stop_signal or name
            logs.log_event("stopping", signal=name, workers=len(self.processes), pid=os.getpid())

        def handle_int(self) -> None:  # (called from the supervisor's loop, not inside the signal handler)
            self._stopping("SIGINT")
            super().handle_int()

        def handle_term(self) -> None:
            self._stopping("SIGTERM")
            super().handle_term()

    return Supervisor(config, sockets=[sock])


def cmd_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db = open_database(settings.database_url, pool_size=2)
    try:
        if not _has_keys_table(db):
            migrate(db)  # a new database: the schema first, then its keys
        created = init_keys(settings.keys_dir, db, new_keys=args.new_keys)
        keyring = load_keyring(settings.keys_dir, db)
        migrate(db, MigrationContext(data_key=keyring.data))
    finally:
        db.dispose()
    public = keyring.public
    print(json.dumps({"created": created, "keys_dir": str(settings.keys_dir),
                      "signing_key_id": public.signing_key_id, "batch_key_id": public.batch_key_id,
                      "data_key_id": keyring.data.key_id}))
    if set(created) & {"signing", "batch"} and args.new_keys:
        print("waypoint-server: new server keys: every device must now be enrolled again with a new code "
              "(`admin enrol-code`); they keep their records and send them again", file=sys.stderr)
    elif args.new_keys:
        print("waypoint-server: nothing replaced: keys/ holds every key the database names (--new-keys only "
              "replaces signing and batch keys lost for good; to change keys, `admin rotate-keys`)", file=sys.stderr)
    if created:
        print(f"waypoint-server: back up {settings.keys_dir} now, and again after every change to it (offline, "
              "encrypted, in two places): database backups hold no key, and without the data key none can be read. "
              "Next: `admin centre add`, `admin enrol-code`, then `serve`.", file=sys.stderr)
    return 0


def _has_keys_table(db: Database) -> bool:
    with db.read_engine.connect() as conn:
        return inspect(conn).has_table("server_key")


def cmd_rotate_keys(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db, _keyring = _server(settings)
    rotation = rotate_keys(settings.keys_dir, db)
    print(json.dumps({"previous_signing_key_id": rotation.previous_signing_key_id,
                      "signing_key_id": rotation.keys.signing_key_id, "batch_key_id": rotation.keys.batch_key_id}))
    print("waypoint-server: keys rotated; restart the server, then back up keys/ again (the new key files and "
          f"rotation-{rotation.keys.signing_key_id}.json: a database restored from an older backup takes the rotation "
          "from there). Devices follow at their next sync.", file=sys.stderr)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db, _keyring = _server(settings)
    path = Path(args.file)
    summary = backup.backup(db, path)
    print(json.dumps({"file": str(path), "epoch": summary["epoch"], "last_seq": summary["last_seq"],
                      "records": summary["rows"].get("record", 0), "created_at": summary["created_at"]}))
    print(f"waypoint-server: backup written. It holds no key: keep {settings.keys_dir} and "
          f"{settings.data_dir / JOURNAL_FILE} backed up beside it (a restore needs the data key; the journal "
          "keeps laptops enrolled since the backup working).", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not args.yes:
        raise StartupRefused("restore replaces the whole database with the backup (devices enrolled or revoked "
                             "since it stay so: devices.journal). Stop the server first, then run again with --yes")
    # a PostgreSQL server's folder restored without DATABASE_URL: a new SQLite file took the backup, unnoticed
    new_sqlite = settings.sqlite_path is not None and not settings.sqlite_path.exists()
    summary = backup.restore(settings, Path(args.file))
    database = describe_database(settings.database_url)
    print(f"waypoint-server: restored into {database}" + (
        " (a new file: if this server runs on PostgreSQL, set DATABASE_URL as for `serve` and restore again)"
        if new_sqlite else ""), file=sys.stderr)
    print(json.dumps({"epoch": summary["epoch"], "last_seq": summary["last_seq"], "database": database,
                      "backup_created_at": summary["backup_created_at"],
                      "records": summary["rows"].get("record", 0), "missing_tables": summary["missing_tables"],
                      "journal_replayed": summary["journal_replayed"],
                      "rotations_adopted": summary["rotations_adopted"]}))
    if summary["rotations_adopted"]:
        print("waypoint-server: key rotations made after this backup were taken again from keys/ (now signing with "
              f"{summary['rotations_adopted'][-1]}): laptops follow them as before.", file=sys.stderr)
    if summary["missing_tables"]:
        print(f"waypoint-server: this backup was written by an older waypoint-server that left out these tables, "
              f"now empty: {', '.join(summary['missing_tables'])}. Set devices' roles again (admin device-roles), "
              "give lost-device orders again (admin mark-lost), and take a new backup.", file=sys.stderr)
    print("waypoint-server: restored; a new epoch began: each device sends again what the backup lacks and pulls "
          "again at its next sync. Start the server. Centres that send by USB stick do not: import again the batch "
          "files imported since the backup, if you kept them (`admin import-batch FOLDER`), before their new ones.",
          file=sys.stderr)
    kept = summary["journal_replayed"].get("code", 0)
    print(f"waypoint-server: enrolment codes made since the backup and kept from devices.journal: {kept}. "
          "`admin enrol-codes` lists the open codes: a code made since the backup that is not listed (made by a "
          "waypoint-server older than this one, or the journal was lost) enrols nothing; make a new one "
          "(`admin enrol-code`).", file=sys.stderr)
    return 0


def cmd_epochs(args: argparse.Namespace) -> int:
    for row in epochs.epochs(_db(_settings(args))):
        print(json.dumps(row, default=str))
    return 0


def cmd_centre_add(args: argparse.Namespace) -> int:
    centre_id = admin.add_centre(_db(_settings(args)), args.name)
    print(json.dumps({"centre_id": centre_id, "name": args.name}))
    return 0


def cmd_centre_list(args: argparse.Namespace) -> int:
    db = _db(_settings(args))
    named = admin.centre_regions(db)
    for centre_id, name in admin.list_centres(db):
        print(f"{centre_id}\t{name}" + (f"\t{named[centre_id]}" if centre_id in named else ""))
    return 0


def cmd_centre_region(args: argparse.Namespace) -> int:
    centre_id = admin.set_centre_region(_db(_settings(args)), args.centre, args.region)
    print(json.dumps({"centre_id": centre_id, "region": args.region or None}))
    return 0


def cmd_enrol_code(args: argparse.Namespace) -> int:
    db = _db(_settings(args))
    roles = [r.strip() for r in (args.roles or "").split(",") if r.strip()] or None
    code = admin.create_enrolment_code(db, centre=args.centre, ttl=timedelta(hours=args.hours), roles=roles)
    audit.record(db, "enrolment_code.created", actor="admin",
                 detail=f"centre {args.centre}, {args.hours} h, roles {' '.join(roles) if roles else 'all'}")
    print(code)
    return 0


def cmd_enrol_codes(args: argparse.Namespace) -> int:
    for row in coordination.list_codes(_db(_settings(args))):
        print(json.dumps(row))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    db = _db(_settings(args))
    admin.revoke_device(db, args.device)
    audit.record(db, "device.revoked", actor="admin", detail=f"device {args.device}")
    print(json.dumps({"revoked": args.device}))
    return 0


def cmd_device_roles(args: argparse.Namespace) -> int:
    roles = scope.set_device_roles(_db(_settings(args)), args.device, args.roles)
    print(json.dumps({"device": args.device, "roles": list(roles)}))
    return 0


def cmd_alarms(args: argparse.Namespace) -> int:
    for row in scope.list_alarms(_db(_settings(args)), open_only=not args.all):
        print(json.dumps(row, default=str))
    return 0


def cmd_undo_deletion(args: argparse.Namespace) -> int:
    db, keyring = _server(_settings(args))
    restored = scope.undo_deletion(db, keyring.data, args.alarm, by=args.by)
    print(json.dumps({"alarm": args.alarm, "restored": restored}))
    return 0


def cmd_mark_lost(args: argparse.Namespace) -> int:
    db, keyring = _server(_settings(args))
    order_id = orders.mark_lost(db, keyring, args.device, "wipe" if args.wipe else "lock", by=args.by)
    print(json.dumps({"device": args.device, "order": "wipe" if args.wipe else "lock", "order_id": order_id}))
    return 0


def cmd_orders(args: argparse.Namespace) -> int:
    for row in orders.list_orders(_db(_settings(args))):
        print(json.dumps(row, default=str))
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    failed = 0
    for report in audit.verify_all(_db(_settings(args))):
        if report.ok:
            print(f"{report.chain}: verified, {report.result.count} entries")
            for fork in report.forks:  # a laptop put back from an older copy: both branches kept, each verified
                print(f"{report.chain}: {fork}")
        else:
            failed += 1
            print(f"waypoint-server: {report.chain}: {report.result.broken}", file=sys.stderr)
    return 1 if failed else 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    for entry in audit.entries(_db(_settings(args)), device_id=args.device, limit=args.limit):
        print(json.dumps(entry, ensure_ascii=False))
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    for row in admin.list_devices(_db(_settings(args))):
        print(json.dumps(row, default=str))
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    for row in admin.list_conflicts(_db(_settings(args)), open_only=not args.all):
        print(json.dumps(row, default=str))
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    admin.resolve_conflict(_db(_settings(args)), args.conflict)
    print(json.dumps({"resolved": args.conflict}))
    return 0


def cmd_form_publish(args: argparse.Namespace) -> int:
    db, keyring = _server(_settings(args))
    new = admin.publish_form(db, keyring, path=Path(args.file), form_id=args.form_id, version=args.version)
    print(json.dumps({"form_id": args.form_id, "version": args.version, "published": new}))
    return 0


def cmd_import_batch(args: argparse.Namespace) -> int:
    """Each file: one JSON line (status, reason, message, ids, counts); receipts written to --receipts, one folder
    per centre. Exit 0 when every file was taken (accepted, conflicts or already imported), 1 when any was refused."""
    from waypoint_core.protocol.batchfile import RECEIPT_SUFFIX, BatchRefused, new_file_name, read_file, write_durably

    from .batches import BatchImporter
    from .push import PushRules

    settings = _settings(args)
    db, keyring = _server(settings)
    importer = BatchImporter(db, keyring, settings.keys_dir, PushRules(
        data_key=keyring.data, identity_fields=settings.identity_fields, hlc_ahead_ms=settings.hlc_ahead_ms),
        data_dir=settings.data_dir, page_bytes=settings.page_bytes)
    refused = 0
    for path in _in_export_order([Path(name) for name in args.files]):
        if not path.is_file():
            print(json.dumps({"file": str(path), "status": "rejected", "reason": "not_found",
                              "message": "no such file (give the batch files, or the folder of the stick)"}))
            refused += 1
            continue
        try:
            outcome = importer.import_file(read_file(path), via="admin")
        except BatchRefused as exc:
            print(json.dumps({"file": path.name, "status": "rejected", "reason": exc.code, "message": str(exc)}))
            refused += 1
            continue
        line = {"file": path.name, **outcome.as_json()}
        if outcome.receipt is not None and args.receipts:
            folder = Path(args.receipts) / _folder_name(outcome.centre or "centre")
            line["receipt"] = str(write_durably(folder, new_file_name(RECEIPT_SUFFIX), outcome.receipt))
        refused += outcome.status == "rejected"
        print(json.dumps(line))
    db.dispose()
    return 1 if refused else 0


def _in_export_order(paths: list[Path]) -> list[Path]:
    """The files given and the batch files in the folders given (a stick's root), per laptop oldest export first and
    each export's parts in order, as the courier forwards them: their names are random, so a shell's order once had a
    split export's later parts refused (`part_missing`) until the command was run again. The order is read from each
    file's outer header, which is in clear; a file whose header does not read keeps its place after them, to be
    refused with its reason."""
    from waypoint_core.protocol.batchfile import BATCH_SUFFIX, BatchRefused, read_header

    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*" + BATCH_SUFFIX) if p.is_file()) if path.is_dir() else [path])

    def order(indexed: tuple[int, Path]) -> tuple:
        index, path = indexed
        try:
            header = read_header(path.read_bytes())[0]
            return (0, str(header["device_id"]), int(header["created_at"]), str(header["batch_id"]),
                    int(header["part"]), index)
        except (OSError, BatchRefused, KeyError, TypeError, ValueError):
            return (1, "", 0, "", 0, index)

    return [path for _index, path in sorted(enumerate(files), key=order)]


def _folder_name(centre: str) -> str:
    """A centre's name as a folder name on a stick (letters, digits, dashes)."""
    import re
    return re.sub(r"[^A-Za-z0-9]+", "-", centre).strip("-")[:60] or "centre"


def cmd_batches(args: argparse.Namespace) -> int:
    from .batches import list_imports
    for row in list_imports(_db(_settings(args))):
        print(json.dumps(row, default=str))
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError:
        raise admin.AdminError("--from and --to are dates, YYYY-MM-DD") from None
    if end < start:
        raise admin.AdminError("the period ends before it starts")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx", ".pdf"):
        raise admin.AdminError(f"{out}: the report is written as .csv, .xlsx or .pdf")
    db, keyring = _server(_settings(args))
    try:
        try:
            chosen, done = reports.compute(db, keyring.data, start=start, end=end, scope_text=args.scope)
        except ValueError as exc:  # a malformed scope, an unknown centre or region
            raise admin.AdminError(str(exc)) from None
        with db.write_engine.begin() as conn:
            audit.record_in(conn, "indicators.report", actor="admin",
                            detail=f"scope {chosen}, {start} to {end}, {out.suffix.lstrip('.') if out else 'json'}")
    finally:
        db.dispose()
    if out is None:
        centre = chosen.value if chosen.kind == "centre" else None
        sys.stdout.write(reports.answer(done, centre, start=start, end=end, scope=str(chosen)).decode() + "\n")
        return 0
    try:
        exports.write_report(done.report, out)  # rounded down to a multiple of 5 as it is written
    except OSError as exc:
        raise admin.AdminError(f"{out}: {exc.strerror or exc}") from None
    print(json.dumps({"file": str(out), "scope": str(chosen), "from": start.isoformat(), "to": end.isoformat(),
                      "unlinked": done.unlinked}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="waypoint-server", description="Waypoint central sync server")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: WAYPOINT_SERVER_HOME "
                        "or the platform data folder)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the server", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                           description="Start the sync server; the database is DATABASE_URL, else SQLite in the "
                                       "data folder.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    serve.add_argument("--port", type=int, default=8470, help="port to listen on")
    serve.add_argument("--ssl-certfile", default=None, help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--ssl-keyfile", default=None, help="the certificate's private key (PEM)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL, or SQLite on one disk)")
    serve.add_argument("--dev-api-docs", action="store_true",
                       help="development only: serve /docs and /openapi.json")
    serve.set_defaults(func=cmd_serve)

    adm = sub.add_parser("admin", help="administration").add_subparsers(dest="admin_command", required=True)
    init = adm.add_parser("init", help="create the server keys (only this command does)")
    init.add_argument("--new-keys", action="store_true", help="the signing and batch keys are lost for good: make "
                      "new ones (every device must then enrol again)")
    init.set_defaults(func=cmd_init)
    adm.add_parser("rotate-keys", help="new signing and batch keys, announced with the old signing key"
                   ).set_defaults(func=cmd_rotate_keys)
    save = adm.add_parser("backup", help="write the whole database to FILE (keys are not in it)")
    save.add_argument("file")
    save.set_defaults(func=cmd_backup)
    load = adm.add_parser("restore", help="replace the database with a backup (the server must be stopped)")
    load.add_argument("file")
    load.add_argument("--yes", action="store_true", help="yes, replace the database")
    load.set_defaults(func=cmd_restore)
    adm.add_parser("epochs", help="the feed's epochs (a new one after each restore)").set_defaults(func=cmd_epochs)
    centre = adm.add_parser("centre", help="centres").add_subparsers(dest="centre_command", required=True)
    add = centre.add_parser("add", help="add a centre")
    add.add_argument("name")
    add.set_defaults(func=cmd_centre_add)
    centre.add_parser("list", help="list centres (id, name, region)").set_defaults(func=cmd_centre_list)
    region = centre.add_parser("region", help="name the region of a centre: coordinators' devices of the region "
                               "receive and change its records (no REGION: a region of its own)")
    region.add_argument("centre", help="the centre's name or id")
    region.add_argument("region", nargs="?", default="")
    region.set_defaults(func=cmd_centre_region)
    code = adm.add_parser("enrol-code", help="print a one-time enrolment code for a device")
    code.add_argument("--centre", required=True, help="the centre's name or the id `centre add` printed")
    code.add_argument("--hours", type=float, default=72.0, help="validity (default 72 hours)")
    code.add_argument("--roles", metavar="R1,R2", help="roles of the people who will use the device, e.g. "
                      "field_staff or field_staff,case_worker (default: unrestricted)")
    code.set_defaults(func=cmd_enrol_code)
    adm.add_parser("enrol-codes", help="the open enrolment codes (not used, expired or revoked)"
                   ).set_defaults(func=cmd_enrol_codes)
    revoke = adm.add_parser("revoke", help="revoke a device")
    revoke.add_argument("device")
    revoke.set_defaults(func=cmd_revoke)
    adm.add_parser("devices", help="list devices").set_defaults(func=cmd_devices)
    conflicts = adm.add_parser("conflicts", help="list conflicts waiting for review (ids and field names)")
    conflicts.add_argument("--all", action="store_true", help="include resolved ones")
    conflicts.set_defaults(func=cmd_conflicts)
    resolve = adm.add_parser("resolve", help="mark a conflict reviewed")
    resolve.add_argument("conflict")
    resolve.set_defaults(func=cmd_resolve)
    form = adm.add_parser("form", help="forms").add_subparsers(dest="form_command", required=True)
    publish = form.add_parser("publish", help="publish an XForm version to devices")
    publish.add_argument("file")
    publish.add_argument("--form-id", required=True)
    publish.add_argument("--version", required=True)
    publish.set_defaults(func=cmd_form_publish)
    imp = adm.add_parser("import-batch", help="import USB batch files straight into this server")
    imp.add_argument("files", nargs="+", metavar="FILE|DIR", help="batch files, or folders holding them (a stick)")
    imp.add_argument("--receipts", metavar="DIR", help="write each laptop's receipt here (a folder per centre)")
    imp.set_defaults(func=cmd_import_batch)
    adm.add_parser("batches", help="the batch files imported so far").set_defaults(func=cmd_batches)
    droles = adm.add_parser("device-roles", help="the roles of the people who use a device (what it receives and "
                            "may change)")
    droles.add_argument("device")
    droles.add_argument("roles", nargs="+", metavar="ROLE")
    droles.set_defaults(func=cmd_device_roles)
    alarms = adm.add_parser("alarms", help="bulk deletions waiting for a coordinator")
    alarms.add_argument("--all", action="store_true", help="undone ones too")
    alarms.set_defaults(func=cmd_alarms)
    undo = adm.add_parser("undo-deletion", help="bring back every record an alarm names")
    undo.add_argument("alarm")
    undo.add_argument("--by", default="admin", help="the coordinator's name (for the audit chain)")
    undo.set_defaults(func=cmd_undo_deletion)
    lost = adm.add_parser("mark-lost", help="a lost device: lock or wipe it at its next contact")
    lost.add_argument("device")
    what = lost.add_mutually_exclusive_group(required=True)
    what.add_argument("--lock", action="store_true", help="sign everyone out; the device stays enrolled")
    what.add_argument("--wipe", action="store_true", help="erase the vault; the device's key is revoked")
    lost.add_argument("--by", default="admin", help="the coordinator's name (for the audit chain)")
    lost.set_defaults(func=cmd_mark_lost)
    adm.add_parser("orders", help="lock and wipe orders and whether devices carried them out"
                   ).set_defaults(func=cmd_orders)
    aud = adm.add_parser("audit", help="audit chains: the devices' uploads and the server's own actions"
                         ).add_subparsers(dest="audit_command", required=True)
    aud.add_parser("verify", help="walk every chain; exit 1 naming the chain and entry where one breaks"
                   ).set_defaults(func=cmd_audit_verify)
    alist = aud.add_parser("list", help="entries, newest first (the server's own unless --device)")
    alist.add_argument("--device", metavar="ID")
    alist.add_argument("--limit", type=int, default=100)
    alist.set_defaults(func=cmd_audit_list)
    ind = adm.add_parser("indicators", help="the indicators of a scope for a period, protected and rounded as "
                         "/v2/indicators answers them (cases counted)")
    ind.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    ind.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    ind.add_argument("--scope", default="all", help="centre:ID (or name), region:NAME or all (default)")
    ind.add_argument("--out", help="FILE.csv, .xlsx or .pdf (written whole or not at all); none: JSON on stdout")
    ind.set_defaults(func=cmd_indicators)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (admin.AdminError, scope.ScopeError, orders.OrderError, StartupRefused) as exc:
        print(f"waypoint-server: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, InterfaceError) as exc:  # the database is unreachable, refuses us, or is full
        print(f"waypoint-server: {_database_failure(exc, args)}", file=sys.stderr)
        return 2
    except OSError as exc:  # the data folder or a file in it: not writable, a read-only or full disk, gone
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"waypoint-server: {where}{exc.strerror or type(exc).__name__}. Check the data folder (--data-dir, "
              "WAYPOINT_SERVER_HOME): that it is the right one, that this account may write to it, and that its disk "
              "is mounted writable and not full.", file=sys.stderr)
        return 2


def _database_failure(exc: OperationalError | InterfaceError, args: argparse.Namespace) -> str:
    """One sentence instead of the driver's traceback: which database (never a password), the database's own reason
    (the driver's first line: refused, no such role or database, disk full; never SQL or its parameters), and what
    to check."""
    settings = Settings.from_env(data_dir=args.data_dir)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None and str(exc.orig).strip() \
        else type(exc).__name__
    password = make_url(settings.database_url).password
    if password:
        reason = reason.replace(str(password), "***")
    if settings.is_sqlite:
        advice = (f"Check the data folder ({settings.data_dir}; --data-dir or WAYPOINT_SERVER_HOME): that it is the "
                  "right one, that this account may write to it, and that its disk is not full")
    else:
        advice = ("Check DATABASE_URL (user, host, port, database name) and that PostgreSQL is running and lets "
                  "this user in")
    return f"the database ({describe_database(settings.database_url)}) could not be used: {reason}. {advice}."


if __name__ == "__main__":
    sys.exit(main())
