package dhcpv6_test

import (
	"bytes"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	ins "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"

	"github.com/radish-net/radish/dhcpv6"
	"github.com/radish-net/radish/internal/oracle"
)

// randDUID returns a random DUID of one of the kinds insomniacslk knows.
func randDUID(r *rand.Rand) ins.DUID {
	bs := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	switch r.IntN(5) {
	case 0:
		return &ins.DUIDLLT{HWType: iana.HWTypeEthernet, Time: r.Uint32(), LinkLayerAddr: bs(6)}
	case 1:
		return &ins.DUIDLL{HWType: iana.HWType(r.IntN(40)), LinkLayerAddr: bs(1 + r.IntN(20))}
	case 2:
		return &ins.DUIDEN{EnterpriseNumber: r.Uint32(), EnterpriseIdentifier: bs(1 + r.IntN(124))}
	case 3:
		var u [16]byte
		copy(u[:], bs(16))
		return &ins.DUIDUUID{UUID: u}
	default:
		return &ins.DUIDOpaque{Type: ins.DUIDType(5 + r.IntN(100)), Data: bs(1 + r.IntN(128))}
	}
}

func randIP(r *rand.Rand) net.IP {
	ip := make(net.IP, 16)
	for i := range ip {
		ip[i] = byte(r.Uint32())
	}
	return ip
}

// randMessage returns a random client or server message.
func randMessage(r *rand.Rand) *ins.Message {
	m := &ins.Message{MessageType: ins.MessageType(1 + r.IntN(11))}
	m.TransactionID = ins.TransactionID{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}
	for range r.IntN(8) {
		var o ins.Option
		switch r.IntN(12) {
		case 0:
			o = ins.OptClientID(randDUID(r))
		case 1:
			o = ins.OptServerID(randDUID(r))
		case 2:
			codes := make([]ins.OptionCode, r.IntN(8))
			for i := range codes {
				codes[i] = ins.OptionCode(r.IntN(150))
			}
			o = ins.OptRequestedOption(codes...)
		case 3:
			o = ins.OptElapsedTime(time.Duration(r.IntN(600000)) * time.Millisecond)
		case 4:
			ia := &ins.OptIANA{IaId: [4]byte{1, 2, 3, byte(r.Uint32())}, T1: time.Duration(r.IntN(1000)) * time.Second}
			if r.IntN(2) == 0 {
				ia.Options.Add(&ins.OptStatusCode{StatusCode: iana.StatusNoAddrsAvail, StatusMessage: "none"})
			}
			o = ia
		case 5:
			o = &ins.OptIATA{IaId: [4]byte{9, 9, 9, byte(r.Uint32())}}
		case 6:
			o = &ins.OptIAPD{IaId: [4]byte{7, 7, 7, byte(r.Uint32())}, T2: time.Minute}
		case 7:
			o = &ins.OptStatusCode{StatusCode: iana.StatusCode(r.IntN(7)), StatusMessage: "status"}
		case 8:
			o = ins.OptDNS(randIP(r), randIP(r))
		case 9:
			o = ins.OptSNTP(randIP(r))
		case 10:
			o = ins.OptInformationRefreshTime(time.Duration(600+r.IntN(86400)) * time.Second)
		default: // an option code unknown to both libraries
			data := make([]byte, r.IntN(40))
			o = &ins.OptionGeneric{OptionCode: ins.OptionCode(200 + r.IntN(50)), OptionData: data}
		}
		m.AddOption(o)
	}
	return m
}

