module github.com/hookgen/hookgen

go 1.26.0
