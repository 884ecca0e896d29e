"""Log in and log out."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from assessment.core.forms import LoginForm, bind
from assessment.core.permissions import Permission
from assessment.core.security import restart_session
from assessment.core.services import LoginService
from assessment.core.sessions import purge_expired
from assessment.core.views import render_problem


def _safe_next(request) -> str:
    target = request.params.get("next", "")
    # Only local paths: never redirect a user to another site after log-in.
    if target.startswith("/") and not target.startswith("//"):
        return target
    return request.route_url("home")


@view_config(route_name="auth.login", renderer="login.jinja2", permission=NO_PERMISSION_REQUIRED)
def login(request):
    """Show the log-in form; on success start a fresh session."""
    form = bind(LoginForm, request)
    error = None
    if request.method == "POST" and form.validate():
        service = LoginService(request.dbsession, settings=request.registry.app_settings)
        result = service.log_in(form.username.data, form.password.data, request.client_addr or "")
        if result.user is not None:
            target = _safe_next(request)
            purge_expired(request.dbsession, request.registry.app_settings)
            headers = restart_session(request, result.user)  # no fixation across log-in
            return HTTPSeeOther(target, headers=headers)
        error = render_problem(request, result.error)
        request.response.status = 400
    return {"form": form, "error": error, "next": request.params.get("next", "")}


@view_config(route_name="auth.logout", request_method="POST", permission=Permission.home)
def logout(request):
    """End the session: its row is deleted, so a copy of the cookie is worth nothing."""
    request.session.invalidate()
    return HTTPSeeOther(request.route_url("auth.login"))
