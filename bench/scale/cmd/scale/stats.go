package main

import (
	"math"
	"slices"
	"time"
)

// summary is what the receiver saw, reduced to the reported figures.
type summary struct {
	links  int // links in the lab
	withRA int // links that received at least one RA during the run

	// Time from daemon start to the first RA on each link that got one:
	// the last such link, the median and the 99th percentile (nearest
	// rank over the links that got one).
	firstLast, firstP50, firstP99 time.Duration

	// RAs per link per minute inside the steady-state window: the mean
	// over all links, its nearest-rank 1st percentile, median and maximum,
	// and the number of links that got none in the window.
	rateMean, rateP1, rateP50, rateMax float64
	silent                             int
	inWindow                           int // RAs inside the window, all links
}

// summarize reduces per-link arrival times (since daemon start) to a
// summary, counting RAs in the window [from, to).
func summarize(arrivals [][]time.Duration, from, to time.Duration) summary {
	s := summary{links: len(arrivals)}
	if s.links == 0 || to <= from {
		return s
	}
	minutes := (to - from).Minutes()
	firsts := make([]time.Duration, 0, len(arrivals))
	rates := make([]float64, 0, len(arrivals))
	for _, ts := range arrivals {
		if len(ts) > 0 {
			firsts = append(firsts, slices.Min(ts))
		}
		n := 0
		for _, t := range ts {
			if t >= from && t < to {
				n++
			}
		}
		if n == 0 {
			s.silent++
		}
		s.inWindow += n
		rates = append(rates, float64(n)/minutes)
	}
	s.withRA = len(firsts)
	if len(firsts) > 0 {
		slices.Sort(firsts)
		s.firstLast = firsts[len(firsts)-1]
		s.firstP50 = firsts[rank(len(firsts), 0.50)]
		s.firstP99 = firsts[rank(len(firsts), 0.99)]
	}
	slices.Sort(rates)
	s.rateMean = float64(s.inWindow) / minutes / float64(s.links)
	s.rateP1 = rates[rank(len(rates), 0.01)]
	s.rateP50 = rates[rank(len(rates), 0.50)]
	s.rateMax = rates[len(rates)-1]
	return s
}

// rank is the index of the nearest-rank q-quantile of n sorted values.
func rank(n int, q float64) int {
	i := int(math.Ceil(q*float64(n))) - 1
	return max(0, min(i, n-1))
}
