// Package api is vigia's HTTP interface: health and readiness probes,
// Prometheus metrics, alerts (listed as JSON and streamed over Server-Sent
// Events), flights with their fixes and reports, and authorisations
// created, listed and revoked. The routes and their JSON are documented in
// docs/FORMATS.md ("HTTP API"), the metrics in its "Metrics" section.
//
// # Pieces
//
// New returns the http.Handler; the server mounts it and owns the
// listener. It reads from a store.Store, writes authorisations through an
// Authorisations (the server, which also applies them to its running
// compliance engines), streams alerts from a Hub that the pipeline
// publishes to, and counts requests into a Metrics, whose registry the
// pipeline's own counters live in too.
//
// # Errors
//
// Every error is a JSON object {"error": "..."} with the status that fits:
// 400 for a bad query parameter or a malformed authorisation (the message
// names the parameter or the field), 404 for an unknown route, flight,
// alert or authorisation, 405 for a method a route does not take (with
// Allow), 409 for a conflict with what is stored, 413 for a request body
// over MaxBodyBytes, 503 when the server is not ready (or has no
// Authorisations to write with), and 500 otherwise.
// A request that fails changes nothing that is stored.
//
// # Concurrency
//
// The handler, a Hub and a Metrics are safe for concurrent use.
package api
