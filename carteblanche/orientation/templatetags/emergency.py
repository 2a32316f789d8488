"""`{% emergency_lines %}`: the national emergency lines (orientation/data/emergency_lines.json) on
error pages and forms re-shown with errors. Needs no request, so the 500 page can use it."""

from django import template

from carteblanche.orientation import emergency

register = template.Library()


@register.inclusion_tag("orientation/_emergency_lines.html")
def emergency_lines(heading_level: int = 2) -> dict:
    return {"lines": emergency.load().all_lines(), "heading": f"h{heading_level}"}
