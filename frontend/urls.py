from django.urls import path

from frontend.views import accounts, competitions, dashboard, entries, health, teams

app_name = "frontend"
urlpatterns = [
    path("", competitions.competition_list, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
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
    # Teams
    path("teams/join/", teams.team_join, name="team-join"),
    path("teams/<int:pk>/", teams.team_detail, name="team-detail"),
    path("teams/<int:pk>/invite-code/", teams.team_rotate_code, name="team-rotate-code"),
    path("teams/<int:pk>/leave/", teams.team_leave, name="team-leave"),
    path("teams/<int:pk>/members/<int:user_id>/remove/", teams.member_remove, name="member-remove"),
    path("teams/<int:pk>/members/<int:user_id>/captain/", teams.member_make_captain, name="member-make-captain"),
    path("teams/<int:pk>/entries/new/", teams.entry_create, name="entry-create"),
    # Entries
    path("entries/<int:pk>/", entries.entry_detail, name="entry-detail"),
    path("entries/<int:pk>/edit/", entries.entry_edit, name="entry-edit"),
    path("entries/<int:pk>/revisions/", entries.revision_upload, name="revision-upload"),
    path("entries/<int:pk>/status.json", entries.entry_status, name="entry-status"),
    path("entries/<int:pk>/uploads/", entries.upload_start, name="upload-start"),
    path("entries/<int:pk>/uploads/<uuid:session_id>/", entries.upload_session, name="upload-session"),
    path(
        "entries/<int:pk>/revisions/<int:revision_pk>/artifacts/<slug:name>",
        entries.revision_artifact,
        name="revision-artifact",
    ),
]
