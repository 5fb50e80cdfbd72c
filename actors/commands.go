package actors

import (
	"encoding/hex"
	"errors"
	"net/netip"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// command answers an IPC command from the interface's own state (SPEC §3).
func (a *iface) command(c *messages.Command) {
	req := c.Req
	st := a.m.State()
	switch req.Command {
	case ipc.CmdStart:
		if a.m.Status().Starting {
			c.Answer(ipc.Fail(req, ipc.ErrPend, "%s is starting: waiting before its first DISCOVER", a.link.Name))
			return
		}
		if st != lease.Init && st != lease.Information && st != lease.InformSent {
			c.Answer(ipc.Fail(req, ipc.ErrRunning, "%s is already %s", a.link.Name, st))
			return
		}
		if req.Args[ipc.ArgPrimary] == "yes" {
			a.inc.primary = true
		}
		if h := req.Args[ipc.ArgHostname]; h != "" {
			a.m.Config().Hostname = h // create-addr -h: this acquisition asks for h
		}
		a.wait(untilBound, c)
		a.start()
		// Managed: the next agent resumes it, unless a temporary ipadm
		// object started it (SPEC §4: -t is gone after a restart). Written
		// after the DISCOVER is on its way, so the disk and the network
		// overlap.
		a.manage(req.Args[ipc.ArgTemporary] != "yes")
	case ipc.CmdExtend:
		switch {
		case a.bootp():
			c.Answer(ipc.Fail(req, ipc.ErrBOOTP, "%s has a BOOTP lease, which has no renewal", a.link.Name))
		case st != lease.Bound && st != lease.Renewing && st != lease.Rebinding && st != lease.PreBound:
			c.Answer(ipc.Fail(req, ipc.ErrOutState, "%s cannot extend in %s", a.link.Name, st))
		case a.busy(c):
		default:
			a.wait(untilExtended, c)
			a.handle(lease.Extend{})
		}
	case ipc.CmdInform:
		a.inform(c)
	case ipc.CmdDrop:
		a.manage(false)
		a.wait(untilEnded, c)
		a.handle(lease.Drop{})
	case ipc.CmdRelease:
		switch {
		case a.bootp():
			c.Answer(ipc.Fail(req, ipc.ErrBOOTP, "%s has a BOOTP lease, which cannot be released", a.link.Name))
		case !st.HoldsLease() && st != lease.InitReboot:
			c.Answer(ipc.Fail(req, ipc.ErrOutState, "%s holds no lease in %s", a.link.Name, st))
		case a.busy(c):
		default:
			a.manage(false)
			a.wait(untilEnded, c)
			a.handle(lease.Release{})
		}
	case ipc.CmdStatus:
		s := a.status()
		r := ipc.OK(req)
		r.Status = &s
		c.Answer(r)
	case ipc.CmdPing:
		c.Answer(ipc.OK(req))
	case ipc.CmdInfo:
		c.Answer(a.info(req))
	case ipc.CmdPanic:
		if !a.env.TestHooks {
			c.Answer(ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command))
			return
		}
		a.log.Warn("panicking on request (test hook)")
		c.Answer(ipc.OK(req))
		panic("injected panic (test hook)")
	default:
		c.Answer(ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command))
	}
}

// manage records whether the interface is under management, so that the
// next agent resumes it (SPEC §2), and whether it is the primary one.
func (a *iface) manage(on bool) {
	if a.env.Store == nil {
		return
	}
	err := a.env.Store.UpdateInterface(a.link.Name, func(r *store.Interface) {
		r.Managed = on
		if on && r.IAID == nil && a.env.IAID != nil {
			// The IAID in the client id of the lease to come (RFC 4361 §6):
			// kept from now on, even if the MAC changes.
			v := a.env.IAID(a.link)
			r.IAID = &v
		}
	})
	if err == nil {
		err = a.env.Store.UpdateHost(func(h *store.Host) {
			switch {
			case on && a.inc.primary:
				h.Primary = a.link.Name
			case !on && h.Primary == a.link.Name:
				h.Primary = ""
			}
		})
	}
	if err != nil {
		a.log.Error("recording the managed interfaces failed", zap.Error(err))
	}
}

// busy answers PEND when another command's transaction is outstanding:
// one transaction at a time (SPEC §3). The state is checked first, as
// illumos does, so a command the state forbids is OUTSTATE either way.
func (a *iface) busy(c *messages.Command) bool {
	if len(a.waiters) == 0 {
		return false
	}
	c.Answer(ipc.Fail(c.Req, ipc.ErrPend, "%s: another command is in progress", a.link.Name))
	return true
}

// info reads an option of the lease, or of the INFORM's answer (SPEC §3).
func (a *iface) info(req *ipc.Request) *ipc.Reply {
	s := a.m.Status()
	var msgs []*dhcpv4.DHCPv4
	switch {
	case s.State == lease.Information:
		msgs = append(msgs, s.Info)
	case s.Lease != nil && s.State != lease.PreBound:
		msgs = append(msgs, s.Lease.ACK, s.Lease.FirstACK)
	default:
		return ipc.Fail(req, ipc.ErrOutState, "%s has no lease in %s", a.link.Name, s.State)
	}
	values, raw, err := lease.Lookup(msgs, req.Args[ipc.ArgOption])
	switch {
	case errors.Is(err, lease.ErrNoOption):
		// illumos GET_TAG: an option the server did not send is no value,
		// not an error (dhcpinfo prints nothing and exits 0).
		return ipc.OK(req)
	case err != nil:
		return ipc.Fail(req, ipc.ErrInvalid, "%v", err)
	}
	r := ipc.OK(req)
	r.Values, r.Raw = values, hex.EncodeToString(raw)
	return r
}

// inform starts an INFORM exchange for the interface's static address.
func (a *iface) inform(c *messages.Command) {
	req := c.Req
	if a.bootp() {
		c.Answer(ipc.Fail(req, ipc.ErrBOOTP, "%s has a BOOTP lease, which has no INFORM", a.link.Name))
		return
	}
	if st := a.m.State(); st != lease.Init && st != lease.Information && st != lease.InformSent {
		c.Answer(ipc.Fail(req, ipc.ErrOutState, "%s cannot inform in %s", a.link.Name, st))
		return
	}
	addr, ok := a.staticAddr()
	if p, err := netip.ParsePrefix(req.Args[ipc.ArgAddress]); err == nil {
		addr, ok = p, true // refresh-addr -i names the static address object's address
	}
	if !ok {
		c.Answer(ipc.Fail(req, ipc.ErrOutState, "%s has no IPv4 address to inform about", a.link.Name))
		return
	}
	if a.busy(c) {
		return
	}
	a.wait(untilInformed, c)
	a.handle(lease.Inform{Addr: addr})
}
