"""Entities, as ODK Collect does them offline (its `entities` module, Collect's own JavaRosa extensions).

A form declares an entity in a `meta/entity` element (at the top, or inside a repeat: one per instance)
with `dataset`, `id`, `create` and `update` attributes the form computes (binds to `@create`...), a `label`
child, and `entities:saveto="property"` on the binds of the fields that become the entity's properties.
Collect reads them when a record is finalized (EntityFormFinalizationProcessor): each declaration whose
create/update is true (XPathFuncExpr.boolStr: "true" or "1") gives a FormEntity with the relevant saveto
fields of its group. The entity lists a follow-up form reads (an instance named after the dataset, e.g.
`instance('trees')` from `jr://file-csv/trees.csv`) hold per entity `name` (its id), `label`, `__version`,
`__trunkVersion`, `__branchId`, then its properties (Collect's LocalEntitiesInstanceAdapter).

This module is pure: what a form declares (`entity_spec`), what a finalized record says (`form_entities`),
and how a list of those folds into entities (`fold`), as Collect's LocalEntityUseCases applies them.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from waypoint_core.access.sealed import is_sealed
from waypoint_core.xform.errors import FormError
from waypoint_core.xform.nodes import parse_xml, split_tag
from waypoint_core.xform.xpath_refs import absolute_path

ENTITIES_NS = "http://www.opendatakit.org/xforms/entities"
SUPPORTED_VERSIONS = ("2022.1", "2023.1", "2024.1", "2025.1")  # EntityFormParseProcessor.SUPPORTED_VERSIONS
LOCAL_VERSIONS = ("2024.1", "2025.1")  # the versions whose entities Collect creates on the device
COLUMNS = ("name", "label", "__version", "__trunkVersion", "__branchId")  # EntitySchema, before the properties


@dataclass(frozen=True)
class SaveTo:
    """A field saved to an entity property: its generic path and the group holding its meta/entity."""

    path: str
    prop: str
    group: str


@dataclass(frozen=True)
class EntitySpec:
    """What a form declares about entities."""

    version: str
    datasets: tuple[str, ...]
    save_tos: tuple[SaveTo, ...]

    @property
    def local(self) -> bool:
        """Whether Collect makes these entities on the device (entities-version 2024.1 and later)."""
        return any(self.version.startswith(v) for v in LOCAL_VERSIONS)


@dataclass(frozen=True)
class FormEntity:
    """One entity a finalized record creates or updates."""

    action: str  # create | update | upsert
    dataset: str
    id: str
    label: str
    properties: tuple[tuple[str, str], ...]


@dataclass
class Entity:
    """An entity as the device holds it."""

    id: str
    label: str
    version: int
    properties: list[tuple[str, str]] = field(default_factory=list)
    trunk_version: str = ""
    branch_id: str = ""

    def row(self, names: list[str]) -> list[tuple[str, str]]:
        """The entity's item in the list a form reads: the fixed columns, then every property of the list."""
        props = dict(self.properties)
        return [("name", self.id), ("label", self.label), ("__version", str(self.version)),
                ("__trunkVersion", self.trunk_version), ("__branchId", self.branch_id)] + \
            [(name, props.get(name, "")) for name in names]


def entity_elements(root: ET.Element) -> list[ET.Element]:
    """Every meta/entity of an instance, outside repeat templates (EntityFormParser.getEntityElements)."""
    found: list[ET.Element] = []
    for child in root:
        name = split_tag(child.tag)[0] if isinstance(child.tag, str) else ""
        if name == "meta":
            entity = next((e for e in child if isinstance(e.tag, str) and split_tag(e.tag)[0] == "entity"), None)
            if entity is not None:
                found.append(entity)
        elif len(child) and not any(split_tag(k)[0] == "template" for k in child.attrib):
            found.extend(entity_elements(child))
    return found


