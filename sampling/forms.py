"""Forms of the sampling pages; they validate input and never write."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    FileField,
    Form,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from assessment.core.forms import choices, record_id
from assessment.core.i18n import N_
from assessment.core.resources import MAX_ID

ENCODINGS = [("", N_("Detect automatically")), ("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK")]


class UploadFrameForm(Form):
    county_id = SelectField(N_("County"), coerce=record_id, validate_choice=False)
    new_county_code = StringField(
        N_("or a new county: code"), [Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")]
    )
    new_county_name = StringField(N_("new county: name"), [Optional(), Length(max=100)])
    new_county_province = StringField(N_("new county: province"), [Optional(), Length(max=100)])
    new_county_western = BooleanField(N_("western county (incidence threshold 3 percent)"))
    # Fieldwork needs the county in a round (its poverty line and thresholds): ask here.
    round_id = SelectField(
        N_("Assessment round the county joins"), coerce=record_id, validate_choice=False
    )
    new_round_name = StringField(
        N_("or a new round (administrators): name"), [Optional(), Length(max=200)]
    )
    new_round_year = IntegerField(
        N_("new round: year"), [Optional(), NumberRange(min=2014, max=2100)]
    )
    new_round_poverty_line = IntegerField(
        N_("new round: poverty line (yuan per person per year)"),
        [Optional(), NumberRange(min=1, max=1_000_000)],
    )
    encoding = SelectField(N_("Text encoding (CSV)"), choices=choices(ENCODINGS))
    # Presence is checked in the view: WebOb's upload object cannot be tested for truth.
    file = FileField(N_("Frame file (CSV or XLSX)"))


DEFAULT_DESIGN = (
    '{"type": "two-stage", "villages": {"poor": 20, "non_poor": 10}, '
    '"households_per_village": {"exited": 10, "not_exited": 2, "non_registered": 10}, '
    '"reserves_per_household": 2, "screening": true}'
)


class DrawPlanForm(Form):
    """The design (as JSON, filled by the structured inputs on the page) and the draw inputs."""

    design = TextAreaField(N_("Design (JSON)"), [DataRequired(), Length(max=20_000)])
    seed = StringField(
        N_("Seed from a public ceremony (64 hex digits; leave empty for a random seed)"),
        [Optional(), Length(max=200)],
    )
    reason = TextAreaField(N_("Reason for drawing again"), [Optional(), Length(max=2000)])
    discard_fieldwork = BooleanField(
        N_("Discard the current plan's fieldwork: archive its interviews and draw again")
    )


class AssignTeamForm(Form):
    plan_village_id = IntegerField("", [DataRequired(), NumberRange(min=1, max=MAX_ID)])
    team_id = SelectField(N_("Team"), coerce=record_id, validate_choice=False)


class AssignVillagesForm(Form):
    """Many villages to one team (or to none) in one save."""

    plan_village_id = SelectMultipleField("", coerce=record_id, validate_choice=False)
    team_id = SelectField(N_("Team"), coerce=record_id, validate_choice=False)
