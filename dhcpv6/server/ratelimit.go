package server

import (
	"hash/maphash"
	"net/netip"
	"time"
)

// Rate limiting (the server must not become an amplifier for spoofed
// sources): a token bucket per client address (a direct message's source
// address, a Relay-forward's innermost peer-address) and one global
// bucket, each kept as a GCRA "theoretical arrival time", which is an
// exact token bucket in one integer. A bucket with rate r per second and
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
	start   time.Time
	seed    maphash.Seed
	src     gcra
	global  gcra
	gtat    int64
	tick    uint64   // counts lookups: the LRU clock
	buckets []bucket // limiterSets × limiterWays, nil when per-source is off
}

func newLimiter(perRate, perBurst, globalRate, globalBurst int) *limiter {
	l := &limiter{
		start:  time.Now(),
		seed:   maphash.MakeSeed(),
		src:    newGCRA(perRate, perBurst),
		global: newGCRA(globalRate, globalBurst),
	}
	if l.src.enabled() {
		l.buckets = make([]bucket, limiterSets*limiterWays)
	}
	return l
}

// allow reports whether a packet from client src may be answered, and if
// not, whether the per-source bucket refused it.
func (l *limiter) allow(src netip.Addr) (ok, perSource bool) {
	if l == nil || (!l.src.enabled() && !l.global.enabled()) {
		return true, false
	}
	now := int64(time.Since(l.start))
	if l.src.enabled() {
		if !l.src.take(l.lookup(src), now) {
			return false, true
		}
	}
	if l.global.enabled() && !l.global.take(&l.gtat, now) {
		return false, false
	}
	return true, false
}

// lookup returns the bucket state for src, claiming the least recently
// used entry of its set if src has none.
func (l *limiter) lookup(src netip.Addr) *int64 {
	l.tick++
	now := l.tick
	a := src.As16()
	h := maphash.Bytes(l.seed, a[:])
	set := l.buckets[int(h%limiterSets)*limiterWays:][:limiterWays]
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
