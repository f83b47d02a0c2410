# METADATA
# title: Vendor not in the registry
# description: >-
#   The integration names a vendor that has no entry in the vendor registry, so nothing about it has been
#   reviewed.
# custom:
#   id: VG001
#   severity: mandatory
#   remediation: >-
#     If the vendor key is a typo, fix the integration's `vendor` in the stack program or manifest.
#     Otherwise ask security to review the vendor and add it, with its approvals, to the vendor registry.
package vendorgate.rules["unknown-vendor"]

import data.vendorgate.lib.registry
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends data to vendor ", integration.vendor,
		", which is not in the vendor registry.",
	]),
}) if {
	some integration in input.integrations
	not registry.known(integration)
}
