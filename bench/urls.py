"""The project's URLs plus /bench/search (the thin full search) and /bench/ready (prefill done)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.fullsearch import search_view
from carteblanche.directory.search import cache
from config.urls import urlpatterns as project_urlpatterns


def ready_view(request: HttpRequest) -> HttpResponse:
    """Answers once the worker's offer cache is prefilled (starts the prefill if none ran yet)."""
    cache.current()
    cache.wait_for_prefill()
    return HttpResponse("ready")


urlpatterns = [path("bench/search", search_view), path("bench/ready", ready_view), *project_urlpatterns]
