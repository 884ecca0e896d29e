"""Every route in one place, named ``<feature>.<action>``."""

from __future__ import annotations

from assessment.core.resources import TeamResource
from sampling.resources import FrameResource, PlanResource


def includeme(config) -> None:
    # Ids are "[0-9]{1,9}": ASCII digits (``\d`` takes any script's digits) below 2**31, so
    # an id too large for the 32-bit columns is a 404, not a database error.
    config.add_static_view("static", "assessment:static", cache_max_age=3600)
    config.add_route("home", "/")
    config.add_route("auth.login", "/login")
    config.add_route("auth.logout", "/logout")
    config.add_route("account.edit", "/account")
    config.add_route("account.token_new", "/account/tokens")
    config.add_route("account.token_revoke", "/account/tokens/{token_id:\\d+}/revoke")
    config.add_route("account.sessions_end", "/account/sessions/end")
    config.add_route("admin.tokens", "/admin/tokens")
    config.add_route("admin.token_revoke", "/admin/tokens/{token_id:\\d+}/revoke")
    config.add_route("admin.users", "/admin/users")
    config.add_route("admin.user_new", "/admin/users/new")
    config.add_route("admin.user_edit", "/admin/users/{user_id:[0-9]{1,9}}")
    config.add_route("admin.teams", "/admin/teams")
    config.add_route("admin.team_new", "/admin/teams/new")
    config.add_route("admin.rounds", "/admin/rounds")
    config.add_route("admin.round_new", "/admin/rounds/new")
    config.add_route("admin.round_edit", "/admin/rounds/{round_id:[0-9]{1,9}}")
    config.add_route("team.view", "/teams/{team_id:[0-9]{1,9}}", factory=TeamResource.from_request)

    config.include("surveys.routes")  # the survey feature's routes, kept beside its views
    config.include("appeals.routes")  # the appeal (申诉举证) pages
    config.include("backchecks.routes")  # back-checks of the assessors

    config.add_route("sampling.frames", "/sampling/frames")
    config.add_route("sampling.frame_template", "/sampling/frame-template.csv")
    config.add_route(
        "sampling.frame", "/sampling/frames/{frame_id:[0-9]{1,9}}", factory=FrameResource
    )
    config.add_route("sampling.plans", "/sampling/plans")
    config.add_route("sampling.plan_new", "/sampling/plans/new")
    config.add_route("sampling.sizes", "/sampling/sizes.json")
    config.add_route("sampling.plan", "/sampling/plans/{plan_id:[0-9]{1,9}}", factory=PlanResource)
    config.add_route(
        "sampling.plan_verify", "/sampling/plans/{plan_id:[0-9]{1,9}}/verify", factory=PlanResource
    )
    config.add_route(
        "sampling.plan_assign", "/sampling/plans/{plan_id:[0-9]{1,9}}/assign", factory=PlanResource
    )
    config.add_route(
        "sampling.plan_assign_many",
        "/sampling/plans/{plan_id:[0-9]{1,9}}/assign-many",
        factory=PlanResource,
    )
    config.add_route(
        "sampling.plan_export",
        "/sampling/plans/{plan_id:[0-9]{1,9}}/export.{format}",
        factory=PlanResource,
    )
    config.add_route(
        "sampling.plan_team_list",
        "/sampling/plans/{plan_id:[0-9]{1,9}}/teams/{team_id:[0-9]{1,9}}",
        factory=PlanResource,
    )

    config.add_route("dashboard.view", "/dashboard")
    config.add_route("reports.list", "/reports")
    config.add_route("reports.county", "/reports/county/{code}")
    config.add_route("reports.county_draft", "/reports/county/{code}/draft.pdf")
    config.add_route("reports.county_versions", "/reports/county/{code}/versions")
    config.add_route("reports.county_close_fieldwork", "/reports/county/{code}/close-fieldwork")
    config.add_route("reports.county_export", "/reports/county/{code}/export.{format}")
    config.add_route("reports.version_pdf", "/reports/versions/{version_id:[0-9]{1,9}}.pdf")
    config.add_route(
        "reports.version_sign_off", "/reports/versions/{version_id:[0-9]{1,9}}/sign-off"
    )
    config.add_route("reports.province_pdf", "/reports/province/{province_id:[0-9]{1,9}}.pdf")
