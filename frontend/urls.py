from django.urls import path

from frontend.views import (
    accounts,
    competitions,
    dashboard,
    entries,
    health,
    judging,
    notifications,
    organise,
    organise_announcements,
    organise_awards,
    organise_panel,
    organise_people,
    organise_results,
    organise_rounds,
    results,
    site,
    teams,
)

app_name = "frontend"
urlpatterns = [
    path("", competitions.competition_list, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", site.favicon, name="favicon"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications-read"),
    path("announcements/<int:pk>/dismiss/", notifications.announcement_dismiss, name="announcement-dismiss"),
    # Accounts
    path("accounts/sign-up/", accounts.sign_up, name="sign-up"),
    path("accounts/check-inbox/", accounts.check_inbox, name="check-inbox"),
    path("accounts/confirm/resend/", accounts.resend_confirmation, name="resend-confirmation"),
    path("accounts/confirm/<uidb64>/<token>/", accounts.confirm_email, name="confirm-email"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path("accounts/password-reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("accounts/profile/", accounts.profile_edit, name="profile"),
    # Competitions
    path("competitions/<slug:slug>/", competitions.competition_detail, name="competition-detail"),
    path("competitions/<slug:slug>/teams/new/", teams.team_create, name="team-create"),
    # Results
    path("competitions/<slug:slug>/results/", results.competition_results, name="competition-results"),
    # Teams
    path("teams/join/", teams.team_join, name="team-join"),
    path("teams/<int:pk>/", teams.team_detail, name="team-detail"),
    path("teams/<int:pk>/invite-code/", teams.team_rotate_code, name="team-rotate-code"),
    path("teams/<int:pk>/leave/", teams.team_leave, name="team-leave"),
    path("teams/<int:pk>/members/<int:user_id>/remove/", teams.member_remove, name="member-remove"),
    path("teams/<int:pk>/members/<int:user_id>/captain/", teams.member_make_captain, name="member-make-captain"),
    path("teams/<int:pk>/entries/new/", teams.entry_create, name="entry-create"),
    path("teams/<int:pk>/invitations/", teams.invitation_create, name="invitation-create"),
    path("teams/<int:pk>/invitations/<int:invitation_id>/revoke/", teams.invitation_revoke, name="invitation-revoke"),
    path("teams/invitations/<slug:token>/", teams.invitation_accept, name="invitation-accept"),
    # Entries
    path("entries/<int:pk>/", entries.entry_detail, name="entry-detail"),
    path("entries/<int:pk>/edit/", entries.entry_edit, name="entry-edit"),
    path("entries/<int:pk>/revisions/", entries.revision_upload, name="revision-upload"),
    path(
        "entries/<int:pk>/revisions/<int:revision_pk>/use-fixed/",
        entries.revision_use_fixed,
        name="revision-use-fixed",
    ),
    path("entries/<int:pk>/status.json", entries.entry_status, name="entry-status"),
    path(
        "entries/<int:pk>/revisions/<int:revision_pk>/artifacts/<slug:name>",
        entries.revision_artifact,
        name="revision-artifact",
    ),
    # Judge panel
    path("judging/", judging.judge_home, name="judge-home"),
    path("judging/rounds/<int:round_id>/", judging.judge_queue, name="judge-queue"),
    path("judging/rounds/<int:round_id>/conflicts/", judging.judge_conflicts, name="judge-conflicts"),
    path("judging/entries/<int:round_entry_id>/", judging.judge_entry, name="judge-entry"),
    path(
        "judging/entries/<int:round_entry_id>/conflict/", judging.judge_conflict_declare, name="judge-conflict-declare"
    ),
    path("judging/entries/<int:round_entry_id>/<slug:name>", judging.judge_artifact, name="judge-artifact"),
    # Organiser console
    path("organise/", organise.home, name="organise-home"),
    path("organise/audit/", organise.audit_log, name="organise-audit"),
    path("organise/competitions/<slug:slug>/rounds/new/", organise.round_create, name="organise-round-create"),
    path("organise/competitions/<slug:slug>/awards/", organise_awards.track_awards, name="organise-awards"),
    path(
        "organise/competitions/<slug:slug>/announcements/",
        organise_announcements.announcements_page,
        name="organise-announcements",
    ),
    path("organise/competitions/<slug:slug>/organisers/", organise_people.organiser_list, name="organise-organisers"),
    path(
        "organise/competitions/<slug:slug>/organisers/<int:organiser_id>/remove/",
        organise_people.organiser_remove,
        name="organise-organiser-remove",
    ),
    path("organise/rounds/<int:pk>/", organise_rounds.round_detail, name="organise-round"),
    path("organise/rounds/<int:pk>/settings/", organise_rounds.round_update, name="organise-round-update"),
    path("organise/rounds/<int:pk>/open/", organise_rounds.round_open, name="organise-round-open"),
    path("organise/rounds/<int:pk>/close/", organise_rounds.round_close, name="organise-round-close"),
    path("organise/rounds/<int:pk>/criteria/", organise_rounds.criterion_create, name="organise-criterion-create"),
    path(
        "organise/rounds/<int:pk>/criteria/<int:criterion_id>/",
        organise_rounds.criterion_update,
        name="organise-criterion-update",
    ),
    path(
        "organise/rounds/<int:pk>/criteria/<int:criterion_id>/delete/",
        organise_rounds.criterion_delete,
        name="organise-criterion-delete",
    ),
    path("organise/rounds/<int:pk>/panel/", organise_panel.round_panel, name="organise-round-panel"),
    path("organise/rounds/<int:pk>/judges/", organise_panel.judge_invite, name="organise-judge-invite"),
    path(
        "organise/rounds/<int:pk>/judges/<int:panelist_id>/withdraw/",
        organise_panel.judge_withdraw,
        name="organise-judge-withdraw",
    ),
    path("organise/rounds/<int:pk>/conflicts/", organise_panel.conflict_create, name="organise-conflict-create"),
    path(
        "organise/rounds/<int:pk>/conflicts/<int:conflict_id>/remove/",
        organise_panel.conflict_remove,
        name="organise-conflict-remove",
    ),
    path("organise/rounds/<int:pk>/assignments/", organise_panel.round_assignments, name="organise-round-assignments"),
    path("organise/rounds/<int:pk>/assign/", organise_panel.round_assign, name="organise-round-assign"),
    path("organise/rounds/<int:pk>/assignments/add/", organise_panel.assignment_add, name="organise-assignment-add"),
    path(
        "organise/rounds/<int:pk>/assignments/<int:assignment_id>/remove/",
        organise_panel.assignment_remove,
        name="organise-assignment-remove",
    ),
    path(
        "organise/rounds/<int:pk>/sheets/<int:sheet_id>/reopen/",
        organise_panel.sheet_reopen,
        name="organise-sheet-reopen",
    ),
    path("organise/rounds/<int:pk>/leaderboard/", organise_results.leaderboard, name="organise-leaderboard"),
    path("organise/rounds/<int:pk>/publish/", organise_results.round_publish, name="organise-round-publish"),
    path("organise/rounds/<int:pk>/shortlist/", organise_results.shortlist_set, name="organise-shortlist"),
    path("organise/rounds/<int:pk>/scores.csv", organise_results.scores_csv, name="organise-scores-csv"),
    # End of the organiser console
]
