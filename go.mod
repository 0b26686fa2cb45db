module github.com/hookgen/hookgen

go 1.26.0

require (
	github.com/spf13/pflag v1.1.0
	github.com/wneessen/go-mail v0.8.1
	golang.org/x/net v0.62.0
)

require (
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
