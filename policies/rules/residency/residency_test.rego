package vendorgate.rules.residency_test

import data.vendorgate.rules.residency as rule
import data.vendorgate.test.fixtures

_in_stack(integration, residency) := object.union(
	fixtures.input_for([integration]),
	{"stack": {"name": "prod-eu", "residency": residency}},
)

test_a_registered_region_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_an_unregistered_region_fails if {
	integration := fixtures.analytics_with({"destination": {"region": "in"}})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG007"
	v.message == concat("", [
		"Integration product-analytics sends data to region in, ",
		"which is not among the regions registered for mixpanel (us, eu).",
	])
}

test_a_region_inside_the_stack_residency_passes if {
	count(rule.violation) == 0 with input as _in_stack(fixtures.analytics, ["eu"])
		with data.registry as fixtures.registry
}

test_a_region_outside_the_stack_residency_fails if {
	integration := fixtures.analytics_with({"destination": {"region": "us"}})
	violations := rule.violation with input as _in_stack(integration, ["eu"])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.message == "Integration product-analytics sends data to region us, outside the residency of stack prod-eu (eu)."
}

test_both_reasons_give_two_violations if {
	integration := fixtures.analytics_with({"destination": {"region": "ap"}})
	violations := rule.violation with input as _in_stack(integration, ["eu", "us"])
		with data.registry as fixtures.registry
	fixtures.brief(violations) == {["VG007", "product-analytics", "", "mandatory"]}
	{v.message | some v in violations} == {
		"Integration product-analytics sends data to region ap, outside the residency of stack prod-eu (eu, us).",
		"Integration product-analytics sends data to region ap, which is not among the regions registered for mixpanel (us, eu).",
	}
}

test_no_residency_means_any_registered_region if {
	integration := fixtures.analytics_with({"destination": {"region": "us"}})
	count(rule.violation) == 0 with input as object.union(fixtures.input_for([integration]), {"stack": {"name": "prod"}})
		with data.registry as fixtures.registry
}

test_a_missing_region_fails if {
	integration := object.union(
		object.remove(fixtures.analytics, ["destination"]),
		{"destination": object.remove(fixtures.analytics.destination, ["region"])},
	)
	violations := rule.violation with input as _in_stack(integration, ["eu"])
		with data.registry as fixtures.registry
	{v.message | some v in violations} == {
		"Integration product-analytics sends data to region (unspecified), outside the residency of stack prod-eu (eu).",
		"Integration product-analytics sends data to region (unspecified), which is not among the regions registered for mixpanel (us, eu).",
	}
}

test_an_unknown_vendor_is_left_to_vg001 if {
	integration := fixtures.analytics_with({"vendor": "segment", "destination": {"region": "us"}})
	count(rule.violation) == 0 with input as _in_stack(integration, ["eu"])
		with data.registry as fixtures.registry
}
