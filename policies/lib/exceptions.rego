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
	exception.rule == violation.rule
	not violation.rule in _unwaivable
	_same_or_unset(exception, violation, "integration")
	_same_or_unset(exception, violation, "field")
	applies_to_stack(exception)

	# The vendor and category are those of the declared integration the
	# violation names, never a name the violation or the exception chose.
	named := _named
	some i in named[violation.integration]
	integration := input.integrations[i]
	integration.vendor == exception.vendor
	_category_covered(exception, violation, integration)
}

_same_or_unset(exception, _, key) if not key in object.keys(exception)

_same_or_unset(exception, violation, key) if exception[key] == violation[key]

_category_covered(exception, _, _) if not "category" in object.keys(exception)

_category_covered(exception, violation, integration) if {
	some field in integration.fields
	field.path == violation.field
	taxonomy.covers(exception.category, field.category)
}

# METADATA
# description: True when the exception names no stacks or names the stack being judged.
applies_to_stack(exception) if not "stacks" in object.keys(exception)

applies_to_stack(exception) if input.stack.name in exception.stacks

# The indexes of the declared integrations by name, so that a violation finds
# its own with a lookup rather than a scan. Indexes, not the integrations: a set
# of objects hashes each whole object.
_named[integration.name] contains i if some i, integration in input.integrations

# The exceptions by rule and vendor, so that a violation is tested only against
# those that could match it: thousands of exceptions cost a lookup per violation.
_by_rule_vendor[[exception.rule, exception.vendor]] contains exception if some exception in declared

# The rules some exception names: a violation of any other rule needs no lookup at all.
_excepted_rules contains exception.rule if some exception in declared

# METADATA
# description: The set of exceptions that match the violation.
matching(violation) := {exception |
	excepted := _excepted_rules
	excepted[violation.rule]
	named := _named
	by_rule_vendor := _by_rule_vendor
	some i in named[violation.integration]
	some exception in by_rule_vendor[[violation.rule, input.integrations[i].vendor]]
	matches(exception, violation)
}

# METADATA
# description: True when the exception runs longer past the evaluation date than the registry allows.
too_long(exception) if dates.days_between(input.now, exception.expires) > max_lifetime_days

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
waiver(violation) := min(ids) if {
	ids := {exception.id |
		some exception in matching(violation)
		active(exception)
	}
	count(ids) > 0
}
