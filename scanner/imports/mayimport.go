package imports

import (
	"bytes"

	"github.com/vigil-proxy/vigil-proxy/scanner/prefilter"
	"github.com/vigil-proxy/vigil-proxy/scanner/treesitter"
)

// mayImportPackage is the cheap test that decides whether a code file is
// worth parsing for DEP-006: it answers true when the file may import a
// module that ignorable does not cover (a package rather than the standard
// library, a Node built-in or the project's own module). It must answer
// true for every file whose tree PythonImports or JSImports would list such
// an import in — for syntactically valid code; error recovery can assemble
// an import out of anything — so it reads the bytes loosely, comments and
// strings included, and answers true whenever a statement is not one of the
// plain shapes it recognises.
func mayImportPackage(lang treesitter.Lang, b []byte, ignorable func(name string) bool) bool {
	if lang == treesitter.Python {
		return pyMayImport(b, ignorable)
	}
	return jsMayImport(b, ignorable)
}

// pyMayImport looks at every "import" keyword: `from M import …` names M,
// `import A, B as C` names A and B. Relative modules are local.
func pyMayImport(b []byte, ignorable func(string) bool) bool {
	for off := 0; ; {
		i := indexWord(b, off, "import")
		if i < 0 {
			return false
		}
		off = i + len("import")
		if continuedLine(b, i) {
			return true // a statement over several lines: not a plain shape
		}
		// from M import …: M is the word before, after "from".
		j := skipBlanksBack(b, i)
		mEnd := j
		for j > 0 && (prefilter.IsIdentByte(b[j-1]) || b[j-1] == '.') {
			j--
		}
		mod := b[j:mEnd]
		k := skipBlanksBack(b, j)
		if k >= 4 && string(b[k-4:k]) == "from" && (k == 4 || !prefilter.IsIdentByte(b[k-5])) {
			if len(mod) == 0 {
				return true // `from (…) import` or a line continuation: not a plain shape
			}
			if mod[0] != '.' && !pyIgnorable(string(mod), ignorable) {
				return true
			}
			continue
		}
		// import A, B as C
		rest := b[off:]
		for {
			rest = skipBlanks(rest)
			n := 0
			for n < len(rest) && (prefilter.IsIdentByte(rest[n]) || rest[n] == '.') {
				n++
			}
			if n == 0 {
				break // not a module list (`import` in prose, `import(`)
			}
			if !pyIgnorable(string(rest[:n]), ignorable) {
				return true
			}
			rest = skipBlanks(rest[n:])
			if bytes.HasPrefix(rest, []byte("as")) && len(rest) > 2 && !prefilter.IsIdentByte(rest[2]) {
				rest = skipBlanks(rest[2:])
				m := 0
				for m < len(rest) && prefilter.IsIdentByte(rest[m]) {
					m++
				}
				rest = skipBlanks(rest[m:])
			}
			if len(rest) == 0 || rest[0] != ',' {
				break
			}
			rest = rest[1:]
		}
		if len(rest) > 0 && (rest[0] == '\\' || rest[0] == '(') {
			return true // a continued or parenthesised list
		}
	}
}

// continuedLine: the line holding b[i] follows a line that ends in a
// backslash.
func continuedLine(b []byte, i int) bool {
	ls := bytes.LastIndexByte(b[:i], '\n')
	if ls < 0 {
		return false
	}
	prev := bytes.TrimRight(b[:ls], "\r")
	return len(prev) > 0 && prev[len(prev)-1] == '\\'
}

func pyIgnorable(dotted string, ignorable func(string) bool) bool {
	top, _, _ := bytes.Cut([]byte(dotted), []byte("."))
	return len(top) == 0 || string(top) == "__future__" || ignorable(string(top))
}

// jsMayImport looks at every string that follows `from`, `import` or
// `require(` / `import(`: the only places JSImports reads specifiers from.
func jsMayImport(b []byte, ignorable func(string) bool) bool {
	for _, kw := range []string{"from", "import", "require"} {
		for off := 0; ; {
			i := indexWord(b, off, kw)
			if i < 0 {
				break
			}
			off = i + len(kw)
			rest := skipSpace(b[off:])
			if len(rest) > 0 && rest[0] == '(' {
				// tree-sitter's grammar takes `require(,'x')` as a call
				// with one argument
				rest = skipSpace(rest[1:])
				for len(rest) > 0 && rest[0] == ',' {
					rest = skipSpace(rest[1:])
				}
			}
			if len(rest) == 0 || (rest[0] != '\'' && rest[0] != '"') {
				continue
			}
			q := rest[0]
			end := bytes.IndexByte(rest[1:], q)
			if end < 0 {
				return true
			}
			if name, ok := PackageName(string(rest[1 : 1+end])); ok && !ignorable(name) {
				return true
			}
		}
	}
	return false
}

// indexWord finds word in b at or after off, not inside a longer
// identifier; -1 when there is none.
func indexWord(b []byte, off int, word string) int {
	for off <= len(b) {
		i := bytes.Index(b[off:], []byte(word))
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(word)
		if (i == 0 || !prefilter.IsIdentByte(b[i-1])) && (end == len(b) || !prefilter.IsIdentByte(b[end])) {
			return i
		}
		off = i + 1
	}
	return -1
}

// skipBlanks skips white space, newlines included: a statement that
// continues on the next line (which tree-sitter's error-tolerant grammar
// accepts) is then read as one.
func skipBlanks(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func skipBlanksBack(b []byte, i int) int {
	for i > 0 && isSpace(b[i-1]) {
		i--
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// skipSpace skips all white space and comments between JS tokens.
func skipSpace(b []byte) []byte {
	for {
		b = bytes.TrimLeft(b, " \t\r\n\f\v")
		switch {
		case bytes.HasPrefix(b, []byte("//")):
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				b = b[i:]
				continue
			}
			return nil
		case bytes.HasPrefix(b, []byte("/*")):
			if i := bytes.Index(b[2:], []byte("*/")); i >= 0 {
				b = b[i+4:]
				continue
			}
			return nil
		}
		return b
	}
}
