# METADATA
# title: Undeclared egress
# description: >-
#   A cloud resource that can send data out of the company (any type in the egress catalogue,
#   docs/egress-catalogue.md: an API destination, an SNS subscription, a Firehose stream, a delivery to
#   another AWS account, ...) is not owned by a declared, enabled integration.
# custom:
#   id: VG010
#   severity: mandatory
#   remediation: >-
#     Create the resource as a child of the vendorgate Integration that declares the vendor, purpose and
#     fields it sends (`{ parent: integration }` in the stack program), or remove the resource.
package vendorgate.rules["undeclared-egress"]

import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": resource.name,
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " (", resource.type, ") sends data to ", _endpoint(resource),
		" but no declared integration owns it.",
	]),
}) if {
	some resource in input.resources
	resource.integration == null
}

# A disabled integration is not judged, so egress it still owns would otherwise
# leave unchecked.
violation contains result.fail(rego.metadata.chain(), {
	"integration": resource.name,
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " (", resource.type, ") sends data to ", _endpoint(resource),
		" for integration ", resource.integration, ", which is disabled or not declared.",
	]),
}) if {
	declared := _declared
	some resource in input.resources
	is_string(resource.integration)
	not declared[resource.integration]
}

# A lookup per resource: `in` tests a set by scanning it in the WASM build.
_declared contains integration.name if some integration in input.integrations

# Hosts and accounts, never a URL: its path or query may carry a token. Types
# without a destination (a connection holding the vendor credential) still move
# data out of the account.
_endpoint(resource) := concat(", ", sort({_describe(d) | some d in resource.destinations})) if {
	count(resource.destinations) > 0
}

default _endpoint(_) := "a vendor outside the account"

_describe(d) := concat("", ["host ", d.host]) if is_string(d.host)

_describe(d) := "any AWS account" if d.account == "*"

_describe(d) := concat("", ["AWS account ", d.account]) if {
	is_string(d.account)
	d.account != "*"
}

_describe(d) := concat("", ["a URL vendorgate refuses (", d.via, ")"]) if is_string(d.problem)

_describe(d) := concat("", ["the outside world through its ", d.via]) if {
	_nowhere(d)
	d.hop == true
}

_describe(d) := concat("", ["a destination outside the account (", d.via, ")"]) if {
	_nowhere(d)
	object.get(d, "hop", false) == false
}

_nowhere(d) if {
	object.get(d, "host", null) == null
	object.get(d, "account", null) == null
	object.get(d, "problem", null) == null
}
