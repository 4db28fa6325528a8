package config

// Exported for the black-box tests in package config_test.

// SchemaKeys lists every key of the TOML schema, as dotted paths without
// array indexes.
var SchemaKeys = schemaKeys

// KeyLines returns the line of every key of a TOML document, under
// indexed paths ("interface.0.ra.prefix.1.valid_lifetime").
func KeyLines(src string) map[string]int { return scanKeyLines(src) }
