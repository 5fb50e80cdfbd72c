# The two commands of the README: `make demo` and `make test`. Both install
# what they need (scripts/deps.sh) and build the binaries first.
GO      ?= go
BIN     := bin
PKGS    := ./...
# The version both binaries report (agent --version, agentctl version):
# `git describe`, or 0.0.0-dev outside a git checkout.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
LDFLAGS := -X github.com/dhcpagent/dhcpagent/version.Version=$(VERSION)

.PHONY: all build deps test unit integration demo fuzz vet bench clean

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

test: vet unit integration

# A short run of every fuzz target, seeds included.
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list 'Fuzz.*' $$pkg | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s $$pkg || exit 1; \
	  done; \
	done

demo: deps build
	bash scripts/demo.sh

# The agent against dhcpcd and udhcpc on one testbed: BENCH_N interfaces
# (default 100; try BENCH_N=1000).
bench: build
	bash scripts/deps.sh bench
	bash scripts/bench.sh

clean:
	rm -rf $(BIN)
