// Command benchreport runs the side-by-side benchmarks in package bench and
// prints, for every job, radish's figures beside the reference
// implementation's and the ratio between them. Benchmarks come in pairs of
// sub-benchmarks named BenchmarkJob/radish and BenchmarkJob/<other>.
//
// Usage: go run ./bench/cmd/benchreport [-count N] [-benchtime D] [-bench RE]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

type result struct {
	nsPerOp     float64
	bytesPerOp  float64
	allocsPerOp float64
	runs        int
}

func main() {
	count := flag.Int("count", 3, "runs of each benchmark (the median-free mean is reported)")
	benchtime := flag.String("benchtime", "1s", "go test -benchtime")
	bench := flag.String("bench", ".", "go test -bench regexp")
	pkg := flag.String("pkg", "./bench/", "package holding the side-by-side benchmarks")
	flag.Parse()

	cmd := exec.Command("go", "test", "-run", "^$", "-bench", *bench, "-benchmem",
		"-count", strconv.Itoa(*count), "-benchtime", *benchtime, *pkg)
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	jobs := parse(&out)
	if len(jobs) == 0 {
		fmt.Fprintln(os.Stderr, "benchreport: no paired benchmarks found")
		os.Exit(1)
	}
	report(os.Stdout, jobs)
}

// parse collects results keyed by job then implementation.
func parse(r io.Reader) map[string]map[string]*result {
	jobs := map[string]map[string]*result{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // strip -GOMAXPROCS
			}
		}
		slash := strings.LastIndexByte(name, '/')
		if slash < 0 {
			continue
		}
		job, impl := strings.TrimPrefix(name[:slash], "Benchmark"), name[slash+1:]
		var res result
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				res.nsPerOp = v
			case "B/op":
				res.bytesPerOp = v
			case "allocs/op":
				res.allocsPerOp = v
			}
		}
		if jobs[job] == nil {
			jobs[job] = map[string]*result{}
		}
		acc := jobs[job][impl]
		if acc == nil {
			acc = &result{}
			jobs[job][impl] = acc
		}
		acc.nsPerOp += res.nsPerOp
		acc.bytesPerOp += res.bytesPerOp
		acc.allocsPerOp += res.allocsPerOp
		acc.runs++
	}
	for _, impls := range jobs {
		for _, r := range impls {
			n := float64(r.runs)
			r.nsPerOp /= n
			r.bytesPerOp /= n
			r.allocsPerOp /= n
		}
	}
	return jobs
}

func report(w io.Writer, jobs map[string]map[string]*result) {
	names := make([]string, 0, len(jobs))
	for j := range jobs {
		names = append(names, j)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\n%-34s %-14s %12s %10s %10s %9s\n", "job", "impl", "ns/op", "B/op", "allocs/op", "speedup")
	for _, j := range names {
		impls := jobs[j]
		ours := impls["radish"]
		others := make([]string, 0, len(impls))
		for k := range impls {
			others = append(others, k)
		}
		sort.Strings(others)
		for _, k := range others {
			r := impls[k]
			ratio := "-"
			if ours != nil && k != "radish" && ours.nsPerOp > 0 {
				ratio = fmt.Sprintf("%.1fx", r.nsPerOp/ours.nsPerOp)
			}
			fmt.Fprintf(w, "%-34s %-14s %12.1f %10.0f %10.1f %9s\n", j, k, r.nsPerOp, r.bytesPerOp, r.allocsPerOp, ratio)
		}
	}
	fmt.Fprintln(w, "\nspeedup = the other implementation's ns/op divided by radish's, measured in this run.")
}
