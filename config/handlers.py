"""Django's ASGI handler, with a page request crossing from the event loop into a thread once.

Under ASGI, Django builds its middleware chain asynchronous, and its own middleware
(MiddlewareMixin) then runs each `process_request`, `process_view` and `process_response` in a
`sync_to_async` of its own, around the ballot queue's synchronous step and the (synchronous)
view: about twenty hand-offs between the event loop and a thread per request, 15% of a
facilitator's click (Python calls counted in process, make bench's click). The views are
synchronous, so here the whole of a page is synchronous and entered once: the request_started
signal, the middleware and view, and the response's close (request_finished, which hands the
database connection back). And it runs on a thread kept for pages: Django's own handler starts
a thread for every request (asgiref's ThreadSensitiveContext), and on SQLite opened a database
connection on it, with its PRAGMAs and functions. Back to back in make bench, a facilitator's
click took a fifth less server CPU on `make run` without them, an eighth less on PostgreSQL.

Static files keep Django's own asynchronous handling: ServeStatic's middleware is asynchronous
only, and a file is served there, headers and compression as before. (Django's ticket #37177
takes the middleware's hand-offs out of Django itself.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import IO, Any
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.test.utils import override_settings
from django.urls import set_script_prefix

from assembly.middleware import BallotTurns, busy, is_ballot

STATIC_MIDDLEWARE = "servestatic.middleware.ServeStaticMiddleware"
# Threads that serve pages, each kept (with its database connection, on SQLite) for the next
# page. A thread is started only when every one is busy: a page that waits (for SQLite's write
# lock, a PostgreSQL connection) holds one, as each held its own before, so the bound is high.
# A ballot waits for its turn (assembly.middleware) before it takes one.
PAGE_THREADS = 64

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]


class PagesHandler(BaseHandler):
    """Every middleware but the static files', synchronous, around the views."""

    _middleware_chain: Callable[[HttpRequest], HttpResponseBase]

    def __init__(self) -> None:
        super().__init__()
        pages = [path for path in settings.MIDDLEWARE if path != STATIC_MIDDLEWARE]
        with override_settings(MIDDLEWARE=pages):  # how this handler is built, not the site
            self.load_middleware(is_async=False)


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()  # Django's own chain, asynchronous: for static files
        self.pages = PagesHandler()._middleware_chain
        self.static_prefix = urlsplit(settings.STATIC_URL or "/static/").path
        self.threads = ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="page")
        self.ballots = BallotTurns()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or path_info(scope).startswith(self.static_prefix):
            await super().__call__(scope, receive, send)
            return
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body_file):
            response: HttpResponseBase | None
            if is_ballot(scope["method"], path_info(scope)):
                # Its turn is waited for here, holding no thread: a burst of ballots would
                # take every page thread, the facilitator's clicks queued behind them.
                async with self.ballots.turn() as taken:
                    if taken:
                        response = await self.serve(scope, body_file)
                    else:  # the hall has voted all at once for two minutes: try again
                        request, response = self.create_request(scope, body_file)
                        response = busy(request) if request is not None else response
            else:
                response = await self.serve(scope, body_file)
            assert response is not None
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # its content was read just now, through ASGI
                    await sync_to_async(response.close, thread_sensitive=False)()

    async def serve(self, scope: Scope, body_file: IO[bytes]) -> HttpResponseBase:
        page = sync_to_async(self.page, thread_sensitive=False, executor=self.threads)
        return await page(scope, body_file)

    def page(self, scope: Scope, body_file: IO[bytes]) -> HttpResponseBase:
        """A page, from Django's request_started to its response's close, on one thread (as
        ASGIHandler.handle, whose steps each cross into a thread of their own)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        try:
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = self.pages(request)
                response._handler_class = self.__class__  # type: ignore[attr-defined]
                if isinstance(response, FileResponse):  # as Django's: ASGI chunks it
                    response.block_size = self.chunk_size
        except BaseException:  # no response: the connection goes back all the same
            signals.request_finished.send(sender=self.__class__)
            raise
        assert response is not None
        if response.streaming:
            close_old_connections()  # this thread's; the content is read elsewhere, later
        else:
            response.close()  # request_finished: the connection goes back before the answer
        return response


def path_info(scope: Scope) -> str:
    """The request's path within the site, as Django's ASGIRequest finds it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
