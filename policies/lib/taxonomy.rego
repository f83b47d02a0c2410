# METADATA
# description: |
#   Hierarchical matching on fideslang-style dotted keys: a key covers itself
#   and every key below it.
package vendorgate.lib.taxonomy

# METADATA
# description: True when parent is child or one of its ancestors.
covers(parent, child) if parent in lineage(child)

# METADATA
# description: True when some key in parents covers child.
covered_by_any(parents, child) if {
	some key in lineage(child)
	key in parents
}

# METADATA
# description: |
#   The key and every key that covers it: the key cut at each of its dots. The
#   dot matters: user.contact must not cover user.contact_history. The engine
#   passes the lineage of every taxonomy key as data.taxonomy.lineage, so that
#   covers, which runs for every field against every approval, is a lookup.
lineage(key) := keys if {
	keys := data.taxonomy.lineage[key]
} else := _lineage(key)

_lineage(key) := [concat(".", array.slice(parts, 0, j)) |
	parts := split(key, ".")
	some j in numbers.range(1, count(parts))
] if is_string(key)

else := [key]
