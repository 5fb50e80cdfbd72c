package dnstest

import (
	"bufio"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// SilentBus listens on a socket in the test's temporary directory and
// returns its D-Bus address: a hung bus, which accepts connections and
// never answers. With auth it first goes through the SASL handshake of
// the D-Bus specification ("Authentication protocol": EXTERNAL accepted,
// Unix descriptors agreed), so that a client then waits for the answer to
// its Hello instead. The listener and every connection are closed at
// cleanup.
func SilentBus(t testing.TB, auth bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed at cleanup
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				silence(c, auth)
			}()
		}
	}()
	return "unix:path=" + path
}

// silence reads whatever c sends until it is closed, answering only the
// handshake when auth is set.
func silence(c net.Conn, auth bool) {
	r := bufio.NewReader(c)
	if auth {
		if _, err := r.ReadByte(); err != nil { // the client's first, NUL byte
			return
		}
	handshake:
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			reply := "ERROR"
			switch cmd := strings.TrimSpace(line); {
			case cmd == "BEGIN":
				break handshake // D-Bus messages follow: none is answered
			case cmd == "AUTH":
				reply = "REJECTED EXTERNAL"
			case strings.HasPrefix(cmd, "AUTH EXTERNAL"):
				reply = "OK 0123456789abcdef0123456789abcdef"
			case cmd == "NEGOTIATE_UNIX_FD":
				reply = "AGREE_UNIX_FD"
			}
			if _, err := io.WriteString(c, reply+"\r\n"); err != nil {
				return
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
