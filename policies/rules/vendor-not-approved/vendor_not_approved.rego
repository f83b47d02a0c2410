# METADATA
# title: Vendor not approved
# description: >-
#   The vendor's registry status is under_review, suspended or prohibited, so it may not receive personal
#   data.
# custom:
#   id: VG002
#   severity: mandatory
#   remediation: >-
#     Switch the integration off (`enabled: false`) or remove it until security sets the vendor's status
#     to approved in the vendor registry; a suspended or prohibited vendor must not receive new data.
package vendorgate.rules["vendor-not-approved"]

import data.vendorgate.lib.registry
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Vendor ", integration.vendor, " has status ", _status(vendor), _reason(vendor),
		", so integration ", integration.name, " may not send it data.",
	]),
}) if {
	some integration in input.integrations
	vendor := registry.vendor(integration)

	# Anything but approved blocks (under_review, suspended, prohibited), so a
	# status the schema does not know yet cannot let data through.
	_status(vendor) != "approved"
}

_status(vendor) := object.get(vendor, "status", "(none)")

_reason(vendor) := concat("", [" (", vendor.statusReason, ")"]) if vendor.statusReason

default _reason(_) := ""
