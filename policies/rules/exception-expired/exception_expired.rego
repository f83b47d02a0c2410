# METADATA
# title: Exception expired
# description: >-
#   An exception matched a violation but has expired, and no matching exception is still in force, so the
#   violation it covered stands again.
# custom:
#   id: VG012
#   severity: advisory
#   remediation: >-
#     Fix the violation the exception covered, or ask security to renew the exception with a new `expires`
#     date in policies/data/exceptions.yaml; delete exceptions that are no longer needed.
package vendorgate.waivers["exception-expired"]

# This judges the other rules' output, so it cannot sit under vendorgate.rules:
# reading data.vendorgate.rules[_] from inside it is a recursion error.

import data.vendorgate.lib.exceptions
import data.vendorgate.lib.result
import data.vendorgate.lib.violations

violation contains result.fail(rego.metadata.chain(), object.union(
	{k: v | some k, v in covered; k in {"integration", "field", "resource"}},
	{"message": concat("", [
		"Exception ", exception.id, " for ", covered.rule, " expired on ", exception.expires,
		", so the violation it covered stands.",
	])},
)) if {
	some covered in violations.raw
	matching := exceptions.matching(covered)
	count(matching) > 0
	every candidate in matching {
		exceptions.expired(candidate)
	}
	some exception in matching
}
