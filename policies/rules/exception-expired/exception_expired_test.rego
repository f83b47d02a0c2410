package vendorgate.waivers["exception-expired_test"]

import data.vendorgate.test.fixtures
import data.vendorgate.waivers["exception-expired"] as rule

# product-analytics sending to region in: one VG007 violation.
_input(exceptions) := object.union(
	fixtures.input_for([fixtures.analytics_with({"destination": {"region": "in"}})]),
	{"exceptions": exceptions},
)

_exception(id, expires) := {"id": id, "rule": "VG007", "vendor": "mixpanel", "integration": "product-analytics", "expires": expires}

_messages(exs) := {v.message |
	some v in rule.violation with input as _input(exs)
		with data.registry as fixtures.registry
}

test_no_exceptions_nothing_to_report if {
	count(rule.violation) == 0 with input as _input([])
		with data.registry as fixtures.registry
}

test_an_active_exception_is_not_reported if {
	count(rule.violation) == 0 with input as _input([_exception("EXC-17", "2026-11-29")])
		with data.registry as fixtures.registry
}

test_an_expired_exception_is_reported if {
	violations := rule.violation with input as _input([_exception("EXC-17", "2026-11-28")])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG012"
	v.name == "exception-expired"
	v.severity == "advisory"
	v.integration == "product-analytics"
	v.exception == "EXC-17"
	not v.field
	v.message == "Exception EXC-17 for VG007 expired on 2026-11-28, so the violation it covered stands."
}

test_the_field_of_the_covered_violation_is_kept if {
	integration := fixtures.analytics_sending("properties.$email", "user.contact.email", "none")
	exs := [{"id": "EXC-3", "rule": "VG004", "vendor": "mixpanel", "field": "properties.$email", "expires": "2026-01-31"}]
	given := object.union(fixtures.input_for([integration]), {"exceptions": exs})
	violations := rule.violation with input as given
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.field == "properties.$email"
}

test_one_per_expired_exception if {
	exs := [
		_exception("EXC-17", "2026-10-31"),
		_exception("EXC-9", "2026-06-30"),
	]
	_messages(exs) == {
		"Exception EXC-17 for VG007 expired on 2026-10-31, so the violation it covered stands.",
		"Exception EXC-9 for VG007 expired on 2026-06-30, so the violation it covered stands.",
	}
}

test_an_active_exception_alongside_hides_the_expired_one if {
	exs := [_exception("EXC-17", "2026-10-31"), _exception("EXC-18", "2027-03-31")]
	count(rule.violation) == 0 with input as _input(exs)
		with data.registry as fixtures.registry
}

test_an_exception_matching_nothing_is_reported_at_its_id if {
	exs := [object.union(_exception("EXC-17", "2026-12-31"), {"rule": "VG004"})]
	violations := rule.violation with input as _input(exs)
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.exception == "EXC-17"
	v.integration == "product-analytics"
	v.message == "Exception EXC-17 for VG004 matches no violation: delete it, or correct what it names."
}

test_an_exception_naming_an_unknown_integration_is_reported if {
	# A typo in the integration name: it matches nothing, and says why.
	exs := [object.union(_exception("EXC-17", "2026-12-31"), {"integration": "product-analytic"})]
	_messages(exs) == {concat("", [
		"Exception EXC-17 names integration product-analytic, which this stack does not declare ",
		"(or has disabled), so it matches nothing.",
	])}
}

test_an_exception_naming_an_unknown_vendor_is_reported if {
	exs := [object.union(_exception("EXC-17", "2026-12-31"), {"vendor": "mixpanels"})]
	_messages(exs) == {"Exception EXC-17 names vendor mixpanels, which the registry does not list, so it matches nothing."}
}

test_an_exception_past_the_maximum_lifetime_is_reported if {
	_messages([_exception("EXC-17", "2099-12-31")]) == {concat("", [
		"Exception EXC-17 expires on 2099-12-31, more than 365 days after 2026-11-29 ",
		"(the registry's maximum lifetime), so it waives nothing.",
	])}
}

test_an_exception_for_another_stack_is_not_reported if {
	exs := [object.union(_exception("EXC-17", "2026-12-31"), {"integration": "other", "stacks": ["dev"]})]
	given := object.union(_input(exs), {"stack": {"name": "prod"}})
	count(rule.violation) == 0 with input as given
		with data.registry as fixtures.registry
}

test_a_stack_is_named_when_nothing_matches_in_it if {
	exs := [object.union(_exception("EXC-17", "2026-12-31"), {"rule": "VG004", "stacks": ["prod"]})]
	given := object.union(_input(exs), {"stack": {"name": "prod"}})
	{v.message | some v in rule.violation} == {
		"Exception EXC-17 for VG004 matches no violation in stack prod: delete it, or correct what it names.",
	} with input as given
		with data.registry as fixtures.registry
}
