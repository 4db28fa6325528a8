package daemon

import (
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
)

// Event is a control-plane request delivered by a signal.
type Event uint8

// The events radvd's signals stand for.
const (
	// Reload (SIGHUP): reread the configuration; keep the old one serving
	// if the new one fails to parse. Also reopen the log file.
	Reload Event = iota + 1
	// Terminate (SIGTERM): send the final advertisements, remove the
	// pidfile if it is still ours, exit 0.
	Terminate
	// Interrupt (SIGINT): as Terminate.
	Interrupt
	// ResetLifetimes (SIGUSR1): reset DecrementLifetimes counters.
	ResetLifetimes
)

var eventNames = [...]string{"", "reload", "terminate", "interrupt", "reset-lifetimes"}

// String returns the event's name, such as "reload".
func (e Event) String() string {
	if int(e) < len(eventNames) && e != 0 {
		return eventNames[e]
	}
	return "Event(" + strconv.Itoa(int(e)) + ")"
}

// Signals turns SIGHUP, SIGTERM, SIGINT and SIGUSR1 into Events for the
// daemon's main loop. While it runs those signals no longer have their
// default effect (termination).
type Signals struct {
	c   chan os.Signal
	out chan Event
}

// NotifySignals starts delivering events; call Stop to restore the
// default signal behaviour.
func NotifySignals() *Signals {
	s := &Signals{c: make(chan os.Signal, 8), out: make(chan Event)}
	signal.Notify(s.c, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	go s.run()
	return s
}

// Events returns the channel of events, in signal order. When the main
// loop falls behind, a Reload or ResetLifetimes arriving while the same
// event is still pending is merged into it; terminations are never
// merged. The channel is closed after Stop.
func (s *Signals) Events() <-chan Event { return s.out }

// Stop stops delivery and restores the signals' default behaviour.
func (s *Signals) Stop() {
	signal.Stop(s.c)
	close(s.c)
}

func (s *Signals) run() {
	defer close(s.out)
	var queue []Event
	for {
		var out chan Event
		var next Event
		if len(queue) > 0 {
			out, next = s.out, queue[0]
		}
		select {
		case sig, ok := <-s.c:
			if !ok {
				return
			}
			e := signalEvent(sig)
			if e == 0 || (e == Reload || e == ResetLifetimes) && slices.Contains(queue, e) {
				continue
			}
			queue = append(queue, e)
		case out <- next:
			queue = queue[1:]
		}
	}
}

func signalEvent(sig os.Signal) Event {
	switch sig {
	case syscall.SIGHUP:
		return Reload
	case syscall.SIGTERM:
		return Terminate
	case syscall.SIGINT:
		return Interrupt
	case syscall.SIGUSR1:
		return ResetLifetimes
	}
	return 0
}
