"""Every route of the application, here and nowhere else, named ``<feature>.<action>``.

A route that names an object (an id or a county code) has a ``factory=``: a resource class built
on ``assessment.core.resources.Resource`` that loads the object (404 when absent) and carries its
ACL. The order is the matching order.
"""

from __future__ import annotations

from appeals.resources import CaseResource, CountyAppealResource, EvidenceResource
from assessment.core.resources import RoundResource, TeamResource, TokenResource, UserResource
from backchecks.resources import BackcheckResource, CountyQualityResource
from reports.resources import CountyResource, ProvinceResource, ReportVersionResource
from sampling.resources import FrameResource, PlanResource, PlanTeamResource
from surveys.resources import CaptureResource, HouseholdResource, InstrumentVersionResource

# Ids are "[0-9]{1,9}": ASCII digits (``\d`` takes any script's digits) below 2**31, so an id
# too large for the 32-bit columns is a 404, not a database error.
HOUSEHOLD = "/surveys/households/{household:[0-9]{1,9}}"
API_HOUSEHOLD = "/api/households/{household:[0-9]{1,9}}"
CASE = "/appeals/cases/{case_id:[0-9]{1,9}}"
BACKCHECK = "/quality/backchecks/{backcheck_id:[0-9]{1,9}}"
PLAN = "/sampling/plans/{plan_id:[0-9]{1,9}}"
COUNTY_REPORT = "/reports/county/{code}"


