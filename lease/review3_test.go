package lease

import (
	"net"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestOfferFloodBounded: a host on the segment sees the broadcast
// DISCOVER's xid and chaddr and floods acceptable offers for the whole
// OFFER_WAIT: the machine kept every one (memory without a bound, and
// each later pick scanned them all). It keeps maxOffers, the better ones:
// a richer offer after the flood still wins, a bare one takes no place.
func TestOfferFloodBounded(t *testing.T) {
	m := New(Config{HWAddr: hw, OfferWait: 3 * time.Second}, &fakeRand{})
	run(t, m, []step{
		{0, Start{}, []string{"INIT->SELECTING", "arm wait at 3s", discover1, "arm retransmit at 4s"}},
	})
	for i := range 10 * maxOffers {
		addr := net.IPv4(198, 18, 1+byte(i/250), 1+byte(i%250))
		m.Handle(t0.Add(time.Second), offerFrom(1, server, addr))
	}
	if len(m.offers) > maxOffers {
		t.Fatalf("%d offers kept after a flood of %d, want at most %d", len(m.offers), 10*maxOffers, maxOffers)
	}
	run(t, m, []step{
		{2 * time.Second, offerFrom(1, server2, offered2, dhcpv4.WithNetmask(net.CIDRMask(24, 32))), nil},
		{3 * time.Second, Timeout{Wait}, []string{"SELECTING->REQUESTING",
			"send REQUEST xid=1 secs=0 req=198.18.0.200 sid=198.18.0.2", "arm retransmit at 7s"}},
	})
	if len(m.offers) != maxOffers-1 {
		t.Errorf("%d offers left to try, want %d", len(m.offers), maxOffers-1)
	}
	for _, o := range m.offers {
		if o.YourIPAddr.Equal(offered2) {
			t.Error("the offer requested is still among those to try")
		}
	}
}
