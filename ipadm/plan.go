package ipadm

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// The decisions of the administrative commands (SPEC §4), pure: given the
// persistent and the active configuration and a command, a Plan of kernel
// steps, manager commands and store writes, or the coded error the command
// answers. Package ipadm/run carries a plan out, step by step, off the
// admin actor's Receive, and commits what the steps did (Configs.Commit).

// Error is a command's refusal, with the result code it answers.
type Error struct {
	Code ipc.Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func refuse(code ipc.Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// invalid codes a name or argument error INVALID.
func invalid(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: ipc.ErrInvalid, Msg: err.Error()}
}

// Op is what a step does.
type Op int

const (
	// Plumb sets the link up, and enables IPv6 when If has v6. Once done
	// If is active.
	Plumb Op = iota + 1
	// Unplumb takes the families Drop out of the link: IPv6 off when Drop
	// has v6, the link down when If (the object as it remains) has no
	// family left. The loopback is never set down nor loses IPv6. The
	// families leave the active configuration even when the kernel refuses
	// (a link gone needs nothing).
	Unplumb
	// AddStatic adds a static address (or applies it again); once done Addr
	// is active.
	AddStatic
	// RemoveStatic removes a static address, exactly; Addr leaves the
	// active configuration whatever the kernel says.
	RemoveStatic
	// StartDHCP starts DHCP on Addr's interface (messages.Start, with
	// Temporary and Boot); Addr is then active.
	StartDHCP
	// DropDHCP drops Addr's interface (or releases it); Addr leaves the
	// active configuration.
	DropDHCP
	// ExtendDHCP renews Addr's lease now.
	ExtendDHCP
	// InformDHCP sends DHCPINFORM for the static Addr.
	InformDHCP
	// Save writes Config as the persistent configuration; once written it
	// is the persistent one.
	Save
)

var opNames = map[Op]string{Plumb: "plumb", Unplumb: "unplumb", AddStatic: "add-static", RemoveStatic: "remove-static",
	StartDHCP: "start-dhcp", DropDHCP: "drop-dhcp", ExtendDHCP: "extend-dhcp", InformDHCP: "inform-dhcp", Save: "save"}

func (o Op) String() string { return opNames[o] }

// Step is one effect of a command, carried out in order.
type Step struct {
	Op   Op
	If   Interface // Plumb, Unplumb
	Drop []string  // Unplumb: the families taken out
	Addr Address   // address steps
	// Temporary and Boot are StartDHCP's: the next agent does not resume
	// a temporary object's interface; Boot marks the agent's own start at
	// start-up (messages.Start.Boot).
	Temporary, Boot bool
	Release         bool    // DropDHCP: RELEASE the lease
	Config          *Config // Save
	// BestEffort: a failure is logged and the plan goes on. Otherwise a
	// failure ends the plan and the command answers its error.
	BestEffort bool
	// Answers: this step's result (a command to the manager) is the
	// command's answer; the code OK counts as success (the interface is as
	// the object wants it: running already, or not managed any more). It
	// is the plan's last step.
	Answers bool
	OK      ipc.Code
}

// Plan is a command's steps. A plan whose no step Answers answers OK once
// its steps are done and the DHCP drops it sent have finished (an OK from
// disable-if means the addresses are gone).
type Plan struct{ Steps []Step }

// Configs are the two configurations a decision reads: Persist is what the
// store holds, Active what the kernel was given. A Configs is never
// changed in place: Commit returns a new one, so that a listing may read a
// copy while a command runs.
type Configs struct{ Persist, Active *Config }

// NewConfigs returns empty configurations.
func NewConfigs() Configs { return Configs{Persist: NewConfig(), Active: NewConfig()} }

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	n := &Config{Interfaces: maps.Clone(c.Interfaces), Addresses: maps.Clone(c.Addresses)}
	for k, i := range n.Interfaces {
		i.Families = slices.Clone(i.Families)
		n.Interfaces[k] = i
	}
	return n
}

// Commit returns the configurations once step s is carried out, ok when
// it succeeded: what the kernel did not get never becomes active, and an
// object removed leaves the configuration even when its removal failed.
func (c Configs) Commit(s Step, ok bool) Configs {
	switch s.Op {
	case Plumb, AddStatic, StartDHCP, Save:
		if !ok {
			return c
		}
	case Unplumb, RemoveStatic, DropDHCP:
	default:
		return c
	}
	if s.Op == Save {
		return Configs{Persist: s.Config, Active: c.Active}
	}
	a := c.Active.Clone()
	switch s.Op {
	case Plumb:
		a.Interfaces[s.If.Name] = s.If
	case Unplumb:
		if len(s.If.Families) == 0 {
			delete(a.Interfaces, s.If.Name)
		} else {
			a.Interfaces[s.If.Name] = s.If
		}
	case AddStatic, StartDHCP:
		a.Addresses[s.Addr.Object] = s.Addr
	case RemoveStatic, DropDHCP:
		delete(a.Addresses, s.Addr.Object)
	}
	return Configs{Persist: c.Persist, Active: a}
}

// Family is the address family an address object belongs to.
func Family(ad Address) string {
	if ad.Type == Static && ad.Addr.Addr().Is6() {
		return V6
	}
	return V4
}

// configure is the step that makes ad active.
func configure(ad Address, temporary, boot bool) Step {
	if ad.Type == Static {
		return Step{Op: AddStatic, Addr: ad}
	}
	return Step{Op: StartDHCP, Addr: ad, Temporary: temporary, Boot: boot}
}

// removal is the step that takes an active ad out of the kernel.
func removal(ad Address) Step {
	if ad.Type == Static {
		return Step{Op: RemoveStatic, Addr: ad, BestEffort: true}
	}
	return Step{Op: DropDHCP, Addr: ad, BestEffort: true}
}

func union(have, add []string) []string {
	out := slices.Clone(have)
	for _, f := range add {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

func intersect(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(f string) bool { return !slices.Contains(b, f) })
}

func without(have, drop []string) []string {
	return slices.DeleteFunc(slices.Clone(have), func(f string) bool { return slices.Contains(drop, f) })
}
