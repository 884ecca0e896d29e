"""The stored frame read back: households joined to their place, and the pure frame rebuilt.

The draw (``sampling.plans``) reads the frame it draws from here, and the reports join the
households to their villages and townships with :func:`with_location` (through
``sampling.services``, which re-exports both). It rebuilds exactly what the import stored: the
same content hash as the imported file.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.models import Township, Village
from sampling import frames as pure_frames
from sampling.models import Frame, FrameVillage, Household


def with_location(query):
    """Join a query on ``Household`` to its frame village, administrative village and township."""
    return (
        query.join(FrameVillage, Household.frame_village_id == FrameVillage.id)
        .join(Village, FrameVillage.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
    )


LOAD_COLUMNS = (
    Household.household_id,
    Township.name,
    Village.name,
    FrameVillage.village_code,
    FrameVillage.village_type,
    FrameVillage.remote,
    Household.status,
    Household.exit_year,
    Household.household_size,
    Household.head_name,
    Household.dibao,
    Household.unsafe_house,
    Household.serious_illness,
    Household.no_labour,
    Household.elderly_alone,
)


def load_frame(dbsession: Session, frame: Frame) -> pure_frames.Frame:
    """Rebuild the pure frame from the database (same content hash as the imported file)."""
    query = (
        with_location(select(*LOAD_COLUMNS, Household.attributes, Household.source_row))
        .where(Household.frame_id == frame.id)
        .order_by(Household.source_row)
    )
    rows = dbsession.execute(query).all()
    names = pure_frames.fc.CANONICAL_COLUMNS
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 2)
    data = {name: list(values) for name, values in zip(names, columns, strict=False)}
    return pure_frames.make_frame(
        data,
        extra_json=list(columns[len(names)]),
        extra_columns=json.loads(frame.extra_columns),
        source_row=list(columns[len(names) + 1]),
    )
