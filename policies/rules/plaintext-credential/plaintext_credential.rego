# METADATA
# title: Vendor credential is not a secret
# description: >-
#   The integration's vendor credential does not come from an encrypted config value or a secret resource
#   output (it is a plain value, a secret built from a plain config value, or a literal in the program), or a
#   URL the stack sends to carries a credential in its query, where state, logs and previews show it.
# custom:
#   id: VG011
#   severity: mandatory
#   remediation: >-
#     Set the credential with `pulumi config set --secret` or wrap it in pulumi.secret() in the stack program,
#     so the integration declares `credentials: { secret: true }`; then rotate it with the vendor, since the old
#     value already sits in plain text in state and history.
package vendorgate.rules["plaintext-credential"]

import data.vendorgate.lib.result

# Applies to unknown vendors too: a leaked key is a leak whoever issued it.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", ["Integration ", integration.name, " passes its ", integration.vendor, " credential ", _how(integration.credentials), "."]),
}) if {
	some integration in input.integrations
	_plain(integration.credentials)
}

_plain(credentials) if credentials.secret == false

_plain(credentials) if credentials.source in _plain_sources

_plain_sources := {"plain-config", "literal", "plain"}

_how(credentials) := "built from a plain (unencrypted) config value, wrapped as a secret only after the fact" if {
	credentials.source == "plain-config"
}

_how(credentials) := "as a literal written in the program, which sits in the repository" if {
	credentials.source == "literal"
}

default _how(_) := "as a plain value instead of a secret"

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", [
		"Integration ", integration.name, " sends to a URL that carries a credential in its query (",
		_params(integration.destination.credentialParams), ").",
	]),
}) if {
	some integration in input.integrations
	count(object.get(integration.destination, "credentialParams", [])) > 0
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": _owner(resource),
	"resource": resource.urn,
	"message": concat("", [
		"Resource ", resource.name, " sends to a URL that carries a credential in its query (",
		_params(destination.credentialParams), ").",
	]),
}) if {
	some resource in input.resources
	some destination in resource.destinations
	count(object.get(destination, "credentialParams", [])) > 0
}

_params([name]) := concat("", ["parameter ", name])

_params(names) := concat("", ["parameters ", concat(", ", names)]) if count(names) > 1

_owner(resource) := resource.integration if is_string(resource.integration)

_owner(resource) := resource.name if resource.integration == null
