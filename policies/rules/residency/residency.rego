# METADATA
# title: Destination region not allowed
# description: >-
#   The destination region is not one of the vendor's registered regions, or lies outside the stack's data
#   residency.
# custom:
#   id: VG007
#   severity: mandatory
#   remediation: >-
#     Point `destination.url` at the vendor's endpoint in an allowed region and set `destination.region` to
#     match. If the vendor really hosts the data there, ask security to add the region to the vendor in
#     the vendor registry; the stack's residency is set in its stack configuration.
package vendorgate.rules.residency

import data.vendorgate.lib.registry
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends data to region ", _region(integration),
		", which is not among the regions registered for ", integration.vendor,
		" (", concat(", ", regions), ").",
	]),
}) if {
	some integration in input.integrations
	regions := object.get(registry.vendor(integration), "regions", [])
	not _region(integration) in regions
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends data to region ", _region(integration),
		", outside the residency of stack ", object.get(input.stack, "name", "(unnamed)"),
		" (", concat(", ", residency), ").",
	]),
}) if {
	residency := input.stack.residency
	some integration in input.integrations
	registry.known(integration)
	not _region(integration) in residency
}

# The schema requires a region; the default keeps a malformed declaration from
# silently passing both checks.
_region(integration) := object.get(integration.destination, "region", "(unspecified)")
