package safetext

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"example.com", "example.com"},
		{"", ""},
		{"a b", "a b"},
		{"évian.fr", "évian.fr"},
		{"a\x00b", `a\x00b`},
		{"x\nDHCP_ROUTERS=6.6.6.6", `x\x0aDHCP_ROUTERS=6.6.6.6`},
		{"\r\t", `\x0d\x09`},
		{"\x1b]0;pwned\x07\x1b[2J", `\x1b]0;pwned\x07\x1b[2J`},
		{"\x7f", `\x7f`},
		{"\u009b31m", `\xc2\x9b31m`},             // C1 CSI
		{"evil\u202etxt", `evil\xe2\x80\xaetxt`}, // bidi override
		{"\xff\xfe", `\xff\xfe`},                 // not UTF-8
		{`a\x00`, `a\\x00`},                      // a backslash is escaped too
		{"\xe2\x82", `\xe2\x82`},                 // a truncated rune
		{"\ufffd", "\ufffd"},                     // a real U+FFFD is text
	} {
		if got := Escape(c.in, 0); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := unescape(t, Escape(c.in, 0)); got != c.in {
			t.Errorf("unescape(Escape(%q)) = %q", c.in, got)
		}
	}
}

func TestEscapeCap(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"abcdef", 4, "abcd"},
		{"ab\x00cd", 4, "ab"},     // the escape does not fit whole
		{"ab\x00cd", 6, `ab\x00`}, // it fits
		{"aé", 2, "a"},            // never half a rune
		{`a\`, 2, "a"},
	} {
		if got := Escape(c.in, c.max); got != c.want {
			t.Errorf("Escape(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// unescape undoes Escape, so the tests can prove nothing is lost.
func unescape(t testing.TB, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			n, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				t.Fatalf("bad escape in %q at %d", s, i)
			}
			b.WriteByte(byte(n))
			i += 3
		default:
			t.Fatalf("lone backslash in %q at %d", s, i)
		}
	}
	return b.String()
}

// FuzzEscape: whatever the input, the output is printable UTF-8 within
// the cap, a prefix of the whole escaping, and undoes to the input.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"example.com", "a\x00b", "x\nY=1", "\x1b[2J", "\u009b", "\u202e", "\xff", `\\x00`, "é"} {
		f.Add(s, 0)
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 1 << 12
		got := Escape(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q: not UTF-8", s, got)
		}
		for _, r := range got {
			if !unicode.IsPrint(r) {
				t.Fatalf("Escape(%q) = %q: holds %U", s, got, r)
			}
		}
		if max > 0 && len(got) > max {
			t.Fatalf("Escape(%q, %d) is %d bytes", s, max, len(got))
		}
		whole := Escape(s, 0)
		if !strings.HasPrefix(whole, got) {
			t.Fatalf("Escape(%q, %d) = %q is not a prefix of %q", s, max, got, whole)
		}
		if back := unescape(t, whole); back != s {
			t.Fatalf("unescape(Escape(%q)) = %q", s, back)
		}
		if Safe(s) != (whole == s) {
			t.Fatalf("Safe(%q) = %v but Escape gives %q", s, Safe(s), whole)
		}
	})
}
