"""Small factories for tests: one hash computed once, so users are cheap to create."""

from __future__ import annotations

import itertools
from functools import lru_cache

from assessment.core.models import County, Province, Role, Team, Township, User, Village
from assessment.core.security import hash_password

PASSWORD = "password123"
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_team(db, name: str | None = None, home_county: County | None = None) -> Team:
    team = Team(name=name or f"team-{next(_counter)}", home_county=home_county)
    db.add(team)
    db.flush()
    return team


def make_user(
    db,
    role: Role | str,
    *,
    team: Team | None = None,
    username: str | None = None,
    language: str | None = None,
) -> User:
    role = Role(role)
    if team is None and role in (Role.assessor, Role.supervisor):
        team = make_team(db)
    user = User(
        username=username or f"{role.value}-{next(_counter)}",
        display_name=f"{role.value} user",
        password_hash=password_hash(),
        role=role,
        team=team,
        language=language,
    )
    db.add(user)
    db.flush()
    return user


def make_county(db, code: str | None = None, *, townships: int = 2, villages: int = 3) -> County:
    n = next(_counter)
    province = Province(name=f"省{n}")
    county = County(code=code or f"C{n}", name=f"县{n}", province=province)
    db.add(county)
    for t in range(townships):
        township = Township(county=county, name=f"乡{t + 1}")
        db.add(township)
        db.add_all(Village(township=township, name=f"村{t + 1}-{v + 1}") for v in range(villages))
    db.flush()
    return county
