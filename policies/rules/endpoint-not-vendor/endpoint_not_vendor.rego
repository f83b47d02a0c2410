# METADATA
# title: Endpoint is not the vendor's
# description: >-
#   The destination is not https, or its host is not a registered domain (or subdomain) of the vendor, or a
#   resource the integration owns sends to a host other than the declared destination.
# custom:
#   id: VG008
#   severity: mandatory
#   remediation: >-
#     Set `destination.url` to an https endpoint on one of the vendor's domains listed in
#     policies/data/vendors.yaml, and make every resource the integration owns (its Pulumi children) send to
#     that same host. If the vendor has a new domain, ask security to register it.
package vendorgate.rules["endpoint-not-vendor"]

import data.vendorgate.lib.hosts
import data.vendorgate.lib.registry
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		# The host, never the URL: a URL may carry a token in its path or query.
		"Integration ", integration.name, " sends data to host ", integration.destination.host,
		" over ", integration.destination.scheme, " instead of https.",
	]),
}) if {
	some integration in input.integrations
	registry.known(integration)
	integration.destination.scheme != "https"
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends data to host ", integration.destination.host,
		", which is not a registered domain of ", integration.vendor, " (", concat(", ", domains), ").",
	]),
}) if {
	some integration in input.integrations
	domains := object.get(registry.vendor(integration), "domains", [])
	not hosts.matches_any(integration.destination.host, domains)
}

# An owned resource is where the bytes actually go: a declaration that says
# mixpanel.com while its Firehose posts elsewhere must not pass.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " of integration ", integration.name, " sends data to host ", resource.host,
		" instead of the declared destination host ", integration.destination.host, ".",
	]),
}) if {
	some resource in input.resources
	is_string(resource.host)
	some integration in _named[resource.integration]
	registry.known(integration)
	not hosts.same_host(resource.host, integration.destination.host)
}

# The integrations by name, so that pairing resources with their integration is
# a lookup per resource rather than a scan of every integration.
_named[integration.name] contains integration if some integration in input.integrations
