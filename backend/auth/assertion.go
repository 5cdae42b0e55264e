package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// ClientCertificate is an app registration's certificate credential: Microsoft's
// alternative to a client secret for app-only access. The app proves itself with a JWT
// signed by the certificate's key (RFC 7523 §2.2 client authentication, RS256), which
// Entra ID matches to the uploaded certificate by its SHA-1 thumbprint (x5t).
type ClientCertificate struct {
	key        *rsa.PrivateKey
	thumbprint string // base64url SHA-1 of the certificate's DER
}

// ParseClientCertificate reads a PEM file holding the certificate and its RSA private key
// (PKCS #8 or PKCS #1), as "openssl req -x509 -newkey rsa:2048 -nodes" writes them.
func ParseClientCertificate(pemData []byte) (*ClientCertificate, error) {
	var cert *x509.Certificate
	var key *rsa.PrivateKey
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("client certificate: %w", err)
			}
			cert = c
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("client certificate key: %w", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, errors.New("client certificate key: want an RSA key (Entra ID signs with RS256)")
			}
			key = rk
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("client certificate key: %w", err)
			}
			key = k
		}
	}
	if cert == nil || key == nil {
		return nil, errors.New("client certificate: want one PEM file with the CERTIFICATE and its PRIVATE KEY")
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, errors.New("client certificate: the private key does not belong to the certificate")
	}
	sum := sha1.Sum(cert.Raw)
	return &ClientCertificate{key: key, thumbprint: base64.RawURLEncoding.EncodeToString(sum[:])}, nil
}

// assertion is a fresh client assertion for clientID at the token endpoint aud, valid
// ten minutes from now.
func (c *ClientCertificate) assertion(clientID, aud string, now time.Time) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": c.thumbprint})
	claims, _ := json.Marshal(map[string]any{"aud": aud, "iss": clientID, "sub": clientID,
		"jti": randomString(), "nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	h := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, h[:])
	if err != nil {
		return "", fmt.Errorf("sign the client assertion: %w", err)
	}
	return signed + "." + enc.EncodeToString(sig), nil
}
