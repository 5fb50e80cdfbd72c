package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// printInfo prints rep as `agentctl [-o json] info [-c]` would.
func printInfo(t *testing.T, output string, hex bool, rep *ipc.Reply) string {
	t.Helper()
	var out bytes.Buffer
	x := call{cli: &cli{stdout: &out, output: output}, values: values{bools: map[string]*bool{"hex": &hex}}}
	if err := infoReply(x, rep); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestInfoEscapes: a server's option text never reaches the terminal as
// a control sequence, in either output, and JSON still decodes to the
// server's value.
func TestInfoEscapes(t *testing.T) {
	evil := "a\x1b]0;owned\x07\x1b[2J\u009b31m\x7f\u202eb\nc"
	rep := &ipc.Reply{Values: []string{evil, "example.com"}, Raw: "61\x1b"}
	text := printInfo(t, "", false, rep)
	if want := `a\x1b]0;owned\x07\x1b[2J\xc2\x9b31m\x7f\xe2\x80\xaeb\x0ac` + "\nexample.com\n"; text != want {
		t.Errorf("info printed %q, want %q", text, want)
	}
	if hex := printInfo(t, "", true, rep); hex != `61\x1b`+"\n" {
		t.Errorf("info -c printed %q", hex)
	}
	js := printInfo(t, "json", false, rep)
	for _, out := range []string{text, js} {
		for _, r := range strings.TrimSuffix(out, "\n") {
			if r != '\n' && !unicode.IsPrint(r) {
				t.Errorf("output %q holds %U", out, r)
			}
		}
	}
	var got struct {
		Values []string
		Raw    string
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("%q: %v", js, err)
	}
	if len(got.Values) != 2 || got.Values[0] != evil || got.Raw != rep.Raw {
		t.Errorf("JSON %q decodes to %q, want the server's values", js, got)
	}
	if js := printInfo(t, "json", false, &ipc.Reply{Values: []string{"198.18.0.1"}, Raw: "c6120001"}); js != `{"raw":"c6120001","values":["198.18.0.1"]}`+"\n" {
		t.Errorf("plain JSON changed: %q", js)
	}
	if js := printInfo(t, "json", false, &ipc.Reply{Values: []string{"\U000e0001"}}); js != `{"raw":"","values":["\udb40\udc01"]}`+"\n" {
		t.Errorf("a tag character outside the BMP: %q", js)
	}
}
