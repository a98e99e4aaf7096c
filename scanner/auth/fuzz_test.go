package auth

import (
	"context"
	"testing"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// FuzzAnalyze feeds arbitrary source to the Python and JavaScript
// analyzers (and Finish): whatever the input, no panic, and every finding
// has a rule of this analyzer and a position inside the file.
func FuzzAnalyze(f *testing.F) {
	f.Add("@app.delete('/x/{id}')\ndef f(id, u=Depends(get_user)):\n    return jwt.encode({'a': 1}, 'secret')\n", true)
	f.Add("app.delete('/x/:id', auth, (req, res) => { if (req.headers['x-api-key'] === key) {} });\nres.cookie('token', t);\n", false)
	f.Add("X = Annotated[User, Depends(\nclass S(BaseSettings):\n  SECRET_KEY: str = 'x'", true)
	f.Add("new SignJWT({}).setExpirationTime('99y').sign(k); cors({origin: /.*/, credentials: true})", false)
	f.Add("app.register(fp(async (app) => { app.addHook('onRequest', app.authenticate) })); app.register(async (i) => { i.delete('/x/:id', h) });\nfastify.route({ method: ['PUT'], url: '/y', handler() {} })", false)
	f.Add("import { sign } from 'hono/jwt'\nexport const r = router({ del: publicProcedure.input(z.object({ id: z.string() })).mutation(({ ctx }) => ctx.db.x.delete()) }); sign({ sub: 1 }, k)", false)
	f.Add("import tornado.web\nclass H(tornado.web.RequestHandler):\n    @tornado.web.authenticated\n    def delete(self, s):\n        self.set_signed_cookie('u', s)\n", true)
	f.Add("from starlette.routing import Route\nfrom aiohttp import web\n@login_required\n@app.route('/a', methods=['POST'])\ndef a(request): pass\nroutes = [Route('/x', a, methods=['PUT'])]\napp.router.add_route('DELETE', '/y', a)\n", true)
	f.Add("from litestar import Controller, Litestar, delete\nfrom aiohttp import web\nclass C(Controller):\n    path = '/a'\n    guards = [requires_login]\n    @delete('/{i:int}')\n    async def d(self, i: int) -> None: ...\n@routes.view('/v/{id}')\nclass V(web.View):\n    async def put(self): ...\napp = Litestar(route_handlers=[C], guards=[requires_login])\napp.add_route('/s', d, methods=['DELETE'])\n", true)
	f.Add("import tornado.web\nclass A(tornado.web.RequestHandler):\n    def prepare(self):\n        if not self.current_user: raise tornado.web.HTTPError(401)\nclass B(A):\n    def delete(self, i): pass\nok = request.headers.get('Authorization') != f'Bearer {TOKEN}' + x\n", true)
	f.Add("if (req.headers.authorization !== `Bearer ${process.env.ADMIN_TOKEN}` || h != 'Bearer ' + k) {}\nexport const r = router({ deleteUser: publicProcedure.mutation(() => svc.remove()) })", false)
	f.Add("'use server'\nexport async function deleteUser(id) { await db.user.delete({ where: { id } }) }\nexport const setRole = async (userId) => {}\n", false)
	f.Add("app.register(async (i) => { i.addHook('onRequest', a); i.register(require('./r'), { prefix: '/x' }) })\nrouter.route('/:id').all(protect).get(h).put(h2)\napp.route('/admin', admin)\n", false)
	f.Fuzz(func(t *testing.T, src string, python bool) {
		lang, name := treesitter.JavaScript, "a.js"
		if python {
			lang, name = treesitter.Python, "a.py"
		}
		p := treesitter.NewParser()
		defer p.Close()
		tree, err := p.Parse(context.Background(), lang, []byte(src))
		if err != nil {
			return
		}
		defer tree.Close()
		a := New(Options{})
		file := &scanner.File{Path: name, Content: []byte(src), Lang: lang, Tree: tree}
		fs, err := a.Analyze(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		more, err := a.Finish(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		lines := file.LineCount()
		for _, fd := range append(fs, more...) {
			if len(fd.Rule) != 8 || fd.Rule[:5] != "AUTH-" {
				t.Errorf("foreign rule %q", fd.Rule)
			}
			if fd.Path != "" && (fd.Line < 1 || fd.Line > lines) {
				t.Errorf("%s at line %d of a %d-line file", fd.Rule, fd.Line, lines)
			}
		}
	})
}

func FuzzDurations(f *testing.F) {
	for _, s := range []string{"7d", "2 hours", "30m", "1.5h", "100", "-1y", "ms", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := msDuration(s); ok && fmtDuration(d) == "" {
			t.Errorf("%q parsed to %v but prints empty", s, d)
		}
		_ = words(s)
	})
}

func TestRelevantWordShapes(t *testing.T) {
	for _, c := range []struct {
		path, src string
		want      bool
	}{
		{"a.js", "if (isNotPrimitive(x)) { cache.delete(key) }\n", false},
		{"a.js", "app.delete('/users/:id', handler)\n", true},
		{"a.js", "api.patch(`/items/${id}`, h)\n", true},
		{"a.js", "const ok = verifyOTP(code)\n", true},
		{"a.js", "if (sendOtp(user)) {}\n", true},
		{"a.js", "const totp = speakeasy.totp(opts)\n", true},
		{"a.py", "n = quarter + 1\n", false},
		{"a.py", "from quart import Quart\n", true},
		{"a.py", "if otp_code == expected: pass\n", true},
		{"a.py", "def notpossible(): pass\n", false},
		{"a.py", "try:\n    f()\nexcept PermissionError:\n    raise\n", false},
		{"a.py", "from rest_framework.permissions import IsAuthenticated\n", true},
		{"a.py", "raise PermissionDenied\n", true},
		{"a.py", "atexit.register(cleanup)\n", false},
		{"a.py", "router.register(r'users', UserViewSet)\n", true},
		{"a.js", "if (!user.hasPermission('x')) return\n", true},
		{"a.js", "// a regular expression for each expression kind\nconst re = /x+/\n", false},
		{"a.js", "const express = require('express')\n", true},
		{"a.js", "import e from \"express\"\n", true},
		{"a.js", "const session = require(\"express-session\")\n", true},
		{"a.js", "const s = Express.static\n", true},
	} {
		if got := relevant(c.path, []byte(c.src)); got != c.want {
			t.Errorf("relevant(%s, %q) = %v, want %v", c.path, c.src, got, c.want)
		}
	}
}
