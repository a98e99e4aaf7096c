package proxy

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// PyPI's XML-RPC API (pip search, old tools) is POSTed to the index's
// /pypi endpoint. pypi.org answers every search with an XML-RPC fault;
// pip prints a fault's text, but crashes with a traceback on any HTTP
// error (its transport asserts on a falsy 4xx response). So the proxy
// answers XML-RPC calls with a fault too, saying what to do instead.

// isXMLRPC reports whether r is an XML-RPC call. Clients POST them to
// pip's --index, the PyPI base URL (https://pypi.org/pypi): here /pypi/pypi,
// or /pypi when users point it at the prefix.
func isXMLRPC(r *http.Request, rest string) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch rest {
	case "", "/", "/pypi", "/pypi/", "/RPC2":
	default:
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "text/xml" || mt == "application/xml")
}

// xmlrpcFaultCode is the code pypi.org uses for its search fault
// (an application error, per the XML-RPC fault code conventions).
const xmlrpcFaultCode = -32500

// xmlrpcFault answers an XML-RPC call with a fault: 200 and a
// methodResponse, as XML-RPC requires, so clients show the message.
func xmlrpcFault(c echo.Context, msg string) error {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(msg))
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n<methodResponse><fault><value><struct>")
	fmt.Fprintf(&b, "<member><name>faultCode</name><value><int>%d</int></value></member>", xmlrpcFaultCode)
	b.WriteString("<member><name>faultString</name><value><string>")
	b.Write(esc.Bytes())
	b.WriteString("</string></value></member></struct></value></fault></methodResponse>\n")
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", []byte(b.String()))
}

// xmlrpcUnsupported is the fault for every XML-RPC call.
const xmlrpcUnsupported = "vigil-proxy does not serve PyPI's XML-RPC API (pip search): pypi.org itself no longer " +
	"supports search over XML-RPC. Search on https://pypi.org/search, and use vigil-proxy check pypi NAME " +
	"to see whether a project may be installed."
