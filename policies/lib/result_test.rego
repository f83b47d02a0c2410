package vendorgate.lib.result_test

import data.vendorgate.lib.result

_chain := [
	{"path": ["vendorgate", "rules", "some-rule", "violation"]},
	{
		"path": ["vendorgate", "rules", "some-rule"],
		"annotations": {
			"scope": "package",
			"title": "Some rule",
			"custom": {"id": "VG999", "severity": "mandatory", "remediation": "Fix it."},
		},
	},
]

test_fail_takes_identity_from_the_package_annotations if {
	result.fail(_chain, {"integration": "x", "message": "m."}) == {
		"rule": "VG999",
		"name": "some-rule",
		"title": "Some rule",
		"severity": "mandatory",
		"remediation": "Fix it.",
		"integration": "x",
		"message": "m.",
	}
}

test_fail_keeps_field_and_resource if {
	v := result.fail(_chain, {"integration": "x", "field": "a.b", "resource": "urn:x", "message": "m."})
	v.field == "a.b"
	v.resource == "urn:x"
}

test_fail_lets_the_case_set_severity if {
	v := result.fail(_chain, {"integration": "x", "message": "m.", "severity": "advisory"})
	v.severity == "advisory"
}

test_fail_ignores_keys_metadata_owns if {
	v := result.fail(_chain, {"integration": "x", "message": "m.", "rule": "VG000", "title": "t", "waivedBy": "EXC-1"})
	v.rule == "VG999"
	v.title == "Some rule"
	not v.waivedBy
}
