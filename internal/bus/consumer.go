package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia/vigia/internal/position"
)

// Delivery is one position handed to a Consume handler, with the means to
// settle it. Its methods are safe to call from any goroutine, once each;
// settling a delivery twice returns an error wrapping
// jetstream.ErrMsgAlreadyAckd.
//
// When positions travel packed (Options.Pack > 1), the deliveries of one
// message share it: the message is acknowledged once all of them are
// acked, and a Nak of any one of them has the whole message delivered
// again, the acked positions included.
type Delivery struct {
	// Position is the decoded position.
	Position position.Position
	// Seq is the sequence number in the stream of the message that carried
	// the position: increasing in publish order, unique per message.
	Seq uint64
	// Index is the position's place in its message: 0 unless positions are
	// packed.
	Index int
	// NumDelivered counts the deliveries of this message, this one
	// included.
	NumDelivered uint64
	// Redelivered is NumDelivered > 1: a consumer may have seen, and
	// partly processed, this message before.
	Redelivered bool
	// Time is when the stream stored the message.
	Time time.Time

	msg  jetstream.Msg
	pack *packState // nil for a message of one position
}

// Ack tells JetStream the delivery's work is done and stored; it will not
// be delivered again to this durable consumer.
func (d Delivery) Ack() error {
	if d.pack != nil {
		return d.pack.settle(context.Background(), d.Index, settleAck, 0)
	}
	return d.msg.Ack()
}

// AckSync is Ack, waiting until JetStream confirms it has recorded the
// acknowledgement (or ctx ends). For a packed position that is not the
// last of its message to be settled, there is nothing to confirm yet and
// it returns at once.
func (d Delivery) AckSync(ctx context.Context) error {
	if d.pack != nil {
		return d.pack.settle(ctx, d.Index, settleAckSync, 0)
	}
	return d.msg.DoubleAck(ctx)
}

// Nak asks JetStream to deliver the message again after delay (0: at once).
func (d Delivery) Nak(delay time.Duration) error {
	switch {
	case d.pack != nil:
		return d.pack.settle(context.Background(), d.Index, settleNak, delay)
	case delay <= 0:
		return d.msg.Nak()
	default:
		return d.msg.NakWithDelay(delay)
	}
}

// Term tells JetStream never to deliver the message again to this durable
// consumer, e.g. because it can never be processed. A packed message is
// terminated when all its positions are; otherwise a terminated position
// counts as settled.
func (d Delivery) Term() error {
	if d.pack != nil {
		return d.pack.settle(context.Background(), d.Index, settleTerm, 0)
	}
	return d.msg.Term()
}

// InProgress resets the acknowledgement timer (Options.AckWait) for a
// delivery whose work takes long.
func (d Delivery) InProgress() error { return d.msg.InProgress() }

// Handler processes one batch of deliveries, in stream order for the
// messages first delivered in this process. It should settle each delivery
// (Ack after its work is stored); when it returns an error, Consume naks
// the deliveries it left unsettled, to be delivered again after
// Options.RetryDelay. The context carries the values of Consume's context
// but is not cancelled when consuming stops, so that a batch in hand is
// finished during Drain; bound long work with a timeout of its own. The
// batch slice is reused once the handler returns: keep copies of the
// deliveries, not the slice.
type Handler func(ctx context.Context, batch []Delivery) error

// consumer is one running Consume call.
type consumer struct {
	stopCh chan struct{}
	once   chan struct{} // buffered 1: first stop wins
}

func (c *consumer) stop() {
	select {
	case c.once <- struct{}{}:
		close(c.stopCh)
	default:
	}
}

