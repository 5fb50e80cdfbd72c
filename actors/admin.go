package actors

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"go.uber.org/zap"
)

// admin owns interface and address objects (SPEC §4): the persistent
// configuration in the store and the active one in the kernel. Every
// change goes through this one actor, so concurrent commands are
// serialised and the store never holds half an operation. DHCP address
// objects are carried out by the interface actors, through the manager.
type admin struct {
	env     *Env
	manager *actor.PID
	log     *zap.Logger
	persist *ipadm.Config // what the store holds
	active  *ipadm.Config // what is configured now
	closing bool          // the agent is stopping: nothing new is configured
}

// AdminProps is the admin actor's Props.
func AdminProps(env *Env, manager *actor.PID) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &admin{env: env, manager: manager, log: env.Log.Named("ipadm"), active: ipadm.NewConfig()}
	})
}

func (a *admin) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.replay(ctx)
	case *messages.Command:
		if a.closing {
			msg.Answer(ipc.Fail(msg.Req, ipc.ErrShutdown, "agent stopping"))
			return
		}
		r := a.command(ctx, msg)
		if r != nil {
			msg.Answer(r)
		}
	case *messages.Shutdown:
		a.closing = true
		a.shutdown()
		msg.Reply <- &ipc.Reply{Version: ipc.Version}
	}
}

// shutdown removes the temporary static addresses as the agent stops: their
// configuration dies with the agent, so the kernel must not keep addresses
// that no object describes. Persistent ones stay (the next agent re-applies
// them, and they do not blink); DHCP objects are dropped by the manager.
func (a *admin) shutdown() {
	for _, obj := range sortedKeys(a.active.Addresses) {
		ad := a.active.Addresses[obj]
		if _, persistent := a.persist.Addresses[obj]; !persistent && ad.Type == ipadm.Static {
			a.log.Info("removing a temporary address", zap.String("object", obj))
			a.removeStatic(ad)
		}
	}
}

// replay brings up the persistent configuration when the agent starts:
// interfaces enabled, address objects re-created, DHCP ones started (they
// resume their leases).
func (a *admin) replay(ctx actor.Context) {
	a.persist = ipadm.NewConfig()
	if a.env.Store != nil {
		c, err := a.env.Store.LoadIPAdm()
		if err != nil {
			a.log.Error("reading the interface configuration failed", zap.Error(err))
			return
		}
		a.persist = c
	}
	for _, name := range sortedKeys(a.persist.Interfaces) {
		if err := a.enable(ctx, name); err != nil {
			a.log.Warn("persistent interface not enabled", zap.String("iface", name), zap.Error(err))
		}
	}
}

// command carries out one administrative command. It returns the reply, or
// nil when another actor answers (DHCP objects).
func (a *admin) command(ctx actor.Context, c *messages.Command) *ipc.Reply {
	req := c.Req
	args := req.Args
	temporary := args[ipc.ArgTemporary] == "yes"
	a.log.Info("command", zap.String("command", req.Command), zap.String("iface", req.Ifname),
		zap.String("object", args[ipc.ArgObject]), zap.Uint32("uid", c.Caller.UID))
	var err error
	var drops []<-chan *ipc.Reply
	switch req.Command {
	case ipc.CmdCreateIf:
		err = a.createIf(req.Ifname, args[ipc.ArgFamilies], temporary)
	case ipc.CmdDeleteIf:
		drops, err = a.deleteIf(ctx, req.Ifname, args[ipc.ArgFamilies])
	case ipc.CmdEnableIf:
		err = a.enableIf(ctx, req.Ifname)
	case ipc.CmdDisableIf:
		drops, err = a.disableIf(ctx, req.Ifname)
	case ipc.CmdShowIf:
		return a.showIf(req)
	case ipc.CmdCreateAddr:
		return a.createAddr(ctx, c, temporary)
	case ipc.CmdDeleteAddr:
		return a.deleteAddr(ctx, c)
	case ipc.CmdRefreshAddr:
		return a.refreshAddr(ctx, c)
	case ipc.CmdShowAddr:
		a.showAddr(ctx, c)
		return nil
	default:
		return ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command)
	}
	if err != nil {
		return failure(req, err)
	}
	if len(drops) > 0 {
		a.afterDrops(c, drops)
		return nil
	}
	return ipc.OK(req)
}

