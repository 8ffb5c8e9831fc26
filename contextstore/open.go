package contextstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/ctxframe/ctxframe/keys"
)

// Opener opens a store from a parsed URL. It must reject query parameters
// it does not know, with an error of kind ErrConfig.
type Opener func(ctx context.Context, u *url.URL) (Store, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Opener{}
)

// Register makes a URL scheme open with opener. Backends call it from init.
// Registering a scheme twice, or a nil opener, panics: it is a programming
// error, found at start-up.
func Register(scheme string, opener Opener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	scheme = strings.ToLower(scheme)
	if opener == nil {
		panic("contextstore: Register of a nil opener for " + scheme)
	}
	if _, dup := registry[scheme]; dup {
		panic("contextstore: Register called twice for scheme " + scheme)
	}
	registry[scheme] = opener
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for s := range registry {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Open opens the store a URL names. "mem://" is always available; other
// schemes ("redis://", "sqlite://", "postgres://", ...) are available once
// their backend package is imported, usually for its side effect:
//
//	import _ "github.com/ctxframe/ctxframe/contextstore/sqlstore"
//
// No error it returns carries the URL's password or other credentials
// (see RedactURL).
func Open(ctx context.Context, rawURL string) (Store, error) {
	s, err := open(ctx, rawURL)
	return s, RedactError(err, rawURL)
}

func open(ctx context.Context, rawURL string) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("cannot parse URL %q: %w", RedactURL(rawURL), ue.Err)
		}
		return nil, NewError("open", "", keys.Key{}, ErrConfig, err)
	}
	scheme := strings.ToLower(u.Scheme)
	registryMu.RLock()
	opener := registry[scheme]
	registryMu.RUnlock()
	if opener == nil {
		return nil, NewError("open", scheme, keys.Key{}, ErrConfig,
			fmt.Errorf("unknown URL scheme %q (registered: %s; import the backend package to register its scheme)",
				u.Scheme, strings.Join(Schemes(), ", ")))
	}
	return opener(ctx, u)
}

func init() {
	Register("mem", func(ctx context.Context, u *url.URL) (Store, error) {
		if len(u.Query()) > 0 || (u.Host != "" || (u.Path != "" && u.Path != "/")) {
			return nil, NewError("open", memBackend, keys.Key{}, ErrConfig,
				fmt.Errorf("mem:// takes no host, path or parameters, got %q", RedactURL(u.String())))
		}
		return NewMemoryStore(), nil
	})
}
