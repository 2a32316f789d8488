"""Server-side SVG charts (pygal), with no script: every chart sits beside its data table."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pygal
from pygal.style import Style

# Dark blue on white, large text: readable printed in grey; values are also in the tables.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#161616",
    foreground_strong="#161616",
    foreground_subtle="#3a3a3a",
    colors=("#000091", "#6a6af4", "#3a3a3a"),
    font_family="Marianne, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    title_font_size=14,
    legend_font_size=12,
)


_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)


def _render(chart: pygal.graph.graph.Graph) -> str:
    """The chart's SVG without pygal's tooltip script (pages run no inline script; the data is in tables)."""
    return _SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))


def _config(**kwargs) -> pygal.Config:
    kwargs.setdefault("height", 320)
    config = pygal.Config(js=[], style=STYLE, width=640, explicit_size=True, **kwargs)
    config.css.append("inline:svg text{font-family:Marianne,Arial,sans-serif}")
    return config


def trend(title: str, points: Sequence[tuple[date, float | None]], *, percent: bool = True) -> str:
    """A line over the months (gaps where a month has no value)."""
    chart = pygal.Line(_config(title=title, show_legend=False, range=(0, 1) if percent else None))
    chart.x_labels = [f"{period:%m/%Y}" for period, _ in points]
    chart.value_formatter = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:g}")
    chart.add(title, [value for _, value in points])
    return _render(chart)


def bars(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, percent: bool = True) -> str:
    """Horizontal bars, one group per label, one bar per series."""
    chart = pygal.HorizontalBar(
        _config(title=title, range=(0, 1) if percent else None, height=max(240, 34 * len(labels) + 80))
    )
    chart.x_labels = list(labels)
    chart.value_formatter = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:g}")
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart)
