package metacache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-proxy/vigil-proxy/policy"
)

// Get returns key's document: a fresh L1 copy when there is one, otherwise
// the result of one shared refresh per key, which serves a fresh L2 copy or
// does one upstream fetch (revalidating with the
// stored ETag). A missing name returns an error wrapping policy.ErrNotFound,
// remembered for NegativeTTL. Other fetch failures fall back to a copy
// younger than TTL+Grace, returned with Stale set; without one the error is
// returned.
//
// key must identify the representation: concurrent callers of one key share
// a single fetch and parse, so their fetch and parse must be interchangeable.
//
// The shared fetch runs detached from ctx (bounded by FetchTimeout), so a
// caller giving up never cancels it for the others; Get itself returns
// ctx's error as soon as ctx is done.
func (c *Cache) Get(ctx context.Context, key string, fetch FetchFunc, parse ParseFunc) (*Entry, error) {
	if key == "" || len(key) > maxKeyLen {
		return nil, fmt.Errorf("metadata cache: invalid key of %d bytes", len(key))
	}
	it, found, err := c.l1Lookup(key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	if found && c.fresh(it.entry == nil, it.fetched, c.opts.Now()) {
		c.hits.Add(1)
		e, _, err := it.answer(key)
		return e, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	c.misses.Add(1)
	ch := c.group.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
		defer cancel()
		return c.refresh(fctx, key, fetch, parse)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		e, ok := res.Val.(*Entry)
		if !ok || e == nil {
			return nil, fmt.Errorf("get %s: %w: empty refresh result", key, policy.ErrUpstream)
		}
		if e.Stale {
			c.staleServed.Add(1)
		}
		return e, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("get %s: %w", key, ctx.Err())
	}
}

// lookupFresh answers from a fresh L1 item or L2 record: ok reports an
// answer, which is an entry or a remembered not-found error, and fromL2
// that it was read from L2. ok is false when neither tier has a fresh,
// usable copy.
func (c *Cache) lookupFresh(key string, parse ParseFunc, now time.Time) (e *Entry, ok, fromL2 bool, err error) {
	if it, found := c.l1Get(key); found && c.fresh(it.entry == nil, it.fetched, now) {
		e, ok, err := it.answer(key)
		return e, ok, false, err
	}
	e, ok, err = c.lookupL2(key, parse, now)
	return e, ok, ok, err
}

// lookupL2 is lookupFresh's L2 half: a fresh record, parsed and put in L1.
func (c *Cache) lookupL2(key string, parse ParseFunc, now time.Time) (e *Entry, ok bool, err error) {
	rec, found, err := c.l2Get(key, false)
	if err != nil {
		c.log.Warn("metadata cache read failed", "key", key, "error", err)
		return nil, false, nil
	}
	if !found || !c.fresh(rec.notFound, rec.fetched, now) {
		return nil, false, nil
	}
	if rec.notFound {
		c.l1Set(key, &item{fetched: rec.fetched})
		return nil, true, notFound(key)
	}
	rec, found, err = c.l2Get(key, true)
	if err != nil || !found {
		if err != nil {
			c.log.Warn("metadata cache read failed", "key", key, "error", err)
		}
		return nil, false, nil
	}
	e, err = c.parseRecord(key, rec, parse)
	if err != nil {
		c.log.Warn("cached metadata unparseable, refetching", "key", key, "error", err)
		return nil, false, nil
	}
	c.l1Set(key, &item{entry: e, fetched: e.Fetched})
	return e, true, nil
}

// fresh reports whether a copy fetched at fetched is still fresh at now.
func (c *Cache) fresh(negative bool, fetched, now time.Time) bool {
	ttl := c.opts.TTL
	if negative {
		ttl = c.opts.NegativeTTL
	}
	return now.Sub(fetched) < ttl
}

// answer turns an L1 item into Get's result.
func (it *item) answer(key string) (*Entry, bool, error) {
	if it.entry == nil {
		return nil, true, notFound(key)
	}
	return it.entry, true, nil
}

func notFound(key string) error {
	return fmt.Errorf("%s: %w (cached)", key, policy.ErrNotFound)
}

// prior is the positive copy a refresh starts from, if any; Value is filled
// lazily from L2 bodies.
type prior struct {
	entry  *Entry
	parsed bool
}

// refresh runs once per key at a time (singleflight) on a detached context.
func (c *Cache) refresh(ctx context.Context, key string, fetch FetchFunc, parse ParseFunc) (e *Entry, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.errs.Add(1)
			c.log.ErrorContext(ctx, "metadata refresh panicked", "key", key, "panic", fmt.Sprint(r))
			e, err = nil, fmt.Errorf("refresh %s: %w: panic in fetch or parse", key, policy.ErrUpstream)
		}
	}()
	now := c.opts.Now()
	// L2 may hold a fresh copy (restart, L1 eviction), or a flight that
	// finished just before this one started may have refreshed the key.
	// Parsing it here, inside the flight, parses a large document once.
	if e, ok, fromL2, err := c.lookupFresh(key, parse, now); ok {
		if fromL2 {
			c.l2Hits.Add(1)
		}
		return e, err
	}
	p := c.loadPrior(key)
	etag := ""
	if p.entry != nil {
		etag = p.entry.ETag
	}
	c.fetches.Add(1)
	f, err := fetch(ctx, etag)
	if err == nil && f.NotModified && p.entry != nil {
		if perr := c.ensureParsed(key, &p, parse); perr != nil {
			// The stored copy is unusable after all: fetch it in full.
			p = prior{}
			c.fetches.Add(1)
			f, err = fetch(ctx, "")
		}
	}
	now = c.opts.Now()
	switch {
	case errors.Is(err, policy.ErrNotFound):
		c.l1Set(key, &item{fetched: now})
		c.writeL2(l2Op{key: key, rec: record{notFound: true, fetched: now}})
		return nil, fmt.Errorf("fetch %s: %w", key, err)
	case err == nil && f.NotModified && p.entry != nil:
		c.notModified.Add(1)
		tag := f.ETag
		if tag == "" {
			tag = p.entry.ETag
		}
		e := &Entry{Body: p.entry.Body, ETag: tag, Fetched: now, Value: p.entry.Value}
		c.l1Set(key, &item{entry: e, fetched: now})
		c.writeL2(l2Op{key: key, rec: record{fetched: now, etag: tag}, touch: true})
		return e, nil
	case err == nil && f.NotModified:
		err = fmt.Errorf("fetch %s: %w: not modified, but no cached copy", key, policy.ErrUpstream)
	case err == nil:
		v, perr := parse(f.Body)
		if perr == nil {
			e := &Entry{Body: f.Body, ETag: f.ETag, Fetched: now, Value: v}
			c.l1Set(key, &item{entry: e, fetched: now})
			c.writeL2(l2Op{key: key, rec: record{fetched: now, etag: f.ETag, body: f.Body}})
			return e, nil
		}
		err = fmt.Errorf("parse %s: %w: %w", key, policy.ErrUpstream, perr)
	default:
		err = fmt.Errorf("fetch %s: %w", key, err)
	}

	// Upstream failed: stale-if-error.
	c.errs.Add(1)
	if p.entry == nil {
		return nil, err
	}
	age := now.Sub(p.entry.Fetched)
	if age >= c.opts.TTL+c.opts.Grace {
		return nil, fmt.Errorf("%w (cached copy too old to serve: %s)", err, age.Round(time.Second))
	}
	if perr := c.ensureParsed(key, &p, parse); perr != nil {
		return nil, err
	}
	c.log.WarnContext(ctx, "upstream failed, serving stale metadata",
		"key", key, "age", age.Round(time.Second), "error", err)
	stale := *p.entry
	stale.Stale = true
	return &stale, nil
}

