package vendorgate.lib.dates_test

import data.vendorgate.lib.dates

test_before_and_on_or_after if {
	dates.before("2026-11-28", "2026-11-29")
	not dates.before("2026-11-29", "2026-11-29")
	dates.on_or_after("2026-11-29", "2026-11-29")
	dates.on_or_after("2027-01-01", "2026-12-31")
	not dates.on_or_after("2026-12-31", "2027-01-01")
}

test_day_number_of_the_epoch if dates.day_number("1970-01-01") == 0

test_day_number_of_known_dates if {
	dates.day_number("2000-03-01") == 11017
	dates.day_number("2026-11-29") == 20786
}

test_days_between_same_day if dates.days_between("2026-11-29", "2026-11-29") == 0

test_days_between_across_months_and_years if {
	dates.days_between("2026-11-29", "2026-12-29") == 30
	dates.days_between("2026-11-29", "2026-12-31") == 32
	dates.days_between("2026-12-31", "2027-01-01") == 1
}

test_days_between_is_negative_backwards if dates.days_between("2026-11-29", "2026-11-28") == -1

test_leap_years if {
	dates.days_between("2028-02-28", "2028-03-01") == 2
	dates.days_between("2027-02-28", "2027-03-01") == 1
	dates.days_between("2100-02-28", "2100-03-01") == 1
	dates.days_between("2000-02-28", "2000-03-01") == 2
}

test_january_and_february if {
	dates.days_between("2027-01-31", "2027-02-01") == 1
	dates.days_between("2026-12-15", "2027-01-14") == 30
}
