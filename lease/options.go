package lease

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// optionNames are the names operators use for common options, in
// PARAM_REQUEST_LIST and `agentctl info` (after illumos dhcpinfo and the
// dhcpcd option names).
var optionNames = map[string]uint8{
	"subnet-mask":      1,
	"router":           3,
	"dns":              6,
	"hostname":         12,
	"domain":           15,
	"mtu":              26,
	"broadcast":        28,
	"static-routes":    33,
	"ntp":              42,
	"vendor":           43,
	"netbios-ns":       44,
	"requested-ip":     50,
	"lease-time":       51,
	"message-type":     53,
	"server-id":        54,
	"message":          56,
	"t1":               58,
	"t2":               59,
	"class-id":         60,
	"client-id":        61,
	"tftp-server":      66,
	"bootfile":         67,
	"fqdn":             81,
	"v6only":           108,
	"domain-search":    119,
	"classless-routes": 121,
}

// OptionCode parses an option given by number (1-254) or by name.
func OptionCode(s string) (uint8, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := optionNames[s]; ok {
		return c, nil
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil || n == 0 || n == 255 {
		return 0, fmt.Errorf("unknown option %q", s)
	}
	return uint8(n), nil
}

// OptionCodes parses a comma-separated list of options.
func OptionCodes(s string) ([]dhcpv4.OptionCode, error) {
	var out []dhcpv4.OptionCode
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		c, err := OptionCode(f)
		if err != nil {
			return nil, err
		}
		out = append(out, dhcpv4.GenericOptionCode(c))
	}
	return out, nil
}
