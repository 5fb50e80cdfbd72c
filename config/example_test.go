package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestExampleConfig keeps the installed example (dist/dhcpagent.conf) true:
// as shipped it parses, and so does every commented KEY=VALUE line once
// uncommented.
func TestExampleConfig(t *testing.T) {
	const path = "../dist/dhcpagent.conf"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(path, strings.NewReader(string(b))); err != nil {
		t.Errorf("as shipped: %v", err)
	}
	setting := regexp.MustCompile(`(?m)^#([A-Za-z0-9_.-]+=.*)$`)
	lines := setting.FindAllStringSubmatch(string(b), -1)
	if len(lines) < 5 {
		t.Fatalf("only %d example settings in %s", len(lines), path)
	}
	var uncommented strings.Builder
	for _, m := range lines {
		uncommented.WriteString(m[1] + "\n")
	}
	if _, err := Parse(path+" (uncommented)", strings.NewReader(uncommented.String())); err != nil {
		t.Errorf("uncommented: %v", err)
	}
}
