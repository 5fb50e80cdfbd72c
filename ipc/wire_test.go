package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRequestRoundTrip(t *testing.T) {
	wait := int64(-1)
	req := &Request{Version: Version, ID: 9, Command: CmdStart, Ifname: "eth0", WaitMs: &wait,
		Args: map[string]string{"k": "v"}}
	var b bytes.Buffer
	if err := WriteFrame(&b, req); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRequest(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req, got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	if _, forever := got.Wait(); forever {
		t.Fatal("wait -1 is not forever")
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"not JSON", "{"},
		{"unknown field", `{"version":1,"command":"status","bogus":1}`},
		{"wrong version", `{"version":2,"command":"status"}`},
		{"no command", `{"version":1}`},
		{"trailing data", `{"version":1,"command":"status"} {}`},
		{"wrong type", `{"version":1,"command":7}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeRequest([]byte(tc.body)); !errors.Is(err, ErrProto) {
				t.Fatalf("err = %v, want ErrProto", err)
			}
		})
	}
}

func TestOversizeFrame(t *testing.T) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], MaxRequest+1)
	if _, err := ReadRequest(bytes.NewReader(hdr[:])); !errors.Is(err, ErrProto) {
		t.Fatalf("err = %v, want ErrProto", err)
	}
}

func TestExitStatusesDistinct(t *testing.T) {
	seen := map[int]Code{}
	for _, c := range Codes {
		s := c.ExitStatus()
		if s < 10 || seen[s] != "" {
			t.Fatalf("%s exits %d, clashing with %s or below 10", c, s, seen[s])
		}
		seen[s] = c
	}
}

// FuzzDecodeRequest: no input panics; every rejection wraps ErrProto; what
// is accepted survives a round trip.
func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"version":1,"id":1,"command":"start","ifname":"eth0","wait_ms":1000}`))
	f.Add([]byte(`{"version":1,"command":"status"}`))
	f.Add([]byte(`{"version":1,"command":"start","args":{"a":"b"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeRequest(body)
		if err != nil {
			if !errors.Is(err, ErrProto) {
				t.Fatalf("error %v does not wrap ErrProto", err)
			}
			return
		}
		var b bytes.Buffer
		if err := WriteFrame(&b, req); err != nil {
			t.Fatal(err)
		}
		again, err := ReadRequest(&b)
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.Bytes(), err)
		}
		// No args and empty args mean the same.
		if diff := cmp.Diff(req, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}
