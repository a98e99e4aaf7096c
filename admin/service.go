package admin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-proxy/vigil-proxy/policy"
	"github.com/vigil-proxy/vigil-proxy/store"
)

// The business logic shared by the API and the UI: both validate input into
// these types and call these methods, which record the audit trail.

// Audit actions.
const (
	actionListCreate     = "list.create"
	actionListUpdate     = "list.update"
	actionListDelete     = "list.delete"
	actionListExpire     = "list.expire"
	actionRequestCreate  = "request.create"
	actionRequestApprove = "request.approve"
	actionRequestDeny    = "request.deny"

	// actionResultSuffix names the event recording the outcome of an
	// action that is no store change (see auditedAction).
	actionResultSuffix = ".result"
)

// Field limits.
const (
	maxPattern  = 214
	maxReason   = 1000
	maxVersions = 200
	maxOwner    = 200
)

// entryInput is a list entry as written by a caller.
type entryInput struct {
	Kind      policy.ListKind `json:"kind"`
	Ecosystem string          `json:"ecosystem"`
	Pattern   string          `json:"pattern"`
	Versions  string          `json:"versions"`
	Reason    string          `json:"reason"`
	Owner     string          `json:"owner"`
	// Advisory names the malware advisory IDs (MAL-…) an allow entry
	// overrides.
	Advisory string `json:"advisory"`
	// Expires is optional; null or absent means never.
	Expires *time.Time `json:"expires"`
}

// entryView is a list entry as shown to callers.
type entryView struct {
	policy.ListEntry
	Expired  bool `json:"expired"`
	ReadOnly bool `json:"read_only"`
}

func checkText(field, v string, limit int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return errBadRequest(field + " is required")
	case !utf8.ValidString(v):
		return errBadRequest(field + " is not valid UTF-8")
	case len(v) > limit:
		return errBadRequest(fmt.Sprintf("%s is longer than %d bytes", field, limit))
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }):
		return errBadRequest(field + " contains control characters")
	}
	return nil
}

// buildEntry validates in and fills e (which carries ID, Created and Source
// when replacing). Expiry in the past is refused unless allowPast.
func (s *Server) buildEntry(e policy.ListEntry, in entryInput, caller string, allowPast bool) (policy.ListEntry, error) {
	if in.Kind != policy.Allowlist && in.Kind != policy.Deny {
		return e, errBadRequest(fmt.Sprintf("kind must be %q or %q", policy.Allowlist, policy.Deny))
	}
	eco, err := policy.ParseEcosystem(in.Ecosystem)
	if err != nil {
		return e, errBadRequest(err.Error())
	}
	for _, f := range []struct {
		name, v  string
		limit    int
		required bool
	}{
		{"pattern", in.Pattern, maxPattern, true},
		{"reason", in.Reason, maxReason, true},
		{"versions", in.Versions, maxVersions, false},
		{"owner", in.Owner, maxOwner, false},
		{"advisory", in.Advisory, maxVersions, false},
	} {
		if err := checkText(f.name, f.v, f.limit, f.required); err != nil {
			return e, err
		}
	}
	e.Kind = in.Kind
	e.Ecosystem = eco
	e.Pattern = policy.CanonicalName(eco, in.Pattern)
	e.Versions = strings.TrimSpace(in.Versions)
	e.Reason = strings.TrimSpace(in.Reason)
	e.Owner = strings.TrimSpace(in.Owner)
	e.Advisory = strings.TrimSpace(in.Advisory)
	if e.Owner == "" {
		e.Owner = caller
	}
	e.Source = store.SourceStore
	e.Expires = time.Time{}
	if in.Expires != nil && !in.Expires.IsZero() {
		e.Expires = in.Expires.UTC()
		if !allowPast && !e.Expires.After(s.now()) {
			return e, errBadRequest("expires is in the past")
		}
	}
	if err := policy.ValidateEntry(e); err != nil {
		return e, errBadRequest(err.Error())
	}
	return e, nil
}

// adminEvent is the audit event of an admin action.
func (s *Server) adminEvent(p principal, action, target string, before, after any) (store.Event, error) {
	ev := store.Event{Kind: store.KindAdmin, Time: s.now().UTC(), Actor: p.Name, Action: action, Target: target}
	for _, x := range []struct {
		v   any
		dst *json.RawMessage
	}{{before, &ev.Before}, {after, &ev.After}} {
		if x.v == nil {
			continue
		}
		b, err := json.Marshal(x.v)
		if err != nil {
			return ev, fmt.Errorf("encode audit %s: %w", action, err)
		}
		*x.dst = b
	}
	return ev, nil
}

