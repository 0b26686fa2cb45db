package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hookgen/hookgen/transform"
)

// limitsMaxRSS is the peak RSS every input the documented limits admit
// must stay under: the install gives the sidecar 256Mi.
const limitsMaxRSS = 200 << 20

// TestDocumentedLimitsMemory runs generate on apps as large as the default
// limits admit (max-total-bytes in files of max-file-bytes, at most
// max-documents each), in the shapes that cost the most memory per byte:
// flow-style documents, which are parsed and written again, and
// block-style ones, printed as written. Each must succeed, print every
// object, and peak under limitsMaxRSS.
func TestDocumentedLimitsMemory(t *testing.T) {
	lim := transform.DefaultLimits()
	files := int(lim.MaxTotalBytes / lim.MaxFileBytes)
	fileBytes := int(lim.MaxTotalBytes/int64(files)) - 4096
	shapes := []struct {
		name string
		doc  func(f, n int) string
	}{
		{"flow", func(f, n int) string {
			var data strings.Builder
			for i := range 200 {
				if i > 0 {
					data.WriteString(", ")
				}
				fmt.Fprintf(&data, "k%d: v%d", i, i)
			}
			return fmt.Sprintf("---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: cm-%d-%d}, data: {%s}}\n", f, n, data.String())
		}},
		{"block", func(f, n int) string {
			return fmt.Sprintf("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d-%d\n  labels: {app: shop}\ndata:\n  key: value-%d\n  other: %q\n", f, n, n, strings.Repeat("x", 200))
		}},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			hooks := "apiVersion: hookgen.dev/v1alpha1\nkind: HookSet\nhooks:\n  - name: smoke\n    uses: job\n    phase: PostSync\n    with: {image: 'registry.example/curl:8.10.1'}\n"
			if err := os.WriteFile(filepath.Join(dir, "hookgen.yaml"), []byte(hooks), 0o644); err != nil {
				t.Fatal(err)
			}
			var total, docs int
			for f := range files {
				var b bytes.Buffer
				n := 0
				for ; n < lim.MaxDocuments; n++ {
					d := sh.doc(f, n)
					if b.Len()+len(d) > fileBytes {
						break
					}
					b.WriteString(d)
				}
				docs += n
				total += b.Len()
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("app%d.yaml", f)), b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(binary, "generate")
			cmd.Dir = dir
			cmd.Env = binaryEnv(t, "", "", map[string]string{"ARGOCD_APP_NAME": "big", "ARGOCD_APP_NAMESPACE": "big"})
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Count the objects as they stream by: the test keeps none.
			configMaps, jobs := 0, 0
			sc := bufio.NewScanner(out)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				switch sc.Text() {
				case "kind: ConfigMap":
					configMaps++
				case "kind: Job":
					jobs++
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("generate on %d MiB of %s-style YAML: %v\n%s", total>>20, sh.name, err, clipText(stderr.String()))
			}
			if configMaps != docs || jobs != 1 {
				t.Errorf("printed %d ConfigMaps and %d Jobs, want %d and 1", configMaps, jobs, docs)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			t.Logf("%d MiB, %d documents: peak rss %d MiB, cpu %.1fs", total>>20, docs, ru.Maxrss>>10,
				float64(ru.Utime.Nano()+ru.Stime.Nano())/1e9)
			if rss := ru.Maxrss * 1024; rss > limitsMaxRSS {
				t.Errorf("peak rss %d MiB; every input within the documented limits must stay under %d MiB", rss>>20, limitsMaxRSS>>20)
			}
		})
	}
}
