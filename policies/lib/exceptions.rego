# METADATA
# description: |
#   How exceptions (input.exceptions) match violations and when they are in force.
#   An exception is bound to what security approved: the rule, the vendor, the
#   category or field for field rules, and optionally integrations and stacks.
#   Names a developer picks (an integration called "support-chat") are never
#   enough on their own.
package vendorgate.lib.exceptions

import data.vendorgate.lib.dates
import data.vendorgate.lib.taxonomy

# VG006 cannot be waived: the loader rejects such an exception, and the policy
# ignores it too so that a registry edit alone can never let prohibited data out.
_unwaivable := {"VG006"}

# METADATA
# description: The longest an exception may still run from the evaluation date, in days (registry policy).
default max_lifetime_days := 365

max_lifetime_days := data.registry.maxExceptionLifetimeDays

default declared := []

# METADATA
# description: The exceptions in the input; none when the input carries no exceptions.
declared := input.exceptions

# METADATA
# description: True when the exception names the violation's rule and vendor, and, where given, its integration, category, field and stack.
matches(exception, violation) if {
	applies_to_stack(exception)
	_matches_here(exception, violation)
}

# matches, for an exception already known to apply to the judged stack.
_matches_here(exception, violation) if {
	exception.rule == violation.rule
	not violation.rule in _unwaivable
	_same_or_unset(exception, violation, "integration")
	_same_or_unset(exception, violation, "field")

	# The vendor and category are those of the declared integration the
	# violation names, never a name the violation or the exception chose.
	named := _named
	some i in named[violation.integration]
	integration := input.integrations[i]
	integration.vendor == exception.vendor
	_category_covered(exception, violation, integration)
}

# Each of these tests a key once, with else rather than a second body: every
# body of a function is evaluated, and they run for each candidate exception.
_same_or_unset(exception, violation, key) if {
	value := exception[key]
	value == violation[key]
} else if not _has(exception, key)

_category_covered(exception, violation, integration) if {
	category := exception.category
	some field in integration.fields
	field.path == violation.field
	taxonomy.covers(category, field.category)
} else if not _has(exception, "category")

# METADATA
# description: True when the exception names no stacks or names the stack being judged.
applies_to_stack(exception) if {
	stacks := exception.stacks
	input.stack.name in stacks
} else if not _has(exception, "stacks")

# The indexes of the declared integrations by name, so that a violation finds
# its own with a lookup rather than a scan. Indexes, not the integrations: a set
# of objects hashes each whole object.
_named[integration.name] contains i if some i, integration in input.integrations

# A key present with any value, false and null included; cheaper than building object.keys.
_has(object, key) if _ = object[key]

# The exceptions that apply to the judged stack, by rule and the integration
# they name (null for none), so that a violation is tested only against those
# that could match it: a shared file of thousands of exceptions for many stacks
# costs two lookups per violation.
_applicable[[exception.rule, object.get(exception, "integration", null)]] contains exception if {
	some exception in applicable
}

# METADATA
# description: The declared exceptions that apply to the judged stack, found once per evaluation.
applicable contains exception if {
	name := _stack_name
	some exception in declared
	_applies(exception, name)
}

# The judged stack's name, read once rather than for each of thousands of
# exceptions; null (which no stacks list holds) when the input names none.
default _stack_name := null

_stack_name := input.stack.name

_applies(exception, name) if {
	stacks := exception.stacks
	name in stacks
} else if not _has(exception, "stacks")

# The rules some applicable exception names: a violation of any other rule needs no lookup at all.
_excepted_rules contains rule if some [rule, _], _ in _applicable

# METADATA
# description: The set of exceptions that match the violation.
matching(violation) := {exception |
	excepted := _excepted_rules
	excepted[violation.rule]
	applicable := _applicable
	some integration in [violation.integration, null]
	some exception in applicable[[violation.rule, integration]]
	_matches_here(exception, violation)
}

# METADATA
# description: True when the exception runs longer past the evaluation date than the registry allows.
too_long(exception) if _days_from_now(exception.expires) > max_lifetime_days

_days_from_now(date) := days if {
	known := _days_to
	days := known[date]
} else := dates.days_between(input.now, date)

# METADATA
# description: The expiry dates of declared exceptions that lie further past the evaluation date than the registry allows.
too_long_dates contains expires if {
	some expires, days in _days_to
	days > max_lifetime_days
}

# Days from the evaluation date to each expiry date in the input, computed once
# per date rather than once per exception.
_days_to[expires] := dates.days_between(input.now, expires) if some expires in {exception.expires | some exception in declared}

# METADATA
# description: True while the exception is in force - on or before its expiry date and within the maximum lifetime.
active(exception) if {
	exception.expires >= input.now
	not too_long(exception)
}

# METADATA
# description: True once the expiry date has passed.
expired(exception) if exception.expires < input.now

# METADATA
# description: The smallest id among the matching exceptions in force; undefined when none is.
waiver(violation) := first_active(matching(violation))

# METADATA
# description: The smallest id among the given exceptions that are in force; undefined when none is.
first_active(found) := min(ids) if {
	ids := {exception.id |
		some exception in found
		active(exception)
	}
	count(ids) > 0
}

# METADATA
# description: |
#   The matching exceptions of each raw violation that has any, found once per
#   evaluation: the entrypoint (waivers) and the exception-expired rule (expired
#   and unused exceptions) each asked matching of every violation before.
matched[violation] := found if {
	excepted := _excepted_rules
	count(excepted) > 0
	some violation in data.vendorgate.rules[_].violation
	excepted[violation.rule]
	found := matching(violation)
	count(found) > 0
}

# The rules' own sets, like the entrypoint, rather than violations.raw, which
# would hash and insert every violation into one more set.
matched[violation] := found if {
	excepted := _excepted_rules
	count(excepted) > 0
	some violation in data.vendorgate.custom[_].violation
	excepted[violation.rule]
	found := matching(violation)
	count(found) > 0
}
