"""Reports: county PDFs, the provincial summary, the dashboard and data exports."""


def includeme(config) -> None:
    config.add_jinja2_search_path("reports:templates", name=".jinja2")
    config.scan("reports.views")
    config.scan("reports.icc_views")
