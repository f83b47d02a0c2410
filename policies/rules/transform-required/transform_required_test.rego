package vendorgate.rules["transform-required_test"]

import data.vendorgate.rules["transform-required"] as rule
import data.vendorgate.test.fixtures

test_an_accepted_transform_passes if {
	every transform in ["hash", "pseudonymize"] {
		integration := fixtures.analytics_sending("distinct_id", "user.unique_id", transform)
		count(rule.violation) == 0 with input as fixtures.input_for([integration])
			with data.registry as fixtures.registry
	}
}

test_a_missing_transform_fails if {
	integration := fixtures.analytics_sending("properties.distinct_id", "user.unique_id", "none")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG005"
	v.field == "properties.distinct_id"
	v.message == concat("", [
		"Field properties.distinct_id sends user.unique_id to mixpanel with transform none, ",
		"but the approval accepts it only with hash or pseudonymize.",
	])
}

test_a_field_without_transform_counts_as_none if {
	integration := fixtures.analytics_with({"fields": [{"path": "id", "category": "user.unique_id"}]})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	contains(v.message, "with transform none")
}

test_another_transform_fails if {
	integration := fixtures.analytics_sending("id", "user.unique_id", "truncate")
	fixtures.brief(rule.violation) == {["VG005", "product-analytics", "id", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_the_requirement_applies_below_its_key if {
	integration := fixtures.analytics_sending("id", "user.unique_id.pseudonymous", "none")
	fixtures.brief(rule.violation) == {["VG005", "product-analytics", "id", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_unconstrained_categories_pass_untransformed if {
	integration := fixtures.analytics_sending("os", "user.device", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_another_matching_approval_without_the_requirement_passes if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [
		{"purpose": "analytics", "categories": ["user.unique_id"], "requireTransform": {"user.unique_id": ["hash"]}},
		{"purpose": "analytics.reporting", "categories": ["user.unique_id"]},
	]})
	integration := fixtures.analytics_sending("id", "user.unique_id", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as reg
}

test_the_message_lists_transforms_of_every_covering_approval if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [
		{"purpose": "analytics", "categories": ["user.unique_id"], "requireTransform": {"user.unique_id": ["pseudonymize"]}},
		{
			"purpose": "analytics.reporting",
			"categories": ["user"],
			"requireTransform": {"user.unique_id": ["hash", "pseudonymize"]},
		},
	]})
	integration := fixtures.analytics_sending("id", "user.unique_id", "none")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as reg
	[v] := [v | some v in violations]
	endswith(v.message, "but the approval accepts it only with hash or pseudonymize.")
}

test_conflicting_requirements_accept_nothing if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [{
		"purpose": "analytics.reporting",
		"categories": ["user"],
		"requireTransform": {"user.contact": ["truncate"], "user.contact.email": ["hash"]},
	}]})
	integration := fixtures.analytics_sending("email", "user.contact.email", "hash")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as reg
	[v] := [v | some v in violations]
	endswith(v.message, "but the approval's requireTransform entries accept no transform for it.")
}

test_an_uncovered_category_is_left_to_vg004 if {
	integration := fixtures.analytics_sending("email", "user.contact.email", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_prohibited_categories_are_left_to_vg006 if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": [{
		"purpose": "analytics.reporting",
		"categories": ["user"],
		"requireTransform": {"user": ["hash"]},
	}]})
	integration := fixtures.analytics_sending("card", "user.financial.credit_card", "none")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as reg
}

test_an_unknown_vendor_is_left_to_vg001 if {
	integration := object.union(fixtures.analytics_sending("id", "user.unique_id", "none"), {"vendor": "segment"})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
