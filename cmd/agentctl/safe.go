package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dhcpagent/dhcpagent/safetext"
)

// Option values come from whatever server answered, and info prints them
// on the operator's terminal: an escape sequence in a domain name must
// not retitle the window, clear the screen or hide a line (issue 12).

// terminalText is s as info prints it: printable text as it is, anything
// else escaped as \xNN (and a backslash as \\), see package safetext.
func terminalText(s string) string { return safetext.Escape(s, 0) }

// encodeTerminalJSON writes v as one line of JSON whose text is safe on a
// terminal: encoding/json already escapes the C0 controls, so what is
// left, DEL, the C1 controls and other non-printable runes, is written as
// \uXXXX, which any JSON reader decodes to the same string.
func encodeTerminalJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		// Outside its strings JSON holds only printable ASCII and
		// whitespace, so any rune escaped here is inside a string.
		if r == utf8.RuneError || r < 0x80 && r != 0x7f || unicode.IsPrint(r) {
			out.Write(b[:size])
		} else if r1, r2 := utf16.EncodeRune(r); r1 != unicode.ReplacementChar {
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		} else {
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		b = b[size:]
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}
