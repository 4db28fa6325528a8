package radvdcli_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/radish-net/radish/internal/daemon"
	"github.com/radish-net/radish/internal/radvdcli"
)

func defaults() radvdcli.Options {
	return radvdcli.Options{
		Config:    "/etc/radvd.conf",
		Pidfile:   "/var/run/radvd.pid",
		LogMethod: daemon.LogStderrSyslog,
		Logfile:   "/var/log/radvd.log",
		Facility:  24,
	}
}

func with(f func(*radvdcli.Options)) radvdcli.Options {
	o := defaults()
	f(&o)
	return o
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args string
		want radvdcli.Options
	}{
		{"defaults", "", defaults()},
		{"nova", "-C /var/lib/nova/networks/nova-br100.conf -p /var/lib/nova/networks/nova-br100.pid -m syslog", with(func(o *radvdcli.Options) {
			o.Config = "/var/lib/nova/networks/nova-br100.conf"
			o.Pidfile = "/var/lib/nova/networks/nova-br100.pid"
			o.LogMethod = daemon.LogSyslog
		})},
		{"neutron", "-C /var/lib/neutron/ra/r1.radvd.conf -p /var/lib/neutron/external/pids/r1.pid.radvd -m syslog -u neutron", with(func(o *radvdcli.Options) {
			o.Config = "/var/lib/neutron/ra/r1.radvd.conf"
			o.Pidfile = "/var/lib/neutron/external/pids/r1.pid.radvd"
			o.LogMethod = daemon.LogSyslog
			o.Username = "neutron"
		})},
		{"attached short args", "-d1 -Cfile -mstderr_clean", with(func(o *radvdcli.Options) {
			o.Debug, o.Config, o.LogMethod = 1, "file", daemon.LogStderrClean
		})},
		{"separate short args", "-d 3 -l /tmp/l -m logfile", with(func(o *radvdcli.Options) {
			o.Debug, o.Logfile, o.LogMethod = 3, "/tmp/l", daemon.LogFile
		})},
		{"long equals", "--debug=2 --config=/c --pidfile=/p --logmethod=stderr", with(func(o *radvdcli.Options) {
			o.Debug, o.Config, o.Pidfile, o.LogMethod = 2, "/c", "/p", daemon.LogStderr
		})},
		{"long separate", "--debug 4 --logfile /l --username u --chrootdir /t", with(func(o *radvdcli.Options) {
			o.Debug, o.Logfile, o.Username, o.Chroot = 4, "/l", "u", "/t"
		})},
		{"long prefixes", "--fac 16 --logm none --nod --configt --pid /p --user u --ch /t --deb 1", with(func(o *radvdcli.Options) {
			o.Facility, o.LogMethod, o.NoDaemon, o.ConfigTest, o.Pidfile = 16, daemon.LogNone, true, true, "/p"
			o.Username, o.Chroot, o.Debug = "u", "/t", 1
		})},
		{"exact long beats prefix", "--config /c", with(func(o *radvdcli.Options) { o.Config = "/c" })},
		{"clustered flags", "-nc", with(func(o *radvdcli.Options) { o.NoDaemon, o.ConfigTest = true, true })},
		{"cluster ending in arg option", "-ncC/x", with(func(o *radvdcli.Options) {
			o.NoDaemon, o.ConfigTest, o.Config = true, true, "/x"
		})},
		{"cluster then separate arg", "-cd 5", with(func(o *radvdcli.Options) { o.ConfigTest, o.Debug = true, 5 })},
		{"argument may start with dash", "-C -n", with(func(o *radvdcli.Options) { o.Config = "-n" })},
		{"long argument may start with dash", "--debug -c", defaults()},
		{"double dash ends options", "-n -- -c -x", with(func(o *radvdcli.Options) { o.NoDaemon, o.Args = true, []string{"-c", "-x"} })},
		{"non-options are permuted", "extra -n more", with(func(o *radvdcli.Options) { o.NoDaemon, o.Args = true, []string{"extra", "more"} })},
		{"lone dash is a non-option", "- -n", with(func(o *radvdcli.Options) { o.NoDaemon, o.Args = true, []string{"-"} })},
		{"obsolete -s ignored", "-s -n", with(func(o *radvdcli.Options) { o.NoDaemon = true })},
		{"short -f facility", "-f 16", with(func(o *radvdcli.Options) { o.Facility = 16 })},
		{"facility outside mask falls back to LOG_USER", "--facility 3", with(func(o *radvdcli.Options) { o.Facility = 8 })},
		{"debug atoi garbage", "-d abc", defaults()},
		{"debug atoi prefix", "-d 2x", with(func(o *radvdcli.Options) { o.Debug = 2 })},
		{"debug above 5 saturates", "-d 9", with(func(o *radvdcli.Options) { o.Debug = 5 })},
		{"debug negative", "-d -3", defaults()},
		{"last one wins", "-C a -C b -m syslog -m stderr", with(func(o *radvdcli.Options) { o.Config, o.LogMethod = "b", daemon.LogStderr })},
		{"empty long value", "--config=", with(func(o *radvdcli.Options) { o.Config = "" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := radvdcli.Parse(append([]string{"/usr/sbin/radvd"}, strings.Fields(tt.args)...))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

// errorCases are command lines radvd refuses; the messages are glibc's and
// radvd's, checked against the installed radvd in TestCompatWithRadvd.
var errorCases = []struct {
	name string
	args string
	msg  string // "" for -v/-h whose text is radish's own
}{
	{"unknown short", "-x", "/usr/sbin/radvd: invalid option -- 'x'\n"},
	{"unknown in cluster", "-nx", "/usr/sbin/radvd: invalid option -- 'x'\n"},
	{"unknown long", "--bogus", "/usr/sbin/radvd: unrecognized option '--bogus'\n"},
	{"unknown long with value", "--bogus=3", "/usr/sbin/radvd: unrecognized option '--bogus=3'\n"},
	{"missing short arg", "-n -m", "/usr/sbin/radvd: option requires an argument -- 'm'\n"},
	{"missing long arg", "--debug", "/usr/sbin/radvd: option '--debug' requires an argument\n"},
	{"missing arg of prefix names full option", "--pid", "/usr/sbin/radvd: option '--pidfile' requires an argument\n"},
	{"flag given a value", "--nod=1", "/usr/sbin/radvd: option '--nodaemon' doesn't allow an argument\n"},
	{"version given a value", "--version=3", "/usr/sbin/radvd: option '--version' doesn't allow an argument\n"},
	{"ambiguous conf", "--conf x", "/usr/sbin/radvd: option '--conf' is ambiguous; possibilities: '--config' '--configtest'\n"},
	{"ambiguous with value", "--conf=x", "/usr/sbin/radvd: option '--conf=x' is ambiguous; possibilities: '--config' '--configtest'\n"},
	{"ambiguous c", "--c", "/usr/sbin/radvd: option '--c' is ambiguous; possibilities: '--chrootdir' '--config' '--configtest'\n"},
	{"unknown log method", "-m foo", "radvd: unknown log method: foo\n"},
	{"unknown log method long", "--logm=Syslog", "radvd: unknown log method: Syslog\n"},
	{"chroot without user", "-t /tmp", "Chroot as root is not safe, exiting\n"},
	{"first error wins", "-x -v", "/usr/sbin/radvd: invalid option -- 'x'\n"},
	{"log method error before version", "-m foo -v", "radvd: unknown log method: foo\n"},
	{"version", "-v", ""},
	{"version before error", "-v -x", ""},
	{"version in cluster", "-vx", ""},
	{"version prefix", "--ver", ""},
	{"help", "-h", ""},
	{"help prefix", "--he", ""},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := radvdcli.Parse(append([]string{"/usr/sbin/radvd"}, strings.Fields(tt.args)...))
			var e *radvdcli.ExitError
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %v, want *ExitError", tt.args, err)
			}
			if e.Code != 1 {
				t.Errorf("exit code %d, want 1", e.Code)
			}
			if tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message %q, want %q", e.Message, tt.msg)
			}
		})
	}
}

