package redisstore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The TLS query parameters of the rediss schemes.
const (
	queryTLSCA       = "tls_ca"                   // PEM file of the CAs to trust instead of the system roots
	queryTLSCert     = "tls_cert"                 // PEM client certificate, for servers that ask for one
	queryTLSKey      = "tls_key"                  // its PEM private key
	queryTLSName     = "tls_server_name"          // the name the server's certificate must carry
	queryTLSInsecure = "tls_insecure_skip_verify" // "true": accept any certificate (tests only)

	knownTLSParamList = queryTLSCA + ", " + queryTLSCert + ", " + queryTLSKey + ", " + queryTLSName + ", " + queryTLSInsecure
)

// takeTLSParams removes the TLS parameters from q and returns them, each
// with its values as given.
func takeTLSParams(q url.Values) url.Values {
	out := url.Values{}
	for name, vals := range q {
		if strings.HasPrefix(name, "tls_") {
			switch name {
			case queryTLSCA, queryTLSCert, queryTLSKey, queryTLSName, queryTLSInsecure:
				out[name] = vals
				delete(q, name)
			}
		}
	}
	return out
}

// applyTLSParams sets opts.TLSConfig from the TLS parameters of a rediss
// URL: the CA file replaces the system roots, the client certificate and
// key go together, the server name replaces the URL's host (on a Cluster it
// is checked on every node), and verification is skipped only when
// tls_insecure_skip_verify=true says so in as many words.
func applyTLSParams(q url.Values, isTLS bool, opts *redis.UniversalOptions) error {
	if len(q) == 0 {
		return nil
	}
	if !isTLS {
		return fmt.Errorf("redisstore: the tls_* parameters need the rediss:// or rediss+cluster:// scheme")
	}
	get := func(name string) (string, error) {
		vals := q[name]
		switch {
		case len(vals) == 0:
			return "", nil
		case len(vals) > 1:
			return "", fmt.Errorf("redisstore: query parameter %q given %d times", name, len(vals))
		case vals[0] == "":
			return "", fmt.Errorf("redisstore: query parameter %q is empty", name)
		}
		return vals[0], nil
	}
	var p [5]string
	for i, name := range []string{queryTLSCA, queryTLSCert, queryTLSKey, queryTLSName, queryTLSInsecure} {
		v, err := get(name)
		if err != nil {
			return err
		}
		p[i] = v
	}
	caFile, certFile, keyFile, serverName, insecure := p[0], p[1], p[2], p[3], p[4]

	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.TLSConfig != nil {
		cfg = opts.TLSConfig.Clone()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return fmt.Errorf("redisstore: %s: %w", queryTLSCA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("redisstore: %s: no PEM certificate in %s", queryTLSCA, caFile)
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return fmt.Errorf("redisstore: %s and %s go together", queryTLSCert, queryTLSKey)
	}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			// The error names files and PEM blocks, never key material.
			return fmt.Errorf("redisstore: %s/%s: %w", queryTLSCert, queryTLSKey, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if serverName != "" {
		cfg.ServerName = serverName
	}
	if insecure != "" {
		skip, err := strconv.ParseBool(insecure)
		if err != nil {
			return fmt.Errorf("redisstore: %s=%q is not true or false", queryTLSInsecure, insecure)
		}
		cfg.InsecureSkipVerify = skip
	}
	opts.TLSConfig = cfg
	return nil
}

// tlsRefused reports whether err is a TLS handshake that failed on a
// certificate or the protocol: a configuration problem, not an outage.
func tlsRefused(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		opErr     *net.OpError
	)
	// An alert from the server (no or a refused client certificate, no
	// common protocol version) comes as a net.OpError "remote error".
	return errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert) ||
		(errors.As(err, &opErr) && opErr.Op == "remote error")
}
