"""The project's URLs plus /bench/search, the thin full search used when no search API exists yet."""

from django.urls import path

from bench.fullsearch import search_view
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/search", search_view), *project_urlpatterns]
