# METADATA
# title: Vendor assurance missing or expired
# description: >-
#   The vendor's data processing agreement is missing or expired, or its SOC 2 report has expired (mandatory);
#   or either expires within 30 days (advisory, so renewal starts before deploys block).
# custom:
#   id: VG009
#   severity: mandatory
#   advisory_cases: true
#   warning_days: 30
#   remediation: >-
#     Ask security to renew the vendor's DPA or SOC 2 report and record the new expiry date under `assurance`
#     in the vendor registry. Until then, switch the integration off (`enabled: false`).
package vendorgate.rules["assurance-expired"]

import data.vendorgate.lib.dates
import data.vendorgate.lib.registry
import data.vendorgate.lib.result

# Early enough to renew a contract before deploys start to block.
# The advisory window is a fact of the rule's METADATA (custom.warning_days): `vendorgate review`
# and the HTML report read it from the catalogue, so they cannot disagree with the gate.
_warning_days := days if {
	some entry in rego.metadata.chain()
	days := entry.annotations.custom.warning_days
}

_names := {"dpa": "DPA", "soc2": "SOC 2 report"}

# Without a DPA there is no legal basis to hand over personal data at all.
violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", ["Vendor ", integration.vendor, " has no DPA on file."]),
}) if {
	some integration in input.integrations
	vendor := registry.vendor(integration)
	not vendor.assurance.dpa.expires
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"message": concat("", ["Vendor ", integration.vendor, "'s ", _names[kind], " expired on ", expires, "."]),
}) if {
	some integration in input.integrations
	some kind, assurance in registry.vendor(integration).assurance
	expires := assurance.expires
	dates.before(expires, input.now)
}

violation contains result.fail(rego.metadata.chain(), {
	"integration": integration.name,
	"severity": "advisory",
	"message": concat("", [
		"Vendor ", integration.vendor, "'s ", _names[kind], " expires on ", expires,
		_when(days_left), ".",
	]),
}) if {
	some integration in input.integrations
	some kind, assurance in registry.vendor(integration).assurance
	expires := assurance.expires
	days_left := _days_left[expires]
	days_left >= 0
	days_left <= _warning_days
}

# Days from now to each expiry date in the registry, computed once per date
# rather than once per integration.
_days_left[expires] := dates.days_between(input.now, expires) if {
	some vendor in data.registry.vendors
	some assurance in vendor.assurance
	expires := assurance.expires
}

_when(0) := ", today"

_when(1) := ", tomorrow"

_when(days) := concat("", [", in ", format_int(days, 10), " days"]) if days > 1
