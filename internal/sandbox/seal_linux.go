//go:build linux && (amd64 || arm64)

package sandbox

import (
	"runtime"
	"syscall"
	"unsafe"
)

// Numbers of the seccomp filter (linux/seccomp.h, linux/filter.h,
// linux/audit.h).
const (
	prSetNoNewPrivs      = 38
	seccompSetModeFilter = 1
	seccompFlagTsync     = 1
	seccompRetAllow      = 0x7fff0000
	seccompRetErrno      = 0x00050000
	bpfLdWAbs            = 0x20       // BPF_LD|BPF_W|BPF_ABS
	bpfJeqK              = 0x15       // BPF_JMP|BPF_JEQ|BPF_K
	bpfRetK              = 0x06       // BPF_RET|BPF_K
	bpfJgeK              = 0x35       // BPF_JMP|BPF_JGE|BPF_K
	x32Bit               = 0x40000000 // syscall numbers of the x32 ABI
	seccompDataNr        = 0
	seccompDataArch      = 4
	seccompDataArg0      = 16 // low word of args[0] (little endian)
	auditArchX86_64      = 0xc000003e
	auditArchAarch64     = 0xc00000b7
	afUnix               = 1
)

type sockFilter struct {
	code uint16
	jt   uint8
	jf   uint8
	k    uint32
}

type sockFprog struct {
	len    uint16
	filter *sockFilter
}

// denyExecAndNetwork installs a seccomp filter on every thread: execve,
// execveat and socket (unless AF_UNIX) fail with EPERM; everything else
// is allowed. It does nothing where seccomp is not available.
func denyExecAndNetwork() {
	var arch, sysSeccomp, sysExecve, sysExecveat, sysSocket uint32
	switch runtime.GOARCH {
	case "amd64":
		arch, sysSeccomp, sysExecve, sysExecveat, sysSocket = auditArchX86_64, 317, 59, 322, 41
	case "arm64":
		arch, sysSeccomp, sysExecve, sysExecveat, sysSocket = auditArchAarch64, 277, 221, 281, 198
	default:
		return
	}
	refuse := uint32(seccompRetErrno | uint32(syscall.EPERM))
	const (
		deny  = 9 // index of the refusing return
		allow = 10
	)
	prog := []sockFilter{
		/* 0 */ {bpfLdWAbs, 0, 0, seccompDataArch},
		/* 1 */ {bpfJeqK, 0, deny - 2, arch}, // another ABI (compat): deny
		/* 2 */ {bpfLdWAbs, 0, 0, seccompDataNr},
		/* 3 */ {bpfJgeK, deny - 4, 0, x32Bit}, // the x32 ABI: deny
		/* 4 */ {bpfJeqK, deny - 5, 0, sysExecve},
		/* 5 */ {bpfJeqK, deny - 6, 0, sysExecveat},
		/* 6 */ {bpfJeqK, 0, allow - 7, sysSocket},
		/* 7 */ {bpfLdWAbs, 0, 0, seccompDataArg0},
		/* 8 */ {bpfJeqK, allow - 9, 0, afUnix},
		/* 9 */ {bpfRetK, 0, 0, refuse},
		/* 10 */ {bpfRetK, 0, 0, seccompRetAllow},
	}
	fp := sockFprog{len: uint16(len(prog)), filter: &prog[0]}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); e != 0 {
		return
	}
	syscall.RawSyscall(uintptr(sysSeccomp), seccompSetModeFilter, seccompFlagTsync, uintptr(unsafe.Pointer(&fp)))
	runtime.KeepAlive(prog)
}