// loadPrior finds the newest copy of key in L1 or L2, fresh or not. L2
// bodies are not parsed until needed.
func (c *Cache) loadPrior(key string) prior {
	if it, ok := c.l1Get(key); ok {
		if it.entry == nil {
			return prior{}
		}
		return prior{entry: it.entry, parsed: true}
	}
	rec, ok, err := c.l2Get(key, true)
	if err != nil {
		c.log.Warn("metadata cache read failed", "key", key, "error", err)
		return prior{}
	}
	if !ok || rec.notFound {
		return prior{}
	}
	return prior{entry: &Entry{Body: rec.body, ETag: rec.etag, Fetched: rec.fetched}}
}

// ensureParsed fills p.entry.Value from its body if not done yet.
func (c *Cache) ensureParsed(key string, p *prior, parse ParseFunc) error {
	if p.parsed {
		return nil
	}
	v, err := parse(p.entry.Body)
	if err != nil {
		c.log.Warn("cached metadata unparseable", "key", key, "error", err)
		return err
	}
	p.entry.Value, p.parsed = v, true
	return nil
}

// parseRecord builds an Entry from a positive L2 record.
func (c *Cache) parseRecord(key string, rec record, parse ParseFunc) (*Entry, error) {
	v, err := parse(rec.body)
	if err != nil {
		return nil, fmt.Errorf("parse cached %s: %w", key, err)
	}
	return &Entry{Body: rec.body, ETag: rec.etag, Fetched: rec.fetched, Value: v}, nil
}

// l1Get reads key from L1.
func (c *Cache) l1Get(key string) (*item, bool) {
	it, ok, _ := c.l1Lookup(key)
	return it, ok
}

// l1Lookup reads key from L1, failing when the cache is closed.
func (c *Cache) l1Lookup(key string) (*item, bool, error) {
	var (
		it *item
		ok bool
	)
	err := c.withOpen(func() error {
		it, ok = c.l1.Get(key)
		return nil
	})
	return it, ok && it != nil, err
}

// l1Set stores it in L1 and waits until it is visible. Positive entries stay
// for TTL+Grace (stale-if-error), not-found markers for NegativeTTL; these
// wall-clock lifetimes only bound memory, freshness uses the injected clock.
func (c *Cache) l1Set(key string, it *item) {
	cost, ttl := int64(itemOverhead), c.opts.NegativeTTL
	if it.entry != nil {
		cost += int64(len(it.entry.Body))
		ttl = c.opts.TTL + c.opts.Grace
	}
	_ = c.withOpen(func() error {
		c.l1.SetWithTTL(key, it, cost, ttl)
		c.l1.Wait()
		return nil
	})
}
