package vendorgate.lib.hosts_test

import data.vendorgate.lib.hosts

test_the_domain_itself_matches if hosts.host_matches("mixpanel.com", "mixpanel.com")

test_a_subdomain_matches if {
	hosts.host_matches("api-eu.mixpanel.com", "mixpanel.com")
	hosts.host_matches("a.b.mixpanel.com", "mixpanel.com")
}

test_case_and_trailing_dot_do_not_matter if {
	hosts.host_matches("API.Mixpanel.COM", "mixpanel.com")
	hosts.host_matches("api.mixpanel.com.", "mixpanel.com")
}

test_a_suffix_without_a_dot_is_a_lookalike if not hosts.host_matches("notmixpanel.com", "mixpanel.com")

test_the_domain_under_another_is_a_lookalike if not hosts.host_matches("mixpanel.com.evil.io", "mixpanel.com")

test_a_parent_domain_does_not_match if not hosts.host_matches("com", "mixpanel.com")

test_matches_any if {
	hosts.matches_any("acme.zendesk.com", ["zdassets.com", "zendesk.com"])
	not hosts.matches_any("acme.zendesk.co", ["zdassets.com", "zendesk.com"])
	not hosts.matches_any("acme.zendesk.com", [])
}

test_same_host if {
	hosts.same_host("api.mixpanel.com", "API.mixpanel.com.")
	not hosts.same_host("eu.api.mixpanel.com", "api.mixpanel.com")
}

test_vendor_host_exact_hosts_and_domains if {
	vendor := {"hosts": ["acme.zendesk.com"], "domains": ["zdassets.com"]}
	hosts.vendor_host(vendor, "acme.zendesk.com")
	hosts.vendor_host(vendor, "static.zdassets.com")
	not hosts.vendor_host(vendor, "attacker-tenant.zendesk.com")
	not hosts.vendor_host(vendor, "zendesk.com")
	hosts.registered(vendor) == "acme.zendesk.com, zdassets.com"
}
