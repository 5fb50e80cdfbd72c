package ipadm

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrInvalidName is wrapped by every name error; the agent answers INVALID.
var ErrInvalidName = errors.New("invalid name")

// CheckIfname accepts a Linux interface name: 1 to 15 bytes, no '/', no
// whitespace (the kernel's dev_valid_name).
func CheckIfname(name string) error {
	switch {
	case name == "" || len(name) > 15:
		return fmt.Errorf("%w: interface name %q must be 1 to 15 bytes", ErrInvalidName, name)
	case name == "." || name == "..":
		return fmt.Errorf("%w: interface name %q", ErrInvalidName, name)
	case strings.ContainsFunc(name, func(r rune) bool { return r == '/' || r == ':' || unicode.IsSpace(r) || r == 0 }):
		return fmt.Errorf("%w: interface name %q contains '/', ':' or whitespace", ErrInvalidName, name)
	}
	return nil
}

// ParseAddrObj splits an address object name IF/NAME, where NAME is 1 to
// 32 letters, digits or '_'.
func ParseAddrObj(s string) (ifname, name string, err error) {
	ifname, name, ok := strings.Cut(s, "/")
	if !ok {
		return "", "", fmt.Errorf("%w: address object %q is not IF/NAME", ErrInvalidName, s)
	}
	if err := CheckIfname(ifname); err != nil {
		return "", "", err
	}
	if name == "" || len(name) > 32 || strings.ContainsFunc(name, func(r rune) bool {
		return !(r == '_' || r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) {
		return "", "", fmt.Errorf("%w: address object name %q must be 1 to 32 letters, digits or '_'", ErrInvalidName, name)
	}
	return ifname, name, nil
}