// afterDrops answers c once the DHCP drops its command caused are done, on
// a goroutine: an OK from disable-if or delete-if means the addresses are
// gone, and nothing the drops overtook can bring them back. The manager
// answers every command it routes; the deadline covers a drop's hook (55 s
// and 3 s to its SIGKILL) and more.
func (a *admin) afterDrops(c *messages.Command, drops []<-chan *ipc.Reply) {
	go func() {
		t := time.NewTimer(shutdownWait + relayGrace)
		defer t.Stop()
		for _, d := range drops {
			select {
			case <-d:
			case <-t.C:
				c.Answer(ipc.Fail(c.Req, ipc.ErrTimeout, "%s on %s: the drop is still in progress", c.Req.Command, c.Req.Ifname))
				return
			}
		}
		c.Answer(ipc.OK(c.Req))
	}()
}

// codedError carries the reply code of an administrative failure.
type codedError struct {
	code ipc.Code
	msg  string
}

func (e *codedError) Error() string { return e.msg }

func fail(code ipc.Code, format string, args ...any) error {
	return &codedError{code: code, msg: sprintf(format, args...)}
}

func failure(req *ipc.Request, err error) *ipc.Reply {
	var ce *codedError
	switch {
	case errors.As(err, &ce):
		return ipc.Fail(req, ce.code, "%s", ce.msg)
	case errors.Is(err, ipadm.ErrInvalidName):
		return ipc.Fail(req, ipc.ErrInvalid, "%v", err)
	case errors.Is(err, transport.ErrNoLink):
		return ipc.Fail(req, ipc.ErrNoLink, "%v", err)
	}
	return ipc.Fail(req, ipc.ErrInternal, "%v", err)
}

// save writes the persistent configuration.
func (a *admin) save() error {
	if a.env.Store == nil {
		return nil
	}
	return a.env.Store.SaveIPAdm(a.persist)
}

// createIf puts a link under management: up, with its families enabled.
func (a *admin) createIf(name, fams string, temporary bool) error {
	if err := ipadm.CheckIfname(name); err != nil {
		return err
	}
	families, err := ipadm.ParseFamilies(fams)
	if err != nil {
		return err
	}
	// Per address family, as illumos: create-if -f v4 then -f v6 adds v6.
	obj := ipadm.Interface{Name: name}
	if act, ok := a.active.Interfaces[name]; ok {
		if slices.ContainsFunc(families, act.Has) {
			return fail(ipc.ErrExists, "interface %s exists", name)
		}
		obj = act
	} else if _, ok := a.persist.Interfaces[name]; ok {
		return fail(ipc.ErrDisabled, "interface %s has a persistent configuration: use enable-if", name)
	}
	obj.Families = append(slices.Clone(obj.Families), families...)
	if err := a.plumb(obj); err != nil {
		return err
	}
	a.active.Interfaces[name] = obj
	if temporary {
		return nil
	}
	per, ok := a.persist.Interfaces[name]
	if !ok {
		per = ipadm.Interface{Name: name}
	}
	for _, f := range families {
		if !per.Has(f) {
			per.Families = append(per.Families, f)
		}
	}
	a.persist.Interfaces[name] = per
	return a.save()
}

// plumb brings the link up with the object's families.
func (a *admin) plumb(obj ipadm.Interface) error {
	st, err := a.env.Admin.State(obj.Name)
	if err != nil {
		return err
	}
	if err := a.env.Admin.SetUp(st.Index, true); err != nil {
		return err
	}
	if obj.Has(ipadm.V6) {
		return a.env.Admin.SetIPv6(obj.Name, true)
	}
	return nil
}

