// Package problem is the bottom of transform's flow: the Problem type every
// stage reports, the Collector a run gathers them in (redacting literal
// secrets, sorting by file and line), and Origins, which remembers the file
// each YAML node of a hook came from so that a problem found in a generated
// Job names the line that caused it. It imports no other stage.
package problem
