"""The project's DSFR slice is current, covers every DSFR class the templates use, and blocks no rendering."""

import posixpath
import re

import pytest

from carteblanche.core import dsfr_bundle

DIST = dsfr_bundle.dsfr_static_dir() / "dsfr" / "dist"


@pytest.fixture(scope="module")
def spec():
    return dsfr_bundle.load_spec()


@pytest.fixture(scope="module")
def lean_css():
    return (dsfr_bundle.STATIC_DIR / dsfr_bundle.CSS_OUT).read_text()


def test_the_committed_bundle_is_what_the_list_builds(spec):
    for name, text in dsfr_bundle.outputs(spec).items():
        committed = dsfr_bundle.STATIC_DIR / name
        assert committed.exists() and committed.read_text() == text, (
            f"{name} is out of date: run .venv/bin/python scripts/build_dsfr_bundle.py"
        )


def test_every_dsfr_class_the_templates_use_is_in_the_bundle(spec, lean_css):
    full = dsfr_bundle.defined_classes(
        (DIST / "dsfr.main.min.css").read_text() + (DIST / "utility" / "utility.main.min.css").read_text()
    )
    lean = dsfr_bundle.defined_classes(lean_css)
    used = dsfr_bundle.used_classes(spec)
    assert {"fr-header", "fr-btn", "fr-footer", "fr-icon-search-line"} <= used  # the scan sees the templates
    missing = sorted(c for c in used if c in full and c not in lean)
    assert not missing, f"add their component or icon to carteblanche/core/data/dsfr_bundle.json: {missing}"


def test_a_class_written_in_a_template_is_seen(tmp_path, spec):
    (tmp_path / "carteblanche").mkdir()
    (tmp_path / "carteblanche" / "page.html").write_text('<p class="fr-tile fr-icon-bus-line fr-mb-3w">x</p>')
    used = dsfr_bundle.used_classes(spec, root=tmp_path)
    assert {"fr-tile", "fr-icon-bus-line", "fr-mb-3w"} <= used


def test_unused_spacing_classes_and_web_fonts_are_left_out(spec, lean_css):
    used = dsfr_bundle.used_classes(spec)
    lean = dsfr_bundle.defined_classes(lean_css)
    assert "fr-mb-3w" in used and "fr-mb-3w" in lean
    assert "fr-mb-15v" not in used and "fr-mb-15v" not in lean
    assert "fr-mb-md-15v" not in used and "fr-mb-md-15v" not in lean  # responsive spacing too
    assert "fr-col-md-9" in used and "fr-col-md-9" in lean and "fr-col-xl-7" not in lean
    assert "@font-face" not in lean_css
    assert "fr-icon-bus-line" not in lean_css  # only the listed icons


def test_urls_in_the_bundle_point_at_shipped_files(lean_css):
    roots = [dsfr_bundle.STATIC_DIR, dsfr_bundle.dsfr_static_dir()]
    urls = re.findall(r"url\(([^)\"']+)\)", lean_css)
    assert urls
    for url in urls:
        name = posixpath.normpath(posixpath.join(posixpath.dirname(dsfr_bundle.CSS_OUT), url))
        assert any((root / name).is_file() for root in roots), url


@pytest.mark.django_db
def test_pages_load_the_slice_and_no_render_blocking_script(client, settings):
    html = client.get("/").content.decode()
    assert "dsfr-lean/dsfr-lean.css" in html and "dsfr.min.css" not in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="module"' in tag or " defer" in tag, tag
    settings.CARTEBLANCHE_DSFR_FULL_BUNDLE = True
    assert "dsfr/dist/dsfr/dsfr.min.css" in client.get("/").content.decode()
