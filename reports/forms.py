"""Forms of the report pages; they validate input and never write."""

from __future__ import annotations

from wtforms import Form, TextAreaField
from wtforms.validators import DataRequired, Length

from assessment.core.i18n import N_


class CloseFieldworkForm(Form):
    """Why fieldwork is closed with households still open (recorded with who and when)."""

    reason = TextAreaField(N_("Reason for closing fieldwork"), [DataRequired(), Length(max=2000)])


class ApplyIccForm(Form):
    """Why the pooled ρ is applied to the round (recorded with who and when); an empty reason
    is refused by :func:`reports.icc.apply` itself, as on the command line."""

    reason = TextAreaField(N_("Why the pooled ρ is applied"), [Length(max=1000)])


class PlanningIccForm(Form):
    """Why the round goes back to the planning value of ρ; an empty reason is refused by
    :func:`reports.icc.to_planning` itself, as on the command line."""

    planning_reason = TextAreaField(
        N_("Why the round goes back to the planning value"), [Length(max=1000)]
    )
