# METADATA
# description: |
#   Questions the rules ask of the vendor registry (data.registry), answered in
#   one place so that every rule reads approvals the same way.
package vendorgate.lib.registry

import data.vendorgate.lib.taxonomy

# The transform vocabulary of the declaration schema, in the order people read it.
transforms := ["none", "hash", "pseudonymize", "truncate", "generalize"]

# METADATA
# description: The registry entry for the integration's vendor; undefined when unknown.
vendor(integration) := data.registry.vendors[integration.vendor]

# METADATA
# description: True when the integration's vendor has a registry entry.
known(integration) if vendor(integration)

# METADATA
# description: |
#   The approvals of the integration's vendor whose purpose covers the
#   integration's purpose and whose subjects (when listed) cover each of its subjects.
matching_approvals(integration) := [approval |
	some approval in object.get(vendor(integration), "approvals", [])
	taxonomy.covers(approval.purpose, integration.purpose)
	_subjects_covered(approval, integration)
]

# METADATA
# description: |
#   matching_approvals of each integration, by its index in input.integrations:
#   computed once per evaluation for the rules that all need it.
approvals_at[i] := matching_approvals(integration) if some i, integration in input.integrations

# METADATA
# description: |
#   The categories the matching approvals of the integration at index i list,
#   as one set: an approval covers a field when its category or an ancestor is in it.
approved_categories_at[i] := {category |
	some approval in approvals
	some category in object.get(approval, "categories", [])
} if some i, approvals in approvals_at

# METADATA
# description: |
#   The requireTransform keys of the matching approvals of the integration at
#   index i, as one set: a category none of them covers is accepted with any transform.
transform_keys_at[i] := {key |
	some approval in approvals
	some key, _ in object.get(approval, "requireTransform", {})
} if some i, approvals in approvals_at

# METADATA
# description: True when category or one of its ancestors is in the set keys.
lineage_in(keys, category) if {
	some key in taxonomy.lineage(category)
	keys[key]
}

# An approval without subjects is an approval for any subject. One test of the
# key with else, not two bodies: a function's bodies are all evaluated, and
# object.keys built the approval's keys for each.
_subjects_covered(approval, integration) if {
	_has(approval, "subjects")
	every subject in object.get(integration, "subjects", []) {
		taxonomy.covered_by_any(approval.subjects, subject)
	}
} else if not _has(approval, "subjects")

# A key present with any value, false and null included.
_has(object, key) if _ = object[key]

# METADATA
# description: The prohibited categories that cover category, sorted.
prohibited_by(category) := sort([entry |
	some entry in object.get(data.registry, "prohibitedCategories", [])
	taxonomy.covers(entry, category)
])

# METADATA
# description: True when a registry prohibitedCategories entry covers category.
prohibited(category) if lineage_in(_prohibited, category)

# A set, built once per evaluation: each ancestor key of a field is then one
# lookup instead of a scan of the list.
_prohibited := {entry | some entry in object.get(data.registry, "prohibitedCategories", [])}

# METADATA
# description: |
#   The prohibited categories strictly below each key that covers one (user ->
#   user.financial, ...), sorted: a broad field category is then one lookup.
narrower_prohibited[key] := sort([entry |
	some entry in object.get(data.registry, "prohibitedCategories", [])
	entry != key
	taxonomy.covers(key, entry)
]) if {
	some prohibited_entry in _prohibited
	some key in taxonomy.lineage(prohibited_entry)
	key != prohibited_entry
}

# METADATA
# description: True when the approval lists a category that covers category.
approval_covers(approval, category) if taxonomy.covered_by_any(object.get(approval, "categories", []), category)

# METADATA
# description: |
#   The transforms that satisfy every requireTransform entry of the approval
#   covering category; all transforms when no entry covers it. Where a parent
#   and a child key both apply, the field must satisfy both.
accepted_transforms(approval, category) := [transform |
	some transform in transforms
	every key, allowed in object.get(approval, "requireTransform", {}) {
		_allows(key, allowed, category, transform)
	}
]

_allows(key, _, category, _) if not key in taxonomy.lineage(category)

_allows(_, allowed, _, transform) if transform in allowed

_transform_set := {transform | some transform in transforms}

# METADATA
# description: True when the approval covers the category and accepts the field's transform.
accepts(approval, field) if {
	approval_covers(approval, field.category)
	accepted := transform(field)

	# The same test as accepted_transforms, for the one transform the field has.
	_transform_set[accepted]
	every key, allowed in object.get(approval, "requireTransform", {}) {
		_allows(key, allowed, field.category, accepted)
	}
}

# METADATA
# description: The field's transform; a field that declares none is sent as is.
transform(field) := object.get(field, "transform", "none")
