package dnscheck

// Settings are a project's DNS check settings.
type Settings struct {
	// Verification is the TXT value the destination's console gave, per domain.
	Verification map[string]string `json:"verification"`
	// Resolvers are asked for propagation; empty: the system resolver and PublicResolvers.
	Resolvers []string `json:"resolvers"`
	// Nameservers replace the authoritative servers found through NS.
	Nameservers []string `json:"nameservers"`
	// TTLTarget is what the TTLs of the changing records must be lowered to (default 300).
	TTLTarget uint32 `json:"ttlTarget"`
	// Reach also tries the destination's IMAP and submission ports with TLS.
	Reach bool `json:"reach"`
}
