# METADATA
# description: |
#   Calendar arithmetic on YYYY-MM-DD strings. Written with integer arithmetic
#   rather than the time.* builtins, which the WASM target does not provide.
package vendorgate.lib.dates

# METADATA
# description: True when date a is strictly earlier than date b (ISO dates sort as text).
before(a, b) if a < b

# METADATA
# description: True when date a is the same day as b or later.
on_or_after(a, b) if a >= b

# METADATA
# description: Whole days from date a to date b (negative when b is earlier).
days_between(a, b) := day_number(b) - day_number(a)

# METADATA
# description: |
#   Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
#   days_from_civil), so that month lengths and leap years need no table.
day_number(date) := days if {
	y := to_number(substring(date, 0, 4))
	m := to_number(substring(date, 5, 2))
	d := to_number(substring(date, 8, 2))

	# Counting years from March puts the leap day at the end of the year.
	shifted := y - _january_or_february(m)
	era := floor(shifted / 400)
	year_of_era := shifted - (era * 400)
	day_of_year := (floor(((153 * _month_from_march(m)) + 2) / 5) + d) - 1
	day_of_era := (((year_of_era * 365) + floor(year_of_era / 4)) - floor(year_of_era / 100)) + day_of_year
	days := ((era * 146097) + day_of_era) - 719468
}

_january_or_february(m) := 1 if m <= 2

default _january_or_february(_) := 0

_month_from_march(m) := m - 3 if m > 2

_month_from_march(m) := m + 9 if m <= 2
