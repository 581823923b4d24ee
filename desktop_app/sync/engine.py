"""One sync run (and one enrolment) as a sequence of steps, so the same algorithm runs in the CLI and the app.

A run is a generator that yields `Local` steps (vault work: must run on the vault's thread) and `Remote` steps
(HTTP: must run off the GUI thread, never touching the vault), and receives each step's result back.
`run_inline` drives it on one thread (CLI, tests); the Qt app drives it across its database thread and its
network pool (desktop_app/ui/sync_controller.py). A `Both` step is one of each at the same time (pipelining: while the
server works on one batch, the answer to the one before is stored and the next is frozen; a pulled page is applied
while the next one is fetched);
its result is (remote result, local result). Order of a run:

0. read what the run has to do, in one read transaction (_open: Vault.reading); a run that writes nothing before
   its pull ends (a quiet run) reads nothing more, one that does reads what is left again after the pull (_Left);
1. resend frozen ops not yet acknowledged (an interrupted run: the server may hold them already);
2. pull, so edits not yet sent are merged on top of what others changed (device-side 3-way merge);
3. send the files of records that travel, before the ops that name them (chunked, resumed, deduplicated: files.py);
4. freeze and push the rest of the outbox, batch by batch;
5. pull again if this run sent ops (merged or conflicting ops come back as the server's version; a run that sent
   nothing skips it: a quiet run is one pull), fetch the files pulled records name and this laptop lacks, then
   install new forms. The published form list comes with the first page of each pull (`forms=1`, signed with the
   page); only a server that leaves it out is asked for it apart (GET /v2/forms). Every page is asked with
   `decisions=1`: it names this laptop's conflicts a reviewer decided (closed here as the page is stored), and
   `centres=1`: each change names its record's centre, stored as the record's whatever its content answers (the
   server holds and scopes the record by it: store.centres_here);
6. on a reviewer's laptop only (ReviewDesk), fetch the server's conflicts for the review desk;
7. record the run (its audit entry) and upload the audit log, unless all it holds is quiet runs' entries
   (audit_upload.py). A run that stops on an error after it got work done (a restore reconciled, ops pushed or
   acknowledged, pages pulled) still records its summary, marked `failed` with the error's class name, then raises
   the error as it came (sync_run); a network step's error is handed back as a value and raised in the run for that
   (_StepFailed), so that the run, not the driver, is where it stops.
A lost laptop's order is not asked for: while one waits, the server refuses the run's first request with
`device_order`; every network step returns that refusal as a value (_remote), the run raises it where it came, asks
for the order and carries it out (orders.py).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any

from desktop_app.sync import audit_upload, collector, errors, files, orders, schedule, store
from desktop_app.sync.transport import ServerConnection
from waypoint_core.protocol import (
    CHUNK_BYTES, MAX_BLOB_QUERY, PULL_PAGE_MAX, BlobChunk, EnrolResponse, FormList, PublishedForm, PullPage,
    SigningKey,
)
from waypoint_core.protocol.review_messages import ServerConflict


@dataclass
class Local:
    fn: Callable[[Any], Any]  # fn(vault)


@dataclass
class Remote:
    fn: Callable[[], Any]


@dataclass
class Both:
    """A Remote and a Local step run at the same time; the result is (remote's, local's). If either raises, the run
    stops with that error once both have ended."""

    remote: Callable[[], Any]
    local: Callable[[Any], Any]  # local(vault)


Step = Local | Remote | Both


@dataclass
class ReviewDesk:
    """A reviewer's laptop also fetches the server's conflicts in a run (services/desk.py gives both, as vault steps):
    `wanted(vault)`: whether the signed-in person reviews (else no request at all); `store(vault, conflicts,
    device_id)`: the desk's list as the Fetch button stores it, (added, closed)."""

    wanted: Callable[[Any], bool]
    store: Callable[[Any, list[ServerConflict], str], tuple[int, int]]


@dataclass
class SyncProgress:
    phase: str  # "push" | "pull" | "files" | "forms"
    pushed: int
    pulled: int
    unsent: int | None = None


