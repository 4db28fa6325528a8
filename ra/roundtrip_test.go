package ra_test

import (
	"errors"
	"testing"

	"github.com/radish-net/radish/ra"
)

// errUnknownType is decodeOption's error for an option type without a
// typed decoder.
var errUnknownType = errors.New("no typed decoder for this option type")

// decodeOption decodes a parsed option with the ra.ParseX function for its
// type into the builder value that encodes it.
func decodeOption(o ra.Option) (ra.OptionSpec, error) {
	switch o.Type {
	case ra.TypeSourceLinkLayerAddr, ra.TypeTargetLinkLayerAddr:
		return ra.LinkLayerAddr{Type: o.Type, Addr: ra.ParseLinkLayerAddr(o)}, nil
	case ra.TypeMTU:
		return ra.ParseMTU(o)
	case ra.TypeAdvInterval:
		return ra.ParseAdvInterval(o)
	case ra.TypeHomeAgentInfo:
		return ra.ParseHomeAgentInfo(o)
	case ra.TypeFlagsExpansion:
		return ra.ParseFlagsExpansion(o)
	case ra.TypePrefixInfo:
		return ra.ParsePrefixInfo(o)
	case ra.TypeRouteInfo:
		return ra.ParseRouteInfo(o)
	case ra.TypePREF64:
		return ra.ParsePREF64(o)
	case ra.TypeSixLoWPANContext:
		return ra.ParseSixLoWPANContext(o)
	case ra.TypeABRO:
		return ra.ParseABRO(o)
	case ra.TypeCaptivePortal:
		u, err := ra.ParseCaptivePortal(o)
		return ra.CaptivePortal(u), err
	case ra.TypeRDNSS:
		v, err := ra.ParseRDNSS(o)
		if err != nil {
			return nil, err
		}
		r := ra.RDNSS{Lifetime: v.Lifetime()}
		for i := range v.Len() {
			r.Servers = append(r.Servers, v.Server(i))
		}
		return r, nil
	case ra.TypeDNSSL:
		v, err := ra.ParseDNSSL(o)
		if err != nil {
			return nil, err
		}
		d := ra.DNSSL{Lifetime: v.Lifetime()}
		it := v.Names()
		for it.Next() {
			d.Domains = append(d.Domains, string(it.AppendText(nil)))
		}
		return d, nil
	case ra.TypeDNR:
		v, err := ra.ParseDNR(o)
		if err != nil {
			return nil, err
		}
		d := ra.DNR{Priority: v.Priority(), Lifetime: v.Lifetime(), ADN: string(v.AppendADN(nil)), SvcParams: v.SvcParams()}
		for i := range v.NumAddrs() {
			d.Addrs = append(d.Addrs, v.Addr(i))
		}
		return d, nil
	}
	return nil, errUnknownType
}

// specOf decodes a parsed option into the builder value that encodes it,
// falling back to a RawOption for unknown types and for bodies the typed
// decoder or encoder rejects.
func specOf(o ra.Option) ra.OptionSpec {
	s, err := decodeOption(o)
	if err != nil {
		return ra.RawOption(o)
	}
	if _, err := s.AppendTo(nil); err != nil {
		return ra.RawOption(o)
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
