package vendorgate.lib.exceptions_test

import data.vendorgate.lib.exceptions

_violation := {"rule": "VG004", "integration": "support-chat", "field": "requester.phone"}

test_matches_on_rule_alone if exceptions.matches({"id": "E", "rule": "VG004", "expires": "2027-01-01"}, _violation)

test_matches_on_rule_integration_and_field if {
	exceptions.matches(
		{"id": "E", "rule": "VG004", "integration": "support-chat", "field": "requester.phone", "expires": "2027-01-01"},
		_violation,
	)
}

test_another_rule_integration_or_field_does_not_match if {
	not exceptions.matches({"id": "E", "rule": "VG005", "expires": "2027-01-01"}, _violation)
	not exceptions.matches({"id": "E", "rule": "VG004", "integration": "payments", "expires": "2027-01-01"}, _violation)
	not exceptions.matches({"id": "E", "rule": "VG004", "field": "requester.email", "expires": "2027-01-01"}, _violation)
}

test_a_field_exception_does_not_match_a_violation_without_field if {
	exception := {"id": "E", "rule": "VG009", "field": "x", "expires": "2027-01-01"}
	not exceptions.matches(exception, {"rule": "VG009", "integration": "a"})
}

test_prohibited_categories_cannot_be_waived if {
	not exceptions.matches({"id": "E", "rule": "VG006", "expires": "2099-01-01"}, {"rule": "VG006", "integration": "a"})
}

test_active_through_its_expiry_date if {
	exceptions.active({"expires": "2026-11-29"}) with input as {"now": "2026-11-29"}
	not exceptions.expired({"expires": "2026-11-29"}) with input as {"now": "2026-11-29"}
	exceptions.expired({"expires": "2026-11-28"}) with input as {"now": "2026-11-29"}
	not exceptions.active({"expires": "2026-11-28"}) with input as {"now": "2026-11-29"}
}

test_waiver_is_the_smallest_active_id if {
	exs := [
		{"id": "EXC-9", "rule": "VG004", "expires": "2027-01-01"},
		{"id": "EXC-10", "rule": "VG004", "expires": "2027-01-01"},
		{"id": "EXC-1", "rule": "VG004", "expires": "2026-01-01"},
	]

	# Ids compare as text, which is stable whatever the numbering scheme.
	exceptions.waiver(_violation) == "EXC-10" with input as {"now": "2026-11-29", "exceptions": exs}
}

test_no_waiver_when_every_match_expired if {
	exs := [{"id": "EXC-1", "rule": "VG004", "expires": "2026-01-01"}]
	not exceptions.waiver(_violation) with input as {"now": "2026-11-29", "exceptions": exs}
}

test_no_exceptions_in_the_input if {
	exceptions.declared == [] with input as {"now": "2026-11-29"}
	count(exceptions.matching(_violation)) == 0 with input as {"now": "2026-11-29"}
}
