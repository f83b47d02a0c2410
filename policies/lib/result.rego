# METADATA
# description: |
#   Builds violation objects from the METADATA chain, so a rule's id, title,
#   severity and remediation are written once, next to the rule.
package vendorgate.lib.result

# Only these keys may come from the rule body: everything else is owned by METADATA.
_detail_keys := {"integration", "field", "message", "resource", "exception"}

# METADATA
# description: |
#   The violation for the rule whose metadata chain is given. The package-scoped
#   annotations carry id, title, severity and remediation; obj carries integration,
#   message and, where relevant, field, resource and a case-dependent severity.
fail(chain, obj) := object.union(_base(link.annotations, link.path, obj), details) if {
	some link in chain
	link.annotations.scope == "package"
	details := object.filter(obj, _detail_keys)
}

_base(annotations, path, obj) := {
	"rule": annotations.custom.id,
	"name": path[count(path) - 1],
	"title": annotations.title,
	"remediation": annotations.custom.remediation,
	"severity": object.get(obj, "severity", annotations.custom.severity),
}
