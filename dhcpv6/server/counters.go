package server

import "sync/atomic"

// Counters are the server's statistics, named after Kea's DHCPv6
// statistics where one fits (the name is given beside each field and used
// as the key in Snapshot). Every received datagram increments Received and
// at most one type counter; every dropped one increments ReceiveDrop and
// exactly one drop-reason counter. They are safe for concurrent use.
type Counters struct {
	Received             atomic.Uint64 // pkt6-received: datagrams read from the conn
	SolicitReceived      atomic.Uint64 // pkt6-solicit-received
	InfRequestReceived   atomic.Uint64 // pkt6-infrequest-received
	RelayForwardReceived atomic.Uint64 // pkt6-relay-forward-received (outermost message a Relay-forward)
	RequestReceived      atomic.Uint64 // pkt6-request-received
	RenewReceived        atomic.Uint64 // pkt6-renew-received
	RebindReceived       atomic.Uint64 // pkt6-rebind-received
	ReleaseReceived      atomic.Uint64 // pkt6-release-received
	DeclineReceived      atomic.Uint64 // pkt6-decline-received
	ConfirmReceived      atomic.Uint64 // pkt6-confirm-received
	UnknownReceived      atomic.Uint64 // pkt6-unknown-received: server→client and unknown types

	Sent          atomic.Uint64 // pkt6-sent
	ReplySent     atomic.Uint64 // pkt6-reply-sent
	AdvertiseSent atomic.Uint64 // pkt6-advertise-sent

	// Drops: ReceiveDrop is their sum.
	ReceiveDrop      atomic.Uint64 // pkt6-receive-drop
	ParseFailed      atomic.Uint64 // pkt6-parse-failed: malformed message, bad DUID, truncated or too deep relay chain
	NotForUs         atomic.Uint64 // pkt6-not-for-us: Information-request with a foreign Server Identifier
	UnicastDropped   atomic.Uint64 // pkt6-unicast-dropped: direct client message sent to a unicast address (RFC 9915 §16)
	IAInInfoRequest  atomic.Uint64 // pkt6-ia-in-inforequest: Information-request carrying IA_NA, IA_TA or IA_PD (§16.12)
	Invalid          atomic.Uint64 // pkt6-invalid: Solicit with a Server Identifier or without a Client Identifier (§16.2), or a source address that cannot be answered (::, multicast)
	UnsupportedType  atomic.Uint64 // pkt6-unsupported-type: stateful client messages, server messages, unknown types
	RateLimited      atomic.Uint64 // pkt6-rate-limited: per-client, per-relay or global token bucket empty
	RateLimitedSrc   atomic.Uint64 // pkt6-rate-limited-source: the per-client share of RateLimited
	RateLimitedRelay atomic.Uint64 // pkt6-rate-limited-relay: the per-relay share of RateLimited
	NoLink           atomic.Uint64 // pkt6-no-link: the message's link is not served
	NotReady         atomic.Uint64 // pkt6-not-ready: received before the server DUID and links were known
	BuildFailed      atomic.Uint64 // pkt6-build-failed: the Relay-reply would not fit a DHCPv6 message
	SendFailed       atomic.Uint64 // pkt6-send-failed: the conn refused the reply
	ReceiveTruncated atomic.Uint64 // pkt6-receive-truncated: datagram larger than the receive buffer (also counted in ParseFailed)
}

// Snapshot returns every counter under its Kea-style name. It is for the
// control plane (it allocates).
func (c *Counters) Snapshot() map[string]uint64 {
	m := make(map[string]uint64, 32)
	for _, f := range c.fields() {
		m[f.name] = f.v.Load()
	}
	return m
}

type counterField struct {
	name string
	v    *atomic.Uint64
}

func (c *Counters) fields() []counterField {
	return []counterField{
		{"pkt6-received", &c.Received},
		{"pkt6-solicit-received", &c.SolicitReceived},
		{"pkt6-infrequest-received", &c.InfRequestReceived},
		{"pkt6-relay-forward-received", &c.RelayForwardReceived},
		{"pkt6-request-received", &c.RequestReceived},
		{"pkt6-renew-received", &c.RenewReceived},
		{"pkt6-rebind-received", &c.RebindReceived},
		{"pkt6-release-received", &c.ReleaseReceived},
		{"pkt6-decline-received", &c.DeclineReceived},
		{"pkt6-confirm-received", &c.ConfirmReceived},
		{"pkt6-unknown-received", &c.UnknownReceived},
		{"pkt6-sent", &c.Sent},
		{"pkt6-reply-sent", &c.ReplySent},
		{"pkt6-advertise-sent", &c.AdvertiseSent},
		{"pkt6-receive-drop", &c.ReceiveDrop},
		{"pkt6-parse-failed", &c.ParseFailed},
		{"pkt6-not-for-us", &c.NotForUs},
		{"pkt6-unicast-dropped", &c.UnicastDropped},
		{"pkt6-ia-in-inforequest", &c.IAInInfoRequest},
		{"pkt6-invalid", &c.Invalid},
		{"pkt6-unsupported-type", &c.UnsupportedType},
		{"pkt6-rate-limited", &c.RateLimited},
		{"pkt6-rate-limited-source", &c.RateLimitedSrc},
		{"pkt6-rate-limited-relay", &c.RateLimitedRelay},
		{"pkt6-no-link", &c.NoLink},
		{"pkt6-not-ready", &c.NotReady},
		{"pkt6-build-failed", &c.BuildFailed},
		{"pkt6-send-failed", &c.SendFailed},
		{"pkt6-receive-truncated", &c.ReceiveTruncated},
	}
}

// drop counts one dropped datagram under reason.
func (c *Counters) drop(reason *atomic.Uint64) {
	reason.Add(1)
	c.ReceiveDrop.Add(1)
}
