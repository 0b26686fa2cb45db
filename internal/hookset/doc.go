// Package hookset loads and merges what an application declares. It
// parses hookgen.yaml files into HookSets, checks each hook's fields and
// parameters, parses and checks HookTemplates (the built-in ones from a
// pre-parsed node cache), and merges the HookSets from the repository root
// down to the app directory into one merged hook per name. It takes bytes
// and declarations and returns merged hooks, templates and problems. It
// sits above internal/subst, which checks a template's placeholders, and
// below Job generation.
package hookset
