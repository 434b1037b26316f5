from django.urls import path

from assembly.views import home, rooms

app_name = "assembly"

urlpatterns = [
    path("", home.home, name="home"),
    path("m/<int:meeting_id>/", rooms.participant, name="meeting-room"),
    path("m/<int:meeting_id>/console/", rooms.console, name="meeting-console"),
    path("m/<int:meeting_id>/projector/", rooms.projector, name="meeting-projector"),
    path("m/<int:meeting_id>/start/", rooms.start, name="meeting-start"),
    path("m/<int:meeting_id>/next/", rooms.next_item, name="meeting-next"),
    path("m/<int:meeting_id>/items/<int:item_id>/go/", rooms.go_to, name="meeting-go-to"),
    path("m/<int:meeting_id>/adjourn/", rooms.adjourn, name="meeting-adjourn"),
]
