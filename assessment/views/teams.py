"""A team's own page (members; assignments join it with the survey feature)."""

from pyramid.view import view_config

from assessment.core.permissions import Permission


@view_config(route_name="team.view", renderer="team.jinja2", permission=Permission.team_view)
def team_view(context, request):
    """The team's members; only the team itself, coordinators and admins may see it."""
    return {"team": context.team}
