# METADATA
# description: |
#   The raw output of every rule and custom rule, before exceptions and
#   enforcement levels. Shared by the entrypoint and by the exception-expired
#   rule, which judges the other rules' output and so lives outside vendorgate.rules.
package vendorgate.lib.violations

# METADATA
# description: Every violation of every built-in and custom rule.
raw contains violation if {
	some violation in data.vendorgate.rules[_].violation
}

raw contains violation if {
	some violation in data.vendorgate.custom[_].violation
}
