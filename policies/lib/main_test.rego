package vendorgate.main_test

import data.vendorgate.main
import data.vendorgate.test.fixtures

# Core tests judge with no custom rules (data.vendorgate.custom replaced), so
# they hold whatever rules security adds under policies/custom.

# product-analytics sends an email (VG004) and an untransformed id (VG005);
# support-chat passes.
_leaky := fixtures.analytics_with({"fields": [
	{"path": "properties.$email", "category": "user.contact.email", "transform": "none"},
	{"path": "properties.distinct_id", "category": "user.unique_id", "transform": "none"},
	{"path": "properties.$os", "category": "user.device", "transform": "none"},
]})

_input(patch) := object.union(fixtures.input_for([_leaky, fixtures.support]), patch)

_core(given, registry) := report if {
	report := main.report with input as given
		with data.registry as registry
		with data.vendorgate.custom as {}
}

_report(patch) := _core(_input(patch), fixtures.registry)

# Sorted here: the report's order is the engine's business (it sorts in TypeScript).
_summary(report) := sort([[v.rule, v.integration, object.get(v, "field", ""), v.severity, object.get(v, "waivedBy", "")] |
	some v in report.violations
])

# The built-in rule packages (rules and waivers), counted from the data tree
# rather than written down, so adding a rule needs no edit here.
_core_rule_count := count({name | some name; data.vendorgate.rules[name].violation}) + count({name | some name; data.vendorgate.waivers[name].violation})

test_report_is_defined_for_an_empty_input if {
	report := _core({}, {"vendors": {}})
	report.violations == []
	report.rules == _core_rule_count
}

test_report_is_defined_without_input if {
	report := main.report with data.registry as {"vendors": {}}
		with data.vendorgate.custom as {}
	report.violations == []
}

test_clean_integrations_give_no_violations if {
	report := _core(fixtures.input_for([fixtures.analytics, fixtures.support]), fixtures.registry)
	report.violations == []
}

