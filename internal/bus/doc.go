// Package bus is vigia's event log: decoded positions are published to a
// NATS JetStream stream (POSITIONS, subjects "positions.<source>.<partition>"), and the
// spine's stages — tracking, airspace accounting, storage — read it as
// durable pull consumers that acknowledge a message only after their work
// on it is stored.
//
// By default the NATS server runs embedded in the process (nats-server as a
// library: no signal handlers, no global logger, no os.Exit, JetStream file
// storage under Options.DataDir, and no TCP port unless Options.Listen asks
// for one); the client talks to it over an in-process pipe. With
// Options.URL set, the bus connects to an external NATS JetStream cluster
// instead, and several vigia processes that consume with the same durable
// name share the work: each message goes to one of them.
//
// Guarantees. A publish returns only after JetStream has stored the message
// (or returns an error). Every message carries a Nats-Msg-Id derived from
// the position (identity, time, latitude, longitude), so a position
// published again within Options.DuplicateWindow — a feed replayed after a
// crash — is stored once. A consumer receives every stored message at least
// once: a message not acknowledged within Options.AckWait, or whose handler
// failed, is delivered again, with Delivery.Redelivered set. Consumers must
// therefore be idempotent, which the spine's stages are by design.
//
// Wire form. A message holds one position in a compact binary form
// (AppendPosition; DecodePosition also reads the JSON form of
// docs/FORMATS.md, for messages published by hand), or, with Options.Pack
// above 1, a pack of positions of one source and partition. One message per
// position costs about 12 µs of CPU to publish and 20 µs from publish to
// acknowledged delivery on the embedded server with file storage; packs of
// 10 cut that to about 1.5 µs and 3 µs (docs/BENCHMARKS.md), at the price
// of coarser deduplication and redelivery (a whole pack at a time).
//
// An embedded server that listens on TCP (Options.Listen) has no
// authentication: bind it to loopback, or use an external cluster.
//
// Streams are declared in a table (Options.Streams, default [DefaultStreams])
// so that further streams, for alerts or other events, can be added without
// code here changing.
//
// A Bus is safe for concurrent use by multiple goroutines.
package bus
