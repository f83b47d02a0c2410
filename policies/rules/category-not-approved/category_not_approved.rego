# METADATA
# title: Category not approved for this vendor
# description: >-
#   A field's data category is not covered by any vendor approval that matches the integration's purpose and
#   subjects.
# custom:
#   id: VG004
#   severity: mandatory
#   per_field: true
#   remediation: >-
#     Remove the field from the integration (and from the payload the code sends), or ask security to add
#     the category to the vendor's approval in the vendor registry; a time-boxed exception in
#     the exceptions file can bridge the review.
package vendorgate.rules["category-not-approved"]

import data.vendorgate.lib.fields
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"field": field.path,
	"message": concat("", [
		"Field ", field.path, " sends ", field.category, " to ", integration.vendor,
		", but no approval for purpose ", integration.purpose, " covers that category.",
	]),
}) if {
	some [i, j, "unapproved", _] in fields.findings
	integration := input.integrations[i]
	field := integration.fields[j]
}
