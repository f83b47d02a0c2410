package vendorgate.rules["plaintext-credential_test"]

import data.vendorgate.rules["plaintext-credential"] as rule
import data.vendorgate.test.fixtures

test_a_secret_credential_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_no_credential_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.support])
		with data.registry as fixtures.registry
}

test_a_plain_credential_fails if {
	integration := fixtures.analytics_with({"credentials": {"secret": false}})
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG011"
	v.message == "Integration product-analytics passes its mixpanel credential as a plain value instead of a secret."
}

test_applies_to_unknown_vendors if {
	integration := fixtures.analytics_with({"vendor": "segment", "credentials": {"secret": false}})
	count(rule.violation) == 1 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
