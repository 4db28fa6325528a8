package dhcpv6

import (
	"encoding/binary"
	"strconv"
	"time"
)

// DUIDType is the 2-octet type of a DUID (RFC 9915 §11.1).
type DUIDType uint16

// DUID types (RFC 9915 §11.1, RFC 6355).
const (
	DUIDLLT  DUIDType = 1 // link-layer address plus time, §11.2
	DUIDEN   DUIDType = 2 // enterprise number, §11.3
	DUIDLL   DUIDType = 3 // link-layer address, §11.4
	DUIDUUID DUIDType = 4 // UUID, RFC 6355
)

// String returns the DUID type's short name.
func (t DUIDType) String() string {
	switch t {
	case DUIDLLT:
		return "DUID-LLT"
	case DUIDEN:
		return "DUID-EN"
	case DUIDLL:
		return "DUID-LL"
	case DUIDUUID:
		return "DUID-UUID"
	}
	return "DUIDType(" + strconv.Itoa(int(t)) + ")"
}

// maxDUIDLen is the longest DUID: 2 octets of type plus 128 octets
// (RFC 9915 §11.1).
const maxDUIDLen = 2 + 128

// DUID is a DHCP Unique Identifier in wire form: a 2-octet type followed by
// 1 to 128 octets (RFC 9915 §11.1). Values returned by this package alias
// the packet. Servers must treat DUIDs as opaque and compare them
// byte-for-byte; the typed accessors are for display and configuration.
type DUID []byte

// ParseDUID validates b as a DUID: 3 to 130 octets, else ErrDUID.
// The result aliases b.
func ParseDUID(b []byte) (DUID, error) {
	if len(b) < 3 || len(b) > maxDUIDLen {
		return nil, ErrDUID
	}
	return DUID(b), nil
}

// Type returns the DUID type, or 0 if d is shorter than 2 octets.
func (d DUID) Type() DUIDType {
	if len(d) < 2 {
		return 0
	}
	return DUIDType(binary.BigEndian.Uint16(d))
}

// HardwareType returns the hardware type of a DUID-LLT or DUID-LL
// (RFC 9915 §11.2, §11.4).
func (d DUID) HardwareType() (uint16, bool) {
	if (d.Type() == DUIDLLT && len(d) >= 8) || (d.Type() == DUIDLL && len(d) >= 4) {
		return binary.BigEndian.Uint16(d[2:]), true
	}
	return 0, false
}

// LinkLayerAddress returns the link-layer address of a DUID-LLT or DUID-LL.
func (d DUID) LinkLayerAddress() ([]byte, bool) {
	switch {
	case d.Type() == DUIDLLT && len(d) >= 8:
		return d[8:], true
	case d.Type() == DUIDLL && len(d) >= 4:
		return d[4:], true
	}
	return nil, false
}

// Time returns the time field of a DUID-LLT: seconds since midnight UTC,
// January 1, 2000, modulo 2^32 (RFC 9915 §11.2).
func (d DUID) Time() (uint32, bool) {
	if d.Type() == DUIDLLT && len(d) >= 8 {
		return binary.BigEndian.Uint32(d[4:]), true
	}
	return 0, false
}

// Enterprise returns the enterprise number and identifier of a DUID-EN
// (RFC 9915 §11.3).
func (d DUID) Enterprise() (uint32, []byte, bool) {
	if d.Type() == DUIDEN && len(d) >= 6 {
		return binary.BigEndian.Uint32(d[2:]), d[6:], true
	}
	return 0, nil, false
}

// UUID returns the UUID of a DUID-UUID (RFC 6355 §4).
func (d DUID) UUID() ([16]byte, bool) {
	var u [16]byte
	if d.Type() == DUIDUUID && len(d) == 18 {
		copy(u[:], d[2:])
		return u, true
	}
	return u, false
}

// duidEpoch is the DUID-LLT time origin (RFC 9915 §11.2).
var duidEpoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// DUIDTime converts t to a DUID-LLT time value: seconds since midnight UTC,
// January 1, 2000, modulo 2^32 (RFC 9915 §11.2).
func DUIDTime(t time.Time) uint32 {
	return uint32(t.Sub(duidEpoch) / time.Second)
}

// AppendDUIDLLT appends a DUID-LLT (RFC 9915 §11.2). The link-layer address
// must be 1..122 octets, else ErrDUID.
func AppendDUIDLLT(dst []byte, hwType uint16, t uint32, lladdr []byte) ([]byte, error) {
	if len(lladdr) == 0 || 8+len(lladdr) > maxDUIDLen {
		return dst, ErrDUID
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(DUIDLLT))
	dst = binary.BigEndian.AppendUint16(dst, hwType)
	dst = binary.BigEndian.AppendUint32(dst, t)
	return append(dst, lladdr...), nil
}

// AppendDUIDEN appends a DUID-EN (RFC 9915 §11.3). The identifier must be
// 1..124 octets, else ErrDUID.
func AppendDUIDEN(dst []byte, enterprise uint32, id []byte) ([]byte, error) {
	if len(id) == 0 || 6+len(id) > maxDUIDLen {
		return dst, ErrDUID
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(DUIDEN))
	dst = binary.BigEndian.AppendUint32(dst, enterprise)
	return append(dst, id...), nil
}

// AppendDUIDLL appends a DUID-LL (RFC 9915 §11.4). The link-layer address
// must be 1..126 octets, else ErrDUID.
func AppendDUIDLL(dst []byte, hwType uint16, lladdr []byte) ([]byte, error) {
	if len(lladdr) == 0 || 4+len(lladdr) > maxDUIDLen {
		return dst, ErrDUID
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(DUIDLL))
	dst = binary.BigEndian.AppendUint16(dst, hwType)
	return append(dst, lladdr...), nil
}

// AppendDUIDUUID appends a DUID-UUID (RFC 6355 §4).
func AppendDUIDUUID(dst []byte, uuid [16]byte) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(DUIDUUID))
	return append(dst, uuid[:]...)
}

// AppendDUID appends a DUID of any type with an opaque body (for types
// other than the above, or for a configured raw DUID). The body must be
// 1..128 octets, else ErrDUID.
func AppendDUID(dst []byte, t DUIDType, body []byte) ([]byte, error) {
	if len(body) == 0 || 2+len(body) > maxDUIDLen {
		return dst, ErrDUID
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(t))
	return append(dst, body...), nil
}
