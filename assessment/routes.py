"""Every route in one place, named ``<feature>.<action>``."""

from __future__ import annotations

from assessment.resources import TeamResource


def includeme(config) -> None:
    config.add_static_view("static", "assessment:static", cache_max_age=3600)
    config.add_route("home", "/")
    config.add_route("auth.login", "/login")
    config.add_route("auth.logout", "/logout")
    config.add_route("account.edit", "/account")
    config.add_route("admin.users", "/admin/users")
    config.add_route("admin.user_new", "/admin/users/new")
    config.add_route("admin.user_edit", "/admin/users/{user_id:\\d+}")
    config.add_route("admin.teams", "/admin/teams")
    config.add_route("admin.team_new", "/admin/teams/new")
    config.add_route("admin.rounds", "/admin/rounds")
    config.add_route("admin.round_new", "/admin/rounds/new")
    config.add_route("admin.round_edit", "/admin/rounds/{round_id:\\d+}")
    config.add_route("team.view", "/teams/{team_id:\\d+}", factory=TeamResource.from_request)