func TestVersionAndUsageText(t *testing.T) {
	_, err := radvdcli.Parse([]string{"/usr/sbin/radvd", "-v"})
	var e *radvdcli.ExitError
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(e.Message, "\n")
	if !strings.HasPrefix(first, "Version: "+radvdcli.CompatVersion+" ") || !strings.Contains(first, "radish") {
		t.Errorf("version line %q", first)
	}
	for _, want := range []string{"Compiled in settings:\n", "\"/etc/radvd.conf\"", "\"/var/run/radvd.pid\"", "facility\t24\n"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("version text lacks %q:\n%s", want, e.Message)
		}
	}
	_, err = radvdcli.Parse([]string{"/usr/local/sbin/radvd", "--help"})
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Message, "usage: radvd \n  -C, --config=PATH") {
		t.Errorf("usage text starts %q", e.Message[:40])
	}
	for _, opt := range []string{"--config", "--configtest", "--debug", "--facility", "--help", "--logfile", "--logmethod", "--nodaemon", "--pidfile", "--chrootdir", "--username", "--version"} {
		if !strings.Contains(e.Message, opt) {
			t.Errorf("usage lacks %s", opt)
		}
	}
}

func TestPosixlyCorrect(t *testing.T) {
	t.Setenv("POSIXLY_CORRECT", "1")
	o, err := radvdcli.Parse([]string{"radvd", "-n", "extra", "-c"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.NoDaemon || o.ConfigTest || !reflect.DeepEqual(o.Args, []string{"extra", "-c"}) {
		t.Errorf("got %+v", o)
	}
}

func TestDaemonizeAndEffectiveLog(t *testing.T) {
	tests := []struct {
		args      string
		daemonize bool
		method    daemon.LogMethod
		debug     int
	}{
		{"", true, daemon.LogStderrSyslog, 0},
		{"-d 3", true, daemon.LogStderrSyslog, 3}, // radvd 2.x daemonizes with -d
		{"-n -m syslog", false, daemon.LogSyslog, 0},
		{"-c -m logfile", false, daemon.LogStderr, 1},
		{"-c -m stderr_clean -d 4", false, daemon.LogStderrClean, 4},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			o, err := radvdcli.Parse(append([]string{"radvd"}, strings.Fields(tt.args)...))
			if err != nil {
				t.Fatal(err)
			}
			m, d := o.EffectiveLog()
			if o.Daemonize() != tt.daemonize || m != tt.method || d != tt.debug {
				t.Errorf("Daemonize %v, EffectiveLog %v %d; want %v, %v %d", o.Daemonize(), m, d, tt.daemonize, tt.method, tt.debug)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range errorCases {
		f.Add(tt.args)
	}
	f.Add("-d1 -C /x --fac=24 -nc -- -y")
	f.Fuzz(func(t *testing.T, s string) {
		o, err := radvdcli.Parse(append([]string{"radvd"}, strings.Fields(s)...))
		if err != nil {
			var e *radvdcli.ExitError
			if !errors.As(err, &e) || e.Code != 1 || !strings.HasSuffix(e.Message, "\n") {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if o.Debug < 0 || o.Debug > 5 || (o.Chroot != "" && o.Username == "") {
			t.Fatalf("invalid options %+v", o)
		}
	})
}
