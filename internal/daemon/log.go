package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode"
)

// Syslog constants (RFC 3164 section 4.1.1; values of <syslog.h>).
const (
	// FacilityDaemon is LOG_DAEMON as radvd's --facility takes it: shifted.
	FacilityDaemon = 3 << 3
	// DefaultSyslogSocket is the local syslog socket.
	DefaultSyslogSocket = "/dev/log"

	sevErr     = 3
	sevWarning = 4
	sevInfo    = 6
	sevDebug   = 7
)

// DebugLevel maps radvd's debug level n (1..5, 5 the most verbose) to the
// slog level of messages shown from that level on: 1 is slog.LevelDebug,
// each further level one step below. Log a radvd "dlog(..., 3, ...)"
// message at DebugLevel(3).
func DebugLevel(n int) slog.Level {
	return slog.LevelDebug - slog.Level(min(max(n, 1), 5)-1)
}

// LogConfig configures NewLogger.
type LogConfig struct {
	Method  LogMethod
	Logfile string // for LogFile
	// Facility is the syslog facility code, already shifted as radvd's
	// --facility takes it; 0 means FacilityDaemon.
	Facility int
	// Debug is radvd's -d level: 0 shows informational messages and above,
	// 1..5 add debug messages down to DebugLevel(Debug).
	Debug int
	// Ident prefixes every line and syslog message; "" means "radvd".
	Ident string
	// SyslogSocket is the syslog datagram socket; "" means /dev/log.
	SyslogSocket string
	// Stderr receives the stderr methods' output; nil means os.Stderr.
	Stderr io.Writer
	// Now timestamps lines; nil uses each record's time.
	Now func() time.Time
}

// NewLogger returns a logger writing as radvd's log method does, and the
// Output behind it, which the caller closes on exit and reopens on SIGHUP
// (after log rotation). Formats:
//
//	stderr, logfile  [Nov 27 01:40:11] radvd (8278): message key=value
//	stderr_clean     message key=value
//	syslog           <30>Nov 27 01:40:11 radvd[8278]: message key=value
//
// Syslog messages go to the local socket in the RFC 3164 layout glibc's
// syslog(3) uses (no hostname), written by this package rather than
// log/syslog: log/syslog only uses that layout for the sockets it finds
// itself, so it could not be pointed at a test socket, and it fails when
// /dev/log is absent, whereas a daemon started before syslogd must keep
// running and reconnect. stderr_syslog sends everything to syslog and
// errors to stderr as well. Create the logger before Chroot: the syslog
// socket stays connected, but reconnecting after a syslogd restart needs
// the socket path inside the chroot.
func NewLogger(c LogConfig) (*slog.Logger, *Output, error) {
	o := &Output{cfg: c, pid: os.Getpid()}
	if o.cfg.Ident == "" {
		o.cfg.Ident = "radvd"
	}
	if o.cfg.Facility == 0 {
		o.cfg.Facility = FacilityDaemon
	}
	if o.cfg.Stderr == nil {
		o.cfg.Stderr = os.Stderr
	}
	switch c.Method {
	case LogFile:
		f, err := openLogfile(c.Logfile)
		if err != nil {
			return nil, nil, err
		}
		o.file = f
	case LogSyslog, LogStderrSyslog:
		path := c.SyslogSocket
		if path == "" {
			path = DefaultSyslogSocket
		}
		o.sys = &syslogConn{path: path}
		o.sys.dial()
	case LogStderr, LogStderrClean, LogNone:
	default:
		return nil, nil, fmt.Errorf("log method %v: %w", c.Method, ErrUnknownLogMethod)
	}
	minLevel := slog.LevelInfo
	if c.Debug > 0 {
		minLevel = DebugLevel(c.Debug)
	}
	return slog.New(&handler{out: o, min: minLevel}), o, nil
}

func openLogfile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't open %s: %w", path, err)
	}
	return f, nil
}

