package dhcpv6

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// ErrSvcParams is returned by AppendSvcParams for a malformed or
// unsupported service parameter.
var ErrSvcParams = errors.New("dhcpv6: invalid SvcParams")

// SvcParamKeys supported by AppendSvcParams (RFC 9460 §14.3.2, RFC 9461).
const (
	SvcParamMandatory     uint16 = 0
	SvcParamALPN          uint16 = 1
	SvcParamNoDefaultALPN uint16 = 2
	SvcParamPort          uint16 = 3
	SvcParamDoHPath       uint16 = 7
)

var svcParamNames = map[string]uint16{
	"mandatory": SvcParamMandatory, "alpn": SvcParamALPN,
	"no-default-alpn": SvcParamNoDefaultALPN, "port": SvcParamPort,
	"dohpath": SvcParamDoHPath,
}

// AppendSvcParams appends the wire form (RFC 9460 §2.2) of service
// parameters written in presentation form, as in a DNR option's
// configuration: space-separated key=value pairs such as
// `alpn=h2,h3 dohpath=/dns-query{?dns}` or `alpn=dot port=853`. Supported
// keys are mandatory, alpn, no-default-alpn (no value), port and dohpath;
// values may be double-quoted but not escaped. The address hints are not
// supported: RFC 9463 §3.1.5 excludes them from DNR. Keys are sorted into
// ascending order and may not repeat. It is for the control plane.
func AppendSvcParams(dst []byte, s string) ([]byte, error) {
	type param struct {
		key uint16
		val string
		has bool
	}
	var params []param
	for f := range strings.FieldsSeq(s) {
		name, val, has := strings.Cut(f, "=")
		key, ok := svcParamNames[name]
		if !ok {
			return dst, ErrSvcParams
		}
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		if has == (key == SvcParamNoDefaultALPN) || (has && val == "") {
			return dst, ErrSvcParams
		}
		params = append(params, param{key, val, has})
	}
	slices.SortFunc(params, func(a, b param) int { return int(a.key) - int(b.key) })
	start := len(dst)
	for i, p := range params {
		if i > 0 && params[i-1].key == p.key {
			return dst[:start], ErrSvcParams
		}
		dst = binary.BigEndian.AppendUint16(dst, p.key)
		dst = append(dst, 0, 0)
		vstart := len(dst)
		switch p.key {
		case SvcParamMandatory:
			var keys []uint16
			for name := range strings.SplitSeq(p.val, ",") {
				k, ok := svcParamNames[name]
				if !ok || k == SvcParamMandatory {
					return dst[:start], ErrSvcParams
				}
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				dst = binary.BigEndian.AppendUint16(dst, k)
			}
		case SvcParamALPN:
			for id := range strings.SplitSeq(p.val, ",") {
				if id == "" || len(id) > 255 {
					return dst[:start], ErrSvcParams
				}
				dst = append(dst, byte(len(id)))
				dst = append(dst, id...)
			}
		case SvcParamPort:
			n, err := strconv.ParseUint(p.val, 10, 16)
			if err != nil {
				return dst[:start], ErrSvcParams
			}
			dst = binary.BigEndian.AppendUint16(dst, uint16(n))
		case SvcParamDoHPath:
			dst = append(dst, p.val...)
		}
		if len(dst)-vstart > 0xffff {
			return dst[:start], ErrSvcParams
		}
		binary.BigEndian.PutUint16(dst[vstart-2:], uint16(len(dst)-vstart))
	}
	return dst, nil
}
