package run

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
)

// TestCommitted: nothing is committed at first; a Load while a job runs
// waits for it (or its timeout) and then sees what the job stored.
func TestCommitted(t *testing.T) {
	s := NewCommitted()
	never := make(chan time.Time)
	if cfg, ok := s.Load(never); cfg != nil || !ok {
		t.Fatalf("first Load: %v %v, want nothing committed, no wait", cfg, ok)
	}
	s.Begin()
	fired := make(chan time.Time, 1)
	fired <- time.Time{}
	if cfg, ok := s.Load(fired); cfg != nil || ok {
		t.Fatalf("Load while a job runs, timed out: %v %v, want nil, false", cfg, ok)
	}
	loaded := make(chan *ipadm.Configs)
	go func() {
		cfg, ok := s.Load(never)
		if !ok {
			cfg = nil
		}
		loaded <- cfg
	}()
	want := ipadm.NewConfigs()
	s.Store(want)
	select {
	case cfg := <-loaded:
		if cfg == nil || cfg.Persist != want.Persist {
			t.Fatalf("Load after the job: %v, want what it stored", cfg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load still waits after the job ended")
	}
	s.Begin() // the token was given back: a next job starts
	s.Store(want)
}
