# METADATA
# description: |
#   Shared test inputs. A rule's tests sit in a sibling package named
#   "<rule-name>_test": it defines no violation rule, so the entrypoint skips it.
package vendorgate.test.fixtures

now := "2026-11-29"

registry := {
	"prohibitedCategories": ["user.financial", "user.health_and_medical"],
	"vendors": {
		"mixpanel": {
			"name": "Mixpanel",
			"status": "approved",
			"domains": ["mixpanel.com"],
			"regions": ["us", "eu"],
			"assurance": {"dpa": {"expires": "2027-06-30"}, "soc2": {"expires": "2027-05-31"}},
			"approvals": [{
				"purpose": "analytics.reporting",
				"subjects": ["customer"],
				"categories": ["user.device", "user.behavior", "user.unique_id", "user.location"],
				"requireTransform": {"user.unique_id": ["hash", "pseudonymize"]},
			}],
		},
		"zendesk": {
			"name": "Zendesk",
			"status": "approved",
			"domains": ["zendesk.com", "zdassets.com"],
			"regions": ["us", "eu"],
			"assurance": {"dpa": {"expires": "2027-09-30"}, "soc2": {"expires": "2027-09-30"}},
			"approvals": [{
				"purpose": "essential.service.operations.support",
				"categories": ["user.contact.email", "user.name"],
			}],
		},
		"hubspot": {
			"name": "HubSpot",
			"status": "under_review",
			"statusReason": "security review SEC-311",
			"domains": ["hubapi.com"],
			"regions": ["us", "eu"],
			"assurance": {"dpa": {"expires": "2027-04-30"}},
			"approvals": [{
				"purpose": "marketing.communications.email",
				"categories": ["user.contact.email"],
			}],
		},
	},
}

analytics := {
	"name": "product-analytics",
	"vendor": "mixpanel",
	"purpose": "analytics.reporting",
	"subjects": ["customer"],
	"destination": {
		"url": "https://api-eu.mixpanel.com/track",
		"scheme": "https",
		"host": "api-eu.mixpanel.com",
		"region": "eu",
	},
	"credentials": {"secret": true},
	"fields": [
		{"path": "properties.$os", "category": "user.device", "transform": "none"},
		{"path": "properties.distinct_id", "category": "user.unique_id", "transform": "hash"},
	],
}

support := {
	"name": "support-chat",
	"vendor": "zendesk",
	"purpose": "essential.service.operations.support",
	"subjects": ["customer"],
	"destination": {
		"url": "https://acme.zendesk.com/api/v2/tickets",
		"scheme": "https",
		"host": "acme.zendesk.com",
		"region": "eu",
	},
	"fields": [{"path": "requester.email", "category": "user.contact.email", "transform": "none"}],
}

# METADATA
# description: The analytics integration with a patch applied (object.union replaces arrays).
analytics_with(patch) := object.union(analytics, patch)

# METADATA
# description: The analytics integration sending exactly one field.
analytics_sending(path, category, transform) := analytics_with({"fields": [{
	"path": path,
	"category": category,
	"transform": transform,
}]})

# METADATA
# description: An input judging the given integrations at the fixture date.
input_for(integrations) := {"now": now, "integrations": integrations, "resources": [], "exceptions": []}

# METADATA
# description: What a test usually asserts about violations - rule, integration, field and severity.
brief(violations) := {[v.rule, v.integration, object.get(v, "field", ""), v.severity] | some v in violations}

# METADATA
# description: The registry with one vendor entry patched.
registry_with_vendor(key, patch) := object.union(registry, {"vendors": {key: patch}})

# METADATA
# description: The registry with one vendor entry replaced outright (object.union would merge nested objects).
registry_replacing_vendor(key, vendor) := object.union(
	object.remove(registry, ["vendors"]),
	{"vendors": object.union(object.remove(registry.vendors, [key]), {key: vendor})},
)
