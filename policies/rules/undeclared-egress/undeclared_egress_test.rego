package vendorgate.rules["undeclared-egress_test"]

import data.vendorgate.rules["undeclared-egress"] as rule
import data.vendorgate.test.fixtures

_firehose := {
	"urn": "urn:pulumi:prod::shop::aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::events-export",
	"type": "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
	"name": "events-export",
	"integration": null,
	"sender": true,
	"destinations": [{"via": "http_endpoint destination", "endpoint": "https://collector.example.net", "scheme": "https", "host": "collector.example.net"}],
}

_with_resources(resources) := object.union(fixtures.input_for([fixtures.analytics]), {"resources": resources})

test_owned_resources_pass if {
	resource := object.union(_firehose, {"integration": "product-analytics"})
	count(rule.violation) == 0 with input as _with_resources([resource])
		with data.registry as fixtures.registry
}

test_no_resources_pass if {
	count(rule.violation) == 0 with input as {"now": fixtures.now, "integrations": []}
		with data.registry as fixtures.registry
}

test_an_unowned_resource_fails if {
	violations := rule.violation with input as _with_resources([_firehose])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG010"
	v.integration == "events-export"
	v.resource == _firehose.urn
	v.message == concat("", [
		"Resource events-export (aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream) ",
		"sends data to host collector.example.net but no declared integration owns it.",
	])
}

test_an_unowned_resource_with_an_unknown_endpoint_fails if {
	resource := object.union(_firehose, {"destinations": []})
	violations := rule.violation with input as _with_resources([resource])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	contains(v.message, "sends data to a vendor outside the account but")
}

test_a_resource_of_a_disabled_integration_fails if {
	resource := object.union(_firehose, {"integration": "newsletter-sync"})
	violations := rule.violation with input as _with_resources([resource])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.integration == "events-export"
	endswith(v.message, "for integration newsletter-sync, which is disabled or not declared.")
}

test_accounts_and_in_account_hops_are_named if {
	resource := object.union(_firehose, {"destinations": [
		{"via": "target", "account": "999988887777"},
		{"via": "bus policy", "account": "*"},
		{"via": "API destination", "hop": true},
		{"via": "SMS", "opaque": true},
		{"via": "endpoint", "problem": "it contains a backslash"},
	]})
	[v] := [v | some v in rule.violation with input as _with_resources([resource]) with data.registry as fixtures.registry]
	v.message == concat("", [
		"Resource events-export (aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream) sends data to ",
		"AWS account 999988887777, a URL vendorgate refuses (endpoint), a destination outside the account (SMS), ",
		"any AWS account, the outside world through its API destination but no declared integration owns it.",
	])
}