// deleteIf removes the interface (or one family of it) from both
// configurations, with its address objects.
func (a *admin) deleteIf(ctx actor.Context, name, fams string) (drops []<-chan *ipc.Reply, err error) {
	if err := ipadm.CheckIfname(name); err != nil {
		return nil, err
	}
	act, isActive := a.active.Interfaces[name]
	per, isPersist := a.persist.Interfaces[name]
	if !isActive && !isPersist {
		return nil, fail(ipc.ErrNotFound, "interface %s not found", name)
	}
	families := []string{ipadm.V4, ipadm.V6}
	if fams != "" {
		if families, err = ipadm.ParseFamilies(fams); err != nil {
			return nil, err
		}
	}
	gone := func(ad ipadm.Address) bool { return slices.Contains(families, family(ad)) }
	for _, ad := range a.active.AddressesOf(name) {
		if gone(ad) {
			if d := a.unconfigure(ctx, ad); d != nil {
				drops = append(drops, d)
			}
			delete(a.active.Addresses, ad.Object)
		}
	}
	for _, ad := range a.persist.AddressesOf(name) {
		if gone(ad) {
			delete(a.persist.Addresses, ad.Object)
		}
	}
	if isActive {
		hadV6 := act.Has(ipadm.V6)
		act.Families = without(act.Families, families)
		if len(act.Families) == 0 {
			delete(a.active.Interfaces, name)
			a.unplumb(name, hadV6) // a v4-only object never touched IPv6
		} else {
			a.active.Interfaces[name] = act
			if slices.Contains(families, ipadm.V6) {
				a.unplumbV6(name)
			}
		}
	}
	if isPersist {
		per.Families = without(per.Families, families)
		if len(per.Families) == 0 {
			delete(a.persist.Interfaces, name)
		} else {
			a.persist.Interfaces[name] = per
		}
	}
	return drops, a.save()
}

// unplumb takes a link out of IP use: IPv6 off and the link down. A link
// that is gone already needs nothing.
func (a *admin) unplumb(name string, v6 bool) {
	st, err := a.env.Admin.State(name)
	if err != nil {
		return
	}
	if st.Loopback {
		return // the host's loopback stays as it is, managed or not
	}
	if v6 {
		_ = a.env.Admin.SetIPv6(name, false)
	}
	if err := a.env.Admin.SetUp(st.Index, false); err != nil {
		a.log.Warn("setting the link down failed", zap.String("iface", name), zap.Error(err))
	}
}

// unplumbV6 turns IPv6 off on a link that keeps IPv4, except on the
// loopback, whose ::1 the host's own services depend on.
func (a *admin) unplumbV6(name string) {
	if st, err := a.env.Admin.State(name); err == nil && !st.Loopback {
		_ = a.env.Admin.SetIPv6(name, false)
	}
}

func without(have, drop []string) []string {
	return slices.DeleteFunc(slices.Clone(have), func(f string) bool { return slices.Contains(drop, f) })
}

// family is the address family an address object belongs to.
func family(ad ipadm.Address) string {
	if ad.Type == ipadm.Static && ad.Addr.Addr().Is6() {
		return ipadm.V6
	}
	return ipadm.V4
}

func (a *admin) enableIf(ctx actor.Context, name string) error {
	if err := ipadm.CheckIfname(name); err != nil {
		return err
	}
	if _, ok := a.persist.Interfaces[name]; !ok {
		return fail(ipc.ErrNotFound, "interface %s has no persistent configuration", name)
	}
	if _, ok := a.active.Interfaces[name]; ok {
		return fail(ipc.ErrExists, "interface %s is enabled", name)
	}
	return a.enable(ctx, name)
}

// enable replays a persistent interface with its address objects.
func (a *admin) enable(ctx actor.Context, name string) error {
	obj := a.persist.Interfaces[name]
	if err := a.plumb(obj); err != nil {
		return err
	}
	a.active.Interfaces[name] = obj
	for _, ad := range a.persist.AddressesOf(name) {
		if err := a.configure(ctx, ad, nil); err != nil {
			a.log.Warn("address object not enabled", zap.String("object", ad.Object), zap.Error(err))
			continue
		}
		a.active.Addresses[ad.Object] = ad
	}
	return nil
}

func (a *admin) disableIf(ctx actor.Context, name string) (drops []<-chan *ipc.Reply, err error) {
	if err := ipadm.CheckIfname(name); err != nil {
		return nil, err
	}
	obj, ok := a.active.Interfaces[name]
	if !ok {
		return nil, fail(ipc.ErrNotFound, "interface %s is not enabled", name)
	}
	for _, ad := range a.active.AddressesOf(name) {
		if d := a.unconfigure(ctx, ad); d != nil {
			drops = append(drops, d)
		}
		delete(a.active.Addresses, ad.Object)
	}
	delete(a.active.Interfaces, name)
	a.unplumb(name, obj.Has(ipadm.V6))
	return drops, nil
}