test_violations_are_collected if {
	_summary(_report({})) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_violations_of_every_integration_are_collected if {
	second := fixtures.analytics_with({"name": "a-analytics", "fields": [
		{"path": "z", "category": "user.contact.email", "transform": "none"},
		{"path": "a", "category": "user.name", "transform": "none"},
	]})
	report := _core(fixtures.input_for([_leaky, second]), fixtures.registry)
	_summary(report) == [
		["VG004", "a-analytics", "a", "mandatory", ""],
		["VG004", "a-analytics", "z", "mandatory", ""],
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

# A stand-in custom rule: the test must not depend on which custom rules exist.
_custom_rule := {"stand-in": {"violation": {{
	"rule": "TEST001", "name": "stand-in", "title": "Stand-in", "severity": "mandatory",
	"integration": "support-chat", "message": "m.", "remediation": "r.",
}}}}

test_custom_rules_are_collected_and_counted if {
	report := main.report with input as fixtures.input_for([fixtures.support])
		with data.registry as fixtures.registry
		with data.vendorgate.custom as _custom_rule
	_summary(report) == [["TEST001", "support-chat", "", "mandatory", ""]]
	report.rules == _core_rule_count + 1
}

test_violations_carry_the_contract_keys if {
	some v in _report({}).violations
	v.rule == "VG004"
	object.keys(v) == {"rule", "name", "title", "severity", "integration", "field", "message", "remediation"}
}

test_an_active_exception_waives_and_keeps_severity if {
	report := _report({"exceptions": [{
		"id": "EXC-42", "rule": "VG004", "vendor": "mixpanel", "integration": "product-analytics",
		"field": "properties.$email", "expires": "2026-12-31",
	}]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", "EXC-42"],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_an_exception_holds_on_its_expiry_date if {
	report := _report({"exceptions": [{"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2026-11-29"}]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", "EXC-1"],
	]
}

test_the_smallest_active_exception_id_is_the_waiver if {
	report := _report({"exceptions": [
		{"id": "EXC-7", "rule": "VG005", "vendor": "mixpanel", "expires": "2027-01-01"},
		{"id": "EXC-3", "rule": "VG005", "vendor": "mixpanel", "integration": "product-analytics", "expires": "2027-01-01"},
		{"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2026-01-01"},
	]})
	some v in report.violations
	v.rule == "VG005"
	v.waivedBy == "EXC-3"
	every w in report.violations {
		w.rule != "VG012"
	}
}

test_an_expired_exception_leaves_the_violation_and_reports_vg012 if {
	report := _report({"exceptions": [{"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2026-11-28"}]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
		["VG012", "product-analytics", "properties.distinct_id", "advisory", ""],
	]
}

test_an_exception_for_another_field_does_not_waive if {
	exception := {"id": "EXC-1", "rule": "VG004", "vendor": "mixpanel", "field": "properties.$name", "expires": "2027-01-01"}
	report := _report({"exceptions": [exception]})
	every v in report.violations {
		not v.waivedBy
	}
}

test_prohibited_categories_are_never_waived if {
	integration := fixtures.analytics_sending("iban", "user.financial.bank_account", "none")
	report := _core(
		object.union(
			fixtures.input_for([integration]),
			{"exceptions": [{"id": "EXC-1", "rule": "VG006", "vendor": "mixpanel", "expires": "2026-12-31"}]},
		),
		fixtures.registry,
	)
	[["VG006", "product-analytics", "iban", "mandatory", ""]] == [s |
		some s in _summary(report)
		s[0] != "VG012"
	]
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
	report := _core(
		object.union(fixtures.input_for([fixtures.support]), {"enforcement": {"VG009": "mandatory"}}),
		registry,
	)
	_summary(report) == [["VG009", "support-chat", "", "mandatory", ""]]
}

test_an_unknown_enforcement_level_is_ignored if {
	report := _report({"enforcement": {"VG004": "off"}})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
	]
}

test_a_waived_violation_can_still_be_disabled if {
	report := _report({
		"exceptions": [{"id": "EXC-1", "rule": "VG004", "vendor": "mixpanel", "expires": "2027-01-01"}],
		"enforcement": {"VG004": "disabled"},
	})
	_summary(report) == [["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""]]
}

test_vg012_follows_enforcement_too if {
	exs := [{"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2026-01-01"}]
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
		"exceptions": [{"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2026-01-01"}],
		"enforcement": {"VG005": "disabled"},
	})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG012", "product-analytics", "properties.distinct_id", "advisory", ""],
	]
}

test_vg006_cannot_be_disabled_or_lowered if {
	integration := fixtures.analytics_sending("iban", "user.financial.bank_account", "none")
	every level in ["disabled", "advisory"] {
		report := _core(
			object.union(fixtures.input_for([integration]), {"enforcement": {"VG006": level}}),
			fixtures.registry,
		)
		_summary(report) == [["VG006", "product-analytics", "iban", "mandatory", ""]]
	}
}

# The attack of issue 15: EXC-42 was approved for Zendesk phone numbers; an
# integration named support-chat sending criminal history to Mixpanel must not
# be waived by it, nor must the real support-chat sending another category.
_exc42 := {
	"id": "EXC-42", "rule": "VG004", "vendor": "zendesk", "integration": "support-chat",
	"category": "user.contact.phone_number", "expires": "2026-12-31",
}

test_an_exception_is_bound_to_its_vendor if {
	impostor := fixtures.analytics_with({"name": "support-chat", "fields": [
		{"path": "user.criminal_history", "category": "user.criminal_history", "transform": "none"},
		{"path": "user.phone", "category": "user.contact.phone_number", "transform": "none"},
	]})
	report := _core(object.union(fixtures.input_for([impostor]), {"exceptions": [_exc42]}), fixtures.registry)
	[[v.rule, v.field, object.get(v, "waivedBy", "")] | some v in report.violations; v.rule == "VG004"] == [
		["VG004", "user.criminal_history", ""],
		["VG004", "user.phone", ""],
	]
}

test_an_exception_is_bound_to_its_category if {
	support := object.union(fixtures.support, {"fields": [
		{"path": "requester.phone", "category": "user.contact.phone_number", "transform": "none"},
		{"path": "requester.record", "category": "user.criminal_history", "transform": "none"},
	]})
	report := _core(object.union(fixtures.input_for([support]), {"exceptions": [_exc42]}), fixtures.registry)
	[[v.rule, v.field, object.get(v, "waivedBy", "")] | some v in report.violations; v.rule == "VG004"] == [
		["VG004", "requester.phone", "EXC-42"],
		["VG004", "requester.record", ""],
	]
}

test_an_exception_is_bound_to_its_stacks if {
	_waived_in("dev") == {"VG005"}
	_waived_in("prod") == set()
}

_waived_in(stack) := {v.rule |
	exception := {"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "stacks": ["dev"], "expires": "2026-12-31"}
	some v in _report({"exceptions": [exception], "stack": {"name": stack}}).violations
	v.waivedBy
}

test_an_exception_without_a_vendor_waives_nothing if {
	report := _report({"exceptions": [{"id": "EXC-1", "rule": "VG005", "expires": "2026-12-31"}]})
	every v in report.violations {
		not v.waivedBy
	}
}

test_an_exception_past_the_maximum_lifetime_waives_nothing if {
	exception := {"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2099-12-31"}
	report := _report({"exceptions": [exception]})
	_summary(report) == [
		["VG004", "product-analytics", "properties.$email", "mandatory", ""],
		["VG005", "product-analytics", "properties.distinct_id", "mandatory", ""],
		["VG012", "(exceptions)", "", "advisory", ""],
	]
}

test_the_maximum_lifetime_is_a_registry_setting if {
	exception := {"id": "EXC-1", "rule": "VG005", "vendor": "mixpanel", "expires": "2026-12-31"}
	given := _input({"exceptions": [exception]})
	short := object.union(fixtures.registry, {"maxExceptionLifetimeDays": 30})
	[v.waivedBy | some v in _core(given, fixtures.registry).violations; v.rule == "VG005"] == ["EXC-1"]
	[v.message | some v in _core(given, short).violations; v.rule == "VG012"] == [concat("", [
		"Exception EXC-1 expires on 2026-12-31, more than 30 days after 2026-11-29 ",
		"(the registry's maximum lifetime), so it waives nothing.",
	])]
}
