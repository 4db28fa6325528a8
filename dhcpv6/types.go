package dhcpv6

import "strconv"

// MessageType is the msg-type field of a DHCPv6 message (RFC 9915 §7.3).
type MessageType uint8

// Message types (RFC 9915 §7.3).
const (
	Solicit            MessageType = 1
	Advertise          MessageType = 2
	Request            MessageType = 3
	Confirm            MessageType = 4
	Renew              MessageType = 5
	Rebind             MessageType = 6
	Reply              MessageType = 7
	Release            MessageType = 8
	Decline            MessageType = 9
	Reconfigure        MessageType = 10
	InformationRequest MessageType = 11
	RelayForward       MessageType = 12
	RelayReply         MessageType = 13
)

var messageTypeNames = [...]string{
	Solicit: "Solicit", Advertise: "Advertise", Request: "Request",
	Confirm: "Confirm", Renew: "Renew", Rebind: "Rebind", Reply: "Reply",
	Release: "Release", Decline: "Decline", Reconfigure: "Reconfigure",
	InformationRequest: "Information-request", RelayForward: "Relay-forward",
	RelayReply: "Relay-reply",
}

// String returns the RFC name of t, or "MessageType(n)" if unknown.
func (t MessageType) String() string {
	if int(t) < len(messageTypeNames) && messageTypeNames[t] != "" {
		return messageTypeNames[t]
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// OptionCode is a DHCPv6 option code (RFC 9915 §21, IANA registry).
type OptionCode uint16

// Option codes used by a stateless server.
const (
	OptClientID        OptionCode = 1   // RFC 9915 §21.2
	OptServerID        OptionCode = 2   // RFC 9915 §21.3
	OptIANA            OptionCode = 3   // RFC 9915 §21.4
	OptIATA            OptionCode = 4   // RFC 9915 §21.5 (obsolete)
	OptIAAddr          OptionCode = 5   // RFC 9915 §21.6
	OptORO             OptionCode = 6   // RFC 9915 §21.7
	OptPreference      OptionCode = 7   // RFC 9915 §21.8
	OptElapsedTime     OptionCode = 8   // RFC 9915 §21.9
	OptRelayMessage    OptionCode = 9   // RFC 9915 §21.10
	OptAuth            OptionCode = 11  // RFC 9915 §21.11
	OptStatusCode      OptionCode = 13  // RFC 9915 §21.13
	OptRapidCommit     OptionCode = 14  // RFC 9915 §21.14
	OptUserClass       OptionCode = 15  // RFC 9915 §21.15
	OptVendorClass     OptionCode = 16  // RFC 9915 §21.16
	OptVendorOpts      OptionCode = 17  // RFC 9915 §21.17
	OptInterfaceID     OptionCode = 18  // RFC 9915 §21.18
	OptReconfMsg       OptionCode = 19  // RFC 9915 §21.19
	OptReconfAccept    OptionCode = 20  // RFC 9915 §21.20
	OptDNSServers      OptionCode = 23  // RFC 3646 §3
	OptDomainList      OptionCode = 24  // RFC 3646 §4
	OptIAPD            OptionCode = 25  // RFC 9915 §21.21
	OptIAPrefix        OptionCode = 26  // RFC 9915 §21.22
	OptSNTPServers     OptionCode = 31  // RFC 4075 §4
	OptInfoRefreshTime OptionCode = 32  // RFC 9915 §21.23
	OptClientFQDN      OptionCode = 39  // RFC 4704 §4
	OptNTPServer       OptionCode = 56  // RFC 5908 §4
	OptSolMaxRT        OptionCode = 82  // RFC 9915 §21.24
	OptInfMaxRT        OptionCode = 83  // RFC 9915 §21.25
	OptRelaySourcePort OptionCode = 135 // RFC 8357 §5.2
	OptDNR             OptionCode = 144 // RFC 9463 §4.1
)

var optionCodeNames = map[OptionCode]string{
	OptClientID: "Client Identifier", OptServerID: "Server Identifier",
	OptIANA: "IA_NA", OptIATA: "IA_TA", OptIAAddr: "IA Address",
	OptORO: "Option Request", OptPreference: "Preference",
	OptElapsedTime: "Elapsed Time", OptRelayMessage: "Relay Message",
	OptAuth: "Authentication", OptStatusCode: "Status Code",
	OptRapidCommit: "Rapid Commit", OptUserClass: "User Class",
	OptVendorClass: "Vendor Class", OptVendorOpts: "Vendor-specific Information",
	OptInterfaceID: "Interface-Id", OptReconfMsg: "Reconfigure Message",
	OptReconfAccept: "Reconfigure Accept", OptDNSServers: "DNS Recursive Name Server",
	OptDomainList: "Domain Search List", OptIAPD: "IA_PD", OptIAPrefix: "IA Prefix",
	OptSNTPServers: "SNTP Servers", OptInfoRefreshTime: "Information Refresh Time",
	OptClientFQDN: "Client FQDN", OptNTPServer: "NTP Server",
	OptSolMaxRT: "SOL_MAX_RT", OptInfMaxRT: "INF_MAX_RT",
	OptRelaySourcePort: "Relay Source Port", OptDNR: "DNR",
}

// String returns the name of c, or "Option(n)" if this package does not
// know it. It is for logs and tests, not for the packet path.
func (c OptionCode) String() string {
	if s, ok := optionCodeNames[c]; ok {
		return s
	}
	return "Option(" + strconv.Itoa(int(c)) + ")"
}

// StatusCode is the status-code field of a Status Code option
// (RFC 9915 §21.13).
type StatusCode uint16

// Status codes (RFC 9915 §21.13).
const (
	StatusSuccess       StatusCode = 0
	StatusUnspecFail    StatusCode = 1
	StatusNoAddrsAvail  StatusCode = 2
	StatusNoBinding     StatusCode = 3
	StatusNotOnLink     StatusCode = 4
	StatusUseMulticast  StatusCode = 5
	StatusNoPrefixAvail StatusCode = 6
)

var statusNames = [...]string{"Success", "UnspecFail", "NoAddrsAvail",
	"NoBinding", "NotOnLink", "UseMulticast", "NoPrefixAvail"}

// String returns the RFC name of s.
func (s StatusCode) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "StatusCode(" + strconv.Itoa(int(s)) + ")"
}

// TransactionID is the 3-octet transaction-id of a client message
// (RFC 9915 §8).
type TransactionID [3]byte

// Time values with special meaning.
const (
	// Infinity is the 0xffffffff "infinite" time value (RFC 9915 §7.7),
	// valid for the Information Refresh Time.
	Infinity uint32 = 0xffffffff
	// MinInfoRefreshTime is IRT_MINIMUM, 600 s (RFC 9915 §21.23).
	MinInfoRefreshTime uint32 = 600
	// DefaultInfoRefreshTime is IRT_DEFAULT, 86400 s (RFC 9915 §7.6).
	DefaultInfoRefreshTime uint32 = 86400
)
