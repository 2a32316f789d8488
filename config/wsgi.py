import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

from carteblanche.core.serving import mark_serving, start_server_warm_ups  # noqa: E402  (after apps load)

mark_serving()  # gunicorn and runserver load this module; management commands do not
start_server_warm_ups()
