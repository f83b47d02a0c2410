package vendorgate.lib.taxonomy_test

import data.vendorgate.lib.taxonomy

test_a_key_covers_itself if taxonomy.covers("user.contact.email", "user.contact.email")

test_a_parent_covers_its_descendants if {
	taxonomy.covers("user.contact", "user.contact.email")
	taxonomy.covers("user", "user.contact.address.city")
}

test_a_child_does_not_cover_its_parent if not taxonomy.covers("user.contact.email", "user.contact")

test_a_shared_prefix_is_not_a_parent if not taxonomy.covers("user.contact", "user.contact_history")

test_siblings_do_not_cover_each_other if not taxonomy.covers("user.device", "user.location.imprecise")

test_covered_by_any if {
	taxonomy.covered_by_any(["user.device", "user.location"], "user.location.imprecise")
	not taxonomy.covered_by_any(["user.device", "user.location"], "user.contact.email")
	not taxonomy.covered_by_any([], "user")
}

test_lineage_is_the_key_cut_at_each_dot if {
	taxonomy.lineage("user.contact.email") == ["user", "user.contact", "user.contact.email"]
	taxonomy.lineage("customer") == ["customer"]
}

test_lineage_reads_the_index_the_engine_passes_as_data if {
	taxonomy.lineage("user.contact.email") == ["user", "user.contact", "user.contact.email"]
		with data.taxonomy.lineage as {"user.contact.email": ["user", "user.contact", "user.contact.email"]}
	taxonomy.covers("user.contact", "user.contact.email")
		with data.taxonomy.lineage as {"user.contact.email": ["user", "user.contact", "user.contact.email"]}

	# Keys the index lacks are cut in Rego.
	taxonomy.covers("user", "user.device.cookie_id") with data.taxonomy.lineage as {}
}

test_values_that_are_not_keys_only_cover_themselves if {
	taxonomy.covers(1, 1)
	not taxonomy.covers("1", 1)
}
