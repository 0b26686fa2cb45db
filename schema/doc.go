// Package schema holds the JSON Schemas of hookgen's file formats
// (hookset, hooktemplate and hookpolicy .schema.json), written from the Go
// types by tools/schemagen (make schema) for editors and CI linters; its
// tests check them against every such file in the repository and against
// the types.
package schema
