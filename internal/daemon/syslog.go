package daemon

import (
	"net"
	"time"
)

// maxSyslogMessage caps one syslog datagram; longer messages are cut.
const maxSyslogMessage = 8 << 10

// redialInterval limits reconnection attempts while syslogd is away.
const redialInterval = time.Second

// syslogConn is a connection to the local syslog socket that survives a
// syslogd restart: after a failed write it reconnects and retries once,
// and while the socket is missing it tries again at most once per
// redialInterval, dropping messages meanwhile as syslog(3) does.
// Its methods are called with Output.mu held.
type syslogConn struct {
	path     string
	conn     net.Conn
	stream   bool
	lastDial time.Time
}

func (s *syslogConn) dial() {
	s.lastDial = time.Now()
	if c, err := net.Dial("unixgram", s.path); err == nil {
		s.conn, s.stream = c, false
		return
	}
	if c, err := net.Dial("unix", s.path); err == nil {
		s.conn, s.stream = c, true
	}
}

func (s *syslogConn) write(b []byte) {
	if len(b) > maxSyslogMessage {
		b = b[:maxSyslogMessage]
	}
	for attempt := 0; attempt < 2; attempt++ {
		if s.conn == nil {
			if attempt == 0 && time.Since(s.lastDial) < redialInterval {
				return
			}
			s.dial()
			if s.conn == nil {
				return
			}
		}
		var err error
		if s.stream {
			_, err = s.conn.Write(append(b, '\n'))
		} else {
			_, err = s.conn.Write(b)
		}
		if err == nil {
			return
		}
		s.close()
	}
}

func (s *syslogConn) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}
