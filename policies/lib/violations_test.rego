package vendorgate.lib.violations_test

import data.vendorgate.lib.violations

_custom := {"rule": "ACME001", "integration": "product-analytics", "message": "custom"}

test_raw_holds_custom_rules_violations if {
	_custom in violations.raw with data.vendorgate.custom as {"acme": {"violation": {_custom}}}
		with input as {"now": "2026-11-29", "integrations": [], "resources": [], "exceptions": []}
}

test_raw_holds_built_in_rules_violations if {
	v := {"rule": "VG001", "integration": "product-analytics", "message": "built-in"}
	v in violations.raw with data.vendorgate.rules as {"unknown-vendor": {"violation": {v}}}
		with input as {"now": "2026-11-29", "integrations": [], "resources": [], "exceptions": []}
}
