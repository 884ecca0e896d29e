"""WTForms built from the instrument: labels, round trips through posted data, kept input."""

from __future__ import annotations

import pytest
from webob.multidict import MultiDict

from assessment.core.i18n import translate
from surveys.forms import build_form, form_class
from surveys.instruments.definition import builtin_instrument
from surveys.instruments.validation import validate
from tests.surveys.households import MEMBER_CHILD, MEMBER_HEAD, MEMBER_SPOUSE, household, member

VERIFICATION = builtin_instrument("verification", 1)


def posted(form) -> MultiDict:
    """What a browser would post back for a rendered ``form`` (Pyramid's request.POST)."""
    data = MultiDict()
    for field in _leaves(form):
        if field.type == "SelectMultipleField":
            for code in field.data or ():
                data.add(field.name, code)
        elif field.type == "RadioField":
            if field.data is not None:
                data.add(field.name, field.data)
        else:
            data.add(field.name, field._value())
    return data


def _leaves(form):
    for field in form:
        if field.type == "FieldList":
            for entry in field.entries:
                yield from _leaves(entry.form)
        else:
            yield field


@pytest.mark.parametrize(
    "answers",
    [
        household(),
        household(
            roster=[
                MEMBER_HEAD,
                MEMBER_SPOUSE,
                member(MEMBER_CHILD, schooling="out_of_school", out_of_school_reason="cost"),
            ],
            water_quantity=34.5,
            income_ok=False,
            income_ok_reason="收入不稳定",
            assistance=["none"],
            assistance_effective=None,
        ),
    ],
    ids=["base", "out_of_school"],
)
def test_answers_survive_form_and_post_round_trip(answers):
    shown = build_form(VERIFICATION, answers=answers)
    assert shown.answers() == answers
    resubmitted = build_form(VERIFICATION, posted(shown))
    assert resubmitted.answers() == answers


def test_labels_follow_the_language():
    zh = form_class(VERIFICATION)()
    en = form_class(VERIFICATION, "en")()
    assert zh.head_name.label.text == "户主姓名"
    assert en.head_name.label.text == "Head's name"
    assert "Taught at home" in str(
        build_form(VERIFICATION, answers=household(), language="en")
        .roster.entries[2]
        .form.schooling
    )
    with pytest.raises(ValueError, match="language"):
        form_class(VERIFICATION, "fr")


def test_form_class_is_cached_per_version_and_language():
    assert form_class(VERIFICATION, "zh") is form_class(VERIFICATION, "zh")
    assert form_class(VERIFICATION, "zh") is not form_class(VERIFICATION, "en")
    assert form_class(VERIFICATION).__name__ == "VerificationV1Form"


def test_a_rejected_form_keeps_everything_typed():
    data = posted(build_form(VERIFICATION, answers=household()))
    data["roster-2-age"] = "十"  # not a number
    data["income_wages"] = "9,000"  # thousands separator is fine
    data["water_quantity"] = "abc"
    data["respondent_name"] = ""
    form = build_form(VERIFICATION, data, language="en")
    assert not form.validate()
    assert form.roster.entries[2].form.age._value() == "十"
    assert form.roster.entries[2].form.age.errors == ["Enter a whole number."]
    assert form.water_quantity._value() == "abc"
    assert form.water_quantity.errors == ["Enter a number."]
    assert form.respondent_name.errors == ["This question needs an answer."]
    assert form.answers()["income_wages"] == 9000
    assert form.answers()["water_quantity"] == "abc"  # kept for the draft, flagged on submit


def test_form_messages_in_chinese_and_same_problems_as_the_json_api():
    answers = household(roster=[member(MEMBER_HEAD, age=7, education="college")])
    form = build_form(VERIFICATION, posted(build_form(VERIFICATION, answers=answers)))
    assert not form.validate()
    assert "7岁的成员不可能具有大专及以上文化程度。" in form.roster.entries[0].form.education.errors
    assert list(form.problems) == validate(VERIFICATION, form.answers())
    assert form.messages("roster.0.education") == ["7岁的成员不可能具有大专及以上文化程度。"]


def test_draft_mode_does_not_demand_answers():
    form = build_form(VERIFICATION, MultiDict([("respondent_name", "王")]))
    assert form.validate(for_submission=False)
    assert not form.validate(for_submission=True)
    assert form.messages("head_name") == [translate("This question needs an answer.", "zh")]
