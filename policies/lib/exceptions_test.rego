package vendorgate.lib.exceptions_test

import data.vendorgate.lib.exceptions

_violation := {"rule": "VG004", "integration": "support-chat", "field": "requester.phone"}

_judged := {"now": "2026-11-29", "stack": {"name": "prod"}, "integrations": [{
	"name": "support-chat", "vendor": "zendesk",
	"fields": [{"path": "requester.phone", "category": "user.contact.phone_number"}],
}]}

_with(exs) := object.union(_judged, {"exceptions": exs})

test_matches_on_rule_and_vendor if {
	exceptions.matches({"id": "E", "rule": "VG004", "vendor": "zendesk", "expires": "2027-01-01"}, _violation) with input as _judged
}

test_matches_on_rule_vendor_integration_field_category_and_stack if {
	exceptions.matches(
		{
			"id": "E", "rule": "VG004", "vendor": "zendesk", "integration": "support-chat", "field": "requester.phone",
			"category": "user.contact", "stacks": ["dev", "prod"], "expires": "2027-01-01",
		},
		_violation,
	) with input as _judged
}

test_another_vendor_category_or_stack_does_not_match if {
	not exceptions.matches({"id": "E", "rule": "VG004", "expires": "2027-01-01"}, _violation) with input as _judged
	not exceptions.matches({"id": "E", "rule": "VG004", "vendor": "mixpanel", "expires": "2027-01-01"}, _violation) with input as _judged
	not exceptions.matches(
		{"id": "E", "rule": "VG004", "vendor": "zendesk", "category": "user.contact.email", "expires": "2027-01-01"},
		_violation,
	) with input as _judged
	not exceptions.matches(
		{"id": "E", "rule": "VG004", "vendor": "zendesk", "stacks": ["dev"], "expires": "2027-01-01"},
		_violation,
	) with input as _judged
}

test_a_category_exception_does_not_match_a_violation_without_field if {
	exception := {"id": "E", "rule": "VG004", "vendor": "zendesk", "category": "user", "expires": "2027-01-01"}
	not exceptions.matches(exception, {"rule": "VG004", "integration": "support-chat"}) with input as _judged
}

test_another_rule_integration_or_field_does_not_match if {
	not exceptions.matches({"id": "E", "rule": "VG005", "vendor": "zendesk", "expires": "2027-01-01"}, _violation) with input as _judged
	not exceptions.matches({"id": "E", "rule": "VG004", "vendor": "zendesk", "integration": "payments", "expires": "2027-01-01"}, _violation) with input as _judged
	not exceptions.matches({"id": "E", "rule": "VG004", "vendor": "zendesk", "field": "requester.email", "expires": "2027-01-01"}, _violation) with input as _judged
}

test_a_field_exception_does_not_match_a_violation_without_field if {
	exception := {"id": "E", "rule": "VG009", "vendor": "zendesk", "field": "x", "expires": "2027-01-01"}
	not exceptions.matches(exception, {"rule": "VG009", "integration": "support-chat"}) with input as _judged
}

test_prohibited_categories_cannot_be_waived if {
	not exceptions.matches({"id": "E", "rule": "VG006", "vendor": "zendesk", "expires": "2099-01-01"}, {"rule": "VG006", "integration": "support-chat", "field": "requester.phone"}) with input as _judged
}

test_active_through_its_expiry_date if {
	exceptions.active({"expires": "2026-11-29"}) with input as {"now": "2026-11-29"}
	not exceptions.expired({"expires": "2026-11-29"}) with input as {"now": "2026-11-29"}
	exceptions.expired({"expires": "2026-11-28"}) with input as {"now": "2026-11-29"}
	not exceptions.active({"expires": "2026-11-28"}) with input as {"now": "2026-11-29"}
}

test_waiver_is_the_smallest_active_id if {
	exs := [
		{"id": "EXC-9", "rule": "VG004", "vendor": "zendesk", "expires": "2027-01-01"},
		{"id": "EXC-10", "rule": "VG004", "vendor": "zendesk", "expires": "2027-01-01"},
		{"id": "EXC-1", "rule": "VG004", "vendor": "zendesk", "expires": "2026-01-01"},
	]

	# Ids compare as text, which is stable whatever the numbering scheme.
	exceptions.waiver(_violation) == "EXC-10" with input as _with(exs)
}

test_no_waiver_when_every_match_expired if {
	exs := [{"id": "EXC-1", "rule": "VG004", "expires": "2026-01-01"}]
	not exceptions.waiver(_violation) with input as {"now": "2026-11-29", "exceptions": exs}
}

test_no_exceptions_in_the_input if {
	exceptions.declared == [] with input as {"now": "2026-11-29"}
	count(exceptions.matching(_violation)) == 0 with input as {"now": "2026-11-29"}
}

test_in_force_only_within_the_maximum_lifetime if {
	exceptions.active({"expires": "2027-11-29"}) with input as {"now": "2026-11-29"}
	not exceptions.active({"expires": "2027-11-30"}) with input as {"now": "2026-11-29"}
	exceptions.too_long({"expires": "2027-11-30"}) with input as {"now": "2026-11-29"}
	not exceptions.active({"expires": "2026-12-30"}) with input as {"now": "2026-11-29"}
		with data.registry.maxExceptionLifetimeDays as 30
}
