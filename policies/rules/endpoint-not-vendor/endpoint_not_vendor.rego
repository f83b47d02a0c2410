# METADATA
# title: Endpoint is not the vendor's
# description: >-
#   The destination is not https, or its host is not a registered host or domain of the vendor (or not the
#   vendor's host for the declared region, or on a port the vendor does not use), or a resource the
#   integration owns sends somewhere its declaration does not describe: another host, plain http, another
#   AWS account, a second flow, or more of each event than the declared fields.
# custom:
#   id: VG008
#   severity: mandatory
#   remediation: >-
#     Set `destination.url` to an https endpoint on one of the vendor's hosts or domains listed in
#     the vendor registry, and make every resource the integration owns (its Pulumi children) send to
#     that host only, and only the declared fields; give each further flow its own Integration. If the
#     vendor has a new host, port or AWS account, ask security to register it.
package vendorgate.rules["endpoint-not-vendor"]

import data.vendorgate.lib.hosts
import data.vendorgate.lib.registry
import data.vendorgate.lib.result

# Schemes that encrypt in transit: https for HTTP endpoints, sftp for Transfer Family connectors.
_secure_schemes := {"https", "sftp"}

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
		", which is not a registered host or domain of ", integration.vendor,
		" (", hosts.registered(registry.vendor(integration)), ").",
	]),
}) if {
	some integration in input.integrations
	not hosts.vendor_host(registry.vendor(integration), integration.destination.host)
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends data to host ", integration.destination.host,
		" on port ", format_int(integration.destination.port, 10), ", which ", integration.vendor,
		" is not registered to use.",
	]),
}) if {
	some integration in input.integrations
	vendor := registry.vendor(integration)
	is_number(integration.destination.port)
	not integration.destination.port in object.get(vendor, "ports", [])
}

# Where a vendor serves regions from distinct hosts, the declared region is only
# as true as the host: api.mixpanel.com receives EU users' data in the US.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " declares region ", integration.destination.region,
		" but sends data to host ", integration.destination.host, ", which is not ", integration.vendor,
		"'s host for that region (", concat(", ", object.get(regional, integration.destination.region, [])), ").",
	]),
}) if {
	some integration in input.integrations
	regional := registry.vendor(integration).regionHosts
	not _regional_host(regional, integration.destination)
}

_regional_host(regional, destination) if {
	some host in regional[destination.region]
	hosts.same_host(destination.host, host)
}

# Owned resources are where the bytes actually go: a declaration that says
# mixpanel.com while its Firehose posts elsewhere must not pass.
violation contains result.fail(rego.metadata.chain(), {
	"integration": p.integration.name,
	"resource": p.resource.urn,
	"message": concat("", ["Resource ", p.resource.name, " of integration ", p.integration.name, " ", p.problem, "."]),
}) if {
	some p in _owned_problems
}

# Each destination of each resource an enabled integration of a known vendor owns.
_owned contains {"resource": resource, "integration": integration, "vendor": vendor, "d": d} if {
	named := _named
	some resource in input.resources
	some i in named[resource.integration]
	integration := input.integrations[i]
	vendor := registry.vendor(integration)
	some d in resource.destinations
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"sends data to a URL vendorgate refuses (", o.d.via, "): ", o.d.problem,
])}) if {
	some o in _owned
	is_string(o.d.problem)
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"sends data to host ", o.d.host, " instead of the declared destination host ", o.integration.destination.host,
	" or a registered host or domain of ", o.integration.vendor,
])}) if {
	some o in _owned
	is_string(o.d.host)
	not hosts.same_host(o.d.host, o.integration.destination.host)
	not hosts.vendor_host(o.vendor, o.d.host)
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"sends data to host ", o.d.host, ", which is not ", o.integration.vendor, "'s host for the declared region ",
	o.integration.destination.region,
])}) if {
	some o in _owned
	is_string(o.d.host)
	regional := o.vendor.regionHosts
	not _regional_host(regional, {"host": o.d.host, "region": o.integration.destination.region})
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"sends data to host ", o.d.host, " over ", o.d.scheme, " instead of https",
])}) if {
	some o in _owned
	is_string(o.d.scheme)
	not o.d.scheme in _secure_schemes
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"sends data to host ", o.d.host, " on port ", format_int(o.d.port, 10), ", which ", o.integration.vendor,
	" is not registered to use",
])}) if {
	some o in _owned
	is_number(o.d.port)
	not o.d.port in object.get(o.vendor, "ports", [])
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"delivers data (", o.d.via, ") to ", _account(o.d.account), ", which is neither the stack's own nor registered for ",
	o.integration.vendor,
])}) if {
	some o in _owned
	is_string(o.d.account)
	not o.d.account in object.get(o.vendor, "accounts", [])
}

_owned_problems contains object.union(o, {"problem": concat("", [
	"sends data by ", o.d.via, ", which names no destination the declaration describes",
])}) if {
	some o in _owned
	o.d.opaque == true
}

_account("*") := "any AWS account"

_account(account) := concat("", ["AWS account ", account]) if account != "*"

# A declaration describes one flow. A second resource that decides what leaves
# (another target on the same API destination, a subscription beside the pipeline)
# is a flow nobody declared, even when it sends to the declared host.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " is one of ", format_int(count(senders), 10), " resources of integration ",
		integration.name, " that send data (", concat(", ", sort(senders)), "); its declaration describes one flow.",
	]),
}) if {
	by_name := _by_name
	some name, indexes in _senders
	integration := by_name[name]
	count(indexes) > 1
	senders := [input.resources[j].name | some j in indexes]
	some i in indexes
	resource := input.resources[i]
}

# The indexes of the sending resources of each integration, by its name: one
# pass over the resources rather than one per integration.
_senders[resource.integration] contains i if {
	some i, resource in input.resources
	resource.sender == true
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " of integration ", integration.name,
		" forwards whole events, not only the declared fields.",
	]),
}) if {
	named := _named
	some resource in input.resources
	"forwards" in object.keys(resource)
	resource.forwards == null
	some i in named[resource.integration]
	integration := input.integrations[i]
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " of integration ", integration.name, " forwards ", path,
		" from each event, which no declared field reads (",
		concat(", ", sort(_sources(integration))), ").",
	]),
}) if {
	named := _named
	some resource in input.resources
	is_array(resource.forwards)
	some i in named[resource.integration]
	integration := input.integrations[i]
	sources := _sources(integration)
	some path in resource.forwards
	not path in sources
}

# Where each declared field is read in the event: its declared source, or the
# same path under detail (the Integration component's default).
_sources(integration) := {object.get(field, "source", concat("", ["$.detail.", field.path])) |
	some field in integration.fields
}

# The indexes of the integrations by name, so that pairing resources with their
# integration is a lookup per resource rather than a scan of every integration
# (indexes: a set of whole integrations would hash each one).
_named[integration.name] contains i if some i, integration in input.integrations

_by_name[integration.name] := integration if some integration in input.integrations
