from django.urls import path

from assembly.views import agenda, attendance, decisions, home, join, minutes, proposals, rooms
from assembly.views import organizations as orgs

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
    path("m/<int:meeting_id>/close-item/", rooms.close_item, name="meeting-close-item"),
    # joining and attendance
    path("join/", join.join, name="join"),
    path("join/<str:code>/", join.join_code, name="join-code"),
    path("m/<int:meeting_id>/check-in/", join.check_in, name="meeting-check-in"),
    path("m/<int:meeting_id>/leave/", join.leave, name="meeting-leave"),
    path("m/<int:meeting_id>/attendance/", attendance.attendance, name="meeting-attendance"),
    path(
        "m/<int:meeting_id>/attendance/<int:attendee_id>/admit/",
        attendance.admit,
        name="attendee-admit",
    ),
    path(
        "m/<int:meeting_id>/attendance/<int:attendee_id>/remove/",
        attendance.remove,
        name="attendee-remove",
    ),
    path(
        "m/<int:meeting_id>/attendance/waiting/turn-away/",
        attendance.turn_away_waiting,
        name="attendance-turn-away-waiting",
    ),
    path(
        "m/<int:meeting_id>/attendance/<int:attendee_id>/vote/",
        attendance.set_vote,
        name="attendee-vote",
    ),
    path(
        "m/<int:meeting_id>/attendance/roll/<int:membership_id>/check-in/",
        attendance.check_in_by_hand,
        name="attendee-check-in-by-hand",
    ),
    path("m/<int:meeting_id>/proxies/", attendance.assign_proxy, name="proxy-assign"),
    path(
        "m/<int:meeting_id>/proxies/<int:proxy_id>/withdraw/",
        attendance.withdraw_proxy,
        name="proxy-withdraw",
    ),
    # minutes
    path("m/<int:meeting_id>/minutes/", minutes.page, name="minutes"),
    path("m/<int:meeting_id>/minutes.md", minutes.markdown, name="minutes-markdown"),
    path("m/<int:meeting_id>/minutes.pdf", minutes.pdf, name="minutes-pdf"),
    path("m/<int:meeting_id>/minutes/publish/", minutes.publish, name="minutes-publish"),
    path("m/<int:meeting_id>/minutes/history/", minutes.history, name="minutes-history"),
    path(
        "m/<int:meeting_id>/minutes/items/<int:item_id>/notes/",
        minutes.save_notes,
        name="minutes-notes",
    ),
    path(
        "m/<int:meeting_id>/minutes/action-items/",
        minutes.add_action_item,
        name="minutes-action-add",
    ),
    path(
        "m/<int:meeting_id>/action-items/<int:action_item_id>/review/",
        minutes.review_action_item,
        name="action-item-review",
    ),
    # proposals from the floor
    path("m/<int:meeting_id>/proposals/", proposals.submit, name="proposal-submit"),
    path("m/<int:meeting_id>/proposals/for/", proposals.submit_for, name="proposal-submit-for"),
    *(
        path(f"m/<int:meeting_id>/proposals/<int:proposal_id>/{slug}/", view, name=name)
        for slug, view, name in (
            ("amend", proposals.amend, "proposal-amend"),
            ("withdraw", proposals.withdraw, "proposal-withdraw"),
            ("floor", proposals.bring_to_floor, "proposal-floor"),
            ("attach", proposals.attach, "proposal-attach"),
            ("decline", proposals.decline, "proposal-decline"),
            ("stage", proposals.stage, "proposal-stage"),
            ("consensus", proposals.consensus, "proposal-consensus"),
            ("refer", proposals.refer, "proposal-refer"),
            ("table", proposals.table, "proposal-table"),
        )
    ),
    path(
        "m/<int:meeting_id>/amendments/<int:amendment_id>/answer/",
        proposals.answer,
        name="amendment-answer",
    ),
    path(
        "m/<int:meeting_id>/amendments/<int:amendment_id>/vote/",
        proposals.put_to_vote,
        name="amendment-vote",
    ),
    # decisions
    path("m/<int:meeting_id>/decisions/", decisions.create, name="decision-create"),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/open/",
        decisions.open_round,
        name="decision-open",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/close/",
        decisions.close,
        name="decision-close",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/fallback/",
        decisions.fallback,
        name="decision-fallback",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/round/",
        decisions.show_round,
        name="decision-round",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/lot/",
        decisions.draw_lot,
        name="decision-lot",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/again/",
        decisions.hold_again,
        name="decision-again",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/contest/",
        decisions.contest,
        name="decision-contest",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/vote/",
        decisions.vote,
        name="decision-vote",
    ),
    path(
        "m/<int:meeting_id>/decisions/<int:decision_id>/assisted/",
        decisions.assisted_vote,
        name="decision-assisted",
    ),
    # the speakers' stack and temperature checks
    path("m/<int:meeting_id>/stack/hands/", rooms.raise_hand, name="stack-raise"),
    path(
        "m/<int:meeting_id>/stack/hands/<int:request_id>/lower/",
        rooms.lower_hand,
        name="stack-lower",
    ),
    path("m/<int:meeting_id>/stack/next/", rooms.call_next, name="stack-next"),
    path("m/<int:meeting_id>/stack/finish/", rooms.finish_speaker, name="stack-finish"),
    path("m/<int:meeting_id>/stack/close/", rooms.close_stack, name="stack-close"),
    path(
        "m/<int:meeting_id>/stack/<int:request_id>/move/<str:direction>/",
        rooms.move_request,
        name="stack-move",
    ),
    path(
        "m/<int:meeting_id>/stack/<int:request_id>/remove/",
        rooms.remove_request,
        name="stack-remove",
    ),
    path("m/<int:meeting_id>/temperature/", rooms.open_temperature, name="temperature-open"),
    path(
        "m/<int:meeting_id>/temperature/close/", rooms.close_temperature, name="temperature-close"
    ),
    path(
        "m/<int:meeting_id>/temperature/answer/",
        rooms.respond_temperature,
        name="temperature-respond",
    ),
    # organizations
    path("organizations/new/", orgs.create, name="organization-create"),
    path("o/<slug:slug>/", orgs.page, name="organization"),
    path("o/<slug:slug>/settings/", orgs.settings, name="organization-settings"),
    path("o/<slug:slug>/privacy/", orgs.privacy, name="organization-privacy"),
    path("o/<slug:slug>/people/add/", orgs.add_person, name="organization-add-person"),
    path("o/<slug:slug>/people/<int:membership_id>/", orgs.member, name="organization-member"),
    path(
        "o/<slug:slug>/people/<int:membership_id>/remove/",
        orgs.remove,
        name="organization-remove",
    ),
    path("o/<slug:slug>/invitations/", orgs.invite, name="organization-invite"),
    path(
        "o/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        orgs.revoke,
        name="organization-revoke",
    ),
    path("o/<slug:slug>/roll/import/", orgs.import_roll, name="organization-import"),
    path("o/<slug:slug>/roll.csv", orgs.export_roll, name="organization-export"),
    path("o/<slug:slug>/decisions/", minutes.decision_log, name="decision-log"),
    path("o/<slug:slug>/my-action-items/", minutes.my_action_items, name="my-action-items"),
    path("invite/<str:token>/", orgs.invitation, name="invitation"),
    # agenda
    path("o/<slug:slug>/meetings/new/", agenda.new_meeting, name="meeting-new"),
    path("m/<int:meeting_id>/agenda/", agenda.editor, name="agenda"),
    path("m/<int:meeting_id>/agenda/settings/", agenda.edit_settings, name="meeting-settings"),
    path("m/<int:meeting_id>/agenda/items/", agenda.add_item, name="agenda-add"),
    path("m/<int:meeting_id>/agenda/quick-add/", agenda.quick_add, name="agenda-quick-add"),
    path("m/<int:meeting_id>/agenda/items/<int:item_id>/", agenda.edit_item, name="agenda-item"),
    path(
        "m/<int:meeting_id>/agenda/items/<int:item_id>/delete/",
        agenda.delete_item,
        name="agenda-item-delete",
    ),
    path(
        "m/<int:meeting_id>/agenda/items/<int:item_id>/move/",
        agenda.move_item,
        name="agenda-item-move",
    ),
    path(
        "m/<int:meeting_id>/agenda/items/<int:item_id>/park/",
        agenda.park_item,
        name="agenda-item-park",
    ),
    path(
        "m/<int:meeting_id>/agenda/items/<int:item_id>/restore/",
        agenda.restore_item,
        name="agenda-item-restore",
    ),
]
