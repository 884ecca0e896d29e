"""Figures as people read them: no float artefacts, separators, minutes and seconds."""

import math

import pytest

from assessment.core.formatting import (
    Duration,
    format_duration,
    format_number,
    format_percent,
    format_yuan,
)
from assessment.core.i18n import Message, translate


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (3218.0, 0, "3,218"),
        (3218, 0, "3,218"),
        (20.0, 1, "20"),  # a whole number never shows ".0"
        (2.5, 1, "2.5"),
        (1234567.891, 2, "1,234,567.89"),
        (-0.2, 0, "0"),
        (None, 0, "—"),
        (math.nan, 0, "—"),
    ],
)
def test_format_number(value, digits, expected):
    assert format_number(value, digits) == expected


def test_yuan_has_separators_and_the_unit_of_the_language():
    assert format_yuan(3218.0, "zh") == "3,218 元"
    assert format_yuan(4000, "en") == "4,000 yuan"
    assert format_yuan(None, "zh") == "—"


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (80, "1 分钟 20 秒", "1 min 20 s"),
        (120, "2 分钟", "2 min"),
        (45, "45 秒", "45 s"),
        (0, "0 秒", "0 s"),
        (3725, "62 分钟 5 秒", "62 min 5 s"),
    ],
)
def test_duration_in_minutes_and_seconds(seconds, zh, en):
    assert format_duration(seconds, "zh") == zh
    assert format_duration(seconds, "en") == en


def test_percent_keeps_the_precision_asked_for():
    assert format_percent(0.21, 1) == "21.0%"
    assert format_percent(0.012345, 2) == "1.23%"
    assert format_percent(None) == "—"


def test_message_placeholders_lose_float_artefacts_and_render_nested_values():
    text = translate(
        "Interview took {duration} (minimum {minimum} minutes).",
        "zh",
        duration=Duration(80),
        minimum=20.0,
    )
    assert text == "访问用时 1 分钟 20 秒（最短 20 分钟）。"
    listed = translate(
        "The assessor's verdict differs from the computed one: {standards}.",
        "zh",
        standards=[Message("Enough to eat"), Message("Safe housing")],
    )
    assert listed == "调查员的判定与系统计算结果不一致：不愁吃、住房安全有保障。"
    assert translate("Must be at least {min}.", "en", min=2.5) == "Must be at least 2.5."
