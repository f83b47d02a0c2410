package vendorgate.rules["vendor-not-approved_test"]

import data.vendorgate.rules["vendor-not-approved"] as rule
import data.vendorgate.test.fixtures

_marketing := {
	"name": "marketing-sync",
	"vendor": "hubspot",
	"purpose": "marketing.communications.email",
	"subjects": ["customer"],
	"destination": {"url": "https://api.hubapi.com/x", "scheme": "https", "host": "api.hubapi.com", "region": "eu"},
	"fields": [{"path": "email", "category": "user.contact.email", "transform": "none"}],
}

test_an_approved_vendor_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_under_review_fails_with_its_reason if {
	violations := rule.violation with input as fixtures.input_for([_marketing])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG002"
	v.integration == "marketing-sync"
	v.message == concat("", [
		"Vendor hubspot has status under_review (security review SEC-311), ",
		"so integration marketing-sync may not send it data.",
	])
}

test_suspended_and_prohibited_fail_without_a_reason if {
	every status in ["suspended", "prohibited"] {
		violations := rule.violation with input as fixtures.input_for([fixtures.analytics])
			with data.registry as fixtures.registry_with_vendor("mixpanel", {"status": status})
		[v] := [v | some v in violations]
		v.message == concat("", [
			"Vendor mixpanel has status ", status,
			", so integration product-analytics may not send it data.",
		])
	}
}

test_every_blocking_status_fails if {
	every status in ["under_review", "suspended", "prohibited"] {
		fixtures.brief(rule.violation) == {["VG002", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([fixtures.analytics])
			with data.registry as fixtures.registry_with_vendor("mixpanel", {"status": status})
	}
}

test_a_status_the_schema_does_not_know_fails if {
	violations := rule.violation with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry_with_vendor("mixpanel", {"status": "pending"})
	[v] := [v | some v in violations]
	startswith(v.message, "Vendor mixpanel has status pending,")
}

test_a_missing_status_fails if {
	unrated := object.remove(fixtures.registry.vendors.mixpanel, ["status"])
	registry := fixtures.registry_replacing_vendor("mixpanel", unrated)
	violations := rule.violation with input as fixtures.input_for([fixtures.analytics])
		with data.registry as registry
	[v] := [v | some v in violations]
	startswith(v.message, "Vendor mixpanel has status (none),")
}

test_an_unknown_vendor_is_left_to_vg001 if {
	count(rule.violation) == 0 with input as fixtures.input_for([object.union(_marketing, {"vendor": "brevo"})])
		with data.registry as fixtures.registry
}