@dataclass
class SyncSummary:
    pushed: int = 0  # ops posted and answered: for the first time, again after an interrupted run, or `resent`
    acknowledged: int = 0  # ops whose acknowledgement was stored by this run (the `resent` ones included)
    # ops this laptop had seen acknowledged, sent again because a restored server had lost them
    resent: int = 0
    pulled: int = 0  # changes from the server that were new to this device (applied, merged or in conflict)
    received: int = 0  # every change in the pages, this device's own echoes and re-deliveries included
    conflicts: int = 0  # conflicts opened (server-side results and device-side merges)
    merged: int = 0  # ops the server merged with other devices' changes, plus device-side rebases
    decided: int = 0  # this laptop's conflicts closed by a reviewer's decision made on another laptop (pulled)
    server_conflicts: int = 0  # a reviewer's laptop: conflicts the server decided between others, new on its desk
    rejected: int = 0
    forms_installed: list[str] = field(default_factory=list)
    forms_refused: list[str] = field(default_factory=list)
    retries: int = 0
    rejected_messages: list[str] = field(default_factory=list)
    files_sent: int = 0  # files the server now holds whole (sent by this run, or found there already)
    files_received: int = 0  # files that arrived whole and matched their hash
    files_waiting: int = 0  # files pulled records name that the server cannot give yet (their records: incomplete)
    files_failed: int = 0  # files the server refused this time (their records travel; the files are tried again)
    not_sendable: int = 0  # ops this laptop refused to send (the protocol cannot carry them): still unsynced
    # server restores this run reconciled: noticed by it, or by an earlier run cut off before the end of reconciling
    # (which did not count it: a run that stops records its summary, sync_run, but counts only what it reconciled)
    restores: int = 0
    requeued: int = 0  # records sent again because the restored server had lost their latest version
    # unsent ops numbered again after the server's high-water mark: this vault was put back from an older copy (or
    # copied onto another machine, whose changes the server held under the same numbers); nothing was lost
    renumbered: int = 0

    def as_json(self) -> dict:
        # the lists copied, the rest as is (asdict's deep copy: about 4 % of a quiet run's client CPU, cProfile)
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), list) else v) for f in fields(self)}


ConnectionFactory = Callable[..., ServerConnection]
SERVER_CONFLICT_PAGE = 100


def sync_run(
    *, connect: ConnectionFactory = ServerConnection, batch_size: int = 500, page_size: int = PULL_PAGE_MAX,
    installed_forms: Callable[[Any], set[tuple[str, str]]] | None = None,
    install_form: Callable[[Any, PublishedForm], None] | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False, review: ReviewDesk | None = None,
    centre_code: store.CentreCode | None = None,
) -> Generator[Step, Any, SyncSummary]:
    with_forms = installed_forms is not None and install_form is not None
    wanted = review.wanted if review is not None else None
    opening: _Opening = yield Local(lambda vault: _open(vault, wanted, installed_forms if with_forms else None))
    credentials = opening.credentials
    connection = credentials.open_with(connect)
    summary = SyncSummary()
    offered: dict[str, FormList] = {}  # the published form list the latest pull brought ("list"), if it did

    def report(phase: str) -> None:
        if progress is not None:
            progress(SyncProgress(phase, summary.pushed, summary.pulled))

    recorded = False  # the run's summary and audit entry are written (audit_upload.note_run)
    failure: errors.SyncError | None = None
    try:
        try:
            with collector.spaced():  # a run's batches and pages are freed by reference counting (collector.py)
                yield from _run(connection, opening, summary, report, batch_size, page_size, cancelled, offered,
                                with_forms, review, installed_forms, install_form, centre_code)
                # The run's entry (and store.record_run); a quiet run's own entry waits for a run with more to send.
                first_upload = yield Local(lambda vault: audit_upload.note_run(vault, summary.as_json()))
                recorded = True
                if first_upload is not None:
                    yield from audit_upload.upload(connection, _remote, Local, cancelled, first_upload)
            if opening.unknown or opening.refused:  # taken again (the server replayed its journal): as before
                yield Local(lambda vault: store.note_refused(vault, None))
        except _REFUSED_FOR_GOOD as refusal:
            # Kept for `sync --status` and the status bar (store.REFUSED); an unknown laptop's records count as
            # unsent.
            reason = _refusal_reason(refusal)
            yield Local(lambda vault: store.note_refused(vault, reason))
            raise
        except errors.DeviceOrdered:
            # A lost laptop's order: the server refuses every request but the order's own until it is carried out,
            # so the first refusal (whichever request met it) is where the run asks for it and obeys (RemoteLock/Wipe).
            yield from orders.obey(connection, credentials, _remote, Local)
            raise  # (no order after all: carried out meanwhile by another run)
        finally:
            connection.close()
    except _StepFailed as failed:
        failure = failed.error
    except errors.SyncError as error:
        failure = error
    if failure is None:
        return summary
    # Raised here, outside the handlers, so that the error goes on exactly as it came (its cause and context).
    stopped: errors.SyncError = failure
    if not recorded and _worth_recording(summary, stopped):
        summary.retries = connection.retries
        problem = yield Local(lambda vault: _or_error(lambda: _note_failed(vault, summary, stopped), Exception))
        if isinstance(problem, Exception):  # the run's own error is what the caller hears of
            stopped.add_note(f"the run's summary could not be recorded ({type(problem).__name__})")
    raise stopped


def _worth_recording(summary: SyncSummary, failure: errors.SyncError) -> bool:
    """A run that stopped after it got work done (a restore reconciled, ops pushed or acknowledged, pages pulled)
    records what it did; one stopped before that records nothing, as always. A lost laptop's order is not recorded:
    the order locked or erased the vault (orders.py)."""
    if isinstance(failure, (errors.DeviceOrdered, errors.RemoteLock, errors.RemoteWipe)):
        return False
    return bool(summary.restores or summary.pushed or summary.acknowledged or summary.pulled)


