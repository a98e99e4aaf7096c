package pgtest

import (
	"bytes"
	"errors"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// CutProxy is a loopback TCP proxy in front of a cluster that can cut a
// client's connection at the worst moment of a transaction: after its
// COMMIT reached the server and before the server's answer reaches the
// client. The server commits; the client cannot know it did.
type CutProxy struct {
	ln     net.Listener
	target string
	armed  atomic.Bool
	cuts   atomic.Int32
	wg     sync.WaitGroup
}

// NewCutProxy starts a proxy to c and stops it when t ends.
func (c *Cluster) NewCutProxy(t testing.TB) *CutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	p := &CutProxy{ln: ln, target: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port))}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
	})
	return p
}

// URL is the connection URL of database db through the proxy (without the
// password, like Cluster.URL).
func (p *CutProxy) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: p.ln.Addr().String(), Path: "/" + db}
	u.RawQuery = "sslmode=disable"
	return u.String()
}

// CutAfterNextCommit makes the proxy cut the connection that sends the next
// COMMIT, once the COMMIT is forwarded to the server.
func (p *CutProxy) CutAfterNextCommit() { p.armed.Store(true) }

// Cuts is how many connections the proxy has cut.
func (p *CutProxy) Cuts() int { return int(p.cuts.Load()) }

func (p *CutProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.relay(client) })
	}
}

// commitMessage is how a COMMIT appears in the protocol stream: the query
// text, NUL-terminated (pgx sends "commit" in a simple Query message).
var commitMessage = []byte("commit\x00")

func (p *CutProxy) relay(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var cut atomic.Bool // set before the COMMIT is forwarded
	done := make(chan struct{})
	go func() { // server → client: drop the answer to a cut COMMIT
		defer close(done)
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if cut.Load() {
				p.cuts.Add(1)
				client.Close()
				return
			}
			if n > 0 {
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				client.Close()
				return
			}
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if bytes.Contains(bytes.ToLower(buf[:n]), commitMessage) && p.armed.CompareAndSwap(true, false) {
				cut.Store(true)
			}
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				server.Close()
			}
			break
		}
	}
	server.Close()
	<-done
}
