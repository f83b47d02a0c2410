package vendorgate.custom["employee-data-eu-only_test"]

import data.vendorgate.custom["employee-data-eu-only"] as rule
import data.vendorgate.test.fixtures

_helpdesk(subjects, region) := object.union(fixtures.support, {
	"name": "it-helpdesk",
	"subjects": subjects,
	"destination": {"region": region},
})

test_employee_data_to_the_eu_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([_helpdesk(["employee"], "eu")])
		with data.registry as fixtures.registry
}

test_customer_data_anywhere_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([_helpdesk(["customer"], "us")])
		with data.registry as fixtures.registry
}

test_employee_data_outside_the_eu_fails if {
	violations := rule.violation with input as fixtures.input_for([_helpdesk(["customer", "employee"], "us")])
		with data.registry as fixtures.registry
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
	violations := rule.violation with input as fixtures.input_for([_helpdesk(["employee.contractor"], "us")])
		with data.registry as fixtures.registry
	{v.message | some v in violations} == {concat("", [
		"Integration it-helpdesk sends data about data subject employee.contractor to zendesk in region us, ",
		"but employee data may only go to region eu.",
	])}
}

test_a_lookalike_subject_does_not_count if {
	count(rule.violation) == 0 with input as fixtures.input_for([_helpdesk(["employee_candidate"], "us")])
		with data.registry as fixtures.registry
}

test_applies_to_unknown_vendors if {
	integration := object.union(_helpdesk(["employee"], "us"), {"vendor": "freshdesk"})
	fixtures.brief(rule.violation) == {["ACME001", "it-helpdesk", "", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
