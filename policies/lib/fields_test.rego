package vendorgate.lib.fields_test

import data.vendorgate.lib.fields
import data.vendorgate.test.fixtures

_integration := fixtures.analytics_with({"fields": [
	{"path": "os", "category": "user.device", "transform": "none"},
	{"path": "iban", "category": "user.financial.bank_account", "transform": "none"},
	{"path": "email", "category": "user.contact.email", "transform": "none"},
	{"path": "id", "category": "user.unique_id", "transform": "none"},
	{"path": "id2", "category": "user.unique_id", "transform": "hash"},
	{"path": "whole", "category": "user", "transform": "none"},
	{"path": "odd", "category": "user.device", "transform": "rot13"},
]})

_expected := {
	[0, 1, "prohibited", false],
	[0, 2, "unapproved", false],
	[0, 3, "suspect", false],
	[0, 4, "suspect", false],
	[0, 5, "unapproved", true],
	[0, 6, "suspect", false],
}

test_one_finding_per_reported_field if {
	fields.findings == _expected with input as fixtures.input_for([_integration])
		with data.registry as fixtures.registry
}

# The engine passes the lineage of every taxonomy key as data; a key it lacks
# is cut in Rego, with the same findings.
test_the_lineage_index_and_its_fallback_agree if {
	index := {
		"user": ["user"],
		"user.device": ["user", "user.device"],
		"user.unique_id": ["user", "user.unique_id"],
	}
	fields.findings == _expected with input as fixtures.input_for([_integration])
		with data.registry as fixtures.registry
		with data.taxonomy.lineage as index
}

test_an_unknown_vendor_has_only_prohibited_findings if {
	integration := object.union(_integration, {"vendor": "segment"})
	fields.findings == {[0, 1, "prohibited", false], [0, 5, "none", true]} with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