// auditedAction runs do, an admin action that is no store change (a cache
// purge, a malware feed sync or import), so it cannot share a transaction
// with its audit record. Its intent is recorded first: intent.action on
// intent.target, with what will be done. When that record cannot be
// written, do is not run and the caller gets a 503 saying nothing was done:
// an action is never done without its audit record. do returns its outcome
// (what it did, or its failure), recorded afterwards as action+".result";
// when that second record cannot be written, the intent stands as the
// record that the action was ordered, and the missing outcome is logged
// (the action is done and its answer is the caller's).
func (s *Server) auditedAction(ctx context.Context, p principal, intent audited, do func(ctx context.Context) (outcome any)) error {
	ev, err := s.adminEvent(p, intent.action, intent.target, intent.before, intent.after)
	if err != nil {
		return err
	}
	if err := s.store.RecordEvents(ctx, ev); err != nil {
		return &storeFailure{http.StatusServiceUnavailable, msgNotDone, fmt.Errorf("record audit %s %s: %w", intent.action, intent.target, err)}
	}
	// The action and its outcome record outlive a client that hangs up.
	ctx = context.WithoutCancel(ctx)
	outcome := do(ctx)
	res, err := s.adminEvent(p, intent.action+actionResultSuffix, intent.target, nil, outcome)
	if err == nil {
		err = s.store.RecordEvents(ctx, res)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "admin action done, but its outcome's audit record could not be written (its intent is recorded)",
			"action", intent.action, "target", intent.target, "err", err)
	}
	return nil
}

// change applies a store change and its audit events in one transaction:
// fn writes through tx and returns the events of what it wrote. Either both
// are stored or neither is; a failed transaction is the caller's error
// when the caller can fix it, else a 503 storeFailure (see notSaved).
func (s *Server) change(ctx context.Context, fn func(tx store.Tx) ([]store.Event, error)) error {
	return notSaved(s.store.Update(ctx, func(tx store.Tx) error {
		evs, err := fn(tx)
		if err != nil {
			return err
		}
		if err := tx.RecordEvents(ctx, evs...); err != nil {
			return fmt.Errorf("record audit: %w", err)
		}
		return nil
	}))
}

