package vendorgate.waivers["exception-expired_test"]

import data.vendorgate.test.fixtures
import data.vendorgate.waivers["exception-expired"] as rule

# product-analytics sending to region in: one VG007 violation.
_input(exceptions) := object.union(
	fixtures.input_for([fixtures.analytics_with({"destination": {"region": "in"}})]),
	{"exceptions": exceptions},
)

test_no_exceptions_nothing_to_report if {
	count(rule.violation) == 0 with input as _input([])
		with data.registry as fixtures.registry
}

test_an_active_exception_is_not_reported if {
	exs := [{"id": "EXC-17", "rule": "VG007", "integration": "product-analytics", "expires": "2026-11-29"}]
	count(rule.violation) == 0 with input as _input(exs)
		with data.registry as fixtures.registry
}

test_an_expired_exception_is_reported if {
	exs := [{"id": "EXC-17", "rule": "VG007", "integration": "product-analytics", "expires": "2026-11-28"}]
	violations := rule.violation with input as _input(exs)
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG012"
	v.name == "exception-expired"
	v.severity == "advisory"
	v.integration == "product-analytics"
	not v.field
	v.message == "Exception EXC-17 for VG007 expired on 2026-11-28, so the violation it covered stands."
}

test_the_field_of_the_covered_violation_is_kept if {
	integration := fixtures.analytics_sending("properties.$email", "user.contact.email", "none")
	exs := [{"id": "EXC-3", "rule": "VG004", "field": "properties.$email", "expires": "2026-01-31"}]
	given := object.union(fixtures.input_for([integration]), {"exceptions": exs})
	violations := rule.violation with input as given
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.field == "properties.$email"
}

test_one_per_expired_exception if {
	exs := [
		{"id": "EXC-17", "rule": "VG007", "expires": "2026-10-31"},
		{"id": "EXC-9", "rule": "VG007", "integration": "product-analytics", "expires": "2026-06-30"},
		{"id": "EXC-50", "rule": "VG004", "expires": "2026-06-30"},
	]
	violations := rule.violation with input as _input(exs)
		with data.registry as fixtures.registry
	{v.message | some v in violations} == {
		"Exception EXC-17 for VG007 expired on 2026-10-31, so the violation it covered stands.",
		"Exception EXC-9 for VG007 expired on 2026-06-30, so the violation it covered stands.",
	}
}

test_an_active_exception_alongside_hides_the_expired_one if {
	exs := [
		{"id": "EXC-17", "rule": "VG007", "expires": "2026-10-31"},
		{"id": "EXC-18", "rule": "VG007", "expires": "2027-03-31"},
	]
	count(rule.violation) == 0 with input as _input(exs)
		with data.registry as fixtures.registry
}

test_an_exception_matching_nothing_is_not_reported if {
	exs := [{"id": "EXC-17", "rule": "VG007", "integration": "other", "expires": "2026-10-31"}]
	count(rule.violation) == 0 with input as _input(exs)
		with data.registry as fixtures.registry
}
