package version

import "testing"

func TestPick(t *testing.T) {
	for _, tc := range []struct{ linker, module, want string }{
		{"v1.2.3-4-gabcdef", "v1.0.0", "v1.2.3-4-gabcdef"},
		{"", "v1.0.0", "v1.0.0"},
		{"", "(devel)", Default},
		{"", "", Default},
	} {
		if got := pick(tc.linker, tc.module); got != tc.want {
			t.Errorf("pick(%q, %q) = %q, want %q", tc.linker, tc.module, got, tc.want)
		}
	}
}

func TestStringWithoutLinkerVersion(t *testing.T) {
	// A test binary is built without -X and without a module version.
	if Version == "" && String() != Default {
		t.Errorf("String() = %q, want %q", String(), Default)
	}
}