def _note_failed(vault: Any, summary: SyncSummary, failure: BaseException) -> None:
    """A failed run's summary (and audit entry): what it did, and `failed`, the error's class name only (its
    message may name a record or a person). Its entry goes with the next run that reaches the server."""
    summary.not_sendable = store.not_sendable(vault)
    audit_upload.note_run(vault, {**summary.as_json(), "failed": type(failure).__name__})


def _run(connection, opening, summary, report, batch_size, page_size, cancelled, offered, with_forms, review,
         installed_forms, install_form, centre_code=None):
    """The run's steps once enrolled. The lost-laptop order is not asked first: the server would refuse this run's
    first request with `device_order` (DeviceOrdered, returned by every network step as a value and raised here).

    What the run has to do is read in one read transaction before its first request (`opening`); as long as the run
    has written nothing (nothing to resend, a pull that stored nothing: a run with nothing to do), what it read then
    still holds after the pull and the run reads nothing more: one read transaction and the run's own write
    (audit_upload.note_run). Once the run has written, what is left is read again at once after the pull (_Left)."""
    credentials = opening.credentials
    wanted = review.wanted if review is not None else None
    forms_here = installed_forms if with_forms else None
    acked = _Acked()
    refused: set[str] = set()  # files the server refused in this run: not offered again before the next one
    left: _Left | None = None
    for attempt in range(2):
        first = opening if not attempt else None  # after a restore, everything is read again
        try:
            if first.reconciling if first is not None else (yield Local(store.reconciling)):
                # A reconciliation an earlier run did not finish (that run did not count it: counted here). Counted
                # once done, so that a run stopped later records it (sync_run) and one stopped before does not.
                restored = first is not None and opening.restoring
                first = None
                yield from _reconcile(connection, summary, cancelled)
                summary.restores += restored
                yield from _upload(connection, summary, report, cancelled, refused=refused)
                yield from _push(connection, credentials, summary, report, batch_size, cancelled, freeze=True, acked=acked)
            last: _LastAnswer | None = None
            if first is None or first.to_resend:
                first = None
                last = yield from _push(connection, credentials, summary, report, batch_size, cancelled,
                                        freeze=False, acked=acked, leave_last=True)
            stored = yield from _pull(connection, credentials, summary, report, page_size, cancelled, offered,
                                      with_forms, acked.range(), since=first.cursor if first is not None else None,
                                      alongside=last, centre_code=centre_code)
            if first is not None and not stored:
                left = first.left  # nothing written since it was read
            else:
                left = yield Local(lambda vault: _left_to_do(vault, wanted, forms_here))
            yield from _upload(connection, summary, report, cancelled, left.uploads, refused=refused)
            pushed_before, last = summary.pushed, None
            if left.to_freeze:
                last = yield from _push(connection, credentials, summary, report, batch_size, cancelled,
                                        freeze=True, acked=acked, leave_last=True)
            if last is not None or summary.pushed > pushed_before:
                # what the server merged comes back; nothing sent: nothing to learn
                yield from _pull(connection, credentials, summary, report, page_size, cancelled, offered,
                                 with_forms, acked.range(), alongside=last, centre_code=centre_code)
                left.downloads = left.not_sendable = None  # read again: the pull and the push wrote
            yield from _download(connection, summary, report, cancelled, left.downloads)
            break
        except errors.ServerRestored:
            if attempt or cancelled():
                raise
            yield from _reconcile(connection, summary, cancelled)
            summary.restores += 1
            # The files the restored server lost go before the records that name them (it was asked about every
            # file held here: store.begin_restore), from this laptop whether it made them or fetched them.
            yield from _upload(connection, summary, report, cancelled, refused=refused)
            # What the server lost goes back before anything is pulled: a record sent again has no known base
            # here, so pulling another laptop's newer version first would open a conflict on this laptop
            # instead of letting the server merge the two.
            yield from _push(connection, credentials, summary, report, batch_size, cancelled, freeze=True, acked=acked)
    assert left is not None
    if review is not None:
        yield from _server_conflicts(connection, credentials, summary, review, cancelled, left.reviews)
    if installed_forms is not None and install_form is not None:
        yield from _forms(connection, summary, installed_forms, install_form, cancelled, offered.get("list"),
                          left.installed)
        report("forms")
    summary.retries = connection.retries
    summary.not_sendable = left.not_sendable if left.not_sendable is not None else (yield Local(store.not_sendable))


@dataclass
class _Left:
    """What a run has left to do once it has pulled, read at once (one read transaction: Vault.reading): the files
    to send, whether ops wait to be frozen and sent, the files to fetch, whether the signed-in person reviews (the
    server's conflicts are fetched), the installed form versions, how many ops cannot be sent. `downloads` and
    `not_sendable` are None once the run has pushed and pulled again (read again where they are used)."""

    uploads: list[tuple[str, int]]
    to_freeze: bool
    downloads: list[files.Wanted] | None
    reviews: bool
    installed: set[tuple[str, str]] | None
    not_sendable: int | None


