// Package safetext makes text from outside the agent (option values from a
// DHCP server, names from the kernel) safe to hand to a hook's environment
// or to print on a terminal (SPEC §5; issue 12).
//
// Escape keeps printable Unicode as it is and writes every other byte as
// \xNN: NUL (which would stop exec), newlines (which would plant extra
// lines in anything that reads the environment line by line), C0 and C1
// control characters and DEL (terminal escape sequences), Unicode format
// characters such as the bidi overrides, and bytes that are not UTF-8. A
// backslash is written \\ so that the escaping can be undone without
// ambiguity. The result is at most a given number of bytes long, cut
// between two escapes, never inside one.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Escape returns s with every byte that is not printable text written as
// \xNN and every backslash as \\, cut to at most max bytes (no limit when
// max <= 0).
func Escape(s string, max int) string {
	if Safe(s) && (max <= 0 || len(s) <= max) {
		return s
	}
	var b strings.Builder
	put := func(piece string) bool {
		if max > 0 && b.Len()+len(piece) > max {
			return false
		}
		b.WriteString(piece)
		return true
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var piece string
		switch {
		case r == '\\':
			piece = `\\`
		case r == utf8.RuneError && size <= 1, !unicode.IsPrint(r):
			var e []byte
			for _, c := range []byte(s[i : i+size]) {
				e = append(e, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			piece = string(e)
		default:
			piece = s[i : i+size]
		}
		if !put(piece) {
			break
		}
		i += size
	}
	return b.String()
}

// Safe reports whether s is printable UTF-8 text without a backslash,
// which Escape returns unchanged.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\\' || (r == utf8.RuneError && size <= 1) || !unicode.IsPrint(r) {
			return false
		}
		i += size
	}
	return true
}
