"""WTForms for log-in, accounts and the admin pages; forms never write to the database."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DecimalField,
    Form,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from assessment.core.i18n import N_, translate
from assessment.core.models import Role
from assessment.core.resources import MAX_ID, query_id

ROLE_LABELS = {
    Role.admin: N_("Administrator"),
    Role.coordinator: N_("Coordinator"),
    Role.supervisor: N_("Supervisor (team leader)"),
    Role.assessor: N_("Assessor"),
    Role.reader: N_("Reader (leadership)"),
    Role.liaison: N_("County liaison"),
}


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs; labels are msgids translated by :func:`bind`."""
    return [SelectChoice(value, label) for value, label in pairs]


COMPARATORS = [("<", "<"), ("<=", "≤")]
LANGUAGE_CHOICES = [("zh", "中文"), ("en", "English")]
ROLE_CHOICES = [(r.value, label) for r, label in ROLE_LABELS.items()]


def bind(form_class, request, **kwargs):
    """Bind ``form_class`` to the POST data, with labels and messages in the page's language."""
    locale = "zh" if request.locale_name == "zh" else "en"
    formdata = request.POST if request.method == "POST" else None
    form = form_class(formdata, meta={"locales": [locale]}, **kwargs)
    for field in form:
        if isinstance(getattr(field, "choices", None), list):
            field.choices = [
                SelectChoice(c.value, translate(c.label, locale), c.render_kw, c.optgroup)
                for c in field.choices
            ]
    return form


def record_id(value) -> int:
    """A record id posted in a form: ASCII digits below 2**31 (like route ids), else
    ValueError, which the field shows as an invalid choice."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    ident = query_id(value)
    if ident is None:
        raise ValueError(f"not a record id: {str(value)[:20]!r}")
    return ident


def _optional_id(value):
    return record_id(value) if value not in (None, "", "0", 0, "None") else None


class LoginForm(Form):
    username = StringField(N_("User name"), [DataRequired(), Length(max=64)])
    password = PasswordField(N_("Password"), [DataRequired()])


class CreateUserForm(Form):
    username = StringField(N_("User name"), [DataRequired(), Length(max=64)])
    display_name = StringField(N_("Full name"), [DataRequired(), Length(max=100)])
    role = SelectField(N_("Role"), choices=choices(ROLE_CHOICES))
    team_id = SelectField(N_("Team"), coerce=_optional_id, validate_choice=False)
    password = PasswordField(N_("Initial password"), [DataRequired(), Length(min=8)])


class EditUserForm(Form):
    display_name = StringField(N_("Full name"), [DataRequired(), Length(max=100)])
    role = SelectField(N_("Role"), choices=choices(ROLE_CHOICES))
    team_id = SelectField(N_("Team"), coerce=_optional_id, validate_choice=False)
    active = BooleanField(N_("Active"))
    county_id = SelectField(
        N_("County (county liaisons only)"), coerce=_optional_id, validate_choice=False
    )
    appeal_expert = BooleanField(N_("Appeal expert (rules on disputed cases)"))


class ResetPasswordForm(Form):
    password = PasswordField(N_("New password"), [DataRequired(), Length(min=8)])


class CreateTeamForm(Form):
    name = StringField(N_("Team name"), [DataRequired(), Length(max=100)])
    home_county_id = SelectField(
        N_("Home county (the team may not assess it)"), coerce=_optional_id, validate_choice=False
    )


class AccountForm(Form):
    display_name = StringField(N_("Full name"), [DataRequired(), Length(max=100)])
    language = SelectField(N_("Language"), choices=choices(LANGUAGE_CHOICES))
    current_password = PasswordField(N_("Current password"), [Optional()])
    new_password = PasswordField(N_("New password"), [Optional(), Length(min=8)])


def _percent(label: str, *, low: float = 0.01, high: float = 100.0):
    return DecimalField(label, [InputRequired(), NumberRange(min=low, max=high)], places=2)


class RoundForm(Form):
    """Thresholds are typed in percent and stored as proportions."""

    name = StringField(N_("Name"), [DataRequired(), Length(max=200)])
    year = IntegerField(N_("Year"), [InputRequired(), NumberRange(min=2014, max=2100)])
    poverty_line = DecimalField(
        N_("Poverty line (yuan per person per year)"), [InputRequired(), NumberRange(min=1)]
    )
    incidence_max = _percent(N_("Comprehensive poverty incidence threshold (%)"))
    incidence_max_west = _percent(N_("Threshold in western counties (%)"))
    incidence_comparator = SelectField(N_("Incidence passes when"), choices=choices(COMPARATORS))
    wrongful_exit_max = _percent(N_("Wrongful-exit rate threshold (%)"))
    wrongful_exit_comparator = SelectField(
        N_("Wrongful-exit rate passes when"), choices=choices(COMPARATORS)
    )
    missed_max = _percent(N_("Missed-identification rate threshold (%)"))
    missed_comparator = SelectField(N_("Missed rate passes when"), choices=choices(COMPARATORS))
    recognition_min = _percent(N_("Mass recognition threshold (%)"))
    recognition_comparator = SelectField(
        N_("Recognition passes when"), choices=choices([(">=", "≥"), (">", ">")])
    )
    absent_visits = IntegerField(
        N_("Visits before an absent household's reserve is released"),
        [InputRequired(), NumberRange(min=1, max=10)],
    )
    absent_visit_gap_minutes = IntegerField(
        N_("Minutes at least between two such visits"),
        [InputRequired(), NumberRange(min=0, max=7 * 24 * 60)],
    )
    county_ids = SelectMultipleField(
        N_("Counties assessed"), coerce=record_id, validate_choice=False
    )

    PERCENT_FIELDS = (
        "incidence_max",
        "incidence_max_west",
        "wrongful_exit_max",
        "missed_max",
        "recognition_min",
    )
