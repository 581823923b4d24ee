"""A coordinator's laptop asks the real server on loopback (SQLite and PostgreSQL) for the indicators of its centre,
its region or another centre of it (desktop_app/sync/transport.py `indicators`, services/server_reports.py), and
`waypoint report --scope region` writes them: the figures are those of the server's own computation (`waypoint-server
admin indicators`), every answer and refusal signed for its request. Field staff are refused on the laptop before
anything is sent; a scope beyond the region, an unknown one, a laptop never enrolled and a server that is down each
give their own error."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from indicator_region import PERIOD, REGION, build_region, server_answer, shown, shown_on_device
from server_harness import free_port

from desktop_app.cli import main
from desktop_app.services import server_reports
from desktop_app.sync import errors
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault import audit as log
from tests.access.team import COORD, FIELD, PASSPHRASES, make_team, shipped_xforms, signed_in

START, END = date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1])


@pytest.fixture(scope="module")
def region(server, server_admin, tmp_path_factory):
    return build_region(server, server_admin, tmp_path_factory.mktemp("coordinator") / "team", shipped_xforms())


def ask(folder, asked: str, *, user: str = COORD, connect=ServerConnection):
    with signed_in(folder, user) as vault:
        connection, _ = server_reports.open_server_reports(vault, connect=connect)
    try:
        return server_reports.compute_on_server(connection, start=START, end=END, asked=asked)
    finally:
        connection.close()


def test_the_region_s_figures_are_the_server_s_own(region, server_admin):
    done = ask(region.team, server_reports.OWN_REGION)
    assert done.computed_by == "server" and done.report.scope == f"region:{REGION}"
    assert shown_on_device(done.report) == shown(server_answer(server_admin, f"region:{REGION}"))
    figures = shown_on_device(done.report)["3.2"]
    assert figures[0] == "25" and figures[1]["centre"] == ({"ne_agadez": "15", "ne_arlit": "10"}, "25")
    assert done.report.rounding == 5 and "Computed by the server" in done.report.notes()[-1]

    own = ask(region.team, server_reports.OWN_CENTRE)  # this centre: every laptop's records of Agadez
    assert own.report.scope == "centre:Agadez" and shown_on_device(own.report)["3.2"][0] == "15"
    arlit = ask(region.team, f"centre:{region.centre_ids['Arlit']}")
    assert arlit.report.scope == "centre:Arlit"
    assert shown_on_device(arlit.report) == shown(server_answer(server_admin, "centre:Arlit"))


def test_the_chooser_lists_this_centre_the_region_and_its_other_centre(region):
    with signed_in(region.team, COORD) as vault:
        connection, by = server_reports.open_server_reports(vault)
        assert by == COORD
        entries = log.entries(vault, log.Filter(event_prefix="indicators.server"))  # newest first
    try:
        listed = server_reports.scopes_of(connection)
    finally:
        connection.close()
    assert [(s.asked, s.name) for s in listed] == [
        (server_reports.OWN_CENTRE, "Agadez"), (server_reports.OWN_REGION, REGION),
        (f"centre:{region.centre_ids['Arlit']}", "Arlit")]
    assert entries and entries[0].outcome == "allowed" and entries[0].actor == COORD


def test_beyond_the_region_unknown_and_all_are_refused_each_in_its_own_words(region):
    with pytest.raises(errors.OutsideScope, match="view registrations up to region"):
        ask(region.team, f"centre:{region.centre_ids['Dirkou']}")
    with pytest.raises(errors.UnknownScope):
        ask(region.team, "region:Nowhere")
    with pytest.raises(server_reports.AccessDenied, match="no role views every centre"):
        ask(region.team, "all")


def test_field_staff_are_refused_on_the_laptop_and_the_refusal_is_recorded(region):
    with pytest.raises(server_reports.AccessDenied, match="coordinators"):
        ask(region.team, server_reports.OWN_REGION, user=FIELD)
    with signed_in(region.team, COORD) as vault:
        refused = log.entries(vault, log.Filter(event_prefix="indicators.server", outcome="refused"))
    assert refused and refused[0].actor == FIELD


def test_a_laptop_never_enrolled_and_a_server_that_is_down(region, tmp_path):
    alone = make_team(tmp_path / "alone", shipped_xforms())
    with pytest.raises(errors.NotEnrolled):
        ask(alone, server_reports.OWN_REGION)
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(errors.ServerUnreachable):
        ask(region.team, server_reports.OWN_REGION, connect=lambda url, **kw: ServerConnection(down, **kw))


def test_an_answer_for_another_request_is_not_believed(region):
    """The refusal and the answer are signed over the request: the same bytes offered for another query fail."""
    with signed_in(region.team, COORD) as vault:
        connection, _ = server_reports.open_server_reports(vault)
    try:
        answer_for, binding = connection._send("GET", "/v2/indicators?from=2026-01-01&to=2026-06-30", signed=True)
        _, other = connection._send("GET", "/v2/indicators?from=2026-01-01&to=2026-03-31", signed=True)
        with pytest.raises(errors.BadServerAnswer):
            connection._verified(answer_for, other)
        connection._verified(answer_for, binding)
    finally:
        connection.close()


def test_waypoint_report_asks_the_server_for_a_region(region, server_admin, tmp_path, capsys):
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASES[COORD])
    who = ["--vault", str(region.team), "--user", COORD, "--passphrase-file", str(secret)]
    out = tmp_path / "region.csv"
    assert main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--scope", "region", "--out", str(out), *who]) == 0
    said = capsys.readouterr()
    expected = shown(server_answer(server_admin, f"region:{REGION}"))
    assert f"3.2\t{expected['3.2'][0]}\t" in said.out
    assert f"(scope region:{REGION}, computed by the server)" in said.err
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert [r[5] for r in rows if r[:1] == ["3.2"] and r[2:4] == ["centre", "ne_arlit"]] == ["10"]
    notes = [r[1] for r in rows if r[:1] == ["note"]]
    assert f"scope region:{REGION}" in notes[0] and any("Computed by the server" in n for n in notes)

    named = tmp_path / "named.xlsx"
    assert main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--scope", f"region:{REGION}",
                 "--out", str(named), *who]) == 0 and named.stat().st_size > 0
    arlit = tmp_path / "arlit.pdf"
    assert main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--on-server", "--scope", "centre:Arlit",
                 "--out", str(arlit), *who]) == 0 and arlit.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    refused = tmp_path / "dirkou.csv"
    assert main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--on-server", "--scope", "centre:Dirkou",
                 "--out", str(refused), *who]) == 2
    assert "outside what this laptop's people may view" in capsys.readouterr().err and not refused.exists()
    # this laptop's own records, as ever: no server involved
    local = tmp_path / "local.csv"
    assert main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--out", str(local), *who]) == 0
    assert "Computed on this laptop" in local.read_text(encoding="utf-8")

    field = tmp_path / "field.pass"
    field.write_text(PASSPHRASES[FIELD])
    as_field = ["--vault", str(region.team), "--user", FIELD, "--passphrase-file", str(field)]
    assert main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--scope", "region", "--out", str(out),
                 *as_field]) == 2
    assert "coordinators" in capsys.readouterr().err
