package store

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The store's fuzz targets drive the decoders of its records, which every
// byte of a file reaches once readFile has checked its type and size (the
// unit tests cover those checks): a decoder never panics, and what it
// accepts is a record the agent can use, which encodes and decodes to
// itself.

// roundTrip checks that an accepted record survives a write and a read.
func roundTrip[T any](t *testing.T, v T, decode func([]byte) (T, error)) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("accepted record does not encode: %v", err)
	}
	again, err := decode(b)
	if err != nil {
		t.Fatalf("accepted record rejected once written: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(v, again) {
		t.Fatalf("record changed by a write and a read:\n%+v\n%+v", v, again)
	}
}

// FuzzDecodeHost: host.json yields a DUID in hex and a valid primary name,
// or an error.
func FuzzDecodeHost(f *testing.F) {
	f.Add([]byte(`{"duid":"000400112233445566778899aabbccddeeff","primary":"eth0"}`))
	f.Add([]byte(`{"duid":"0004"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHost(b)
		if err != nil {
			return
		}
		if _, err := hex.DecodeString(h.DUID); err != nil {
			t.Fatalf("accepted a DUID that is not hex: %q", h.DUID)
		}
		if h.Primary != "" && validName(h.Primary) != nil {
			t.Fatalf("accepted a primary name %q", h.Primary)
		}
		roundTrip(t, h, decodeHost)
	})
}

// FuzzDecodeInterface: an interface record is accepted only when it names
// its own interface.
func FuzzDecodeInterface(f *testing.F) {
	f.Add([]byte(`{"ifname":"eth0","iaid":7,"managed":true}`))
	f.Add([]byte(`{"ifname":"eth1","managed":true}`))
	decode := func(b []byte) (Interface, error) { return decodeInterface("eth0", b) }
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decode(b)
		if err != nil {
			return
		}
		if rec.Ifname != "eth0" {
			t.Fatalf("accepted the record of %q as eth0's", rec.Ifname)
		}
		roundTrip(t, rec, decode)
	})
}

// FuzzDecodeLease: a lease record is accepted only with its packets
// decoding and a time to count from.
func FuzzDecodeLease(f *testing.F) {
	s0, _ := Open(f.TempDir(), nil)
	_ = s0.SaveLease(record(f))
	valid, _ := os.ReadFile(filepath.Join(s0.Dir(), leaseDir, "eth0.json"))
	f.Add(valid)
	f.Add([]byte("{}"))
	decode := func(b []byte) (*Lease, error) { return decodeLease("eth0", b) }
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := decode(b)
		if err != nil {
			return
		}
		if _, _, err := l.Packets(); err != nil {
			t.Fatalf("accepted a record whose packets do not decode: %v", err)
		}
		if l.Ifname != "eth0" || l.Began.IsZero() {
			t.Fatalf("accepted %+v", l)
		}
		// Times are compared as instants: a zone offset in the file
		// comes back as the same instant.
		b2, _ := json.Marshal(l)
		l2, err := decode(b2)
		if err != nil || !l2.Began.Equal(l.Began) || l2.ACK != l.ACK || l2.FirstACK != l.FirstACK {
			t.Fatalf("record changed by a write and a read: %+v, %v", l2, err)
		}
	})
}

// FuzzDecodeIPAdm: the persistent objects are accepted only when valid.
func FuzzDecodeIPAdm(f *testing.F) {
	f.Add([]byte(`{"interfaces":{"eth0":{"name":"eth0","families":["v4","v6"]}},"addresses":{"eth0/d":{"object":"eth0/d","ifname":"eth0","type":"dhcp"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeIPAdm(b)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid configuration: %v", err)
		}
		b2, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeIPAdm(b2); err != nil {
			t.Fatalf("accepted configuration rejected once written: %v\n%s", err, b2)
		}
	})
}
