"""Users, teams, rounds and log-in: the business rules behind the admin and auth pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assessment.i18n import N_, Message
from assessment.models import AssessmentRound, County, LoginFailure, Role, Team, User, utcnow
from assessment.security import check_password, hash_password, needs_rehash


class DomainError(Exception):
    """A rule of the domain was broken; carries a message for the user."""

    def __init__(self, message: Message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: Message | None


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

    def log_in(self, username: str, password: str, address: str) -> LoginResult:
        now = self.clock()
        window = self.settings.login_window_minutes
        since = now - dt.timedelta(minutes=window)
        username = username.strip()
        if (
            self._failures_since(LoginFailure.username, username, since)
            >= self.settings.max_failures_per_account
            or self._failures_since(LoginFailure.address, address, since)
            >= self.settings.max_failures_per_address
        ):
            return LoginResult(
                None,
                Message(
                    N_("Too many failed log-ins. Try again in {minutes} minutes."),
                    {"minutes": window},
                ),
            )
        user = self.db.scalar(select(User).where(User.username == username))
        if user is None or not user.active or not check_password(user.password_hash, password):
            self.db.add(LoginFailure(username=username, address=address, at=now))
            return LoginResult(None, Message(N_("Wrong user name or password.")))
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        self.db.execute(delete(LoginFailure).where(LoginFailure.username == username))
        return LoginResult(user, None)


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
        if role in (Role.assessor, Role.supervisor) and team is None:
            raise DomainError(
                Message(N_("Assessors and supervisors must belong to a team.")), field="team_id"
            )

    def update(self, user: User, *, role: Role, team: Team | None, active: bool, display_name: str):
        self._check_team(role, team)
        user.role, user.team, user.active, user.display_name = (
            Role(role),
            team,
            active,
            display_name,
        )

    def reset_password(self, user: User, password: str) -> None:
        check_new_password(password)
        user.password_hash = hash_password(password)

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


def latest_round(dbsession: Session, county: County | None = None) -> AssessmentRound | None:
    """The newest round (of ``county`` when given): what ``--county`` commands use by default."""
    query = select(AssessmentRound).order_by(AssessmentRound.year.desc(), AssessmentRound.id.desc())
    if county is not None:
        query = query.where(AssessmentRound.counties.contains(county))
    return dbsession.scalars(query.limit(1)).first()


def counties(dbsession: Session) -> list[County]:
    return list(dbsession.scalars(select(County).order_by(County.code)))
