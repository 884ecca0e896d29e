"""Before every published case has a final outcome the county's verdict is interim."""

from reports.county_verdict import county_verdict

M = "meets"


def test_unsettled_appeals_keep_a_complete_county_interim():
    found = county_verdict(
        fieldwork_complete=True, officials=[M] * 4, confidences=[M] * 4, appeals_settled=False
    )
    assert (found.verdict, found.interim, found.recommends) == ("insufficient_data", True, False)
    settled = county_verdict(
        fieldwork_complete=True, officials=[M] * 4, confidences=[M] * 4, appeals_settled=True
    )
    assert (settled.verdict, settled.interim) == ("exit_recommended", False)
