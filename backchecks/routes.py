"""Routes of the back-check feature (included from ``assessment.routes``)."""

from backchecks.resources import BackcheckResource, CountyQualityResource


def includeme(config) -> None:
    add = config.add_route
    add("backchecks.list", "/quality")
    add("backchecks.county", "/quality/county/{code}", factory=CountyQualityResource)
    add("backchecks.draw", "/quality/county/{code}/draw", factory=CountyQualityResource)
    add("backchecks.mine", "/quality/backchecks")
    add("api.backchecks", "/api/backchecks")
    add("api.backcheck", "/api/backchecks/{backcheck_id:[0-9]{1,9}}", factory=BackcheckResource)
    add("api.quality", "/api/quality/county/{code}", factory=CountyQualityResource)
    add(
        "backchecks.compare",
        "/quality/backchecks/{backcheck_id:[0-9]{1,9}}/compare",
        factory=BackcheckResource,
    )
    add(
        "backchecks.return",
        "/quality/backchecks/{backcheck_id:[0-9]{1,9}}/return",
        factory=BackcheckResource,
    )
    add(
        "backchecks.record",
        "/quality/backchecks/{backcheck_id:[0-9]{1,9}}",
        factory=BackcheckResource,
    )