// events builds the audit events of one change.
func (s *Server) events(p principal, acts ...audited) ([]store.Event, error) {
	out := make([]store.Event, 0, len(acts))
	for _, a := range acts {
		ev, err := s.adminEvent(p, a.action, a.target, a.before, a.after)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// audited is one action of a change, for its audit event.
type audited struct {
	action, target string
	before, after  any
}

func (s *Server) listEntries(ctx context.Context, kind policy.ListKind) ([]entryView, error) {
	all, err := s.lists.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	now := s.now()
	out := make([]entryView, 0, len(all))
	for _, e := range all {
		if kind != "" && e.Kind != kind {
			continue
		}
		out = append(out, entryView{ListEntry: e, Expired: e.Expired(now), ReadOnly: e.Source == store.SourceConfig})
	}
	slices.SortStableFunc(out, func(a, b entryView) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Ecosystem, b.Ecosystem),
			cmp.Compare(a.Pattern, b.Pattern), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// errEntryMissing marks an entry id the store does not hold (see
// missingEntry).
var errEntryMissing = errors.New("no such stored entry")

// entryInTx reads, in tx, the stored entry id names.
func entryInTx(ctx context.Context, tx store.Tx, id string) (policy.ListEntry, error) {
	e, err := tx.GetEntry(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return e, errEntryMissing
	}
	if err != nil {
		return e, fmt.Errorf("get entry %s: %w", id, err)
	}
	return e, nil
}

// missingEntry explains an id the store does not hold: an entry from the
// config file (read-only), or none at all. It reads the lists, so it runs
// after the transaction, never inside it.
func (s *Server) missingEntry(ctx context.Context, id string) error {
	if all, err := s.lists.All(ctx); err == nil {
		for _, c := range all {
			if c.ID == id && c.Source == store.SourceConfig {
				return errConflict("entry " + id + " comes from the config file and is read-only")
			}
		}
	}
	return errNotFound("no list entry " + id)
}

// changeEntry changes the stored entry id in one transaction with its
// audit event: edit gets the entry as stored and returns its new value, or
// nil to delete it.
func (s *Server) changeEntry(ctx context.Context, p principal, id, action string, edit func(before policy.ListEntry) (*policy.ListEntry, error)) (policy.ListEntry, error) {
	var e policy.ListEntry
	err := s.change(ctx, func(tx store.Tx) ([]store.Event, error) {
		before, err := entryInTx(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		after, err := edit(before)
		if err != nil {
			return nil, err
		}
		if after == nil {
			if err := tx.DeleteEntry(ctx, id); err != nil {
				return nil, fmt.Errorf("delete entry %s: %w", id, err)
			}
			return s.events(p, audited{action, id, before, nil})
		}
		if e, err = tx.PutEntry(ctx, *after); err != nil {
			return nil, fmt.Errorf("put entry %s: %w", id, err)
		}
		return s.events(p, audited{action, e.ID, before, e})
	})
	if errors.Is(err, errEntryMissing) {
		return policy.ListEntry{}, s.missingEntry(ctx, id)
	}
	if err != nil {
		return policy.ListEntry{}, err
	}
	s.lists.Invalidate()
	return e, nil
}

func (s *Server) createEntry(ctx context.Context, p principal, in entryInput) (policy.ListEntry, error) {
	e, err := s.buildEntry(policy.ListEntry{}, in, p.Name, false)
	if err != nil {
		return e, err
	}
	err = s.change(ctx, func(tx store.Tx) ([]store.Event, error) {
		if e, err = tx.PutEntry(ctx, e); err != nil {
			return nil, fmt.Errorf("put entry: %w", err)
		}
		return s.events(p, audited{actionListCreate, e.ID, nil, e})
	})
	if err != nil {
		return policy.ListEntry{}, err
	}
	s.lists.Invalidate()
	return e, nil
}

func (s *Server) updateEntry(ctx context.Context, p principal, id string, in entryInput) (policy.ListEntry, error) {
	return s.changeEntry(ctx, p, id, actionListUpdate, func(before policy.ListEntry) (*policy.ListEntry, error) {
		e, err := s.buildEntry(before, in, p.Name, true)
		return &e, err
	})
}

func (s *Server) expireEntry(ctx context.Context, p principal, id string) (policy.ListEntry, error) {
	return s.changeEntry(ctx, p, id, actionListExpire, func(e policy.ListEntry) (*policy.ListEntry, error) {
		// Stores refuse an expiry that is not after creation; an entry
		// created this very instant expires one tick later.
		e.Expires = s.now().UTC()
		if !e.Expires.After(e.Created) {
			e.Expires = e.Created.Add(time.Nanosecond)
		}
		return &e, nil
	})
}

func (s *Server) deleteEntry(ctx context.Context, p principal, id string) error {
	_, err := s.changeEntry(ctx, p, id, actionListDelete, func(policy.ListEntry) (*policy.ListEntry, error) { return nil, nil })
	return err
}

// requestInput is an approval request as filed by a caller: either EventID
// (a blocked event) or Ecosystem and Name.
type requestInput struct {
	EventID       string `json:"event_id"`
	Ecosystem     string `json:"ecosystem"`
	Name          string `json:"name"`
	Version       string `json:"version"`
	Justification string `json:"justification"`
}

var (
	pypiName  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	npmName   = regexp.MustCompile(`^(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$`)
	versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+!_-]*$`)
)

// checkName validates and canonicalises a package name.
func checkName(eco policy.Ecosystem, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errBadRequest("name is required")
	}
	if len(name) > maxPattern {
		return "", errBadRequest(fmt.Sprintf("name is longer than %d characters", maxPattern))
	}
	if eco == policy.PyPI {
		if !pypiName.MatchString(name) {
			return "", errBadRequest(fmt.Sprintf("invalid PyPI name %q", name))
		}
		return policy.CanonicalName(eco, name), nil
	}
	name = strings.ToLower(name)
	if !npmName.MatchString(name) {
		return "", errBadRequest(fmt.Sprintf("invalid npm name %q", name))
	}
	return name, nil
}

func checkVersion(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v != "" && (len(v) > 128 || !versionRE.MatchString(v)) {
		return "", errBadRequest(fmt.Sprintf("invalid version %.64q", v))
	}
	return v, nil
}

// findEvent looks an event up by ID among the most recent decisions.
func (s *Server) findEvent(ctx context.Context, id string) (store.Event, error) {
	q := store.EventQuery{Kind: store.KindDecision, Limit: 500}
	for range 20 {
		evs, next, err := s.store.Events(ctx, q)
		if err != nil {
			return store.Event{}, fmt.Errorf("find event %s: %w", id, err)
		}
		for _, ev := range evs {
			if ev.ID == id {
				return ev, nil
			}
		}
		if next == "" {
			break
		}
		q.Cursor = next
	}
	return store.Event{}, errBadRequest("no recent decision event " + id)
}

func (s *Server) createRequest(ctx context.Context, p principal, in requestInput) (store.Request, error) {
	if err := checkText("justification", in.Justification, maxReason, true); err != nil {
		return store.Request{}, err
	}
	r := store.Request{Requester: p.Name, Justification: strings.TrimSpace(in.Justification),
		Status: store.RequestPending, Created: s.now().UTC()}
	if id := strings.TrimSpace(in.EventID); id != "" {
		if len(id) > 128 {
			return r, errBadRequest("event_id is too long")
		}
		ev, err := s.findEvent(ctx, id)
		if err != nil {
			return r, err
		}
		// The event's name and version come from a client's request path:
		// check them like typed ones, so an approval never writes a glob.
		r.EventID = ev.ID
		if r.Ecosystem, err = policy.ParseEcosystem(string(ev.Ecosystem)); err != nil {
			return r, errBadRequest(err.Error())
		}
		if r.Name, err = checkName(r.Ecosystem, ev.Package); err != nil {
			return r, err
		}
		v := ev.Version
		if in.Version != "" {
			v = in.Version
		}
		if r.Version, err = checkVersion(v); err != nil {
			return r, err
		}
	} else {
		eco, err := policy.ParseEcosystem(in.Ecosystem)
		if err != nil {
			return r, errBadRequest(err.Error())
		}
		r.Ecosystem = eco
		if r.Name, err = checkName(eco, in.Name); err != nil {
			return r, err
		}
		if r.Version, err = checkVersion(in.Version); err != nil {
			return r, err
		}
	}
	// The store checks for a pending request for the package and writes
	// this one in one atomic step (replicas included): a duplicate stores
	// nothing and names the request already pending.
	err := s.change(ctx, func(tx store.Tx) ([]store.Event, error) {
		created, err := tx.PutRequest(ctx, r)
		if errors.Is(err, store.ErrAlreadyPending) {
			return nil, errConflict("a pending request for this package already exists: " + created.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("put request: %w", err)
		}
		r = created
		return s.events(p, audited{actionRequestCreate, r.ID, nil, r})
	})
	if err != nil {
		return store.Request{}, err
	}
	if s.hook != nil {
		s.hook.enqueue("request", r)
	}
	return r, nil
}

// decisionInput is an approval or denial.
type decisionInput struct {
	Reason string `json:"reason"`
	// Expires bounds the allow entry an approval creates (optional).
	Expires *time.Time `json:"expires"`
}

// exactVersion is the version constraint matching exactly v.
func exactVersion(eco policy.Ecosystem, v string) string {
	if v == "" {
		return ""
	}
	if eco == policy.PyPI {
		return "==" + v
	}
	return v
}

// pendingRequest reads, with get, a request that is still undecided: get is
// the store's (before a decision, whose caller holds s.decide) or a
// transaction's. s.decide serialises this replica's decisions only, so a
// decision reads the request again in its transaction: another replica may
// have decided it since, and the store would take the same decision twice
// (a second allow entry, a second audit event), so a request no longer
// pending is a conflict.
func pendingRequest(ctx context.Context, get func(context.Context, string) (store.Request, error), id string) (store.Request, error) {
	r, err := get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return r, errNotFound("no request " + id)
	}
	if err != nil {
		return r, fmt.Errorf("get request %s: %w", id, err)
	}
	if r.Status != store.RequestPending {
		return r, errConflict(fmt.Sprintf("request %s is already %s", id, r.Status))
	}
	return r, nil
}

// approveRequest creates an allow entry for the requested name (and version)
// and links it to the request: the entry, the decided request and both
// audit events in one transaction.
func (s *Server) approveRequest(ctx context.Context, p principal, id string, in decisionInput) (store.Request, error) {
	if err := checkText("reason", in.Reason, maxReason, true); err != nil {
		return store.Request{}, err
	}
	s.decide.Lock()
	defer s.decide.Unlock()
	before, err := pendingRequest(ctx, s.store.GetRequest, id)
	if err != nil {
		return before, err
	}
	e, err := s.buildEntry(policy.ListEntry{}, entryInput{
		Kind: policy.Allowlist, Ecosystem: string(before.Ecosystem), Pattern: before.Name,
		Versions: exactVersion(before.Ecosystem, before.Version), Reason: in.Reason, Expires: in.Expires,
	}, p.Name, false)
	if err != nil {
		return before, err
	}
	var r store.Request
	err = s.change(ctx, func(tx store.Tx) ([]store.Event, error) {
		cur, err := pendingRequest(ctx, tx.GetRequest, id)
		if err != nil {
			return nil, err
		}
		if e, err = tx.PutEntry(ctx, e); err != nil {
			return nil, fmt.Errorf("put entry for request %s: %w", id, err)
		}
		r = cur
		r.Status, r.DecidedBy, r.DecidedAt = store.RequestApproved, p.Name, s.now().UTC()
		r.DecisionNote, r.EntryID = strings.TrimSpace(in.Reason), e.ID
		if r, err = tx.PutRequest(ctx, r); err != nil {
			return nil, fmt.Errorf("put request %s: %w", id, err)
		}
		return s.events(p, audited{actionListCreate, e.ID, nil, e}, audited{actionRequestApprove, r.ID, cur, r})
	})
	if err != nil {
		return before, err
	}
	s.lists.Invalidate()
	return r, nil
}

func (s *Server) denyRequest(ctx context.Context, p principal, id string, in decisionInput) (store.Request, error) {
	if err := checkText("reason", in.Reason, maxReason, true); err != nil {
		return store.Request{}, err
	}
	if in.Expires != nil {
		return store.Request{}, errBadRequest("expires applies to approvals only")
	}
	s.decide.Lock()
	defer s.decide.Unlock()
	var r store.Request
	err := s.change(ctx, func(tx store.Tx) ([]store.Event, error) {
		cur, err := pendingRequest(ctx, tx.GetRequest, id)
		if err != nil {
			return nil, err
		}
		r = cur
		r.Status, r.DecidedBy, r.DecidedAt = store.RequestDenied, p.Name, s.now().UTC()
		r.DecisionNote = strings.TrimSpace(in.Reason)
		if r, err = tx.PutRequest(ctx, r); err != nil {
			return nil, fmt.Errorf("put request %s: %w", id, err)
		}
		return s.events(p, audited{actionRequestDeny, r.ID, cur, r})
	})
	if err != nil {
		return store.Request{}, err
	}
	return r, nil
}

// statsWindow is how many recent decisions the built-in statistics cover.
const statsWindow = 5000

// computeStats is the default Options.Stats: counts over the most recent
// decision events.
func (s *Server) computeStats(ctx context.Context) (StatsView, error) {
	st := StatsView{Window: fmt.Sprintf("last %d decisions", statsWindow), BlocksByRule: map[string]int64{}}
	type key struct {
		eco  policy.Ecosystem
		name string
	}
	top := map[key]int64{}
	q := store.EventQuery{Kind: store.KindDecision, Limit: 500}
	for seen := 0; seen < statsWindow; {
		evs, next, err := s.store.Events(ctx, q)
		if err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
		for _, ev := range evs {
			st.Requests += int64(max(ev.Count, 1)) // aggregated allows stand for several
			if ev.Verdict == "block" {
				st.Blocks++
				top[key{ev.Ecosystem, ev.Package}]++
				for _, r := range ev.Rules {
					st.BlocksByRule[r]++
				}
			}
		}
		seen += len(evs)
		if next == "" || len(evs) == 0 {
			break
		}
		q.Cursor = next
	}
	for k, n := range top {
		st.TopBlocked = append(st.TopBlocked, NameCount{Ecosystem: k.eco, Name: k.name, Count: n})
	}
	slices.SortFunc(st.TopBlocked, func(a, b NameCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name))
	})
	if len(st.TopBlocked) > 10 {
		st.TopBlocked = st.TopBlocked[:10]
	}
	return st, nil
}

func (s *Server) currentStats(ctx context.Context) (StatsView, error) {
	if s.stats != nil {
		st := s.stats(ctx)
		if st.BlocksByRule == nil {
			st.BlocksByRule = map[string]int64{}
		}
		st.Upstreams = s.upstreamViews()
		return st, nil
	}
	st, err := s.computeStats(ctx)
	if err == nil && s.cacheHitRatio != nil {
		st.CacheHitRatio = s.cacheHitRatio()
	}
	st.Upstreams = s.upstreamViews()
	return st, err
}

// upstreamViews is the upstream health, never nil.
func (s *Server) upstreamViews() []UpstreamView {
	if s.upstreams == nil {
		return []UpstreamView{}
	}
	if v := s.upstreams(); v != nil {
		return v
	}
	return []UpstreamView{}
}

func (s *Server) currentPolicy() PolicyView {
	if s.policy == nil {
		return PolicyView{Rules: []RuleView{}}
	}
	pv := s.policy()
	if pv.Rules == nil {
		pv.Rules = []RuleView{}
	}
	return pv
}

func sortCounts(ns []NameCount) {
	slices.SortFunc(ns, func(a, b NameCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
}
