package ipc

import "testing"

// TestCallerPrivileged: root always; the admin group's members by their
// primary or a supplementary group; nobody else, nor anyone when there is
// no admin group.
func TestCallerPrivileged(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     Caller
		admin int64
		want  bool
	}{
		{"root", Caller{UID: 0, GID: 0}, -1, true},
		{"root, a group set", Caller{UID: 0, GID: 5}, 100, true},
		{"primary group", Caller{UID: 1000, GID: 100}, 100, true},
		{"supplementary group", Caller{UID: 1000, GID: 1000, Groups: []uint32{4, 100}}, 100, true},
		{"other groups", Caller{UID: 1000, GID: 1000, Groups: []uint32{4}}, 100, false},
		{"no admin group", Caller{UID: 1000, GID: 0}, -1, false},
		{"group 0 as admin", Caller{UID: 1000, GID: 0}, 0, true},
		{"out of range", Caller{UID: 1000, GID: 0}, 1 << 32, false},
	} {
		if got := tc.c.Privileged(tc.admin); got != tc.want {
			t.Errorf("%s: Privileged(%d) = %v, want %v", tc.name, tc.admin, got, tc.want)
		}
	}
}
