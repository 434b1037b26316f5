"""Slowing down floods and guessing, with one small limiter on the shared cache (Redis in
production, so every worker and host counts together).

Two uses. A client that keeps getting something wrong (a join code) is refused for a while. And a
person who taps far faster than a person can (500 raised hands in a burst, 500 guest joins from
one script) is told to slow down before the work is done, so others' pages stay quick. Who is
counted is a keyed hash (of an address, an account, a guest's token), held in the cache for the
window only; no address is ever written to the database or the logs.

The limits are generous on purpose: a hall of phones behind one Wi-Fi shares an address, and
people mistype codes and change their minds. A brute-forcer needs millions of tries; at these
rates that takes years. And the projector's QR link carries a key that opens the door even for a
stopped client, so someone typing wrong codes on purpose cannot lock the hall out.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac


@dataclass(frozen=True)
class Rate:
    """At most `limit` within `window` seconds, counted from the first of them."""

    limit: int
    window: int


def _key(scope: str, who: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), who.encode(), hashlib.sha256)
    return f"throttle:{scope}:{digest.hexdigest()[:32]}"


def client(request: HttpRequest) -> str:
    """The client as the network shows it (behind the proxy, the forwarded address)."""
    return "address:" + request.META.get("REMOTE_ADDR", "")


def _count(key: str, window: int) -> int:
    """Add one to the count; the count expires `window` seconds after the first."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def spend(scope: str, who: str, rate: Rate) -> bool:
    """Count one go by `who`; whether it is still within `rate` (if not, refuse it)."""
    return _count(_key(scope, who), rate.window) <= rate.limit


def blocked(request: HttpRequest, scope: str, *, limit: int) -> bool:
    """Whether this client has already failed `limit` times within the current window."""
    return (cache.get(_key(scope, client(request))) or 0) >= limit


def failed(request: HttpRequest, scope: str, *, window: int) -> None:
    """Count one failure by this client; the count expires `window` seconds after the first."""
    _count(_key(scope, client(request)), window)


def door_key(code: str) -> str:
    """The key on a meeting's own link (its QR code): whoever holds it did not guess the code, so
    the link opens even for a client that the wrong-code limit has stopped."""
    return salted_hmac("asamblea.join-link", code, algorithm="sha256").hexdigest()[:16]


def holds_door_key(request: HttpRequest, code: str) -> bool:
    return constant_time_compare(request.GET.get("k", ""), door_key(code))
