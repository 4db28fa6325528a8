package daemon_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radish-net/radish/internal/daemon"
)

var fixedTime = time.Date(2026, time.November, 7, 1, 40, 11, 0, time.Local)

func fixedNow() time.Time { return fixedTime }

var pidStr = strconv.Itoa(os.Getpid())

func TestStderrFormats(t *testing.T) {
	tests := []struct {
		method daemon.LogMethod
		log    func(*slog.Logger)
		want   string
	}{
		{daemon.LogStderr, func(l *slog.Logger) { l.Info("version 2.21 started") },
			"[Nov 07 01:40:11] radvd (" + pidStr + "): version 2.21 started\n"},
		{daemon.LogStderr, func(l *slog.Logger) { l.Warn("prefix", "iface", "eth0", "why", "not on link", "n", 3) },
			"[Nov 07 01:40:11] radvd (" + pidStr + "): prefix iface=eth0 why=\"not on link\" n=3\n"},
		{daemon.LogStderrClean, func(l *slog.Logger) { l.Error("can't open x", "err", errors.New("no such file")) },
			"can't open x err=\"no such file\"\n"},
		{daemon.LogStderrClean, func(l *slog.Logger) { l.With("if", "br0").WithGroup("ra").Info("sent", "bytes", 56) },
			"sent if=br0 ra.bytes=56\n"},
		{daemon.LogStderrClean, func(l *slog.Logger) { l.Info("g", slog.Group("p", "len", 64), "empty", "") },
			"g p.len=64 empty=\"\"\n"},
		{daemon.LogNone, func(l *slog.Logger) { l.Error("dropped") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method.String(), func(t *testing.T) {
			var buf bytes.Buffer
			l, out, err := daemon.NewLogger(daemon.LogConfig{Method: tt.method, Stderr: &buf, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			tt.log(l)
			if buf.String() != tt.want {
				t.Errorf("got  %q\nwant %q", buf.String(), tt.want)
			}
		})
	}
}

func TestDebugLevels(t *testing.T) {
	for debug := 0; debug <= 5; debug++ {
		var buf bytes.Buffer
		l, _, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogStderrClean, Debug: debug, Stderr: &buf})
		if err != nil {
			t.Fatal(err)
		}
		l.Info("info")
		for n := 1; n <= 5; n++ {
			l.Log(t.Context(), daemon.DebugLevel(n), "dlog"+strconv.Itoa(n))
		}
		want := "info\n"
		for n := 1; n <= debug; n++ {
			want += "dlog" + strconv.Itoa(n) + "\n"
		}
		if buf.String() != want {
			t.Errorf("debug %d: got %q, want %q", debug, buf.String(), want)
		}
	}
	if daemon.DebugLevel(1) != slog.LevelDebug || daemon.DebugLevel(9) != daemon.DebugLevel(5) {
		t.Error("DebugLevel mapping")
	}
}

// fakeSyslog listens on a unixgram socket in a temp dir, like /dev/log.
func fakeSyslog(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no syslog message: %v", err)
	}
	return string(buf[:n])
}

func expectNone(t *testing.T, c *net.UnixConn) {
	t.Helper()
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := c.Read(buf); err == nil {
		t.Errorf("unexpected syslog message %q", buf[:n])
	}
}

func TestSyslog(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	srv := fakeSyslog(t, sock)
	var stderr bytes.Buffer
	l, out, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogStderrSyslog, SyslogSocket: sock, Stderr: &stderr, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()

	l.Info("version started")
	if got, want := recv(t, srv), "<30>Nov  7 01:40:11 radvd["+pidStr+"]: version started"; got != want {
		t.Errorf("info: got %q, want %q", got, want)
	}
	l.Warn("forwarding off")
	if got, want := recv(t, srv), "<28>Nov  7 01:40:11 radvd["+pidStr+"]: forwarding off"; got != want {
		t.Errorf("warning: got %q, want %q", got, want)
	}
	l.Debug("hidden at debug 0")
	expectNone(t, srv)
	if stderr.Len() != 0 {
		t.Errorf("stderr_syslog wrote non-errors to stderr: %q", stderr.String())
	}
	l.Error("exiting, failed to read config file")
	if got, want := recv(t, srv), "<27>Nov  7 01:40:11 radvd["+pidStr+"]: exiting, failed to read config file"; got != want {
		t.Errorf("error: got %q, want %q", got, want)
	}
	if want := "[Nov 07 01:40:11] radvd (" + pidStr + "): exiting, failed to read config file\n"; stderr.String() != want {
		t.Errorf("stderr_syslog error on stderr: got %q, want %q", stderr.String(), want)
	}

	// syslogd restarts: the socket is replaced, the logger reconnects.
	srv.Close()
	os.Remove(sock)
	srv2 := fakeSyslog(t, sock)
	l.Info("after restart")
	if got := recv(t, srv2); !strings.HasSuffix(got, "]: after restart") {
		t.Errorf("after syslogd restart: got %q", got)
	}
}

