# METADATA
# title: Exception expired or stale
# description: >-
#   An exception is not doing the job it was approved for: it matched a violation but has expired (the violation
#   stands again), it runs longer than the registry's maximum lifetime (it waives nothing), it names a vendor the
#   registry does not list or an integration the stack does not declare, or it matches no violation at all.
# custom:
#   id: VG012
#   severity: advisory
#   remediation: >-
#     Fix the violation the exception covered, or ask security to renew the exception with a new `expires`
#     date within the maximum lifetime; correct the vendor, integration, category or field it names; delete
#     exceptions that are no longer needed.
package vendorgate.waivers["exception-expired"]

# This judges the other rules' output, so it cannot sit under vendorgate.rules:
# reading data.vendorgate.rules[_] from inside it is a recursion error.

import data.vendorgate.lib.exceptions
import data.vendorgate.lib.result

# Findings about an exception itself carry its id, so reports can point at its
# line in the exceptions file; they are grouped under this pseudo-integration,
# which no integration name can be.
_exceptions_group := "(exceptions)"

violation contains result.fail(rego.metadata.chain(), object.union(
	{k: v | some k, v in covered; k in {"integration", "field", "resource"}},
	{
		"exception": exception.id,
		"message": concat("", [
			"Exception ", exception.id, " for ", covered.rule, " expired on ", exception.expires,
			", so the violation it covered stands.",
		]),
	},
)) if {
	some covered, matching in exceptions.matched
	every candidate in matching {
		not exceptions.active(candidate)
	}
	some exception in matching
	exceptions.expired(exception)
}

violation contains _about(exception, concat("", [
	"Exception ", exception.id, " expires on ", exception.expires, ", more than ",
	format_int(exceptions.max_lifetime_days, 10), " days after ", input.now,
	" (the registry's maximum lifetime), so it waives nothing.",
])) if {
	too_long := exceptions.too_long_dates
	count(too_long) > 0
	some exception in exceptions.declared
	too_long[exception.expires]
}

violation contains _about(exception, concat("", [
	"Exception ", exception.id, " names vendor ", exception.vendor,
	", which the registry does not list, so it matches nothing.",
])) if {
	vendors := data.registry.vendors
	some exception in exceptions.declared
	not vendors[exception.vendor]
}

violation contains _about(exception, concat("", [
	"Exception ", exception.id, " names integration ", exception.integration,
	", which this stack does not declare (or has disabled), so it matches nothing.",
])) if {
	some exception in exceptions.applicable
	_vendor_listed(exception)
	not _declared(exception.integration)
}

violation contains _about(exception, concat("", [
	"Exception ", exception.id, " for ", exception.rule, " matches no violation",
	_stack_clause, ": delete it, or correct what it names.",
])) if {
	some exception in exceptions.applicable
	_vendor_listed(exception)
	_declared_or_unset(exception)
	not _matches_any(exception)
}

_stack_clause := concat("", [" in stack ", input.stack.name])

default _stack_clause := ""

# Checked against this stack only when the exception is about it (the
# applicable ones) and names a vendor the registry lists.
_vendor_listed(exception) if data.registry.vendors[exception.vendor]

_declared(name) if {
	names := _declared_names
	names[name]
}

_declared_names := {integration.name | some integration in input.integrations}

_declared_or_unset(exception) if not "integration" in object.keys(exception)

_declared_or_unset(exception) if _declared(exception.integration)

_matches_any(exception) if {
	matched := _matched
	matched[exception]
}

# Every exception that matches some violation, found from the violations' side
# (each looks up the few exceptions for its rule and vendor) rather than by
# testing every exception against every violation.
_matched contains exception if {
	some found in exceptions.matched
	some exception in found
}

_about(exception, message) := result.fail(rego.metadata.chain(), {
	"integration": object.get(exception, "integration", _exceptions_group),
	"exception": exception.id,
	"message": message,
})
