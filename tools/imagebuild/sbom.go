package main

import "fmt"

func cmdSBOM(args []string) error { return fmt.Errorf("todo") }
