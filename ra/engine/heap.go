package engine

import (
	"container/heap"
	"time"
)

// timerKind says what a timer entry does when it fires.
type timerKind uint8

const (
	timerAdvert timerKind = iota // next unsolicited multicast RA
	timerAnswer                  // pending solicited answer(s)
	timerMaint                   // forwarding check and lifetime housekeeping
	numTimers
)

// timerEntry is one deadline of one link in the engine's timer heap. Each
// link owns numTimers entries for its whole life; scheduling one moves it
// in the heap and never allocates.
type timerEntry struct {
	when  time.Time
	link  *link
	kind  timerKind
	index int // position in the heap, -1 when not scheduled
}

// timerHeap is a min-heap of entries ordered by deadline.
type timerHeap []*timerEntry

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when.Before(h[j].when) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) Push(x any) {
	e := x.(*timerEntry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}

// schedule sets e's deadline, inserting it or moving it in the heap.
func (h *timerHeap) schedule(e *timerEntry, when time.Time) {
	e.when = when
	if e.index >= 0 {
		heap.Fix(h, e.index)
		return
	}
	heap.Push(h, e)
}

// cancel removes e from the heap if it is scheduled.
func (h *timerHeap) cancel(e *timerEntry) {
	if e.index >= 0 {
		heap.Remove(h, e.index)
	}
}

// scheduled reports whether e is in the heap.
func (e *timerEntry) scheduled() bool { return e.index >= 0 }

// appendBefore appends to dst every entry due at or before t, in heap
// order. Those entries form a subtree at the root, so only they and
// their children are visited.
func (h timerHeap) appendBefore(dst []*timerEntry, t time.Time) []*timerEntry {
	start := len(dst)
	if len(h) == 0 || h[0].when.After(t) {
		return dst
	}
	dst = append(dst, h[0])
	for i := start; i < len(dst); i++ {
		for _, c := range [2]int{2*dst[i].index + 1, 2*dst[i].index + 2} {
			if c < len(h) && !h[c].when.After(t) {
				dst = append(dst, h[c])
			}
		}
	}
	return dst
}

// head returns the earliest entry, or nil.
func (h timerHeap) head() *timerEntry {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}
