package cmpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	pluginclient "github.com/argoproj/argo-cd/v2/cmpserver/apiclient"
	"github.com/argoproj/argo-cd/v2/util/cmp"
	grpc_retry "github.com/grpc-ecosystem/go-grpc-middleware/retry"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Client talks to one plugin socket with Argo CD's own gRPC client.
type Client struct {
	Socket string
	conn   io.Closer
	c      pluginclient.ConfigManagementPluginServiceClient
}

// Dial connects to a plugin socket the way the repo-server does
// (apiclient.NewConfigManagementPluginClientSet(socket)).
func Dial(socket string) (*Client, error) {
	conn, c, err := pluginclient.NewConfigManagementPluginClientSet(socket).NewConfigManagementPluginClient()
	if err != nil {
		return nil, fmt.Errorf("cmpserver: dial %s: %w", socket, err)
	}
	return &Client{Socket: socket, conn: conn, c: c}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Repo is what a request streams to the plugin.
type Repo struct {
	// Root is the directory sent as a tgz (the repo-server sends the whole
	// checkout, or the manifest-generate-paths root).
	Root string
	// AppPath is the application's directory, relative to Root (like
	// spec.source.path) or absolute under Root. The plugin's commands run in
	// the matching directory of the unpacked copy.
	AppPath string
	// ExcludedGlobs are --plugin-tar-exclude patterns (repo-relative).
	ExcludedGlobs []string
}

// abs returns the absolute root and app path, as the repo-server passes them.
func (r Repo) abs() (root, app string, err error) {
	root, err = filepath.Abs(r.Root)
	if err != nil {
		return "", "", err
	}
	app = r.AppPath
	if !filepath.IsAbs(app) {
		app = filepath.Join(root, app)
	}
	return root, filepath.Clean(app), nil
}

// CMPError is a failed gRPC call. For a failing plugin command Message is
// the cmp-server's error text, which ends with the command's trimmed stderr.
type CMPError struct {
	Op      string
	Code    codes.Code
	Message string
}

func (e *CMPError) Error() string {
	return fmt.Sprintf("cmp %s: rpc error: code = %s desc = %s", e.Op, e.Code, e.Message)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if st, ok := status.FromError(err); ok {
		return &CMPError{Op: op, Code: st.Code(), Message: st.Message()}
	}
	return fmt.Errorf("cmp %s: %w", op, err)
}

// ErrorMessage returns the cmp-server's message of a CMPError, or err's text.
func ErrorMessage(err error) string {
	var ce *CMPError
	if errors.As(err, &ce) {
		return ce.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// PluginConfig is the answer of CheckPluginConfiguration.
type PluginConfig struct {
	DiscoveryConfigured bool
	ProvideGitCreds     bool
}

// CheckPluginConfiguration asks whether the plugin has discovery rules and
// wants git credentials.
func (c *Client) CheckPluginConfiguration(ctx context.Context) (PluginConfig, error) {
	r, err := c.c.CheckPluginConfiguration(ctx, &emptypb.Empty{})
	if err != nil {
		return PluginConfig{}, wrap("CheckPluginConfiguration", err)
	}
	return PluginConfig{DiscoveryConfigured: r.GetIsDiscoveryConfigured(), ProvideGitCreds: r.GetProvideGitCreds()}, nil
}

// Match is the answer of MatchRepository.
type Match struct {
	Supported        bool
	DiscoveryEnabled bool
}

// MatchRepository streams the repo and runs the plugin's discovery rules.
func (c *Client) MatchRepository(ctx context.Context, repo Repo, env []string) (Match, error) {
	root, app, err := repo.abs()
	if err != nil {
		return Match{}, err
	}
	stream, err := c.c.MatchRepository(ctx, grpc_retry.Disable())
	if err != nil {
		return Match{}, wrap("MatchRepository", err)
	}
	if err := cmp.SendRepoStream(ctx, app, root, stream, env, repo.ExcludedGlobs); err != nil {
		return Match{}, wrap("MatchRepository", err)
	}
	r, err := stream.CloseAndRecv()
	if err != nil {
		return Match{}, wrap("MatchRepository", err)
	}
	return Match{Supported: r.GetIsSupported(), DiscoveryEnabled: r.GetIsDiscoveryEnabled()}, nil
}

// GenerateManifest streams the repo and runs the plugin's init and generate
// commands. It returns the manifests as the cmp-server sends them: one JSON
// string per object of the command's stdout.
func (c *Client) GenerateManifest(ctx context.Context, repo Repo, env []string) ([]string, error) {
	root, app, err := repo.abs()
	if err != nil {
		return nil, err
	}
	// As generateManifestsCMP: retries disabled, repo sent from the stream's context.
	stream, err := c.c.GenerateManifest(ctx, grpc_retry.Disable())
	if err != nil {
		return nil, wrap("GenerateManifest", err)
	}
	if err := cmp.SendRepoStream(stream.Context(), app, root, stream, env, repo.ExcludedGlobs); err != nil {
		return nil, wrap("GenerateManifest", fmt.Errorf("error sending file to cmp-server: %w", err))
	}
	r, err := stream.CloseAndRecv()
	if err != nil {
		return nil, wrap("GenerateManifest", err)
	}
	return r.GetManifests(), nil
}

// Parameter is one announced parameter (reposerver/apiclient.ParameterAnnouncement
// as a plain value).
type Parameter struct {
	Name           string            `json:"name,omitempty"`
	Title          string            `json:"title,omitempty"`
	Tooltip        string            `json:"tooltip,omitempty"`
	Required       bool              `json:"required,omitempty"`
	ItemType       string            `json:"itemType,omitempty"`
	CollectionType string            `json:"collectionType,omitempty"`
	String         string            `json:"string,omitempty"`
	Array          []string          `json:"array,omitempty"`
	Map            map[string]string `json:"map,omitempty"`
}

// GetParametersAnnouncement streams the repo and returns the plugin's
// parameter announcements (dynamic, then static).
func (c *Client) GetParametersAnnouncement(ctx context.Context, repo Repo, env []string) ([]Parameter, error) {
	root, app, err := repo.abs()
	if err != nil {
		return nil, err
	}
	stream, err := c.c.GetParametersAnnouncement(ctx, grpc_retry.Disable())
	if err != nil {
		return nil, wrap("GetParametersAnnouncement", err)
	}
	if err := cmp.SendRepoStream(stream.Context(), app, root, stream, env, repo.ExcludedGlobs); err != nil {
		return nil, wrap("GetParametersAnnouncement", fmt.Errorf("error sending file to cmp-server: %w", err))
	}
	r, err := stream.CloseAndRecv()
	if err != nil {
		return nil, wrap("GetParametersAnnouncement", err)
	}
	var out []Parameter
	for _, p := range r.GetParameterAnnouncements() {
		if p == nil {
			continue
		}
		out = append(out, Parameter{
			Name: p.Name, Title: p.Title, Tooltip: p.Tooltip, Required: p.Required,
			ItemType: p.ItemType, CollectionType: p.CollectionType,
			String: p.String_, Array: p.Array, Map: p.Map,
		})
	}
	return out, nil
}
