package serve

// LogOutput exposes logOutput to the black-box tests.
var LogOutput = logOutput
