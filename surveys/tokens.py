"""Bearer tokens of the JSON API: moved to :mod:`assessment.tokens` (they are part of log-in)."""

from assessment.tokens import (  # noqa: F401 - the survey feature's API imports them from here
    BEARER_FLAG,
    bearer_tween_factory,
    issue_token,
    token_hash,
    user_for_token,
)
