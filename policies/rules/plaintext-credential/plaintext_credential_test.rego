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
	fixtures.brief(rule.violation) == {["VG011", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_a_secret_built_from_plain_config_fails if {
	integration := fixtures.analytics_with({"credentials": {"secret": false, "source": "plain-config"}})
	[v] := [v | some v in rule.violation with input as fixtures.input_for([integration]) with data.registry as fixtures.registry]
	v.message == concat("", [
		"Integration product-analytics passes its mixpanel credential built from a plain (unencrypted) ",
		"config value, wrapped as a secret only after the fact.",
	])
}

test_a_literal_in_the_program_fails_even_when_marked_secret if {
	integration := fixtures.analytics_with({"credentials": {"secret": true, "source": "literal"}})
	[v] := [v | some v in rule.violation with input as fixtures.input_for([integration]) with data.registry as fixtures.registry]
	v.message == "Integration product-analytics passes its mixpanel credential as a literal written in the program, which sits in the repository."
}

test_secret_config_and_secret_outputs_pass if {
	every source in ["secret-config", "secret-output"] {
		integration := fixtures.analytics_with({"credentials": {"secret": true, "source": source}})
		count(rule.violation) == 0 with input as fixtures.input_for([integration]) with data.registry as fixtures.registry
	}
}

test_a_credential_in_the_destination_query_fails if {
	integration := fixtures.analytics_with({"destination": {"credentialParams": ["token"]}})
	[v] := [v | some v in rule.violation with input as fixtures.input_for([integration]) with data.registry as fixtures.registry]
	v.message == "Integration product-analytics sends to a URL that carries a credential in its query (parameter token)."
}

test_a_credential_in_a_resource_url_fails_naming_the_resource if {
	resource := {
		"urn": "urn:pulumi:prod::shop::aws:sns/topicSubscription:TopicSubscription::hook",
		"type": "aws:sns/topicSubscription:TopicSubscription", "name": "hook", "integration": null, "sender": true,
		"destinations": [{"via": "subscription endpoint", "scheme": "https", "host": "hooks.example.com", "credentialParams": ["key", "sig"]}],
	}
	given := object.union(fixtures.input_for([fixtures.analytics]), {"resources": [resource]})
	[v] := [v | some v in rule.violation with input as given with data.registry as fixtures.registry]
	v.integration == "hook"
	v.resource == resource.urn
	v.message == "Resource hook sends to a URL that carries a credential in its query (parameters key, sig)."
}
