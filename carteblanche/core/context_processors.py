"""Navigation shared by every page."""

from django.http import HttpRequest

MAIN_NAV = [
    ("Trouver un service", "/"),
    ("Préparer ma démarche", "/orientation/"),
    ("Mes droits", "/droits/"),
    ("Accompagnement", "/accompagnement/"),
]


def main_nav(request: HttpRequest) -> dict:
    path = request.path
    items = []
    for label, url in MAIN_NAV:
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"main_nav": items}
