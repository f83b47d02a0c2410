# METADATA
# description: Matching endpoint hosts against a vendor's registered domains.
package vendorgate.lib.hosts

# METADATA
# description: |
#   True when host is domain or a subdomain of it. Comparison is case-insensitive
#   because DNS is; a trailing dot (fully qualified form) is ignored.
host_matches(host, domain) if same_host(host, domain)

# Anchoring on "." keeps lookalikes such as notmixpanel.com and
# mixpanel.com.evil.io from passing as mixpanel.com.
host_matches(host, domain) if endswith(_canonical(host), concat("", [".", _canonical(domain)]))

# METADATA
# description: True when host matches at least one of domains.
matches_any(host, domains) if {
	some domain in domains
	host_matches(host, domain)
}

# METADATA
# description: True when both names denote the same host.
same_host(a, b) if _canonical(a) == _canonical(b)

_canonical(name) := trim_suffix(lower(name), ".")

# METADATA
# description: |
#   True when host is one of the vendor's exact hosts (multi-tenant services,
#   where a subdomain is another customer's tenant) or under one of its domains.
vendor_host(vendor, host) if {
	some exact in object.get(vendor, "hosts", [])
	same_host(host, exact)
}

vendor_host(vendor, host) if matches_any(host, object.get(vendor, "domains", []))

# METADATA
# description: The vendor's registered hosts and domains, for messages.
registered(vendor) := concat(", ", array.concat(object.get(vendor, "hosts", []), object.get(vendor, "domains", [])))
