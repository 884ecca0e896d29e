"""The supervisor's pages: queue, one interview (approve or return), bulk approval, re-visits."""

from __future__ import annotations

import json

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.i18n import N_
from assessment.core.permissions import Permission
from assessment.core.views import flash, render_problem
from surveys.instruments.model import Group
from surveys.labels import (
    ACTION_LABELS,
    INTERVIEW_STATUS_LABELS,
    OUTCOME_LABELS,
    STANDARD_LABELS,
    VERDICT_LABELS,
)
from surveys.photo_store import photo_ids
from surveys.quality import flags_from_json
from surveys.review import ReviewService
from surveys.views import (
    display_value,
    instruments_of,
    problem_label,
    team_scope,
)
from surveys.views.history import readable_history
from surveys.workflow import load_answers


@view_config(
    route_name="surveys.review",
    renderer="surveys/review.jinja2",
    permission=Permission.interview_review,
)
def queue(request):
    """Submitted interviews of the supervisor's team with their quality flags."""
    service = ReviewService(request.dbsession)
    team = team_scope(request)
    return {
        "queue": service.queue(team),
        "draws": service.revisit_households(service.draws(team)),
        "verdict_names": VERDICT_LABELS,
    }


@view_config(
    route_name="surveys.bulk_approve", permission=Permission.interview_review, request_method="POST"
)
def bulk_approve(request):
    """Approve every unflagged submitted interview of the team (never the reviewer's own)."""
    result = ReviewService(request.dbsession).bulk_approve(team_scope(request), request.user)
    flash(request, N_("{count} interviews approved."), count=result.approved)
    if result.own_work:
        flash(
            request,
            N_(
                "{count} interviews you recorded or edited yourself were left for another "
                "supervisor to approve."
            ),
            "error",
            count=result.own_work,
        )
    return HTTPSeeOther(request.route_url("surveys.review"))


@view_config(
    route_name="surveys.revisit", permission=Permission.interview_review, request_method="POST"
)
def revisit(request):
    """Draw a random share of approved interviews for a re-visit check (seeded, recorded)."""
    try:
        share = float(request.POST.get("percent", "")) / 100
        seed_text = request.POST.get("seed", "").strip()
        seed = int(seed_text) if seed_text else None
        draw = ReviewService(request.dbsession).draw_revisit(
            team_scope(request), share, request.user, seed=seed
        )
    except ValueError:
        flash(
            request, N_("Give a share between 1 and 100 percent and a whole-number seed."), "error"
        )
    else:
        flash(
            request,
            N_("{count} interviews drawn for a re-visit (seed {seed})."),
            count=len(json.loads(draw.interview_ids_json)),
            seed=draw.seed,
        )
    return HTTPSeeOther(request.route_url("surveys.review"))


def _answer_rows(instruments, answers, language):
    """(section title, [(path, label, text)]) of both parts for the read-only review page."""
    out = []
    for part, instrument in instruments.items():
        given = answers[part]
        for section in instrument.sections:
            rows = []
            for item in section.items:
                if isinstance(item, Group):
                    for i, row in enumerate(given.get(item.name) or []):
                        for q in item.questions:
                            label = f"{item.label.get(language)} {i + 1} · {q.label.get(language)}"
                            rows.append(
                                (
                                    f"{part}.{item.name}.{i}.{q.name}",
                                    label,
                                    display_value(q, row.get(q.name), language),
                                )
                            )
                else:
                    rows.append(
                        (
                            f"{part}.{item.name}",
                            item.label.get(language),
                            display_value(item, given.get(item.name), language),
                        )
                    )
            out.append((section.title.get(language), rows))
    return out


@view_config(
    route_name="surveys.review_interview",
    renderer="surveys/review_interview.jinja2",
    permission=Permission.interview_review,
)
def review_interview(context, request):
    """One interview with its derived values, flags and history; approve or return it."""
    item = context.interview
    if item is None or item.contact_outcome != "interviewed":
        return HTTPSeeOther(
            request.route_url("surveys.household", household=context.plan_household.id)
        )
    service = ReviewService(request.dbsession)
    if request.method == "POST":
        try:
            if "approve" in request.POST:
                service.approve(item, request.user)
                flash(request, N_("Interview approved."))
            else:
                comments = [
                    (k[len("comment:") :], v)
                    for k, v in request.POST.items()
                    if k.startswith("comment:")
                ]
                service.return_(item, request.user, comments)
                flash(request, N_("Interview returned to the assessor."))
            return HTTPSeeOther(request.route_url("surveys.review"))
        except DomainError as exc:
            request.response.status = 409
            request.session.flash(render_problem(request, exc.message), "error")
    instruments = instruments_of(item)
    return {
        "context": context,
        "interview": item,
        "sections": _answer_rows(instruments, load_answers(item), request.locale_name),
        "flags": flags_from_json(item.flags_json),
        "standards": json.loads(item.standards_json or "{}"),
        "photos": photo_ids(request.dbsession, item),
        "comments": [
            (c, problem_label(instruments, c.field_path, request.locale_name))
            for c in service.open_comments(item)
        ],
        "history": readable_history(request.dbsession, item, instruments, request.locale_name),
        "status_names": INTERVIEW_STATUS_LABELS,
        "verdict_names": VERDICT_LABELS,
        "standard_names": STANDARD_LABELS,
        "outcomes": OUTCOME_LABELS,
        "action_names": ACTION_LABELS,
    }
