"""The limiter counts in the shared cache: what one worker counted, every other worker sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from assembly import throttle

ROOT = Path(__file__).resolve().parents[1]

# Another process (another uvicorn worker) counts wrong codes from 10.0.0.9.
OTHER_WORKER = """
import django
django.setup()
from django.test import RequestFactory
from assembly import throttle
request = RequestFactory().post("/join/", REMOTE_ADDR="10.0.0.9")
for _ in range(3):
    throttle.failed(request, "join-code", window=60)
"""


@pytest.mark.skipif(not settings.REDIS_URL, reason="the shared cache is Redis: set REDIS_URL")
def test_a_count_made_in_another_worker_stops_this_one():
    request = RequestFactory().post("/join/", REMOTE_ADDR="10.0.0.9")
    assert not throttle.blocked(request, "join-code", limit=3)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert throttle.blocked(request, "join-code", limit=3)
