"""Users, teams, rounds and log-in: the business rules behind the admin and auth pages."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import (
    AssessmentRound,
    County,
    LoginFailure,
    Province,
    Role,
    Team,
    User,
    round_counties,
    utcnow,
)
from assessment.core.security import check_password, hash_password, needs_rehash
from assessment.core.staleness import mark_stale


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: Message | None


THROTTLE_LOCK_SPACE = 0x4C4F47  # first key of the throttle's advisory locks ("LOG")


@functools.cache
def _dummy_hash() -> str:
    """Checked when the user name is unknown, so it takes as long as a known one."""
    return hash_password("not a password of anyone")


class LoginService:
    """Checks passwords and throttles failures per account and per address.

    Failures are rows in ``login_failures`` so that every app process sees the same counts.
    """

    def __init__(self, dbsession: Session, *, settings, clock: Callable[[], dt.datetime] = utcnow):
        self.db = dbsession
        self.settings = settings
        self.clock = clock

    def _failures_since(self, column, value: str, since: dt.datetime) -> int:
        query = select(func.count()).where(column == value, LoginFailure.at >= since)
        return self.db.scalar(query) or 0

    def _throttled(self, username: str, address: str, since: dt.datetime) -> bool:
        settings = self.settings
        return (
            self._failures_since(LoginFailure.username, username, since)
            >= settings.max_failures_per_account
            or self._failures_since(LoginFailure.address, address, since)
            >= settings.max_failures_per_address
        )

    def _lock(self, username: str, address: str) -> None:
        """Serialise the count and the record per account and per address until commit.

        PostgreSQL: transaction-level advisory locks, always account then address (so two
        attempts never wait on each other in opposite order). SQLite: the request's
        ``BEGIN IMMEDIATE`` already made the whole transaction the only writer.
        """
        if self.db.get_bind().dialect.name != "postgresql":
            return
        for key in (f"user:{username}", f"address:{address}"):
            self.db.execute(
                text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
                {"space": THROTTLE_LOCK_SPACE, "key": key},
            )

    def log_in(self, username: str, password: str, address: str) -> LoginResult:
        now = self.clock()
        window = self.settings.login_window_minutes
        since = now - dt.timedelta(minutes=window)
        username = username.strip()
        too_many = LoginResult(
            None,
            Message(
                N_("Too many failed log-ins. Try again in {minutes} minutes."),
                {"minutes": window},
            ),
        )
        if self._throttled(username, address, since):
            return too_many  # cheap refusal: no password hashing for a locked account
        user = self.db.scalar(select(User).where(User.username == username))
        # The slow hash runs outside the lock; its answer counts only if, under the lock,
        # the guess is still within the limit - so concurrent guesses check at most the
        # limit, whatever the number of processes.
        stored = user.password_hash if user is not None else _dummy_hash()
        good = check_password(stored, password) and user is not None and user.active
        self._lock(username, address)
        if self._throttled(username, address, since):
            return too_many
        if not good:
            self.db.add(LoginFailure(username=username, address=address, at=now))
            self.db.flush()
            return LoginResult(None, Message(N_("Wrong user name or password.")))
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        self.db.execute(delete(LoginFailure).where(LoginFailure.username == username))
        return LoginResult(user, None)


def end_credentials(dbsession: Session, user: User) -> None:
    """End every session and revoke every API token of ``user``."""
    from assessment.core.sessions import end_user_sessions
    from assessment.core.tokens import revoke_user_tokens

    end_user_sessions(dbsession, user.id)
    revoke_user_tokens(dbsession, user.id)


MIN_PASSWORD_LENGTH = 8


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            Message(
                N_("The password needs at least {count} characters."),
                {"count": MIN_PASSWORD_LENGTH},
            ),
            field="password",
        )


class UserService:
    def __init__(self, dbsession: Session):
        self.db = dbsession

    def create(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        display_name: str | None = None,
        team: Team | None = None,
        password_hash: str | None = None,
    ) -> User:
        """Create a user; ``password_hash`` lets bulk callers reuse one hash."""
        username = username.strip()
        if not username:
            raise DomainError(Message(N_("A user name is required.")), field="username")
        if self.db.scalar(select(User.id).where(User.username == username)) is not None:
            raise DomainError(
                Message(N_("The user name {name} is taken."), {"name": username}), field="username"
            )
        if password_hash is None:
            check_new_password(password)
            password_hash = hash_password(password)
        self._check_team(role, team)
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=password_hash,
            role=Role(role),
            team=team,
        )
        self.db.add(user)
        self.db.flush()
        return user

    @staticmethod
    def _check_team(role: Role, team: Team | None) -> None:
        field_role = role in (Role.assessor, Role.supervisor)
        if field_role and team is None:
            raise DomainError(
                Message(N_("Assessors and supervisors must belong to a team.")), field="team_id"
            )
        if not field_role and team is not None:
            # A team gives access to its households: only the field roles may have one.
            raise DomainError(
                Message(
                    N_(
                        "Only assessors and supervisors belong to a team; leave the team "
                        "empty for this role."
                    )
                ),
                field="team_id",
            )

    def update(self, user: User, *, role: Role, team: Team | None, active: bool, display_name: str):
        self._check_team(role, team)
        if user.active and not active:
            end_credentials(self.db, user)
        user.role, user.team, user.active, user.display_name = (
            Role(role),
            team,
            active,
            display_name,
        )

    def reset_password(self, user: User, password: str) -> None:
        """Set a new password; every session and API token of the user ends."""
        check_new_password(password)
        user.password_hash = hash_password(password)
        end_credentials(self.db, user)

    def list(self) -> list[User]:
        return list(self.db.scalars(select(User).order_by(User.role, User.username)))


class TeamService:
    def __init__(self, dbsession: Session):
        self.db = dbsession

    def create(self, name: str, *, home_county: County | None = None) -> Team:
        name = name.strip()
        if self.db.scalar(select(Team.id).where(Team.name == name)) is not None:
            raise DomainError(
                Message(N_("The team {name} exists already."), {"name": name}), "name"
            )
        team = Team(name=name, home_county=home_county)
        self.db.add(team)
        self.db.flush()
        return team

    def list(self) -> list[Team]:
        return list(self.db.scalars(select(Team).order_by(Team.name)))


def set_round_counties(
    dbsession: Session, assessment_round: AssessmentRound, counties: list[County]
) -> None:
    """List ``counties`` in the round (after its thresholds were set): every county it had
    or has gets its stored results recomputed (the round decides their verdicts)."""
    before = {c.id for c in assessment_round.counties}
    assessment_round.counties = list(counties)
    dbsession.flush()
    mark_stale(dbsession, before | {c.id for c in counties})


def latest_round(dbsession: Session, county: County | None = None) -> AssessmentRound | None:
    """The newest round (of ``county`` when given): what ``--county`` commands use by default."""
    query = select(AssessmentRound).order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
    if county is not None:
        query = query.where(AssessmentRound.counties.contains(county))
    return dbsession.scalars(query.limit(1)).first()


def current_rounds(dbsession: Session) -> list[AssessmentRound]:
    """The rounds of the newest year (provinces run rounds side by side), newest first."""
    newest = dbsession.scalar(select(func.max(AssessmentRound.year)))
    if newest is None:
        return []
    query = select(AssessmentRound).where(AssessmentRound.year == newest)
    return list(dbsession.scalars(query.order_by(AssessmentRound.id.desc())))


def counties(dbsession: Session) -> list[County]:
    return list(dbsession.scalars(select(County).order_by(County.code)))


def counties_in_rounds(dbsession: Session) -> list[County]:
    """The counties some assessment round lists, by code."""
    listed = select(round_counties.c.county_id).join(AssessmentRound)
    return list(
        dbsession.scalars(select(County).where(County.id.in_(listed)).order_by(County.code))
    )


def rounds_newest_first(dbsession: Session) -> list[AssessmentRound]:
    """Every assessment round, the newest (year, then the latest created) first."""
    query = select(AssessmentRound).order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
    return list(dbsession.scalars(query))


def county_by_id(dbsession: Session, county_id: int | None) -> County | None:
    return dbsession.get(County, county_id) if county_id else None


def counties_by_ids(dbsession: Session, county_ids) -> list[County]:
    """The counties of ``county_ids`` by code (an unknown id is left out)."""
    query = select(County).where(County.id.in_(list(county_ids or [])))
    return list(dbsession.scalars(query.order_by(County.code)))


def team_by_id(dbsession: Session, team_id: int | None) -> Team | None:
    return dbsession.get(Team, team_id) if team_id else None


def user_by_id(dbsession: Session, user_id: int | None) -> User | None:
    return dbsession.get(User, user_id) if user_id else None


def round_by_id(dbsession: Session, round_id: int | None) -> AssessmentRound | None:
    return dbsession.get(AssessmentRound, round_id) if round_id else None


def county_round(db: Session, county: County) -> AssessmentRound | None:
    """The round a county's pages, reports and dashboard row use by default.

    A county belongs to a round explicitly (``round_counties``). When several rounds list it,
    the newest one (highest year, then the latest created) is its round; the older ones stay
    reachable by naming them (the dashboard's round switch, ``--round``).
    """
    query = (
        select(AssessmentRound)
        .where(AssessmentRound.counties.contains(county))
        .order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
        .limit(1)
    )
    return db.scalars(query).first()


def ensure_county(
    db: Session, code: str, name: str, province_name: str, *, western=False
) -> County:
    """The county ``code``, created with its province when missing."""
    county = db.scalar(select(County).where(County.code == code))
    if county is not None:
        return county
    province = db.scalar(select(Province).where(Province.name == province_name))
    if province is None:
        province = Province(name=province_name)
        db.add(province)
    county = County(code=code, name=name, province=province, western=western)
    db.add(county)
    db.flush()
    return county
