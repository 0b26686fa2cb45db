package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hookgen/hookgen/internal/runnerenv"
)

// run is one execution of an action: its environment, log and secrets.
type run struct {
	env      map[string]string
	log      *logger
	redactor *redactor
	now      time.Time
	cleanups []func()
	// secretHeaders are the request headers that carry a secret, by
	// canonical name: a redirect to another host drops them.
	secretHeaders map[string]bool
}

// context builds the template context of this run. Values are redacted
// before they are cut to size or reach a template function, so that no
// part of a secret can get through.
func (r *run) context(argocdURL string) Context {
	env := make(map[string]string)
	for k, v := range r.env {
		if strings.HasPrefix(k, "HOOKGEN_") {
			env[k] = r.redactor.redact(v)
		}
	}
	return newContext(env, r.now, r.redactor.redact(argocdURL))
}

// parseEnviron turns "KEY=value" entries into a map; later entries win.
func parseEnviron(environ []string) map[string]string {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// maxSecretFile bounds a secret file.
const maxSecretFile = 64 << 10

// secret reads a secret value from the file named by a flag, when given,
// or else from an environment variable. Trailing newlines (as "echo" or an
// editor leave them) are removed. It returns where the value came from, for
// the log. The value is not registered with the redactor: the caller does,
// as a plain secret or a URL.
func (r *run) secret(file, envName, what string) (value, source string, err error) {
	if file != "" {
		b, err := readLimited(file, maxSecretFile)
		if err != nil {
			return "", "", usageErrorf("%s: %s", what, fileError(err))
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", "", usageErrorf("%s: file %s is empty", what, file)
		}
		return v, "file " + file, nil
	}
	if v := r.env[envName]; v != "" {
		return strings.TrimRight(v, "\r\n"), "env " + envName, nil
	}
	return "", "", nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// fileError describes a file error without the file's content (there is
// none in os errors) and without Go's "open " prefix noise.
func fileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read %s: %v", pe.Path, pe.Err)
	}
	return err.Error()
}

// envOr returns the flag value when set, else the environment variable.
func (r *run) envOr(flagValue, envName string) string {
	if flagValue != "" {
		return flagValue
	}
	return r.env[envName]
}

// readTemplate returns the template text from --x-file when given, else
// the inline value, else the default.
func readTemplate(inline, file, def, what string) (string, error) {
	if inline != "" && file != "" {
		return "", usageErrorf("give %s inline or as a file, not both", what)
	}
	if file != "" {
		b, err := readLimited(file, MaxTemplateSize)
		if err != nil {
			return "", usageErrorf("%s: %s", what, fileError(err))
		}
		return string(b), nil
	}
	if inline != "" {
		return inline, nil
	}
	return def, nil
}

// render renders a message template and redacts the result: a secret that
// reached a message (typed into a template, or in a value) is never sent.
func (r *run) render(what, text string, data Context) (string, error) {
	// Secrets are taken out of the template and the data first, so that no
	// template function can cut or transform one past the final redaction.
	text = r.redactor.redact(text)
	data = r.redactor.redactContext(data)
	out, err := Render(text, data)
	if err != nil {
		return "", usageErrorf("%s: %s", what, r.log.clean(err.Error()))
	}
	out = r.redactor.redact(out)
	if len(out) > MaxRenderedSize {
		return "", usageErrorf("%s: rendered text exceeds %d bytes", what, MaxRenderedSize)
	}
	return out, nil
}

// redactJSON redacts a JSON document about to be sent; the result must
// still be valid JSON.
func (r *run) redactJSON(body []byte) ([]byte, error) {
	if !r.redactor.contains(string(body)) {
		return body, nil
	}
	out := []byte(r.redactor.redact(string(body)))
	if !json.Valid(out) {
		return nil, usageErrorf("the message contains a secret value that cannot be redacted without breaking the JSON")
	}
	return out, nil
}

// orDefault returns v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// argocdURL resolves the Argo CD base URL: the flag, else the environment.
func (r *run) argocdURL(flagValue string) (string, error) {
	v := strings.TrimSpace(r.envOr(flagValue, runnerenv.ArgoCDURL))
	if err := checkArgoCDURL(v); err != nil {
		return "", err
	}
	return v, nil
}
