// Package server wires vigia's spine: telemetry feeds (ADS-B over TCP as
// client or server, KLV in MPEG-TS over UDP, recorded files) are decoded and
// published to the event log (internal/bus); the accounting stage consumes
// it, tracks flights (internal/track), judges every fix (internal/compliance)
// and stores fixes, crossings, alerts and flights (internal/store); alerts
// are announced to every process and streamed to API clients (internal/api).
//
// # Exactly once
//
// The accounting stage saves its state (tracker and engine snapshots) with
// a checkpoint, the event-log sequence the state reflects, in the same
// transaction as the fixes of the batch that ends there, and acknowledges
// deliveries only after such a save. On start, and after any failure, it
// restores the state from the checkpoint and consumes again from the next
// sequence in stream order: the positions applied since are applied again to
// the same state and give the same fixes, crossings and alerts, which the
// store keeps once. A process killed at any point therefore loses nothing the
// event log holds and duplicates nothing. What a feed decoded but had not yet
// published when the process died is lost with the process, as are bytes in
// the socket buffers; a receiver that resends (or a file replayed again) is
// deduplicated by the event log and by the tracker.
//
// # Scale
//
// Positions are published on subjects partitioned by aircraft
// (bus.Partitions). One process accounts all partitions; several processes
// sharing an external NATS cluster and one PostgreSQL database share the work
// by shards (Config.Shard, "I/N"): shard I takes the partitions p with
// p mod N = I − 1, as its own durable consumer, so that each aircraft's
// positions are tracked by one process in order. Any process may run feeds
// and the API; alerts stored by one are announced on NATS to the SSE clients
// of all.
//
// # Live order
//
// The tracker's reorder window (track.Options.Reorder) delays every fix by
// that much message time before it is accounted; vigia serve uses 0 by
// default, accounting each fix as it arrives (an out-of-order fix is counted
// late and dropped), so that an alert follows its fix within milliseconds;
// vigia ingest uses 5 s, since recorded files may interleave receivers.
//
// # Shutdown
//
// Run stops in order: feeds stop and publish what they decoded; the
// accounting takes what was published and saves its state; the HTTP server
// stops (SSE streams end); the event log drains; the store closes.
package server
