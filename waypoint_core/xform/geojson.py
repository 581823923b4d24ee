"""GeoJSON form attachments (select one from map): a FeatureCollection read as the items ODK reads.

As JavaRosa's GeoJsonExternalInstance (ODK Collect): one `item` per feature with a `geometry` child (ODK
coordinates "lat lon 0 0", points joined by "; ", a polygon's outer ring), then one child per property in
the file's order (a number or boolean as written, null as empty), then `id` (the feature's own id wins over
an `id` property). Anything else is refused with JavaRosa's reason, so a form does not half-load.
"""

from __future__ import annotations

import json
from typing import Any

from waypoint_core.xform.errors import FormError
from waypoint_core.xform.xpath_eval import java_double


class _Text:
    """A JSON number kept as written: Jackson (JavaRosa) reads a property's number as its text."""

    __slots__ = ("text", "number")

    def __init__(self, text: str, number: float | int):
        self.text = text
        self.number = number


def _float(text: str) -> _Text:
    return _Text(text, float(text))


def _int(text: str) -> _Text:
    return _Text(text, int(text))


Item = list[tuple[str, str]]


def geojson_items(data: bytes, name: str) -> list[Item]:
    """The features of a GeoJSON attachment, each as (child name, text) pairs in order."""
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_float=_float, parse_int=_int)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(f"the attachment {name} is not GeoJSON (JSON text): {exc}") from exc
    if not isinstance(document, dict):
        raise FormError(f"the attachment {name}: GeoJSON file must contain a top-level Object")
    if document.get("type") != "FeatureCollection":
        raise FormError(f"the attachment {name}: GeoJSON file must contain a top-level FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise FormError(f"the attachment {name}: GeoJSON FeatureCollection must contain an array of features")
    return [_feature(feature, index, name) for index, feature in enumerate(features, 1)]


def _feature(feature: Any, index: int, name: str) -> Item:
    where = f"the attachment {name}, feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        kind = feature.get("type") if isinstance(feature, dict) else type(feature).__name__
        raise FormError(f"{where}: item of type {kind} found but expected item of type Feature")
    item: Item = [("geometry", _geometry(feature.get("geometry"), where))]
    properties = feature.get("properties")
    if properties is not None:
        if not isinstance(properties, dict):
            raise FormError(f"{where}: its properties must be an object")
        for key, value in properties.items():
            item.append((key, _scalar(value, f"{where}, property {key!r}")))
    if feature.get("id") is not None:
        feature_id = _scalar(feature["id"], f"{where}, id")
        for position, (key, _) in enumerate(item):
            if key == "id":
                item[position] = ("id", feature_id)
                break
        else:
            item.append(("id", feature_id))
    return item


def _scalar(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, _Text):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise FormError(f"{where}: a property must be text, a number or true/false, not a list or an object")


def _coordinate(value: Any, where: str) -> str:
    # Jackson reads a whole number as an Integer and any other as a Double; JavaRosa concatenates them
    if isinstance(value, _Text) and isinstance(value.number, int):
        return str(value.number)
    if isinstance(value, _Text):
        return java_double(float(value.number))
    raise FormError(f"{where}: coordinates must be numbers")


def _point(position: Any, where: str) -> str:
    if not isinstance(position, list) or len(position) < 2:
        raise FormError(f"{where}: a position must be [longitude, latitude]")
    return f"{_coordinate(position[1], where)} {_coordinate(position[0], where)} 0 0"


def _geometry(geometry: Any, where: str) -> str:
    if not isinstance(geometry, dict):
        raise FormError(f"{where}: it has no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return _point(coordinates, where)
    if kind == "LineString" and isinstance(coordinates, list):
        return "; ".join(_point(p, where) for p in coordinates)
    if kind == "Polygon" and isinstance(coordinates, list):
        if not coordinates:
            return ""
        ring = coordinates[0]
        if not isinstance(ring, list):
            raise FormError(f"{where}: a polygon is a list of rings")
        return "; ".join(_point(p, where) for p in ring)
    raise FormError(f"{where}: only Points, LineStrings and Polygons are currently supported (found {kind})")
