"""ASGI entry point: HTTP through Django (ballots through the ballot box first), websockets
through the live layer's consumers."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

from config.handlers import OneHopASGIHandler  # noqa: E402

# Django's handler, entering a page's middleware and view once (config/handlers.py).
django_asgi_app = OneHopASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from assembly.ballot_box import BallotBox  # noqa: E402
from assembly.live.auth import auth_stack  # noqa: E402
from assembly.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # A burst of ballots is taken in batches before Django's stack (assembly/ballot_box.py).
        "http": BallotBox(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(auth_stack(URLRouter(websocket_urlpatterns))),
    }
)
