package proxy

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

// notFound answers paths outside the registry routes. The usual cause is a
// client pointed at the proxy's root instead of /npm/ or /pypi/simple/:
// npm prints the JSON body's error and the reason phrase, pnpm and yarn
// the reason phrase, so both say where the registries are.
func (s *Server) notFound(c echo.Context) error {
	r := c.Request()
	msg := "vigil-proxy serves npm below /npm/ and PyPI below /pypi/simple/: point your client's registry or index URL there"
	body, _ := json.Marshal(map[string]string{"error": msg})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return writeRefusal(c.Response(), r, refusal{status: http.StatusNotFound, reason: msg,
		phrase: "Not Found: " + msg, body: body, header: h})
}
