# METADATA
# title: Employee data stays in the EU
# description: >-
#   Works council agreement: personal data about employees may only be sent to vendor endpoints in the EU
#   region, whatever the vendor is approved for.
# custom:
#   id: ACME001
#   severity: mandatory
#   remediation: >-
#     Point `destination.url` at the vendor's EU endpoint and set `destination.region: eu`, or stop sending
#     employee data through this integration (remove `employee` from its subjects and the fields about employees).
package vendorgate.custom["employee-data-eu-only"]

import data.vendorgate.lib.result
import data.vendorgate.lib.taxonomy

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends data about data subject ", subject, " to ", integration.vendor,
		" in region ", object.get(integration.destination, "region", "(unspecified)"),
		", but employee data may only go to region eu.",
	]),
}) if {
	some integration in input.integrations
	object.get(integration.destination, "region", "") != "eu"
	subject := _employee_subjects(integration)[0]
}

_employee_subjects(integration) := [subject |
	some subject in sort(object.get(integration, "subjects", []))
	taxonomy.covers("employee", subject)
]
