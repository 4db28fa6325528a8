package config

import "path"

// IsPattern reports whether name contains glob metacharacters.
func IsPattern(name string) bool {
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '*', '?', '[':
			return true
		}
	}
	return false
}

func matchPattern(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}
