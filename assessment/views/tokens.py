"""API tokens on the account page (one's own) and for admins (everyone's); ending sessions."""

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from assessment.core.i18n import N_
from assessment.core.models import ApiToken, utcnow
from assessment.core.permissions import Permission
from assessment.core.security import restart_session
from assessment.core.sessions import end_user_sessions
from assessment.core.tokens import issue_token, revoke, tokens_of
from assessment.core.views import flash


@view_config(
    route_name="account.token_new",
    renderer="account_token.jinja2",
    permission=Permission.account,
    request_method="POST",
)
def token_new(request):
    """Issue a named token to oneself; its text is shown on this page only."""
    settings = request.registry.app_settings
    token, row = issue_token(
        request.dbsession,
        request.user,
        name=request.POST.get("name", ""),
        lifetime_days=settings.token_lifetime_days,
    )
    return {"token": token, "row": row}


def _token(request, *, own: bool) -> ApiToken:
    """The route's token (loaded by its factory); someone else's is not found on one's own page."""
    row = request.context.token
    if own and row.user_id != request.user.id:
        raise HTTPNotFound()
    return row


@view_config(
    route_name="account.token_revoke", permission=Permission.account, request_method="POST"
)
def token_revoke(request):
    """Revoke one of one's own tokens."""
    revoke(_token(request, own=True))
    flash(request, N_("The token is revoked."))
    return HTTPSeeOther(request.route_url("account.edit"))


@view_config(
    route_name="account.sessions_end", permission=Permission.account, request_method="POST"
)
def sessions_end(request):
    """Log out on every other device: all one's sessions end; this one starts afresh."""
    end_user_sessions(request.dbsession, request.user.id)
    headers = restart_session(request, request.user)
    flash(request, N_("Your other sessions are ended."))
    return HTTPSeeOther(request.route_url("account.edit"), headers=headers)


@view_config(route_name="admin.tokens", renderer="admin/tokens.jinja2", permission=Permission.admin)
def admin_tokens(request):
    """Every user's API tokens, newest first."""
    return {"tokens": tokens_of(request.dbsession), "now": utcnow()}


@view_config(route_name="admin.token_revoke", permission=Permission.admin, request_method="POST")
def admin_token_revoke(request):
    """Revoke anyone's token."""
    revoke(_token(request, own=False))
    flash(request, N_("The token is revoked."))
    return HTTPSeeOther(request.route_url("admin.tokens"))
