package vendorgate.rules["endpoint-not-vendor_test"]

import data.vendorgate.rules["endpoint-not-vendor"] as rule
import data.vendorgate.test.fixtures

_at(url, scheme, host) := fixtures.analytics_with({"destination": {"url": url, "scheme": scheme, "host": host}})

_resource(integration, host) := _resource_to(integration, {"via": "invocation endpoint", "endpoint": concat("", ["https://", host]), "scheme": "https", "host": host})

_resource_to(integration, destination) := {
	"urn": concat("", [
		"urn:pulumi:prod::shop::vendorgate:index:Integration$",
		"aws:cloudwatch/eventApiDestination:EventApiDestination::analytics-dest",
	]),
	"type": "aws:cloudwatch/eventApiDestination:EventApiDestination",
	"name": "analytics-dest",
	"integration": integration,
	"sender": false,
	"destinations": [destination],
}

_sender(name, extra) := object.union(
	{
		"urn": concat("", ["urn:pulumi:prod::shop::vendorgate:index:Integration$aws:cloudwatch/eventTarget:EventTarget::", name]),
		"type": "aws:cloudwatch/eventTarget:EventTarget",
		"name": name,
		"integration": "product-analytics",
		"sender": true,
		"destinations": [{"via": "API destination", "hop": true}],
		"forwards": ["$.detail.properties.$os", "$.detail.properties.distinct_id"],
	},
	extra,
)

_owned(resources) := object.union(fixtures.input_for([fixtures.analytics]), {"resources": resources})

_messages(given, reg) := [v.message | some v in rule.violation with input as given with data.registry as reg]

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
		"which is not a registered host or domain of mixpanel (mixpanel.com).",
	])
}

