"""Which counties' stored results went stale in this transaction, and their data version.

Every change that alters what a county's results are computed from (an approval, a return,
a recorded contact outcome, a submission, a re-draw, a reassignment, a fieldwork closure, a
frame import, a change of the round's counties or thresholds) calls :func:`mark_stale` with
the county. That bumps ``counties.data_version`` at once - an UPDATE, so on PostgreSQL the
county's row stays locked until the transaction ends and two changes of one county are
applied one after the other - and remembers the county in the session. Just before the
session commits, the refreshers registered here (the reports feature's results snapshot,
:mod:`reports.results`) recompute the rows of the remembered counties, in the same
transaction: a committed change and the results it makes stale are never apart.

A stored result carries the data version it was computed from; a reader that finds a
version other than the county's current one computes afresh instead of trusting it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from assessment.core.models import County

PENDING = "stale_counties"  # key in Session.info: ids of counties marked in this transaction
_refreshers: list[Callable[[Session, set[int]], None]] = []


def register_refresher(refresher: Callable[[Session, set[int]], None]) -> None:
    """Have ``refresher(session, county_ids)`` run before a session with stale counties commits."""
    if refresher not in _refreshers:
        _refreshers.append(refresher)


def mark_stale(db: Session, county_ids: Iterable[int | None]) -> None:
    """Bump the data version of ``county_ids`` and refresh their results before commit."""
    pending: set[int] = db.info.setdefault(PENDING, set())
    fresh = sorted({int(c) for c in county_ids if c is not None} - pending)
    if not fresh:
        return
    db.execute(
        update(County)
        .where(County.id.in_(fresh))
        .values(data_version=County.data_version + 1)
        .execution_options(synchronize_session=False)
    )
    pending.update(fresh)


DEFER = "stale_counties_deferred"  # key in Session.info: refresh at commit only


def refresh_now(db: Session) -> None:
    """Refresh the counties marked so far, now (unless a bulk change defers it to commit).

    The interview services call this just before they append their audit row: on
    PostgreSQL the audit chain's lock is held from the first audit row to the commit, so a
    recompute done at commit would hold every other writer of the country back."""
    if not db.info.get(DEFER):
        refresh_pending(db)


@contextmanager
def deferred(db: Session) -> Iterator[None]:
    """Within the block, refresh stale counties once at commit (a bulk change)."""
    before = db.info.get(DEFER)
    db.info[DEFER] = True
    try:
        yield
    finally:
        db.info[DEFER] = before


def pending(db: Session) -> set[int]:
    """Counties marked stale in the session's transaction and not refreshed yet."""
    return set(db.info.get(PENDING, ()))


def refresh_pending(db: Session) -> None:
    """Run the refreshers for the counties marked stale so far (then none is pending)."""
    counties = db.info.pop(PENDING, set())
    if not counties:
        return
    for refresher in _refreshers:
        refresher(db, set(counties))


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    refresh_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction) -> None:
    # A rolled-back transaction leaves nothing to refresh (a savepoint's end changes nothing).
    if transaction.parent is None and not transaction.nested:
        session.info.pop(PENDING, None)
