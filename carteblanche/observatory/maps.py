"""Choropleth maps of the territory's communes as server-side SVG. Pure module (no Django).

No tile server and no script: the SVG is part of the page, prints as it is, and every map sits
beside a data table. Classes are drawn with fills of decreasing lightness and, for the classes
that mean "not in person", a hatch pattern, so the legend reads in grey too.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

CONTOURS_FILE = Path(__file__).resolve().parent / "data" / "communes-46.geojson.gz"
WIDTH = 640
MARGIN = 8
PATTERNS = (
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#161616" stroke-width="1.5"/></pattern>'
    '<pattern id="cross" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<path d="M0,0L6,6M6,0L0,6" stroke="#161616" stroke-width="1.2"/></pattern>'
)


@dataclass(frozen=True, slots=True)
class MapClass:
    key: str
    label: str
    fill: str
    pattern: str = ""  # "", "hatch" (diagonal lines) or "cross" (crossed lines): readable without colour


@lru_cache(maxsize=1)
def contours() -> dict[str, tuple[str, list[list[list[tuple[float, float]]]]]]:
    """INSEE code -> (name, polygons as lists of rings of (lon, lat))."""
    data = json.loads(gzip.decompress(CONTOURS_FILE.read_bytes()))
    shapes = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        shapes[str(feature["id"])] = (
            feature["properties"].get("nom", ""),
            [[[(x, y) for x, y in ring] for ring in polygon] for polygon in polygons],
        )
    return shapes


def render(
    classes_by_commune: Mapping[str, str],
    classes: Sequence[MapClass],
    *,
    title: str,
    labels: Mapping[str, str] | None = None,
) -> str:
    """An SVG map of the communes that have a contour; `labels` gives each commune's tooltip text."""
    shapes = {code: contours()[code] for code in classes_by_commune if code in contours()}
    if not shapes:
        return ""
    points = [pt for _name, polygons in shapes.values() for polygon in polygons for ring in polygon for pt in ring]
    min_x = min(p[0] for p in points)
    max_x = max(p[0] for p in points)
    min_y = min(p[1] for p in points)
    max_y = max(p[1] for p in points)
    kx = math.cos(math.radians((min_y + max_y) / 2))
    scale = (WIDTH - 2 * MARGIN) / max((max_x - min_x) * kx, 1e-9)
    height = round((max_y - min_y) * scale + 2 * MARGIN)

    def project(point: tuple[float, float]) -> tuple[int, int]:
        return round(MARGIN + (point[0] - min_x) * kx * scale), round(MARGIN + (max_y - point[1]) * scale)

    def ring_path(ring: list[tuple[float, float]]) -> str:
        pixels: list[tuple[int, int]] = []
        for point in map(project, ring):  # whole pixels: consecutive duplicates dropped
            if not pixels or pixels[-1] != point:
                pixels.append(point)
        return "M" + " ".join(f"{x},{y}" for x, y in pixels) + "Z"

    by_key = {c.key: c for c in classes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="map-title" class="cb-map">',
        f'<title id="map-title">{escape(title)}</title>',
        f"<defs>{PATTERNS}</defs>",
    ]
    for code, (name, polygons) in sorted(shapes.items()):
        map_class = by_key[classes_by_commune[code]]
        d = "".join(ring_path(ring) for polygon in polygons for ring in polygon)
        tip = escape(f"{name} : {(labels or {}).get(code, map_class.label)}")
        parts.append(
            f'<path d="{d}" fill="{map_class.fill}" stroke="#ffffff" stroke-width="0.6"><title>{tip}</title></path>'
        )
        if map_class.pattern:
            parts.append(f'<path d="{d}" fill="url(#{map_class.pattern})" stroke="none" aria-hidden="true"/>')
    parts.append("</svg>")
    return "".join(parts)


def legend_svg(map_class: MapClass) -> str:
    """A small swatch for the legend (same fill and pattern as the map, whose SVG on the same page
    defines the patterns once: ids stay unique)."""
    overlay = f'<rect width="24" height="16" fill="url(#{map_class.pattern})"/>' if map_class.pattern else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16" aria-hidden="true">'
        f'<rect width="24" height="16" fill="{map_class.fill}" stroke="#3a3a3a" stroke-width="1"/>{overlay}</svg>'
    )
