# METADATA
# title: Vendor credential is not a secret
# description: >-
#   The integration's vendor credential is a plain value, so it is stored unencrypted in the stack state and
#   visible in previews.
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
	"message": concat("", [
		"Integration ", integration.name, " passes its ", integration.vendor,
		" credential as a plain value instead of a secret.",
	]),
}) if {
	some integration in input.integrations
	integration.credentials.secret == false
}
