package main

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// minFixedPort is the lowest port freeAddr picks outside the kernel's
// ephemeral range.
const minFixedPort = 20000

// freeAddr returns a loopback address whose port is free now, for a serve
// the test starts later. The port comes from below the kernel's ephemeral
// range (net.ipv4.ip_local_port_range), which listeners on port 0 and
// outgoing connections draw from: a -race serve takes up to a minute to
// bind on a loaded machine, and in that window the test packages running
// beside this one open hundreds of such sockets, any of which could land on
// an ephemeral port picked here (serve then fails with "address already in
// use"). Where the range cannot be read it falls back to port 0.
func freeAddr(t *testing.T) string {
	t.Helper()
	if lo := ephemeralLow(); lo > minFixedPort+1000 {
		for range 100 {
			port := minFixedPort + rand.IntN(lo-minFixedPort)
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err == nil {
				addr := ln.Addr().String()
				ln.Close()
				return addr
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ephemeralLow is the first port of the kernel's ephemeral range, or 0 when
// it cannot be read (not Linux).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0
	}
	lo, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return lo
}
