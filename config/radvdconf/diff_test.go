package radvdconf_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/radish-net/radish/config/radvdconf"
)

const radvdPath = "/usr/sbin/radvd"

// expectRE matches the corpus header that overrides the differential
// comparison: "# radish-expect: accept (reason)" or "reject (reason)".
var expectRE = regexp.MustCompile(`(?m)^#\s*radish-expect:\s*(accept|reject)\s*\((.+)\)`)

func corpus(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus under testdata: %v", err)
	}
	return files
}

// radvdAccepts runs the reference radvd's configuration test on file.
func radvdAccepts(t *testing.T, file string) (bool, string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(radvdPath, "-c", "-C", file, "-m", "stderr", "-p", filepath.Join(dir, "radvd.pid"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running radvd: %v", err)
	}
	return err == nil, stderr.String()
}

// TestDifferential asserts that radish accepts a corpus file exactly when
// the installed radvd does, unless the file's radish-expect header states
// a documented difference; then radish must do what the header says, and
// radvd must actually disagree (a stale header is an error too).
func TestDifferential(t *testing.T) {
	if _, err := os.Stat(radvdPath); err != nil {
		t.Skipf("%s not installed: differential test skipped", radvdPath)
	}
	for _, file := range corpus(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, perr := radvdconf.Parse(file, src)
			radishOK := perr == nil
			radvdOK, radvdMsg := radvdAccepts(t, file)
			if m := expectRE.FindSubmatch(src); m != nil {
				want := string(m[1]) == "accept"
				if radishOK != want {
					t.Errorf("radish accepted=%v, header expects %s (%s); radish said: %v", radishOK, m[1], m[2], perr)
				}
				if radvdOK == want {
					t.Errorf("header says radish differs from radvd (%s), but radvd also accepted=%v", m[2], radvdOK)
				}
				return
			}
			if radishOK != radvdOK {
				t.Errorf("radish accepted=%v (%v), radvd accepted=%v (%s)", radishOK, perr, radvdOK, strings.TrimSpace(radvdMsg))
			}
			// Where radvd reports a syntax error in its FILE:LINE form,
			// radish's first error names the same line.
			if m := regexp.MustCompile(regexp.QuoteMeta(file) + `:(\d+) error:`).FindStringSubmatch(radvdMsg); m != nil && perr != nil {
				var list radvdconf.ErrorList
				if errors.As(perr, &list) && strconv.Itoa(list[0].Line) != m[1] {
					t.Errorf("radish's first error is on line %d, radvd's on line %s: %v", list[0].Line, m[1], perr)
				}
			}
		})
	}
}

// TestErrorsNameFileAndLine asserts that every error for every rejected
// corpus file is in radvd's "FILE:LINE error: MESSAGE" form with a line
// inside the file.
func TestErrorsNameFileAndLine(t *testing.T) {
	re := regexp.MustCompile(`^(.+):(\d+) error: \S`)
	rejected := 0
	for _, file := range corpus(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, perr := radvdconf.Parse(file, src)
		if perr == nil {
			continue
		}
		rejected++
		var list radvdconf.ErrorList
		if !errors.As(perr, &list) || len(list) == 0 {
			t.Errorf("%s: error is %T, want a non-empty ErrorList", file, perr)
			continue
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, e := range list {
			m := re.FindStringSubmatch(e.Error())
			if m == nil || m[1] != file {
				t.Errorf("%s: message %q does not start with %q", file, e.Error(), file+":LINE error: ")
				continue
			}
			if e.Line < 1 || e.Line > lines {
				t.Errorf("%s: line %d outside 1..%d in %q", file, e.Line, lines, e.Error())
			}
		}
	}
	if rejected == 0 {
		t.Fatal("the corpus has no rejected file")
	}
}
