package ipadm

import (
	"errors"
	"testing"
)

// FuzzCommands runs programs of commands, with a kernel or a disk that
// refuses some steps, and checks after each that both configurations still
// hold together: what the store is given always loads again (Validate: the
// file is never set aside at the next start), every address object's
// family is one its interface has, and no interface has two DHCP objects.
func FuzzCommands(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0, 0, 4, 0, 0, 4, 6, 32, 3, 0, 0, 2, 0, 0, 1, 0, 0},
		{0, 1, 1, 4, 1, 0, 4, 1, 0, 7, 0, 0, 0, 1, 2, 4, 4, 1},
		{0, 0, 2, 4, 0, 8, 1, 0, 4, 5, 0, 0, 6, 3, 1, 7, 0, 0},
		{4, 2, 32, 4, 5, 32, 5, 2, 1, 0, 2, 64, 4, 2, 0x60, 7, 1, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		ifs := []string{"eth0", "eth1", "lo"}
		names := []string{"s", "t", "d"}
		addrs := []string{"198.18.0.5/24", "2001:db8::5/64", "198.18.1.5/24"}
		fams := []string{"", V4, V6, V4 + "," + V6}
		c := NewConfigs()
		for n := 0; len(prog) >= 3 && n < 64; n++ {
			op, a, b := prog[0], prog[1], prog[2]
			prog = prog[3:]
			ifname := ifs[int(a)%len(ifs)]
			obj := ifname + "/" + names[int(a/3)%len(names)]
			flag, fam, addr := b&1 == 1, fams[int(b>>1)%len(fams)], addrs[int(b>>3)%len(addrs)]
			var p Plan
			var err error
			switch op % 8 {
			case 0:
				p, err = c.CreateIf(ifname, fam, flag)
			case 1:
				p, err = c.DeleteIf(ifname, fam)
			case 2:
				p, err = c.EnableIf(ifname, false)
			case 3:
				p, err = c.DisableIf(ifname)
			case 4:
				typ := Static
				if b&0x20 != 0 {
					typ = DHCP
				}
				p, err = c.CreateAddr(NewAddr{Object: obj, Type: typ, Address: addr, Temporary: flag, WaitMs: -1})
			case 5:
				p, err = c.DeleteAddr(obj, flag)
			case 6:
				p, err = c.RefreshAddr(obj, flag)
			case 7: // the agent restarts: the temporary objects end, the persistent ones come up again
				c = run(c, c.Shutdown(), -1)
				c = Configs{Persist: c.Persist, Active: NewConfig()}
				for _, p := range c.Replay() {
					c = run(c, p, -1)
				}
				check(t, c)
				continue
			}
			if err != nil {
				var ce *Error
				if !errors.As(err, &ce) || ce.Code == "" {
					t.Fatalf("command %d: error without a code: %v", n, err)
				}
				continue
			}
			fail := -1 // the step the kernel or the disk refuses, if any
			if b&0x40 != 0 {
				fail = int(a>>4) % (len(p.Steps) + 1)
			}
			c = run(c, p, fail)
			check(t, c)
		}
	})
}

// run carries p out as ipadm/run does, with step fail refused.
func run(c Configs, p Plan, fail int) Configs {
	for i, s := range p.Steps {
		c = c.Commit(s, i != fail)
		if i == fail && !s.BestEffort {
			break
		}
	}
	return c
}

func check(t *testing.T, c Configs) {
	t.Helper()
	for name, cfg := range map[string]*Config{"persistent": c.Persist, "active": c.Active} {
		if err := cfg.Validate(); err != nil {
			t.Fatalf("%s configuration %s: %v", name, summary(cfg), err)
		}
		dhcp := map[string]string{}
		for obj, ad := range cfg.Addresses {
			if i := cfg.Interfaces[ad.Ifname]; !i.Has(Family(ad)) {
				t.Fatalf("%s configuration %s: %s is %s, its interface has %v", name, summary(cfg), obj, Family(ad), i.Families)
			}
			if ad.Type == DHCP {
				if other, ok := dhcp[ad.Ifname]; ok {
					t.Fatalf("%s configuration %s: two DHCP objects %s and %s", name, summary(cfg), other, obj)
				}
				dhcp[ad.Ifname] = obj
			}
		}
	}
}