test_a_lookalike_prefix_fails if {
	integration := _at("https://api.notmixpanel.com/track", "https", "api.notmixpanel.com")
	fixtures.brief(rule.violation) == {["VG008", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_another_vendors_domain_fails if {
	integration := _at("https://acme.zendesk.com/api", "https", "acme.zendesk.com")
	fixtures.brief(rule.violation) == {["VG008", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}

test_http_to_a_foreign_host_fails_twice if {
	integration := _at("http://collect.example.net/t", "http", "collect.example.net")
	violations := rule.violation with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
	fixtures.brief(violations) == {["VG008", "product-analytics", "", "mandatory"]}
	{v.message | some v in violations} == {
		"Integration product-analytics sends data to host collect.example.net over http instead of https.",
		"Integration product-analytics sends data to host collect.example.net, which is not a registered host or domain of mixpanel (mixpanel.com).",
	}
}

test_a_vendor_without_domains_fails if {
	reg := fixtures.registry_with_vendor("mixpanel", {"domains": []})
	fixtures.brief(rule.violation) == {["VG008", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([fixtures.analytics])
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
	resource := _resource_to("product-analytics", {"via": "API destination", "hop": true})
	count(rule.violation) == 0 with input as _owned([resource])
		with data.registry as fixtures.registry
}

test_an_owned_resource_sending_elsewhere_fails if {
	resource := _resource("product-analytics", "collector.evil.io")
	violations := rule.violation with input as _owned([resource])
		with data.registry as fixtures.registry
	[v] := [v | some v in violations]
	v.integration == "product-analytics"
	v.resource == resource.urn
	v.message == concat("", [
		"Resource analytics-dest of integration product-analytics sends data to host collector.evil.io ",
		"instead of the declared destination host api-eu.mixpanel.com or a registered host or domain of mixpanel.",
	])
}

test_an_owned_resource_on_another_host_of_the_vendor_passes if {
	resource := _resource("product-analytics", "api.mixpanel.com")
	count(rule.violation) == 0 with input as _owned([resource])
		with data.registry as fixtures.registry
}

test_an_owned_resource_over_plain_http_fails if {
	d := {"via": "subscription endpoint", "endpoint": "http://api-eu.mixpanel.com", "scheme": "http", "host": "api-eu.mixpanel.com"}
	_messages(_owned([_resource_to("product-analytics", d)]), fixtures.registry) == [concat("", [
		"Resource analytics-dest of integration product-analytics sends data to host api-eu.mixpanel.com ",
		"over http instead of https.",
	])]
}

test_an_owned_refused_url_fails if {
	d := {"via": "subscription endpoint", "problem": "it is not a valid URL"}
	_messages(_owned([_resource_to("product-analytics", d)]), fixtures.registry) == [concat("", [
		"Resource analytics-dest of integration product-analytics sends data to a URL vendorgate refuses ",
		"(subscription endpoint): it is not a valid URL.",
	])]
}

test_a_port_the_vendor_does_not_register_fails_and_a_registered_one_passes if {
	d := {"via": "invocation endpoint", "scheme": "https", "host": "api-eu.mixpanel.com", "port": 8443}
	given := _owned([_resource_to("product-analytics", d)])
	_messages(given, fixtures.registry) == [concat("", [
		"Resource analytics-dest of integration product-analytics sends data to host api-eu.mixpanel.com on port 8443, ",
		"which mixpanel is not registered to use.",
	])]
	_messages(given, fixtures.registry_with_vendor("mixpanel", {"ports": [8443]})) == []
}

test_another_account_fails_unless_registered_for_the_vendor if {
	d := {"via": "API destination", "account": "999988887777"}
	given := _owned([_resource_to("product-analytics", d)])
	_messages(given, fixtures.registry) == [concat("", [
		"Resource analytics-dest of integration product-analytics delivers data (API destination) to ",
		"AWS account 999988887777, which is neither the stack's own nor registered for mixpanel.",
	])]
	_messages(given, fixtures.registry_with_vendor("mixpanel", {"accounts": ["999988887777"]})) == []
}

test_an_opaque_destination_fails if {
	d := {"via": "SMS", "opaque": true}
	_messages(_owned([_resource_to("product-analytics", d)]), fixtures.registry) == [concat("", [
		"Resource analytics-dest of integration product-analytics sends data by SMS, ",
		"which names no destination the declaration describes.",
	])]
}

test_one_sender_passes_and_a_second_fails_naming_both if {
	count(rule.violation) == 0 with input as _owned([_sender("target", {})])
		with data.registry as fixtures.registry
	violations := rule.violation with input as _owned([_sender("target", {}), _sender("second", {})])
		with data.registry as fixtures.registry
	{v.resource | some v in violations} == {_sender("target", {}).urn, _sender("second", {}).urn}
	some v in violations
	contains(v.message, "one of 2 resources of integration product-analytics that send data (second, target)")
}

test_a_sender_forwarding_whole_events_fails if {
	_messages(_owned([_sender("target", {"forwards": null})]), fixtures.registry) == [
		"Resource target of integration product-analytics forwards whole events, not only the declared fields.",
	]
}

test_a_sender_forwarding_an_undeclared_path_fails if {
	resource := _sender("target", {"forwards": ["$.detail", "$.detail.properties.$os"]})
	[m] := _messages(_owned([resource]), fixtures.registry)
	startswith(m, "Resource target of integration product-analytics forwards $.detail from each event")
}

test_declared_sources_are_what_a_sender_may_forward if {
	analytics := fixtures.analytics_with({"fields": [{"path": "properties.$os", "category": "user.device", "transform": "none", "source": "$.detail.os"}]})
	given := object.union(fixtures.input_for([analytics]), {"resources": [_sender("target", {"forwards": ["$.detail.os"]})]})
	count(rule.violation) == 0 with input as given with data.registry as fixtures.registry
}

test_exact_hosts_refuse_another_tenant if {
	reg := fixtures.registry_with_vendor("zendesk", {"domains": ["zdassets.com"], "hosts": ["acme.zendesk.com"]})
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.support]) with data.registry as reg
	tenant := object.union(fixtures.support, {"destination": {"host": "attacker-tenant.zendesk.com"}})
	[v] := [v | some v in rule.violation with input as fixtures.input_for([tenant]) with data.registry as reg]
	contains(v.message, "not a registered host or domain of zendesk (acme.zendesk.com, zdassets.com)")
}

test_a_declared_port_must_be_registered if {
	at_port := fixtures.analytics_with({"destination": {"port": 8443}})
	fixtures.brief(rule.violation) == {["VG008", "product-analytics", "", "mandatory"]} with input as fixtures.input_for([at_port]) with data.registry as fixtures.registry
	count(rule.violation) == 0 with input as fixtures.input_for([at_port])
		with data.registry as fixtures.registry_with_vendor("mixpanel", {"ports": [8443]})
}

test_the_declared_region_must_match_a_regional_host if {
	reg := fixtures.registry_with_vendor("mixpanel", {"regionHosts": {"eu": ["api-eu.mixpanel.com"], "us": ["api.mixpanel.com"]}})
	count(rule.violation) == 0 with input as fixtures.input_for([fixtures.analytics]) with data.registry as reg
	us_host := fixtures.analytics_with({"destination": {"host": "api.mixpanel.com"}})
	[v] := [v | some v in rule.violation with input as fixtures.input_for([us_host]) with data.registry as reg]
	v.message == concat("", [
		"Integration product-analytics declares region eu but sends data to host api.mixpanel.com, ",
		"which is not mixpanel's host for that region (api-eu.mixpanel.com).",
	])
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

test_an_owned_resource_on_another_regional_host_fails if {
	reg := fixtures.registry_with_vendor("mixpanel", {"regionHosts": {"eu": ["api-eu.mixpanel.com"], "us": ["api.mixpanel.com"]}})
	count(_messages(_owned([_resource("product-analytics", "api-eu.mixpanel.com")]), reg)) == 0
	_messages(_owned([_resource("product-analytics", "api.mixpanel.com")]), reg) == [
		"Resource analytics-dest of integration product-analytics sends data to host api.mixpanel.com, which is not mixpanel's host for the declared region eu.",
	]
}
