package dhcpv6

import "encoding/binary"

// AppendOption appends one option with the given code and body
// (RFC 9915 §21.1). It panics if body is longer than 65535 octets, which
// no valid DHCPv6 message can hold.
func AppendOption(dst []byte, c OptionCode, body []byte) []byte {
	if len(body) > 0xffff {
		panic("dhcpv6: option body longer than 65535 octets")
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(c))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(body)))
	return append(dst, body...)
}

// StartOption appends an option header with code c and an open length,
// returning the header's offset for FinishOption. The caller appends the
// body in between; this builds nested options without a second buffer.
func StartOption(dst []byte, c OptionCode) ([]byte, int) {
	start := len(dst)
	dst = binary.BigEndian.AppendUint16(dst, uint16(c))
	return append(dst, 0, 0), start
}

// FinishOption sets the length of the option started at offset start to
// cover everything appended since. It panics if the body exceeds 65535
// octets.
func FinishOption(dst []byte, start int) []byte {
	n := len(dst) - start - 4
	if n < 0 || n > 0xffff {
		panic("dhcpv6: option body longer than 65535 octets")
	}
	binary.BigEndian.PutUint16(dst[start+2:], uint16(n))
	return dst
}

func appendUint16Option(dst []byte, c OptionCode, v uint16) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(c))
	dst = append(dst, 0, 2)
	return binary.BigEndian.AppendUint16(dst, v)
}

func appendUint32Option(dst []byte, c OptionCode, v uint32) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(c))
	dst = append(dst, 0, 4)
	return binary.BigEndian.AppendUint32(dst, v)
}

// AppendClientID appends a Client Identifier option (RFC 9915 §21.2).
func AppendClientID(dst []byte, d DUID) []byte { return AppendOption(dst, OptClientID, d) }

// AppendServerID appends a Server Identifier option (RFC 9915 §21.3).
func AppendServerID(dst []byte, d DUID) []byte { return AppendOption(dst, OptServerID, d) }

// AppendElapsedTime appends an Elapsed Time option (RFC 9915 §21.9), in
// hundredths of a second.
func AppendElapsedTime(dst []byte, centiseconds uint16) []byte {
	return appendUint16Option(dst, OptElapsedTime, centiseconds)
}

// AppendORO appends an Option Request option listing codes (RFC 9915 §21.7).
func AppendORO(dst []byte, codes ...OptionCode) []byte {
	dst, start := StartOption(dst, OptORO)
	for _, c := range codes {
		dst = binary.BigEndian.AppendUint16(dst, uint16(c))
	}
	return FinishOption(dst, start)
}

// AppendStatusCode appends a Status Code option (RFC 9915 §21.13) with a
// UTF-8 status message, which may be empty.
func AppendStatusCode(dst []byte, code StatusCode, msg string) []byte {
	dst, start := StartOption(dst, OptStatusCode)
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	dst = append(dst, msg...)
	return FinishOption(dst, start)
}

// AppendIANA appends an IA_NA option (RFC 9915 §21.4) holding no address
// and a Status Code option with code and msg. A stateless server answers
// a Solicit's IA_NA this way, echoing its IAID with T1 = T2 = 0 and
// StatusNoAddrsAvail (RFC 9915 §18.3.9).
func AppendIANA(dst []byte, iaid, t1, t2 uint32, code StatusCode, msg string) []byte {
	dst, start := StartOption(dst, OptIANA)
	dst = binary.BigEndian.AppendUint32(dst, iaid)
	dst = binary.BigEndian.AppendUint32(dst, t1)
	dst = binary.BigEndian.AppendUint32(dst, t2)
	dst = AppendStatusCode(dst, code, msg)
	return FinishOption(dst, start)
}

// AppendInterfaceID appends an Interface-Id option (RFC 9915 §21.18).
func AppendInterfaceID(dst []byte, id []byte) []byte { return AppendOption(dst, OptInterfaceID, id) }

// AppendRelaySourcePort appends a Relay Source Port option (RFC 8357 §5.2).
func AppendRelaySourcePort(dst []byte, port uint16) []byte {
	return appendUint16Option(dst, OptRelaySourcePort, port)
}

// AppendRelayMessage appends a Relay Message option (RFC 9915 §21.10)
// around msg, an encoded DHCPv6 message.
func AppendRelayMessage(dst []byte, msg []byte) []byte {
	return AppendOption(dst, OptRelayMessage, msg)
}

// AppendInfoRefreshTime appends an Information Refresh Time option
// (RFC 9915 §21.23). Servers send at least MinInfoRefreshTime; Infinity
// means never refresh. It is only for replies to Information-request.
func AppendInfoRefreshTime(dst []byte, seconds uint32) []byte {
	return appendUint32Option(dst, OptInfoRefreshTime, seconds)
}

// AppendSolMaxRT appends a SOL_MAX_RT option (RFC 9915 §21.24); clients
// ignore values outside 60..86400.
func AppendSolMaxRT(dst []byte, seconds uint32) []byte {
	return appendUint32Option(dst, OptSolMaxRT, seconds)
}

// AppendInfMaxRT appends an INF_MAX_RT option (RFC 9915 §21.25); clients
// ignore values outside 60..86400.
func AppendInfMaxRT(dst []byte, seconds uint32) []byte {
	return appendUint32Option(dst, OptInfMaxRT, seconds)
}
