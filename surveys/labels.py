"""Display names (msgids) of the survey workflow's coded values; translated when shown."""

from assessment.core.i18n import N_

INTERVIEW_STATUS_LABELS = {
    "not_started": N_("Not started"),
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "returned": N_("Returned"),
    "approved": N_("Approved"),
    "not_interviewed": N_("Not interviewed"),
    "superseded": N_("Superseded by a re-visit"),
}
OUTCOME_LABELS = {
    "interviewed": N_("Interviewed"),
    "absent": N_("Absent"),
    "refused": N_("Refused"),
    "moved": N_("Moved away"),
    "deceased": N_("Deceased"),
    "not_found": N_("Not found"),
}
VERDICT_LABELS = {
    "meets_standard": N_("Meets the standard"),
    "wrongly_exited": N_("Wrongly exited"),
    "missed": N_("Missed"),
    "still_poor": N_("Still poor"),
    "incomplete": N_("Incomplete"),
}
STANDARD_LABELS = {
    "income_ok": N_("Income above the line"),
    "food_ok": N_("Enough to eat"),
    "clothing_ok": N_("Enough to wear"),
    "schooling_ok": N_("Compulsory schooling"),
    "medical_ok": N_("Basic medical care"),
    "housing_ok": N_("Safe housing"),
    "water_ok": N_("Safe drinking water"),
}
ACTION_LABELS = {
    "outcome": N_("Contact outcome"),
    "save": N_("Draft saved"),
    "submit": N_("Submitted"),
    "approve": N_("Approved"),
    "return": N_("Returned"),
    "return_approved": N_("Returned after approval"),
    "photo": N_("Photo added"),
    "appeal_publish": N_("Published to the county"),
    "appeal_answer": N_("County answered"),
    "appeal_rule": N_("Appeal ruled"),
    "undo_release": N_("Reserve release undone"),
    "revisit_superseded": N_("Superseded by a re-visit"),
    "revisit_start": N_("Re-visit opened (appeal ruling)"),
    "revisit_failed": N_("Re-visit could not reach the household; set aside (appeal ruling)"),
    "revisit_restored": N_("First interview restored after a failed re-visit (appeal ruling)"),
}
YES, NO = N_("Yes"), N_("No")
# Audited paths that are not answers (see ``surveys.views.change_label``).
FIELD_LABELS = {
    "status": N_("Status"),
    "contact_outcome": N_("Contact outcome"),
    "photo": N_("Photo"),
    "reserve_released": N_("Reserve household"),
    "backcheck": N_("Back-check"),
    "revisit_of": N_("Re-visit of interview"),
    "revisit_team": N_("Re-visit team"),
    "backcheck.discrepant": N_("Back-check items that differ"),
}
