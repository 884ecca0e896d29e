"""Forms of the appeal pages (they check input; the service writes)."""

from __future__ import annotations

from wtforms import Form, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from appeals.services import MAX_TEXT
from assessment.core.forms import choices, record_id
from assessment.core.i18n import N_

RESPONSE_LABELS = {"accepted": N_("Accept the finding"), "disputed": N_("Dispute the finding")}
RULING_LABELS = {
    "upheld": N_("Upheld"),
    "overturned": N_("Overturned"),
    "revisit": N_("Re-visit by another team"),
}


class AnswerCaseForm(Form):
    """The county's answer to one case (the files are read by the view)."""

    response = RadioField(N_("Answer"), [InputRequired()], choices=choices(RESPONSE_LABELS.items()))
    statement = TextAreaField(N_("Statement"), [Optional(), Length(max=MAX_TEXT)])


class RuleCaseForm(Form):
    """An expert's ruling on one disputed case."""

    ruling = SelectField(N_("Ruling"), [InputRequired()], choices=choices(RULING_LABELS.items()))
    reason = TextAreaField(N_("Reason"), [Optional(), Length(max=MAX_TEXT)])
    team = SelectField(N_("Re-visit team"), [Optional()], coerce=lambda v: v, choices=[])

    def team_id(self) -> int | None:
        try:
            return record_id(self.team.data) if self.team.data else None
        except ValueError:
            return None
