"""Django's ASGI handler, with a page request crossing from the event loop into a thread once.

Under ASGI, Django builds its middleware chain asynchronous, and its own middleware
(MiddlewareMixin) then runs each `process_request`, `process_view` and `process_response` in a
`sync_to_async` of its own, around the ballot queue's synchronous step and the (synchronous)
view: about twenty hand-offs between the event loop and a thread per request, 15% of a
facilitator's click (Python calls counted in process, make bench's click). The views are
synchronous, so here the chain of every page is built synchronous and entered once. Static
files keep Django's asynchronous chain: ServeStatic's middleware is asynchronous only, and a
file is served there, headers and compression as before. (Django's ticket #37177 takes the
same hand-offs out of Django itself.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase
from django.test.utils import override_settings

STATIC_MIDDLEWARE = "servestatic.middleware.ServeStaticMiddleware"


class PagesHandler(BaseHandler):
    """Every middleware but the static files', synchronous, around the views."""

    _middleware_chain: Callable[[HttpRequest], HttpResponseBase]

    def __init__(self) -> None:
        super().__init__()
        pages = [path for path in settings.MIDDLEWARE if path != STATIC_MIDDLEWARE]
        with override_settings(MIDDLEWARE=pages):  # how this handler is built, not the site
            self.load_middleware(is_async=False)


class OneHopASGIHandler(ASGIHandler):
    _middleware_chain: Callable[[HttpRequest], Awaitable[HttpResponseBase]]

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=True)  # Django's own: for static files
        static_files = self._middleware_chain
        pages = sync_to_async(PagesHandler()._middleware_chain, thread_sensitive=True)
        static_prefix = urlsplit(settings.STATIC_URL or "/static/").path

        async def chain(request: HttpRequest) -> HttpResponseBase:
            if request.path_info.startswith(static_prefix):
                return await static_files(request)
            return await pages(request)

        self._middleware_chain = chain
