"""The rest of the ODK function library: checklists, digests and geometry on typed-in points.

Registered into xpath_functions' table on import. Distances use a sphere of radius 6,378.1 km
(JavaRosa's GeoUtils); area is the spherical excess of the polygon; geofence casts a ray in
latitude/longitude, which is exact enough for the small areas forms fence.
"""

from __future__ import annotations

import math

from waypoint_core.xform.errors import XPathEvalError
from waypoint_core.xform.xpath_eval import to_bool, to_number, to_string
from waypoint_core.xform.xpath_functions import _fn, _strings

def _truthy_count(args) -> int:
    count = 0
    for a in args:
        if isinstance(a, list):
            count += sum(1 for n in a if to_bool(n.string_value()) and n.string_value() not in ("false", "0"))
        elif to_bool(a) and to_string(a) not in ("false", "0"):
            count += 1
    return count


@_fn("checklist", 2, None)
def _checklist(ctx, low, high, *args):
    """True if between low and high (-1: no bound) of the arguments are true."""
    n, lo, hi = _truthy_count(args), to_number(low), to_number(high)
    return (lo < 0 or n >= lo) and (hi < 0 or n <= hi)


@_fn("weighted-checklist", 2, None)
def _weighted_checklist(ctx, low, high, *pairs):
    if len(pairs) % 2:
        raise XPathEvalError("weighted-checklist() takes value/weight pairs")
    total = 0.0
    for value, weight in zip(pairs[::2], pairs[1::2]):
        if _truthy_count([value]):
            total += to_number(weight)
    lo, hi = to_number(low), to_number(high)
    return (lo < 0 or total >= lo) and (hi < 0 or total <= hi)


@_fn("digest", 2, 3)
def _digest(ctx, data, algorithm, encoding=None):
    import base64
    import hashlib
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    name = names.get(to_string(algorithm).upper())
    if name is None:
        raise XPathEvalError(f"digest(): unknown algorithm {to_string(algorithm)!r}")
    raw = hashlib.new(name, to_string(data).encode("utf-8")).digest()
    enc = to_string(encoding).lower() if encoding is not None else "base64"
    if enc == "hex":
        return raw.hex()
    if enc == "base64":
        return base64.b64encode(raw).decode("ascii")
    raise XPathEvalError(f"digest(): unknown encoding {enc!r}")


@_fn("base64-decode", 1, 1)
def _base64_decode(ctx, v):
    import base64
    import binascii
    try:
        return base64.b64decode(to_string(v), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


_EARTH_RADIUS_M = 6378100.0  # the radius JavaRosa's GeoUtils uses


def _points(args) -> list[tuple[float, float]]:
    """(latitude, longitude) of every point in the arguments: geotrace/geoshape texts
    ("lat lon alt acc;lat lon ..."), single geopoints, or node-sets of either."""
    out = []
    for text in (s for a in args for s in _strings(a)):
        for part in text.split(";"):
            bits = part.split()
            if len(bits) >= 2:
                try:
                    out.append((float(bits[0]), float(bits[1])))
                except ValueError:
                    raise XPathEvalError(f"not a point: {part.strip()!r}") from None
    return out


# distance(), area() and geofence() compute exactly as JavaRosa's GeoUtils (ODK Collect), so a form records
# the same number: the spherical law of cosines, a planar sum of triangles, and a ray cast over the closed shape.
_CIRCUMFERENCE_M = 2 * _EARTH_RADIUS_M * math.pi


def _between(a, b) -> float:
    """GeoUtils.distanceBetween (acos of a value rounded past 1 is NaN there too)."""
    dlon = math.radians(a[1] - b[1])
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    cosine = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.acos(cosine) * _EARTH_RADIUS_M if -1.0 <= cosine <= 1.0 else math.nan


@_fn("distance", 1, None)
def _distance(ctx, *args):
    """Length in metres of a geotrace/geoshape (or of the points given): GeoUtils.calculateDistance."""
    pts = _points(args)
    total = 0.0
    for i in range(1, len(pts)):
        total += _between(pts[i - 1], pts[i])
    return total


@_fn("area", 1, 1)
def _area(ctx, v):
    """Area in square metres of a geoshape: GeoUtils.calculateAreaOfGPSPolygonOnEarthInSquareMeters."""
    pts = _points([v])
    if len(pts) < 3:
        return 0.0
    lat0, lon0 = pts[0]
    ys = [(lat - lat0) * _CIRCUMFERENCE_M / 360.0 for lat, _ in pts[1:]]
    xs = [(lon - lon0) * _CIRCUMFERENCE_M * math.cos(math.radians(lat)) / 360.0 for lat, lon in pts[1:]]
    total = 0.0
    for i in range(1, len(xs)):
        total += (ys[i - 1] * xs[i] - xs[i - 1] * ys[i]) / 2
    return abs(total)


@_fn("geofence", 2, 2)
def _geofence(ctx, point, shape):
    """True if the point lies inside the geoshape: GeoUtils.calculateIsPointInGPSPolygon (a shape's last
    point repeats its first, so consecutive points make every edge)."""
    pts = _points([point])
    poly = _points([shape])
    if not pts:
        return False
    y, x = pts[0]
    inside = False
    for (y1, x1), (y2, x2) in zip(poly, poly[1:]):
        if (y2 > y) != (y1 > y) and x < (x1 - x2) * (y - y2) / (y1 - y2) + x2:
            inside = not inside
    return inside
