# METADATA
# description: How exceptions (input.exceptions) match violations and when they are in force.
package vendorgate.lib.exceptions

# VG006 cannot be waived: the loader rejects such an exception, and the policy
# ignores it too so that a registry edit alone can never let prohibited data out.
_unwaivable := {"VG006"}

default declared := []

# METADATA
# description: The exceptions in the input; none when the input carries no exceptions.
declared := input.exceptions

# METADATA
# description: True when the exception names the violation's rule and, where given, its integration and field.
matches(exception, violation) if {
	exception.rule == violation.rule
	not violation.rule in _unwaivable
	_same_or_unset(exception, violation, "integration")
	_same_or_unset(exception, violation, "field")
}

_same_or_unset(exception, _, key) if not key in object.keys(exception)

_same_or_unset(exception, violation, key) if exception[key] == violation[key]

# METADATA
# description: The exceptions that match the violation.
matching(violation) := [exception |
	some exception in declared
	matches(exception, violation)
]

# METADATA
# description: True while the exception is in force; it still holds on its expiry date.
active(exception) if exception.expires >= input.now

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
