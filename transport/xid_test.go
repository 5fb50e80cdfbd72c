package transport

import (
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// script returns a random source that yields xs in turn, then 1, 2, 3...
// past them (called under the Dispatcher's lock).
func script(xs ...uint32) func() uint32 {
	var n uint32
	return func() uint32 {
		if len(xs) > 0 {
			x := xs[0]
			xs = xs[1:]
			return x
		}
		n++
		return n
	}
}

// TestNewXIDHolds: two interfaces that draw before either binds are never
// handed the same xid, even when the random source repeats itself: a drawn
// xid is held until bound, and both Binds then succeed.
func TestNewXIDHolds(t *testing.T) {
	d := NewDispatcher()
	d.draw = script(5, 5, 0, 5, 7)
	a, b := d.NewXID(), d.NewXID()
	if a != 5 || b != 7 {
		t.Fatalf("NewXID, NewXID = %d, %d; want 5, then 7 (5 held, 0 never)", a, b)
	}
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1} // VLANs of one link: one chaddr
	var got []string
	if err := d.Bind(a, 10, hw, func(*dhcpv4.DHCPv4, error) { got = append(got, "A") }); err != nil {
		t.Fatalf("Bind(A's held xid): %v", err)
	}
	if err := d.Bind(b, 11, hw, func(*dhcpv4.DHCPv4, error) { got = append(got, "B") }); err != nil {
		t.Fatalf("Bind(B's held xid): %v", err)
	}
	d.Dispatch(replyFrame(t, a, hw), Origin{Ifindex: 10})
	d.Dispatch(replyFrame(t, b, hw), Origin{Ifindex: 11})
	if diff := cmp.Diff([]string{"A", "B"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

// TestBindRefusesTaken: an xid another transaction has bound is refused,
// its route left as it was; through Listeners, the refused one binds
// nothing, so its next Follow does not unbind the other's route (same
// hardware address: VLANs), and it binds the xid once the other lets go.
func TestBindRefusesTaken(t *testing.T) {
	d := NewDispatcher()
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	var got []string
	a := Listener{Router: d, Ifindex: 10, HW: hw, Reply: func(*dhcpv4.DHCPv4, error) { got = append(got, "A") }}
	b := Listener{Router: d, Ifindex: 11, HW: hw, Reply: func(*dhcpv4.DHCPv4, error) { got = append(got, "B") }}
	if err := a.Follow(9, false); err != nil {
		t.Fatal(err)
	}
	if err := b.Follow(9, false); !errors.Is(err, ErrXIDTaken) {
		t.Fatalf("second Bind of xid 9 = %v, want ErrXIDTaken", err)
	}
	d.Dispatch(replyFrame(t, 9, hw), Origin{Ifindex: 10})
	if err := b.Follow(0, false); err != nil {
		t.Fatal(err)
	}
	d.Dispatch(replyFrame(t, 9, hw), Origin{Ifindex: 10}) // still A's
	a.Stop()
	if err := b.Follow(9, false); err != nil {
		t.Fatalf("Bind of xid 9 once A let go: %v", err)
	}
	d.Dispatch(replyFrame(t, 9, hw), Origin{Ifindex: 11})
	if diff := cmp.Diff([]string{"A", "A", "B"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

// TestHeldLetGo: the xids drawn and never bound (DECLINE's, RELEASE's) are
// let go once maxHeld later draws have been made, a bound one is not, and
// no reply reaches a hold (a frame with hlen 0 matches its empty chaddr).
func TestHeldLetGo(t *testing.T) {
	d := NewDispatcher()
	d.draw = script()
	first := d.NewXID()
	bound := d.NewXID()
	if err := d.Bind(bound, 1, net.HardwareAddr{2, 0, 0, 0, 0, 1}, func(*dhcpv4.DHCPv4, error) {}); err != nil {
		t.Fatal(err)
	}
	frame := replyFrame(t, first, nil)
	d.Dispatch(frame, Origin{Ifindex: 1})
	if s := d.Stats(); s.Unmatched != 1 {
		t.Fatalf("a reply to a held xid: stats %+v, want it unmatched", s)
	}
	for range maxHeld {
		d.NewXID()
	}
	if _, ok := d.routes[first]; ok {
		t.Errorf("xid %d, drawn and never bound, still held after %d draws", first, maxHeld)
	}
	if r, ok := d.routes[bound]; !ok || r.deliver == nil {
		t.Errorf("bound xid %d let go with its slot", bound)
	}
	if n := len(d.routes); n != maxHeld+1 {
		t.Errorf("%d routes, want %d holds and the bound one", n, maxHeld)
	}
	d.draw = script(first)
	if x := d.NewXID(); x != first {
		t.Errorf("NewXID = %d, want %d drawn again once let go", x, first)
	}
}

// TestNewXIDConcurrent: interfaces drawing and binding at once from a
// source of few values (64, for 32 interfaces) never collide: every Bind
// of a drawn xid succeeds (run with -race).
func TestNewXIDConcurrent(t *testing.T) {
	d := NewDispatcher()
	src := rand.New(rand.NewPCG(1, 2))
	d.draw = func() uint32 { return uint32(src.IntN(64)) + 1 } // under d.mu
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		hw := net.HardwareAddr{2, 0, 0, 0, 0, byte(i)}
		wg.Go(func() {
			for range 100 {
				x := d.NewXID()
				if err := d.Bind(x, i+1, hw, func(*dhcpv4.DHCPv4, error) {}); err != nil {
					errs <- err
					return
				}
				d.Unbind(x, hw)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
