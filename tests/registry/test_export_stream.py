"""Streaming exports: the WPX2 sealed stream (segments that cannot be cut, reordered or read without the
passphrase), the XLSX written row by row, and record-level exports with progress that can be cancelled."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from desktop_app.services import record_export, records
from tests.access.team import COORD, FIELD, MIGRANT, PERSON, instance, signed_in
from waypoint_core.registry import sealed_file, xlsx_stream
from waypoint_core.registry.sealed_file import SEGMENT, SealedFileError, SealedWriter, open_sealed_to

SECRET = "export passphrase of a dozen words"


def _sealed(data: bytes) -> bytes:
    out = io.BytesIO()
    with SealedWriter(out, SECRET, name="inner.csv") as writer:
        for start in range(0, len(data), 10_000):  # written in pieces, as an export writes rows
            writer.write(data[start:start + 10_000])
    return out.getvalue()


def _open(blob: bytes, passphrase: str = SECRET) -> tuple[str, bytes]:
    target = io.BytesIO()
    name = open_sealed_to(io.BufferedReader(io.BytesIO(blob)), target, passphrase)
    return name, target.getvalue()


def test_a_stream_of_several_segments_opens_whole_and_holds_no_plain_byte():
    data = b"".join(b"Testperson,Synthetic,%d\n" % n for n in range(10_000))  # about 4 segments
    assert len(data) > 3 * SEGMENT
    blob = _sealed(data)
    assert b"Testperson" not in blob and blob.startswith(b"WPX2 ")
    assert _open(blob) == ("inner.csv", data)
    assert sealed_file.open_sealed(blob, SECRET) == ("inner.csv", data)
    assert _open(_sealed(b"")) == ("inner.csv", b"")  # an empty file is one sealed last segment


def test_wrong_passphrase_cut_short_reordered_or_flipped_files_do_not_open():
    data = bytes(range(256)) * 1000  # 256,000 bytes: 4 segments
    blob = _sealed(data)
    header_end = blob.index(b"\n") + 1
    with pytest.raises(SealedFileError):
        _open(blob, "another passphrase of some length")
    # cut after a whole segment: the segment read last was not sealed as the last one
    first_size = int.from_bytes(blob[header_end:header_end + 4], "big")
    with pytest.raises(SealedFileError):
        _open(blob[:header_end + 4 + first_size])
    with pytest.raises(SealedFileError):
        _open(blob[:-1])
    second = header_end + 4 + first_size
    second_size = int.from_bytes(blob[second:second + 4], "big")
    swapped = (blob[:header_end] + blob[second:second + 4 + second_size] + blob[header_end:second]
               + blob[second + 4 + second_size:])
    with pytest.raises(SealedFileError):
        _open(swapped)
    flipped = bytearray(blob)
    flipped[-5] ^= 1
    with pytest.raises(SealedFileError):
        _open(bytes(flipped))


def test_older_wpx1_files_still_open():
    blob = sealed_file.seal(b"a,b\n1,2\n", SECRET, name="old.csv")
    assert _open(blob) == ("old.csv", b"a,b\n1,2\n")


def test_a_failed_write_leaves_a_file_that_does_not_open():
    out = io.BytesIO()
    with pytest.raises(RuntimeError), SealedWriter(out, SECRET, name="x.csv") as writer:
        writer.write(b"x" * (SEGMENT + 10))
        raise RuntimeError("the export stopped")
    with pytest.raises(SealedFileError):
        _open(out.getvalue())


def test_streamed_xlsx_reads_back_as_text_cells():
    rows = [["record_id", "given_name", "age"], ["r1", "Aïcha <&> \"N'Diaye\"", "007"], ["r2", "عائشة\x01", ""],
            ["r3"] + [str(n) for n in range(30)]]
    out = io.BytesIO()
    assert xlsx_stream.write_xlsx(out, iter(rows), sheet="records") == 4
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert book.sheetnames == ["records"]
    read = [list(r) for r in book["records"].iter_rows(values_only=True)]
    assert read[0][:3] == ["record_id", "given_name", "age"]
    assert read[1][:3] == ["r1", "Aïcha <&> \"N'Diaye\"", "007"]  # text stays text: 007 is not 7
    assert read[2][:2] == ["r2", "عائشة"]  # a control character XML cannot hold is dropped
    assert read[3][30] == "29"
    book.close()
    assert [xlsx_stream.column_name(n) for n in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


# --- record-level exports on the device ---------------------------------------------------------------------------



def _register(team, xforms, count: int) -> list[str]:
    version = records.form_definition(xforms["migrant_registration"]).version
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, count + 1)]
    with signed_in(team, FIELD) as vault:
        for record_id in ids:
            records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=record_id,
                             content=instance(xforms["migrant_registration"], PERSON, record_id))
    return ids


def test_xlsx_export_streams_with_progress_and_opens_with_hxl(team, xforms, tmp_path, monkeypatch):
    ids = _register(team, xforms, 3)
    monkeypatch.setattr(record_export, "PAGE", 2)  # three records, pages of two: progress twice
    seen: list[tuple[int, int]] = []
    with signed_in(team, COORD) as vault:
        done = record_export.export_form(vault, form_id=MIGRANT, out=tmp_path / "people.xlsx", passphrase=SECRET,
                                         hxl=True, progress=lambda n, total: seen.append((n, total)))
    assert seen == [(2, 3), (3, 3)] and done.records == 3
    assert done.path == tmp_path / "people.xlsx.wpx" and not list(tmp_path.glob("*.partial"))
    opened = tmp_path / "opened"
    opened.mkdir()
    target = record_export.open_export(done.path, SECRET, out_dir=opened)
    assert target == opened / "people.xlsx"
    book = load_workbook(target, read_only=True)
    rows = [list(r) for r in book["records"].iter_rows(values_only=True)]
    book.close()
    header, hxl = rows[0], rows[1]
    assert hxl[header.index("given_name")] == "#beneficiary+name+given"
    assert [r[0] for r in rows[2:]] == ids and rows[2][header.index("given_name")] == "Testperson"
    with pytest.raises(SealedFileError):
        record_export.open_export(done.path, "not the passphrase at all", out_dir=opened)
    assert sorted(p.name for p in opened.iterdir()) == ["people.xlsx"]  # a failed opening leaves nothing


def test_a_cancelled_export_leaves_no_file(team, xforms, tmp_path, monkeypatch):
    _register(team, xforms, 3)
    monkeypatch.setattr(record_export, "PAGE", 1)
    pages: list[int] = []
    with signed_in(team, COORD) as vault, pytest.raises(record_export.ExportCancelled):
        record_export.export_form(vault, form_id=MIGRANT, out=tmp_path / "people.csv", passphrase=SECRET,
                                  progress=lambda n, _total: pages.append(n), cancelled=lambda: len(pages) >= 2)
    assert pages == [1, 2] and list(tmp_path.iterdir()) == []


def test_csv_export_rows_come_out_in_order(team, xforms, tmp_path):
    ids = _register(team, xforms, 2)
    with signed_in(team, COORD) as vault:
        done = record_export.export_form(vault, form_id=MIGRANT, out=tmp_path / "p.csv", passphrase=SECRET)
    _name, data = sealed_file.open_sealed(done.path.read_bytes(), SECRET)
    rows = list(csv.reader(data.decode("utf-8").splitlines()))
    assert [r[0] for r in rows[1:]] == ids and rows[0][:3] == ["record_id", "created_at", "created_by"]
