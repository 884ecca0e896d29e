"""Forms of the sampling pages; they validate input and never write."""

from __future__ import annotations

from wtforms import BooleanField, FileField, Form, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from assessment.forms import choices
from assessment.i18n import N_

ENCODINGS = [("", N_("Detect automatically")), ("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK")]


class UploadFrameForm(Form):
    county_id = SelectField(N_("County"), coerce=int, validate_choice=False)
    new_county_code = StringField(
        N_("or a new county: code"), [Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")]
    )
    new_county_name = StringField(N_("new county: name"), [Optional(), Length(max=100)])
    new_county_province = StringField(N_("new county: province"), [Optional(), Length(max=100)])
    new_county_western = BooleanField(N_("western county (3% incidence threshold)"))
    encoding = SelectField(N_("Text encoding (CSV)"), choices=choices(ENCODINGS))
    # Presence is checked in the view: WebOb's upload object cannot be tested for truth.
    file = FileField(N_("Frame file (CSV or XLSX)"))
