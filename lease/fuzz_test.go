package lease

import (
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// FuzzReceived feeds arbitrary server packets to a machine at each stage
// of an exchange. Nothing may panic, and an applied lease is always for a
// usable address with a valid prefix.
func FuzzReceived(f *testing.F) {
	for _, e := range []Event{offer(1), ack(1), nak(1), ack(2), offer(1, leaseTime(0xffffffff))} {
		f.Add(e.(Received).Msg.ToBytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := dhcpv4.FromBytes(b)
		if err != nil {
			return
		}
		msg.ClientHWAddr = hw // reach the machine's logic, not just the chaddr check
		for _, prefix := range [][]step{acquire[:1], acquire[:2], acquire} {
			for _, probe := range []bool{false, true} {
				m := New(Config{HWAddr: hw, ARPProbe: probe, RapidCommit: true}, &fakeRand{})
				for _, s := range prefix {
					m.Handle(t0.Add(s.at), s.ev)
				}
				for _, xid := range []uint32{1, 2} {
					msg.TransactionID = xidBytes(xid)
					for _, a := range m.Handle(t0.Add(time.Second), Received{Msg: msg}) {
						if ap, ok := a.(Apply); ok {
							if !usable(ap.Lease.Addr.Addr()) || !ap.Lease.Addr.IsValid() {
								t.Fatalf("applied unusable lease %v", ap.Lease.Addr)
							}
						}
					}
				}
			}
		}
	})
}
