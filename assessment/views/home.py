"""The landing page and the user's own account."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.forms import AccountForm, bind
from assessment.core.i18n import N_
from assessment.core.models import Role, utcnow
from assessment.core.permissions import Permission
from assessment.core.security import check_password, restart_session
from assessment.core.services import UserService, current_rounds
from assessment.core.tokens import tokens_of
from assessment.core.views import flash, render_problem


@view_config(route_name="home", renderer="home.jinja2", permission=Permission.home)
def home(request):
    """What the user can do next, by role."""
    user = request.user
    # A county liaison sees its own county's appeal and nothing of the rounds' other counties.
    rounds = [] if user.role == Role.liaison else current_rounds(request.dbsession)
    return {"user": user, "rounds": rounds}


@view_config(route_name="account.edit", renderer="account.jinja2", permission=Permission.account)
def account(request):
    """Change one's own name, language and password."""
    user = request.user
    form = bind(AccountForm, request, obj=user)
    if request.method == "GET":
        form.language.data = user.language or request.locale_name
    headers = []
    if request.method == "POST" and form.validate():
        if form.new_password.data:
            if not check_password(user.password_hash, form.current_password.data or ""):
                form.current_password.errors.append(N_("The current password is wrong."))
                return _page(request, form)
            try:
                UserService(request.dbsession).reset_password(user, form.new_password.data)
            except DomainError as exc:
                form.new_password.errors.append(render_problem(request, exc.message))
                return _page(request, form)
            # Every session and token of the user ended with the old password; this device
            # goes on in a new session.
            headers = restart_session(request, user)
        user.display_name = form.display_name.data
        user.language = form.language.data
        flash(request, N_("Your account is saved."))
        response = HTTPSeeOther(request.route_url("account.edit"), headers=headers)
        response.set_cookie("_LOCALE_", user.language, max_age=365 * 24 * 3600, samesite="Lax")
        return response
    return _page(request, form)


def _page(request, form) -> dict:
    return {"form": form, "tokens": tokens_of(request.dbsession, request.user), "now": utcnow()}
