"""Appeals: the county's answer to suspected cases (申诉举证) and the experts' rulings."""


def includeme(config) -> None:
    """Wire the appeal pages (templates, views); routes are in ``appeals.routes``."""
    config.add_jinja2_search_path("appeals:templates", name=".jinja2")
    config.scan("appeals.views")
