package main

import "fmt"

func cmdInstall(args []string) error { return fmt.Errorf("todo") }
