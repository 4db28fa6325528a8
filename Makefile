# radish — IPv6 router advertisements and stateless DHCPv6 in one small daemon.

GO          ?= go
BIN         := bin/radish
FUZZTIME    ?= 10s
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS        := ./...
TESTFLAGS   ?=

.PHONY: all build deps test test-short bench fuzz lint demo clean

# Debian packages the end-to-end tests and the demo use as real peers.
DEPS := iproute2 procps radvd ndisc6 isc-dhcp-client dhcpcd isc-dhcp-relay wide-dhcpv6-client tshark

all: build

VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

build:
	CGO_ENABLED=0 $(GO) build -trimpath \
	  -ldflags='-s -w -X github.com/radish-net/radish/internal/serve.buildVersion=$(VERSION)' \
	  -o $(BIN) ./cmd/radish

# Install the missing DEPS (as root, on Debian). A policy-rc.d is put in
# place only for the installation, so that no package starts its service
# (radvd, dhcrelay, ...) on this machine.
deps:
	@if [ "$$(id -u)" != 0 ]; then echo "deps: not root: not installing packages (end-to-end tests will skip)"; exit 0; fi; \
	missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] && exit 0; \
	echo "deps: installing$$missing"; \
	ours=""; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; ours=1; fi; \
	rc=0; DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || rc=$$?; \
	[ -n "$$ours" ] && rm -f /usr/sbin/policy-rc.d; exit $$rc

# Unit tests, oracle tests, allocation tests, and (as root) the end-to-end
# tests in network namespaces. The seed corpora of every fuzz target run too.
test: deps build
	$(GO) test -count=1 $(TESTFLAGS) $(PKGS)

# Without the end-to-end tests.
test-short:
	$(GO) test -short -count=1 $(PKGS)

# Side-by-side benchmarks: radish against the reference libraries.
bench:
	$(GO) run ./bench/cmd/benchreport

# Every fuzz target for FUZZTIME each (a duration such as 10s, or an
# execution count such as 20000x); see fuzz/run.sh.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) fuzz/run.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) -checks all,-ST1000,-ST1003 $(PKGS)

demo: deps build
	./demo/demo.sh

clean:
	rm -rf bin

# radish as a drop-in /usr/sbin/radvd: a real file (not a symlink), so that
# /proc/PID/exe reads /usr/sbin/radvd. A real radvd found there is kept as
# radvd.radvd-orig (radish is recognised by its module path inside the
# binary); uninstall-radvd puts it back.
RADVD_DST    = $(DESTDIR)/usr/sbin/radvd
RADVD_BACKUP = $(RADVD_DST).radvd-orig
RADISH_MARK  = github.com/radish-net/radish/internal/radvdmode

.PHONY: install-radvd uninstall-radvd

install-radvd: build
	@set -e; dst='$(RADVD_DST)'; bak='$(RADVD_BACKUP)'; \
	mkdir -p "$$(dirname "$$dst")"; \
	if [ -e "$$dst" -o -L "$$dst" ] && ! grep -qaF '$(RADISH_MARK)' "$$dst"; then \
	  echo "keeping the existing radvd as $$bak"; mv -f "$$dst" "$$bak"; \
	fi; \
	install -m 0755 $(BIN) "$$dst.radish-new"; mv -f "$$dst.radish-new" "$$dst"; \
	echo "installed $(BIN) as $$dst"

uninstall-radvd:
	@set -e; dst='$(RADVD_DST)'; bak='$(RADVD_BACKUP)'; \
	if [ -e "$$dst" ] && ! grep -qaF '$(RADISH_MARK)' "$$dst"; then \
	  echo "$$dst is not radish; left alone"; exit 0; \
	fi; \
	if [ -e "$$bak" -o -L "$$bak" ]; then mv -f "$$bak" "$$dst"; echo "restored $$dst from $$bak"; \
	else rm -f "$$dst"; echo "removed $$dst (no backup to restore)"; fi

# Many-links scale benchmark (root): radish and radvd side by side on N veth
# links each, one result line per run. See bench/scale/README.md.
SCALE_N        ?= 512 2048
SCALE_DURATION ?= 60s

.PHONY: bench-scale
bench-scale: build
	@set -e; for n in $(SCALE_N); do for impl in radish radvd; do \
	  $(GO) run ./bench/scale/cmd/scale -n $$n -impl $$impl -duration $(SCALE_DURATION) -radish $(BIN); \
	done; done
