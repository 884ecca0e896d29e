"""Offline capture: the service worker, the day's work for the phone, the cached questionnaire."""

from __future__ import annotations

from importlib.resources import files

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from assessment.core.permissions import Permission
from surveys.models import INTERVIEWED
from surveys.offline import OPEN_STATUSES, blank_interview, day_of_work
from surveys.views import team_scope
from surveys.views.assessor import interview_page, service_for
from surveys.workflow import load_answers

SERVICE_WORKER = files("assessment") / "static" / "js" / "sw.js"


@view_config(route_name="surveys.service_worker", permission=NO_PERMISSION_REQUIRED)
def service_worker(request):
    """The service worker, served from the site's root so its scope covers every page.

    A static script (the same for everyone, nothing of a user in it), so served to anyone:
    a browser re-fetches it to look for an update whatever the session, and a redirect to
    the log-in page would fail the update. ``no-cache`` with an ETag: the browser asks each
    time and a new version is taken at once, an unchanged one costs a 304.
    """
    response = Response(
        body=SERVICE_WORKER.read_bytes(),
        content_type="text/javascript",
        charset="utf-8",
        conditional_response=True,
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    response.md5_etag()
    return response


def _pages(request, household_id: int, *, household_page: bool) -> list[dict]:
    pages = []
    if household_page:
        url = request.route_path("surveys.household", household=household_id)
        pages.append({"url": url, "key": url})
    pages.append(
        {
            "url": request.route_path("surveys.capture", household=household_id),
            "key": request.route_path("surveys.interview", household=household_id),
        }
    )
    return pages


def _household(h, rules=None, visits=None) -> dict:
    return {
        "visit_rule": (rules or {}).get(h.id),
        "visits": (visits or {}).get(h.id, []),
        "id": h.id,
        "household_id": h.household_id,
        "head_name": h.head_name,
        "village": h.village,
        "township": h.township,
        "status": h.status,
        "version": h.version,
        "reserve_queue": h.reserve_queue,
    }


@view_config(route_name="api.offline_day", renderer="json", permission=Permission.interview_edit)
def offline_day(request):
    """What the phone caches for the day: pages (URL and cache key), households, reserves.

    Only a team's own work: coordinators and admins (who see every team's list) cache none.
    """
    team = team_scope(request)
    day = day_of_work(request.dbsession, team if team is not None else -1)
    work_list = request.route_path("surveys.assignments")
    pages = [{"url": work_list, "key": work_list}]
    for h in day.households:
        open_ = h.status in OPEN_STATUSES
        if open_:
            pages += _pages(request, h.id, household_page=True)
        else:
            url = request.route_path("surveys.household", household=h.id)
            pages.append({"url": url, "key": url})
    for queue in day.reserves.values():
        for h in queue:
            pages += _pages(request, h.id, household_page=False)
    ids = [h.id for h in day.households] + [h.id for q in day.reserves.values() for h in q]
    rules, visits = service_for(request).offline_visits(ids)
    return {
        "user": request.user.id,
        "households": [_household(h, rules, visits) for h in day.households],
        "reserves": {
            q: [_household(h, rules, visits) for h in rows] for q, rows in day.reserves.items()
        },
        "pages": pages,
    }


@view_config(
    route_name="surveys.capture",
    renderer="surveys/interview.jinja2",
    permission=Permission.interview_edit,
    request_method="GET",
)
def capture(context, request):
    """The questionnaire as the phone caches it: blank (version 0) if not started yet."""
    if context.interview is None:
        context.interview = blank_interview(request.dbsession, context.plan_household)
    if context.interview is None or context.interview.contact_outcome != INTERVIEWED:
        raise HTTPNotFound()
    return interview_page(request, context, load_answers(context.interview))
