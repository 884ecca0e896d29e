"""Every permission a view may require, named ``<resource>:<action>``."""

from enum import StrEnum


class Permission(StrEnum):
    home = "home:view"
    account = "account:edit"
    admin = "admin:manage"
    dashboard = "dashboard:view"
    report = "report:view"
    report_manage = "report:manage"
    export = "export:download"
    frame = "frame:manage"
    plan_view = "plan:view"
    plan_manage = "plan:manage"
    plan_discard = "plan:discard"  # re-draw over fieldwork (archives it): admins only
    team_view = "team:view"
    household_view = "household:view"
    interview_edit = "interview:edit"
    interview_review = "interview:review"
    appeal_view = "appeal:view"  # a county's published suspected cases
    appeal_publish = "appeal:publish"
    appeal_answer = "appeal:answer"  # the county liaison's accept / dispute
    appeal_rule = "appeal:rule"  # an appeal expert's ruling
    quality_view = "quality:view"  # back-check results (supervisors, coordinators)
    backcheck_draw = "backcheck:draw"
    backcheck_edit = "backcheck:edit"  # the assigned team records a back-check
    backcheck_return = "backcheck:return"  # the current team's supervisor returns on it
