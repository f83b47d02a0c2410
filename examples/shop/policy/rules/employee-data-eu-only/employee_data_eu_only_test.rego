package vendorgate.custom["employee-data-eu-only_test"]

import data.vendorgate.custom["employee-data-eu-only"] as rule

# Self-contained, as a project's own rule tests must be: vendorgate ships the rules' library
# (policies/lib) but not its test fixtures.
_helpdesk(subjects, region) := {
	"name": "it-helpdesk",
	"vendor": "zendesk",
	"purpose": "essential.service.operations.support",
	"subjects": subjects,
	"destination": {"url": "https://acme.zendesk.com/api/v2/tickets", "scheme": "https", "host": "acme.zendesk.com", "region": region},
	"fields": [{"path": "requester.email", "category": "user.contact.email", "transform": "none"}],
}

_input(integrations) := {"now": "2026-11-29", "integrations": integrations, "resources": [], "exceptions": []}

_brief(violations) := {[v.rule, v.integration, object.get(v, "field", ""), v.severity] | some v in violations}

test_employee_data_to_the_eu_passes if {
	count(rule.violation) == 0 with input as _input([_helpdesk(["employee"], "eu")])
}

test_customer_data_anywhere_passes if {
	count(rule.violation) == 0 with input as _input([_helpdesk(["customer"], "us")])
}

test_employee_data_outside_the_eu_fails if {
	violations := rule.violation with input as _input([_helpdesk(["customer", "employee"], "us")])
	[v] := [v | some v in violations]
	v.rule == "ACME001"
	v.name == "employee-data-eu-only"
	v.title == "Employee data stays in the EU"
	v.severity == "mandatory"
	v.integration == "it-helpdesk"
	v.message == concat("", [
		"Integration it-helpdesk sends data about data subject employee to zendesk in region us, ",
		"but employee data may only go to region eu.",
	])
}

test_a_key_under_employee_counts if {
	violations := rule.violation with input as _input([_helpdesk(["employee.contractor"], "us")])
	{v.message | some v in violations} == {concat("", [
		"Integration it-helpdesk sends data about data subject employee.contractor to zendesk in region us, ",
		"but employee data may only go to region eu.",
	])}
}

test_a_lookalike_subject_does_not_count if {
	count(rule.violation) == 0 with input as _input([_helpdesk(["employee_candidate"], "us")])
}

test_applies_to_unknown_vendors if {
	integration := object.union(_helpdesk(["employee"], "us"), {"vendor": "freshdesk"})
	_brief(rule.violation) == {["ACME001", "it-helpdesk", "", "mandatory"]} with input as _input([integration])
}
