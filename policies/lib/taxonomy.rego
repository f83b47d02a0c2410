# METADATA
# description: |
#   Hierarchical matching on fideslang-style dotted keys: a key covers itself
#   and every key below it.
package vendorgate.lib.taxonomy

# METADATA
# description: True when parent is child or one of its ancestors.
covers(parent, child) if parent == child

# The dot matters: user.contact must not cover user.contact_history.
covers(parent, child) if startswith(child, concat("", [parent, "."]))

# METADATA
# description: True when some key in parents covers child.
covered_by_any(parents, child) if {
	some parent in parents
	covers(parent, child)
}
