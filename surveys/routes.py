"""Routes of the survey feature (included from ``assessment.routes``)."""

from surveys.resources import CaptureResource, HouseholdResource

HOUSEHOLD = "/surveys/households/{household:[0-9]{1,9}}"
API_HOUSEHOLD = "/api/households/{household:[0-9]{1,9}}"


def includeme(config) -> None:
    """Add every survey route, and the bearer-token tween of the JSON API."""
    add = config.add_route
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
    add("surveys.instrument_new", "/surveys/instruments/{version_id:[0-9]{1,9}}/new")
    add("api.openapi", "/api/openapi.json")
    add("api.tokens", "/api/tokens")
    add("api.assignments", "/api/assignments")
    add("api.offline_day", "/api/offline/day")
    add("api.interview", API_HOUSEHOLD + "/interview", factory=HouseholdResource)
    add("api.outcome", API_HOUSEHOLD + "/outcome", factory=HouseholdResource)
    add("api.draft", API_HOUSEHOLD + "/interview/draft", factory=HouseholdResource)
    add("api.submit", API_HOUSEHOLD + "/interview/submit", factory=HouseholdResource)
    add("api.sync", API_HOUSEHOLD + "/sync", factory=HouseholdResource)
    config.add_tween(
        "assessment.core.tokens.bearer_tween_factory", under="pyramid_tm.tm_tween_factory"
    )
