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
