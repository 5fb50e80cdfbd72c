package main

import (
	"fmt"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/spf13/cobra"
)

// A verb is one agentctl command as data: the request it sends (SPEC §3,
// §4), where its operands and flags go in that request, and how the reply
// is printed. (*cli).command builds the cobra command from it, so that
// every verb parses, checks and sends the same way.
type verb struct {
	use, short, long string
	command          string // the IPC command sent
	operand          operand
	flags            []flag
	// fields marks show-if and show-addr, whose -o may name fields.
	fields bool
	// check, when set, refuses a request before it is sent: a usage
	// error is never a round trip to the agent.
	check func(call) error
	// send, when set, replaces the one request and reply (start of several
	// interfaces, watch, version).
	send func(call) error
	// reply prints the agent's answer.
	reply func(call, *ipc.Reply) error
}

// call is one run of a verb: the command line parsed, the request built.
type call struct {
	*cli
	cmd  *cobra.Command
	req  *ipc.Request
	args []string
	values
}

// operand says how many positional arguments a verb takes and what they
// name in the request.
type operand int

const (
	noOperand  operand = iota
	anIf               // IF: Ifname
	maybeIf            // [IF]: Ifname, "" for the primary or every interface
	someIfs            // IF [IF...]: one request per IF
	anObject           // IF/NAME: the object argument
	maybeObj           // [IF/NAME|IF/]: the object argument
	anOption           // CODE|NAME: the option argument
	anyOperand         // whatever send makes of it
)

// arity is the fewest and most operands (-1: no limit).
func (o operand) arity() (least, most int) {
	switch o {
	case noOperand:
		return 0, 0
	case anIf, anObject, anOption:
		return 1, 1
	case maybeIf, maybeObj:
		return 0, 1
	case someIfs:
		return 1, -1
	}
	return 0, -1
}

// place puts the operand into the request.
func (o operand) place(req *ipc.Request, args []string) {
	if len(args) == 0 {
		return
	}
	switch o {
	case anIf, maybeIf, someIfs:
		req.Ifname = args[0]
	case anObject, maybeObj:
		req.Args[ipc.ArgObject] = args[0]
	case anOption:
		req.Args[ipc.ArgOption] = args[0]
	}
}

// target is where a flag's value goes.
type target int

const (
	toArg    target = iota // the request argument flag.arg; a bool sends "yes"
	toIfname               // the request's interface
	toWait                 // wait_ms, from seconds or forever
	toPrint                // only how the reply is printed
)

// flag is one flag of a verb: a string flag, or a bool when boolean.
type flag struct {
	name, short, usage string
	def                string // a string flag's default
	boolean            bool
	to                 target
	arg                string // the ipc.Arg* of a toArg flag
}

// values are the flags as given, by name.
type values struct {
	strs  map[string]*string
	bools map[string]*bool
}

func (v values) str(name string) string { return *v.strs[name] }
func (v values) on(name string) bool    { return *v.bools[name] }

// command builds the cobra command of a verb.
func (c *cli) command(vb verb) *cobra.Command {
	v := values{strs: map[string]*string{}, bools: map[string]*bool{}}
	least, most := vb.operand.arity()
	cmd := &cobra.Command{
		Use:   vb.use,
		Short: vb.short,
		Long:  vb.long,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < least || most >= 0 && len(args) > most {
				return fmt.Errorf("%w: %s", errUsage, cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := vb.request(args, v)
			if err != nil {
				return err
			}
			x := call{cli: c, cmd: cmd, req: req, args: args, values: v}
			if vb.check != nil {
				if err := vb.check(x); err != nil {
					return err
				}
			}
			if vb.send != nil {
				return vb.send(x)
			}
			rep, err := c.do(cmd, req)
			if err != nil {
				return err
			}
			return vb.reply(x, rep)
		},
	}
	for _, f := range vb.flags {
		if f.boolean {
			v.bools[f.name] = cmd.Flags().BoolP(f.name, f.short, false, f.usage)
		} else {
			v.strs[f.name] = cmd.Flags().StringP(f.name, f.short, f.def, f.usage)
		}
		if f.short == "h" {
			// -h is the verb's own (create-addr's host name, as in
			// ipadm): help keeps only its long form.
			cmd.Flags().Bool("help", false, "help for "+cmd.Name())
		}
	}
	if vb.fields {
		cmd.Annotations = map[string]string{fieldsAnnotation: "yes"}
	}
	return cmd
}

// request is the request a verb sends for args and flags v. Empty values
// are left out: to the agent they mean the same as none.
func (vb verb) request(args []string, v values) (*ipc.Request, error) {
	req := &ipc.Request{Command: vb.command, Args: map[string]string{}}
	vb.operand.place(req, args)
	for _, f := range vb.flags {
		val := ""
		if f.boolean {
			val = yes(v.on(f.name))
		} else {
			val = v.str(f.name)
		}
		switch f.to {
		case toArg:
			if val != "" {
				req.Args[f.arg] = val
			}
		case toIfname:
			req.Ifname = val
		case toWait:
			ms, err := parseWait(val)
			if err != nil {
				return nil, err
			}
			req.WaitMs = &ms
		}
	}
	if len(req.Args) == 0 {
		req.Args = nil
	}
	return req, nil
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
