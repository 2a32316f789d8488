import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

from carteblanche.core.serving import import_views, mark_serving, start_server_warm_ups  # noqa: E402  (after apps)

mark_serving()  # gunicorn and runserver load this module; management commands do not
import_views()  # before the warm-up threads start: the first request then imports nothing
start_server_warm_ups()
