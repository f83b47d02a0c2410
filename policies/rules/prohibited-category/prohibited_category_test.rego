package vendorgate.rules["prohibited-category_test"]

import data.vendorgate.rules["prohibited-category"] as rule
import data.vendorgate.test.fixtures

test_allowed_categories_pass if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_a_category_under_a_prohibited_one_fails if {
	integration := fixtures.analytics_sending("form.iban", "user.financial.bank_account", "hash")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG006"
	v.field == "form.iban"
	v.message == concat("", [
		"Field form.iban sends user.financial.bank_account to mixpanel, ",
		"which falls under the prohibited category user.financial.",
	])
}

test_the_prohibited_category_itself_fails if {
	integration := fixtures.analytics_sending("health", "user.health_and_medical", "none")
	fixtures.brief(rule.violation) == {["VG006", "product-analytics", "health", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_a_lookalike_category_passes if {
	integration := fixtures.analytics_sending("x", "user.financial_profile", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_applies_to_unknown_vendors if {
	integration := object.union(
		fixtures.analytics_sending("form.iban", "user.financial.bank_account", "none"),
		{"vendor": "fullstory"},
	)
	fixtures.brief(rule.violation) == {["VG006", "product-analytics", "form.iban", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_applies_even_when_an_approval_covers_it if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [{"purpose": "analytics", "categories": ["user"]}]})
	integration := fixtures.analytics_sending("card", "user.financial.credit_card", "none")
	fixtures.brief(rule.violation) == {["VG006", "product-analytics", "card", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as reg
}

test_names_every_covering_prohibited_entry if {
	reg := object.union(fixtures.registry, {"prohibitedCategories": ["user.financial", "user"]})
	integration := fixtures.analytics_sending("card", "user.financial.credit_card", "none")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as reg
	[v] := [v | some v in violations]
	endswith(v.message, "under the prohibited categories user and user.financial.")
}

test_a_broad_ancestor_of_a_prohibited_category_fails if {
	integration := fixtures.analytics_sending("properties.user", "user", "none")
	[v] := [v | some v in rule.violation with input as fixtures.input_for([integration]) with data.registry as fixtures.registry]
	v.rule == "VG006"
	v.field == "properties.user"
	v.message == concat("", [
		"Field properties.user sends user to mixpanel, which is broader than the prohibited categories ",
		"user.financial and user.health_and_medical and may carry them; declare the narrower category it really is.",
	])
}

test_a_sibling_of_a_prohibited_category_passes if {
	integration := fixtures.analytics_sending("properties.os", "user.device", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration]) with data.registry as fixtures.registry
}
