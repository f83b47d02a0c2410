# METADATA
# title: Prohibited data category
# description: >-
#   A field's category falls under a category the registry prohibits sharing with any vendor, or is broader
#   than one (user covers user.financial), so it may carry it. No approval or exception can lift this.
# custom:
#   id: VG006
#   severity: mandatory
#   remediation: >-
#     Remove the field from the integration and stop sending the value; prohibited categories may not
#     leave for any vendor and cannot be waived. If this data really has to leave, take it to security:
#     only a change to prohibitedCategories in the vendor registry can allow it.
package vendorgate.rules["prohibited-category"]

import data.vendorgate.lib.fields
import data.vendorgate.lib.registry
import data.vendorgate.lib.result

# Applies to unknown vendors too: what is prohibited does not depend on who receives it.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"field": field.path,
	"message": concat("", [
		"Field ", field.path, " sends ", field.category, " to ", integration.vendor,
		", which falls under the prohibited ", _categories(registry.prohibited_by(field.category)), ".",
	]),
}) if {
	some [i, j, "prohibited", _] in fields.findings
	integration := input.integrations[i]
	field := integration.fields[j]
}

_categories([entry]) := concat("", ["category ", entry])

_categories(entries) := concat("", ["categories ", concat(" and ", entries)]) if count(entries) > 1

# A broad category such as user covers user.financial: a field declared that
# broadly may carry prohibited data, whatever an approval that lists user says.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"field": field.path,
	"message": concat("", [
		"Field ", field.path, " sends ", field.category, " to ", integration.vendor,
		", which is broader than the prohibited ", _categories(narrower), " and may carry them; declare the narrower category it really is.",
	]),
}) if {
	below := registry.narrower_prohibited
	some [i, j, _, true] in fields.findings
	integration := input.integrations[i]
	field := integration.fields[j]
	narrower := below[field.category]
}
