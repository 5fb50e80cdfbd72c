package main

import "github.com/dhcpagent/dhcpagent/ipc"

// Flags several verbs share.
var (
	temporaryFlag = flag{name: "temporary", short: "t", boolean: true, arg: ipc.ArgTemporary,
		usage: "active configuration only: gone after a restart"}
	parsableFlag = flag{name: "parsable", short: "p", boolean: true, to: toPrint,
		usage: "print machine-parsable output (needs -o FIELDS)"}
)

// verbs are agentctl's commands: the lease verbs in the manner of illumos
// `ifconfig IF dhcp VERB` (SPEC §3), then the ipadm-style ones (SPEC §4).
var verbs = []verb{
	{
		use:   "start IF [IF...]",
		short: "Start DHCP on each IF; reply when bound or when the wait runs out",
		long: "start puts IF under DHCP control and acquires a lease. It answers when the\n" +
			"interface is bound, or with TIMEOUT when --wait runs out; acquisition goes on.\n" +
			"On an IPv6-only network (RFC 8925 option 108, with IPV6_ONLY_PREFERRED=yes) it\n" +
			"answers at once with state V6ONLY and the time DHCPv4 resumes.\n" +
			"Several interfaces are started together; the exit status is that of the first\n" +
			"one that failed.",
		command: ipc.CmdStart, operand: someIfs,
		flags: []flag{
			{name: "wait", short: "w", def: "120", to: toWait, usage: "seconds to wait for the lease, or forever"},
			{name: "primary", boolean: true, arg: ipc.ArgPrimary,
				usage: "make IF the primary interface (an empty IF then means it)"},
		},
		check: checkStart, send: sendStart,
	},
	{
		use: "status [IF]", short: "Show the state of one managed interface, or of all",
		long: "status shows the state, counters, address and lease times of IF, or of every\n" +
			"managed interface. For one IF it then lists its latest refusals and failures\n" +
			"(at most 8, oldest first): replies or routes refused and exchanges failed, each\n" +
			"with its time, reason and detail; -o json has them as \"refusals\".",
		command: ipc.CmdStatus, operand: maybeIf, reply: statusesReply,
	},
	{
		use: "extend IF", short: "Renew IF's lease now; answer after the server's ACK",
		command: ipc.CmdExtend, operand: anIf, reply: statusReply,
	},
	{
		use: "inform IF", short: "Ask for configuration for IF's static address (DHCPINFORM)",
		command: ipc.CmdInform, operand: anIf, reply: statusReply,
	},
	{
		use: "drop IF", short: "Stop managing IF and remove its address; the server keeps the lease",
		command: ipc.CmdDrop, operand: anIf, reply: statusReply,
	},
	{
		use: "release IF", short: "Give IF's lease back to the server and remove its address",
		command: ipc.CmdRelease, operand: anIf, reply: statusReply,
	},
	{
		use: "ping [IF]", short: "Check that the agent manages IF (the primary interface without IF)",
		command: ipc.CmdPing, operand: maybeIf, reply: pingReply,
	},
	{
		use:   "info [-i IF] [-c] CODE|NAME",
		short: "Print an option of the lease, one value per line, like dhcpinfo",
		long: "info prints an option from the latest ACK of IF's lease, or from its first ACK.\n" +
			"The option is a code (1-254), a name (subnet-mask, router, dns, domain, hostname,\n" +
			"lease-time, server-id, t1, t2, mtu, ntp, broadcast, domain-search, classless-routes,\n" +
			"vendor, class-id, message, bootfile, tftp-server, fqdn, v6only), vendor:N for\n" +
			"sub-option N of option 43, or field:OFFSET:LEN for bytes of the packet.\n" +
			"The values are the server's: each byte that is not printable text (control\n" +
			"characters, escape sequences, bytes that are not UTF-8) prints as \\xNN and a\n" +
			"backslash as \\\\; -o json prints the exact value with such runes as \\uXXXX.",
		command: ipc.CmdInfo, operand: anOption,
		flags: []flag{
			{name: "interface", short: "i", to: toIfname, usage: "interface (default: the primary)"},
			{name: "hex", short: "c", boolean: true, to: toPrint, usage: "print the raw value in hex"},
		},
		reply: infoReply,
	},
	{
		use: "watch", short: "Print state changes and events of every interface until interrupted",
		operand: noOperand, send: sendWatch,
	},
	{
		use:   "version",
		short: "Show agentctl's version and the running agent's",
		long: "version prints agentctl's own version, then asks the agent for its version.\n" +
			"When the agent is not running, agentctl's version is still printed and the\n" +
			"exit status is that of NOTRUNNING (2).",
		command: ipc.CmdVersion, operand: noOperand, send: sendVersion,
	},

	{
		use:     "create-if [-t] [-f v4|v6] IF",
		short:   "Put a link under management: up, with its address families (persistent unless -t)",
		command: ipc.CmdCreateIf, operand: anIf,
		flags: []flag{temporaryFlag,
			{name: "family", short: "f", arg: ipc.ArgFamilies, usage: "v4 or v6 (default both)"}},
		reply: okReply,
	},
	{
		use:     "delete-if [-f v4|v6] IF",
		short:   "Remove an interface and its address objects from the active and persistent configuration",
		command: ipc.CmdDeleteIf, operand: anIf,
		flags: []flag{{name: "family", short: "f", arg: ipc.ArgFamilies, usage: "only this family: v4 or v6"}},
		reply: okReply,
	},
	{
		use:     "enable-if IF",
		short:   "Bring a persistent interface and its address objects into the active configuration",
		command: ipc.CmdEnableIf, operand: anIf, reply: okReply,
	},
	{
		use:     "disable-if IF",
		short:   "Take an interface out of the active configuration, keeping the persistent one",
		command: ipc.CmdDisableIf, operand: anIf, reply: okReply,
	},
	{
		use:   "show-if [-p] [-o FIELDS|json] [IF]",
		short: "Show interfaces: IFNAME STATE CURRENT PERSISTENT",
		long: "show-if lists the managed interfaces. STATE is ok, down (link down), failed (no carrier)\n" +
			"or disabled (persistent only). CURRENT flags: b broadcast, m multicast, p point-to-point,\n" +
			"v virtual, 4 and 6 the enabled families. PERSISTENT: the persisted families.",
		command: ipc.CmdShowIf, operand: maybeIf, flags: []flag{parsableFlag}, fields: true,
		check: checkParsable, reply: showIfReply,
	},
	{
		use: "create-addr [-t] -T static -a ADDR/PLEN IF/NAME | create-addr [-t] -T dhcp [-w SECS|forever] " +
			"[-h HOST] [--primary] IF/NAME",
		short:   "Create a static or DHCP address object (persistent unless -t)",
		command: ipc.CmdCreateAddr, operand: anObject,
		flags: []flag{temporaryFlag,
			{name: "type", short: "T", arg: ipc.ArgType, usage: "static or dhcp"},
			{name: "address", short: "a", arg: ipc.ArgAddress, usage: "ADDR/PLEN of a static object"},
			{name: "wait", short: "w", def: "120", to: toWait, usage: "seconds to wait for a DHCP lease, or forever"},
			{name: "hostname", short: "h", arg: ipc.ArgHostname, usage: "host name DHCP asks for (option 12)"},
			{name: "primary", boolean: true, arg: ipc.ArgPrimary, usage: "make the interface the primary one"},
		},
		check: checkCreateAddr, reply: statusOrOKReply,
	},
	{
		use:     "delete-addr [-r] IF/NAME",
		short:   "Delete an address object: a static address is removed, a DHCP lease dropped (or released with -r)",
		command: ipc.CmdDeleteAddr, operand: anObject,
		flags: []flag{{name: "release", short: "r", boolean: true, arg: ipc.ArgRelease,
			usage: "release the DHCP lease instead of dropping it"}},
		reply: okReply,
	},
	{
		use:     "refresh-addr [-i] IF/NAME",
		short:   "Renew a DHCP object's lease; with -i, send INFORM for a static object",
		command: ipc.CmdRefreshAddr, operand: anObject,
		flags: []flag{{name: "inform", short: "i", boolean: true, arg: ipc.ArgInform,
			usage: "send DHCPINFORM for a static address object"}},
		reply: statusOrOKReply,
	},
	{
		use:   "show-addr [-p] [-o FIELDS|json] [IF/NAME|IF/]",
		short: "Show address objects: ADDROBJ TYPE STATE CURRENT PERSISTENT ADDR",
		long: "show-addr lists address objects. STATE is ok, tentative (being acquired or checked),\n" +
			"duplicate, down, or disabled (persistent only). CURRENT and PERSISTENT are U when the\n" +
			"object is in that configuration. ADDR is ? for a DHCP object not yet bound.",
		command: ipc.CmdShowAddr, operand: maybeObj, flags: []flag{parsableFlag}, fields: true,
		check: checkParsable, reply: showAddrReply,
	},
}