@dataclass
class _Opening:
    """What a run reads before its first request, in the same read transaction: its credentials, whether a
    reconciliation is under way, whether frozen ops wait to be sent again, where the pull starts, and _Left."""

    credentials: store.Credentials
    reconciling: bool
    to_resend: bool
    cursor: str
    left: _Left
    unknown: bool = False  # the server refused this laptop as unknown at its last contact
    restoring: bool = False  # the reconciliation under way is with a restored server (store.Opening)
    refused: bool = False  # the server refused this laptop for good at its last contact (store.REFUSED)


def _left_to_do(vault: Any, wanted: Callable[[Any], bool] | None,
                installed_forms: Callable[[Any], set[tuple[str, str]]] | None, *, resend: bool | None = None) -> _Left:
    """`resend`: whether ops wait to be sent again, as just read in the same read transaction (if known)."""
    with vault.reading():
        return _Left(uploads=files.to_upload(vault), to_freeze=store.something_to_send(vault, freeze=True,
                                                                                      resend=resend),
                     downloads=files.to_download(vault), reviews=wanted(vault) if wanted is not None else False,
                     installed=installed_forms(vault) if installed_forms is not None else None,
                     not_sendable=store.not_sendable(vault))


def _open(vault: Any, wanted: Callable[[Any], bool] | None,
          installed_forms: Callable[[Any], set[tuple[str, str]]] | None) -> _Opening:
    with vault.reading():
        first = store.opening(vault)
        return _Opening(credentials=first.credentials, reconciling=first.reconciling, to_resend=first.to_resend,
                        cursor=first.cursor, left=_left_to_do(vault, wanted, installed_forms, resend=first.to_resend),
                        unknown=first.unknown, restoring=first.restoring, refused=first.refused)


def _clock(connection: ServerConnection) -> store.Clock:
    """This laptop's clock bound, from the server's time as its last signed answer gave it."""
    return store.Clock(connection.server_now_ms())


@dataclass
class _Acked:
    """The device_seqs whose acknowledgements this run stored (the latest contiguous range): the run's pulls name
    them (`own`) so the server leaves out the versions they made as sent, which this laptop holds already."""

    first: int = 0
    last: int = 0

    def add(self, seq_from: int, seq_to: int) -> None:
        if self.last and seq_from == self.last + 1:
            self.last = seq_to
        else:
            self.first, self.last = seq_from, seq_to

    def range(self) -> tuple[int, int] | None:
        return (self.first, self.last) if self.last else None


@dataclass
class _LastAnswer:
    """The last batch's answer, come and not stored yet: stored by the pull that follows the push while its first
    page is on the way (_pull's `alongside`), then counted (`done`)."""

    store: Callable[[Any], store.AckOutcome]
    done: Callable[[store.AckOutcome], None]


