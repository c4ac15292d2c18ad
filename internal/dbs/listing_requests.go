//go:build !perlisting

package dbs

// newListingRequests opens a listing's flow in the client's scheduler.
func (c *Client) newListingRequests() *listingRequests {
	return &listingRequests{gate: c.sched, flow: c.sched.newFlow()}
}
