# METADATA
# title: Undeclared egress
# description: >-
#   A cloud resource that can send data out of the company (EventBridge API destination, Firehose HTTP
#   endpoint, SNS https subscription, ...) is not owned by a declared, enabled integration.
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
	some resource in input.resources
	is_string(resource.integration)
	not resource.integration in _declared
}

_declared contains integration.name if some integration in input.integrations

# The host, never the endpoint URL: it may carry a token. Types without a URL (a connection holding
# the vendor credential, a pipe or flow to a SaaS connector) still move data out of the account.
_endpoint(resource) := concat("", ["host ", resource.host]) if is_string(resource.host)

default _endpoint(_) := "a vendor outside the account"
