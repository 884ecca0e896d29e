"""Templates, languages, static assets and the navigation each role sees."""

from __future__ import annotations

import gc

from pyramid.csrf import get_csrf_token
from pyramid.events import ApplicationCreated, BeforeRender, NewRequest, NewResponse

from assessment.core import labels
from assessment.core.i18n import LANGUAGES, N_, translate
from assessment.core.permissions import Permission

LOCALE_PARAM = "_LOCALE_"

# (route name, label, permission): shown only to users holding the permission and only
# once the route exists, so features appear in the menu as they are included.
NAVIGATION = (
    ("home", N_("Home"), Permission.home),
    ("dashboard.view", N_("Dashboard"), Permission.dashboard),
    ("sampling.frames", N_("Frames"), Permission.frame),
    ("sampling.plans", N_("Sampling plans"), Permission.plan_view),
    ("surveys.assignments", N_("My assignments"), Permission.interview_edit),
    ("surveys.review", N_("Review"), Permission.interview_review),
    ("reports.list", N_("Reports"), Permission.report),
    ("appeals.list", N_("Appeals"), Permission.appeal_view),
    ("backchecks.list", N_("Back-checks"), Permission.quality_view),
    ("admin.users", N_("Users"), Permission.admin),
    ("admin.teams", N_("Teams"), Permission.admin),
    ("admin.rounds", N_("Assessment rounds"), Permission.admin),
    ("admin.tokens", N_("API tokens"), Permission.admin),
    ("surveys.instruments.model", N_("Questionnaires"), Permission.admin),
)


def negotiate_locale(request) -> str:
    """An explicit ``?_LOCALE_=``, then the language cookie, the user's preference, the default."""
    for candidate in (request.params.get(LOCALE_PARAM), request.cookies.get(LOCALE_PARAM)):
        if candidate in LANGUAGES:
            return candidate
    user = request.user
    if user is not None and user.language in LANGUAGES:
        return user.language
    return request.registry.app_settings.default_language


def _remember_language(event) -> None:
    """Keep a language chosen with ``?_LOCALE_=`` for the following pages."""
    chosen = event.request.params.get(LOCALE_PARAM)
    if chosen in LANGUAGES:
        event.response.set_cookie(
            LOCALE_PARAM, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )


FLASH_KEEP = 3  # messages kept per queue for the next page shown
FLASH_CHARS = 300  # characters kept of one message


def _bound_flash_queues(request, _response) -> None:
    """Keep the newest few flash messages: a client that never shows a page (a script
    posting again and again) would otherwise grow its session past a cookie's 4 kB."""
    session = request.session
    for key in [k for k in session if isinstance(k, str) and k.startswith("_f_")]:
        messages = session[key]
        if len(messages) > FLASH_KEEP or any(len(str(m)) > FLASH_CHARS for m in messages):
            session[key] = [str(m)[:FLASH_CHARS] for m in messages[-FLASH_KEEP:]]


def _on_new_request(event) -> None:
    # Added first, so it runs before the session writes its cookie.
    event.request.add_response_callback(_bound_flash_queues)


def navigation(request) -> list[tuple[str, str]]:
    """The menu of the current user: (url, label) pairs."""
    from assessment.core.security import RootFactory

    mapper = request.registry.queryUtility(_route_mapper_iface())
    # The role's menu, the same on every page: checked against the site's root, not the
    # page's own resource (a household's ACL would grant and deny other things).
    root = RootFactory(request)
    items = []
    for route_name, label, permission in NAVIGATION:
        if mapper.get_route(route_name) is None:
            continue
        if request.has_permission(permission, root):
            items.append((request.route_url(route_name), translate(label, request.locale_name)))
    return items


def _route_mapper_iface():
    from pyramid.interfaces import IRoutesMapper

    return IRoutesMapper


def _template_globals(event) -> None:
    from assessment.core.forms import ROLE_LABELS

    request = event.get("request")
    if request is None:
        return
    event["csrf_token"] = get_csrf_token(request)
    event["language"] = request.locale_name
    event["other_language"] = "en" if request.locale_name == "zh" else "zh"
    event["role_labels"] = ROLE_LABELS
    event["status_labels"] = labels.STATUS_LABELS
    event["village_type_labels"] = labels.VILLAGE_TYPE_LABELS
    event["plan_role_labels"] = labels.PLAN_ROLE_LABELS
    event["indicator_labels"] = labels.INDICATOR_LABELS
    event["confidence_labels"] = labels.CONFIDENCE_LABELS
    event["county_verdict_labels"] = labels.COUNTY_VERDICT_LABELS
    event["official_labels"] = labels.OFFICIAL_LABELS
    event["county_state_labels"] = labels.COUNTY_STATE_LABELS
    event["response_group_labels"] = labels.RESPONSE_GROUP_LABELS
    event["stratum_labels"] = labels.STRATUM_LABELS
    event["draw_stage_labels"] = labels.DRAW_STAGE_LABELS
    event["language_labels"] = labels.LANGUAGE_LABELS
    event["ci_method_labels"] = labels.CI_METHOD_LABELS
    event["instrument_labels"] = labels.INSTRUMENT_LABELS
    event["note_labels"] = labels.NOTE_LABELS
    # Dynamic msgids (form labels, messages from the cores) go through ``tx``, not ``_``:
    # Jinja's new-style gettext would %-format them.
    language = request.locale_name
    event["tx"] = lambda msgid, **mapping: translate(msgid, language, **mapping)


def _freeze_startup_objects(_event) -> None:
    """Take the objects built at start-up out of the cyclic garbage collector's scans.

    A built app holds about 200,000 long-lived objects (routes, views, templates, SQLAlchemy
    mappers, translations); every full (generation 2) collection walked them all, 100-300 ms
    on the 2-core benchmark machine during which every thread of the process stalls - that
    pause, a few times a minute under load, set the load run's 99th percentiles. Frozen
    objects are never collected, so collect the start-up garbage first.
    """
    gc.collect()
    gc.freeze()


def _add_filters(config) -> None:
    """The number filters on every page, whatever filters the ini file lists."""
    from assessment import templating

    def register() -> None:
        filters = config.get_jinja2_environment().filters
        for name in ("format_percent", "format_number", "format_yuan", "format_duration"):
            filters.setdefault(name, getattr(templating, name))

    config.action(None, register, order=999)


def includeme(config) -> None:
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    _add_filters(config)
    config.add_jinja2_search_path("assessment:templates", name=".jinja2")
    config.add_translation_dirs("assessment:locale")
    config.set_locale_negotiator(negotiate_locale)
    config.add_subscriber(_remember_language, NewResponse)
    config.add_subscriber(_on_new_request, NewRequest)
    config.add_tween(
        "assessment.core.guard.form_guard_tween_factory", over="pyramid_tm.tm_tween_factory"
    )
    config.add_subscriber(_template_globals, BeforeRender)
    config.add_request_method(navigation, "navigation", reify=True)
    config.add_subscriber(_freeze_startup_objects, ApplicationCreated)
