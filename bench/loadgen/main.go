// Command loadgen sends GET requests at a fixed rate (open loop: a slow
// answer does not delay the next request, and latency is measured from the
// moment a request was due, so queueing counts) and checks every response
// body against the expected bytes. It prints one JSON line:
//
//	{"rate":500,"sent":5000,"ok":5000,"errors":0,"bad_bodies":0,"p50_ms":1.2,"p99_ms":4.5,"achieved_rps":499.8}
//
//	loadgen -url http://127.0.0.1:8080/npm/pkg -rate 500 -duration 10s -expect body.json -H 'Accept-Encoding: gzip'
//
// With Accept-Encoding: gzip the body must come gzip-encoded and inflate to
// the expected bytes.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	Rate        float64 `json:"rate"`
	Sent        int     `json:"sent"`
	OK          int     `json:"ok"`
	Errors      int     `json:"errors"`
	BadBodies   int     `json:"bad_bodies"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	AchievedRPS float64 `json:"achieved_rps"`
	FirstError  string  `json:"first_error,omitempty"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	url := flag.String("url", "", "URL to GET")
	rate := flag.Float64("rate", 100, "requests per second")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	expect := flag.String("expect", "", "file holding the expected (decoded) body")
	workers := flag.Int("workers", 64, "most requests in flight")
	var headers headerFlags
	flag.Var(&headers, "H", "request header \"Name: value\" (repeatable)")
	flag.Parse()
	if *url == "" || *expect == "" || *rate <= 0 {
		return errors.New("-url, -expect and a positive -rate are required")
	}
	want, err := os.ReadFile(*expect)
	if err != nil {
		return fmt.Errorf("read expected body: %w", err)
	}
	gz := false
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		if strings.EqualFold(strings.TrimSpace(k), "Accept-Encoding") && strings.Contains(v, "gzip") {
			gz = true
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	n := int(*rate * duration.Seconds())
	interval := time.Duration(float64(time.Second) / *rate)
	due := make(chan time.Time, n)
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, n)
		res       = result{Rate: *rate}
	)
	check := func(start time.Time) {
		err := get(context.Background(), client, *url, headers, gz, want)
		elapsed := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		latencies = append(latencies, elapsed)
		switch {
		case errors.Is(err, errBadBody):
			res.BadBodies++
		case err != nil:
			res.Errors++
		default:
			res.OK++
		}
		if err != nil && res.FirstError == "" {
			res.FirstError = err.Error()
		}
	}
	var wg sync.WaitGroup
	for range *workers {
		wg.Go(func() {
			for start := range due {
				check(start)
			}
		})
	}
	begin := time.Now()
	for i := range n {
		at := begin.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		due <- at
	}
	close(due)
	wg.Wait()
	total := time.Since(begin)
	res.Sent = n
	slices.Sort(latencies)
	if len(latencies) > 0 {
		res.P50ms = ms(latencies[len(latencies)/2])
		res.P99ms = ms(latencies[min(len(latencies)-1, len(latencies)*99/100)])
	}
	res.AchievedRPS = float64(res.OK+res.BadBodies+res.Errors) / total.Seconds()
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

var errBadBody = errors.New("body differs from the expected bytes")

func get(ctx context.Context, client *http.Client, url string, headers []string, gz bool, want []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	var body io.Reader = resp.Body
	if gz {
		if resp.Header.Get("Content-Encoding") != "gzip" {
			io.Copy(io.Discard, resp.Body)
			return fmt.Errorf("%w: not gzip-encoded", errBadBody)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return fmt.Errorf("%w: %v", errBadBody, err)
		}
		body = zr
	}
	got, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%w (%d bytes, want %d)", errBadBody, len(got), len(want))
	}
	return nil
}
