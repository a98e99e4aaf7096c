// Command fakeupstream is the upstream of bench/compare: a fake npm
// registry, PyPI index and download-count service (npm's downloads API and
// pypistats.org) on one loopback port, serving deterministic documents with
// an injected latency and counting every request it answers.
//
//	fakeupstream -listen 127.0.0.1:4873 -latency 50ms
//	fakeupstream -write-fixtures bench/fixtures   # package.json, package-lock.json, requirements.txt
//
// GET /_bench/stats answers the request counts as JSON; POST /_bench/reset
// zeroes them. Neither is delayed or counted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakeupstream:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	addrFile := flag.String("addr-file", "", "write the address listened on to this file")
	latency := flag.Duration("latency", 50*time.Millisecond, "delay before every answer")
	writeFixtures := flag.String("write-fixtures", "", "write the npm project (package.json, package-lock.json) and requirements.txt into this directory and exit")
	flag.Parse()

	fx, err := buildFixtures()
	if err != nil {
		return fmt.Errorf("build fixtures: %w", err)
	}
	if *writeFixtures != "" {
		return fx.write(*writeFixtures)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv := &server{fx: fx, base: base, latency: *latency, counts: map[string]int{}}
	if err := srv.render(); err != nil {
		return fmt.Errorf("render documents: %w", err)
	}
	if *addrFile != "" { // written once every document is ready
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			return fmt.Errorf("write address file: %w", err)
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(shut)
	}()
	slog.Info("fake upstream listening", "url", base, "latency", *latency)
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// server answers every route from documents rendered at start-up.
type server struct {
	fx      *fixtures
	base    string
	latency time.Duration
	docs    map[string]document // path → answer (npm packuments keyed by Accept too)

	mu     sync.Mutex
	counts map[string]int // kind → requests
	total  int
}

// document is one prepared answer.
type document struct {
	kind        string // counter name
	contentType string
	body        []byte
}

func (s *server) count(kind string) {
	s.mu.Lock()
	s.counts[kind]++
	s.total++
	s.mu.Unlock()
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_bench/stats":
		s.mu.Lock()
		out := map[string]any{"total": s.total, "by_kind": s.counts}
		b, _ := json.Marshal(out)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	case "/_bench/reset":
		s.mu.Lock()
		s.counts, s.total = map[string]int{}, 0
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.count("other")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/downloads/point/last-week/") {
		s.count("downloads")
		s.npmDownloads(w, strings.TrimPrefix(path, "/downloads/point/last-week/"))
		return
	}
	if strings.HasPrefix(path, "/api/packages/") && strings.HasSuffix(path, "/recent") {
		s.count("downloads")
		w.Header().Set("Content-Type", "application/json")
		name := strings.TrimSuffix(strings.TrimPrefix(path, "/api/packages/"), "/recent")
		fmt.Fprintf(w, `{"data":{"last_day":90000,"last_month":2500000,"last_week":600000},"package":%q,"type":"recent_downloads"}`, name)
		return
	}
	key := path
	if strings.HasPrefix(path, "/simple/") && strings.Contains(r.Header.Get("Accept"), "application/vnd.pypi.simple.v1+json") {
		key = path + "#json"
	}
	d, ok := s.docs[key]
	if !ok {
		s.count("not_found")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"Not found"}`))
		return
	}
	s.count(d.kind)
	w.Header().Set("Content-Type", d.contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(d.body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(d.body)
}

// npmDownloads answers npm's downloads API for one name or a bulk list:
// every fixture is popular enough for DEP-004.
func (s *server) npmDownloads(w http.ResponseWriter, list string) {
	w.Header().Set("Content-Type", "application/json")
	names := strings.Split(list, ",")
	point := func(n string) map[string]any {
		return map[string]any{"downloads": 600000, "start": "2026-11-28", "end": "2026-12-04", "package": n}
	}
	var body []byte
	if len(names) == 1 {
		body, _ = json.Marshal(point(names[0]))
	} else {
		out := map[string]any{}
		for _, n := range names {
			out[n] = point(n)
		}
		body, _ = json.Marshal(out)
	}
	w.Write(body)
}

// render builds every document with URLs pointing at s.base.
func (s *server) render() error {
	s.docs = map[string]document{}
	for _, p := range s.fx.npm {
		doc, err := p.packument(s.base)
		if err != nil {
			return err
		}
		s.docs["/"+p.name] = document{kind: "packument", contentType: "application/json", body: doc}
		for _, v := range p.versions {
			s.docs[tarballPath(p.name, v.version)] = document{kind: "tarball", contentType: "application/octet-stream", body: v.tarball}
		}
	}
	for _, p := range s.fx.pypi {
		html, js, api, err := p.pages(s.base)
		if err != nil {
			return err
		}
		s.docs["/simple/"+p.name+"/"] = document{kind: "simple", contentType: "text/html; charset=utf-8", body: html}
		s.docs["/simple/"+p.name+"/#json"] = document{kind: "simple", contentType: "application/vnd.pypi.simple.v1+json", body: js}
		s.docs["/pypi/"+p.name+"/json"] = document{kind: "pypi_json", contentType: "application/json", body: api}
		for _, f := range p.files {
			s.docs[f.path()] = document{kind: "file", contentType: "application/octet-stream", body: f.data}
		}
	}
	return nil
}

// write stores the committed client fixtures.
func (fx *fixtures) write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "npm-project"), 0o755); err != nil {
		return fmt.Errorf("write fixtures: %w", err)
	}
	pkg, lock, err := fx.npmProject()
	if err != nil {
		return err
	}
	files := map[string][]byte{
		filepath.Join(dir, "npm-project", "package.json"):      pkg,
		filepath.Join(dir, "npm-project", "package-lock.json"): lock,
		filepath.Join(dir, "requirements.txt"):                 fx.requirements(),
	}
	for path, b := range files {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("write fixtures: %w", err)
		}
	}
	return nil
}
