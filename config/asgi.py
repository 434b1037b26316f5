"""ASGI entry point: HTTP through Django (ballots through the ballot box first), websockets
through the live layer's consumers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

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
