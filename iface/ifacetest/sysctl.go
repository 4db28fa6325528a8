package ifacetest

import (
	"fmt"
	"io/fs"
	"maps"
	"sync"

	"github.com/radish-net/radish/iface"
)

// FakeSysctl is an in-memory iface.Sysctl backed by a map. Like the
// kernel's, it only has the keys that exist: SetIPv6 of a key that was
// never Set fails with an error wrapping fs.ErrNotExist, as does IPv6.
// Names are validated as iface.ProcSysctl validates them. The zero value
// is ready to use; all methods are safe for concurrent use.
type FakeSysctl struct {
	mu     sync.Mutex
	values map[sysctlKey]string
	writes []SysctlWrite
}

// SysctlWrite is one successful SetIPv6 call.
type SysctlWrite struct {
	IfName, Key, Value string
}

type sysctlKey struct{ ifName, key string }

var _ iface.Sysctl = (*FakeSysctl)(nil)

// Set creates or changes net.ipv6.conf.IFNAME.KEY, for test setup. It is
// not recorded in Writes.
func (s *FakeSysctl) Set(ifName, key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = make(map[sysctlKey]string)
	}
	s.values[sysctlKey{ifName, key}] = value
}

// Delete removes a key, as when its link goes away.
func (s *FakeSysctl) Delete(ifName, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, sysctlKey{ifName, key})
}

// IPv6 returns the value of an existing key.
func (s *FakeSysctl) IPv6(ifName, key string) (string, error) {
	if err := iface.CheckSysctlName(ifName, key); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[sysctlKey{ifName, key}]
	if !ok {
		return "", fmt.Errorf("ifacetest: sysctl net.ipv6.conf.%s.%s: %w", ifName, key, fs.ErrNotExist)
	}
	return v, nil
}

// SetIPv6 changes an existing key and records the write.
func (s *FakeSysctl) SetIPv6(ifName, key, value string) error {
	if err := iface.CheckSysctlName(ifName, key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sysctlKey{ifName, key}
	if _, ok := s.values[k]; !ok {
		return fmt.Errorf("ifacetest: sysctl net.ipv6.conf.%s.%s: %w", ifName, key, fs.ErrNotExist)
	}
	s.values[k] = value
	s.writes = append(s.writes, SysctlWrite{ifName, key, value})
	return nil
}

// Writes returns the successful SetIPv6 calls, oldest first.
func (s *FakeSysctl) Writes() []SysctlWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SysctlWrite(nil), s.writes...)
}

// Values returns a copy of every key as "IFNAME/KEY" → value.
func (s *FakeSysctl) Values() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.values))
	for k, v := range maps.All(s.values) {
		out[k.ifName+"/"+k.key] = v
	}
	return out
}
