package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// roffText undoes the escapes cobra's man generator writes, so that page
// text compares with --help text.
func roffText(s string) string {
	return strings.NewReplacer(`\-`, "-", `\fB`, "", `\fP`, "", `\fI`, "", `\(aq`, "'", `\\`, `\`).Replace(s)
}

// helpEntries parses a section of `agentctl --help` ("Available Commands:",
// "Flags:") into its lines, trimmed.
func helpEntries(t *testing.T, help, section string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(help, "\n"+section+"\n")
	if !ok {
		t.Fatalf("--help has no %q section:\n%s", section, help)
	}
	var lines []string
	for line := range strings.SplitSeq(rest, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	return lines
}

// TestManPagesMatchHelp generates the pages as `make man` does and holds
// them to `agentctl --help`: a page per command --help lists, whose NAME
// line is the command's summary there, whose OPTIONS are the flags of the
// command's own --help; agentctl(8) lists every command under SEE ALSO and
// carries the exit statuses of `agentctl help exit-codes`; and there is no
// page for a command --help does not show.
func TestManPagesMatchHelp(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := run("gen-man", dir); code != 0 {
		t.Fatalf("gen-man: exit %d: %s", code, errOut)
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return roffText(string(b))
	}
	_, help, _ := run("--help")
	root := read("agentctl.8")
	_, seeAlso, _ := strings.Cut(root, ".SH SEE ALSO")

	want := map[string]bool{"agentctl.8": true}
	for _, entry := range helpEntries(t, help, "Available Commands:") {
		name, short, _ := strings.Cut(entry, " ")
		short = strings.TrimSpace(short)
		if name == "help" {
			continue // cobra's help command has no page
		}
		page := "agentctl-" + name + ".8"
		want[page] = true
		text := read(page)
		if !strings.Contains(text, ".SH NAME\nagentctl-"+name+" - "+short+"\n") {
			t.Errorf("%s: NAME is not %q from --help:\n%.300s", page, short, text)
		}
		if !strings.Contains(seeAlso, "agentctl-"+name+"(8)") {
			t.Errorf("agentctl.8 SEE ALSO lacks %s", page)
		}
		_, sub, _ := run(name, "--help")
		_, opts, _ := strings.Cut(text, ".SH OPTIONS\n")
		opts, _, _ = strings.Cut(opts, ".SH OPTIONS INHERITED")
		for _, flag := range helpEntries(t, sub, "Flags:") {
			long := regexp.MustCompile(`--[a-z-]+`).FindString(flag)
			if !strings.Contains(opts, long) {
				t.Errorf("%s: OPTIONS lack %s of `agentctl %s --help`", page, long, name)
			}
		}
	}
	for _, flag := range helpEntries(t, help, "Flags:") {
		long := regexp.MustCompile(`--[a-z-]+`).FindString(flag)
		if !strings.Contains(root, long) {
			t.Errorf("agentctl.8 lacks the global flag %s", long)
		}
	}
	_, codes, _ := run("help", "exit-codes")
	_, exits, _ := strings.Cut(root, ".SH EXIT STATUS\n")
	for _, line := range strings.Split(strings.TrimSpace(codes), "\n")[1:] {
		f := strings.Fields(line)
		if !strings.Contains(exits, ".TP\n"+f[0]+"\n") {
			t.Errorf("agentctl.8 EXIT STATUS lacks %s (%s)", f[0], line)
		}
	}

	pages, _ := filepath.Glob(filepath.Join(dir, "*.8"))
	for _, p := range pages {
		if name := filepath.Base(p); !want[name] && !strings.HasPrefix(name, "agentctl-completion-") {
			t.Errorf("%s is a page for no command of --help", name)
		}
	}
	if len(want) < 20 {
		t.Errorf("--help lists only %d commands", len(want)-1)
	}
}
