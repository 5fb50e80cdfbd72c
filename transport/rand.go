package transport

import (
	"crypto/rand"
	"encoding/binary"
)

// Rand is a lease machine's randomness (lease.Rand): xids from the
// Router, which keeps them unique among the transactions bound on every
// interface (a reply is matched by xid and hardware address, and on one
// subnet it may come in through a sibling interface), the retransmission
// jitter (RFC 2131 §4.1) from crypto/rand.
type Rand struct{ Router Router }

// XID returns a fresh non-zero xid no bound transaction has.
func (g Rand) XID() uint32 { return g.Router.NewXID() }

// Int63n returns a uniform value in [0, n); n > 0.
func (g Rand) Int63n(n int64) int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) % n
}
