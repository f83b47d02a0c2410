# METADATA
# title: Transform required before sharing
# description: >-
#   An approval covers the field's category only when the value is transformed (for example hashed), and the
#   field is sent without an accepted transform.
# custom:
#   id: VG005
#   severity: mandatory
#   per_field: true
#   remediation: >-
#     Apply one of the accepted transforms to the value before it leaves, and set the field's `transform`
#     in the integration to match; or drop the field. The accepted transforms are listed per category under
#     requireTransform in the vendor registry.
package vendorgate.rules["transform-required"]

import data.vendorgate.lib.fields
import data.vendorgate.lib.registry
import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"field": field.path,
	"message": concat("", [
		"Field ", field.path, " sends ", field.category, " to ", integration.vendor,
		" with transform ", registry.transform(field), ", but ", _accepted(covering, field.category), ".",
	]),
}) if {
	approvals_at := registry.approvals_at
	some [i, j, "suspect", _] in fields.findings
	integration := input.integrations[i]
	field := integration.fields[j]
	approvals := approvals_at[i]
	covering := [approval |
		some approval in approvals
		registry.approval_covers(approval, field.category)
	]

	# A category no approval covers is VG004's.
	count(covering) > 0
	every approval in covering {
		not registry.accepts(approval, field)
	}
}

_accepted(approvals, category) := concat("", ["the approval accepts it only with ", concat(" or ", accepted)]) if {
	accepted := [transform |
		some transform in registry.transforms
		_accepted_by_some(approvals, category, transform)
	]
	count(accepted) > 0
}

# Nested requireTransform keys with disjoint lists leave nothing acceptable.
_accepted(approvals, category) := "the approval's requireTransform entries accept no transform for it" if {
	every approval in approvals {
		count(registry.accepted_transforms(approval, category)) == 0
	}
}

_accepted_by_some(approvals, category, transform) if {
	some approval in approvals
	transform in registry.accepted_transforms(approval, category)
}
