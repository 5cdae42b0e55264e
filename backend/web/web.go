// Package web is the local web face of Cutover: it serves the built frontend and the
// operations of package api over HTTP on a loopback address, so the same UI runs in
// a browser. Every operation is a method of *api.API called by name:
//
//	POST /api/call/<Method>   body: JSON array of arguments   → {"result": ...}
//	                          or fault's envelope {"kind": ..., "error": message, "fields": [...]}
//	GET  /api/events          Server-Sent Events from the api's event bus
//
// Defences for a server on loopback: a random token per launch (carried once by the
// printed URL, then an HttpOnly SameSite=Strict cookie) guards /api/; the Host header
// must name a loopback host (DNS-rebinding defence); state-changing requests must come
// from our own Origin, or carry the token in an Authorization header (scripts).
package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"cutover/backend/api"
	"cutover/backend/dispatch"
	"cutover/backend/fault"
	"cutover/backend/project"
)

const cookieName = "cutover_token"

// Server is the local web app.
type Server struct {
	api    *api.API
	calls  *dispatch.Dispatcher
	token  string
	assets http.Handler
	log    *slog.Logger
}

// NewToken returns a fresh random token.
func NewToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// New returns the web face of a, serving the frontend in assets (the content of
// frontend/dist), guarded by token.
func New(a *api.API, assets fs.FS, token string, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	return &Server{api: a, calls: dispatch.New(a), token: token, assets: http.FileServerFS(assets), log: log}
}

// Handler is the whole app: assets, API and events, behind the Host check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/call/{method}", s.requireToken(s.call))
	mux.HandleFunc("GET /api/events", s.requireToken(s.events))
	mux.HandleFunc("/api/", s.requireToken(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, &fault.Envelope{Kind: fault.KindNotFound, Message: "not found"})
	}))
	mux.HandleFunc("/", s.index)
	return s.checkHost(mux)
}

// checkHost refuses requests whose Host is not a loopback name: a page on another
// site whose name was re-bound to 127.0.0.1 cannot talk to us.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopbackHost(r.Host) {
			refuse(w, http.StatusMisdirectedRequest, "host", "refused: Host "+r.Host+" is not this loopback server")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// index serves the frontend; "/?token=..." trades the URL's token for a cookie.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if t := r.URL.Query().Get("token"); t != "" {
		if !s.tokenOK(t) {
			http.Error(w, "This link is from another launch of Cutover: use the URL printed by the running `cutover serve`.", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		q := r.URL.Query()
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.assets.ServeHTTP(w, r)
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

func (s *Server) requireToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		viaHeader := false
		tok := ""
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			tok, viaHeader = strings.TrimPrefix(h, "Bearer "), true
		} else if c, err := r.Cookie(cookieName); err == nil {
			tok = c.Value
		}
		if tok == "" || !s.tokenOK(tok) {
			refuse(w, http.StatusUnauthorized, "auth", "unauthorized: open the URL printed by `cutover serve` (it carries this launch's token)")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !viaHeader {
			if o := r.Header.Get("Origin"); o != "http://"+r.Host {
				refuse(w, http.StatusForbidden, "origin", "refused: request from another origin ("+o+")")
				return
			}
		}
		next(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with fault's envelope, the error shape of every face.
func writeError(w http.ResponseWriter, status int, env *fault.Envelope) {
	writeJSON(w, status, env)
}

// refuse answers a request the server's defences turn away before any operation runs
// (kinds "host", "auth", "origin", which only this face has).
func refuse(w http.ResponseWriter, status int, kind, msg string) {
	writeError(w, status, &fault.Envelope{Kind: fault.Kind(kind), Message: msg})
}

// statusOf is the HTTP status of an error of kind k.
func statusOf(k fault.Kind) int {
	switch k {
	case fault.KindInput:
		return http.StatusBadRequest
	case fault.KindNotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// maxBody bounds a call's arguments (spreadsheets travel as base64 in them).
const maxBody = 64 << 20

// call runs an operation through the dispatcher the desktop window's binding uses too.
func (s *Server) call(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, &fault.Envelope{Kind: fault.KindInput, Message: "request too large"})
		return
	}
	var args []json.RawMessage
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &args); err != nil {
			writeError(w, http.StatusBadRequest, &fault.Envelope{Kind: fault.KindInput, Message: "body must be a JSON array of arguments: " + err.Error()})
			return
		}
	}
	start := time.Now()
	result, err := s.calls.Call(name, args)
	if err != nil {
		env := fault.Classify(err)
		if env.Kind == fault.KindFailed {
			s.log.Error("call failed", "method", name, "err", err)
		}
		writeError(w, statusOf(env.Kind), env)
		return
	}
	s.log.Debug("call", "method", name, "took", time.Since(start))
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}

// events streams the bus as Server-Sent Events until the client goes away.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, cancel := api.Events(s.api).Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		case ev, ok := <-ch:
			if !ok {
				return
			}
			b, err := json.Marshal(ev)
			if err != nil {
				continue
			}
			fmt.Fprintf(w, "data: %s\n\n", b)
			fl.Flush()
		}
	}
}

// Listen binds addr, which must be a loopback address ("127.0.0.1:0" picks a free port).
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &project.FieldError{Field: "addr", Value: addr, Expected: "host:port on loopback, e.g. 127.0.0.1:8465"}
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, &project.FieldError{Field: "addr", Value: addr, Expected: "a loopback address (127.0.0.1 or [::1]): the local web app is never exposed to the network"}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// URL is the address a person opens: it carries the token once.
func URL(ln net.Listener, token string) string {
	return "http://" + ln.Addr().String() + "/?token=" + token
}
