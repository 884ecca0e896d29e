"""Every page and every report in the reader's language, every figure readable (issue 20).

Each route of the route table is either rendered here, by every role that may see it, or
listed in ``NOT_PAGES`` with the reason; a new route fails ``test_every_route_is_covered``
until it is added to one of the two. Pages are rendered in Chinese and in English over a county
with full (simulated, approved) fieldwork and counties with thin data (frame only, no round),
and the county and provincial PDFs are read back as text.

In Chinese a page fails on a Latin word outside ``ALLOWED`` and the data's own ids (user
names, county codes, household ids, file names, hashes); in both languages on "None", "nan",
and float artefacts such as "3218.0". In English a page fails on Chinese outside the data
(names of places, people, teams; answers typed in the field).
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from assessment.core.models import (
    AssessmentRound,
    County,
    Province,
    Role,
    Team,
    Township,
    User,
    Village,
)
from reports.models import ReportVersion
from sampling.models import Frame, Household, PlanHousehold, PlanVillage
from sampling.plans import PlanService
from sampling.services import FrameService
from sampling.synthetic import synthetic_frame_csv
from surveys.instrument_store import ensure_builtin_instruments, instrument_of
from surveys.instruments.model import Group
from surveys.models import InstrumentVersion, Interview
from surveys.simulation import simulate_fieldwork
from surveys.workflow import InterviewService
from tests.factories import make_county, make_team, make_user
from tests.rounds.helpers import interview
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

# Latin words a Chinese page may show on purpose: formats, standards, units, acronyms, names
# of methods, and the language switch.
ALLOWED = {
    "API", "CSV", "XLSX", "PDF", "JSON", "SHA-256", "SHA", "GPS", "AAPOR", "RR1", "PPS",
    "UTF-8", "UTF", "GB18030", "GBK", "OC", "Korn", "Graubard", "Korn–Graubard", "Wilson",
    "Satterthwaite", "Kish", "Clopper", "Pearson", "Clopper–Pearson",
    "Wald", "English", "n", "d", "α", "β", "π", "km", "ID", "UTC", "HTTP", "JPEG", "PNG", "MB",
    "A", "B", "C", "D",  # the housing safety grades A-D are the official names
    "assess", "verify-draw",  # the command that re-runs a draw, shown to be typed
}  # fmt: skip
# Page routes: how to reach each (a path built from the world), rendered by every role.
PAGES = {
    "home": lambda w: "/",
    "auth.login": lambda w: "/login",
    "account.edit": lambda w: "/account",
    "admin.tokens": lambda w: "/admin/tokens",
    "admin.users": lambda w: "/admin/users",
    "admin.user_new": lambda w: "/admin/users/new",
    "admin.user_edit": lambda w: f"/admin/users/{w['assessor'].id}",
    "admin.teams": lambda w: "/admin/teams",
    "admin.team_new": lambda w: "/admin/teams/new",
    "admin.rounds": lambda w: "/admin/rounds",
    "admin.round_new": lambda w: "/admin/rounds/new",
    "admin.round_edit": lambda w: f"/admin/rounds/{w['round'].id}",
    "reports.round_icc": lambda w: f"/reports/rounds/{w['round'].id}/icc",
    "team.view": lambda w: f"/teams/{w['team'].id}",
    "surveys.assignments": lambda w: "/surveys/assignments",
    "surveys.household": lambda w: f"/surveys/households/{w['household'].id}",
    "surveys.interview": lambda w: f"/surveys/households/{w['open'].id}/interview",
    "surveys.capture": lambda w: f"/surveys/households/{w['open'].id}/capture",
    "surveys.outcome_confirm": (
        lambda w: f"/surveys/households/{w['household'].id}/outcome?outcome=refused"
    ),
    "surveys.review": lambda w: "/surveys/review",
    "surveys.review_interview": lambda w: f"/surveys/review/{w['household'].id}",
    "surveys.review_interview.submitted": lambda w: f"/surveys/review/{w['submitted'].id}",
    "surveys.instruments.model": lambda w: "/surveys/instruments",
    "surveys.instrument_new": lambda w: f"/surveys/instruments/{w['instrument'].id}/new",
    "sampling.frames": lambda w: "/sampling/frames",
    "sampling.frame": lambda w: f"/sampling/frames/{w['frame'].id}",
    "sampling.plans": lambda w: "/sampling/plans",
    "sampling.plan_new": lambda w: f"/sampling/plans/new?frame={w['frame'].id}",
    "sampling.plan": lambda w: f"/sampling/plans/{w['plan'].id}",
    "sampling.plan_team_list": lambda w: f"/sampling/plans/{w['plan'].id}/teams/{w['team'].id}",
    "dashboard.view": lambda w: "/dashboard",
    "reports.list": lambda w: "/reports",
    "reports.county": lambda w: f"/reports/county/{w['county'].code}",
    "appeals.list": lambda w: "/appeals",
    "appeals.county": lambda w: f"/appeals/county/{w['county'].code}",
    "backchecks.list": lambda w: "/quality",
    "backchecks.county": lambda w: f"/quality/county/{w['county'].code}",
    "backchecks.mine": lambda w: "/quality/backchecks",
}
# Thin data: the pages of a county with a frame but no plan, and of one in no round.
THIN_PAGES = {
    "sampling.frame": lambda w: f"/sampling/frames/{w['thin_frame'].id}",
    "sampling.plan_new": lambda w: f"/sampling/plans/new?frame={w['thin_frame'].id}",
    "reports.county": lambda w: f"/reports/county/{w['thin'].code}",
    "reports.county.no_round": lambda w: f"/reports/county/{w['no_round'].code}",
}
PDFS = {
    "reports.county_draft": lambda w, c: f"/reports/county/{c.code}/draft.pdf",
    "reports.version_pdf": lambda w, c: f"/reports/versions/{w['version'].id}.pdf",
    "reports.province_pdf": lambda w, c: f"/reports/province/{c.province_id}.pdf",
}
NOT_PAGES = {
    "__static/": "static files",
    "auth.logout": "POST; redirects",
    "account.token_new": "POST; shows a new token once (an id)",
    "account.token_revoke": "POST; redirects",
    "account.sessions_end": "POST; redirects",
    "admin.token_revoke": "POST; redirects",
    "surveys.autosave": "JSON for the questionnaire's script",
    "surveys.relevance": "JSON for the questionnaire's script",
    "surveys.photo": "an image",
    "surveys.bulk_approve": "POST; redirects with a flash message",
    "surveys.revisit": "POST; redirects (the draw is shown on surveys.review)",
    "api.openapi": "the API's machine description",
    "api.tokens": "JSON API",
    "api.assignments": "JSON API",
    "api.interview": "JSON API",
    "api.outcome": "JSON API",
    "api.sync": "JSON API",
    "api.offline_day": "JSON API",
    "surveys.service_worker": "JavaScript (the service worker)",
    "surveys.undo_release": "POST; redirects",
    "sampling.plan_assign_many": "POST; redirects",
    "api.draft": "JSON API",
    "api.submit": "JSON API",
    "sampling.frame_template": "a CSV template: its column names are the file format",
    "sampling.sizes": "JSON for the design page; its errors are tested in test_plans_web",
    "sampling.plan_verify": "POST; renders sampling.plan (rendered here)",
    "sampling.plan_assign": "POST; redirects",
    "sampling.plan_export": "a data file (codes and ids on purpose)",
    "reports.county_draft": "PDF, read below",
    "reports.county_versions": "POST; redirects",
    "reports.county_close_fieldwork": "POST; redirects",
    "reports.county_export": "a data file (codes and ids on purpose)",
    "reports.version_pdf": "PDF, read below",
    "reports.version_sign_off": "POST; redirects",
    "reports.province_pdf": "PDF, read below",
    "appeals.publish": "POST; redirects",
    "appeals.answer": "POST; redirects",
    "appeals.rule": "POST; redirects",
    "appeals.evidence": "an evidence file as uploaded",
    "backchecks.draw": "POST; redirects",
    "backchecks.record": "the back-check questionnaire of one drawn interview (tests/backchecks)",
    "backchecks.compare": "one recorded back-check beside the original (tests/backchecks)",
    "backchecks.return": "POST; redirects",
    "api.appeals_county": "JSON API",
    "api.appeal_answer": "JSON API",
    "api.appeal_evidence": "JSON API",
    "api.appeal_rule": "JSON API",
    "api.backchecks": "JSON API",
    "api.backcheck": "JSON API",
    "api.quality": "JSON API",
}
ROLES = (Role.admin, Role.coordinator, Role.supervisor, Role.assessor, Role.reader)
SKIPPED_TAGS = {"script", "style", "code", "template", "textarea"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[-–][A-Za-z0-9]+)*")
FLOAT_ARTEFACT = re.compile(r"(?<![\d.])\d+\.0(?![\d%])")
HEX = re.compile(r"\b[0-9a-f]{12,}\b")
# A reserve's list and rank on the printed team list (A1, A2, ... B1): labels by design.
RESERVE_RANK = re.compile(r"[A-Z][0-9]{1,2}")


class _Text(HTMLParser):
    """The words a reader sees: text outside code, scripts and text areas (machine input such
    as a design's JSON), and titles, placeholders, screen-reader labels and alternative texts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        for key, value in attrs:
            if key in ("placeholder", "title", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(p.strip() for p in parser.parts if p.strip())


def problems(text: str, language: str, data: dict) -> list[str]:
    """What is wrong in ``text``: foreign words, "None"/"nan", float artefacts."""
    found = []
    for word in {"None", "nan", "NaN", "undefined"} - data["choices"]:
        if re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", text):
            found.append(word)
    found += [f"float {m}" for m in FLOAT_ARTEFACT.findall(text)]
    if language == "zh":
        words = set(LATIN.findall(HEX.sub(" ", text))) - ALLOWED - data["latin"]
        words = {w for w in words if not RESERVE_RANK.fullmatch(w)}
        found += sorted(w for w in words if not re.fullmatch(r"v\d+", w))
    else:
        for string in sorted(data["cjk"], key=len, reverse=True):
            text = text.replace(string, " ")
        found += sorted(set(CJK.findall(text)) - {"中文"})  # the switch to Chinese
    return sorted(set(found))


def _frame(db, county, rows, seed):
    data = synthetic_frame_csv(HIERARCHY, rows, rng=np.random.default_rng(seed), id_prefix="T")
    outcome = FrameService(db).import_file(county, data, f"{county.code}.csv")
    assert outcome.frame is not None, outcome.result.issues[:3]
    return outcome.frame


def _people(db, team):
    """One user of every role; display names are data (Chinese), user names ids."""
    people = {}
    for role in ROLES:
        user = make_user(db, role, team=team if role in (Role.assessor, Role.supervisor) else None)
        user.display_name = f"用户{user.id}"
        people[role] = user
    return people


@pytest.fixture
def world(dbsession):
    """A county with full simulated fieldwork, a locked report version and a re-visit draw;
    a county with a frame only; a county in no round."""
    county = make_county(dbsession, townships=0)
    frame = _frame(dbsession, county, 1800, 7)
    round_ = AssessmentRound(name="测试批次", year=2019, poverty_line=3218.0, counties=[county])
    dbsession.add(round_)
    team = make_team(dbsession, "第一组")
    people = _people(dbsession, team)
    service = PlanService(dbsession)
    plan = service.draw(frame, SMALL_DESIGN, seed_hex="11" * 32)
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    ensure_builtin_instruments(dbsession)
    simulate_fieldwork(
        dbsession, plan, rng=np.random.default_rng(1), poverty_line=3218.0, leave_open=1
    )
    interviewed = dbsession.scalars(
        select(PlanHousehold).join(Interview).where(PlanHousehold.plan_id == plan.id)
    ).first()
    interviewed_ids = select(Interview.plan_household_id)
    draft, submitted = dbsession.scalars(
        select(PlanHousehold)
        .join(PlanVillage)
        .where(
            PlanHousehold.plan_id == plan.id,
            PlanHousehold.role == "selected",
            PlanHousehold.id.not_in(interviewed_ids),
        )
        .order_by(PlanHousehold.id)
        .limit(2)
    ).all()
    assessor = people[Role.assessor]
    InterviewService(dbsession).record_outcome(draft, "interviewed", assessor)
    interview(dbsession, submitted, assessor)  # submitted at once: flagged "too short"
    thin = make_county(dbsession, townships=0)
    thin_frame = _frame(dbsession, thin, 300, 8)
    round_.counties.append(thin)
    no_round = make_county(dbsession, townships=0)
    _frame(dbsession, no_round, 300, 9)
    dbsession.flush()
    return {
        "county": county,
        "frame": frame,
        "round": round_,
        "team": team,
        "plan": plan,
        "people": people,
        "assessor": people[Role.assessor],
        "household": interviewed,
        "open": draft,
        "submitted": submitted,
        "instrument": dbsession.scalars(select(InstrumentVersion)).first(),
        "thin": thin,
        "thin_frame": thin_frame,
        "no_round": no_round,
    }


def data_words(db) -> dict:
    """The data's own words: ids and codes (Latin) and names (Chinese), which any page may
    show in either language."""
    latin: set[str] = set()
    cjk: set[str] = set()
    for column in (
        User.username,
        County.code,
        Household.household_id,
        Frame.file_name,
        Team.name,
        User.display_name,
    ):
        for value in db.scalars(select(column)):
            latin.update(LATIN.findall(str(value)))
    for column in (
        County.name,
        Province.name,
        Township.name,
        Village.name,
        Household.head_name,
        Team.name,
        User.display_name,
        AssessmentRound.name,
    ):
        cjk.update(str(v) for v in db.scalars(select(column)) if v)
    # An instrument's own wording (a choice labelled "None": no assistance received).
    choices = {
        choice.label.get("en")
        for version in db.scalars(select(InstrumentVersion))
        for item in instrument_of(version).items
        for question in (item.questions if isinstance(item, Group) else (item,))
        for choice in question.choices
    }
    for column in (Interview.verification_json, Interview.recognition_json):
        for text in db.scalars(select(column)):  # what was typed in the field
            cjk.update(_typed(json.loads(text or "{}")))
    return {"latin": latin, "cjk": cjk, "choices": choices}


def _typed(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_typed(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_typed(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) and CJK.search(value) else set()


def _as(testapp, user, language):
    testapp.reset()
    testapp.login(user.username)
    testapp.get("/", {"_LOCALE_": language})


def _render_pages(testapp, world, language, data) -> tuple[dict, set]:
    failures, rendered = {}, set()
    pages = {**PAGES, **THIN_PAGES}
    for role in ROLES:
        _as(testapp, world["people"][role], language)
        menus = {}
        for name, path_of in pages.items():
            response = testapp.get(path_of(world), expect_errors=True)
            assert response.status_int in (200, 303, 403, 404), (name, role, response.status)
            if response.status_int != 200 or "html" not in response.content_type:
                continue
            rendered.add(name)
            if name != "auth.login":  # the role's menu is the same on every page
                menus.setdefault(
                    re.search(r'<nav class="menu".*?</nav>', response.text, re.S)[0], name
                )
            assert len(menus) == 1, (role, menus)
            found = problems(visible_text(response.text), language, data)
            if found:
                failures[f"{name} as {role.value}"] = found
    return failures, rendered


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _render_pdfs(testapp, world, language, data) -> dict:
    """The draft PDF of each county (full, frame only, no round); the locked version and the
    provincial summary of the full county."""
    failures = {}
    _as(testapp, world["people"][Role.coordinator], language)
    paths = [(name, path_of(world, world["county"])) for name, path_of in PDFS.items()]
    paths += [
        (f"reports.county_draft of {c.code}", PDFS["reports.county_draft"](world, c))
        for c in (world["thin"], world["no_round"])
    ]
    for name, path in paths:
        response = testapp.get(path)
        assert response.content_type == "application/pdf", (name, response.status)
        found = problems(pdf_text(response.body), language, data)
        if found:
            failures[name] = found
    return failures


def test_every_route_is_covered(app):
    from pyramid.interfaces import IRoutesMapper

    names = {route.name for route in app.registry.getUtility(IRoutesMapper).get_routes()}
    missing = names - {name.split(".submitted")[0] for name in PAGES} - set(NOT_PAGES)
    assert not missing, f"add these routes to PAGES or NOT_PAGES of {__name__}: {missing}"
    assert set(PDFS) <= set(NOT_PAGES)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_and_report_speaks_the_users_language(testapp, dbsession, world, language):
    coordinator = world["people"][Role.coordinator]
    _as(testapp, coordinator, language)
    county = world["county"]
    testapp.post_form(
        f"/reports/county/{county.code}/versions",
        {"lang": language},
        token_from=f"/reports/county/{county.code}",
        status=303,
    )
    world["version"] = dbsession.scalars(select(ReportVersion)).first()
    _as(testapp, world["people"][Role.supervisor], language)
    testapp.post_form(
        "/surveys/review/revisit",
        {"percent": "10", "seed": "7"},
        token_from="/surveys/review",
        status=303,
    )
    data = data_words(dbsession)
    failures, rendered = _render_pages(testapp, world, language, data)
    assert rendered == set(PAGES) | set(THIN_PAGES), (set(PAGES) | set(THIN_PAGES)) - rendered
    failures.update(_render_pdfs(testapp, world, language, data))
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


def test_the_checker_finds_what_it_must():
    data = {"latin": {"T0000001"}, "cjk": {"村1-1"}, "choices": {"None"}}
    assert problems("贫困村 exited T0000001 3218.0 元 21.0% v2 GPS", "zh", data) == [
        "exited",
        "float 3218.0",
    ]
    assert problems("报告版本 None · nan", "zh", data) == ["None", "nan"]
    assert problems("Village 村1-1 · 已脱贫户 · 中文", "en", data) == ["已脱贫户"]
    assert problems("Assistance received: None", "en", data) == []
    assert visible_text(
        '<p title="标题">正文<code>raw_code</code><textarea>{"a": 1}</textarea></p>'
    ) == ("标题 正文")
