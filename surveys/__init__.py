"""Surveys: instruments as data, interviews, the assessor's day, supervisor review."""


def includeme(config) -> None:
    """Wire the survey pages (templates, views); routes are in ``assessment.routes``."""
    config.add_jinja2_search_path("surveys:templates", name=".jinja2")
    config.scan("surveys.views")
