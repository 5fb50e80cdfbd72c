package lease

// State is a client state of RFC 2131 §4.4 (figure 5), with the names the
// illumos dhcpagent uses so that operators see familiar words.
type State int

// The client states. The zero value is Init: nothing is being done.
const (
	Init        State = iota // not acquiring; no lease in use
	Selecting                // DISCOVER sent, collecting offers
	Requesting               // REQUEST sent for a chosen offer
	PreBound                 // ACK received, address being checked (RFC 5227)
	Bound                    // lease applied
	Renewing                 // T1 passed, unicast REQUEST to the server
	Rebinding                // T2 passed, broadcast REQUEST
	InitReboot               // verifying a remembered lease (RFC 2131 §3.2)
	InformSent               // INFORM sent for a static address
	Information              // INFORM answered
	Declining                // DECLINE sent after an address conflict
	Releasing                // RELEASE being sent
	V6Only                   // IPv6-only network (RFC 8925): DHCPv4 paused
)

var stateNames = [...]string{
	Init:        "INIT",
	Selecting:   "SELECTING",
	Requesting:  "REQUESTING",
	PreBound:    "PRE_BOUND",
	Bound:       "BOUND",
	Renewing:    "RENEWING",
	Rebinding:   "REBINDING",
	InitReboot:  "INIT_REBOOT",
	InformSent:  "INFORM_SENT",
	Information: "INFORMATION",
	Declining:   "DECLINING",
	Releasing:   "RELEASING",
	V6Only:      "V6ONLY",
}

// String returns the state's name as the SPEC and the logs spell it.
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "UNKNOWN"
}

// HoldsLease reports whether the state has a lease applied to the interface.
func (s State) HoldsLease() bool {
	switch s {
	case PreBound, Bound, Renewing, Rebinding:
		return true
	}
	return false
}

// Acquiring reports whether the state is on the way to a lease.
func (s State) Acquiring() bool {
	switch s {
	case Selecting, Requesting, InitReboot, Declining:
		return true
	}
	return false
}
