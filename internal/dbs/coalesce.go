package dbs

import (
	"context"
	"fmt"
	"sync"
)

// sharedReads lets identical reads of one client share one listing: the same query read twice in one
// plan (the same backup plan read by two modules) makes one listing's requests. A listing read to its end
// is kept for the client's life, one provider configuration of one Terraform command, so that a read
// that comes after the first has finished shares it too and both see the same restore tasks; a failed
// read is forgotten, so that the next identical read tries again.
type sharedReads struct {
	mu    sync.Mutex
	reads map[string]*sharedRead
}

// sharedRead is one listing and the reads waiting for it.
type sharedRead struct {
	done    chan struct{} // closed when listing and err are set
	listing *Listing
	err     error
	waiting int                // reads waiting for it; when the last gives up, the listing is canceled
	cancel  context.CancelFunc // cancels the listing
}

// share returns the listing of key, reading it with read unless an identical read has or is reading it.
// The listing is read under a context of its own, which keeps ctx's values (its logger) and ends when
// every read waiting for it has given up: one data source canceled does not cancel another's read.
func (g *sharedReads) share(ctx context.Context, key string, read func(context.Context) (*Listing, error)) (*Listing, error) {
	g.mu.Lock()
	if g.reads == nil {
		g.reads = map[string]*sharedRead{}
	}
	r := g.reads[key]
	if r == nil {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r = &sharedRead{done: make(chan struct{}), cancel: cancel}
		g.reads[key] = r
		go func() {
			listing, err := read(rctx)
			g.mu.Lock()
			r.listing, r.err = listing, err
			if err != nil && g.reads[key] == r {
				delete(g.reads, key)
			}
			g.mu.Unlock()
			cancel()
			close(r.done)
		}()
	}
	r.waiting++
	g.mu.Unlock()

	select {
	case <-r.done:
		g.mu.Lock()
		r.waiting--
		g.mu.Unlock()
		if r.err != nil {
			return nil, r.err
		}
		listing := *r.listing // the tasks are shared: neither reader may change them
		return &listing, nil
	case <-ctx.Done():
		g.mu.Lock()
		r.waiting--
		if r.waiting == 0 {
			r.cancel()
			if g.reads[key] == r {
				delete(g.reads, key)
			}
		}
		g.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", apiAction, ctx.Err())
	}
}