def includeme(config) -> None:
    config.add_static_view("static", "assessment:static", cache_max_age=3600)
    add = config.add_route

    # The shell's own pages: log-in, account, administration, teams.
    add("home", "/")
    add("auth.login", "/login")
    add("auth.logout", "/logout")
    add("account.edit", "/account")
    add("account.token_new", "/account/tokens")
    add("account.token_revoke", "/account/tokens/{token_id:\\d+}/revoke", factory=TokenResource)
    add("account.sessions_end", "/account/sessions/end")
    add("admin.tokens", "/admin/tokens")
    add("admin.token_revoke", "/admin/tokens/{token_id:\\d+}/revoke", factory=TokenResource)
    add("admin.users", "/admin/users")
    add("admin.user_new", "/admin/users/new")
    add("admin.user_edit", "/admin/users/{user_id:[0-9]{1,9}}", factory=UserResource)
    add("admin.teams", "/admin/teams")
    add("admin.team_new", "/admin/teams/new")
    add("admin.rounds", "/admin/rounds")
    add("admin.round_new", "/admin/rounds/new")
    add("admin.round_edit", "/admin/rounds/{round_id:[0-9]{1,9}}", factory=RoundResource)
    add("reports.round_icc", "/reports/rounds/{round_id:[0-9]{1,9}}/icc", factory=RoundResource)
    add("team.view", "/teams/{team_id:[0-9]{1,9}}", factory=TeamResource)

    # Surveys: the assessor's households and interviews, review, instruments, the JSON API.
    add("surveys.assignments", "/surveys/assignments")
    add("surveys.household", HOUSEHOLD, factory=HouseholdResource)
    add("surveys.outcome_confirm", HOUSEHOLD + "/outcome", factory=HouseholdResource)
    add("surveys.undo_release", HOUSEHOLD + "/undo-release", factory=HouseholdResource)
    add("surveys.interview", HOUSEHOLD + "/interview", factory=HouseholdResource)
    add("surveys.autosave", HOUSEHOLD + "/interview/autosave", factory=HouseholdResource)
    add("surveys.relevance", HOUSEHOLD + "/interview/relevance", factory=HouseholdResource)
    add("surveys.photo", HOUSEHOLD + "/photo", factory=HouseholdResource)
    add("surveys.capture", HOUSEHOLD + "/capture", factory=CaptureResource)
    add("surveys.service_worker", "/sw.js")
    add("surveys.review", "/surveys/review")
    add("surveys.bulk_approve", "/surveys/review/bulk-approve")
    add("surveys.revisit", "/surveys/review/revisit")
    add(
        "surveys.review_interview",
        "/surveys/review/{household:[0-9]{1,9}}",
        factory=HouseholdResource,
    )
    add("surveys.instruments.model", "/surveys/instruments")
    add(
        "surveys.instrument_new",
        "/surveys/instruments/{version_id:[0-9]{1,9}}/new",
        factory=InstrumentVersionResource,
    )
    add("api.openapi", "/api/openapi.json")
    add("api.tokens", "/api/tokens")
    add("api.assignments", "/api/assignments")
    add("api.offline_day", "/api/offline/day")
    add("api.interview", API_HOUSEHOLD + "/interview", factory=HouseholdResource)
    add("api.outcome", API_HOUSEHOLD + "/outcome", factory=HouseholdResource)
    add("api.draft", API_HOUSEHOLD + "/interview/draft", factory=HouseholdResource)
    add("api.submit", API_HOUSEHOLD + "/interview/submit", factory=HouseholdResource)
    add("api.sync", API_HOUSEHOLD + "/sync", factory=HouseholdResource)

    # Appeals (申诉举证): the county's answer to the published suspected cases.
    add("appeals.list", "/appeals")
    add("appeals.county", "/appeals/county/{code}", factory=CountyAppealResource)
    add("appeals.publish", "/appeals/county/{code}/publish", factory=CountyAppealResource)
    add("appeals.answer", CASE + "/answer", factory=CaseResource)
    add("appeals.rule", CASE + "/rule", factory=CaseResource)
    add("api.appeals_county", "/api/appeals/county/{code}", factory=CountyAppealResource)
    add("api.appeal_answer", "/api" + CASE + "/answer", factory=CaseResource)
    add("api.appeal_evidence", "/api" + CASE + "/evidence", factory=CaseResource)
    add("api.appeal_rule", "/api" + CASE + "/rule", factory=CaseResource)
    add(
        "appeals.evidence",
        "/appeals/evidence/{evidence_id:[0-9]{1,9}}",
        factory=EvidenceResource,
    )

    # Back-checks of the assessors.
    add("backchecks.list", "/quality")
    add("backchecks.county", "/quality/county/{code}", factory=CountyQualityResource)
    add("backchecks.draw", "/quality/county/{code}/draw", factory=CountyQualityResource)
    add("backchecks.mine", "/quality/backchecks")
    add("api.backchecks", "/api/backchecks")
    add("api.backcheck", "/api/backchecks/{backcheck_id:[0-9]{1,9}}", factory=BackcheckResource)
    add("api.quality", "/api/quality/county/{code}", factory=CountyQualityResource)
    add("backchecks.compare", BACKCHECK + "/compare", factory=BackcheckResource)
    add("backchecks.return", BACKCHECK + "/return", factory=BackcheckResource)
    add("backchecks.record", BACKCHECK, factory=BackcheckResource)

    # Sampling: frames and plans.
    add("sampling.frames", "/sampling/frames")
    add("sampling.frame_template", "/sampling/frame-template.csv")
    add("sampling.frame", "/sampling/frames/{frame_id:[0-9]{1,9}}", factory=FrameResource)
    add("sampling.plans", "/sampling/plans")
    add("sampling.plan_new", "/sampling/plans/new")
    add("sampling.sizes", "/sampling/sizes.json")
    add("sampling.plan", PLAN, factory=PlanResource)
    add("sampling.plan_verify", PLAN + "/verify", factory=PlanResource)
    add("sampling.plan_assign", PLAN + "/assign", factory=PlanResource)
    add("sampling.plan_assign_many", PLAN + "/assign-many", factory=PlanResource)
    add("sampling.plan_export", PLAN + "/export.{format}", factory=PlanResource)
    add("sampling.plan_team_list", PLAN + "/teams/{team_id:[0-9]{1,9}}", factory=PlanTeamResource)

    # Reports: the dashboard, a county's report pages and versions, the provincial summary.
    add("dashboard.view", "/dashboard")
    add("reports.list", "/reports")
    add("reports.county", COUNTY_REPORT, factory=CountyResource)
    add("reports.county_draft", COUNTY_REPORT + "/draft.pdf", factory=CountyResource)
    add("reports.county_versions", COUNTY_REPORT + "/versions", factory=CountyResource)
    add(
        "reports.county_close_fieldwork",
        COUNTY_REPORT + "/close-fieldwork",
        factory=CountyResource,
    )
    add("reports.county_export", COUNTY_REPORT + "/export.{format}", factory=CountyResource)
    add(
        "reports.version_pdf",
        "/reports/versions/{version_id:[0-9]{1,9}}.pdf",
        factory=ReportVersionResource,
    )
    add(
        "reports.version_sign_off",
        "/reports/versions/{version_id:[0-9]{1,9}}/sign-off",
        factory=ReportVersionResource,
    )
    add(
        "reports.province_pdf",
        "/reports/province/{province_id:[0-9]{1,9}}.pdf",
        factory=ProvinceResource,
    )
