package contextstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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
//
// Every URL also takes the decorators' parameters, which the backend never
// sees: telemetry=true wraps the store with Instrument on OpenTelemetry's
// global providers; cache=N puts a read Cache of N entries in front of it,
// and cache_max_stale=DURATION (a time.ParseDuration string) sets its
// staleness bound. opts do the same from code, and take precedence.
func Open(ctx context.Context, rawURL string, opts ...OpenOption) (Store, error) {
	s, err := open(ctx, rawURL, opts)
	return s, RedactError(err, rawURL)
}

// OpenOption changes how Open opens a store.
type OpenOption func(*openConfig)

type openConfig struct {
	telemetry *Telemetry
	cache     *CacheOptions
}

// WithTelemetry makes Open return the store instrumented with t (see
// Instrument); an empty Backend becomes the URL's scheme.
func WithTelemetry(t Telemetry) OpenOption {
	return func(c *openConfig) { c.telemetry = &t }
}

// WithCache makes Open put a read cache with opts in front of the store
// (see Cache), inside the instrumentation if there is one: spans then time
// what the caller waits for.
func WithCache(opts CacheOptions) OpenOption {
	return func(c *openConfig) { c.cache = &opts }
}

// decoratorParams takes the decorators' parameters out of u's query into
// cfg, unless opts already set them.
func decoratorParams(u *url.URL, cfg *openConfig) error {
	q := u.Query()
	if !q.Has("telemetry") && !q.Has("cache") && !q.Has("cache_max_stale") {
		return nil
	}
	if v := q.Get("telemetry"); q.Has("telemetry") {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("telemetry=%q: want true or false", v)
		}
		if on && cfg.telemetry == nil {
			cfg.telemetry = &Telemetry{}
		}
	}
	if q.Has("cache") || q.Has("cache_max_stale") {
		var co CacheOptions
		if v := q.Get("cache"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("cache=%q: want a number of entries above 0", v)
			}
			co.MaxEntries = n
		}
		if v := q.Get("cache_max_stale"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("cache_max_stale=%q: want a duration such as 500ms", v)
			}
			co.MaxStale = d
		}
		if cfg.cache == nil {
			cfg.cache = &co
		}
	}
	q.Del("telemetry")
	q.Del("cache")
	q.Del("cache_max_stale")
	u.RawQuery = q.Encode()
	return nil
}

func open(ctx context.Context, rawURL string, opts []OpenOption) (Store, error) {
	var cfg openConfig
	for _, o := range opts {
		o(&cfg)
	}
	s, scheme, err := openBackend(ctx, rawURL, &cfg)
	if err != nil {
		return nil, err
	}
	if cfg.cache != nil {
		s = Cache(s, *cfg.cache)
	}
	if cfg.telemetry != nil {
		t := *cfg.telemetry
		if t.Backend == "" {
			t.Backend = scheme
		}
		s = Instrument(s, t)
	}
	return s, nil
}

func openBackend(ctx context.Context, rawURL string, cfg *openConfig) (Store, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("cannot parse URL %q: %w", RedactURL(rawURL), ue.Err)
		}
		return nil, "", NewError("open", "", keys.Key{}, ErrConfig, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if err := decoratorParams(u, cfg); err != nil {
		return nil, "", NewError("open", scheme, keys.Key{}, ErrConfig, err)
	}
	registryMu.RLock()
	opener := registry[scheme]
	registryMu.RUnlock()
	if opener == nil {
		return nil, "", NewError("open", scheme, keys.Key{}, ErrConfig,
			fmt.Errorf("unknown URL scheme %q (registered: %s; import the backend package to register its scheme)",
				u.Scheme, strings.Join(Schemes(), ", ")))
	}
	s, err := opener(ctx, u)
	return s, scheme, err
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