// TestOracleGenerated runs our parsers over many messages that
// insomniacslk built (fixed seed), directly and inside 1..3 relay levels.
func TestOracleGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(9915, 8415))
	var chain dhcpv6.RelayChain
	for i := range 2000 {
		im := randMessage(r)
		var d ins.DHCPv6 = im
		depth := r.IntN(4)
		var relays []*ins.RelayMessage
		for range depth {
			rm, err := ins.EncapsulateRelay(d, ins.MessageTypeRelayForward, randIP(r), randIP(r))
			if err != nil {
				t.Fatal(err)
			}
			rm.HopCount = uint8(r.IntN(8))
			if r.IntN(2) == 0 {
				rm.AddOption(ins.OptInterfaceID([]byte{'e', 't', 'h', byte('0' + r.IntN(10))}))
			}
			if r.IntN(2) == 0 {
				rm.AddOption(ins.OptRelayPort(uint16(r.IntN(65536))))
			}
			relays = append([]*ins.RelayMessage{rm}, relays...)
			d = rm
		}
		b := d.ToBytes()
		var m dhcpv6.Message
		if depth == 0 {
			var err error
			if m, err = dhcpv6.ParseMessage(b); err != nil {
				t.Fatalf("#%d ParseMessage: %v\n%s", i, err, im.Summary())
			}
		} else {
			if err := chain.Parse(b); err != nil {
				t.Fatalf("#%d RelayChain.Parse: %v", i, err)
			}
			if chain.Depth() != depth {
				t.Fatalf("#%d depth %d, want %d", i, chain.Depth(), depth)
			}
			for j, rm := range relays {
				l := chain.Level(j)
				if err := oracle.DiffRelayHeader(l, rm); err != nil {
					t.Fatalf("#%d level %d: %v", i, j, err)
				}
				id, ok := l.InterfaceID()
				if ok != (rm.Options.InterfaceID() != nil) || !bytes.Equal(id, rm.Options.InterfaceID()) {
					t.Fatalf("#%d level %d interface-id %x", i, j, id)
				}
				p, ok := l.RelaySourcePort()
				if rp := rm.Options.RelayPort(); ok != (rp != nil) || (rp != nil && rp.DownstreamSourcePort != p) {
					t.Fatalf("#%d level %d relay port %d %v", i, j, p, ok)
				}
				if err := oracle.DiffDHCPv6Options(l.Options(), rm.Options.Options, nil); err != nil {
					t.Fatalf("#%d level %d: %v", i, j, err)
				}
			}
			m = chain.Message()
		}
		if err := oracle.DiffDHCPv6Message(m, im, nil); err != nil {
			t.Fatalf("#%d: %v", i, err)
		}
		if cid, ok := m.ClientID(); ok != (im.Options.ClientID() != nil) || (ok && !bytes.Equal(cid, im.Options.ClientID().ToBytes())) {
			t.Fatalf("#%d client id %x", i, []byte(cid))
		}
		if sid, ok := m.ServerID(); ok != (im.Options.ServerID() != nil) || (ok && !bytes.Equal(sid, im.Options.ServerID().ToBytes())) {
			t.Fatalf("#%d server id %x", i, []byte(sid))
		}
		var codes []uint16
		for oro := m.ORO(); oro.Next(); {
			codes = append(codes, uint16(oro.Code()))
		}
		// insomniacslk merges every ORO instance; RFC 9915 §21.7 allows
		// one, and our accessor reads the first.
		var want []uint16
		if o := im.GetOneOption(ins.OptionORO); o != nil {
			b := o.ToBytes()
			for j := 0; j+1 < len(b); j += 2 {
				want = append(want, uint16(b[j])<<8|uint16(b[j+1]))
			}
		}
		if len(codes) != len(want) || (len(want) > 0 && !bytes.Equal(u16bytes(codes), u16bytes(want))) {
			t.Fatalf("#%d ORO %v, want %v", i, codes, want)
		}
		// insomniacslk rounds a Duration to centiseconds when encoding.
		if et, ok := m.ElapsedTime(); ok != (im.GetOneOption(ins.OptionElapsedTime) != nil) ||
			(ok && time.Duration(et) != im.Options.ElapsedTime().Round(10*time.Millisecond)/(10*time.Millisecond)) {
			t.Fatalf("#%d elapsed time %d", i, et)
		}
		if m.HasIANA() != (im.Options.OneIANA() != nil) || m.HasIATA() != (im.Options.OneIATA() != nil) ||
			m.HasIAPD() != (im.Options.OneIAPD() != nil) {
			t.Fatalf("#%d IA presence differs", i)
		}
	}
}

func u16bytes(v []uint16) []byte {
	var b []byte
	for _, x := range v {
		b = append(b, byte(x>>8), byte(x))
	}
	return b
}
