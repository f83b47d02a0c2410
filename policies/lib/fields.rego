# METADATA
# description: |
#   The field rules' verdicts (VG004, VG005, VG006), found in one pass over the
#   input's fields. Each field rule used to walk every field itself and ask the
#   taxonomy and the registry again; in the WASM build every one of those
#   lookups hashes its key, and the walks were most of an evaluation. Here each
#   field's category is looked up once, and the rules iterate only the few
#   fields found here.
package vendorgate.lib.fields

import data.vendorgate.lib.registry
import data.vendorgate.lib.taxonomy

# METADATA
# description: |
#   [i, j, verdict, broader] for each field j of the integration at index i
#   that some field rule reports. verdict is "prohibited" (a prohibited
#   category covers the field's: VG006), "unapproved" (no matching approval
#   covers it: VG004), "suspect" (an approval covers it and may not accept its
#   transform: VG005 decides) or "none"; broader is true when the category
#   covers a prohibited one without being prohibited itself (VG006).
findings contains [i, j, verdict, broader] if {
	index := _lineage_index
	prohibited := _prohibited
	below := registry.narrower_prohibited
	known := _known_transforms
	approvals_at := registry.approvals_at
	categories_at := registry.approved_categories_at
	transform_keys_at := registry.transform_keys_at
	some i, integration in input.integrations

	# Once per integration, not per field. An unknown vendor has no approvals
	# to ask (VG001 reports it); one without a matching approval is VG003's.
	asked := count(object.get(approvals_at, i, [])) > 0
	categories := object.get(categories_at, i, set())
	transform_keys := object.get(transform_keys_at, i, set())
	some j, field in integration.fields
	category := field.category
	keys := _lineage(index, category)
	verdict := _verdict(keys, prohibited, asked, categories, transform_keys, known, field)
	broader := _broader(below, category, verdict)
	_reported(verdict, broader)
}

default _lineage_index := {}

_lineage_index := data.taxonomy.lineage

_lineage(index, category) := keys if {
	keys := index[category]
} else := taxonomy.lineage(category)

_prohibited := {entry | some entry in object.get(data.registry, "prohibitedCategories", [])}

# The first that holds: a prohibited field is VG006's alone, and an approval
# can only be asked about a field whose integration has matching approvals.
_verdict(keys, prohibited, asked, categories, transform_keys, known, field) := "prohibited" if {
	some key in keys
	prohibited[key]
} else := "unapproved" if {
	asked
	not _any_in(keys, categories)
} else := "suspect" if {
	_suspect(keys, transform_keys, known, field)
	_any_in(keys, categories)
} else := "none"

_any_in(keys, set) if {
	some key in keys
	set[key]
}

# A field no requireTransform key covers, with a transform of the vocabulary,
# is accepted by every approval that covers it: only the others need VG005.
_suspect(keys, transform_keys, known, field) if {
	not known[registry.transform(field)]
} else if {
	count(transform_keys) > 0
	_any_in(keys, transform_keys)
}

_known_transforms := {transform | some transform in registry.transforms}

_broader(below, category, verdict) if {
	verdict != "prohibited"
	below[category]
}

default _broader(_, _, _) := false

_reported(verdict, broader) if verdict != "none"

else := broader
