# The two commands of the README: `make demo` and `make test`. Both install
# what they need (scripts/deps.sh) and build the binaries first.
GO      ?= go
BIN     := bin
PKGS    := ./...
# The version both binaries report (agent --version, agentctl version):
# `git describe`, or 0.0.0-dev outside a git checkout.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
LDFLAGS := -X github.com/dhcpagent/dhcpagent/version.Version=$(VERSION)

# Installed layout (SPEC §7). DESTDIR stages it (packages, tests);
# PREFIX=/usr/local keeps it out of the distribution's files. The
# configuration lives in /etc whatever the prefix.
DESTDIR    ?=
PREFIX     ?= /usr
SBINDIR    := $(PREFIX)/sbin
BINDIR     := $(PREFIX)/bin
MANDIR     := $(PREFIX)/share/man
DOCDIR     := $(PREFIX)/share/doc/dhcpagent
UNITDIR    := $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc

.PHONY: all build deps test unit integration demo fuzz fuzz-short vet bench clean man install uninstall deb

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/agent ./cmd/agentctl

deps:
	bash scripts/deps.sh

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags integration ./test/integration/
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 $(PKGS)

# Integration tests need root: they build network namespaces and run the
# real binaries against dnsmasq and Kea.
integration: deps build
	$(GO) test -race -count=1 -tags integration -timeout 20m -parallel 8 ./test/integration/ -v

# CI (make test) fuzzes every target briefly, after the unit tests have
# run each one's seeds.
test: vet unit fuzz-short integration

# Every fuzz target for FUZZ_TIME each (default 200000x executions; the
# long campaign of docs/design.md sets it higher), its figures in
# bin/fuzz-summary.txt. Counts, not durations: Go 1.26's coordinator can
# fail a duration-bound run with "context deadline exceeded" at its end,
# having found nothing (golang/go#75804, fixed in Go 1.27); a count has no
# deadline.
FUZZ_TIME ?= 200000x
fuzz:
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) bash scripts/fuzz.sh

fuzz-short:
	GO=$(GO) FUZZ_TIME=20000x bash scripts/fuzz.sh

demo: deps build
	bash scripts/demo.sh

# The agent against dhcpcd and udhcpc on one testbed: BENCH_N interfaces
# (default 100; try BENCH_N=1000), BENCH_RUNS runs of each row (default 3).
bench: build
	bash scripts/deps.sh bench
	bash scripts/bench.sh

# Man pages: agentctl's generated from its commands' help (cobra), the
# daemon's and the configuration file's written by hand in man/.
MANOUT ?= $(BIN)/man
man: build
	rm -rf $(MANOUT)
	$(BIN)/agentctl gen-man $(MANOUT)
	cp man/dhcpagent.8 man/dhcpagent.conf.5 $(MANOUT)/

install: man
	install -D -m 0755 $(BIN)/agent $(DESTDIR)$(SBINDIR)/dhcpagent
	install -D -m 0755 $(BIN)/agentctl $(DESTDIR)$(BINDIR)/agentctl
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MANOUT)/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MANOUT)/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/dhcpagent.service >$(DESTDIR)$(UNITDIR)/dhcpagent.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/dhcpagent.service
	install -D -m 0644 dist/dhcpagent.conf $(DESTDIR)$(DOCDIR)/examples/dhcpagent.conf
	install -D -m 0755 dist/eventhook.example $(DESTDIR)$(DOCDIR)/examples/eventhook
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/dhcpagent
	@# An existing configuration is the operator's: never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/dhcpagent/dhcpagent.conf || \
	  install -m 0644 dist/dhcpagent.conf $(DESTDIR)$(SYSCONFDIR)/dhcpagent/dhcpagent.conf

# uninstall removes what install put there, except the configuration
# and the state in /var/lib/dhcpagent.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/dhcpagent $(DESTDIR)$(BINDIR)/agentctl
	rm -f $(DESTDIR)$(MANDIR)/man8/dhcpagent.8 $(DESTDIR)$(MANDIR)/man8/agentctl.8 \
	  $(DESTDIR)$(MANDIR)/man8/agentctl-*.8 $(DESTDIR)$(MANDIR)/man5/dhcpagent.conf.5
	rm -f $(DESTDIR)$(UNITDIR)/dhcpagent.service
	rm -rf $(DESTDIR)$(DOCDIR)

# The Debian package, built with nfpm (pinned; `go run` builds it once into
# the Go cache) from the layout make install stages in $(PKGSTAGE)/root,
# into $(DEBDIR). A Debian version must start with a digit: see
# scripts/debversion.sh.
NFPM        ?= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
DEB_VERSION  = $(shell sh scripts/debversion.sh '$(VERSION)')
DEB_ARCH     = $(shell $(GO) env GOARCH)
PKGSTAGE    ?= $(BIN)/deb
DEBDIR      ?= $(BIN)

deb:
	rm -rf $(PKGSTAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(PKGSTAGE))/root PREFIX=/usr MANOUT=$(PKGSTAGE)/man
	mkdir -p $(PKGSTAGE)/scripts $(DEBDIR)
	cp dist/deb/postinst dist/deb/prerm dist/deb/postrm $(PKGSTAGE)/scripts/
	cd $(PKGSTAGE) && DEB_VERSION='$(DEB_VERSION)' DEB_ARCH='$(DEB_ARCH)' \
	  $(NFPM) package --config $(CURDIR)/dist/nfpm.yaml --packager deb --target $(abspath $(DEBDIR))/

clean:
	rm -rf $(BIN)
