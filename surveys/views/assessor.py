"""The assessor's pages: assignments, contact outcome, the questionnaire (save, submit)."""

from __future__ import annotations

import math

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.i18n import N_
from assessment.core.models import Role
from assessment.core.permissions import Permission
from assessment.core.photos import thumbnail
from assessment.core.resources import query_id
from assessment.core.views import flash, render_problem
from surveys import assignments as work
from surveys.labels import ACTION_LABELS, INTERVIEW_STATUS_LABELS, OUTCOME_LABELS, VERDICT_LABELS
from surveys.models import INTERVIEWED, OUTCOMES
from surveys.photo_store import interview_photo, photo_digests
from surveys.review import ReviewService
from surveys.schemas import without_problems
from surveys.views import (
    answer_forms,
    field_name,
    html_name,
    instruments_of,
    posted_answers,
    problem_label,
    relevance,
    shown_changes,
    survey_settings,
    team_scope,
)
from surveys.views.history import readable_history
from surveys.workflow import (
    ABSENT,
    REPLACEABLE,
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
    """The team's households by county and village, with status, progress and search."""
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
        "groups": work.grouped(shown),
        "progress": work.progress(everything),
        "villages": work.team_villages(db, team),
        "status_names": INTERVIEW_STATUS_LABELS,
        "filters": {"village": village_id, "status": status, "q": search},
    }


@view_config(
    route_name="surveys.household",
    renderer="surveys/household.jinja2",
    permission=Permission.household_view,
    request_method="GET",
)
def household(context, request):
    """The household (blinded: head, id, village), its outcome, visits and interview status."""
    service = service_for(request)
    ph = context.plan_household
    replaced_by, replaces = service.release_of(ph), service.release_bringing_in(ph)
    can_edit = request.has_permission(Permission.interview_edit, context)
    return {
        "context": context,
        "interview": context.interview,
        "outcomes": OUTCOME_LABELS,
        "status_names": INTERVIEW_STATUS_LABELS,
        "replaced_by": replaced_by,
        "replaces": replaces,
        "can_undo": can_edit
        and replaced_by is not None
        and not service.reserve_started(replaced_by),
        "visits": service.visits(ph) if ph.role in REPLACEABLE else None,
        "can_edit": can_edit,
        # The first visit of a re-visited household: history for reviewers and coordinators
        # (never shown to assessors: the re-visit is asked afresh).
        "earlier": [
            (i, readable_history(request.dbsession, i, instruments_of(i), request.locale_name))
            for i in (service.superseded_of(ph) if request.user.role != Role.assessor else ())
        ],
        "action_names": ACTION_LABELS,
        "verdict_names": VERDICT_LABELS,
    }


@view_config(
    route_name="surveys.household", permission=Permission.interview_edit, request_method="POST"
)
def record_outcome(context, request):
    """Record the contact outcome. 不在家 is one visit until the round's rule is met; every
    non-interview is confirmed on a page naming the reserve it releases."""
    outcome = request.POST.get("outcome", "")
    ph = context.plan_household
    here = request.route_url("surveys.household", household=ph.id)
    if outcome not in OUTCOMES:
        flash(request, N_("Choose a contact outcome."), "error")
        return HTTPSeeOther(here)
    service = service_for(request)
    try:
        if outcome != INTERVIEWED and "confirm" not in request.POST:
            return _visit_or_confirm(request, service, ph, outcome)
        result = service.record_outcome(ph, outcome, request.user)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
        return HTTPSeeOther(here)
    if outcome == INTERVIEWED:
        return HTTPSeeOther(request.route_url("surveys.interview", household=ph.id))
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


