package ra_test

import (
	"testing"

	"github.com/radish-net/radish/ra"
)

// specOf decodes a parsed option into the builder value that encodes it,
// falling back to a RawOption for unknown types and for bodies the typed
// decoder or encoder rejects.
func specOf(o ra.Option) ra.OptionSpec {
	raw := ra.RawOption(o)
	var s ra.OptionSpec
	var err error
	switch o.Type {
	case ra.TypeSourceLinkLayerAddr, ra.TypeTargetLinkLayerAddr:
		s = ra.LinkLayerAddr{Type: o.Type, Addr: ra.ParseLinkLayerAddr(o)}
	case ra.TypeMTU:
		s, err = ra.ParseMTU(o)
	case ra.TypeAdvInterval:
		s, err = ra.ParseAdvInterval(o)
	case ra.TypeHomeAgentInfo:
		s, err = ra.ParseHomeAgentInfo(o)
	case ra.TypeFlagsExpansion:
		s, err = ra.ParseFlagsExpansion(o)
	case ra.TypePrefixInfo:
		s, err = ra.ParsePrefixInfo(o)
	case ra.TypeRouteInfo:
		s, err = ra.ParseRouteInfo(o)
	case ra.TypePREF64:
		s, err = ra.ParsePREF64(o)
	case ra.TypeCaptivePortal:
		var u []byte
		u, err = ra.ParseCaptivePortal(o)
		s = ra.CaptivePortal(u)
	case ra.TypeRDNSS:
		var v ra.RDNSSView
		if v, err = ra.ParseRDNSS(o); err == nil {
			r := ra.RDNSS{Lifetime: v.Lifetime()}
			for i := range v.Len() {
				r.Servers = append(r.Servers, v.Server(i))
			}
			s = r
		}
	case ra.TypeDNSSL:
		var v ra.DNSSLView
		if v, err = ra.ParseDNSSL(o); err == nil {
			d := ra.DNSSL{Lifetime: v.Lifetime()}
			it := v.Names()
			for it.Next() {
				d.Domains = append(d.Domains, string(it.AppendText(nil)))
			}
			s = d
		}
	case ra.TypeDNR:
		var v ra.DNRView
		if v, err = ra.ParseDNR(o); err == nil {
			d := ra.DNR{Priority: v.Priority(), Lifetime: v.Lifetime(), ADN: string(v.AppendADN(nil)), SvcParams: v.SvcParams()}
			for i := range v.NumAddrs() {
				d.Addrs = append(d.Addrs, v.Addr(i))
			}
			s = d
		}
	default:
		return raw
	}
	if err != nil {
		return raw
	}
	if _, err := s.AppendTo(nil); err != nil {
		return raw
	}
	return s
}

// rebuild re-encodes a parsed RA from its decoded header and options.
func rebuild(t testing.TB, m ra.RouterAdvert) []byte {
	t.Helper()
	var specs []ra.OptionSpec
	it := m.AllOptions()
	for it.Next() {
		specs = append(specs, specOf(it.Option()))
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	b, err := ra.AppendRouterAdvert(nil, m.Header(), specs...)
	if err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	return b
}
