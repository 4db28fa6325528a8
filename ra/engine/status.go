package engine

import (
	"errors"
	"net/netip"
	"slices"
	"time"
)

// LinkStatus is the state of one link as reported by Status.
type LinkStatus struct {
	Name          string
	Index         int
	Configured    bool   // a stanza matches the link
	Served        bool   // advertising now
	Up            bool   // the link is up
	Transport     string // "kernel", "packet" or "" while not served
	Source        netip.Addr
	NextRA        time.Time // next unsolicited RA; zero if none is scheduled
	RAsSent       uint64    // RA packets sent on this link
	ForwardingOff bool      // advertising Router Lifetime 0 because forwarding is off
	Prefixes      []netip.Prefix
	Withdrawn     []netip.Prefix // RFC 9096 prefixes being withdrawn
	Packets       int            // RAs per advertisement (more than 1 when split)
}

// ErrNotRunning is returned by Status when the engine's loop is not running.
var ErrNotRunning = errors.New("engine: not running")

// Status returns the state of every known link, sorted by name. It is
// answered by the event loop (control plane; it allocates).
func (e *Engine) Status() ([]LinkStatus, error) {
	if !e.running.Load() {
		return nil, ErrNotRunning
	}
	reply := make(chan []LinkStatus, 1)
	select {
	case e.statusCh <- reply:
	case <-e.done:
		return nil, ErrNotRunning
	}
	return <-reply, nil
}

func (e *Engine) status() []LinkStatus {
	out := make([]LinkStatus, 0, len(e.links))
	for _, l := range e.links {
		s := LinkStatus{
			Name: l.k.Name, Index: l.k.Index, Configured: l.cfg != nil, Served: l.served, Up: l.k.Up,
			RAsSent: l.sent,
		}
		if l.served {
			s.Transport = transportName(l.transport)
			s.Source = l.src
			s.ForwardingOff = l.fwdOff && l.cfg.RA.ForwardingCheck
			if t := &l.timers[timerAdvert]; t.scheduled() {
				s.NextRA = t.when
			}
			if l.tmpl != nil {
				s.Packets = len(l.tmpl.pkts)
				for _, p := range l.tmpl.prefixes {
					if p.withdrawn {
						s.Withdrawn = append(s.Withdrawn, p.prefix)
					} else {
						s.Prefixes = append(s.Prefixes, p.prefix)
					}
				}
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b LinkStatus) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return a.Index - b.Index
	})
	return out
}
