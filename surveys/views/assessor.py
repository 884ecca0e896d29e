"""The assessor's pages: assignments, contact outcome, the questionnaire (save, submit)."""

from __future__ import annotations

import math

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from assessment.i18n import N_
from assessment.permissions import Permission
from assessment.resources import query_id
from assessment.services import DomainError
from assessment.views import flash, render_problem
from sampling.models import PlanHousehold
from surveys import assignments as work
from surveys.labels import ACTION_LABELS, INTERVIEW_STATUS_LABELS, OUTCOME_LABELS
from surveys.models import INTERVIEWED, OUTCOMES, InterviewPhoto, ReserveRelease
from surveys.review import ReviewService
from surveys.schemas import without_problems
from surveys.views import (
    answer_forms,
    field_name,
    instruments_of,
    posted_answers,
    problem_label,
    relevance,
    survey_settings,
    team_scope,
)
from surveys.views.history import readable_history
from surveys.workflow import (
    AnswersRefused,
    InterviewService,
    PhotoNotStored,
    StaleInterview,
    SubmissionRejected,
    add_photo,
    load_answers,
)

PHOTO_TYPES = ("image/jpeg", "image/png")


def service_for(request) -> InterviewService:
    return InterviewService(request.dbsession, settings=survey_settings(request))


@view_config(
    route_name="surveys.assignments",
    renderer="surveys/assignments.jinja2",
    permission=Permission.interview_edit,
)
def assignments(request):
    """The team's households by village, with status, progress and search."""
    team = team_scope(request)
    village_id = request.GET.get("village", "")
    village = query_id(village_id)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()
    db = request.dbsession
    everything = work.assignments(db, team)
    filters = {
        "village_id": village,
        "status": status if status in INTERVIEW_STATUS_LABELS else None,
        "search": search or None,
    }
    # Unfiltered (the usual case), the shown list is the whole list: no second query.
    shown = work.assignments(db, team, **filters) if any(filters.values()) else everything
    return {
        "items": shown,
        "progress": work.progress(everything),
        "villages": work.team_villages(db, team),
        "status_names": INTERVIEW_STATUS_LABELS,
        "filters": {"village": village_id, "status": status, "q": search},
    }


def _release_of(db, ph: PlanHousehold):
    """The releases this household took part in: (replacing me, I replaced)."""
    from sqlalchemy import select

    by_me = db.scalar(select(ReserveRelease).where(ReserveRelease.replaced_id == ph.id))
    of_me = db.scalar(select(ReserveRelease).where(ReserveRelease.reserve_id == ph.id))
    return by_me, of_me


@view_config(
    route_name="surveys.household",
    renderer="surveys/household.jinja2",
    permission=Permission.household_view,
    request_method="GET",
)
def household(context, request):
    """The household (blinded: head, id, village), its outcome and its interview status."""
    replaced_by, replaces = _release_of(request.dbsession, context.plan_household)
    return {
        "context": context,
        "interview": context.interview,
        "outcomes": OUTCOME_LABELS,
        "status_names": INTERVIEW_STATUS_LABELS,
        "replaced_by": replaced_by,
        "replaces": replaces,
        "can_edit": request.has_permission(Permission.interview_edit, context),
    }


@view_config(
    route_name="surveys.household", permission=Permission.interview_edit, request_method="POST"
)
def record_outcome(context, request):
    """Record the contact outcome; a non-interview releases the next reserve."""
    outcome = request.POST.get("outcome", "")
    here = request.route_url("surveys.household", household=context.plan_household.id)
    if outcome not in OUTCOMES:
        flash(request, N_("Choose a contact outcome."), "error")
        return HTTPSeeOther(here)
    try:
        result = service_for(request).record_outcome(context.plan_household, outcome, request.user)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
        return HTTPSeeOther(here)
    if outcome == INTERVIEWED:
        return HTTPSeeOther(
            request.route_url("surveys.interview", household=context.plan_household.id)
        )
    if result.release is not None:
        reserve = result.release.reserve.household
        flash(
            request,
            N_("Reserve household {head} ({id}) released in its place."),
            head=reserve.head_name,
            id=reserve.household_id,
        )
    elif result.no_reserve_left:
        flash(request, N_("No reserve household is left in this village and stratum."), "error")
    return HTTPSeeOther(request.route_url("surveys.assignments"))


