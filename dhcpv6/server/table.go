package server

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/radish-net/radish/config"
	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/iface"
)

// linkOpts is one [interface.dhcpv6] stanza compiled for the packet path.
// It is immutable.
type linkOpts struct {
	name  string            // the stanza's link name or pattern
	reply *dhcpv6.OptionSet // for Reply to Information-request
	adv   *dhcpv6.OptionSet // for Advertise: no Information Refresh Time or INF_MAX_RT, SOL_MAX_RT always
	cfg   *config.Interface // the stanza, for LinkAddresses and InterfaceID
}

// prefixLink maps a relay link-address prefix to a stanza.
type prefixLink struct {
	p  netip.Prefix
	lk *linkOpts
}

// table is what the packet loop reads through an atomic.Pointer: the
// server DUID and the compiled stanzas keyed by ifindex, by relay
// link-address prefix and by Interface-Id. A table is never modified after
// it is published; Reload and link changes publish a new one.
type table struct {
	sid      dhcpv6.DUID
	byIndex  map[int]*linkOpts
	prefixes []prefixLink // longest prefix first
	ifaceIDs map[string]*linkOpts
	relay    bool // join ff05::1:3 too
}

// compiled is a configuration's stanzas compiled once per Reload; link
// events only re-key them.
type compiled struct {
	cfg    *config.Config
	stanza map[*config.Interface]*linkOpts
	list   []*linkOpts // in file order
}

// compile encodes every DHCPv6 stanza of cfg into option sets.
func compile(cfg *config.Config) (*compiled, error) {
	c := &compiled{cfg: cfg, stanza: make(map[*config.Interface]*linkOpts)}
	for i := range cfg.Interfaces {
		ifc := &cfg.Interfaces[i]
		if ifc.DHCPv6 == nil {
			continue
		}
		lk, err := compileLink(ifc)
		if err != nil {
			return nil, fmt.Errorf("dhcpv6 on %s: %w", ifc.Name, err)
		}
		c.stanza[ifc] = lk
		c.list = append(c.list, lk)
	}
	return c, nil
}

func compileLink(ifc *config.Interface) (*linkOpts, error) {
	d := ifc.DHCPv6
	enc, err := encodeOptions(d, false)
	if err != nil {
		return nil, err
	}
	always := make([]dhcpv6.OptionCode, 0, len(d.AlwaysSend)+1)
	for _, c := range d.AlwaysSend {
		always = append(always, dhcpv6.OptionCode(c))
	}
	reply, err := dhcpv6.NewOptionSet(enc, always)
	if err != nil {
		return nil, err
	}
	// The Advertise set: the Information Refresh Time is only for replies
	// to Information-request (RFC 9915 §21.23), and SOL_MAX_RT goes out
	// unasked so that clients that get no addresses back off (§18.3.9).
	encAdv, err := encodeOptions(d, true)
	if err != nil {
		return nil, err
	}
	adv, err := dhcpv6.NewOptionSet(encAdv, append(always, dhcpv6.OptSolMaxRT))
	if err != nil {
		return nil, err
	}
	return &linkOpts{name: ifc.Name, reply: reply, adv: adv, cfg: ifc}, nil
}

// encodeOptions encodes a link's configured options in wire form, the
// Information Refresh Time and INF_MAX_RT left out when forAdvertise is
// set.
func encodeOptions(d *config.DHCPv6, forAdvertise bool) ([]byte, error) {
	var b []byte
	var err error
	add := func(f func([]byte) ([]byte, error)) {
		if err == nil {
			b, err = f(b)
		}
	}
	if len(d.DNSServers) > 0 {
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendDNSServers(b, d.DNSServers...) })
	}
	if len(d.DomainSearch) > 0 {
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendDomainSearch(b, d.DomainSearch...) })
	}
	if len(d.SNTPServers) > 0 {
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendSNTPServers(b, d.SNTPServers...) })
	}
	for _, a := range d.NTPServers {
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendNTPServerAddr(b, a) })
	}
	for _, a := range d.NTPMulticast {
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendNTPMulticast(b, a) })
	}
	for _, n := range d.NTPNames {
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendNTPServerFQDN(b, n) })
	}
	if d.InfoRefreshTime != 0 && !forAdvertise {
		b = dhcpv6.AppendInfoRefreshTime(b, d.InfoRefreshTime)
	}
	if d.SolMaxRT != 0 {
		b = dhcpv6.AppendSolMaxRT(b, d.SolMaxRT)
	}
	if d.InfMaxRT != 0 && !forAdvertise {
		// INF_MAX_RT paces Information-requests: it belongs in their
		// Replies only (RFC 9915 Appendix B), not in an Advertise.
		b = dhcpv6.AppendInfMaxRT(b, d.InfMaxRT)
	}
	for _, v := range d.Vendor {
		opts := make([]dhcpv6.VendorOption, len(v.Options))
		for i, o := range v.Options {
			opts[i] = dhcpv6.VendorOption{Code: o.Code, Data: o.Data}
		}
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendVendorOpts(b, v.Enterprise, opts...) })
	}
	for _, r := range d.DNR {
		var params []byte
		if r.Params != "" && err == nil {
			params, err = dhcpv6.AppendSvcParams(nil, r.Params)
		}
		add(func(b []byte) ([]byte, error) { return dhcpv6.AppendDNR(b, r.Priority, r.ADN, r.Addresses, params) })
	}
	return b, err
}

// build keys c's stanzas for the packet path: links (the kernel's, by
// ifindex) are resolved to stanzas with Config.Lookup.
func (c *compiled) build(sid dhcpv6.DUID, links map[int]iface.Link) *table {
	t := &table{
		sid:      sid,
		byIndex:  make(map[int]*linkOpts),
		ifaceIDs: make(map[string]*linkOpts),
		relay:    c.cfg.DHCPv6.RelayGroup,
	}
	for idx, l := range links {
		if ifc, ok := c.cfg.Lookup(l.Name); ok {
			if lk := c.stanza[ifc]; lk != nil {
				t.byIndex[idx] = lk
			}
		}
	}
	for _, lk := range c.list {
		for _, p := range lk.cfg.DHCPv6.LinkAddresses {
			t.prefixes = append(t.prefixes, prefixLink{p: p.Masked(), lk: lk})
		}
		if id := lk.cfg.DHCPv6.InterfaceID; id != "" {
			if _, dup := t.ifaceIDs[id]; !dup { // the first stanza in file order wins
				t.ifaceIDs[id] = lk
			}
		}
	}
	// Longest prefix first; among equal prefixes, file order (stable).
	slices.SortStableFunc(t.prefixes, func(a, b prefixLink) int { return cmp.Compare(b.p.Bits(), a.p.Bits()) })
	return t
}

// byLinkAddress returns the stanza whose LinkAddresses hold a, the longest
// prefix winning.
func (t *table) byLinkAddress(a netip.Addr) *linkOpts {
	for i := range t.prefixes {
		if t.prefixes[i].p.Contains(a) {
			return t.prefixes[i].lk
		}
	}
	return nil
}
