package main

import (
	"encoding/json"
	"fmt"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
)

// How the ipadm-style verbs (table.go, SPEC §4) check and print.

// okReply prints nothing on success, or {"result": "OK"} with -o json.
func okReply(x call, _ *ipc.Reply) error {
	if x.output == "json" {
		return json.NewEncoder(x.stdout).Encode(map[string]string{"result": "OK"})
	}
	return nil
}

// statusOrOKReply prints the status of a DHCP object's interface, or OK.
func statusOrOKReply(x call, rep *ipc.Reply) error {
	if rep.Status != nil {
		return x.printStatus(rep.Status)
	}
	return okReply(x, rep)
}

// checkCreateAddr: only a DHCP object waits for its lease; a static one
// is created at once.
func checkCreateAddr(x call) error {
	if x.req.Args[ipc.ArgType] != ipadm.DHCP {
		x.req.WaitMs = nil
	}
	return nil
}

// fieldsAnnotation marks commands whose -o may name fields: show-if's and
// show-addr's -o is the global one, "json" for JSON and anything else the
// fields to print, as in ipadm.
const fieldsAnnotation = "fields"

// checkParsable refuses -p without -o FIELDS before asking the agent.
func checkParsable(x call) error {
	if x.on("parsable") && x.output == "" {
		return fmt.Errorf("%w: -p needs -o FIELDS", errUsage)
	}
	return nil
}

// print renders rows as a table, ipadm's parsable form, or JSON.
func (x call) print(all []string, rows [][]string, asJSON any) error {
	if x.output == "json" {
		return json.NewEncoder(x.stdout).Encode(asJSON)
	}
	idx, err := ipadm.SelectFields(all, x.output)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if x.on("parsable") {
		_, err = fmt.Fprint(x.stdout, ipadm.Parsable(idx, rows))
	} else {
		_, err = fmt.Fprint(x.stdout, ipadm.Table(all, idx, rows))
	}
	return err
}

func showIfReply(x call, rep *ipc.Reply) error {
	rows := make([][]string, 0, len(rep.Interfaces))
	for _, i := range rep.Interfaces {
		rows = append(rows, []string{i.Ifname, i.State, i.Current, i.Persistent})
	}
	list := rep.Interfaces
	if list == nil {
		list = []ipc.IfInfo{}
	}
	return x.print(ipadm.IfFields, rows, list)
}

func showAddrReply(x call, rep *ipc.Reply) error {
	rows := make([][]string, 0, len(rep.Addresses))
	for _, a := range rep.Addresses {
		rows = append(rows, []string{a.Addrobj, a.Type, a.State, a.Current, a.Persistent, a.Addr})
	}
	list := rep.Addresses
	if list == nil {
		list = []ipc.AddrInfo{}
	}
	return x.print(ipadm.AddrFields, rows, list)
}
