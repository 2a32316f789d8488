"""Every error page of the public flows shows the national emergency lines.

One rule in one place rather than a line in each template: an HTML response with an error status
(a form re-shown with errors — 400, 404, 422 —, a missing page, a server error) gets the emergency
lines block (`orientation/_emergency_lines.html`) at the end of its main content. Someone in danger
who mistypes a commune still sees 17, 112, 114, 3919, 115, 119, 3114 and 15. The admin, the API
(JSON) and streamed responses are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from carteblanche.orientation import emergency

MARKER = 'id="cb-emergency-title"'
SKIPPED_PREFIXES = ("/admin/", "/api/")


def emergency_block() -> str:
    return render_to_string(
        "orientation/_emergency_lines.html", {"lines": emergency.load().all_lines(), "heading": "h2"}
    )


def with_emergency_lines(html: str) -> str:
    """The page with the emergency block before the end of <main> (or of <body>); unchanged if present."""
    if MARKER in html:
        return html
    block = f'<div class="fr-container fr-my-4w">{emergency_block()}</div>'
    for anchor in ("</main>", "</body>"):
        at = html.rfind(anchor)
        if at != -1:
            return html[:at] + block + html[at:]
    return html + block


class EmergencyLinesOnErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(SKIPPED_PREFIXES)
        ):
            charset = response.charset or "utf-8"
            response.content = with_emergency_lines(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
