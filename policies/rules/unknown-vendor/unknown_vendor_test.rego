package vendorgate.rules["unknown-vendor_test"]

import data.vendorgate.rules["unknown-vendor"] as rule
import data.vendorgate.test.fixtures

test_a_registered_vendor_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_an_unregistered_vendor_fails if {
	integration := fixtures.analytics_with({"name": "session-replay", "vendor": "fullstory"})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	violations == {{
		"rule": "VG001",
		"name": "unknown-vendor",
		"title": "Vendor not in the registry",
		"severity": "mandatory",
		"remediation": concat(" ", [
			"If the vendor key is a typo, fix the integration's `vendor` in the stack program or manifest.",
			"Otherwise ask security to review the vendor and add it, with its approvals, to the vendor registry.",
		]),
		"integration": "session-replay",
		"message": "Integration session-replay sends data to vendor fullstory, which is not in the vendor registry.",
	}}
}

test_vendor_keys_are_case_sensitive if {
	integration := fixtures.analytics_with({"vendor": "Mixpanel"})
	fixtures.brief(rule.violation) == {["VG001", "product-analytics", "", "mandatory"]}
		with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_no_integrations_no_violations if {
	count(rule.violation) == 0 with input as {"now": fixtures.now}
		with data.registry as fixtures.registry
}
