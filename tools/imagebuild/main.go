package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "rootfs":
		err = cmdRootfs(os.Args[2:])
	case "image":
		err = cmdImage(os.Args[2:])
	case "sbom":
		err = cmdSBOM(os.Args[2:])
	case "install":
		err = cmdInstall(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "imagebuild %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: imagebuild rootfs|image|sbom|install [flags] (see doc.go)")
	os.Exit(2)
}

// sourceDate is SOURCE_DATE_EPOCH: every timestamp the outputs carry.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH is not set: give the commit time, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%%ct)")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a count of seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}
