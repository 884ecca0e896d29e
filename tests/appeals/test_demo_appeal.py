"""The demo county shows a published appeal (one disputed, overturned case) and back-checks."""

from __future__ import annotations

from sqlalchemy import select

from appeals.models import AppealPublication
from assessment.core.models import County
from assessment.demo import DEMO_CODE, load_demo
from backchecks.services import BackcheckService
from reports.snapshots import county_snapshot


def test_the_demo_county_has_an_overturned_appeal_and_completed_back_checks(dbsession):
    load_demo(dbsession, households=6000)
    county = dbsession.scalar(select(County).where(County.code == DEMO_CODE))
    publication = dbsession.scalar(
        select(AppealPublication).where(AppealPublication.county_id == county.id)
    )
    rulings = [(c.response, c.ruling) for c in publication.cases]
    assert rulings.count(("disputed", "overturned")) == 1
    assert all(r == ("accepted", None) for r in rulings if r != ("disputed", "overturned"))
    (disputed,) = [c for c in publication.cases if c.ruling == "overturned"]
    assert [e.content_type for e in disputed.evidence] == ["image/jpeg"]
    snap = county_snapshot(dbsession, county)
    assert snap.appeals.overturned == 1 and not snap.interim
    draw = BackcheckService(dbsession).draw_of(publication.plan)
    assert draw.backchecks and all(b.status == "done" for b in draw.backchecks)
    assert snap.quality.done == len(draw.backchecks) > 0
