//go:build unix

package sandbox

import (
	"os"
	"syscall"
)

// tryLock takes f's exclusive lock if it is free.
func tryLock(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