def _push(connection, credentials, summary, report, batch_size, cancelled, *, freeze, acked=None, leave_last=False):
    """Post batches in order, pipelined: while the server works on batch N, the vault stores the answer to N-1 and
    freezes N+1, in one transaction (store.acknowledge_and_next). N is posted once N-1's answer has come and is a
    PushResponse (a refusal is acted on first, before anything else is sent); a frozen batch, or one whose answer is
    not stored yet, is what an interrupted run sends again anyway (the server answers a repeat with its stored
    results), so the order on the wire and exactly-once are those of one batch at a time.

    `leave_last`: the last batch's answer is not stored here but returned (_LastAnswer), its seqs already in
    `acked`: the pull that follows asks for its first page while that answer is stored. The server applied those ops
    whether or not this laptop has stored the answer yet, so naming them `own` leaves out only versions it holds or
    will hold once the answer is stored; if storing it fails, the run ends before that page is stored."""
    restamped = renumbered = 0
    gap_from: int | None = None  # the device_seq a sequence_gap answer of this run asked for
    clock = _clock(connection)

    def first(vault):
        # The batches' sizes: planned on the ops waiting now, when freezing (schedule.py); a frozen batch is sent
        # as it was cut anyway.
        sizes = schedule.batch_sizes(store.waiting(vault) if freeze else 0, batch_size)
        return sizes, store.next_batch(vault, credentials, max_ops=next(sizes), freeze=freeze, clock=clock)

    sizes, following = yield Local(first)
    answered: tuple[store.FrozenBatch, Any] | None = None  # a batch whose answer came and is not stored yet

    def acknowledged(batch: store.FrozenBatch, outcome: store.AckOutcome, counted: bool = False) -> None:
        if acked is not None and not counted:
            acked.add(batch.seq_from, batch.seq_to)
        summary.pushed += batch.op_count
        summary.acknowledged += outcome.acknowledged + outcome.again
        summary.resent += outcome.again
        summary.merged += outcome.merged
        summary.conflicts += outcome.conflicts
        summary.rejected += outcome.rejected
        summary.rejected_messages.extend(outcome.rejected_messages[:20 - len(summary.rejected_messages)])
        report("push")

    while following is not None and not cancelled():
        batch = following
        post = lambda: _or_error(lambda: connection.with_retries(  # noqa: E731
            lambda: connection.push(batch.body), cancelled=cancelled), (errors.ClockAhead, errors.SequenceReused))
        clock = _clock(connection)
        done, answered = answered, None
        size = next(sizes)
        answer, (_, following) = yield from _both(connection, post, lambda vault: store.acknowledge_and_next(
            vault, credentials, done, max_ops=size, freeze=freeze, after=batch.seq_to, clock=clock),
            counted=lambda result, d=done: acknowledged(d[0], result[0]) if d is not None else None)
        if isinstance(answer, errors.ClockAhead):
            # Stamped ahead of the server's clock (this laptop's clock was wrong): nothing was stored; stamp those
            # ops again from the server's time (now known from the signed refusal) and send them again, once.
            clock = _clock(connection)
            changed = yield Local(lambda vault: store.restamp(vault, answer.expected_seq, clock))
            if not changed or restamped:
                raise answer
            restamped += 1
            following = yield Local(lambda vault: store.next_batch(vault, credentials, max_ops=batch_size,
                                                                   freeze=freeze, clock=clock))
            continue
        if isinstance(answer, errors.SequenceReused):
            # The vault was put back from an older copy after later ops had reached the server: it holds other ops
            # under these numbers, and nothing was stored. The unsent ops from there are numbered again after its
            # high-water mark (in one vault transaction, audited) and sent again, once; anything else stops here.
            moved = yield Local(lambda vault: store.renumber_reused(vault, batch, answer))
            if not moved or renumbered:
                raise answer
            renumbered += 1
            summary.renumbered += moved
            clock = _clock(connection)
            following = yield Local(lambda vault: store.next_batch(vault, credentials, max_ops=batch_size,
                                                                   freeze=freeze, clock=clock))
            continue
        if answer.expected_seq is not None:
            if gap_from is not None and answer.expected_seq <= gap_from:
                # Asked again for what this run already sent from there: the laptop holds nothing more under those
                # numbers. Stop instead of posting the same batch for ever.
                raise errors.SequenceUnfillable(answer.expected_seq)
            gap_from = answer.expected_seq
            lost = yield Local(lambda vault: store.note_sequence_gap(vault, answer.expected_seq))
            if lost:  # the server no longer holds ops it acknowledged: it was restored from a backup
                raise errors.ServerRestored("sequence_gap", answer.epoch)
            clock = _clock(connection)
            following = yield Local(lambda vault: store.next_batch(vault, credentials, max_ops=batch_size,
                                                                   freeze=freeze, clock=clock))
            continue
        answered = (batch, answer.response)
    if answered is None:
        return None
    last = answered  # the last batch's answer (or, cancelled, the one that came before stopping)
    if leave_last and not cancelled():
        if acked is not None:
            acked.add(last[0].seq_from, last[0].seq_to)
        return _LastAnswer(store=lambda vault: store.store_push_answer(vault, *last),
                           done=lambda outcome: acknowledged(last[0], outcome, counted=True))
    outcome = yield Local(lambda vault: store.store_push_answer(vault, *last))
    acknowledged(last[0], outcome)
    return None


def _pull(connection, credentials, summary, report, page_size, cancelled, offered, with_forms, own=None, since=None,
          alongside: _LastAnswer | None = None, centre_code: store.CentreCode | None = None):
    """Pages in order; while one is applied, the next is fetched from the cursor it ends at and its changes prepared
    (pipelining: _prepared). Its cursor is stored with it, so an interrupted run starts again exactly there. A
    restored server (its cursor refused) ends the pull with ServerRestored, raised here in the run, where sync_run
    reconciles.
    `with_forms`: the first page is asked with the published form list, kept in `offered["list"]` when it comes.
    `own`: the device_seqs this run had acknowledged; every page is asked without the versions they made as sent.
    `since`: the cursor, when the run has just read it. Returns whether a page was stored (a last page that brings
    nothing and leaves the cursor where it was is not: store.nothing_to_store).
    `alongside`: the push's last answer, stored while the first page is on the way (the push's `leave_last`).
    `centre_code`: a server centre's name -> the shipped list's code (store.centres_here)."""
    if since is None:
        since = yield Local(store.cursor)
    stored = False

    def count(outcome: store.PullOutcome) -> None:
        summary.pulled += outcome.applied + outcome.rebased + outcome.conflicts
        summary.decided += outcome.decided
        summary.received += outcome.changes
        summary.conflicts += outcome.conflicts
        summary.merged += outcome.rebased
        report("pull")

    fetch = lambda: _prepared(_or_error(lambda: connection.with_retries(  # noqa: E731
        lambda: connection.pull(cursor=since, limit=page_size, forms=with_forms, decisions=True, own=own,
                                centres=True),
        cancelled=cancelled), errors.ServerRestored))
    if alongside is None:
        page = yield from _remote(connection, fetch)
    else:
        page, _ = yield from _both(connection, fetch, alongside.store, counted=alongside.done)
    if isinstance(page, store.PreparedPage) and page.page.forms is not None:
        offered["list"] = FormList(forms=page.page.forms)
    while page is not None and not cancelled():
        if isinstance(page, errors.ServerRestored):
            raise page  # (a step's own exception would end the run)
        current, ready = (page.page, page.changes) if isinstance(page, store.PreparedPage) else (page, None)
        clock = _clock(connection)
        apply = lambda vault: store.store_pull_page(  # noqa: E731
            vault, current, own_device_id=credentials.device_id, clock=clock, prepared=ready, centre_code=centre_code)
        if current.has_more:
            page, outcome = yield from _both(connection, lambda: _prepared(_or_error(lambda: connection.with_retries(
                lambda: connection.pull(cursor=current.next_cursor, limit=page_size, decisions=True, own=own,
                                        centres=True),
                cancelled=cancelled),
                errors.ServerRestored)), apply, counted=count)
            stored = True
        elif store.nothing_to_store(current):
            page = None
            count(store.PullOutcome())
        else:
            page = None
            count((yield Local(apply)))
            stored = True
    return stored


