// Package emit is the output stage: a Result holds what a successful run
// produces, the application's resources in path order and the Jobs in
// Argo CD's order (phase, wave, name), and WriteTo prints them as one YAML
// stream, the same Input giving the same bytes. It comes after the judge
// and takes what every earlier stage returned; only explain reads it.
package emit
