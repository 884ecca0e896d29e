"""Display names of coded values (one name per idea, see the glossary); msgids, translated late."""

from assessment.core.i18n import N_

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
CONFIDENCE_LABELS["insufficient_data"] = N_("insufficient data")
# The county verdict (reports.county_verdict) and the per-indicator official result.
COUNTY_VERDICT_LABELS = {
    "insufficient_data": N_("Insufficient data"),
    "exit_recommended": N_("Exit recommended"),
    "not_met": N_("Does not meet the exit conditions"),
    "inconclusive": N_("Inconclusive"),
}
OFFICIAL_LABELS = {
    "meets": N_("meets"),
    "fails": N_("fails"),
    "insufficient_data": N_("insufficient data"),
}
COUNTY_STATE_LABELS = {
    "no_round": N_(
        "The county is in no assessment round: an administrator must add it to one before "
        "fieldwork."
    ),
    "no_frame": N_("No sampling frame imported yet."),
    "no_plan": N_("No sampling plan drawn yet."),
    "no_interviews": N_("No approved interview yet."),
    "interim": N_("Fieldwork under way: the figures are interim and recommend nothing."),
    "final": N_("Fieldwork complete."),
}
# The fieldwork stage of a county, short (the dashboard's filter and summary line).
STAGE_LABELS = {
    "no_round": N_("In no round"),
    "no_frame": N_("No frame"),
    "no_plan": N_("No plan"),
    "no_interviews": N_("No approved interview"),
    "interim": N_("Fieldwork under way"),
    "final": N_("Fieldwork complete"),
}
VILLAGE_CLASS_LABELS = {**VILLAGE_TYPE_LABELS, "remote": N_("Remote village")}
RESPONSE_GROUP_LABELS = {**STATUS_LABELS, "screening": N_("Screening")}
# A stratum of a plan is a village class (village stage) or a household status (household
# stage); strata of one-stage designs are the coordinator's own words and shown as given.
STRATUM_LABELS = {**VILLAGE_CLASS_LABELS, **STATUS_LABELS}
# The stage of a draw (a plan's summary of its strata).
DRAW_STAGE_LABELS = {
    "village": N_("Drawing villages"),
    "villages": N_("Drawing villages"),
    "household": N_("Drawing households"),
    "stratum": N_("Stratified draw"),
}
# Interval methods of the estimates (assessment.estimation) and the report languages.
CI_METHOD_LABELS = {
    "korn-graubard": N_("Korn–Graubard interval (exact binomial, effective sample size)"),
    "korn-graubard-kish": N_(
        "Interval for rare rates: Wilson score interval on the effective sample size (design "
        "effect at least Kish's for the weights and household sizes), its upper end at least "
        "the one-sided bound; one-sided bound Korn–Graubard (exact binomial) on "
        "Satterthwaite's effective degrees of freedom"
    ),
    "wilson": N_("Wilson score interval (effective sample size)"),
    "wilson-model": N_(
        "Interval for rare rates: Wilson score interval on the design degrees of freedom, on "
        "a model-based effective sample size (Kish's design effect for the weights and "
        "household sizes times 1 + (b − 1)ρ for the villages, ρ a pooled intra-village "
        "correlation); the one-sided 95% bound is the same interval's end"
    ),
    "wald-t": N_("Wald interval with t quantiles"),
    "census": N_("No sampling error (every unit observed)"),
}
LANGUAGE_LABELS = {"zh": N_("Chinese"), "en": N_("English")}
# The sample-size model behind a decision rule (sampling.sizes.DecisionPlan.model).
SIZE_MODEL_LABELS = {
    "binomial": N_("binomial model"),
    "hypergeometric": N_("hypergeometric model (small frame)"),
}


def label_of(labels: dict[str, str], code) -> str:
    """The msgid naming ``code`` in ``labels``, or ``code`` itself (free text) when unknown."""
    return labels.get(code, code) if isinstance(code, str) else code


# Questionnaires by their instrument id, and the note of the versions shipped with the code.
INSTRUMENT_LABELS = {
    "verification": N_("Household verification questionnaire"),
    "recognition": N_("Recognition questionnaire"),
}
NOTE_LABELS = {"built-in": N_("Shipped with the platform")}
