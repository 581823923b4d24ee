"""FormDefinition: an XForm XML parsed once into what every session of it shares.

The primary instance template, secondary instances (inline, or external CSV/XML files from a
media folder), itext translations, binds with compiled expressions, the body's controls, setvalue
actions and the dependency graph (graph.py). Anything the engine does not apply is listed in
`unsupported`, never dropped silently.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from waypoint_core.xform.heap import gc_paused
from waypoint_core.xform.audit import AuditConfig
from waypoint_core.xform.body import Control, parse_body
from waypoint_core.xform.entities import ENTITIES_NS, EntitySpec, entity_spec
from waypoint_core.xform.errors import FormError, XPathEvalError, XPathSyntaxError
from waypoint_core.xform.external import ITEMSETS_FILE, Table, read_table
from waypoint_core.xform.geojson import geojson_items
from waypoint_core.xform.graph import build_graph
from waypoint_core.xform.media import csv_rows
from waypoint_core.xform.nodes import Node, document, from_element, parse_xml, split_tag, unlink
from waypoint_core.xform.text import Text, parse_itext
from waypoint_core.xform.values import cast_default
from waypoint_core.xform.xpath_eval import Expr, compile_xpath
from waypoint_core.xform.xpath_refs import absolute_path

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
JR = "{http://openrosa.org/javarosa}"
ODK = "{http://www.opendatakit.org/xforms}"
# Waypoint's own bind annotations (XLSForm `bind::wp:extract`, `bind::wp:consent`...) are read by
# the records layer, not by the engine: kept in Bind.extra, never reported as unsupported.
WAYPOINT = "{urn:waypoint:xforms}"

_KNOWN_BIND_ATTRS = {
    "nodeset", "type", "relevant", "required", "constraint", "calculate", "readonly", "id",
    f"{JR}constraintMsg", f"{JR}requiredMsg", f"{JR}preload", f"{JR}preloadParams",
    # display hints with no logic: kept for the renderer, nothing to evaluate
    "{http://openrosa.org/xforms}max-pixels", f"{ODK}length", f"{JR}noAddRemove", "saveIncomplete",
    # the message Collect shows when a launch-app question's app is missing (the answer is then typed)
    f"{JR}noAppErrorString",
}
_PRELOADS = {("timestamp", "start"), ("timestamp", "end"), ("date", "today"),
             ("property", "deviceid"), ("property", "username"), ("property", "email"),
             ("property", "phonenumber"), ("property", "subscriberid"), ("property", "simserial"),
             ("property", "uri:deviceid"), ("property", "uri:username"), ("property", "uri:email"),
             ("property", "uri:phonenumber"), ("property", "uri:subscriberid"), ("property", "uri:simserial")}
_AUDIT_ATTRS = {f"{ODK}{name}" for name in ("track-changes", "identify-user", "track-changes-reasons",
                                             "location-priority", "location-min-interval", "location-max-age")}
XSD_TYPES = {"string", "int", "integer", "decimal", "date", "time", "dateTime", "select1", "select", "geopoint",
             "geotrace", "geoshape", "barcode", "binary", "boolean", "odk:rank", "rank", "intent", "long", "short"}


@dataclass
class Bind:
    """What the model says about one nodeset (a question, group or repeat, by generic path)."""

    path: str
    type: str = "string"
    relevant: Expr | None = None
    required: Expr | None = None
    constraint: Expr | None = None
    calculate: Expr | None = None
    readonly: Expr | None = None
    required_msg: Text | None = None
    constraint_msg: Text | None = None
    preload: str | None = None
    preload_params: str | None = None
    id: str | None = None
    no_app_message: str | None = None  # jr:noAppErrorString of a launch-app question
    max_pixels: int | None = None  # orx:max-pixels: an image's longest side, as Collect scales it down
    extra: dict[str, str] = field(default_factory=dict)  # app annotations: {"wp:extract": "search"}


@dataclass
class SetValue:
    """A setvalue action: set `ref` to `value` (an expression, or literal text) on `event`."""

    event: str
    ref: str
    value: Expr | None
    literal: str = ""
    trigger_ref: str | None = None  # the control whose value change fires it (xforms-value-changed)


@dataclass
class FormDefinition:
    """A parsed XForm, reusable by any number of FormSession objects (never mutated by them)."""

    title: str
    form_id: str
    version: str
    template: Node  # primary instance root element (with repeat prototypes), generic paths set
    instances: dict[str, Node]  # secondary instance id -> document node
    binds: dict[str, Bind]
    body: list[Control]
    controls: dict[str, Control]  # generic path -> control
    repeats: dict[str, Control]  # generic path -> repeat control
    translations: dict[str, dict[str, dict]]
    default_language: str | None
    setvalues: list[SetValue]
    unsupported: list[str] = field(default_factory=list)
    # what the form asks that ODK Collect ignores too (a bind to no node...): run exactly as Collect, but said
    warnings: list[str] = field(default_factory=list)
    audit: AuditConfig | None = None  # what the form's audit question asks to record (audit.py)
    root_attrs: dict[str, str] = field(default_factory=dict)
    root_ns: str | None = None
    public_key: str | None = None
    graph: object = None
    bind_count: int = 0  # <bind> elements, as other engines count them
    # CSV attachments read by search() and external selects, by lower-case file name (external.py)
    files: dict[str, bytes] = field(default_factory=dict)
    # element path -> the attributes binds or setvalues compute there (meta/entity/@id: nodes.BoundAttribute)
    attribute_binds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    entities: EntitySpec | None = None  # the entities the form creates or updates (entities.py)
    # secondary instances that are entity lists (an installed follow-up form's trees.csv): FormSession fills them
    entity_lists: tuple[str, ...] = ()
    _tables: dict[str, Table] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> Table | None:
        """A CSV attachment of search() or an external select, parsed once; None if the form lacks it."""
        key = name.lower()
        if key not in self._tables:
            data = self.files.get(key)
            if data is None:
                return None
            self._tables[key] = read_table(data, name)
        return self._tables[key]

    def close(self) -> None:
        """Done with this form once no session uses it: its template and secondary instances are unlinked,
        as FormSession.close does with a record's, so reference counting frees them."""
        for doc in (self.template, *self.instances.values()):
            unlink(doc)

    @property
    def languages(self) -> list[str]:
        return list(self.translations)

    def language_for(self, ui_language: str) -> str | None:
        """The form language matching an interface language ("fr" → "Français (fr)"), else the form's default."""
        for name in self.languages:
            if f"({ui_language})" in name.lower():
                return name
        return self.default_language

    def question_labels(self, language: str | None) -> dict[str, str]:
        """Each question's and group's label in `language` by its path below the root ("person/given_name"),
        without the parts a form computes (outputs); those with no fixed label are left out."""
        labels: dict[str, str] = {}

        def static(text) -> str:
            if text.itext_id is None:
                return "".join(p for p in text.parts if isinstance(p, str)).strip()
            forms = self.translations.get(language or "", {}).get(text.itext_id)
            if forms is None:
                forms = next((t[text.itext_id] for t in self.translations.values() if text.itext_id in t), {})
            parts = forms.get(None) or forms.get("long") or forms.get("short") or []
            return "".join(p for p in parts if isinstance(p, str)).strip()

        def walk(controls) -> None:
            for control in controls:
                if control.ref and control.label is not None:
                    label = static(control.label)
                    if label:
                        labels["/".join(control.ref.strip("/").split("/")[1:])] = label
                walk(control.children)

        walk(self.body)
        return labels

    @classmethod
    def from_xml(cls, text: str | bytes, *, media_dir: str | Path | None = None) -> FormDefinition:
        """Parse an XForm. Raises FormError (naming question and expression) if it cannot run."""
        with gc_paused():
            # the parsed XML tree dies inside _load, before the collector is resumed, so the
            # collection that follows does not have to walk it
            return _load(text, Path(media_dir) if media_dir else None)


