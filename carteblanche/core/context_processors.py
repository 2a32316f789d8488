"""What every page's layout needs: the main navigation, which DSFR stylesheets to load."""

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


def dsfr_assets(request: HttpRequest) -> dict:
    """Which DSFR the layout loads: the project's slice, or the whole DSFR (a benchmark's baseline)."""
    from django.conf import settings

    return {"dsfr_full_bundle": settings.CARTEBLANCHE_DSFR_FULL_BUNDLE}
