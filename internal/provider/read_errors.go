package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-00b4a2d9/terraform-provider-alicloud/internal/dbs"
)

// readErrorDiagnostic words a failed read of the restore tasks: the client's error as it is (page, code,
// message, request id), then, for the failures a provider argument decides (the endpoint, its scheme, a
// timeout), which argument to look at. endpointFrom says where the endpoint came from (see dbsEndpoint).
// The client knows none of Terraform's names; this is where they are put in.
func readErrorDiagnostic(err error, endpointFrom string) diag.Diagnostic {
	detail := err.Error()
	if advice := readErrorAdvice(err, endpointOrigin(endpointFrom)); advice != "" {
		detail += "\n\n" + advice
	}
	return diag.NewErrorDiagnostic("Unable to read DBS restore tasks", detail)
}

// endpointOrigin says where the DBS endpoint came from, for advice about it: from, when Configure said,
// else where the provider looks for it.
func endpointOrigin(from string) string {
	if from != "" {
		return "The DBS endpoint came from " + from + "."
	}
	return "The DBS endpoint is `endpoints.dbs` (else `ALIBABA_CLOUD_ENDPOINT_DBS`, else `DBS_ENDPOINT`) " +
		"when set, else the host of `region`, reached with `protocol`."
}

func readErrorAdvice(err error, endpointOrigin string) string {
	var endpoint *dbs.EndpointError
	var timeout *dbs.TimeoutError
	switch {
	case errors.As(err, &endpoint):
		switch endpoint.Problem {
		case dbs.NoSuchHost:
			return fmt.Sprintf("DNS answered that %s does not exist, which waiting does not change, so the read was not retried. %s "+
				"Check it for a typo; for a region this provider does not know, set `endpoints.dbs` to the region's DBS host.",
				endpoint.Address, endpointOrigin)
		case dbs.ConnectionRefused:
			return fmt.Sprintf("Nothing accepts connections at %s, so the read was not retried. %s "+
				"Check its host and port (or the proxy's, when `HTTPS_PROXY` or `HTTP_PROXY` is set), and that the service there is running.",
				endpoint.Address, endpointOrigin)
		case dbs.SpeaksHTTP:
			return fmt.Sprintf("%s speaks plain HTTP, not HTTPS. To reach it so, write `endpoints.dbs` as `http://HOST:PORT`, "+
				"or set `protocol = \"HTTP\"` when `endpoints.dbs` has no scheme. If it should speak HTTPS, something else answers at that address. %s",
				endpoint.Endpoint, endpointOrigin)
		case dbs.SpeaksHTTPS:
			return fmt.Sprintf("%s speaks HTTPS, not plain HTTP. Write `endpoints.dbs` as `https://HOST:PORT`, "+
				"or leave `protocol` at its default `HTTPS` when `endpoints.dbs` has no scheme. %s", endpoint.Endpoint, endpointOrigin)
		case dbs.Redirected:
			return fmt.Sprintf("The provider sends its signed requests, and any security token, only to the endpoint itself, "+
				"so it did not follow the redirect to %s. Set `endpoints.dbs` to the DBS API, not to a proxy or a page that redirects. %s",
				endpoint.Address, endpointOrigin)
		}
	case errors.As(err, &timeout):
		ms := timeout.Limit.Milliseconds()
		if timeout.Phase == dbs.Connect {
			return fmt.Sprintf("Connecting was bounded by `client_connect_timeout` = %d ms (resolving and connecting, then the TLS handshake, each). "+
				"Raise it on a slow network, or check that the endpoint can be reached from here.", ms)
		}
		return fmt.Sprintf("Each answer was bounded by `client_read_timeout` = %d ms, from its connection being ready to its last byte. "+
			"Raise it on a slow network, or lower `page_size` for shorter answers.", ms)
	}
	return ""
}
