module github.com/hookgen/hookgen/test/globdiff

go 1.26.0

require (
	github.com/gobwas/glob v0.2.3
	github.com/hookgen/hookgen v0.0.0
)

replace github.com/hookgen/hookgen => ../..
