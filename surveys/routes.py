"""Routes of the survey feature (included from ``assessment.routes``)."""


def includeme(config) -> None:
    pass
