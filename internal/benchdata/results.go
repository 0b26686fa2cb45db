package benchdata

import "time"

// CmpResult is row d: run i of the hookgen plugin and of the cat plugin
// through the argocd-cmp-server, in the same round.
type CmpResult struct {
	Hookgen []time.Duration `json:"hookgen"`
	Cat     []time.Duration `json:"cat"`
	Argo    string          `json:"argo"`
	TempFS  string          `json:"tempFS"` // where the servers wrote each request's files
}

// RepoResult is rows r and the monorepo, through the argocd-repo-server.
type RepoResult struct {
	Argo     string        `json:"argo"`
	TempFS   string        `json:"tempFS"` // where the servers wrote each request's files
	Shapes   []ShapeResult `json:"shapes"`
	Monorepo *MonoResult   `json:"monorepo,omitempty"`
}

// ShapeResult holds the durations of the three sources for one Shape,
// run i of each in the same round.
type ShapeResult struct {
	Name      string          `json:"name"`
	Objects   int             `json:"objects"` // the plain resources, both sources alike
	Directory []time.Duration `json:"directory"`
	Hookgen   []time.Duration `json:"hookgen"`
	Cat       []time.Duration `json:"cat"`
}

// MonoResult is the monorepo: every app refreshed at once, per
// configuration of the repo-server.
type MonoResult struct {
	Apps      int          `json:"apps"`
	Objects   int          `json:"objects"` // per app, the hooks' Jobs included
	Hooks     int          `json:"hooks"`
	RepoFiles int          `json:"repoFiles"`
	RepoBytes int64        `json:"repoBytes"` // the work tree
	Configs   []MonoConfig `json:"configs"`
}

// MonoConfig is one configuration's rounds: the wall time of each round
// and the duration of every call in it.
type MonoConfig struct {
	Name     string            `json:"name"`
	Settings string            `json:"settings"`
	Wall     []time.Duration   `json:"wall"`
	Calls    [][]time.Duration `json:"calls"`
}
