"""Settings come from the environment; with none at all the app still runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db": str(settings.DATABASES["default"]["NAME"]),
    "host": settings.DATABASES["default"].get("HOST", ""),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "cache_prefix": settings.CACHES["default"].get("KEY_PREFIX", ""),
    "debug": settings.DEBUG,
    "secret_len": len(settings.SECRET_KEY),
}))
"""


def run_with(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "ASAMBLEA_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def probe(env: dict[str, str], tmp_path: Path) -> dict:
    result = run_with({"DJANGO_SETTINGS_MODULE": "config.settings", **env}, tmp_path, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_environment_means_sqlite_in_memory_layer_and_no_debug(tmp_path):
    found = probe({}, tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db"] == str(tmp_path / "db.sqlite3")
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["debug"] is False
    assert found["secret_len"] >= 50


def test_the_generated_secret_key_is_kept_between_starts(tmp_path):
    probe({}, tmp_path)
    first = (tmp_path / "secret-key").read_text()
    probe({}, tmp_path)
    assert (tmp_path / "secret-key").read_text() == first
    assert oct((tmp_path / "secret-key").stat().st_mode & 0o777) == "0o600"


def test_database_url_switches_to_postgresql(tmp_path):
    found = probe({"DATABASE_URL": "postgres://postgres@db.internal:5432/asamblea"}, tmp_path)
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["db"] == "asamblea"
    assert found["host"] == "db.internal"


def test_redis_url_switches_to_channels_redis(tmp_path):
    found = probe({"REDIS_URL": "redis://cache.internal:6379/2"}, tmp_path)
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    assert found["layer_hosts"][0]["address"] == "redis://cache.internal:6379/2"
    assert found["layer_hosts"][0]["max_connections"] >= 100


def test_redis_url_shares_the_cache_between_processes_under_the_channel_prefix(tmp_path):
    # The wrong-code and flood limits count in the cache: one count for every worker and host.
    found = probe(
        {"REDIS_URL": "redis://cache.internal:6379/2", "CHANNEL_PREFIX": "ci-42"}, tmp_path
    )
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache_location"] == "redis://cache.internal:6379/2"
    assert found["cache_prefix"] == "ci-42"


def test_debug_is_only_on_when_asked_for(tmp_path):
    assert probe({"DEBUG": "1"}, tmp_path)["debug"] is True
    assert probe({"DEBUG": "0"}, tmp_path)["debug"] is False


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-enough-0123456789",
        "ALLOWED_HOSTS": "asamblea.example.org",
        "HTTPS": "1",
        "EMAIL_HOST": "smtp.example.org",
    }
    result = run_with(env, tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