def entity_spec(model_attrs: dict[str, str], primary: ET.Element, save_tos: dict[str, str]) -> EntitySpec | None:
    """The form's entity declarations: `model_attrs` of its <model>, its primary instance element, and the
    binds' entities:saveto values by generic path. None for a form without meta/entity. Raises FormError for
    a version Collect refuses (UnrecognizedEntityVersionException) or a missing one."""
    elements = entity_elements(primary)
    if not elements:
        return None
    version = model_attrs.get(f"{{{ENTITIES_NS}}}entities-version")
    if version is None:
        raise FormError("the form declares entities but its <model> has no entities:entities-version")
    if not any(version.startswith(v) for v in SUPPORTED_VERSIONS):
        raise FormError(f"entities-version {version} is not one ODK Collect knows ({', '.join(SUPPORTED_VERSIONS)})")
    groups = _group_paths(primary)
    out = []
    for path, prop in save_tos.items():
        group = _nearest(path.rsplit("/", 1)[0], groups)
        if group is not None:
            out.append(SaveTo(path, prop, group))
    datasets = tuple(dict.fromkeys(e.get("dataset") or "" for e in elements))
    return EntitySpec(version, datasets, tuple(out))


def _group_paths(primary: ET.Element) -> set[str]:
    """Generic paths of the elements holding a meta/entity (an entity group)."""
    out: set[str] = set()

    def walk(el: ET.Element, path: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = split_tag(child.tag)[0]
            if name == "meta" and any(isinstance(e.tag, str) and split_tag(e.tag)[0] == "entity" for e in child):
                out.add(path)
            walk(child, f"{path}/{name}")
    walk(primary, "/" + split_tag(primary.tag)[0])
    return out


def _nearest(path: str, groups: set[str]) -> str | None:
    while path:
        if path in groups:
            return path
        path = path.rsplit("/", 1)[0]
    return None


def _true(text: str | None) -> bool:
    return (text or "").strip() in ("true", "1")  # XPathFuncExpr.boolStr


def form_entities(spec: EntitySpec, instance_xml: str) -> list[FormEntity]:
    """The entities a finalized record creates or updates (EntityFormFinalizationProcessor), in document order.
    Non-relevant fields are not in a finalized record, so they set nothing, as in Collect."""
    root = parse_xml(instance_xml, "the record")
    out: list[FormEntity] = []
    for group_el, group_path, entity in _entities_with_groups(root):
        create, update = _true(entity.get("create")), _true(entity.get("update"))
        if not (create or update):
            continue
        action = "upsert" if create and update else "create" if create else "update"
        label_el = next((e for e in entity if isinstance(e.tag, str) and split_tag(e.tag)[0] == "label"), None)
        properties = []
        for save in spec.save_tos:
            if save.group != group_path:
                continue
            field_el = _find(group_el, save.path[len(group_path):].strip("/").split("/"))
            # a P3 answer is sealed in a stored record (docs/access.md): it never becomes a readable property
            if field_el is not None and not is_sealed(field_el.text):
                properties.append((save.prop, field_el.text or ""))
        label = (label_el.text or "") if label_el is not None else ""
        out.append(FormEntity(action, entity.get("dataset") or "", entity.get("id") or "",
                              "" if is_sealed(label) else label, tuple(properties)))
    return out


def _entities_with_groups(root: ET.Element) -> list[tuple[ET.Element, str, ET.Element]]:
    found: list[tuple[ET.Element, str, ET.Element]] = []

    def walk(el: ET.Element, path: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = split_tag(child.tag)[0]
            if name == "meta":
                entity = next((e for e in child if isinstance(e.tag, str) and split_tag(e.tag)[0] == "entity"), None)
                if entity is not None:
                    found.append((el, path, entity))
            elif len(child):
                walk(child, f"{path}/{name}")
    walk(root, "/" + split_tag(root.tag)[0])
    return found


def _find(el: ET.Element, names: list[str]) -> ET.Element | None:
    for name in names:
        el_next = next((c for c in el if isinstance(c.tag, str) and split_tag(c.tag)[0] == name), None)
        if el_next is None:
            return None
        el = el_next
    return el


def _is_v4_uuid(text: str) -> bool:
    """Collect's String.isV4UUID: java.util.UUID.fromString(text).version() == 4."""
    try:
        return uuid.UUID(text.strip()).version == 4
    except ValueError:
        return False


def fold(entities: dict[str, Entity], changes: list[FormEntity], *, branch_id: str) -> None:
    """Apply one record's entity changes to a dataset's entities (LocalEntityUseCases.updateLocalEntitiesFromForm):
    an id that is not a version 4 UUID is ignored; create needs a label; update needs an existing entity and
    replaces its properties' values (others stay), its label unless blank, and adds 1 to its version."""
    for change in changes:
        if not _is_v4_uuid(change.id):
            continue
        existing = entities.get(change.id)
        if change.action == "create" or (change.action == "upsert" and existing is None):
            if not change.label.strip():
                continue  # EntityEvent.CreateNoLabel: nothing made
            if existing is None:
                entities[change.id] = Entity(change.id, change.label, 1, list(change.properties), branch_id=branch_id)
            else:  # a second create of the same id saves over it as version 1 (InMemEntitiesRepository.save)
                merged = dict(existing.properties)
                merged.update(change.properties)
                existing.properties, existing.label, existing.version = list(merged.items()), change.label, 1
        elif existing is not None:
            merged = dict(existing.properties)
            merged.update(change.properties)
            existing.properties = list(merged.items())
            existing.label = change.label if change.label.strip() else existing.label
            existing.version += 1


_XF = "{http://www.w3.org/2002/xforms}"
_H = "{http://www.w3.org/1999/xhtml}"


def spec_from_xform(xform: str) -> EntitySpec | None:
    """A form's entity declarations read straight from its XForm (no engine load), for the vault's writer: None
    for a form declaring no entity, or one whose declarations Collect would refuse."""
    if "entities-version" not in xform:
        return None
    try:
        html = parse_xml(xform, "the form")
    except ValueError:
        return None
    head = html.find(f"{_H}head")
    model = head.find(f"{_XF}model") if head is not None else None
    instance = model.find(f"{_XF}instance") if model is not None else None
    primary = next((c for c in instance if isinstance(c.tag, str)), None) if instance is not None else None
    if model is None or primary is None:
        return None
    root_path = "/" + split_tag(primary.tag)[0]
    save_tos: dict[str, str] = {}
    for bind in model.iter(f"{_XF}bind"):
        prop = bind.get(f"{{{ENTITIES_NS}}}saveto")
        path = absolute_path(bind.get("nodeset") or "", root_path) if prop else None
        if prop and path:
            save_tos[path] = prop
    try:
        return entity_spec(dict(model.attrib), primary, save_tos)
    except FormError:
        return None


def declared_datasets(xform: str) -> set[str]:
    """The entity lists a form creates or updates (its meta/entity datasets)."""
    spec = spec_from_xform(xform)
    return set(spec.datasets) if spec is not None else set()


def entity_lists(events: list[tuple[str, str, FormEntity]]) -> dict[str, list[list[tuple[str, str]]]]:
    """Entity lists as forms read them, from (dataset, source record id, FormEntity) in the order they happened:
    per dataset, one item per entity (fold), every property of the list in the order first seen."""
    by_dataset: dict[str, dict[str, Entity]] = {}
    names: dict[str, dict[str, None]] = {}
    for dataset, record_id, change in events:
        fold(by_dataset.setdefault(dataset, {}), [change], branch_id=record_id)
        for name, _ in change.properties:
            names.setdefault(dataset, {})[name] = None
    return {dataset: [entity.row(list(names.get(dataset, {}))) for entity in entities.values()]
            for dataset, entities in by_dataset.items()}