// Consume reads the POSITIONS stream as the durable pull consumer durable,
// creating it if needed (delivering from the start of the stream), and
// calls handler with batches of at most Options.Batch deliveries, one batch
// at a time. Every process that consumes with the same durable name shares
// its messages: each message goes to one of them (a work queue), and a
// message not acknowledged within Options.AckWait goes to one of them
// again. Different durable names each see every message.
//
// A handler returning an error does not stop Consume; it is logged and the
// unsettled deliveries are nakked. A message that is not a valid position is
// logged and terminated. Consume blocks until ctx is done or Drain is
// called, and then returns nil after the handler's current batch returns;
// it returns an error if the consumer cannot be created or consuming fails.
func (b *Bus) Consume(ctx context.Context, durable string, handler Handler) error {
	return b.ConsumeSubjects(ctx, durable, nil, handler)
}

// ConsumeSubjects is Consume restricted to the given subjects of the
// POSITIONS stream (e.g. "positions.klv.*", or PartitionSubjects); nil means all of them. The
// subjects of a durable consumer are fixed when it is created and updated
// when a later call names others.
func (b *Bus) ConsumeSubjects(ctx context.Context, durable string, subjects []string, handler Handler) error {
	return b.ConsumeWith(ctx, durable, ConsumeOptions{Subjects: subjects}, handler)
}

// ConsumeOptions selects what ConsumeWith reads.
type ConsumeOptions struct {
	// Subjects restricts the consumer to these subjects of the POSITIONS
	// stream; nil means all of them.
	Subjects []string
	// StartSeq, when above 0, makes the consumer deliver from this stream
	// sequence on, whatever it acknowledged before: an existing durable
	// consumer of the name is deleted and created again. It is for a stage
	// that keeps its own checkpoint with its stored work (and state) and
	// must see every message after it again in stream order; only one
	// process may then use the durable name.
	StartSeq uint64
}

// ConsumeWith is Consume with options.
func (b *Bus) ConsumeWith(ctx context.Context, durable string, o ConsumeOptions, handler Handler) error {
	subjects := o.Subjects
	if durable == "" {
		return fmt.Errorf("bus: consume: durable name: empty")
	}
	c := &consumer{stopCh: make(chan struct{}), once: make(chan struct{}, 1)}
	b.mu.Lock()
	if b.draining {
		b.mu.Unlock()
		return ErrClosed
	}
	b.consumers[c] = struct{}{}
	b.wg.Add(1)
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.consumers, c)
		b.mu.Unlock()
		b.wg.Done()
	}()

	cfg := jetstream.ConsumerConfig{
		Durable:       durable,
		Description:   "vigia " + durable,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       b.opts.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: b.opts.MaxAckPending,
		MaxWaiting:    512,
	}
	switch len(subjects) {
	case 0:
	case 1:
		cfg.FilterSubject = subjects[0]
	default:
		cfg.FilterSubjects = subjects
	}
	cctx, cancel := b.requestContext(ctx)
	if o.StartSeq > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = o.StartSeq
		if err := b.js.DeleteConsumer(cctx, PositionsStream, durable); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			cancel()
			return fmt.Errorf("bus: consumer %s: reset to sequence %d: %w", durable, o.StartSeq, err)
		}
	}
	cons, err := b.js.CreateOrUpdateConsumer(cctx, PositionsStream, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("bus: consumer %s: create or update: %w", durable, err)
	}
	log := b.log.With("consumer", durable)

	// The client's callback hands messages to this goroutine through ch;
	// the handler runs here, so batches are processed one at a time and in
	// order, and a slow handler holds back further pulls (flow control by
	// PullMaxMessages and MaxAckPending).
	batch := b.opts.Batch
	ch := make(chan jetstream.Msg, batch)
	stopped := make(chan struct{}) // closed when ctx is done or stop is called
	go func() {
		select {
		case <-ctx.Done():
		case <-c.stopCh:
		}
		close(stopped)
	}()
	defer c.stop() // ends the goroutine above if ctx is never done
	consErr := make(chan error, 1)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case ch <- m:
		case <-stopped:
			_ = m.Nak()
		}
	},
		// Options.Pack is the expected number of positions per message.
		jetstream.PullMaxMessages(max(2*batch/b.opts.Pack, 4)),
		// A pull that the server stops answering is noticed after two
		// missed heartbeats and issued again: keep that short, so that a
		// lost pull costs seconds, not the 30 s of the defaults.
		jetstream.PullExpiry(10*time.Second),
		jetstream.PullHeartbeat(time.Second),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
				select {
				case consErr <- err:
				default:
				}
				return
			}
			log.Warn("consume", "err", err)
		}))
	if err != nil {
		return fmt.Errorf("bus: consumer %s: consume: %w", durable, err)
	}
	hctx := context.WithoutCancel(ctx)

	var runErr error
	buf := make([]Delivery, 0, batch)
