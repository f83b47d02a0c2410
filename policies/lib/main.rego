# METADATA
# description: |
#   The entrypoint the WASM bundle is built for (vendorgate/main/report): every
#   rule's violations with exceptions and enforcement levels applied, in no
#   particular order: the engine sorts them once, in TypeScript, by the order
#   the reports document (code units, which Rego's byte order is not).
#   report is always defined, so an empty result from the engine means a broken
#   bundle, never a clean deploy.
package vendorgate.main

import data.vendorgate.lib.exceptions

# METADATA
# entrypoint: true
# description: |
#   {"violations": [violation...], "rules": number of rule packages evaluated}.
report := {
	"violations": [violation | some violation in _enforced],
	"rules": count(_rule_packages),
}

# An empty violation set is still a value, so every loaded rule is counted;
# "<rule-name>_test" packages define no violation and are skipped.
_rule_packages contains concat("", ["rules/", name]) if {
	some name
	data.vendorgate.rules[name].violation
}

_rule_packages contains concat("", ["custom/", name]) if {
	some name
	data.vendorgate.custom[name].violation
}

_rule_packages contains concat("", ["waivers/", name]) if {
	some name
	data.vendorgate.waivers[name].violation
}

# A violation keeps its severity when waived: it is the TypeScript summary that
# stops counting it as blocking. Each violation is judged (waived or not) and
# then enforced in one pass; only the final set removes duplicates, which gives
# the same set as removing them after each step.
# The rules' sets are read as they are, not through violations.raw: that set
# would hash and insert every violation once more only to be iterated here.
_enforced contains enforced if {
	matched := exceptions.matched
	some violation in data.vendorgate.rules[_].violation
	enforced := _enforce(_judge(violation, matched))
}

_enforced contains enforced if {
	matched := exceptions.matched
	some violation in data.vendorgate.custom[_].violation
	enforced := _enforce(_judge(violation, matched))
}

_enforced contains enforced if {
	some violation in data.vendorgate.waivers[_].violation
	enforced := _enforce(violation)
}

# Without any matching exception (the common case) no violation is looked up.
_judge(violation, matched) := object.union(violation, {"waivedBy": waiver}) if {
	count(matched) > 0
	waiver := exceptions.first_active(matched[violation])
} else := violation

_enforce(violation) := violation if {
	not _override(violation)
} else := object.union(violation, {"severity": level}) if {
	level := _override(violation)
	level in {"mandatory", "advisory"}
}

# A level the engine does not know keeps the rule's own: a typo in the pack
# config must not switch a rule off. VG006 keeps its level whatever the input
# says: the loaders refuse such an override, and the policy ignores it too.
_override(violation) := level if {
	not violation.rule in _fixed
	level := input.enforcement[violation.rule]
	level in {"mandatory", "advisory", "disabled"}
}

_fixed := {"VG006"}
