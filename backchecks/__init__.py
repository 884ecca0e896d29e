"""Back-checks: a seeded share of approved interviews re-visited by another team."""


def includeme(config) -> None:
    """Wire the back-check pages (templates, views); routes are in ``assessment.routes``."""
    from backchecks.api import PATHS, schemas

    config.add_jinja2_search_path("backchecks:templates", name=".jinja2")
    config.scan("backchecks.views")
    config.scan("backchecks.api")
    registry = config.registry
    registry.openapi_parts = (*getattr(registry, "openapi_parts", ()), (PATHS, schemas()))
