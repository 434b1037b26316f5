"""Slowing down guessing: a client that keeps getting something wrong (a join code) is refused for
a while. The client is known by a keyed hash of its address, held in the cache for the window
only; no address is ever written to the database or the logs.

The limits are generous on purpose: a hall of phones behind one Wi-Fi shares an address, and
people mistype codes. A brute-forcer needs millions of tries; at these rates that takes years.
And the projector's QR link carries a key that opens the door even for a stopped client, so
someone typing wrong codes on purpose cannot lock the hall out.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac


def _client(request: HttpRequest, scope: str) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return f"throttle:{scope}:{digest.hexdigest()[:32]}"


def blocked(request: HttpRequest, scope: str, *, limit: int) -> bool:
    """Whether this client has already failed `limit` times within the current window."""
    return (cache.get(_client(request, scope)) or 0) >= limit


def failed(request: HttpRequest, scope: str, *, window: int) -> None:
    """Count one failure; the count expires `window` seconds after the first of them."""
    key = _client(request, scope)
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


def door_key(code: str) -> str:
    """The key on a meeting's own link (its QR code): whoever holds it did not guess the code, so
    the link opens even for a client that the wrong-code limit has stopped."""
    return salted_hmac("asamblea.join-link", code, algorithm="sha256").hexdigest()[:16]


def holds_door_key(request: HttpRequest, code: str) -> bool:
    return constant_time_compare(request.GET.get("k", ""), door_key(code))
