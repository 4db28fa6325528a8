package daemon

import (
	"errors"
	"strconv"
)

// LogMethod selects where log records go. The values and their names are
// radvd's -m/--logmethod arguments.
type LogMethod uint8

// The log methods of radvd 2.x.
const (
	// LogStderrSyslog sends every record to syslog and records of error
	// severity or worse to stderr too. It is radvd's default.
	LogStderrSyslog LogMethod = iota
	// LogSyslog sends records to the local syslog socket only.
	LogSyslog
	// LogStderr writes "[Mon DD HH:MM:SS] radvd (PID): message" lines to stderr.
	LogStderr
	// LogStderrClean writes the bare message to stderr, one per line; it
	// suits supervisors (systemd, containers) that add their own prefix.
	LogStderrClean
	// LogFile appends lines formatted as for LogStderr to a log file.
	LogFile
	// LogNone discards every record.
	LogNone
)

// ErrUnknownLogMethod is returned by ParseLogMethod for a name radvd does not know.
var ErrUnknownLogMethod = errors.New("unknown log method")

var logMethodNames = [...]string{
	LogStderrSyslog: "stderr_syslog",
	LogSyslog:       "syslog",
	LogStderr:       "stderr",
	LogStderrClean:  "stderr_clean",
	LogFile:         "logfile",
	LogNone:         "none",
}

// String returns the method's radvd name, such as "stderr_syslog".
func (m LogMethod) String() string {
	if int(m) < len(logMethodNames) {
		return logMethodNames[m]
	}
	return "LogMethod(" + strconv.Itoa(int(m)) + ")"
}

// ParseLogMethod maps a radvd -m argument to its LogMethod. Names are
// case-sensitive, as in radvd.
func ParseLogMethod(s string) (LogMethod, error) {
	for i, n := range logMethodNames {
		if n == s {
			return LogMethod(i), nil
		}
	}
	return 0, ErrUnknownLogMethod
}
