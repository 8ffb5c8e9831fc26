package contextstore

import (
	"net/url"
	"strings"
)

// Redacted is the text that stands for a secret in messages.
const Redacted = "xxxxx"

// credentialParams are query parameters whose values are secrets, in any
// store URL (PostgreSQL's password and sslpassword, tokens, keys).
var credentialParams = []string{"password", "passwd", "pwd", "sslpassword", "secret", "token", "key", "sslkey"}

// RedactURL returns rawURL fit for a message: the password of its user
// information and the values of credential query parameters replaced by
// Redacted. It works on URLs that do not parse too, which are the ones
// error messages quote.
func RedactURL(rawURL string) string {
	out := rawURL
	for _, s := range urlSecrets(rawURL) {
		out = strings.ReplaceAll(out, s, Redacted)
	}
	return out
}

// urlSecrets returns the secrets rawURL carries, as written and decoded,
// longest first so that replacing one never leaves part of another.
func urlSecrets(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" || s == Redacted {
			return
		}
		out = append(out, s)
		if d, err := url.PathUnescape(s); err == nil && d != s && d != "" {
			out = append(out, d)
		}
		if d, err := url.QueryUnescape(s); err == nil && d != s && d != "" {
			out = append(out, d)
		}
	}
	rest := rawURL
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	} else if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[i+1:]
	}
	// The authority ends at the first '/', '?' or '#' after the last '@'
	// (a password may itself hold '/', '?' or '#' when written carelessly).
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		if _, pw, ok := strings.Cut(userinfo, ":"); ok {
			add(pw)
		}
	}
	if _, query, ok := strings.Cut(rawURL, "?"); ok {
		query, _, _ = strings.Cut(query, "#")
		for _, kv := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' }) {
			k, v, _ := strings.Cut(kv, "=")
			k = strings.ToLower(k)
			for _, c := range credentialParams {
				if k == c {
					add(v)
				}
			}
		}
	}
	// Longest first.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// redactedError is an error whose message had the secrets of a URL removed;
// it unwraps to the original, so errors.Is and errors.As still work.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactError returns err with every secret of rawURL removed from its
// message (nil for nil, err itself when there is nothing to remove).
// errors.Is and errors.As see the original error, whose own message should
// not hold the secrets either: backends quote URLs through RedactURL.
func RedactError(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	secrets := urlSecrets(rawURL)
	msg := err.Error()
	redacted := msg
	for _, s := range secrets {
		redacted = strings.ReplaceAll(redacted, s, Redacted)
	}
	if redacted == msg {
		return err
	}
	return &redactedError{msg: redacted, err: err}
}
