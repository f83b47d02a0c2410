package vendorgate.main_test

import data.vendorgate.main
import data.vendorgate.test.fixtures

# product-analytics sends an email (VG004) and an untransformed id (VG005);
# support-chat passes.
_leaky := fixtures.analytics_with({"fields": [
	{"path": "properties.$email", "category": "user.contact.email", "transform": "none"},
	{"path": "properties.distinct_id", "category": "user.unique_id", "transform": "none"},
	{"path": "properties.$os", "category": "user.device", "transform": "none"},
]})

_input(patch) := object.union(fixtures.input_for([_leaky, fixtures.support]), patch)

_report(patch) := report if {
	report := main.report with input as _input(patch)
		with data.registry as fixtures.registry
}

_summary(report) := [[v.rule, v.integration, object.get(v, "field", ""), v.severity, object.get(v, "waivedBy", "")] |
	some v in report.violations
]

test_report_is_defined_for_an_empty_input if {
	report := main.report with input as {}
		with data.registry as {"vendors": {}}
	report.violations == []
	report.rules == 13
}

test_report_is_defined_without_input if {
	report := main.report with data.registry as {"vendors": {}}
	report.violations == []
}

test_clean_integrations_give_no_violations if {
	report := main.report with input as fixtures.input_for([fixtures.analytics, fixtures.support])
		with data.registry as fixtures.registry
	report.violations == []
}

test_violations_are_collected_and_sorted if {
	_summary(_report({})) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_sorting_is_by_integration_then_rule_then_field if {
	second := fixtures.analytics_with({"name": "a-analytics", "fields": [
		{"path": "z", "category": "user.contact.email", "transform": "none"},
		{"path": "a", "category": "user.name", "transform": "none"},
	]})
	report := main.report with input as fixtures.input_for([_leaky, second])
		with data.registry as fixtures.registry
	_summary(report) == [
		["VG004", "a-analytics", "a", "mandatory", ""],
		["VG004", "a-analytics", "z", "mandatory", ""],
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_custom_rules_are_collected if {
	helpdesk := object.union(fixtures.support, {"subjects": ["employee"], "destination": {"region": "us"}})
	report := main.report with input as fixtures.input_for([helpdesk])
		with data.registry as fixtures.registry
	_summary(report) == [["ACME001", "support-chat", "", "mandatory", ""]]
}

test_violations_carry_the_contract_keys if {
	some v in _report({}).violations
	v.rule == "VG004"
	object.keys(v) == {"rule", "name", "title", "severity", "integration", "field", "message", "remediation"}
}

test_an_active_exception_waives_and_keeps_severity if {
	report := _report({"exceptions": [{
		"id": "EXC-42", "rule": "VG004", "integration": "product-analytics",
		"field": "properties.$email", "expires": "2026-12-31",
	}]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", "EXC-42"],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_an_exception_holds_on_its_expiry_date if {
	report := _report({"exceptions": [{"id": "EXC-1", "rule": "VG005", "expires": "2026-11-29"}]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", "EXC-1"],
	]
}

test_the_smallest_active_exception_id_is_the_waiver if {
	report := _report({"exceptions": [
		{"id": "EXC-7", "rule": "VG005", "expires": "2027-01-01"},
		{"id": "EXC-3", "rule": "VG005", "integration": "product-analytics", "expires": "2027-01-01"},
		{"id": "EXC-1", "rule": "VG005", "expires": "2026-01-01"},
	]})
	some v in report.violations
	v.rule == "VG005"
	v.waivedBy == "EXC-3"
	every w in report.violations {
		w.rule != "VG012"
	}
}

test_an_expired_exception_leaves_the_violation_and_reports_vg012 if {
	report := _report({"exceptions": [{"id": "EXC-1", "rule": "VG005", "expires": "2026-11-28"}]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
		["VG012", "product-analytics", "properties.distinct_id", "advisory", ""],
	]
}

test_an_exception_for_another_field_does_not_waive if {
	exception := {"id": "EXC-1", "rule": "VG004", "field": "properties.$name", "expires": "2027-01-01"}
	report := _report({"exceptions": [exception]})
	every v in report.violations {
		not v.waivedBy
	}
}

test_prohibited_categories_are_never_waived if {
	integration := fixtures.analytics_sending("iban", "user.financial.bank_account", "none")
	report := main.report with input as object.union(
		fixtures.input_for([integration]),
		{"exceptions": [{"id": "EXC-1", "rule": "VG006", "expires": "2099-12-31"}]},
	)
		with data.registry as fixtures.registry
	_summary(report) == [["VG006", "product-analytics", "iban", "mandatory", ""]]
}

test_enforcement_can_lower_a_rule_to_advisory if {
	report := _report({"enforcement": {"VG004": "advisory"}})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "advisory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_enforcement_can_disable_a_rule if {
	report := _report({"enforcement": {"VG004": "disabled"}})
	_summary(report) == [["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""]]
}

test_enforcement_can_raise_an_advisory if {
	registry := fixtures.registry_replacing_vendor("zendesk", object.union(
		object.remove(fixtures.registry.vendors.zendesk, ["assurance"]),
		{"assurance": {"dpa": {"expires": "2026-12-15"}}},
	))
	report := main.report with input as object.union(
		fixtures.input_for([fixtures.support]),
		{"enforcement": {"VG009": "mandatory"}},
	)
		with data.registry as registry
	_summary(report) == [["VG009", "support-chat", "", "mandatory", ""]]
}

test_an_unknown_enforcement_level_is_ignored if {
	report := _report({"enforcement": {"VG004": "off"}})
	count(report.violations) == 2
}

test_a_waived_violation_can_still_be_disabled if {
	report := _report({
		"exceptions": [{"id": "EXC-1", "rule": "VG004", "expires": "2027-01-01"}],
		"enforcement": {"VG004": "disabled"},
	})
	_summary(report) == [["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""]]
}

test_vg012_follows_enforcement_too if {
	exs := [{"id": "EXC-1", "rule": "VG005", "expires": "2026-01-01"}]
	report := _report({"exceptions": exs, "enforcement": {"VG012": "disabled"}})
	every v in report.violations {
		v.rule != "VG012"
	}
	lowered := _report({"exceptions": exs, "enforcement": {"VG012": "mandatory"}})
	some v in lowered.violations
	v.rule == "VG012"
	v.severity == "mandatory"
}

test_disabling_the_covered_rule_keeps_vg012 if {
	# The exception still expired, which security should hear about.
	report := _report({
		"exceptions": [{"id": "EXC-1", "rule": "VG005", "expires": "2026-01-01"}],
		"enforcement": {"VG005": "disabled"},
	})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG012", "product-analytics", "properties.distinct_id", "advisory", ""],
	]
}