// configure applies an address object: a static address through netlink,
// a DHCP one by starting its interface. The DHCP start is answered on
// reply (nil: discarded).
func (a *admin) configure(ctx actor.Context, ad ipadm.Address, c *messages.Command) error {
	st, err := a.env.Admin.State(ad.Ifname)
	if err != nil {
		return err
	}
	if ad.Type == ipadm.Static {
		return a.env.Net.Apply(transport.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
	}
	req := &ipc.Request{Version: ipc.Version, Command: ipc.CmdStart, Ifname: ad.Ifname, WaitMs: &ad.WaitMs,
		Args: map[string]string{ipc.ArgHostname: ad.Hostname}}
	if ad.Primary {
		req.Args[ipc.ArgPrimary] = "yes"
	}
	if _, persistent := a.persist.Addresses[ad.Object]; !persistent {
		// A temporary object's interface is not resumed by the next agent.
		req.Args[ipc.ArgTemporary] = "yes"
	}
	if c != nil {
		req.ID = c.Req.ID
	}
	// An interface already started with agentctl start is what the object
	// describes: RUNNING is success here.
	a.relay(ctx, c, req, ipc.ErrRunning)
	return nil
}

// unconfigure takes an address object out of the kernel: a static address
// removed exactly, a DHCP one dropped. The drop is done when the returned
// channel yields its answer (nil for a static object).
func (a *admin) unconfigure(ctx actor.Context, ad ipadm.Address) <-chan *ipc.Reply {
	if ad.Type == ipadm.Static {
		a.removeStatic(ad)
		return nil
	}
	return a.relay(ctx, nil, &ipc.Request{Version: ipc.Version, Command: ipc.CmdDrop, Ifname: ad.Ifname}, ipc.ErrUnkIf)
}

// removeStatic takes a static address object's address out of the kernel,
// exactly.
func (a *admin) removeStatic(ad ipadm.Address) {
	st, err := a.env.Admin.State(ad.Ifname)
	if err != nil {
		return
	}
	if err := a.env.Net.Remove(transport.AddrConfig{Ifindex: st.Index, Addr: ad.Addr}); err != nil {
		a.log.Warn("removing a static address failed", zap.String("object", ad.Object), zap.Error(err))
	}
}

// relay sends req to the manager as root and passes the answer on to c,
// turning the code ok into success; a success keeps its status. The
// waiting happens on a goroutine, so Receive never blocks, bounded by the
// request's wait: the manager answers every command it routes, but a
// waiter never outlives its caller's patience. With c nil, the manager's
// answer is returned instead, for whoever needs to know it is done (it is
// buffered: nobody has to read it).
func (a *admin) relay(ctx actor.Context, c *messages.Command, req *ipc.Request, ok ipc.Code) <-chan *ipc.Reply {
	answer := make(chan *ipc.Reply, 1)
	fwd := &messages.Command{Req: req, Reply: answer}
	if c != nil {
		fwd.Caller, fwd.Ctx = c.Caller, c.Ctx
	}
	ctx.Send(a.manager, fwd)
	if c == nil {
		return answer
	}
	wait, bounded := req.Wait()
	if !bounded {
		wait = relayMaxWait
	}
	go func() {
		t := time.NewTimer(wait + relayGrace)
		defer t.Stop()
		select {
		case r := <-answer:
			if ok != "" && r.Error == ok {
				r = ipc.OK(req)
			}
			c.Answer(r)
		case <-t.C:
			c.Answer(ipc.Fail(req, ipc.ErrTimeout, "%s on %s still in progress", req.Command, req.Ifname))
		}
	}()
	return nil
}

// relayGrace lets the manager's own answer to a wait that ran out (TIMEOUT
// from the interface) arrive before the relay gives up; relayMaxWait bounds
// a relay whose request waits forever.
const (
	relayGrace   = 5 * time.Second
	relayMaxWait = 24 * time.Hour
)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
