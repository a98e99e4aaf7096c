package auth

import (
	"regexp"
	"strings"
)

// tRPC procedures are endpoints declared as values: `name:
// publicProcedure.input(…).mutation(handler)` in a router object (or a
// variable holding one). The base procedure says who may call it: a
// project builds an authenticating one with .use(middleware) and names it
// (protectedProcedure, adminProcedure, authedProcedure), so a procedure is
// judged by its base's name, by the middleware chained onto it, and by its
// handler (a TRPCError UNAUTHORIZED/FORBIDDEN thrown after checking the
// session). A mutation is state-changing (POST); a query is a read (GET).

// trpcChainMethods are the builder calls between a base procedure and the
// query/mutation that ends it.
var trpcChainMethods = map[string]bool{"input": true, "output": true, "use": true, "meta": true, "concat": true, "unstable_concat": true}

var (
	trpcAuthErrRE = regexp.MustCompile(`TRPCError\(\s*\{\s*code:\s*['"](?:UNAUTHORIZED|FORBIDDEN)['"]`)
	trpcRoleErrRE = regexp.MustCompile(`TRPCError\(\s*\{\s*code:\s*['"]FORBIDDEN['"]`)
	trpcIDInputRE = regexp.MustCompile(`\b\w*(?:id|Id|ID)\s*:`)
	// trpcWriteRE: an ORM call that updates or deletes rows (Prisma,
	// Drizzle, Sequelize, TypeORM, Mongoose)
	trpcWriteRE = regexp.MustCompile(`\.(delete|deleteMany|destroy|update|updateMany|upsert|findOneAndUpdate|findByIdAndUpdate|findByIdAndDelete|findOneAndDelete)\(`)
)

// trpcProcedure records the procedure a .query/.mutation call ends.
func (j *jsFile) trpcProcedure(n node, kind string) {
	if j.f.Test {
		return
	}
	fn := n.Field("function")
	var uses []node
	var input string
	cur := fn.Field("object")
	for depth := 0; depth < 20 && cur.Kind() == "call_expression"; depth++ {
		f := cur.Field("function")
		if f.Kind() != "member_expression" || !trpcChainMethods[f.Field("property").Text()] {
			return
		}
		switch f.Field("property").Text() {
		case "use":
			uses = append(uses, jsArgs(cur)...)
		case "input":
			input += cur.Text()
		}
		cur = f.Field("object")
	}
	base := dotted(cur)
	if base == "" || !strings.Contains(strings.ToLower(lastName(base)), "procedure") {
		return // a client call (trpc.post.delete.mutation), not a definition
	}
	name := ""
	switch p := n.Parent(); p.Kind() {
	case "pair":
		name = p.Field("key").Text()
		if s, ok := jsStr(p.Field("key")); ok {
			name = s
		}
	case "variable_declarator":
		name = p.Field("name").Text()
	default:
		return
	}
	method := "GET"
	args := jsArgs(n)
	if kind == "mutation" {
		// every mutation is a POST; what it does to the data decides
		// whether it is judged as an update or a deletion
		method = "POST"
		if len(args) > 0 {
			if m := trpcWriteRE.FindStringSubmatch(args[0].Text()); m != nil {
				method = "PATCH"
				if strings.Contains(strings.ToLower(m[1]), "delete") || m[1] == "destroy" {
					method = "DELETE"
				}
			}
		}
		if m := methodFromName(name); method == "POST" && m != "" {
			// the handler may write through a service: the procedure's
			// name (deleteUser, updateRole) says what it does
			method = m
		}
	}
	rt := route{framework: "trpc", file: j.f.Path, at: posOf(n.Parent()), method: method, path: "/" + name, handler: name + ", tRPC " + kind,
		routerKey: j.mod + "#trpc", targetsID: trpcIDInputRE.MatchString(input)}
	rt.auth, rt.role = classifyName(lastName(base))
	// publicProcedure is chosen on purpose, as DRF's AllowAny is: reads
	// and creations through it are public by design, updates and
	// deletions are still reported
	rt.public = hasWord(words(lastName(base)), "public")
	for _, u := range uses {
		x, y := middlewareClass(u)
		if isJSFunc(u.Kind()) {
			x, y = inlineMiddleware(u)
			x = x || trpcAuthErrRE.MatchString(u.Text())
		}
		rt.auth, rt.role = rt.auth || x, rt.role || y
	}
	if len(args) > 0 {
		body := args[0].Text()
		rt.auth = rt.auth || trpcAuthErrRE.MatchString(body)
		rt.role = rt.role || trpcRoleErrRE.MatchString(body) || jsRoleEvidence(body)
		rt.owned = jsOwnerFieldRE.MatchString(body) && trpcCallerRE.MatchString(body)
	}
	if rt.auth {
		j.mechanism(n, "trpc procedure")
	}
	j.facts.routes = append(j.facts.routes, rt)
}

// trpcCallerRE: the caller as a tRPC handler sees it.
var trpcCallerRE = regexp.MustCompile(`\bctx\.(?:session\.user|user|auth|userId)\b|\bsession\.user\b`)
