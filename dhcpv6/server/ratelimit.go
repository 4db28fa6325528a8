package server

import (
	"hash/maphash"
	"net/netip"
	"time"
)

// Rate limiting (the server must not become an amplifier for spoofed
// sources): a token bucket per client address (a direct message's source
// address, a Relay-forward's innermost peer-address), a token bucket per
// relay (a Relay-forward's source address, where the Relay-reply goes:
// the sender picks the peer-addresses, so without it one spoofed source
// could draw unlimited replies to its victim), and one global bucket, each
// kept as a GCRA "theoretical arrival time", which is an exact token
// bucket in one integer. A bucket with rate r per second and
// burst b lets b packets through at once and refills one token every
// 1/r s.
//
// Per-source buckets live in a fixed table of limiterSets sets of
// limiterWays entries (4-way set associative, keyed by a seeded hash of
// the address), allocated once: memory is bounded and nothing is allocated
// per packet. A source not in its set replaces the entry of that set that
// was used least recently; an evicted source starts again with a full
// bucket when it returns. Evicting needs limiterWays other sources hashing
// to the same set within the time those entries take to refill, so a
// flood of spoofed sources can evict honest ones, but then the global
// bucket bounds what the server sends.

const (
	limiterSets = 1024
	limiterWays = 4
)

type bucket struct {
	tat   int64 // theoretical arrival time, ns since limiter start
	valid bool
	addr  [16]byte
	used  uint64 // limiter.tick at the last use, for eviction
}

type gcra struct {
	interval int64 // ns per token
	tau      int64 // burst tolerance: interval × burst
}

func newGCRA(rate, burst int) gcra {
	if rate <= 0 {
		return gcra{}
	}
	if burst < 1 {
		burst = 1
	}
	iv := int64(time.Second) / int64(rate)
	if iv < 1 {
		iv = 1
	}
	return gcra{interval: iv, tau: iv * int64(burst)}
}

func (g gcra) enabled() bool { return g.interval > 0 }

// take consumes one token from the bucket whose state is *tat at time now.
func (g gcra) take(tat *int64, now int64) bool {
	t := max(*tat, now) + g.interval
	if t-now > g.tau {
		return false
	}
	*tat = t
	return true
}

// limiter is used by one socket loop only; it is not safe for concurrent
// use. Server.Reload replaces it (through an atomic pointer) with a new
// one, never changing one in use.
type limiter struct {
	start        time.Time
	seed         maphash.Seed
	src          gcra
	relay        gcra
	global       gcra
	gtat         int64
	tick         uint64   // counts lookups: the LRU clock
	buckets      []bucket // clients: limiterSets × limiterWays, nil when per-source is off
	relayBuckets []bucket // relays: likewise, nil when per-relay is off
}

// refusal says which bucket refused a packet.
type refusal uint8

const (
	allowed refusal = iota
	byClient
	byRelay
	byGlobal
)

func newLimiter(perRate, perBurst, relayRate, relayBurst, globalRate, globalBurst int) *limiter {
	l := &limiter{
		start:  time.Now(),
		seed:   maphash.MakeSeed(),
		src:    newGCRA(perRate, perBurst),
		relay:  newGCRA(relayRate, relayBurst),
		global: newGCRA(globalRate, globalBurst),
	}
	if l.src.enabled() {
		l.buckets = make([]bucket, limiterSets*limiterWays)
	}
	if l.relay.enabled() {
		l.relayBuckets = make([]bucket, limiterSets*limiterWays)
	}
	return l
}

// allow reports whether a packet from client src may be answered; relay,
// when valid, is the address of the relay that sent it (and receives the
// answer). The relay's bucket is charged first, then the client's, then
// the global one; a refusal leaves the later buckets untouched.
func (l *limiter) allow(src, relay netip.Addr) refusal {
	if l == nil || (!l.src.enabled() && !l.relay.enabled() && !l.global.enabled()) {
		return allowed
	}
	now := int64(time.Since(l.start))
	if relay.IsValid() && l.relay.enabled() && !l.relay.take(l.lookup(l.relayBuckets, relay), now) {
		return byRelay
	}
	if l.src.enabled() && !l.src.take(l.lookup(l.buckets, src), now) {
		return byClient
	}
	if l.global.enabled() && !l.global.take(&l.gtat, now) {
		return byGlobal
	}
	return allowed
}

// lookup returns the bucket state for src in table, claiming the least
// recently used entry of its set if src has none.
func (l *limiter) lookup(table []bucket, src netip.Addr) *int64 {
	l.tick++
	now := l.tick
	a := src.As16()
	h := maphash.Bytes(l.seed, a[:])
	set := table[int(h%limiterSets)*limiterWays:][:limiterWays]
	victim := 0
	for i := range set {
		b := &set[i]
		if b.valid && b.addr == a {
			b.used = now
			return &b.tat
		}
		if !b.valid {
			victim = i
		} else if set[victim].valid && b.used < set[victim].used {
			victim = i
		}
	}
	b := &set[victim]
	*b = bucket{valid: true, addr: a, used: now}
	return &b.tat
}