loop:
	for {
		var m jetstream.Msg
		select {
		case m = <-ch:
		case <-stopped:
			break loop
		case err := <-consErr:
			runErr = fmt.Errorf("bus: consumer %s: %w", durable, err)
			break loop
		}
		buf = buf[:0]
		buf = b.appendDelivery(buf, m, log)
	more:
		for len(buf) < batch {
			select {
			case m = <-ch:
				buf = b.appendDelivery(buf, m, log)
			default:
				break more
			}
		}
		if len(buf) == 0 {
			continue
		}
		if err := handler(hctx, buf); err != nil {
			log.Warn("handler failed; batch will be delivered again", "first_seq", buf[0].Seq, "n", len(buf), "err", err)
			for _, d := range buf {
				if err := d.Nak(b.opts.RetryDelay); err != nil && !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
					log.Debug("nak", "seq", d.Seq, "err", err)
				}
			}
		}
		clear(buf)
	}
	c.stop()
	cc.Stop()
	// Give back what was fetched but not handed to the handler, so that
	// another process gets it without waiting for AckWait.
	for {
		select {
		case m := <-ch:
			_ = m.Nak()
			continue
		default:
		}
		break
	}
	<-cc.Closed()
	return runErr
}

// appendDelivery decodes m and appends its deliveries to buf; a message
// that is not a position is logged and terminated.
func (b *Bus) appendDelivery(buf []Delivery, m jetstream.Msg, log *slog.Logger) []Delivery {
	md, err := m.Metadata()
	if err != nil {
		log.Warn("message without metadata; terminated", "subject", m.Subject(), "err", err)
		_ = m.Term()
		return buf
	}
	var one [1]position.Position
	ps, err := DecodePositions(m.Data(), one[:0])
	if err != nil {
		log.Warn("message is not a position; terminated", "subject", m.Subject(), "seq", md.Sequence.Stream, "err", err)
		_ = m.Term()
		return buf
	}
	d := Delivery{Seq: md.Sequence.Stream, NumDelivered: md.NumDelivered, Redelivered: md.NumDelivered > 1, Time: md.Timestamp, msg: m}
	if len(ps) > 1 {
		d.pack = &packState{msg: m, seq: d.Seq, settled: make([]bool, len(ps)), left: len(ps)}
	}
	for i, p := range ps {
		d.Position, d.Index = p, i
		buf = append(buf, d)
	}
	return buf
}

// ConsumerProgress returns, for the durable consumer durable, the number of
// messages of its subjects not yet delivered and the stream sequence of the
// last message it delivered.
func (b *Bus) ConsumerProgress(ctx context.Context, durable string) (pending, delivered uint64, err error) {
	cctx, cancel := b.requestContext(ctx)
	defer cancel()
	c, err := b.js.Consumer(cctx, PositionsStream, durable)
	if err != nil {
		return 0, 0, fmt.Errorf("bus: consumer %s: %w", durable, err)
	}
	info, err := c.Info(cctx)
	if err != nil {
		return 0, 0, fmt.Errorf("bus: consumer %s: info: %w", durable, err)
	}
	return info.NumPending, info.Delivered.Stream, nil
}