def _prepared(page: Any) -> Any:
    """A pulled page with its changes prepared here, on the network thread, while the page before is stored
    (store.prepare_page: what storing a change takes from the change alone); anything else (ServerRestored) as it
    came."""
    return store.prepare_page(page) if isinstance(page, PullPage) else page


def _server_conflicts(connection, credentials, summary, review, cancelled, wanted=None):
    """A reviewer's laptop: every page of GET /v2/conflicts, stored for the desk once all have come (a partial list
    would close rows still open). A refusal (this device's people may not review, an older server) is not an error
    of the run: the desk's Fetch button says it."""
    if not (wanted if wanted is not None else (yield Local(review.wanted))):
        return
    found: list[ServerConflict] = []
    after = ""
    while True:
        if cancelled():
            return
        page = yield from _remote(connection, lambda a=after: _refused_or(lambda: connection.with_retries(
            lambda: connection.conflicts(after=a, limit=SERVER_CONFLICT_PAGE), cancelled=cancelled)))
        if isinstance(page, errors.ServerRefused):
            return
        found += page.conflicts
        if not page.has_more:
            break
        after = page.next_cursor
    added, closed = yield Local(lambda vault: review.store(vault, found, credentials.device_id or ""))
    summary.server_conflicts += added


def _upload(connection, summary, report, cancelled, pending=None, *, refused: set[str]):
    """Each file not yet confirmed on the server: asked about in groups (the files it holds whole are marked at once,
    one transaction a group, and not sent again), then sent chunk by chunk from where the server is; a retry after a
    dropped answer is answered with how far the server got, so nothing is appended twice. `refused`: the files the
    server refused earlier in this run (left for the next run), and where this one adds those it refuses."""
    if pending is None:
        pending = yield Local(files.to_upload)
    pending = [item for item in pending if item[0] not in refused]
    for start in range(0, len(pending), MAX_BLOB_QUERY):
        group = pending[start:start + MAX_BLOB_QUERY]
        statuses = yield from _remote(connection, lambda: connection.with_retries(
            lambda: connection.blob_status([sha256 for sha256, _size in group]), cancelled=cancelled))
        held = [sha256 for (sha256, _size), status in zip(group, statuses) if status.complete]
        if held:
            yield Local(lambda vault: files.mark_uploaded(vault, *held))
            summary.files_sent += len(held)
        for (sha256, size), status in zip(group, statuses):
            if status.complete:
                continue
            if cancelled():
                return
            try:
                yield from _send_file(connection, sha256, size, status, report, cancelled)
            except errors.DeviceOrdered:
                raise  # a lost laptop's order: the run obeys it (sync_run)
            except (errors.ServerRefused, errors.BadServerAnswer) as refusal:  # raised here, not by a step
                # One file must not hold back every record: its record travels and names it; other devices show
                # the record as incomplete until a later run sends the file.
                refused.add(sha256)
                summary.files_failed += 1
                summary.rejected_messages.extend([f"file {sha256[:12]}: {refusal}"][:20 - len(summary.rejected_messages)])
                continue
            yield Local(lambda vault, h=sha256: files.mark_uploaded(vault, h))
            summary.files_sent += 1


def _send_file(connection, sha256, size, status, report, cancelled):
    data = yield Local(lambda vault: files.read_file(vault, sha256))
    if data is None:
        return  # removed meanwhile
    received = status.received if status.size == size else 0
    while True:
        chunk = BlobChunk.of(sha256=sha256, size=size, offset=received, raw=data[received:received + CHUNK_BYTES])
        answer = yield from _remote(connection, lambda c=chunk: _refused_or(lambda: connection.with_retries(
            lambda: connection.upload_chunk(c), cancelled=cancelled)))
        if isinstance(answer, errors.ServerRefused):
            raise answer  # in this generator, so _upload counts it and goes on with the next file
        if answer.complete:
            return
        if answer.received <= received and answer.received != 0:
            raise errors.BadServerAnswer("the server does not take the next chunk of a file")
        received = answer.received
        report("files")


