package vendorgate.lib.registry_test

import data.vendorgate.lib.registry
import data.vendorgate.test.fixtures

test_vendor_and_known if {
	registry.known(fixtures.analytics) with data.registry as fixtures.registry
	not registry.known(fixtures.analytics_with({"vendor": "segment"})) with data.registry as fixtures.registry
}

test_an_approval_for_a_parent_purpose_matches if {
	integration := fixtures.analytics_with({"purpose": "analytics.reporting.content_performance"})
	approvals := registry.matching_approvals(integration)
		with data.registry as fixtures.registry
	{a | some a in approvals} == {fixtures.registry.vendors.mixpanel.approvals[0]}
}

test_an_approval_for_a_child_purpose_does_not_match if {
	approvals := registry.matching_approvals(fixtures.analytics_with({"purpose": "analytics"}))
		with data.registry as fixtures.registry
	count(approvals) == 0
}

test_every_subject_must_be_covered if {
	approvals := registry.matching_approvals(fixtures.analytics_with({"subjects": ["customer", "prospect"]}))
		with data.registry as fixtures.registry
	count(approvals) == 0
}

test_an_approval_without_subjects_covers_any_subject if {
	approvals := registry.matching_approvals(object.union(fixtures.support, {"subjects": ["employee", "prospect"]}))
		with data.registry as fixtures.registry
	{a | some a in approvals} == {fixtures.registry.vendors.zendesk.approvals[0]}
}

test_a_vendor_without_approvals_matches_nothing if {
	reg := fixtures.registry_with_vendor("mixpanel", {"approvals": []})
	count(registry.matching_approvals(fixtures.analytics)) == 0 with data.registry as reg
}

test_prohibited_by_lists_every_covering_entry if {
	reg := object.union(fixtures.registry, {"prohibitedCategories": ["user.financial.bank_account", "user.financial"]})
	registry.prohibited_by("user.financial.bank_account") == ["user.financial", "user.financial.bank_account"]
		with data.registry as reg
	not registry.prohibited("user.contact.email") with data.registry as reg
}

test_nothing_is_prohibited_without_a_list if {
	not registry.prohibited("user.financial") with data.registry as {"vendors": {}}
}

test_accepted_transforms_without_a_requirement_is_everything if {
	registry.accepted_transforms({"categories": ["user"]}, "user.device") == registry.transforms
}

test_accepted_transforms_follow_the_covering_key if {
	approval := {"categories": ["user"], "requireTransform": {"user.unique_id": ["hash", "pseudonymize"]}}
	registry.accepted_transforms(approval, "user.unique_id.pseudonymous") == ["hash", "pseudonymize"]
	registry.accepted_transforms(approval, "user.device") == registry.transforms
}

test_nested_requirements_must_all_hold if {
	approval := {"categories": ["user"], "requireTransform": {
		"user.contact": ["hash", "truncate"],
		"user.contact.email": ["hash"],
	}}
	registry.accepted_transforms(approval, "user.contact.email") == ["hash"]
	registry.accepted_transforms(approval, "user.contact.phone_number") == ["hash", "truncate"]
}

test_a_field_without_a_transform_is_sent_as_is if {
	registry.transform({"path": "a", "category": "user.device"}) == "none"
	registry.transform({"path": "a", "category": "user.device", "transform": "hash"}) == "hash"
}

test_accepts if {
	approval := {"categories": ["user.unique_id"], "requireTransform": {"user.unique_id": ["hash"]}}
	registry.accepts(approval, {"path": "id", "category": "user.unique_id", "transform": "hash"})
	not registry.accepts(approval, {"path": "id", "category": "user.unique_id", "transform": "none"})
	not registry.accepts(approval, {"path": "email", "category": "user.contact.email", "transform": "hash"})
}
