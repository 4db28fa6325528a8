# radish — IPv6 router advertisements and stateless DHCPv6 in one small daemon.

GO          ?= go
BIN         := bin/radish
FUZZTIME    ?= 10s
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS        := ./...
TESTFLAGS   ?=

.PHONY: all build test test-short bench fuzz lint demo clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/radish

# Unit tests, oracle tests, allocation tests, and (as root) the end-to-end
# tests in network namespaces. The seed corpora of every fuzz target run too.
test: build
	$(GO) test -count=1 $(TESTFLAGS) $(PKGS)

# Without the end-to-end tests.
test-short:
	$(GO) test -short -count=1 $(PKGS)

# Side-by-side benchmarks: radish against the reference libraries.
bench:
	$(GO) run ./bench/cmd/benchreport

# Every fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) -checks all,-ST1000,-ST1003 $(PKGS)

demo: build
	./demo/demo.sh

clean:
	rm -rf bin