def _download(connection, summary, report, cancelled, wanted=None):
    """Each file pulled records name and this laptop lacks, from the bytes already here, one chunk per transaction."""
    if wanted is None:
        wanted = yield Local(files.to_download)
    for item in wanted:
        received = item.received
        while not cancelled():
            chunk = yield from _remote(connection, lambda at=received: connection.with_retries(
                lambda: connection.download_chunk(item.sha256, at), cancelled=cancelled))
            if chunk is None or chunk.size != item.size:
                summary.files_waiting += 1  # not on the server yet: the record stays incomplete
                break
            stored = yield Local(lambda vault, c=chunk: files.store_chunk(vault, c))
            if stored.complete:
                summary.files_received += 1
                break
            if stored.mismatch:
                summary.files_waiting += 1  # thrown away; fetched again from the start by the next run
                break
            if stored.received <= received:
                raise errors.BadServerAnswer("a file's bytes do not continue where they stopped")
            received = stored.received
            report("files")


def _reconcile(connection, summary, cancelled):
    """The server's database went back in time (restored from a backup). From what this laptop holds now:
    1. its own acknowledged ops the server lost are sent again (from the server's high-water mark, rebuilt from
       the records' current state: store.begin_restore sets where);
    2. every record it knows is checked by content hash (/v2/reconcile); one whose version the server lost is
       queued again, whole, on the newest version the server still holds (the server merges it with what other
       laptops sent since the restore);
    3. the cursor starts again in the server's new epoch: everything is pulled again and compared by hash;
    4. every file held here is asked about again (store.begin_restore): the run sends those the server lost
       before the ops of 1 and 2 (_run).
    Each step is stored as it goes: a run cut off mid-way goes on from there at the next run."""
    status = yield from _remote(connection, lambda: connection.with_retries(connection.status, cancelled=cancelled))
    after = yield Local(lambda vault: store.begin_restore(vault, status))
    if not after:  # (the audit log, too, is sent again from its start: the server may have lost part of it)
        yield Local(audit_upload.server_restored)
    while not cancelled():
        known = yield Local(lambda vault: store.known_versions(vault, after=after))
        if not known:
            yield Local(lambda vault: store.end_restore(vault, status.epoch))
            return
        held = yield from _remote(connection, lambda: connection.with_retries(lambda: connection.reconcile(known),
                                                                              cancelled=cancelled))
        outcome = yield Local(lambda vault: store.apply_reconcile(vault, held, known, epoch=status.epoch))
        summary.requeued += outcome
        after = known[-1].record_id
    raise errors.GaveUp("cancelled during reconciliation")


def _forms(connection, summary, installed_forms, install_form, cancelled, offered=None, have=None):
    """New published versions: fetched, checked (pinned signature, hash, our engine loads it), installed.
    A form that fails a check is refused and named in the summary; it never stops records from syncing.
    `offered`: the list a pull page of this run brought (signed with the page); without it, it is asked for."""
    if offered is None:
        offered = yield from _remote(connection, lambda: connection.with_retries(connection.forms,
                                                                                  cancelled=cancelled))
    if have is None:
        have = yield Local(installed_forms)
    for form in offered.forms:
        if (form.form_id, form.version) in have or cancelled():
            continue
        name = f"{form.form_id} {form.version}"
        published = yield from _remote(connection, lambda f=form: _or_error(
            lambda: connection.form(f.form_id, f.version)))
        if isinstance(published, Exception):
            summary.forms_refused.append(f"{name}: {published}")
            continue
        problem = yield Local(lambda vault, p=published: _or_error(lambda: install_form(vault, p)))
        if isinstance(problem, Exception):
            summary.forms_refused.append(f"{name}: {problem}")
        else:
            summary.forms_installed.append(name)


def _remote(connection: ServerConnection, fn: Callable[[], Any]) -> Generator[Step, Any, Any]:
    """A network step; if the server's keys moved on by a proven rotation meanwhile, pin the new ones. A lost
    laptop's order waiting on the server (DeviceOrdered) comes back from the step as a value and is raised here, in
    the run, which asks for the order and obeys it (a step's own exception would end the run in either driver)."""
    result = yield Remote(lambda: _ordered_or(fn))
    if connection.rotated_keys is not None:
        keys, connection.rotated_keys = connection.rotated_keys, None
        yield Local(lambda vault: store.pin_rotated_keys(vault, keys))
    if isinstance(result, (_StepFailed, *_RAISED_IN_RUN)):
        raise result
    return result


# Refusals a network step hands back as a value, raised in the run: a lost laptop's order (obeyed there) and those
# that refuse this laptop for good (noted there for its status, sync_run; an unknown laptop's records then count as
# not synced). SequenceUnfillable is the run's own conclusion, raised in it.
_REFUSALS = {errors.DeviceRevoked: "revoked", errors.DeviceCloned: "cloned", errors.DeviceUnknown: "unknown",
             errors.ServerKeyChanged: "key_changed", errors.SequenceUnfillable: "sequence_unfillable"}
