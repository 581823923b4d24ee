"""The side-by-side conformance suite: every corpus form, the same scripted answers, our engine and ODK's.

    .venv/bin/python -m tests.conformance.suite [--size ci|full] [--details] [NAME...]

Prints how many forms and answers agreed, then every difference with the known_differences.toml entry
that explains it (or UNLISTED). tests/conformance/test_conformance.py runs the same at CI size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.conformance.compare import Difference, FormResult, classify, compare, load_known
from tests.conformance.oracle import node_binary, run_oracle
from tests.conformance.scripts import Script, generate
from tests.corpus import CORPUS
from waypoint_core.xform import FormDefinition, FormError, XLSFormError
from waypoint_core.xlsform import XLSFORM_SUFFIXES, convert_xlsform

# answers per form: CI keeps the run to a few minutes on 2 cores; "full" walks every form to the end
SIZES = {"ci": 40, "full": 100_000}
_FORM_SUFFIXES = (".xml", ".xlsx", ".xls")


@dataclass
class CorpusForm:
    name: str
    source: Path  # the XForm or XLSForm
    media: Path | None  # its attachments' folder


def corpus_forms() -> list[CorpusForm]:
    """Every form of ../shared/corpus: xforms/, xlsforms/ and features/ (a folder is a form with media)."""
    if CORPUS is None:
        return []
    out = [CorpusForm(p.name, p, None) for p in sorted(CORPUS.glob("xforms/*.xml"))]
    out += [CorpusForm(p.name, p, None) for p in sorted(CORPUS.glob("xlsforms/*.xls*"))]
    for path in sorted((CORPUS / "features").iterdir()):
        if path.is_dir():
            out += [CorpusForm(p.name, p, path) for p in sorted(path.iterdir()) if p.suffix in _FORM_SUFFIXES]
        elif path.suffix in _FORM_SUFFIXES:
            out.append(CorpusForm(path.name, path, None))
    return out


@dataclass
class Prepared:
    form: CorpusForm
    xml_path: Path
    script: Script | None
    error: str | None  # our engine could not load it


def prepare(form: CorpusForm, workdir: Path, max_answers: int) -> Prepared:
    """The form as XForm XML on disk (XLSForms through pyxform) and our engine's script for it."""
    try:
        if form.source.suffix in XLSFORM_SUFFIXES:
            xml = convert_xlsform(form.source).xform
            xml_path = workdir / (form.source.stem + ".xml")
            xml_path.write_text(xml, encoding="utf-8")
        else:
            xml_path = form.source
            xml = xml_path.read_bytes()
    except XLSFormError as exc:
        return Prepared(form, form.source, None, f"pyxform: {exc}")
    try:
        definition = FormDefinition.from_xml(xml, media_dir=form.media)
        return Prepared(form, xml_path, generate(definition, form.name, max_answers=max_answers), None)
    except FormError as exc:
        return Prepared(form, xml_path, None, str(exc))


def run(forms: list[CorpusForm], *, size: str = "ci", node: str) -> list[FormResult]:
    max_answers = SIZES[size]
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        prepared = [prepare(form, Path(tmp), max_answers) for form in forms]
        jobs = [{"id": p.form.name, "form": str(p.xml_path), "media": str(p.form.media) if p.form.media else None,
                 "ops": p.script.ops() if p.script is not None else [["dump", "0"]]}
                for p in prepared if p.xml_path.suffix == ".xml"]
        # two Node processes (the machine has 2 cores); the big forms are spread between them
        halves = [jobs[0::2], jobs[1::2]]
        with ThreadPoolExecutor(max_workers=2) as pool:
            outputs = list(pool.map(lambda part: run_oracle(part, node=node) if part else {}, halves))
    oracle = {**outputs[0], **outputs[1]}
    results = []
    for p in prepared:
        if p.script is None:
            result = FormResult(p.form.name)
            theirs = oracle.get(p.form.name)
            loads = "loads" if theirs is not None and theirs.error is None else f"fails too: {theirs and theirs.error}"
            result.differences.append(Difference(p.form.name, "", "load", 0, "", p.error, loads))
            results.append(result)
        else:
            results.append(compare(p.script, oracle[p.form.name]))
    return results


def figures(results: list[FormResult]) -> dict:
    known = load_known()
    listed, unlisted = classify(results, known)
    loaded = [r for r in results if not any(d.prop == "load" and d.step == 0 for d in r.differences)]
    return {
        "forms": len(results),
        "forms_compared": len(loaded),
        "forms_agreeing": sum(1 for r in results if not r.differences),
        "answers": sum(r.answers for r in loaded),
        "states_compared": sum(r.steps for r in loaded),
        "states_agreed": sum(r.agreed for r in loaded),
        "differences": len(listed) + len(unlisted),
        "listed_oracle": sum(1 for _, k in listed if k.who == "oracle"),
        "listed_waypoint": sum(1 for _, k in listed if k.who == "waypoint"),
        "unlisted": unlisted,
        "listed": listed,
        "stale": [k for k in known if k.matched == 0],
    }


def summary_lines(fig: dict) -> list[str]:
    return [
        f"conformance with ODK's engine: {fig['forms']} forms ({fig['forms_compared']} loaded by both), "
        f"{fig['answers']} scripted answers; {fig['states_agreed']}/{fig['states_compared']} states agreed "
        f"node for node; {fig['forms_agreeing']} forms agree throughout",
        f"differences: {fig['differences']} ({fig['listed_oracle']} where ODK's JS engine departs from JavaRosa, "
        f"{fig['listed_waypoint']} ours, listed; {len(fig['unlisted'])} unlisted)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="form file names (default: every corpus form)")
    parser.add_argument("--size", choices=sorted(SIZES), default="ci")
    parser.add_argument("--details", action="store_true", help="print every listed difference too")
    args = parser.parse_args(argv)
    node = node_binary()
    if node is None:
        print("no Node.js 20.19+ (./dev test installs one)", file=sys.stderr)
        return 2
    forms = [f for f in corpus_forms() if not args.names or f.name in args.names]
    start = time.perf_counter()
    results = run(forms, size=args.size, node=node)
    fig = figures(results)
    for result in results:
        print(f"{result.form:55} answers {result.answers:5}  agreed {result.agreed:5}/{result.steps:<5} "
              f"differences {len(result.differences)}")
    for diff in fig["unlisted"]:
        print("UNLISTED", diff)
    if args.details:
        for diff, entry in fig["listed"]:
            print(f"listed ({entry.who}: {entry.why[:60]})", diff)
    for entry in fig["stale"]:
        print(f"no longer seen: {entry.form} {entry.path} {entry.prop} ({entry.why[:60]})")
    for line in summary_lines(fig):
        print(line)
    print(f"({time.perf_counter() - start:.0f} s)")
    return 1 if fig["unlisted"] else 0


if __name__ == "__main__":
    sys.exit(main())
