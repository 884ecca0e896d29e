"""The WSGI application factory: parse settings, then include each feature."""

from __future__ import annotations

from pyramid.config import Configurator

from assessment.core.guard import InputGuard
from assessment.core.settings import parse_settings


def make_app(global_config, **settings):
    """Build the Pyramid application from the ini's app settings."""
    app_settings = parse_settings(settings)
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    settings.setdefault("retry.attempts", "3")
    settings.setdefault("pyramid.default_locale_name", app_settings.default_language)
    with Configurator(settings=settings) as config:
        config.registry.app_settings = app_settings
        config.include("assessment.core.db")
        config.include("assessment.core.security")
        # API requests with a bearer token: the user is set before the route factory runs.
        config.add_tween(
            "assessment.core.tokens.bearer_tween_factory", under="pyramid_tm.tm_tween_factory"
        )
        config.include("assessment.hardening")
        config.include("assessment.web")
        config.include("assessment.routes")
        config.scan("assessment.views")
        config.include("sampling")
        config.include("surveys")
        config.include("reports")
        config.include("appeals")
        config.include("backchecks")
    return InputGuard(
        config.make_wsgi_app(),
        app_settings.body_max_bytes,
        large_limit=app_settings.upload_max_bytes,
    )