def _load(text: str | bytes, media_dir: Path | None) -> FormDefinition:
    try:
        html = parse_xml(text, "the form")
    except ValueError as exc:
        raise FormError(str(exc)) from exc
    return _Loader(html, media_dir).load()


class _Loader:
    def __init__(self, html: ET.Element, media_dir: Path | None):
        self.html = html
        self.media_dir = media_dir
        self.unsupported: list[str] = []
        self.warnings: list[str] = []
        self.audit: AuditConfig | None = None
        self.entity_lists: list[str] = []

    def load(self) -> FormDefinition:
        html = self.html
        head = html.find(f"{H}head")
        model = head.find(f"{XF}model") if head is not None else None
        if model is None:
            raise FormError("no <model> in the form's <head>: is this an XForm?")
        title_el = head.find(f"{H}title")
        instances = model.findall(f"{XF}instance")
        if not instances or not len(instances[0]):
            raise FormError("the model has no primary instance")
        primary = [c for c in instances[0] if isinstance(c.tag, str)][0]
        template = from_element(primary)
        _strip_values(template)
        _set_gpaths(template, "")
        # relative refs of binds and top-level controls start at the primary instance's root, as in
        # JavaRosa (XFormParser.getFormElementRef of the FormDef: rootRef + the main instance node)
        self.root_path = template.gpath
        translations, default_language = parse_itext(model.find(f"{XF}itext"), self._compile_output)
        binds = self._binds(model, template)
        setvalues = self._setvalues(model, None)
        body_el = html.find(f"{H}body")
        body, controls, repeats = parse_body(body_el, compile_fn=self._compile, report=self.unsupported.append,
                                             setvalue_fn=lambda el, trig: self._setvalue(el, trig),
                                             base=self.root_path)
        for control in controls.values():
            setvalues.extend(control.setvalues)
            app = control.launch_app
            if app:
                # Collect's external-app widgets (ExStringWidget...) let the answer be typed when the app
                # is not there, as on every laptop: the same, said
                self.warnings.append(f"{control.ref}: ODK Collect fills this with the app {app}; in Waypoint "
                                     "the answer is typed, as Collect lets it be when the app is missing")
        for repeat_path in repeats:
            _mark_repeat_templates(template, repeat_path)
        _cast_defaults(template, binds, controls)
        secondary = {}
        for inst in instances[1:]:
            inst_id = inst.get("id")
            if not inst_id:
                self.unsupported.append("a secondary <instance> without an id is ignored")
                continue
            secondary[inst_id] = self._secondary(inst_id, inst)
        for el in model:
            tag = el.tag if isinstance(el.tag, str) else ""
            name, ns = split_tag(tag)
            if name in ("setgeopoint", "recordaudio"):
                what = "location capture" if name == "setgeopoint" else "audio recording"
                self.unsupported.append(f"odk:{name} on {el.get('ref')} is not applied (no {what})")
        files = self._attachments(model, controls)
        attribute_binds: dict[str, list[str]] = {}
        for path in [*binds, *(sv.ref for sv in setvalues)]:
            element, at, attr = path.rpartition("/@")
            if at and attr not in attribute_binds.setdefault(element, []):
                attribute_binds[element].append(attr)
        try:
            entities = entity_spec(dict(model.attrib), primary,
                                   {p: b.extra["entities:saveto"] for p, b in binds.items() if "entities:saveto" in b.extra})
        except FormError as exc:
            self.unsupported.append(str(exc))
            entities = None
        if entities is not None and not entities.local:
            self.warnings.append(f"the form's entities (entities-version {entities.version}) are made by ODK Central "
                                 "from submissions, not on the device, as in Collect: Waypoint makes none either")
        definition = FormDefinition(
            title=(title_el.text or "").strip() if title_el is not None else "",
            form_id=template.attrs.get("id", template.name),
            version=template.attrs.get("version", ""),
            template=template, instances=secondary, binds=binds, body=body, controls=controls,
            repeats=repeats, translations=translations, default_language=default_language,
            setvalues=setvalues, unsupported=self.unsupported, warnings=self.warnings, audit=self.audit,
            root_attrs=dict(primary.attrib),
            root_ns=template.ns, files=files,
            attribute_binds={k: tuple(v) for k, v in attribute_binds.items()}, entities=entities,
            entity_lists=tuple(self.entity_lists),
        )
        submission = model.find(f"{XF}submission")
        if submission is not None:
            definition.public_key = submission.get("base64RsaPublicKey")
        for attr in list(definition.root_attrs):
            if attr.startswith("{"):
                definition.root_attrs.pop(attr)
        definition.bind_count = sum(1 for _ in model.iter(f"{XF}bind"))
        definition.graph = build_graph(definition)
        return definition

    # -- expressions --
    def _compile(self, text: str | None, *, ref: str, what: str) -> Expr | None:
        if text is None or not text.strip():
            return None
        try:
            return compile_xpath(text.strip())
        except (XPathSyntaxError, XPathEvalError) as exc:
            raise type(exc)(f"{what}: {exc.reason}", ref=ref, expression=text.strip()) from exc

    def _compile_output(self, text: str, where: str) -> Expr:
        return self._compile(text, ref=where, what="label output")

    # -- model --
    def _binds(self, model: ET.Element, template: Node) -> dict[str, Bind]:
        binds: dict[str, Bind] = {}
        for el in model.iter(f"{XF}bind"):
            nodeset = el.get("nodeset")
            if not nodeset:
                self.unsupported.append(f"a <bind> without nodeset (id={el.get('id')}) is ignored")
                continue
            path = absolute_path(nodeset, self.root_path)
            if path is None:
                raise FormError("a bind nodeset must be a plain path", ref=nodeset, expression=nodeset)
            if _find_template(template, path) is None:
                # JavaRosa warns ("<bind> defined for a node that doesn't exist", FormInstanceParser
                # .verifyBindings) and the bind applies to nothing: a renamed question, mostly
                self.warnings.append(f"the bind for {path} points to no node of the form's instance and is ignored")
                continue
            bind = binds.setdefault(path, Bind(path=path))
            bind.id = el.get("id") or bind.id
            raw_type = el.get("type")
            if raw_type:
                t = raw_type.split(":", 1)[1] if raw_type.startswith(("xsd:", "xs:")) else raw_type
                if t not in XSD_TYPES:
                    self.unsupported.append(f"type {raw_type} on {path} is treated as text")
                    t = "string"
                bind.type = {"integer": "int", "long": "int", "short": "int", "odk:rank": "rank"}.get(t, t)
            for prop in ("relevant", "required", "constraint", "calculate", "readonly"):
                expr = self._compile(el.get(prop), ref=path, what=prop)
                if expr is not None:
                    setattr(bind, prop, expr)
            for attr, prop in ((f"{JR}requiredMsg", "required_msg"), (f"{JR}constraintMsg", "constraint_msg")):
                raw = el.get(attr)
                if raw:
                    setattr(bind, prop, Text.from_attribute(raw, self._compile_output, path))
            pixels = el.get("{http://openrosa.org/xforms}max-pixels")
            if pixels:
                try:
                    bind.max_pixels = int(pixels.strip())
                except ValueError:
                    raise FormError(f"max-pixels={pixels!r} is not a whole number", ref=path) from None
            if el.get(f"{JR}noAppErrorString"):
                bind.no_app_message = el.get(f"{JR}noAppErrorString")
            preload = el.get(f"{JR}preload")
            if preload:
                self._preload(bind, preload, el.get(f"{JR}preloadParams"))
            if any(attr in _AUDIT_ATTRS for attr in el.attrib):
                self._audit(path, el)
            for attr in el.attrib:
                if attr in _AUDIT_ATTRS:
                    continue
                if attr.startswith(WAYPOINT):
                    bind.extra["wp:" + attr[len(WAYPOINT):]] = el.get(attr)
                elif attr == f"{{{ENTITIES_NS}}}saveto":  # a field saved to an entity property (entities.py)
                    bind.extra["entities:saveto"] = el.get(attr) or ""
                elif attr not in _KNOWN_BIND_ATTRS:
                    self.unsupported.append(f"bind attribute {split_tag(attr)[0]}={el.get(attr)!r} on {path} "
                                            "is not applied")
        return binds

    def _audit(self, path: str, el: ET.Element) -> None:
        """The audit question's parameters (pyxform's `audit` type): the log exists (audit.py);
        track-changes and identify-user are recorded; what needs location capture or a reason
        asked when a saved form is edited is not, and is said."""
        on = {split_tag(a)[0]: (el.get(a) or "").strip() for a in el.attrib if a in _AUDIT_ATTRS}
        self.audit = AuditConfig(ref=path, track_changes=on.get("track-changes") == "true",
                                 identify_user=on.get("identify-user") == "true")
        if any(name.startswith("location-") for name in on):
            self.unsupported.append(f"the audit log of {path} records no location (location-priority...): "
                                    "Waypoint does not capture locations")
        if on.get("track-changes-reasons") == "on-form-edit":
            self.unsupported.append(f"the audit log of {path} asks no reason when a saved form is edited "
                                    "(track-changes-reasons)")

    def _preload(self, bind: Bind, preload: str, params: str | None) -> None:
        """JavaRosa's QuestionPreloader: uid (any parameters: they are not read), timestamp start and
        end, date today, property <name>. What Collect fills and we do not is unsupported; what
        Collect leaves empty too (an unknown preload, timestamp with other parameters, a property it
        does not know) is a warning."""
        if preload == "uid" or (preload, params) in _PRELOADS:
            bind.preload, bind.preload_params = preload, params
        elif preload == "date" and (params or "").startswith("prevperiod-"):
            self.unsupported.append(f"jr:preload=date params={params!r} on {bind.path} is not filled")
        else:
            self.warnings.append(f"jr:preload={preload!r} params={params!r} on {bind.path} fills nothing, "
                                 "as in ODK Collect")

    def _setvalues(self, model: ET.Element, trigger_ref: str | None) -> list[SetValue]:
        out = []
        for el in model:
            if isinstance(el.tag, str) and split_tag(el.tag)[0] == "setvalue":
                sv = self._setvalue(el, trigger_ref)
                if sv is not None:
                    out.append(sv)
        return out

    def _setvalue(self, el: ET.Element, trigger_ref: str | None) -> SetValue | None:
        ref = el.get("ref") or el.get("bind")
        events = (el.get("event") or "").split()
        path = absolute_path(ref, trigger_ref.rsplit("/", 1)[0] if trigger_ref else self.root_path) if ref else None
        if path is None:
            self.unsupported.append(f"setvalue with ref={ref!r} is not applied")
            return None
        value = self._compile(el.get("value"), ref=path, what="setvalue")
        known = {"odk-instance-first-load", "odk-new-repeat", "xforms-value-changed", "xforms-ready",
                 "odk-instance-load"}
        for ev in events:
            if ev not in known:
                self.unsupported.append(f"setvalue event {ev} on {path} is not applied")
        usable = [e for e in events if e in known]
        if not usable:
            return None
        return SetValue(event=" ".join(usable), ref=path, value=value, literal=(el.text or "").strip(),
                        trigger_ref=trigger_ref)

    def _attachments(self, model: ET.Element, controls: dict[str, Control]) -> dict[str, bytes]:
        """The CSV files search() appearances and external selects read: carried in the installed form
        (<wp:attachment>, media.embed_external_instances), else from the media folder."""
        files: dict[str, bytes] = {}
        for el in model.findall(f"{WAYPOINT}attachment"):
            try:
                files[(el.get("name") or "").lower()] = base64.b64decode(el.text or "", validate=True)
            except binascii.Error as exc:
                raise FormError(f"the attachment {el.get('name')} carried in the form is damaged") from exc
        on_disk = {p.name.lower(): p for p in self.media_dir.iterdir() if p.is_file()} \
            if self.media_dir is not None and self.media_dir.is_dir() else {}
        for path, control in controls.items():
            wanted = control.search.file_name if control.search is not None else \
                ITEMSETS_FILE if control.query is not None else None
            if wanted is None or wanted in files:
                continue
            if wanted in on_disk:
                files[wanted] = on_disk[wanted].read_bytes()
            else:
                what = f"search('{control.search.file}')" if control.search is not None else "the external select"
                self.unsupported.append(f"{what} on {path}: the file {wanted} is not given; it offers no choices")
        return files

    def _secondary(self, inst_id: str, inst: ET.Element) -> Node:
        src = inst.get("src")
        if inst.get(f"{WAYPOINT}entity-list") is not None:
            # an entity list (media.mark_entity_lists, at install): the session fills it from the vault's entities
            self.entity_lists.append(inst_id)
            return document(Node("root"))
        if not src:
            children = [c for c in inst if isinstance(c.tag, str)]
            root = from_element(children[0]) if children else Node("root")
            _strip_values(root)
            return document(root)
        name = src.rsplit("/", 1)[-1]
        if self.media_dir is None or not (self.media_dir / name).is_file():
            self.unsupported.append(f"external instance {inst_id!r} ({src}): file {name} not given; it is empty")
            return document(Node("root"))
        data = (self.media_dir / name).read_bytes()
        if src.startswith("jr://file-csv/") or name.lower().endswith(".csv"):
            return document(_csv_root(csv_rows(data, name)))
        if src.endswith("geojson"):  # as JavaRosa's GeoJsonExternalInstance.isSupported
            return document(_items_root(geojson_items(data, name)))
        try:
            root = from_element(parse_xml(data, f"external instance {inst_id!r} ({name})"))
        except ValueError as exc:
            raise FormError(str(exc)) from exc
        _strip_values(root)
        return document(root)


