"""The project's slice of the DSFR: one CSS file and one script built from the parts the pages use.

Why: the DSFR bundle (dsfr.min.css + utility.min.css) is ~130 KB compressed, the pages use a
fraction of it, and on a rural 3G link every kilobyte costs time before the first paint. The
DSFR is published as per-component files; `carteblanche/core/data/dsfr_bundle.json` lists the
ones the templates need, `scripts/build_dsfr_bundle.py` concatenates them into
`carteblanche/static/dsfr-lean/`, and tests check the output is current and covers every `fr-`
class the templates use. Pure module (no Django): the script and the tests import it.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC_PATH = ROOT / "carteblanche" / "core" / "data" / "dsfr_bundle.json"
STATIC_DIR = ROOT / "carteblanche" / "static"
CSS_OUT = "dsfr-lean/dsfr-lean.css"  # paths under STATIC_DIR, as `{% static %}` names them
JS_OUT = "dsfr-lean/dsfr-lean.module.js"

CLASS_RE = re.compile(r"(?<![a-z0-9_-])fr-[a-z0-9]+(?:(?:-{1,2}|_{1,2})[a-z0-9]+)*")
SELECTOR_CLASS_RE = re.compile(r"\.(fr-[a-zA-Z0-9_-]+)")
URL_RE = re.compile(r"url\((['\"]?)([^)'\"]+)\1\)")


@dataclass(frozen=True)
class Spec:
    components: tuple[str, ...]
    purge: tuple[re.Pattern[str], ...]
    icons: tuple[str, ...]
    scripts: tuple[str, ...]
    sources: tuple[str, ...]


def dsfr_static_dir() -> Path:
    """The django-dsfr package's static folder (it ships the DSFR `dist`)."""
    import dsfr

    return Path(dsfr.__file__).resolve().parent / "static"


def load_spec(path: Path = SPEC_PATH) -> Spec:
    data = json.loads(path.read_text())
    return Spec(
        components=tuple(data["css_components"]),
        purge=tuple(re.compile(p) for p in data["purge_unused_core_classes"]),
        icons=tuple(data["icons"]),
        scripts=tuple(data["js_components"]),
        sources=tuple(data["class_sources"]),
    )


