package loop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// GitRepo is a local git repository that Argo CD reads through its file://
// URL (no git daemon needed). Its branch is "main". Commit and Update may
// be called from several goroutines: one runs at a time.
type GitRepo struct {
	Dir string
	URL string

	mu sync.Mutex
}

// NewGitRepo creates an empty repository in dir.
func NewGitRepo(dir string) (*GitRepo, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r := &GitRepo{Dir: dir, URL: "file://" + dir}
	if _, err := r.git("init", "-q", "-b", "main"); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *GitRepo) git(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=hookgen-test", "-c", "user.email=test@hookgen.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+r.Dir,
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out)), nil
}

// Commit writes files (path relative to the repository -> content; parent
// directories are created as needed), then commits everything and returns
// the commit SHA.
func (r *GitRepo) Commit(message string, files map[string]string) (string, error) {
	return r.Update(message, func(string) error {
		for name, content := range files {
			p := filepath.Join(r.Dir, filepath.FromSlash(name))
			if !strings.HasPrefix(p, r.Dir+string(filepath.Separator)) {
				return fmt.Errorf("loop: %s is outside the repository", name)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// Update calls change with the work tree's directory, then commits
// everything and returns the commit SHA. Other changes wait meanwhile, so
// the commit holds exactly the work tree change made.
func (r *GitRepo) Update(message string, change func(dir string) error) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := change(r.Dir); err != nil {
		return "", err
	}
	if _, err := r.git("add", "-A"); err != nil {
		return "", err
	}
	if _, err := r.git("commit", "-q", "--allow-empty", "-m", message); err != nil {
		return "", err
	}
	return r.git("rev-parse", "HEAD")
}