_REFUSED_FOR_GOOD = tuple(_REFUSALS)
_RAISED_IN_RUN = (errors.DeviceOrdered, *_REFUSED_FOR_GOOD)


def _refusal_reason(refusal: BaseException) -> str:
    return next(reason for kind, reason in _REFUSALS.items() if isinstance(refusal, kind))


class _StepFailed(Exception):
    """A network step's own error (unreachable, refused, a damaged answer), handed back by the step and raised in the
    run: a step's exception would end the run in its driver, before it could record what it did (sync_run, which
    raises `error` itself again). Not a SyncError: no handler in the run takes it for an error it expects there."""

    def __init__(self, error: errors.SyncError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


def _ordered_or(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except _RAISED_IN_RUN as exc:
        return exc
    except errors.SyncError as exc:
        return _StepFailed(exc)


def _refused_or(fn: Callable[[], Any]) -> Any:
    """A refusal as a value (a step's exception ends the run; a refused file must not). A lost laptop's order too,
    which _remote then raises in the run."""
    try:
        return fn()
    except errors.ServerRefused as exc:
        return exc


def _both(connection: ServerConnection, remote: Callable[[], Any], local: Callable[[Any], Any],
          counted: Callable[[Any], None]) -> Generator[Step, Any, tuple[Any, Any]]:
    """A network step and a vault step at once; then, as after every network step, follow a proven key rotation.
    `counted` takes what the vault half did, once, whether or not the network half failed (a stopped run records what
    it did: sync_run), before that failure is raised."""
    result = yield Both(lambda: _ordered_or(remote), local)
    if connection.rotated_keys is not None:
        keys, connection.rotated_keys = connection.rotated_keys, None
        yield Local(lambda vault: store.pin_rotated_keys(vault, keys))
    counted(result[1])
    if isinstance(result[0], (_StepFailed, *_RAISED_IN_RUN)):
        raise result[0]  # (the vault half ran: a frozen batch or a stored page is what an interrupted run leaves)
    return result


def _or_error(fn: Callable[[], Any], kinds: type[Exception] | tuple[type[Exception], ...] = (
        errors.SyncError, ValueError)) -> Any:
    """The result, or the error of one of `kinds` (default: the form store's refusals and sync errors) as a value:
    a step's own exception would end the run. A lost laptop's order (DeviceOrdered) is not one of them: it stops
    the run where it came (_remote)."""
    try:
        return fn()
    except errors.DeviceOrdered:
        raise
    except kinds as exc:
        return exc


def enrol_run(*, server_url: str, code: str, ca_bundle: str | None = None, device_name: str = "Waypoint laptop",
              connect: ConnectionFactory = ServerConnection, again: bool = False,
              accept: Callable[[Any, EnrolResponse], Any] | None = None) -> Generator[Step, Any, dict]:
    """Register a new device key with a one-time code and pin the server's keys. `again`: replace this laptop's
    enrolment, keeping its records and its unsent changes (store.save_enrolment). `accept(vault, answer)` may refuse
    the server's answer (it names the code's centre) by raising: then nothing of it is kept, nothing is pulled."""
    connection = connect(server_url, ca_bundle=ca_bundle)  # refuses plain http to another host, before any I/O
    try:
        if not again:
            yield Local(store.ensure_not_enrolled)
        key = SigningKey.generate()
        answer = yield Remote(lambda: connection.enrol(code=code.strip(), device_key=key, device_name=device_name))
        if accept is not None:
            yield Local(lambda vault: accept(vault, answer))
        yield Local(lambda vault: store.save_enrolment(vault, server_url=connection.server_url, ca_bundle=ca_bundle,
                                                       device_key=key, answer=answer, again=again))
        if again:  # a new identity: the server holds none of this laptop's audit log under it yet
            yield Local(audit_upload.server_restored)
    finally:
        connection.close()
    return {"device_id": answer.device_id, "centre": answer.centre_name, "server": connection.server_url,
            "server_key_id": answer.server_keys.signing_key_id}


def run_inline(steps: Generator[Step, Any, Any], *, vault: Any) -> Any:
    """Drive a run on this thread: local steps get the vault, remote steps run as they are; the remote half of a
    `Both` step runs on a helper thread while the local half runs here."""
    value: Any = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-remote") as pool:
        while True:
            try:
                step = steps.send(value)
            except StopIteration as stop:
                return stop.value
            try:
                if isinstance(step, Both):
                    remote = pool.submit(step.remote)
                    try:
                        local = step.local(vault)
                    finally:
                        answer = remote.result() if remote.exception() is None else None
                        error = remote.exception()
                    if error is not None:
                        raise error
                    value = (answer, local)
                else:
                    value = step.fn(vault) if isinstance(step, Local) else step.fn()
            except BaseException:
                steps.close()
                raise
