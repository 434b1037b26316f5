"""Django's admin has a login of its own, outside allauth's: it is mounted only when asked for."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def remount():
    """Build the URLs again under the test's settings, and as they were afterwards."""

    def again():
        importlib.reload(config.urls)
        clear_url_caches()

    yield again
    again()


def test_the_admin_is_not_mounted_by_default(client, db):
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_admin_url_mounts_it_at_that_path_only(client, db, settings, remount):
    settings.ADMIN_URL = "staff-7f3a/"
    remount()
    assert client.get("/staff-7f3a/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404