def used_classes(spec: Spec, root: Path = ROOT, dsfr_static: Path | None = None) -> set[str]:
    """Every `fr-` class token written in the project's templates, Python and scripts.

    django-dsfr's form templates and widget classes are scanned too: the project's forms render through them.
    A class built in a template (`fr-alert--{{ level }}`) leaves its stem, so the whole component
    has to be listed, which is how components are bundled anyway.
    """
    package = (dsfr_static or dsfr_static_dir()).parent
    classes: set[str] = set()
    for pattern in spec.sources:
        base, _, glob = pattern.partition(":")
        folder = package if base == "dsfr" else root
        for path in folder.glob(glob):
            if path.is_file() and "staticfiles" not in path.parts and "dsfr-lean" not in path.parts:
                classes.update(CLASS_RE.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return classes


def defined_classes(css: str) -> set[str]:
    """Classes a stylesheet gives rules to (any class named in a selector)."""
    found: set[str] = set()

    def visit(rule) -> bool:
        found.update(SELECTOR_CLASS_RE.findall(tinycss2.serialize(rule.prelude)))
        return True

    _filter_rules(css, visit)
    return found


def _filter_rules(css: str, keep: Callable) -> str:
    """Serialize `css` keeping the qualified rules `keep` accepts; empty @media/@supports go."""

    def walk(rules: Iterable) -> str:
        out = []
        for rule in rules:
            if rule.type == "qualified-rule":
                if keep(rule):
                    out.append(rule.serialize())
            elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in ("media", "supports"):
                inner = walk(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                if inner:
                    prelude = tinycss2.serialize(rule.prelude)
                    out.append(f"@{rule.at_keyword}{prelude}{{{inner}}}")
            elif rule.type == "at-rule" and rule.lower_at_keyword != "charset" and keep(rule):
                out.append(rule.serialize())
        return "".join(out)

    return walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _rebase_urls(css: str, source: str, target: str) -> str:
    """Rewrite relative url()s of `source` (a static path) so they resolve from `target`."""

    def rebase(match: re.Match[str]) -> str:
        url = match.group(2)
        if url.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        absolute = posixpath.normpath(posixpath.join(posixpath.dirname(source), url))
        return f"url({posixpath.relpath(absolute, posixpath.dirname(target))})"

    return URL_RE.sub(rebase, css)


def _selectors(rule) -> list[str]:
    return [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]


def build_css(spec: Spec, used: set[str], dsfr_static: Path | None = None) -> str:
    """Core (without the unused spacing and grid classes, without web fonts), components, icons."""
    static = dsfr_static or dsfr_static_dir()
    parts: list[str] = []

    def purgeable(selector: str) -> bool:
        return any(c not in used and any(p.match(c) for p in spec.purge) for c in SELECTOR_CLASS_RE.findall(selector))

    def keep_core(rule) -> bool:
        if rule.type == "at-rule":  # @font-face: system fonts (one Marianne weight is 41 KB)
            return rule.lower_at_keyword != "font-face"
        return not all(purgeable(s) for s in _selectors(rule))

    core = "dsfr/dist/core/core.main.min.css"
    parts.append(_rebase_urls(_filter_rules((static / core).read_text(), keep_core), core, CSS_OUT))
    for name in spec.components:
        path = f"dsfr/dist/component/{name}/{name}.main.min.css"
        parts.append(_rebase_urls(_filter_rules((static / path).read_text(), lambda r: True), path, CSS_OUT))
    wanted = {f"fr-icon-{name}" for name in spec.icons}

    def keep_icon(rule) -> bool:
        return rule.type == "qualified-rule" and bool(
            set(SELECTOR_CLASS_RE.findall(tinycss2.serialize(rule.prelude))) & wanted
        )

    icons = "dsfr/dist/utility/icons/icons.main.min.css"
    parts.append(_rebase_urls(_filter_rules((static / icons).read_text(), keep_icon), icons, CSS_OUT))
    banner = re.match(r"\s*(?:@charset[^;]*;\s*)?(/\*!.*?\*/)", (static / core).read_text(), re.DOTALL)
    header = (
        (banner.group(1) + "\n" if banner else "")
        + f"/*! Built by scripts/build_dsfr_bundle.py from the DSFR v{dsfr_version(static)} "
        "(https://github.com/GouvernementFR/dsfr; restricted use of the State's brand, see its terms)."
        f" Components: {', '.join(spec.components)}. Icons: {', '.join(spec.icons)}. */\n"
    )
    return header + "\n".join(parts) + "\n"


def build_js(spec: Spec, dsfr_static: Path | None = None) -> str:
    """The DSFR core script and the listed components' scripts (each registers on window.dsfr).

    Each file goes in its own block: they were written as separate modules and reuse top-level
    names (`const e=window.dsfr`), which one module would declare twice.
    """
    static = dsfr_static or dsfr_static_dir()
    files = ["dsfr/dist/core/core.module.min.js"] + [
        f"dsfr/dist/{'scheme' if n == 'scheme' else 'component/' + n}/{n}.module.min.js" for n in spec.scripts
    ]
    return "".join(f"{{\n{(static / f).read_text().strip()}\n}}\n" for f in files)


def dsfr_version(static: Path | None = None) -> str:
    head = ((static or dsfr_static_dir()) / "dsfr/dist/core/core.main.min.css").read_text()[:200]
    match = re.search(r"DSFR v([0-9.]+)", head)
    return match.group(1) if match else "unknown"


def outputs(spec: Spec | None = None) -> dict[str, str]:
    """What the static files must contain, by path under carteblanche/static."""
    spec = spec or load_spec()
    return {CSS_OUT: build_css(spec, used_classes(spec)), JS_OUT: build_js(spec)}
