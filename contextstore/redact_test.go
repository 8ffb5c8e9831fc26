package contextstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore"
	_ "github.com/ctxframe/ctxframe/contextstore/sqlstore"
)

// No error of Open carries a URL's password or credential parameter,
// however the URL is broken.
func TestOpenNeverPrintsASecret(t *testing.T) {
	const secret = "S3cr3tPW"
	urls := []string{
		"postgres://postgres:S3c%zzPW@127.0.0.1:1/test", // invalid escape: url.Parse fails
		"postgres://postgres:" + secret + "@127.0.0.1:notaport/test",
		"postgres://postgres:" + secret + "@127.0.0.1:1/test?bogus=1",
		"postgres://127.0.0.1:1/test?password=" + secret + "&bogus=1",
		"postgresql://u:" + secret + "@[::1/test",
		"redis://:" + secret + "@[::1/0",
		"redis://u:" + secret + "@127.0.0.1:6379/notanumber",
		"redis://u:" + secret + "@127.0.0.1:6379/0?bogus=1",
		"rediss://u:" + secret + "@127.0.0.1:6379/0#frag",
		"redis+cluster://u:" + secret + "@h1:1,,h2:2",
		"redis+cluster://u:" + secret + "@h1:1/3",
		"mem://u:" + secret + "@host",
		"mem://u:S3c%zzPW@host",
		"sqlite://u:" + secret + "@host/x.db",
		"unknown://u:" + secret + "@host",
		"://u:" + secret + "@",
	}
	for _, u := range urls {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := contextstore.Open(ctx, u)
		cancel()
		if err == nil {
			contextstore.Close(s)
			t.Errorf("Open(%s) opened a store; the case is meant to fail", contextstore.RedactURL(u))
			continue
		}
		for _, leak := range []string{secret, "S3c%zzPW"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("Open of a bad URL printed its secret: %v", err)
			}
		}
		var se *contextstore.Error
		assert.ErrorAs(t, err, &se, "Open(%s) = %T, want a *contextstore.Error inside", contextstore.RedactURL(u), err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://ana:pw@db/x":                      "postgres://ana:xxxxx@db/x",
		"postgres://db/x?sslmode=require&password=pw": "postgres://db/x?sslmode=require&password=xxxxx",
		"redis://:p%40ss@h:6379/0":                    "redis://:xxxxx@h:6379/0",
		"redis://h:6379/0":                            "redis://h:6379/0",
		"sqlite:ctx.db":                               "sqlite:ctx.db",
	} {
		if got := contextstore.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
