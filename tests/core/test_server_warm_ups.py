"""Web server processes warm up by default (config/wsgi.py); settings can turn it off."""

from carteblanche.core import serving
from carteblanche.rights import apps as rights_apps


def test_rights_warm_up_starts_when_the_setting_is_on(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(rights_apps, "start_warm_up", lambda: calls.append("rights"))
    settings.RIGHTS_WARMUP = True
    serving.start_server_warm_ups()
    assert calls == ["rights"]


def test_no_warm_up_when_the_setting_is_off(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(rights_apps, "start_warm_up", lambda: calls.append("rights"))
    settings.RIGHTS_WARMUP = False
    serving.start_server_warm_ups()
    assert calls == []


def test_a_server_imports_every_view_before_its_first_request():
    """config/wsgi.py imports the views in its loading thread: a first request started while the
    warm-ups hold the interpreter has nothing to import."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; import config.wsgi; "
        "print(all(m in sys.modules for m in "
        "('carteblanche.rights.views', 'carteblanche.directory.views', 'carteblanche.orientation.views')))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "RIGHTS_WARMUP": "0",
        "CARTEBLANCHE_ANSWERS_WARMUP": "0",
    }
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
