from django.urls import path

from assembly.live.consumers import RoomConsumer

websocket_urlpatterns = [
    path(
        "ws/meetings/<int:meeting_id>/<str:audience>/",
        RoomConsumer.as_asgi(),
        name="room-socket",
    ),
]
