"""Display names of coded values (one name per idea, see the glossary); msgids, translated late."""

from assessment.i18n import N_

STATUS_LABELS = {
    "exited": N_("Exited household"),
    "not_exited": N_("Not-yet-exited household"),
    "non_registered": N_("Non-registered household"),
}
VILLAGE_TYPE_LABELS = {"poor": N_("Poor village"), "non_poor": N_("Non-poor village")}
PLAN_ROLE_LABELS = {
    "selected": N_("Sampled"),
    "reserve": N_("Reserve"),
    "screening": N_("Screening"),
}
INDICATOR_LABELS = {
    "poverty_incidence": N_("Comprehensive poverty incidence"),
    "wrongful_exit_rate": N_("Wrongful-exit rate"),
    "missed_rate": N_("Missed-identification rate"),
    "recognition_rate": N_("Mass recognition"),
}
CONFIDENCE_LABELS = {
    "meets": N_("meets with at least 95 percent confidence"),
    "fails": N_("fails with at least 95 percent confidence"),
    "inconclusive": N_("inconclusive"),
}
