// Package sandbox confines what a generation can read and do.
//
// FS is the repository (and the platform config directory) as transform
// reads it: a read-only view of one directory that no "..", no symlink and
// no absolute path can leave; a path that would is refused with
// transform.ErrOutsideRoot, which transform reports as "leads outside the
// repository" on the file that named it. A file is opened through its own
// directory, opened once through the root, without following a link (a
// link is the root's to judge); on Linux the file is read through its
// descriptor, without an *os.File (dir_linux.go says why).
//
// Seal makes the process unable to reach the network or run a program
// and bounds its heap, for the commands that read a repository: what
// hookgen's own checks refuse by name (remote bases, Helm charts) cannot
// happen by a spelling they miss either.
//
// AcquireSlot bounds how many generations build at once: each takes one
// of a few file locks for its build, so that parallel requests fit in the
// sidecar's memory.
//
// The package knows nothing of Argo CD's environment or of hookgen's
// command line: package argocd opens the directories a generation reads
// through it, and package plugin, hookgen's front end, seals the process
// and takes the slot.
package sandbox
