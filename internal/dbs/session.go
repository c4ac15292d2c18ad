//go:build !perlisting

package dbs

// newSession opens a listing's flow in the client's scheduler.
func (c *Client) newSession() *session {
	return &session{gate: c.sched, flow: c.sched.newFlow()}
}
