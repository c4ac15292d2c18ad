package emulator

import (
	"net/http"
	"sync/atomic"
)

// MetadataProxy is a plain HTTP proxy for tests that hands requests for MetadataHost to the Server set
// with SetTarget. Clients cannot be pointed at another metadata address, but credentials clients honour
// HTTP_PROXY (Go's http.ProxyFromEnvironment), and 100.100.100.200 is not a loopback address that Go
// would reach directly. Go reads HTTP_PROXY once per process, so a test binary starts one proxy in
// TestMain, sets HTTP_PROXY to it, and switches its target per test.
//
// Requests for any other host are refused 502, so that nothing else a test does leaves through it.
type MetadataProxy struct {
	target      atomic.Pointer[http.Handler]
	unreachable atomic.Bool
}

// SetTarget makes s answer the metadata requests from now on; nil makes them fail 502.
func (p *MetadataProxy) SetTarget(s *Server) {
	if s == nil {
		p.SetHandler(nil)
		return
	}
	p.SetHandler(s)
}

// SetHandler makes h answer the metadata requests from now on, for a test that needs an answer no
// emulator gives (a redirect, say); nil makes them fail 502.
func (p *MetadataProxy) SetHandler(h http.Handler) {
	if h == nil {
		p.target.Store(nil)
		return
	}
	p.target.Store(&h)
}

// SetUnreachable makes metadata requests hang until the client gives up, as the metadata address does
// on a machine that is not an ECS instance.
func (p *MetadataProxy) SetUnreachable(on bool) { p.unreachable.Store(on) }

func (p *MetadataProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Host != MetadataHost {
		http.Error(w, "this test proxy forwards only to "+MetadataHost, http.StatusBadGateway)
		return
	}
	if p.unreachable.Load() {
		<-r.Context().Done()
		return
	}
	h := p.target.Load()
	if h == nil {
		http.Error(w, "no emulator answers for "+MetadataHost, http.StatusBadGateway)
		return
	}
	(*h).ServeHTTP(w, r)
}
