package serve_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radish-net/radish/internal/serve"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const validConfig = `[[interface]]
name = "eth0"
[interface.ra]
max_interval = 4
[[interface.ra.prefix]]
prefix = "2001:db8:1::/64"
`

func TestCheckCommand(t *testing.T) {
	valid := writeFile(t, "valid.toml", validConfig)
	invalid := writeFile(t, "invalid.toml", "[[interface]]\nname = \"eth0\"\n[interface.ra]\nrouter_preference = \"highest\"\n")
	warning := writeFile(t, "warning.toml", "[[interface]]\nname = \"eth0\"\n[interface.ra]\nmanaged = true\n")
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stdout    string
		stderr    string
		noStderr  bool
		stderrNot string
	}{
		{name: "valid", args: []string{"-c", valid}, code: 0, stdout: valid + ": ok (1 interfaces, 0 warnings)", noStderr: true},
		{name: "invalid", args: []string{"-c", invalid}, code: 1, stdout: invalid + ": invalid",
			stderr: invalid + `:4: interface "eth0" ra.router_preference: `},
		{name: "warning", args: []string{"-c", warning}, code: 0, stdout: "1 warnings", stderr: "warning: " + warning + ":4: "},
		{name: "missing file", args: []string{"-c", filepath.Join(t.TempDir(), "nope.toml")}, code: 1, stderr: "nope.toml"},
		{name: "seed example", args: []string{"-c", "../../examples/seed-vlan30.toml"}, code: 0, stdout: ": ok (1 interfaces", noStderr: true},
		{name: "reference", args: []string{"-c", "../../config/reference.toml"}, code: 0, stdout: ": ok"},
		{name: "extra argument", args: []string{"-c", valid, "more"}, code: 2, stderr: `unexpected argument "more"`},
		{name: "unknown flag", args: []string{"-x"}, code: 2, stderr: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := serve.CheckCommand(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout %q lacks %q", stdout.String(), tc.stdout)
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.stderr)
			}
			if tc.noStderr && stderr.Len() > 0 {
				t.Errorf("unexpected stderr %q", stderr.String())
			}
		})
	}
}

// TestServeCommandErrors covers the failures that happen before anything
// is opened: they exit 2 with a message naming the problem.
func TestServeCommandErrors(t *testing.T) {
	broken := writeFile(t, "broken.toml", "[[interface]]\nname = \"eth0\"\n[interface.ra]\nmax_interval = 2\n")
	badLog := writeFile(t, "badlog.toml", validConfig+"[log]\nformat = \"xml\"\n")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{name: "unknown flag", args: []string{"--nope"}, stderr: []string{"flag provided but not defined"}},
		{name: "extra argument", args: []string{"x"}, stderr: []string{`unexpected argument "x"`}},
		{name: "bad log format", args: []string{"--log-format", "xml"}, stderr: []string{"--log-format", `"xml"`}},
		{name: "bad log level", args: []string{"--log-level", "loud"}, stderr: []string{"--log-level", `"loud"`}},
		{name: "bad log output", args: []string{"--log-output", "syslog"}, stderr: []string{"--log-output", `"syslog"`}},
		{name: "missing config", args: []string{"-c", filepath.Join(t.TempDir(), "none.toml")}, stderr: []string{"cannot load the configuration", "none.toml"}},
		{name: "broken config", args: []string{"-c", broken}, stderr: []string{"level=ERROR", broken + `:4: interface \"eth0\" ra.max_interval`}},
		{name: "broken config json", args: []string{"-c", broken, "--log-format", "json"}, stderr: []string{`"level":"ERROR"`, broken + `:4: interface \"eth0\" ra.max_interval`}},
		{name: "bad [log] format", args: []string{"-c", badLog}, stderr: []string{badLog}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := serve.ServeCommand(tc.args, &stdout, &stderr); code != serve.ExitUsage {
				t.Errorf("exit code %d, want %d", code, serve.ExitUsage)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := serve.VersionCommand(nil, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "radish "+serve.Version()+" go") {
		t.Errorf("version: code %d, stdout %q", code, stdout.String())
	}
	if code := serve.VersionCommand([]string{"x"}, &stdout, &stderr); code != serve.ExitUsage {
		t.Errorf("version with an argument: code %d", code)
	}
	stdout.Reset()
	if code := serve.HelpCommand(nil, &stdout, &stderr); code != 0 || stdout.String() != serve.Usage {
		t.Errorf("help: code %d, stdout %q", code, stdout.String())
	}
	for _, want := range []string{"radish serve", "radish check", "SIGHUP", "SIGTERM", "Exit status", "config/reference.toml"} {
		if !strings.Contains(serve.Usage, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestLogger(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want slog.Level
		err  bool
	}{
		{"debug", slog.LevelDebug, false},
		{"", slog.LevelInfo, false},
		{"info", slog.LevelInfo, false},
		{"WARN", slog.LevelWarn, false},
		{"error", slog.LevelError, false},
		{"loud", 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := serve.ParseLevel(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("ParseLevel(%q) = %v, %v", tc.in, got, err)
			}
		})
	}

	var buf bytes.Buffer
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelWarn)
	log, err := serve.NewLogger(&buf, "json", lv)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "link", "eth0")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not one JSON record: %q: %v", buf.String(), err)
	}
	if rec["msg"] != "shown" || rec["link"] != "eth0" {
		t.Errorf("record %v", rec)
	}
	if _, err := serve.NewLogger(&buf, "xml", lv); err == nil {
		t.Error("NewLogger accepted format xml")
	}
}

func TestLogOutput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	for _, tc := range []struct {
		flag, file string
		want       *bytes.Buffer
	}{
		{"", "", &stderr},
		{"", "stderr", &stderr},
		{"", "stdout", &stdout},
		{"stderr", "stdout", &stderr},
		{"stdout", "stderr", &stdout},
	} {
		if got := serve.LogOutput(tc.flag, tc.file, &stdout, &stderr); got != tc.want {
			t.Errorf("flag %q, file %q: got the wrong writer", tc.flag, tc.file)
		}
	}
}
