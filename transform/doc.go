// Package transform is hookgen's pure core.
package transform