def _visit_or_confirm(request, service, ph, outcome):
    """不在家 records a visit; once the rule is met (or for any other outcome), the
    confirmation page."""
    if outcome == ABSENT and ph.role in REPLACEABLE:
        visits = service.record_visit(ph, request.user)
        if visits.needed:
            flash(
                request,
                N_(
                    "Visit {n} recorded: nobody at home. Visits still needed before a reserve "
                    "household is released: {needed} (the next from {time})."
                ),
                n=len(visits.attempts),
                needed=visits.needed,
                time=visits.next_from.strftime("%m-%d %H:%M"),
            )
            return HTTPSeeOther(request.route_url("surveys.household", household=ph.id))
    return HTTPSeeOther(
        request.route_url("surveys.outcome_confirm", household=ph.id, _query={"outcome": outcome})
    )


@view_config(
    route_name="surveys.outcome_confirm",
    renderer="surveys/outcome_confirm.jinja2",
    permission=Permission.interview_edit,
    request_method="GET",
)
def outcome_confirm(context, request):
    """Confirm a non-interview outcome: which reserve household it releases, if any."""
    outcome = request.GET.get("outcome", "")
    ph = context.plan_household
    if outcome not in OUTCOMES or outcome == INTERVIEWED:
        return HTTPSeeOther(request.route_url("surveys.household", household=ph.id))
    service = service_for(request)
    current = service.interview_of(ph)
    return {
        "context": context,
        "outcome": outcome,
        "outcomes": OUTCOME_LABELS,
        "revisit": current is not None and current.revisit_of_id is not None,
        "reserve": service.next_reserve(ph),
        "replaced": ph.role in REPLACEABLE,
        "visits": service.visits(ph) if outcome == ABSENT else None,
    }


@view_config(
    route_name="surveys.undo_release", permission=Permission.interview_edit, request_method="POST"
)
def undo_release(context, request):
    """Withdraw the reserve released in place of this household (audited)."""
    ph = context.plan_household
    try:
        reserve = service_for(request).undo_release(ph, request.user)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(
            request,
            N_("Reserve household {head} ({id}) withdrawn; this household is open again."),
            head=reserve.household.head_name,
            id=reserve.household.household_id,
        )
    return HTTPSeeOther(request.route_url("surveys.household", household=ph.id))


def location_of(request):
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


def posted_version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def photo_bytes(request, limit: int) -> bytes | None:
    upload = request.POST.get("photo")
    if not hasattr(upload, "file"):
        return None
    try:
        data = upload.file.read(limit + 1)
    finally:
        upload.file.close()  # the multipart parser's temporary file
    return data or None


def interview_page(
    request,
    context,
    answers,
    *,
    problems=(),
    stale=None,
    error=None,
    version=None,
    kept=False,
    photo_error=None,
):
    interview = context.interview
    instruments = instruments_of(interview)
    results, _ = service_for(request).check(interview, answers, for_submission=False)
    comments: dict[str, list] = {}
    for comment in ReviewService(request.dbsession).open_comments(interview):
        comments.setdefault(field_name(comment.field_path), []).append(comment)
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
        "stale_changes": (
            shown_changes(instruments, stale.changes, request.locale_name) if stale else []
        ),
        "error": error,
        "photo_error": photo_error,
        "kept": kept,
        "version": interview.version if version is None else version,
        "comments": comments,
        "all_comments": [
            (c, problem_label(instruments, c.field_path, request.locale_name))
            for group in comments.values()
            for c in group
        ],
        "history": readable_history(request.dbsession, interview, instruments, request.locale_name),
        "photos": photo_digests(request.dbsession, interview),
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
        return interview_page(request, context, load_answers(context.interview))
    return _save(context, request)


