# METADATA
# title: Purpose not approved for this vendor
# description: No approval of the vendor covers the integration's purpose together with all of its data subjects.
# custom:
#   id: VG003
#   severity: mandatory
#   remediation: >-
#     Change the integration's `purpose` (or `subjects`) to one the vendor is approved for in
#     the vendor registry, or ask security to add an approval for this purpose and these subjects.
package vendorgate.rules["purpose-not-approved"]

import data.vendorgate.lib.registry
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Vendor ", integration.vendor, " has no approval for purpose ", integration.purpose,
		_subjects(integration), ".",
	]),
}) if {
	approvals_at := registry.approvals_at
	some i, integration in input.integrations
	registry.known(integration)
	count(approvals_at[i]) == 0
}

_subjects(integration) := concat("", [" with subjects ", concat(", ", integration.subjects)]) if {
	count(integration.subjects) > 0
}

default _subjects(_) := ""
