package vendorgate.rules["endpoint-not-vendor_test"]

import data.vendorgate.rules["endpoint-not-vendor"] as rule
import data.vendorgate.test.fixtures

_at(url, scheme, host) := fixtures.analytics_with({"destination": {"url": url, "scheme": scheme, "host": host}})

_resource(integration, host) := {
	"urn": concat("", [
		"urn:pulumi:prod::shop::vendorgate:index:Integration$",
		"aws:cloudwatch/eventApiDestination:EventApiDestination::analytics-dest",
	]),
	"type": "aws:cloudwatch/eventApiDestination:EventApiDestination",
	"name": "analytics-dest",
	"integration": integration,
	"endpoint": concat("", ["https://", host, "/track"]),
	"host": host,
}

test_a_subdomain_over_https_passes if {
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as fixtures.registry
}

test_the_registered_domain_itself_passes if {
	integration := _at("https://mixpanel.com/track", "https", "mixpanel.com")
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_plain_http_fails if {
	integration := _at("http://api.mixpanel.com/track", "http", "api.mixpanel.com")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.rule == "VG008"
	v.message == "Integration product-analytics sends data to host api.mixpanel.com over http instead of https."
}

test_a_lookalike_suffix_fails if {
	integration := _at("https://mixpanel.com.evil.io/track", "https", "mixpanel.com.evil.io")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.message == concat("", [
		"Integration product-analytics sends data to host mixpanel.com.evil.io, ",
		"which is not a registered domain of mixpanel (mixpanel.com).",
	])
}

test_a_lookalike_prefix_fails if {
	integration := _at("https://api.notmixpanel.com/track", "https", "api.notmixpanel.com")
	count(rule.violation) == 1 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_another_vendors_domain_fails if {
	integration := _at("https://acme.zendesk.com/api", "https", "acme.zendesk.com")
	count(rule.violation) == 1 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_http_to_a_foreign_host_fails_twice if {
	integration := _at("http://collect.example.net/t", "http", "collect.example.net")
	count(rule.violation) == 2 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_a_vendor_without_domains_fails if {
	reg := fixtures.registry_with_vendor("mixpanel", {"domains": []})
	count(rule.violation) == 1 with input as fixtures.input_for([fixtures.analytics])
		with data.registry as reg
}

test_an_owned_resource_sending_to_the_declared_host_passes if {
	given := object.union(
		fixtures.input_for([fixtures.analytics]),
		{"resources": [_resource("product-analytics", "api-eu.mixpanel.com")]},
	)
	count(rule.violation) == 0 with input as given
		with data.registry as fixtures.registry
}

test_an_owned_resource_without_a_known_host_passes if {
	resource := object.union(_resource("product-analytics", "x"), {"host": null, "endpoint": null})
	given := object.union(fixtures.input_for([fixtures.analytics]), {"resources": [resource]})
	count(rule.violation) == 0 with input as given
		with data.registry as fixtures.registry
}

test_an_owned_resource_sending_elsewhere_fails if {
	resource := _resource("product-analytics", "collector.evil.io")
	given := object.union(fixtures.input_for([fixtures.analytics]), {"resources": [resource]})
	violations := rule.violation with input as given
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.integration == "product-analytics"
	v.resource == resource.urn
	v.message == concat("", [
		"Resource analytics-dest of integration product-analytics sends data to host collector.evil.io ",
		"instead of the declared destination host api-eu.mixpanel.com.",
	])
}

test_an_owned_resource_on_another_vendor_host_fails if {
	# Same vendor domain, different host: the declaration must say where data goes.
	resource := _resource("product-analytics", "api.mixpanel.com")
	given := object.union(fixtures.input_for([fixtures.analytics]), {"resources": [resource]})
	count(rule.violation) == 1 with input as given
		with data.registry as fixtures.registry
}

test_resources_of_other_integrations_are_not_judged_here if {
	resource := _resource("support-chat", "collector.evil.io")
	given := object.union(fixtures.input_for([fixtures.analytics]), {"resources": [resource]})
	count(rule.violation) == 0 with input as given
		with data.registry as fixtures.registry
}

test_an_unknown_vendor_is_left_to_vg001 if {
	integration := object.union(_at("http://evil.io/", "http", "evil.io"), {"vendor": "segment"})
	given := object.union(fixtures.input_for([integration]), {"resources": [_resource("product-analytics", "other.io")]})
	count(rule.violation) == 0 with input as given
		with data.registry as fixtures.registry
}
