"""Sampling: frames, sample sizes, designs, reproducible selection (pure cores + web layer)."""


def includeme(config) -> None:
    config.add_jinja2_search_path("sampling:templates", name=".jinja2")
    config.scan("sampling.views")
    config.scan("sampling.plan_views")