def _csv_root(rows: list[dict[str, str]]) -> Node:
    return _items_root([list(row.items()) for row in rows])


def _items_root(items: list[list[tuple[str, str]]]) -> Node:
    root = Node("root")
    for pairs in items:
        item = root.append(Node("item"))
        for key, value in pairs:
            item.append(Node(key)).value = value
    return root


_CAST_TYPES = {"int", "decimal", "date", "geopoint", "geotrace", "geoshape"}


def _cast_defaults(template: Node, binds: dict[str, Bind], controls: dict[str, Control]) -> None:
    """Values written in the instance are read by their question's type, as JavaRosa loads them
    (a decimal's "0" is "0.0"; a date that is not one is empty): see values.cast_default."""
    for node in template.iter():
        bind = binds.get(node.gpath)
        control = controls.get(node.gpath)
        if node.value and not node.children and bind is not None and bind.type in _CAST_TYPES and \
                (control is None or control.kind not in ("select1", "select", "rank")):
            node.value = cast_default(node.value, bind.type)


def _strip_values(node: Node) -> None:
    for n in node.iter():
        if n.children:
            n.value = ""
        else:
            n.value = n.value.strip()


def _set_gpaths(node: Node, parent_path: str) -> None:
    node.gpath = f"{parent_path}/{node.name}"
    for child in node.children:
        _set_gpaths(child, node.gpath)


def _find_template(template: Node, path: str) -> Node | None:
    """The template node at a generic path; for an attribute (…/@id), its element (the attribute is made)."""
    path = path.split("/@", 1)[0]
    names = path.strip("/").split("/")
    if not names or names[0] != template.name:
        return None
    node = template
    for name in names[1:]:
        kids = node.kids.get(name)
        if not kids:
            return None
        node = kids[0]
    return node


def _mark_repeat_templates(template: Node, repeat_path: str) -> None:
    """Flag jr:template prototypes; a repeat with none uses its first element as the prototype."""
    parent = _find_template(template, repeat_path.rsplit("/", 1)[0])
    name = repeat_path.rsplit("/", 1)[1]
    if parent is None:
        return
    for parent_node in [n for n in template.iter() if n.gpath == parent.gpath]:
        for node in parent_node.kids.get(name, []):
            if "template" in node.attrs:
                node.is_template = True
                node.attrs.pop("template")


find_template = _find_template
