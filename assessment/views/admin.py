"""Admin pages: users, teams and assessment rounds."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from appeals.services import set_appeal_rights
from assessment.core.errors import DomainError
from assessment.core.forms import (
    CreateTeamForm,
    CreateUserForm,
    EditUserForm,
    ResetPasswordForm,
    RoundForm,
    bind,
    choices,
)
from assessment.core.i18n import N_
from assessment.core.models import NATIONAL_SCHEME, AssessmentRound, Role
from assessment.core.permissions import Permission
from assessment.core.services import (
    TeamService,
    UserService,
    counties,
    counties_by_ids,
    county_by_id,
    rounds_newest_first,
    set_round_counties,
    team_by_id,
)
from assessment.core.views import flash, render_problem


def _team_choices(request):
    teams = TeamService(request.dbsession).list()
    return choices([(0, "—")] + [(t.id, t.name) for t in teams])


def _county_choices(request):
    return choices([(0, "—")] + [(c.id, f"{c.code} {c.name}") for c in counties(request.dbsession)])


def _form_error(request, form, exc: DomainError) -> None:
    field = getattr(form, exc.field or "", None)
    target = field.errors if field is not None else form.form_errors
    if isinstance(target, tuple):
        field.errors = target = list(target)
    target.append(render_problem(request, exc.message))


@view_config(route_name="admin.users", renderer="admin/users.jinja2", permission=Permission.admin)
def users(request):
    """All users with their roles and teams."""
    return {"users": UserService(request.dbsession).list()}


@view_config(
    route_name="admin.user_new", renderer="admin/user_new.jinja2", permission=Permission.admin
)
def user_new(request):
    """Create a user with an initial password."""
    form = bind(CreateUserForm, request)
    form.team_id.choices = _team_choices(request)
    if request.method == "POST" and form.validate():
        team = team_by_id(request.dbsession, form.team_id.data)
        try:
            UserService(request.dbsession).create(
                form.username.data,
                form.password.data,
                Role(form.role.data),
                display_name=form.display_name.data,
                team=team,
            )
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            flash(request, N_("User {name} created."), name=form.username.data)
            return HTTPSeeOther(request.route_url("admin.users"))
    return {"form": form}


@view_config(
    route_name="admin.user_edit", renderer="admin/user_edit.jinja2", permission=Permission.admin
)
def user_edit(request):
    """Change a user's role, team or status, or reset the password."""
    user = request.context.user
    form = bind(EditUserForm, request, obj=user)
    form.team_id.choices = _team_choices(request)
    form.county_id.choices = _county_choices(request)
    reset = bind(ResetPasswordForm, request) if "reset" in request.POST else ResetPasswordForm()
    if request.method == "GET":
        form.role.data, form.team_id.data = user.role.value, user.team_id
    if request.method == "POST" and "reset" in request.POST and reset.validate():
        UserService(request.dbsession).reset_password(user, reset.password.data)
        flash(request, N_("Password of {name} reset."), name=user.username)
        return HTTPSeeOther(request.route_url("admin.users"))
    if request.method == "POST" and "reset" not in request.POST and form.validate():
        team = team_by_id(request.dbsession, form.team_id.data)
        rights = {
            "role": Role(form.role.data),
            "county_id": form.county_id.data,
            "expert": form.appeal_expert.data,
        }
        try:
            set_appeal_rights(request.dbsession, user, **rights, write=False)
            UserService(request.dbsession).update(
                user,
                role=Role(form.role.data),
                team=team,
                active=form.active.data,
                display_name=form.display_name.data,
            )
            set_appeal_rights(request.dbsession, user, **rights)
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            flash(request, N_("User {name} saved."), name=user.username)
            return HTTPSeeOther(request.route_url("admin.users"))
    return {"form": form, "reset": reset, "edited": user}


@view_config(route_name="admin.teams", renderer="admin/teams.jinja2", permission=Permission.admin)
def teams(request):
    """All teams and their members."""
    return {"teams": TeamService(request.dbsession).list()}


@view_config(
    route_name="admin.team_new", renderer="admin/team_new.jinja2", permission=Permission.admin
)
def team_new(request):
    """Create a team."""
    form = bind(CreateTeamForm, request)
    form.home_county_id.choices = _county_choices(request)
    if request.method == "POST" and form.validate():
        county = county_by_id(request.dbsession, form.home_county_id.data)
        try:
            TeamService(request.dbsession).create(form.name.data, home_county=county)
        except DomainError as exc:
            _form_error(request, form, exc)
        else:
            flash(request, N_("Team {name} created."), name=form.name.data)
            return HTTPSeeOther(request.route_url("admin.teams"))
    return {"form": form}


@view_config(route_name="admin.rounds", renderer="admin/rounds.jinja2", permission=Permission.admin)
def rounds(request):
    """Assessment rounds, newest first."""
    return {"rounds": rounds_newest_first(request.dbsession)}


def _round_form(request, assessment_round: AssessmentRound | None):
    form = bind(RoundForm, request, obj=assessment_round)
    form.county_ids.choices = choices(
        (c.id, f"{c.code} {c.name}") for c in counties(request.dbsession)
    )
    if request.method == "GET" and assessment_round is not None:
        for name in RoundForm.PERCENT_FIELDS:
            getattr(form, name).data = round(getattr(assessment_round, name) * 100, 4)
        form.county_ids.data = [c.id for c in assessment_round.counties]
    return form


def _save_round(request, form, assessment_round: AssessmentRound) -> None:
    skip = {"county_ids", *RoundForm.PERCENT_FIELDS}
    for name, field in form._fields.items():
        if name not in skip:
            setattr(assessment_round, name, field.data)
    assessment_round.poverty_line = float(form.poverty_line.data)
    for name in RoundForm.PERCENT_FIELDS:
        setattr(assessment_round, name, float(getattr(form, name).data) / 100)
    chosen = counties_by_ids(request.dbsession, form.county_ids.data)
    set_round_counties(request.dbsession, assessment_round, chosen)


@view_config(
    route_name="admin.round_new", renderer="admin/round.jinja2", permission=Permission.admin
)
@view_config(
    route_name="admin.round_edit", renderer="admin/round.jinja2", permission=Permission.admin
)
def round_edit(request):
    """Create or edit a round: poverty line, thresholds and comparators, counties."""
    # admin.round_edit's factory loaded the round; admin.round_new has none.
    assessment_round = getattr(request.context, "assessment_round", None)
    form = _round_form(request, assessment_round)
    if request.method == "GET" and assessment_round is None:
        defaults = {
            name: value * 100 if name in RoundForm.PERCENT_FIELDS else value
            for name, value in NATIONAL_SCHEME.items()
        }
        form.process(data={"year": 2019, **defaults})
    if request.method == "POST" and form.validate():
        if assessment_round is None:
            assessment_round = AssessmentRound()
            request.dbsession.add(assessment_round)
        _save_round(request, form, assessment_round)
        flash(request, N_("Round {name} saved."), name=assessment_round.name)
        return HTTPSeeOther(request.route_url("admin.rounds"))
    return {"form": form, "edited": assessment_round}
