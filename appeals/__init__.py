"""Appeals: the county's answer to suspected cases (申诉举证) and the experts' rulings."""


def includeme(config) -> None:
    """Wire the appeal pages (templates, views); routes are in ``assessment.routes``."""
    from appeals.openapi import PATHS, schemas

    config.add_jinja2_search_path("appeals:templates", name=".jinja2")
    config.scan("appeals.views")
    config.scan("appeals.api")
    registry = config.registry
    registry.openapi_parts = (*getattr(registry, "openapi_parts", ()), (PATHS, schemas()))