func TestSyslogFacilityAndDebug(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	srv := fakeSyslog(t, sock)
	const local0 = 16 << 3
	l, out, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogSyslog, Facility: local0, Debug: 2, SyslogSocket: sock, Ident: "radish"})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	l.Log(t.Context(), daemon.DebugLevel(2), "polling")
	if got := recv(t, srv); !strings.HasPrefix(got, "<135>") || !strings.Contains(got, " radish["+pidStr+"]: polling") {
		t.Errorf("got %q, want local0.debug from radish", got)
	}
	l.Log(t.Context(), daemon.DebugLevel(3), "too verbose")
	expectNone(t, srv)
}

func TestSyslogAbsentAtStart(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	l, out, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogSyslog, SyslogSocket: sock})
	if err != nil {
		t.Fatalf("a missing syslog socket must not stop the daemon: %v", err)
	}
	defer out.Close()
	l.Info("dropped, nobody listens")
	time.Sleep(1100 * time.Millisecond) // past the redial interval
	srv := fakeSyslog(t, sock)
	l.Info("delivered")
	if got := recv(t, srv); !strings.HasSuffix(got, "]: delivered") {
		t.Errorf("got %q", got)
	}
}

func TestLogfileAppendAndReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "radvd.log")
	if err := os.WriteFile(path, []byte("earlier line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, out, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogFile, Logfile: path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	l.Info("one")
	if err := os.Rename(path, path+".1"); err != nil { // logrotate
		t.Fatal(err)
	}
	l.Info("two")
	if err := out.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Info("three")
	prefix := "[Nov 07 01:40:11] radvd (" + pidStr + "): "
	rotated, _ := os.ReadFile(path + ".1")
	if want := "earlier line\n" + prefix + "one\n" + prefix + "two\n"; string(rotated) != want {
		t.Errorf("rotated file %q, want %q", rotated, want)
	}
	current, _ := os.ReadFile(path)
	if want := prefix + "three\n"; string(current) != want {
		t.Errorf("new file %q, want %q", current, want)
	}
	if _, _, err := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogFile, Logfile: filepath.Join(dir, "no", "dir.log")}); err == nil {
		t.Error("unwritable log file accepted")
	}
}

// TestStderrPrefixMatchesRadvd compares the shape of radvd's own stderr
// lines (radvd -c -m stderr) with ours.
func TestStderrPrefixMatchesRadvd(t *testing.T) {
	const radvd = "/usr/sbin/radvd"
	if _, err := os.Stat(radvd); err != nil {
		t.Skip("radvd not installed")
	}
	conf := filepath.Join(t.TempDir(), "ok.conf")
	os.WriteFile(conf, []byte("interface lo { AdvSendAdvert on; };\n"), 0o644)
	cmd := exec.Command(radvd, "-c", "-m", "stderr", "-C", conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("radvd -c: %v: %s", err, stderr.String())
	}
	shape := regexp.MustCompile(`^\[[A-Z][a-z]{2} [0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\] radvd \([0-9]+\): \S`)
	if !shape.MatchString(stderr.String()) {
		t.Fatalf("radvd's line %q does not have the expected shape", stderr.String())
	}
	var ours bytes.Buffer
	l, _, _ := daemon.NewLogger(daemon.LogConfig{Method: daemon.LogStderr, Stderr: &ours})
	l.Info("config file, ok.conf, syntax ok")
	if !shape.MatchString(ours.String()) {
		t.Errorf("ours %q does not match radvd's %q", ours.String(), stderr.String())
	}
}