def _location(request):
    try:
        lat, lon = float(request.POST["lat"]), float(request.POST["lon"])
    except (KeyError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    try:
        accuracy = float(request.POST.get("accuracy", ""))
    except ValueError:
        accuracy = None
    return lat, lon, accuracy if accuracy is not None and math.isfinite(accuracy) else None


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _photo_bytes(request, limit: int) -> bytes | None:
    upload = request.POST.get("photo")
    if not hasattr(upload, "file"):
        return None
    try:
        data = upload.file.read(limit + 1)
    finally:
        upload.file.close()  # the multipart parser's temporary file
    return data or None


def _page(request, context, answers, *, problems=(), stale=None, error=None, version=None):
    interview = context.interview
    instruments = instruments_of(interview)
    results, _ = service_for(request).check(interview, answers, for_submission=False)
    comments: dict[str, list] = {}
    for comment in ReviewService(request.dbsession).open_comments(interview):
        comments.setdefault(field_name(comment.field_path), []).append(comment)
    photo = request.dbsession.query(InterviewPhoto.sha256).filter_by(interview_id=interview.id)
    return {
        "context": context,
        "interview": interview,
        "instruments": instruments,
        "forms": answer_forms(request, instruments, answers, problems),
        "relevant": relevance(results),
        "problems": [
            (p, problem_label(instruments, p.field_path, request.locale_name)) for p in problems
        ],
        "stale": stale,
        "error": error,
        "version": interview.version if version is None else version,
        "comments": comments,
        "all_comments": [
            (c, problem_label(instruments, c.field_path, request.locale_name))
            for group in comments.values()
            for c in group
        ],
        "history": readable_history(request.dbsession, interview, instruments, request.locale_name),
        "photos": [row[0] for row in photo],
        "status_names": INTERVIEW_STATUS_LABELS,
        "action_names": ACTION_LABELS,
        "editable": interview.status in ("draft", "returned"),
    }


@view_config(
    route_name="surveys.interview",
    renderer="surveys/interview.jinja2",
    permission=Permission.interview_edit,
)
def interview(context, request):
    """The questionnaire: resume a draft, save it, or submit it."""
    if context.interview is None or context.interview.contact_outcome != INTERVIEWED:
        return HTTPSeeOther(
            request.route_url("surveys.household", household=context.plan_household.id)
        )
    if request.method != "POST":
        return _page(request, context, load_answers(context.interview))
    return _save(context, request)


def _save(context, request):
    service, item = service_for(request), context.interview
    answers = posted_answers(request, instruments_of(item))
    kwargs = {
        "base_version": _version(request),
        "user": request.user,
        "location": _location(request),
    }
    photo = _photo_bytes(request, service.settings.photo_max_bytes)
    try:
        if photo is not None:
            add_photo(service, item, photo, request.user)
        if "submit" in request.POST:
            service.submit(item, answers, **kwargs)
            flash(request, N_("Interview submitted for review."))
            return HTTPSeeOther(request.route_url("surveys.assignments"))
        service.save_draft(item, answers, **kwargs)
    except AnswersRefused as exc:
        request.response.status = 400
        shown = without_problems(answers, exc.problems)
        return _page(request, context, shown, problems=exc.problems, error=exc.message)
    except PhotoNotStored as exc:
        request.response.status = 400
        return _page(request, context, answers, error=exc.message)
    except SubmissionRejected as exc:
        request.response.status = 400
        return _page(request, context, answers, problems=exc.problems, error=exc.message)
    except StaleInterview as exc:
        request.response.status = 409
        return _page(request, context, answers, stale=exc, error=exc.message)
    except DomainError as exc:
        request.response.status = 409
        return _page(request, context, answers, error=exc.message)
    flash(request, N_("Draft saved."))
    return HTTPSeeOther(request.route_url("surveys.interview", household=context.plan_household.id))


@view_config(
    route_name="surveys.autosave",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="POST",
)
def autosave(context, request):
    """Save a draft when the page is left (sendBeacon / fetch keepalive); answers JSON."""
    item = context.interview
    if item is None or item.contact_outcome != INTERVIEWED:
        request.response.status = 404
        return {"error": "not_found"}
    answers = posted_answers(request, instruments_of(item))
    try:
        service_for(request).save_draft(
            item,
            answers,
            base_version=_version(request),
            user=request.user,
            location=_location(request),
        )
    except AnswersRefused as exc:
        request.response.status = 400
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            errors.setdefault(p.field_path, []).append(render_problem(request, p.message))
        return {
            "error": "invalid",
            "message": render_problem(request, exc.message),
            "errors": errors,
        }
    except StaleInterview as exc:
        request.response.status = 409
        return {"error": "stale", "message": render_problem(request, exc.message)}
    except DomainError as exc:
        request.response.status = 409
        return {"error": "locked", "message": render_problem(request, exc.message)}
    request.dbsession.flush()
    return {"saved": True, "version": item.version}


@view_config(
    route_name="surveys.relevance",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="POST",
)
def live_relevance(context, request):
    """Which questions are asked given what is typed (skip logic, nothing saved)."""
    item = context.interview
    if item is None:
        request.response.status = 404
        return {"error": "not_found"}
    answers = posted_answers(request, instruments_of(item))
    service = service_for(request)
    try:
        service.check_bounds(answers)
    except AnswersRefused as exc:
        request.response.status = 400
        return {"error": "invalid", "message": render_problem(request, exc.message)}
    results, _ = service.check(item, answers, for_submission=False)
    return {"relevant": relevance(results)}


@view_config(route_name="surveys.photo", permission=Permission.household_view)
def photo(context, request):
    """The latest house photo of the interview."""
    from sqlalchemy import select

    item = context.interview
    row = None
    if item is not None:
        query = select(InterviewPhoto).where(InterviewPhoto.interview_id == item.id)
        row = request.dbsession.scalars(query.order_by(InterviewPhoto.id.desc()).limit(1)).first()
    if row is None:
        from pyramid.httpexceptions import HTTPNotFound

        raise HTTPNotFound()
    # Stored photos are JPEGs this server encoded; older rows keep their checked type. Never
    # sniffed as anything else, and offered as a file, not a page.
    content_type = row.content_type if row.content_type in PHOTO_TYPES else "image/jpeg"
    response = Response(body=row.data, content_type=content_type, cache_control="private")
    response.headers["X-Content-Type-Options"] = "nosniff"
    extension = "png" if content_type == "image/png" else "jpg"
    response.content_disposition = f'inline; filename="photo-{row.id}.{extension}"'
    return response
