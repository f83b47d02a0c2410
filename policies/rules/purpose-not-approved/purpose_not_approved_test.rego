package vendorgate.rules["purpose-not-approved_test"]

import data.vendorgate.rules["purpose-not-approved"] as rule
import data.vendorgate.test.fixtures

test_an_approved_purpose_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_a_narrower_purpose_is_covered if {
	integration := fixtures.analytics_with({"purpose": "analytics.reporting.ad_performance"})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_another_purpose_fails if {
	integration := fixtures.analytics_with({"purpose": "marketing.advertising.third_party"})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG003"
	v.name == "purpose-not-approved"
	v.message == "Vendor mixpanel has no approval for purpose marketing.advertising.third_party with subjects customer."
}

test_a_broader_purpose_fails if {
	integration := fixtures.analytics_with({"purpose": "analytics"})
	fixtures.brief(rule.violation) == {["VG003", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_an_unapproved_subject_fails if {
	integration := fixtures.analytics_with({"subjects": ["customer", "employee"]})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.message == "Vendor mixpanel has no approval for purpose analytics.reporting with subjects customer, employee."
}

test_an_approval_without_subjects_allows_any if {
	integration := object.union(fixtures.support, {"subjects": ["employee"]})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_no_subjects_declared_message if {
	integration := fixtures.analytics_with({"purpose": "essential", "subjects": []})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.message == "Vendor mixpanel has no approval for purpose essential."
}

test_an_unknown_vendor_is_left_to_vg001 if {
	integration := fixtures.analytics_with({"vendor": "segment", "purpose": "marketing"})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
