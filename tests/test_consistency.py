"""Project-wide checks: migrations complete and free of live code, production settings pass Django's deploy
checklist, dependencies pinned and used, one test tree per app, no test dated in the future."""

import ast
import datetime
import importlib.metadata
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_no_missing_migrations(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "carteblanche.example.fr",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.prod"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- the project's rules, checked on its files ------------------------------------------------

REQUIREMENT_FILES = sorted(ROOT.glob("requirements*.txt"))
# Pinned packages that no `import` names, each with where it is used.
USED_WITHOUT_IMPORT = {
    "django-widget-tweaks": "INSTALLED_APPS (widget_tweaks template tags)",
    "whitenoise": "MIDDLEWARE and STORAGES (static files)",
    "redis": "CACHES (Django's Redis backend, REDIS_URL)",
    "gunicorn": "the production server (README)",
    "llvmlite": "numba's compiler, pinned with it",
    "pytest-django": "pytest plugin",
    "pytest-randomly": "pytest plugin",
    "pytest-xdist": "pytest plugin (make test -n 2)",
    "ruff": "make quality",
    "mypy": "make quality",
    "django-stubs": "mypy's Django plugin",
    "django-stubs-ext": "django-stubs' runtime part",
    "uv": "make lock",
}
FIRST_PARTY = {"carteblanche", "config", "tests", "bench", "scripts", "manage"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> set[str]:
    pins = set()
    for path in REQUIREMENT_FILES:
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                pins.add(_canonical(re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0]))
    return pins


def _python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py")]


def _imported_modules(paths: list[Path]) -> dict[str, set[str]]:
    """Top-level module -> files importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def _third_party(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Distribution (canonical name) -> files importing it, for the modules installed from packages."""
    local = {path.stem for path in (ROOT / "bench").glob("*.py")} | FIRST_PARTY
    distributions = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for module, files in modules.items():
        if module in sys.stdlib_module_names or module in local:
            continue
        for distribution in distributions.get(module, [module]):
            found.setdefault(_canonical(distribution), set()).update(files)
    return found


def test_no_empty_requirement_file():
    for path in REQUIREMENT_FILES:
        lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
        assert any(lines), f"{path.name} pins nothing: remove it"
    assert not (ROOT / "requirements").exists(), "pins live in requirements.txt and requirements-dev.txt"


def test_every_imported_package_is_pinned():
    imported = _third_party(_imported_modules(_python_files("carteblanche", "config", "tests", "bench", "scripts")))
    missing = {name: sorted(files)[:3] for name, files in imported.items() if name not in _pins()}
    assert not missing, f"imported but not pinned in requirements*.txt: {missing}"


def test_every_pinned_package_is_used():
    imported = set(
        _third_party(_imported_modules(_python_files("carteblanche", "config", "tests", "bench", "scripts")))
    )
    unused = _pins() - imported - {_canonical(name) for name in USED_WITHOUT_IMPORT}
    assert not unused, f"pinned but never imported (remove, or say where it is used): {sorted(unused)}"


def test_the_rule_checks_see_their_own_examples():
    """The checks above can fail: a file importing an unpinned package is caught."""
    modules = _imported_modules([Path(__file__)])
    assert "django" in _third_party(modules) and "importlib" not in _third_party(modules)
    assert _canonical("Django") in _pins() and "surely-not-a-pin" not in _pins()


def test_migrations_import_no_application_code():
    """A migration runs for years: it may reference its app's models (Django writes the paths of
    defaults, validators and storages), never other live code, which moves and changes."""
    offenders = []
    for path in sorted(ROOT.glob("carteblanche/*/migrations/*.py")):
        offenders += [
            f"{path.relative_to(ROOT)}: {name}"
            for name in sorted(_imported_modules_full(path))
            if name.startswith("carteblanche.") and not re.fullmatch(r"carteblanche\.\w+\.models", name)
        ]
    assert not offenders, offenders


APP_FOLDERS_WITHOUT_APP = {"e2e": "browser journeys across apps"}


def test_one_test_folder_per_app():
    apps = {path.parent.name for path in ROOT.glob("carteblanche/*/apps.py")}
    folders = {path.name for path in (ROOT / "tests").iterdir() if path.is_dir() and path.name != "__pycache__"}
    strays = folders - apps - set(APP_FOLDERS_WITHOUT_APP)
    assert not strays, f"test folders named after no app (one tree per app, e.g. tests/directory): {sorted(strays)}"
    factory_modules = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("factories*.py"))
    per_app = [path.split("/")[1] for path in factory_modules]
    assert len(per_app) == len(set(per_app)), f"one factory module per app: {factory_modules}"


# A date literal in a test: "2031-05-01", date(2031, 5, 1), datetime(2031, ...).
_DATE_YEAR = re.compile(r"(?<![\d.])(20\d\d)-[01]\d|\bdate(?:time)?\(\s*(20\d\d)\s*,")
# A test that fixes its clock: passes `today=`/`now=`/`at=`, names a TODAY/NOW constant, or freezes time.
_CLOCK = re.compile(r"freeze_time|\b(?:today|now|at)\s*=", re.IGNORECASE)


def future_dates_without_clock(text: str, this_year: int) -> list[str]:
    """Lines with a date in a year after this one, in a test that does not fix its clock."""
    if _CLOCK.search(text):
        return []
    return [
        line.strip()
        for line in text.splitlines()
        if any(int(year) > this_year for match in _DATE_YEAR.finditer(line) for year in match.groups() if year)
    ]


def test_no_fixed_future_date_against_the_real_clock():
    """A test that writes "2031-05-01" as "the future" fails on 1 May 2031: tests compute such dates from
    today, or fix the clock (a `today=` argument, a TODAY constant, freeze_time)."""
    this_year = datetime.date.today().year
    found = {}
    for path in _python_files("tests"):
        if lines := future_dates_without_clock(path.read_text(encoding="utf-8"), this_year):
            found[str(path.relative_to(ROOT))] = lines
    assert not found, found
    assert future_dates_without_clock(f'birth = "{this_year + 1}-01-01"', this_year)  # the check can fail
    assert not future_dates_without_clock(f"check(date({this_year + 1}, 1, 1), today=TODAY)", this_year)


def test_no_test_loads_the_web_server_module():
    """config/wsgi.py marks the process as a web server and starts its warm-ups: a test that imports it
    changes every later test of its worker (tests use django.core.wsgi.get_wsgi_application)."""
    loaders = [
        str(path.relative_to(ROOT))
        for path in _python_files("tests")
        if "config.wsgi" in _imported_modules_full(path) and path.name != "test_consistency.py"
    ]
    assert not loaders, loaders


def _imported_modules_full(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names
