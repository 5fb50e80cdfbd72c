package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEveryKeyDocumented holds docs/config.md and dhcpagent.conf(5) to the
// keys the reader knows: each key has a row in the table of docs/config.md
// with the reader's default, an entry in the man page saying the same
// default, and neither names a key the reader would refuse.
func TestEveryKeyDocumented(t *testing.T) {
	md, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	man, err := os.ReadFile("../man/dhcpagent.conf.5")
	if err != nil {
		t.Fatal(err)
	}
	// | `KEY` | value | default | meaning |
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)` \\|[^|]*\\| ([^|]*) \\|").FindAllStringSubmatch(string(md), -1) {
		rows[m[1]] = strings.TrimSpace(m[2])
	}
	// .B KEY= ... up to the next .TP or section
	entries := map[string]string{}
	for _, m := range regexp.MustCompile(`(?ms)^\.B[IR]? ([A-Z0-9_]+)=(.*?)(?:^\.TP|^\.SH)`).FindAllStringSubmatch(string(man), -1) {
		entries[m[1]] = strings.Join(strings.Fields(m[2]), " ")
	}
	for k, spec := range keys {
		row, ok := rows[k]
		if !ok {
			t.Errorf("docs/config.md has no row for %s", k)
		} else if spec.def != "" && row != spec.def {
			t.Errorf("docs/config.md gives %s the default %q; the reader's is %q", k, row, spec.def)
		}
		entry, ok := entries[k]
		if !ok {
			t.Errorf("dhcpagent.conf.5 has no entry for %s", k)
		} else if spec.def != "" && !strings.Contains(entry, "(default "+spec.def) {
			t.Errorf("dhcpagent.conf.5 does not give %s the default %q: %q", k, spec.def, entry)
		}
	}
	for _, doc := range []map[string]string{rows, entries} {
		for k := range doc {
			if _, ok := keys[k]; !ok {
				t.Errorf("the documentation names %s, which the reader refuses", k)
			}
		}
	}
	if len(rows) < 20 || len(entries) < 20 {
		t.Errorf("read %d rows of docs/config.md and %d entries of the man page: are the patterns right?", len(rows), len(entries))
	}
}