def _save(context, request):
    """Save or submit; whatever goes wrong (a refused photo, a refused submission), what was
    typed is kept as a draft on the server unless it cannot be stored at all."""
    service, item = service_for(request), context.interview
    answers = posted_answers(request, instruments_of(item))
    kwargs = {
        "base_version": posted_version(request),
        "user": request.user,
        "location": location_of(request),
    }
    photo = photo_bytes(request, service.settings.photo_max_bytes)
    photo_error = rejected = None
    try:
        photo_error = _store_photo(service, item, photo, request.user)
        if "submit" in request.POST and photo_error is None:
            try:
                service.submit(item, answers, **kwargs)
            except SubmissionRejected as exc:
                rejected = exc
            else:
                flash(request, N_("Interview submitted for review."))
                return HTTPSeeOther(request.route_url("surveys.assignments"))
        service.save_draft(item, answers, **kwargs)
    except AnswersRefused as exc:
        request.response.status = 400
        shown = without_problems(answers, exc.problems)
        return interview_page(request, context, shown, problems=exc.problems, error=exc.message)
    except StaleInterview as exc:
        request.response.status = 409
        return interview_page(request, context, answers, stale=exc, error=exc.message)
    except DomainError as exc:
        request.response.status = 409
        return interview_page(request, context, answers, error=exc.message)
    if rejected is not None or photo_error is not None:
        request.response.status = 400
        problems = rejected.problems if rejected is not None else ()
        error = (rejected or photo_error).message
        refused_photo = photo_error.message if photo_error is not None else None
        return interview_page(
            request,
            context,
            answers,
            problems=problems,
            error=error,
            kept=True,
            photo_error=refused_photo,
        )
    flash(request, N_("Draft saved."))
    return HTTPSeeOther(request.route_url("surveys.interview", household=context.plan_household.id))


def _store_photo(service, item, photo, user) -> PhotoNotStored | None:
    """Store the uploaded photo; a refused one is returned (answers are saved regardless)."""
    if photo is None:
        return None
    try:
        add_photo(service, item, photo, user)
    except PhotoNotStored as exc:
        return exc
    return None


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
            base_version=posted_version(request),
            user=request.user,
            location=location_of(request),
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
    """Which questions are asked, and the draft's problems (range, cross-field checks), given
    what is typed (nothing saved); both keyed by the page's field names."""
    item = context.interview
    if item is None:
        request.response.status = 404
        return {"error": "not_found"}
    rows: dict = {}
    answers = posted_answers(request, instruments_of(item), rows=rows)
    service = service_for(request)
    try:
        service.check_bounds(answers)
    except AnswersRefused as exc:
        request.response.status = 400
        return {"error": "invalid", "message": render_problem(request, exc.message)}
    results, problems = service.check(item, answers, for_submission=False)
    shown: dict[str, list[str]] = {}
    for p in problems:
        part, _, path = p.field_path.partition(".")
        shown.setdefault(html_name(part, path, rows), []).append(render_problem(request, p.message))
    return {"relevant": relevance(results, rows), "problems": shown}


@view_config(route_name="surveys.photo", permission=Permission.household_view)
def photo(context, request):
    """A photo of the interview (the latest unless ``?id=``), full size or ``?size=thumb``;
    whoever may see the household may see its photos, nobody else (the route's ACL)."""
    from pyramid.httpexceptions import HTTPNotFound

    item = context.interview
    if item is None:
        raise HTTPNotFound()
    photo_id = None
    if "id" in request.GET:
        photo_id = query_id(request.GET["id"])
        if photo_id is None:
            raise HTTPNotFound()
    row = interview_photo(request.dbsession, item, photo_id)
    if row is None:
        raise HTTPNotFound()
    # Stored photos are JPEGs this server encoded; older rows keep their checked type. Never
    # sniffed as anything else, and offered as a file, not a page.
    content_type = row.content_type if row.content_type in PHOTO_TYPES else "image/jpeg"
    body = row.data
    if request.GET.get("size") == "thumb":
        body, content_type = thumbnail(row.data), "image/jpeg"
    response = Response(body=body, content_type=content_type, cache_control="private")
    response.headers["X-Content-Type-Options"] = "nosniff"
    extension = "png" if content_type == "image/png" else "jpg"
    response.content_disposition = f'inline; filename="photo-{row.id}.{extension}"'
    return response