// Output is the destination behind a logger made by NewLogger. It is safe
// for concurrent use.
type Output struct {
	cfg    LogConfig
	pid    int
	mu     sync.Mutex
	file   *os.File
	pinned bool // Reopen keeps the open file (see Pin)
	sys    *syslogConn
	buf    []byte
}

// Reopen reopens the log file (a no-op for other methods) so that a
// rotated file is released; call it on SIGHUP. On error the old file stays
// in use.
func (o *Output) Reopen() error {
	if o.cfg.Method != LogFile {
		return nil
	}
	o.mu.Lock()
	pinned := o.pinned
	o.mu.Unlock()
	if pinned {
		return nil
	}
	f, err := openLogfile(o.cfg.Logfile)
	if err != nil {
		return err
	}
	o.mu.Lock()
	old := o.file
	o.file = f
	o.mu.Unlock()
	return old.Close()
}

// Pin makes Reopen keep the open log file. Call it after a chroot: the
// file's path now names something else, and holding a handle on a
// directory outside the chroot (to reopen through it) would let the
// process climb out of it.
func (o *Output) Pin() {
	o.mu.Lock()
	o.pinned = true
	o.mu.Unlock()
}

// Close releases the log file or syslog socket.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var err error
	if o.file != nil {
		err = o.file.Close()
		o.file = nil
	}
	if o.sys != nil {
		o.sys.close()
	}
	return err
}

func severity(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return sevErr
	case l >= slog.LevelWarn:
		return sevWarning
	case l >= slog.LevelInfo:
		return sevInfo
	}
	return sevDebug
}

// emit writes one formatted message (without newline) at level l.
func (o *Output) emit(l slog.Level, t time.Time, msg []byte) {
	if o.cfg.Now != nil {
		t = o.cfg.Now()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.cfg.Method
	if m == LogSyslog || m == LogStderrSyslog {
		b := append(o.buf[:0], '<')
		b = strconv.AppendInt(b, int64(o.cfg.Facility|severity(l)), 10)
		b = append(b, '>')
		b = t.AppendFormat(b, time.Stamp)
		b = append(b, ' ')
		b = append(b, o.cfg.Ident...)
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(o.pid), 10)
		b = append(b, "]: "...)
		b = append(b, msg...)
		o.sys.write(b)
		o.buf = b
		if m == LogSyslog || severity(l) > sevErr {
			return
		}
		m = LogStderr
	}
	var w io.Writer
	switch m {
	case LogStderr, LogStderrClean:
		w = o.cfg.Stderr
	case LogFile:
		if o.file == nil {
			return
		}
		w = o.file
	default:
		return
	}
	b := o.buf[:0]
	if m != LogStderrClean {
		b = append(b, '[')
		b = t.AppendFormat(b, "Jan 02 15:04:05")
		b = append(b, "] "...)
		b = append(b, o.cfg.Ident...)
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(o.pid), 10)
		b = append(b, "): "...)
	}
	b = append(b, msg...)
	b = append(b, '\n')
	w.Write(b)
	o.buf = b
}

// handler is the slog.Handler of NewLogger: text attributes appended to
// the message as key=value.
type handler struct {
	out    *Output
	min    slog.Level
	attrs  []byte // preformatted " k=v" of WithAttrs
	prefix string // group prefix "g1.g2."
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.min && h.out.cfg.Method != LogNone
}

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	b := make([]byte, 0, len(r.Message)+len(h.attrs)+64)
	b = append(b, r.Message...)
	b = append(b, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		b = appendAttr(b, h.prefix, a)
		return true
	})
	h.out.emit(r.Level, r.Time, b)
	return nil
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append([]byte(nil), h.attrs...)
	for _, a := range as {
		n.attrs = appendAttr(n.attrs, h.prefix, a)
	}
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.prefix = h.prefix + name + "."
	return &n
}

func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			b = appendAttr(b, prefix, g)
		}
		return b
	}
	b = append(b, ' ')
	b = append(b, prefix...)
	b = append(b, a.Key...)
	b = append(b, '=')
	s := a.Value.String()
	if needsQuote(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r == '=' || r == '"' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
	}
	return false
}
