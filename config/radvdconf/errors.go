package radvdconf

import (
	"fmt"
	"strings"
)

// Error is one problem found in a radvd.conf file. Its text follows radvd's
// own format, "FILE:LINE error: MESSAGE", so that scripts and people who
// grep radvd's output find radish's messages in the same shape.
type Error struct {
	File string // file name as given to Parse
	Line int    // 1-based line number
	Msg  string // lower-case message without file or line
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d error: %s", e.File, e.Line, e.Msg)
}

// ErrorList is the error Parse returns when a file is rejected: every
// problem found, in file order (parsing continues after most errors so that
// one run reports several). It is never empty.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors, for errors.As and errors.Is.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Warning is a non-fatal remark about an accepted file: a deprecated or
// ignored keyword, a value radish adjusted, or a feature radish accepts but
// does not implement.
type Warning struct {
	File string
	Line int
	Msg  string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d warning: %s", w.File, w.Line, w.Msg)
}
