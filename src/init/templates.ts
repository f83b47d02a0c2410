/*
 * What `vendorgate init` writes into a Pulumi project. Each file explains itself in comments, so a
 * platform team can hand it to security without reading vendorgate's documentation first.
 */

const schema = (name: string, depth: number) => `${"../".repeat(depth)}node_modules/vendorgate/schemas/${name}.schema.json`;

export const vendorgateYaml = `# yaml-language-server: $schema=${schema("vendorgate", 0)}
# vendorgate's settings for this project. Every path is relative to this file.
apiVersion: vendorgate/v1
# The vendors security approved, and for what (owned by security; review changes to it).
registry: policy/vendors.yaml
# Time-boxed waivers: each names a rule, who approved it and until when.
exceptions: policy/exceptions.yaml
# The organisation's own Rego rules, compiled with the built-in ones by \`npx vendorgate build\`.
# The example rule under policy/rules/_example-large-flow is not compiled until you rename its folder.
customRules: policy/rules
# Where Pulumi state is read from (vendorgate exposure, review, ...). Default: file://.vendorgate/backend
# backend: s3://my-state-bucket/pulumi
# policy:
#   enforcement:
#     VG009: advisory        # mandatory | advisory | disabled, per rule id
# stacks:
#   prod:
#     residency: [eu]        # regions this stack's data may go to (VG007)
# output:
#   format: text             # text | json | sarif | junit | markdown | github
`;

export const registryYaml = `# yaml-language-server: $schema=${schema("registry", 1)}
# The vendor registry: every third party this organisation may send personal data to, what it is
# approved to receive and for which purpose. Security owns this file. Categories, purposes and
# subjects are fideslang keys (https://ethyca.github.io/fideslang/); your editor completes them.
apiVersion: vendorgate/v1
# Data that must never leave, whatever the vendor (VG006).
prohibitedCategories:
  - user.financial.bank_account
  - user.authorization.credentials
vendors:
  # An example entry: replace it with your own vendors.
  example-analytics:
    name: Example Analytics Inc.
    status: approved                  # approved | under_review | suspended | prohibited
    domains: [analytics.example.com]  # endpoints must be on these domains (VG008)
    regions: [eu]                     # where the vendor may process data
    assurance:
      dpa: { expires: 2027-12-31 }    # data processing agreement (VG009 warns before it expires)
    approvals:
      - purpose: analytics.reporting
        subjects: [customer]
        categories: [user.device, user.unique_id, user.behavior.browsing_history]
        requireTransform:
          user.unique_id: [pseudonymize, hash]   # identifiers only in this form (VG005)
`;

export const exceptionsYaml = `# yaml-language-server: $schema=${schema("exceptions", 1)}
# Time-boxed waivers. Example:
#   - id: EXC-1
#     rule: VG004
#     integration: support-chat
#     field: requester.phone
#     reason: "Phone call-backs pilot; DPA update tracked in SEC-298"
#     approvedBy: privacy@example.com
#     expires: 2027-01-31
apiVersion: vendorgate/v1
exceptions: []
`;

export const exampleRule = `# An example custom rule. Its folder starts with "_", so \`vendorgate build\` skips it: rename the
# folder to large-flow to turn it on. A rule is one package under vendorgate.custom with a METADATA
# block (its id must not be VGnnn) and a \`violation\` set built with result.fail. It reads
# input.integrations as declared, with the defaults filled in (a field sent as is has transform "none").
#
# METADATA
# title: Large flows get a second look
# description: An integration that sends many fields is reviewed by security before it ships.
# custom:
#   id: ORG001
#   severity: advisory
#   remediation: Send only the fields the vendor needs, or ask security to review the flow.
package vendorgate.custom["large-flow"]

import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": sprintf("Integration %s sends %d fields (more than 20)", [integration.name, count(integration.fields)]),
}) if {
	some integration in input.integrations
	count(integration.fields) > 20
}
`;

export const exampleRuleTest = `# Tests for the example rule. From the project root:
#   run \`opa test node_modules/vendorgate/policies/lib policy/rules\`
# (vendorgate's rule library and the rules folder; not all of policies/: it also holds the policy
# pack, whose package.json opa would load as conflicting data).
package vendorgate.custom["large-flow_test"]

import data.vendorgate.custom["large-flow"] as rule

_flow(n) := {"name": "f", "vendor": "v", "fields": [{"path": sprintf("f%d", [i])} | some i in numbers.range(1, n)]}

test_large_flow_is_reported if {
	some v in rule.violation with input as {"integrations": [_flow(21)]}
	v.integration == "f"
}

test_small_flow_passes if {
	count(rule.violation) == 0 with input as {"integrations": [_flow(20)]}
}
`;

export const workflowYaml = `# vendorgate on every pull request: plans each stack under Pulumi's mocks (no cloud credentials),
# comments the change to the data the stack shares, and fails when it would share personal data
# that was never approved.
name: vendorgate

on:
  pull_request:
    types: [opened, synchronize, reopened]

permissions:
  contents: read
  pull-requests: write
  security-events: write

jobs:
  gate:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        stack: [dev]   # your stacks
    steps:
      - uses: actions/checkout@v4
      - uses: vendorgate/vendorgate@v0
        with:
          stack: \${{ matrix.stack }}
        env:
          PULUMI_CONFIG_PASSPHRASE: \${{ secrets.PULUMI_CONFIG_PASSPHRASE }}
`;
