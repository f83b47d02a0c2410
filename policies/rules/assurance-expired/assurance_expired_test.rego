package vendorgate.rules["assurance-expired_test"]

import data.vendorgate.rules["assurance-expired"] as rule
import data.vendorgate.test.fixtures

_with_assurance(assurance) := fixtures.registry_replacing_vendor(
	"mixpanel",
	object.union(object.remove(fixtures.registry.vendors.mixpanel, ["assurance"]), {"assurance": assurance}),
)

_judge(assurance) := violations if {
	violations := rule.violation with input as fixtures.input_for([fixtures.analytics])
		with data.registry as _with_assurance(assurance)
}

_messages(violations) := {v.message | some v in violations}

test_valid_assurance_passes if {
	count(_judge({"dpa": {"expires": "2027-06-30"}, "soc2": {"expires": "2027-05-31"}})) == 0
}

test_a_missing_dpa_fails if {
	violations := _judge({"soc2": {"expires": "2027-05-31"}})
	[v] := [v | some v in violations]
	v.rule == "VG009"
	v.severity == "mandatory"
	v.message == "Vendor mixpanel has no DPA on file."
}

test_no_assurance_at_all_fails_on_the_dpa if {
	_messages(_judge({})) == {"Vendor mixpanel has no DPA on file."}
}

test_a_missing_soc2_is_not_required if {
	count(_judge({"dpa": {"expires": "2027-06-30"}})) == 0
}

test_an_expired_dpa_fails if {
	violations := _judge({"dpa": {"expires": "2026-11-28"}})
	fixtures.brief(violations) == {["VG009", "product-analytics", "", "mandatory"]}
	_messages(violations) == {"Vendor mixpanel's DPA expired on 2026-11-28."}
}

test_an_expired_soc2_fails if {
	violations := _judge({"dpa": {"expires": "2027-06-30"}, "soc2": {"expires": "2025-12-31"}})
	_messages(violations) == {"Vendor mixpanel's SOC 2 report expired on 2025-12-31."}
	fixtures.brief(violations) == {["VG009", "product-analytics", "", "mandatory"]}
}

test_an_assurance_is_valid_on_its_expiry_date if {
	violations := _judge({"dpa": {"expires": "2026-11-29"}, "soc2": {"expires": "2027-05-31"}})
	fixtures.brief(violations) == {["VG009", "product-analytics", "", "advisory"]}
	_messages(violations) == {"Vendor mixpanel's DPA expires on 2026-11-29, today."}
}

test_expiring_tomorrow_is_advisory if {
	violations := _judge({"dpa": {"expires": "2026-11-30"}})
	_messages(violations) == {"Vendor mixpanel's DPA expires on 2026-11-30, tomorrow."}
}

test_expiring_in_30_days_is_advisory if {
	violations := _judge({"dpa": {"expires": "2027-06-30"}, "soc2": {"expires": "2026-12-29"}})
	fixtures.brief(violations) == {["VG009", "product-analytics", "", "advisory"]}
	_messages(violations) == {"Vendor mixpanel's SOC 2 report expires on 2026-12-29, in 30 days."}
}

test_expiring_in_31_days_passes if {
	count(_judge({"dpa": {"expires": "2026-12-30"}, "soc2": {"expires": "2026-12-30"}})) == 0
}

test_one_violation_per_assurance if {
	violations := _judge({"dpa": {"expires": "2026-12-01"}, "soc2": {"expires": "2026-01-01"}})
	_messages(violations) == {
		"Vendor mixpanel's DPA expires on 2026-12-01, in 2 days.",
		"Vendor mixpanel's SOC 2 report expired on 2026-01-01.",
	}
	{v.severity | some v in violations} == {"advisory", "mandatory"}
}

test_one_violation_per_integration if {
	other := fixtures.analytics_with({"name": "web-analytics"})
	violations := rule.violation with input as fixtures.input_for([fixtures.analytics, other])
		with data.registry as _with_assurance({"dpa": {"expires": "2026-01-01"}})
	{v.integration | some v in violations} == {"product-analytics", "web-analytics"}
}

test_an_unknown_vendor_is_left_to_vg001 if {
	integration := fixtures.analytics_with({"vendor": "segment"})
	count(rule.violation) == 0 with input as fixtures.input_for([integration])
		with data.registry as fixtures.registry
}
