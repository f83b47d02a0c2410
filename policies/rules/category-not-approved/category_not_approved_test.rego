package vendorgate.rules["category-not-approved_test"]

import data.vendorgate.rules["category-not-approved"] as rule
import data.vendorgate.test.fixtures

test_approved_categories_pass if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_a_child_of_an_approved_category_passes if {
	integration := fixtures.analytics_sending("properties.$city", "user.location.imprecise", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_an_unapproved_category_fails_per_field if {
	integration := fixtures.analytics_with({"fields": [
		{"path": "properties.$email", "category": "user.contact.email", "transform": "none"},
		{"path": "properties.$name", "category": "user.name", "transform": "hash"},
		{"path": "properties.$os", "category": "user.device", "transform": "none"},
	]})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	fixtures.brief(violations) == {
		["VG004", "product-analytics", "properties.$email", "mandatory"],
		["VG004", "product-analytics", "properties.$name", "mandatory"],
	}
	some v in violations
	v.field == "properties.$email"
	v.message == concat("", [
		"Field properties.$email sends user.contact.email to mixpanel, ",
		"but no approval for purpose analytics.reporting covers that category.",
	])
	v.title == "Category not approved for this vendor"
}

test_a_parent_of_an_approved_category_fails if {
	integration := fixtures.analytics_sending("properties", "user", "none")
	fixtures.brief(rule.violation) == {["VG004", "product-analytics", "properties", "mandatory"]}
		with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_a_lookalike_category_fails if {
	integration := fixtures.analytics_sending("properties.x", "user.devices", "none")
	fixtures.brief(rule.violation) == {["VG004", "product-analytics", "properties.x", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_any_matching_approval_may_cover_the_category if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [
		{"purpose": "analytics", "categories": ["user.device"]},
		{"purpose": "analytics.reporting", "subjects": ["customer"], "categories": ["user.contact.email"]},
	]})
	integration := fixtures.analytics_with({"fields": [
		{"path": "os", "category": "user.device", "transform": "none"},
		{"path": "email", "category": "user.contact.email", "transform": "none"},
	]})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as reg
}

test_an_approval_for_another_purpose_does_not_count if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [
		{"purpose": "analytics.reporting", "categories": ["user.device"]},
		{"purpose": "marketing", "categories": ["user.contact.email"]},
	]})
	integration := fixtures.analytics_sending("email", "user.contact.email", "none")
	fixtures.brief(rule.violation) == {["VG004", "product-analytics", "email", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as reg
}

test_prohibited_categories_are_left_to_vg006 if {
	integration := fixtures.analytics_sending("iban", "user.financial.bank_account", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_an_unapproved_purpose_is_left_to_vg003 if {
	integration := fixtures.analytics_with({
		"purpose": "marketing",
		"fields": [{"path": "email", "category": "user.contact.email", "transform": "none"}],
	})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_an_unknown_vendor_is_left_to_vg001 if {
	integration := object.union(
		fixtures.analytics_sending("email", "user.contact.email", "none"),
		{"vendor": "segment"},
	)
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
