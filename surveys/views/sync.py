"""The phone's sync queue: ``POST /api/households/{id}/sync``, one queued change a request.

The body is the questionnaire page's own form fields (``multipart/form-data`` or
url-encoded, as the page's ``FormData`` sends them), plus ``key`` (the idempotency key) and
``action`` (outcome, draft, submit or photo). Session requests carry the CSRF token in the
``X-CSRF-Token`` header; bearer-token requests need none. A retry with the same key gets
the first answer again (``"replayed": true``) and changes nothing.
"""

from __future__ import annotations

import contextlib

from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.permissions import Permission
from assessment.core.resources import query_id
from surveys.models import INTERVIEWED, OUTCOMES
from surveys.sync import (
    ACTIONS,
    MSG_BAD_ACTION,
    MSG_BAD_KEY,
    MSG_KEY_REUSED,
    ReceiptStore,
    SyncAnswer,
    existing_outcome,
    outcome_body,
    parse_visit_times,
    record_client_visits,
    release_of,
    same_answers,
    valid_key,
    visits_body,
)
from surveys.views import (
    close_spooled_body,
    display_value,
    instruments_of,
    posted_answers,
    problem_label,
)
from surveys.views.api import check_csrf_unless_bearer
from surveys.views.assessor import location_of, photo_bytes, posted_version, service_for
from surveys.workflow import (
    ABSENT,
    PARTS,
    REPLACEABLE,
    AnswersRefused,
    PhotoNotStored,
    StaleInterview,
    SubmissionRejected,
    VisitsNeeded,
    add_photo,
)

MSG_NO_OUTCOME = N_("Choose a contact outcome.")
MSG_NOT_STARTED = N_("The household's interview is not started: send its contact outcome first.")
MSG_NO_PHOTO = N_("No photo was sent.")
MSG_NO_VISIT = N_("No visit of a household that is replaced by a reserve was sent.")


def _error(request, status: int, code: str, message: Message, **extra) -> SyncAnswer:
    body = {"error": code, "message": message.render(request.locale_name)}
    return SyncAnswer(status, body | extra)


def _errors(request, problems) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.field_path, []).append(p.message.render(request.locale_name))
    return out


@view_config(
    route_name="api.sync",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="POST",
    require_csrf=False,
)
def sync(context, request):
    """Apply one queued change once, whatever the number of retries."""
    check_csrf_unless_bearer(request)
    close_spooled_body(request)
    key = request.headers.get("Idempotency-Key") or request.POST.get("key", "")
    action = request.POST.get("action", "")
    if not valid_key(key):
        answer = _error(request, 400, "invalid", Message(MSG_BAD_KEY))
    elif action not in ACTIONS:
        answer = _error(request, 400, "invalid", Message(MSG_BAD_ACTION))
    else:
        answer = _once(context, request, key, action)
    request.response.status = answer.status
    return answer.body


def _once(context, request, key: str, action: str) -> SyncAnswer:
    store, ph = ReceiptStore(request.dbsession), context.plan_household
    row = store.find(request.user, key)
    if row is None:
        row = store.claim(request.user, key, ph, action)
        if row is not None:
            answer = ACT[action](context, request)
            store.settle(row, answer)
            return answer
        row = store.find(request.user, key)  # a simultaneous retry stored it first
    answer = store.replay(row, ph, action) if row is not None else None
    if answer is None:
        return _error(request, 409, "conflict", Message(MSG_KEY_REUSED))
    return answer


def _client_visits(service, request, ph):
    """Record the 不在家 visits the phone sends (``visit_at``, the phone's times); None when
    it sends none or the household is not replaced (screening)."""
    values = request.POST.getall("visit_at")
    if not values or ph.role not in REPLACEABLE:
        return None
    return record_client_visits(service, ph, parse_visit_times(values), request.user)


def _visit(context, request) -> SyncAnswer:
    """不在家 visits made offline before the round's rule was met: recorded, no outcome."""
    service, ph = service_for(request), context.plan_household
    if not request.POST.getall("visit_at") or ph.role not in REPLACEABLE:
        return _error(request, 400, "invalid", Message(MSG_NO_VISIT))
    try:
        visits = _client_visits(service, request, ph)
    except DomainError as exc:
        return _error(request, 409, "conflict", exc.message)
    request.dbsession.flush()
    return SyncAnswer(200, visits_body(visits))


