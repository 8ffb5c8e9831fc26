package redisstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/redisstore"
	"github.com/ctxframe/ctxframe/keys"
)

// testPKI is a self-signed CA with a server certificate for 127.0.0.1 and
// the name "redis.test", and a client certificate, as PEM files in dir.
type testPKI struct {
	dir                          string
	ca, serverCert, serverKey    string
	clientCert, clientKey, other string // other: a CA that signed nothing here
	pool                         *x509.CertPool
	client                       tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(p.dir, name)
		require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
		return path
	}
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		return k
	}
	keyDER := func(k *ecdsa.PrivateKey) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		return der
	}
	serial := int64(1)
	template := func(cn string) *x509.Certificate {
		serial++
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
		}
	}
	makeCA := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		k := newKey()
		tpl := template(name)
		tpl.IsCA, tpl.BasicConstraintsValid = true, true
		tpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
		require.NoError(t, err)
		cert, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		return cert, k, der
	}
	caCert, caKey, caDER := makeCA("ctxframe test CA")
	p.ca = write("ca.pem", "CERTIFICATE", caDER)
	_, _, otherDER := makeCA("some other CA")
	p.other = write("other-ca.pem", "CERTIFICATE", otherDER)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(caCert)

	leaf := func(name string, usage x509.ExtKeyUsage, dns []string, ips []net.IP) (certPath, keyPath string) {
		k := newKey()
		tpl := template(name)
		tpl.KeyUsage = x509.KeyUsageDigitalSignature
		tpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
		tpl.DNSNames, tpl.IPAddresses = dns, ips
		der, err := x509.CreateCertificate(rand.Reader, tpl, caCert, &k.PublicKey, caKey)
		require.NoError(t, err)
		return write(name+".pem", "CERTIFICATE", der), write(name+"-key.pem", "PRIVATE KEY", keyDER(k))
	}
	p.serverCert, p.serverKey = leaf("server", x509.ExtKeyUsageServerAuth, []string{"redis.test"}, []net.IP{net.ParseIP("127.0.0.1")})
	p.clientCert, p.clientKey = leaf("client", x509.ExtKeyUsageClientAuth, nil, nil)
	var err error
	p.client, err = tls.LoadX509KeyPair(p.clientCert, p.clientKey)
	require.NoError(t, err)
	return p
}

// TestRedisTLS runs a redis-server that speaks TLS only and asks for client
// certificates, and opens it by rediss:// URL with each TLS parameter.
func TestRedisTLS(t *testing.T) {
	pki := newTestPKI(t)
	srv := startOwnServerTLS(t,
		&tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client}, ServerName: "redis.test"},
		"--port", "0", "--tls-port", tlsPortPlaceholder,
		"--tls-cert-file", pki.serverCert, "--tls-key-file", pki.serverKey,
		"--tls-ca-cert-file", pki.ca, "--tls-auth-clients", "yes",
		"--requirepass", "tls-s3cret")
	base := "rediss://:tls-s3cret@" + srv.addr() + "/0?timeout=3s&tls_cert=" + pki.clientCert + "&tls_key=" + pki.clientKey
	ctx := context.Background()

	works := func(t *testing.T, url string) {
		t.Helper()
		s, err := redisstore.Open(ctx, url)
		require.NoError(t, err, "opening %s", contextstore.RedactURL(url))
		defer s.Close()
		k := keys.Column("tls", "c")
		require.NoError(t, s.Set(ctx, k, contextstore.Value{"over": "tls"}))
		v, err := s.Get(ctx, k)
		require.NoError(t, err)
		require.Equal(t, contextstore.Value{"over": "tls"}, v)
	}
	refused := func(t *testing.T, url string) {
		t.Helper()
		_, err := redisstore.Open(ctx, url)
		require.ErrorIs(t, err, contextstore.ErrConfig, "a refused TLS handshake is a configuration error")
		require.NotContains(t, err.Error(), "tls-s3cret", "the error shows the password")
	}

	t.Run("CA file, host checked against the IP", func(t *testing.T) { works(t, base+"&tls_ca="+pki.ca) })
	t.Run("CA file and server name", func(t *testing.T) { works(t, base+"&tls_ca="+pki.ca+"&tls_server_name=redis.test") })
	t.Run("insecure, named as such", func(t *testing.T) { works(t, base+"&tls_insecure_skip_verify=true") })
	t.Run("system roots do not know the CA", func(t *testing.T) { refused(t, base) })
	t.Run("another CA", func(t *testing.T) { refused(t, base+"&tls_ca="+pki.other) })
	t.Run("wrong server name", func(t *testing.T) { refused(t, base+"&tls_ca="+pki.ca+"&tls_server_name=elsewhere.test") })
	t.Run("no client certificate", func(t *testing.T) {
		refused(t, "rediss://:tls-s3cret@"+srv.addr()+"/0?timeout=3s&tls_ca="+pki.ca)
	})
	t.Run("plain text to a TLS port", func(t *testing.T) {
		_, err := redisstore.Open(ctx, "redis://:tls-s3cret@"+srv.addr()+"/0?timeout=1s")
		require.Error(t, err)
		require.NotContains(t, err.Error(), "tls-s3cret")
	})
}

func TestParseURLTLSParameters(t *testing.T) {
	pki := newTestPKI(t)
	cfg, err := redisstore.ParseURL("rediss://h:6380/0?tls_ca=" + pki.ca + "&tls_server_name=redis.test&tls_cert=" + pki.clientCert + "&tls_key=" + pki.clientKey)
	require.NoError(t, err)
	tc := cfg.Client.TLSConfig
	require.NotNil(t, tc)
	require.Equal(t, "redis.test", tc.ServerName)
	require.NotNil(t, tc.RootCAs, "tls_ca replaces the system roots")
	require.Len(t, tc.Certificates, 1)
	require.False(t, tc.InsecureSkipVerify)

	cfg, err = redisstore.ParseURL("rediss+cluster://h1:7001,h2:7002?tls_insecure_skip_verify=true")
	require.NoError(t, err)
	require.True(t, cfg.Client.TLSConfig.InsecureSkipVerify)

	for _, raw := range []string{
		"redis://h:1?tls_ca=" + pki.ca,                                          // TLS parameters on a plain scheme
		"rediss://h:1?tls_ca=/no/such/file.pem",                                 // missing file
		"rediss://h:1?tls_ca=" + pki.clientKey,                                  // no certificate in it
		"rediss://h:1?tls_cert=" + pki.clientCert,                               // a certificate without its key
		"rediss://h:1?tls_cert=" + pki.clientCert + "&tls_key=" + pki.serverKey, // a key of another certificate
		"rediss://h:1?tls_insecure_skip_verify=maybe",                           // not a boolean
		"rediss://h:1?tls_server_name=",                                         // empty
		"rediss://h:1?tls_server_name=a&tls_server_name=b",                      // twice
	} {
		_, err := redisstore.ParseURL(raw)
		require.ErrorIs(t, err, contextstore.ErrConfig, "ParseURL(%q)", raw)
	}
}