def _outcome(context, request) -> SyncAnswer:
    value, ph = request.POST.get("outcome", ""), context.plan_household
    if value not in OUTCOMES:
        return _error(request, 400, "invalid", Message(MSG_NO_OUTCOME))
    service = service_for(request)
    item = existing_outcome(service, ph, value)
    if item is not None:  # the same outcome, recorded by another device or an earlier send
        result = release_of(request.dbsession, item, ph)
        body = outcome_body(result, created=False)
    else:
        try:
            if value == ABSENT:
                # The phone's visits first (its clock, within bounds); the service then
                # decides the release from every recorded visit, as online.
                _client_visits(service, request, ph)
            result = service.record_outcome(ph, value, request.user)
        except VisitsNeeded as exc:
            request.dbsession.flush()
            visits = visits_body(service.visits(ph))
            return _error(request, 409, "visits_needed", exc.message, **visits)
        except DomainError as exc:
            return _error(request, 409, "conflict", exc.message)
        request.dbsession.flush()
        body = outcome_body(result, created=True)
    # A reserve released offline from the day's cached reserves: the server's own release
    # decides, and the phone is told whether it picked the same household.
    expected = query_id(request.POST.get("reserve", ""))
    if expected is not None:
        released = body["released_reserve"]
        body["reserve_confirmed"] = released is not None and released["id"] == expected
    return SyncAnswer(200, body)


def _changes(request, item, exc: StaleInterview) -> list[dict]:
    instruments, language = instruments_of(item), request.locale_name
    out = []
    for c in exc.changes:
        part, _, rest = c.path.partition(".")
        if c.theirs == c.yours or part not in PARTS:
            continue  # the same on both sides, or not an answer
        try:
            question = instruments[part].question(rest)
            theirs = display_value(question, c.theirs, language)
            yours = display_value(question, c.yours, language)
        except KeyError:
            theirs, yours = c.theirs, c.yours
        label = problem_label(instruments, c.path, language)
        out.append({"path": c.path, "label": label, "theirs": theirs, "yours": yours})
    return out


def _apply(service, item, answers, *, submit: bool, kwargs: dict) -> None:
    """Save or submit; a version that moved on without any answer differing from the
    phone's (the outcome recorded by another device, a photo, the same value typed on two
    phones) is no conflict: the change applies on the newer version."""
    action = service.submit if submit else service.save_draft
    try:
        action(item, answers, **kwargs)
    except StaleInterview as exc:
        if any(c.path.partition(".")[0] in PARTS and c.theirs != c.yours for c in exc.changes):
            raise
        action(item, answers, **(kwargs | {"base_version": exc.current_version}))


def _save(context, request, *, submit: bool) -> SyncAnswer:
    item = context.interview
    if item is None or item.contact_outcome != INTERVIEWED:
        return _error(request, 404, "not_found", Message(MSG_NOT_STARTED))
    service = service_for(request)
    answers = posted_answers(request, instruments_of(item))
    base = posted_version(request)
    if same_answers(item, answers):
        if not submit:  # sent twice (the page saved it on leaving): nothing new to store
            return SyncAnswer(200, {"status": item.status, "version": item.version})
        base = item.version
    kwargs = {"base_version": base, "user": request.user, "location": location_of(request)}
    try:
        _apply(service, item, answers, submit=submit, kwargs=kwargs)
    except AnswersRefused as exc:
        return _error(request, 400, "invalid", exc.message, errors=_errors(request, exc.problems))
    except SubmissionRejected as exc:
        # Not submitted, but nothing typed is lost: the answers are kept as the draft.
        with contextlib.suppress(DomainError):  # not even a draft: the phone still holds them
            service.save_draft(item, answers, **kwargs)
        request.dbsession.flush()
        return _error(
            request,
            422,
            "invalid",
            exc.message,
            errors=_errors(request, exc.problems),
            version=item.version,
        )
    except StaleInterview as exc:
        changes = _changes(request, item, exc)
        return _error(
            request, 409, "stale", exc.message, version=exc.current_version, changes=changes
        )
    except DomainError as exc:
        return _error(request, 409, "locked", exc.message, status=item.status)
    request.dbsession.flush()
    body = {"status": item.status, "version": item.version}
    if submit:
        body["verdict"] = item.verdict
    return SyncAnswer(200, body)


def _photo(context, request) -> SyncAnswer:
    item = context.interview
    if item is None or item.contact_outcome != INTERVIEWED:
        return _error(request, 404, "not_found", Message(MSG_NOT_STARTED))
    service = service_for(request)
    data = photo_bytes(request, service.settings.photo_max_bytes)
    if data is None:
        return _error(request, 400, "invalid", Message(MSG_NO_PHOTO))
    try:
        row = add_photo(service, item, data, request.user)
    except PhotoNotStored as exc:
        return _error(request, 400, "invalid", exc.message)
    except DomainError as exc:
        return _error(request, 409, "locked", exc.message)
    request.dbsession.flush()
    return SyncAnswer(200, {"sha256": row.sha256, "size": row.size, "version": item.version})


ACT = {
    "visit": _visit,
    "outcome": _outcome,
    "draft": lambda context, request: _save(context, request, submit=False),
    "submit": lambda context, request: _save(context, request, submit=True),
    "photo": _photo,
}
